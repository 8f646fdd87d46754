import {
  JITDylib,
  JITSymbolFlags,
  MaterializationUnit,
  MissingSymbolDefinitions,
  OrcError,
  ResourceTracker,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolState,
  UnexpectedSymbolDefinitions,
  addToDependenceMap,
  type ExecutionSession,
  type MaterializationResponsibility,
  type ResourceKey,
  type ResourceManager,
  type SymbolDependenceGroup,
  type SymbolDependenceMap,
  type SymbolMap,
} from '@orc-ts/core';
import type { FinalizedAllocation, InFlightAllocation, JITLinkMemoryManager } from '../graph/jitlink-memory-manager.js';
import { linkGraph, type ExternalResolution, type JITLinkContext } from '../graph/link.js';
import { Linkage, type LinkGraph } from '../graph/link-graph.js';
import type { LinkTargetRegistry } from '../graph/link-target-registry.js';
import type { PassConfiguration } from '../graph/pass-configuration.js';
import { getLinkGraphInterface, getSymbolFlags, isPublished } from './link-graph-interface.js';
import type { ObjectFileFormat } from './object-file-format.js';
import type { ObjectLinkingLayerPlugin } from './object-linking-layer-plugin.js';
import { computeExternalDependencyComponents } from './symbol-dependencies.js';

/** Where to add something: a JITDylib (its default tracker) or a specific tracker. */
export type LayerDestination = JITDylib | ResourceTracker;

function resolveDestination(dest: LayerDestination): { jd: JITDylib; tracker: ResourceTracker | undefined } {
  return dest instanceof JITDylib ? { jd: dest, tracker: undefined } : { jd: dest.getJITDylib(), tracker: dest };
}

/** A relocatable object waiting to be linked when one of its symbols is looked up. */
class ObjectFileMaterializationUnit extends MaterializationUnit {
  constructor(
    private readonly layer: ObjectLinkingLayer,
    private readonly bytes: Uint8Array,
    private readonly name: string,
    format: ObjectFileFormat,
  ) {
    super(format.getInterface(bytes, name));
  }
  getName(): string {
    return this.name;
  }
  materialize(mr: MaterializationResponsibility): Promise<void> {
    return this.layer.emit(mr, this.bytes, this.name);
  }
  // A discarded weak definition is turned into a reference to the winning definition at link time.
  protected discard(): void {}
}

/** A link graph built in memory, waiting to be linked. */
class LinkGraphMaterializationUnit extends MaterializationUnit {
  constructor(
    private readonly layer: ObjectLinkingLayer,
    private readonly graph: LinkGraph,
  ) {
    super({ symbolFlags: getLinkGraphInterface(graph) });
  }
  getName(): string {
    return this.graph.name;
  }
  materialize(mr: MaterializationResponsibility): Promise<void> {
    return this.layer.emitLinkGraph(mr, this.graph);
  }
  protected discard(): void {}
}

/**
 * Links relocatable objects and in-memory link graphs into JITDylibs (ORC's `ObjectLinkingLayer`): each object
 * becomes a materialization unit offering its symbols; the first lookup of any of them links it (JITLink),
 * resolving its external references through the JITDylib's link order and reporting each symbol's exact
 * dependencies, so that readiness is exact. Memory is tracked per resource tracker and released on removal.
 */
export class ObjectLinkingLayer implements ResourceManager {
  private readonly plugins: ObjectLinkingLayerPlugin[] = [];
  private readonly allocations = new Map<JITDylib, Map<ResourceKey, FinalizedAllocation[]>>();

  constructor(
    /** The session. */
    readonly es: ExecutionSession,
    /** Allocates executor memory for each graph. */
    readonly memoryManager: JITLinkMemoryManager,
    /** The link targets, by machine. */
    readonly targets: LinkTargetRegistry,
    /** The object format read by `add(dest, bytes)` (ELF). */
    readonly objectFormat: ObjectFileFormat | null = null,
  ) {
    es.registerResourceManager(this);
  }

  /** Adds a plugin; plugins run in ascending priority, ties in registration order. */
  addPlugin(plugin: ObjectLinkingLayerPlugin): this {
    this.plugins.push(plugin);
    this.plugins.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    return this;
  }

  /** The plugins, in the order they run. */
  getPlugins(): readonly ObjectLinkingLayerPlugin[] {
    return this.plugins;
  }

  /** Adds a relocatable object; it is linked when one of its symbols is first looked up. */
  add(dest: LayerDestination, object: Uint8Array, name = '<in-memory object>'): void {
    if (!this.objectFormat) throw new OrcError('this ObjectLinkingLayer has no object file format (register one to add object files)');
    const { jd, tracker } = resolveDestination(dest);
    jd.define(new ObjectFileMaterializationUnit(this, object, name, this.objectFormat), tracker);
  }

  /** Adds a link graph built in memory; it is linked when one of its symbols is first looked up. */
  addLinkGraph(dest: LayerDestination, graph: LinkGraph): void {
    const { jd, tracker } = resolveDestination(dest);
    jd.define(new LinkGraphMaterializationUnit(this, graph), tracker);
  }

  /** Links `object` now, on behalf of `mr` (for layers that build on this one). */
  async emit(mr: MaterializationResponsibility, object: Uint8Array, name: string): Promise<void> {
    let graph: LinkGraph;
    try {
      if (!this.objectFormat) throw new OrcError('this ObjectLinkingLayer has no object file format');
      graph = this.objectFormat.buildGraph(object, name, this.targets);
    } catch (e) {
      this.fail(mr, e);
      return;
    }
    await this.emitLinkGraph(mr, graph);
  }

  /** Links `graph` now, on behalf of `mr`. */
  async emitLinkGraph(mr: MaterializationResponsibility, graph: LinkGraph): Promise<void> {
    const ctx = new ObjectLinkingLayerJITLinkContext(this, mr, graph);
    let alloc: FinalizedAllocation;
    try {
      alloc = await linkGraph(graph, this.targets.forGraph(graph), ctx);
    } catch (e) {
      this.fail(mr, e);
      return;
    }
    try {
      for (const p of this.plugins) await p.notifyEmitted?.(mr, graph);
      mr.withResourceKeyDo((key) => {
        const jd = mr.getTargetJITDylib();
        let perJD = this.allocations.get(jd);
        if (!perJD) this.allocations.set(jd, (perJD = new Map()));
        let list = perJD.get(key);
        if (!list) perJD.set(key, (list = []));
        list.push(alloc);
      });
    } catch (e) {
      await this.memoryManager.deallocate([alloc]).catch((d: unknown) => this.es.reportError(d));
      this.fail(mr, e);
      return;
    }
    try {
      mr.notifyEmitted(ctx.dependenceGroups());
    } catch (e) {
      this.es.reportError(e);
      mr.failMaterialization();
    }
  }

  private fail(mr: MaterializationResponsibility, error: unknown): void {
    for (const p of this.plugins) p.notifyFailed?.(mr, error);
    this.es.reportError(error);
    mr.failMaterialization();
  }

  /** Executor memory still held for `jd` (all trackers), in bytes: for tests and diagnostics. */
  getAllocatedBytes(jd?: JITDylib): bigint {
    let total = 0n;
    for (const [j, perKey] of this.allocations) {
      if (jd && j !== jd) continue;
      for (const list of perKey.values()) for (const a of list) total += a.size;
    }
    return total;
  }

  async handleRemoveResources(jd: JITDylib, key: ResourceKey): Promise<void> {
    const errors: unknown[] = [];
    for (const p of this.plugins) {
      try {
        await p.notifyRemovingResources?.(jd, key);
      } catch (e) {
        errors.push(e);
      }
    }
    const perJD = this.allocations.get(jd);
    const list = perJD?.get(key);
    if (list) {
      perJD!.delete(key);
      if (perJD!.size === 0) this.allocations.delete(jd);
      try {
        await this.memoryManager.deallocate(list);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'errors removing linked resources');
  }

  handleTransferResources(jd: JITDylib, dstKey: ResourceKey, srcKey: ResourceKey): void {
    const perJD = this.allocations.get(jd);
    const moved = perJD?.get(srcKey);
    if (moved) {
      perJD!.delete(srcKey);
      const dst = perJD!.get(dstKey);
      if (dst) dst.push(...moved);
      else perJD!.set(dstKey, moved);
    }
    for (const p of this.plugins) p.notifyTransferringResources?.(jd, dstKey, srcKey);
  }
}

/** The layer's side of one link: liveness, resolution, externals, dependencies. */
class ObjectLinkingLayerJITLinkContext implements JITLinkContext {
  private readonly notReady = new Map<string, JITDylib>();

  constructor(
    private readonly layer: ObjectLinkingLayer,
    private readonly mr: MaterializationResponsibility,
    private readonly graph: LinkGraph,
  ) {}

  get memoryManager(): JITLinkMemoryManager {
    return this.layer.memoryManager;
  }

  markLive(graph: LinkGraph): void {
    const owned = this.mr.getSymbols();
    const unexpected: string[] = [];
    for (const s of [...graph.definedSymbols(), ...graph.absoluteSymbols]) {
      if (!isPublished(s)) continue;
      if (owned.has(s.name!)) s.isLive = true;
      // A weak definition another unit won: becomes a reference to the winning definition.
      else if (s.linkage === Linkage.Weak) graph.makeExternal(s);
      else unexpected.push(s.name!);
    }
    // Checked before dead-stripping, which would otherwise hide them.
    if (unexpected.length) throw new UnexpectedSymbolDefinitions(graph.name, unexpected);
  }

  modifyPassConfig(graph: LinkGraph, config: PassConfiguration): void {
    for (const p of this.layer.getPlugins()) p.modifyPassConfig?.(this.mr, graph, config);
  }

  notifyAllocated(graph: LinkGraph, allocation: InFlightAllocation): void {
    for (const p of this.layer.getPlugins()) p.notifyAllocated?.(this.mr, graph, allocation);
  }

  notifyResolved(graph: LinkGraph): void {
    const owned = this.mr.getSymbols();
    const resolved: SymbolMap = new Map();
    const unexpected: string[] = [];
    const addSymbol = (name: string, address: bigint, flags: number): void => {
      if (!owned.has(name)) {
        unexpected.push(name);
        return;
      }
      if (flags & JITSymbolFlags.MaterializationSideEffectsOnly) return;
      // Publish with the declared flags (the core compares them); the address comes from the graph.
      resolved.set(name, { address, flags: owned.get(name)! });
    };
    for (const s of graph.definedSymbols()) if (isPublished(s)) addSymbol(s.name!, s.getAddress(), getSymbolFlags(s));
    for (const s of graph.absoluteSymbols) if (isPublished(s)) addSymbol(s.name!, s.getAddress(), getSymbolFlags(s));
    if (unexpected.length) throw new UnexpectedSymbolDefinitions(graph.name, unexpected);
    const missing = Array.from(owned.keys()).filter(
      (n) => !resolved.has(n) && !(owned.get(n)! & JITSymbolFlags.MaterializationSideEffectsOnly),
    );
    if (missing.length) throw new MissingSymbolDefinitions(graph.name, missing);
    this.mr.notifyResolved(resolved);
  }

  lookup(symbols: ReadonlyMap<string, boolean>): Promise<ExternalResolution> {
    const es = this.layer.es;
    const jd = this.mr.getTargetJITDylib();
    const set = new SymbolLookupSet();
    for (const [name, weak] of symbols) set.add(name, weak ? SymbolLookupFlags.WeaklyReferencedSymbol : SymbolLookupFlags.RequiredSymbol);
    return es
      .lookup(jd.getLinkOrder(), set, {
        requiredState: SymbolState.Resolved,
        registerDependencies: (deps: SymbolDependenceMap) => {
          for (const [depJD, names] of deps) for (const n of names) this.notReady.set(n, depJD);
        },
      })
      .then((result) => {
        const addresses = new Map<string, bigint>();
        for (const [name, def] of result) addresses.set(name, def.address);
        return addresses;
      });
  }

  /** Each owned symbol's dependencies on not-yet-Ready externals, grouped by identical dependency sets. */
  dependenceGroups(): SymbolDependenceGroup[] {
    if (this.notReady.size === 0) return [];
    // Symbols are grouped by the component of their block: the blocks of a component share their dependencies.
    const { componentOf, externals } = computeExternalDependencyComponents(this.graph);
    const owned = this.mr.getSymbols();
    const byComponent = new Map<number, string[]>();
    for (const section of this.graph.sections.values()) {
      for (const s of section.symbols) {
        if (!isPublished(s) || !owned.has(s.name!)) continue;
        const c = componentOf(s.block!);
        if (c === undefined || externals[c] === null) continue;
        let names = byComponent.get(c);
        if (!names) byComponent.set(c, (names = []));
        names.push(s.name!);
      }
    }
    const groups: SymbolDependenceGroup[] = [];
    for (const [c, symbols] of byComponent) {
      const dependencies: SymbolDependenceMap = new Map();
      for (const d of externals[c]!) {
        const depJD = this.notReady.get(d);
        if (depJD) addToDependenceMap(dependencies, depJD, d);
      }
      if (dependencies.size) groups.push({ symbols, dependencies });
    }
    return groups;
  }
}
