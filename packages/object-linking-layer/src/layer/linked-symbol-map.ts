import type { ExecutionSession, ExecutorAddr, JITDylib, MaterializationResponsibility, ResourceKey, SymbolizedAddress } from '@orc-ts/core';
import type { LinkGraph } from '../graph/link-graph.js';
import type { ObjectLinkingLayerPlugin } from './object-linking-layer-plugin.js';

/** One address range of linked code or data and the name it is reported under. */
interface Range {
  readonly start: ExecutorAddr;
  readonly end: ExecutorAddr;
  readonly name: string;
  /** A block's `<section> (<graph>)` range, used when no named symbol covers the address. */
  readonly fallback: boolean;
}

/** The ranges of one emitted graph, owned by the resource key its responsibility was tracked under. */
interface Group {
  readonly jd: JITDylib;
  key: ResourceKey;
  readonly ranges: readonly Range[];
}

/**
 * Remembers where every linked symbol lives so that executor addresses (a faulting pc, say) can be named as
 * `symbol+offset` — the session's address symbolizer for JIT'd code. Symbols with a size cover `[address,
 * address + size)`; a symbol without a size (an assembly label without `.size`) covers up to the next symbol of its
 * block, or the block's end. A block no named symbol covers is reported as `<section> (<graph>)`. Ranges leave the
 * map when their resource tracker is removed and follow it when it is transferred.
 *
 * Installed as an {@link ObjectLinkingLayerPlugin}; `registerObjectLinkingLayer` installs one by default.
 */
export class LinkedSymbolMap implements ObjectLinkingLayerPlugin {
  private groups: Group[] = [];
  private readonly unregister: () => void;

  /** Creates the map and registers it with `es` as an address symbolizer. */
  constructor(es: ExecutionSession) {
    this.unregister = es.registerAddressSymbolizer((address) => this.symbolize(address));
  }

  /** Stops answering the session's symbolization queries. */
  detach(): void {
    this.unregister();
  }

  /** Number of ranges held (for tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (const g of this.groups) n += g.ranges.length;
    return n;
  }

  notifyEmitted(mr: MaterializationResponsibility, graph: LinkGraph): void {
    const jd = mr.getTargetJITDylib();
    const ranges = graphRanges(graph);
    mr.withResourceKeyDo((key) => void this.groups.push({ jd, key, ranges }));
  }

  notifyRemovingResources(jd: JITDylib, key: ResourceKey): void {
    this.groups = this.groups.filter((g) => g.jd !== jd || g.key !== key);
  }

  notifyTransferringResources(jd: JITDylib, dstKey: ResourceKey, srcKey: ResourceKey): void {
    for (const g of this.groups) if (g.jd === jd && g.key === srcKey) g.key = dstKey;
  }

  /**
   * The symbol `address` falls in, or undefined when no linked code or data covers it. A linear scan: it answers
   * fault reports, which are rare, and keeps emission (the hot path) at one push per symbol.
   */
  symbolize(address: ExecutorAddr): SymbolizedAddress | undefined {
    let fallback: Range | undefined;
    for (const g of this.groups) {
      for (const r of g.ranges) {
        if (address < r.start || address >= r.end) continue;
        if (!r.fallback) return { name: r.name, offset: address - r.start };
        fallback ??= r;
      }
    }
    return fallback ? { name: fallback.name, offset: address - fallback.start } : undefined;
  }
}

/** The ranges of one finalized graph: named defined symbols, plus each block's fallback range. */
function graphRanges(graph: LinkGraph): Range[] {
  const out: Range[] = [];
  for (const section of graph.sections.values()) {
    for (const block of section.blocks) {
      if (block.size === 0) continue;
      const fallback = { start: block.address, end: block.getEnd(), name: `${section.name} (${graph.name})`, fallback: true };
      out.push(fallback);
    }
    const bySymbolStart = Array.from(section.symbols).filter((s) => s.name !== null && s.block !== null);
    bySymbolStart.sort((a, b) => (a.getAddress() < b.getAddress() ? -1 : a.getAddress() > b.getAddress() ? 1 : 0));
    for (let i = 0; i < bySymbolStart.length; i++) {
      const s = bySymbolStart[i]!;
      let end = s.getAddress() + BigInt(s.size);
      if (s.size === 0) {
        end = s.block!.getEnd();
        for (let j = i + 1; j < bySymbolStart.length; j++) {
          const next = bySymbolStart[j]!;
          if (next.block === s.block && next.getAddress() > s.getAddress()) {
            end = next.getAddress();
            break;
          }
        }
      }
      if (end > s.getAddress()) out.push({ start: s.getAddress(), end, name: s.name!, fallback: false });
    }
  }
  return out;
}
