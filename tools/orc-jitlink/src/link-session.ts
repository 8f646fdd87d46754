import 'reflect-metadata';
import { basename } from 'node:path';
import { ErrorReporterToken, ExecutionSession, ExecutorProcessControlToken, registerCore } from '@orc-ts/core';
import {
  CheckerRegistry,
  LinkTargetRegistry,
  MemoryOnlyExecutorProcessControl,
  ObjectLinkingLayer,
  ObjectLinkingLayerPluginToken,
  registerObjectLinkingLayer,
  type ObjectLinkingLayerPlugin,
} from '@orc-ts/object-linking-layer';
import { AArch64LinkTarget, registerAArch64Target } from '@orc-ts/target-aarch64';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { createCheckerPlugin } from './checker-plugin.js';
import type { JITLinkOptions } from './options.js';
import { addressRows, formatGraph, totalBlockSize, type AddressRow } from './reports.js';

/** What one orc-jitlink run observed while linking. */
export interface LinkObservations {
  /** Graphs linked, in order. */
  readonly linkedGraphs: string[];
  /** `-show-graph` dumps. */
  readonly graphDumps: string[];
  /** `-show-addrs` rows. */
  readonly addresses: AddressRow[];
  /** Block bytes before pruning and after fixups, summed over graphs. */
  sizeBeforePruning: number;
  sizeAfterFixups: number;
  /** Errors reported by the session (the root causes of failed links). */
  readonly errors: unknown[];
}

/** The JIT stack of one orc-jitlink run, composed through dependency injection. */
export interface LinkSession {
  readonly container: DependencyContainer;
  readonly es: ExecutionSession;
  readonly layer: ObjectLinkingLayer;
  readonly executor: MemoryOnlyExecutorProcessControl;
  /** What `-check` rules see: filled after each link when `options.checkFiles` is not empty, else left empty. */
  readonly checker: CheckerRegistry;
  readonly observations: LinkObservations;
}

/** Builds the session: memory-only executor (slab options honoured), core, linker, AArch64 target, tool plugins. */
export function createLinkSession(options: JITLinkOptions): LinkSession {
  const executor = new MemoryOnlyExecutorProcessControl({
    ...(options.slabAddress !== undefined ? { slabAddress: options.slabAddress } : {}),
    ...(options.slabSize !== undefined ? { slabSize: options.slabSize } : {}),
    ...(options.slabPageSize !== undefined ? { pageSize: options.slabPageSize } : {}),
  });
  const observations: LinkObservations = { linkedGraphs: [], graphDumps: [], addresses: [], sizeBeforePruning: 0, sizeAfterFixups: 0, errors: [] };
  const checker = new CheckerRegistry({
    readMemory: (address, size) => {
      const bytes = executor.read(address, size);
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
      return v;
    },
  });
  const container = rootContainer.createChildContainer();
  container.register(ExecutorProcessControlToken, { useValue: executor });
  container.register(ErrorReporterToken, { useValue: (e: unknown) => void observations.errors.push(e) });
  registerCore(container);
  registerObjectLinkingLayer(container);
  registerAArch64Target(container);
  const target = new LinkTargetRegistry([new AArch64LinkTarget()]);
  const observer: ObjectLinkingLayerPlugin = {
    modifyPassConfig(_mr, graph, config) {
      observations.linkedGraphs.push(graph.name);
      config.prePrunePasses.unshift((g) => void (observations.sizeBeforePruning += totalBlockSize(g)));
      config.postFixupPasses.push((g) => {
        observations.sizeAfterFixups += totalBlockSize(g);
        if (options.showAddrs) observations.addresses.push(...addressRows(g, basename(g.name)));
        if (options.showGraph) observations.graphDumps.push(formatGraph(g, target.forGraph(g)));
      });
    },
  };
  container.register(ObjectLinkingLayerPluginToken, { useValue: observer });
  // Registering every linked symbol, section, GOT entry and stub copies their contents: only worth it for -check.
  if (options.checkFiles.length) container.register(ObjectLinkingLayerPluginToken, { useValue: createCheckerPlugin(checker) });
  return {
    container,
    es: container.resolve(ExecutionSession),
    layer: container.resolve(ObjectLinkingLayer),
    executor,
    checker,
    observations,
  };
}
