import { formatAddress } from '@orc-ts/core';
import { pruneDeadCode } from './dead-strip.js';
import type { FinalizedAllocation, InFlightAllocation, JITLinkMemoryManager } from './jitlink-memory-manager.js';
import { JITLinkError } from './jitlink-error.js';
import type { LinkGraph } from './link-graph.js';
import type { LinkTarget } from './link-target.js';
import { PassConfiguration, type LinkGraphPass } from './pass-configuration.js';

/** The result of resolving a graph's external symbols: name to address (weak references may be missing). */
export type ExternalResolution = ReadonlyMap<string, bigint>;

/** What the linker needs from whoever asked for the link (JITLink's `JITLinkContext`; the layer's per-graph state). */
export interface JITLinkContext {
  /** Allocates the graph's memory. */
  readonly memoryManager: JITLinkMemoryManager;
  /** Marks the symbols that must survive dead-stripping (default: every defined symbol). */
  markLive?(graph: LinkGraph): void;
  /** Adds the context's own passes (plugins) after the target's. */
  modifyPassConfig?(graph: LinkGraph, config: PassConfiguration): void;
  /** Called once addresses of defined symbols are final, before externals are resolved. */
  notifyResolved?(graph: LinkGraph): void | Promise<void>;
  /** Resolves external symbols (name → weakly referenced?); rejects if a required one is missing. */
  lookup(symbols: ReadonlyMap<string, boolean>): Promise<ExternalResolution>;
  /** Called with the in-flight allocation before finalization (e.g. to add finalize actions). */
  notifyAllocated?(graph: LinkGraph, allocation: InFlightAllocation): void;
}

async function runPasses(passes: readonly LinkGraphPass[], graph: LinkGraph): Promise<void> {
  for (const pass of passes) await pass(graph);
}

/** Marks every defined symbol live (the default when the context has no opinion). */
export function markAllSymbolsLive(graph: LinkGraph): void {
  for (const s of graph.definedSymbols()) s.isLive = true;
}

/**
 * Links `graph` for `target`: passes in JITLink's order, dead-stripping, allocation, external resolution, fixups,
 * finalization. Returns the finalized allocation; on failure the allocation (if any) is abandoned and the error
 * rethrown.
 */
export async function linkGraph(graph: LinkGraph, target: LinkTarget, ctx: JITLinkContext): Promise<FinalizedAllocation> {
  const config = new PassConfiguration();
  target.configurePasses(graph, config);
  config.prePrunePasses.push((g) => (ctx.markLive ? ctx.markLive(g) : markAllSymbolsLive(g)));
  ctx.modifyPassConfig?.(graph, config);

  await runPasses(config.prePrunePasses, graph);
  pruneDeadCode(graph);
  await runPasses(config.postPrunePasses, graph);

  const alloc = await ctx.memoryManager.allocate(graph);
  try {
    await runPasses(config.postAllocationPasses, graph);
    await ctx.notifyResolved?.(graph);

    const wanted = new Map<string, boolean>();
    for (const [name, s] of graph.externalSymbols) wanted.set(name, s.isWeaklyReferenced);
    if (wanted.size) {
      const resolved = await ctx.lookup(wanted);
      for (const [name, s] of graph.externalSymbols) s.setAddress(resolved.get(name) ?? 0n);
    }

    await runPasses(config.preFixupPasses, graph);
    applyFixups(graph, target);
    await runPasses(config.postFixupPasses, graph);
    ctx.notifyAllocated?.(graph, alloc);
    return await alloc.finalize();
  } catch (e) {
    await alloc.abandon().catch(() => undefined);
    throw e;
  }
}

/** Applies every relocation edge of every block. The first error aborts. */
export function applyFixups(graph: LinkGraph, target: LinkTarget): void {
  for (const section of graph.sections.values()) {
    for (const block of section.blocks) {
      if (block.edges.length === 0) continue;
      let content: Uint8Array | null = null;
      for (const edge of block.edges) {
        if (!edge.isRelocation()) continue;
        if (edge.offset < 0 || edge.offset > block.size) {
          throw new JITLinkError(
            `In graph ${graph.name}, section ${section.name}: edge at offset ${edge.offset} is outside its block (${formatAddress(block.address)}, size ${block.size})`,
          );
        }
        content ??= block.getMutableContent(graph);
        target.applyFixup(graph, block, edge, content);
      }
    }
  }
}
