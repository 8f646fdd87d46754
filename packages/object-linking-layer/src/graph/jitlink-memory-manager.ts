import { MemProt, OrcError, formatAddress, type ExecutorAllocationAction, type ExecutorMemoryManager, type ExecutorSegment } from '@orc-ts/core';
import { JITLinkError } from './jitlink-error.js';
import { MemLifetime, type Block, type LinkGraph } from './link-graph.js';

/** Memory for a finalized graph, to be released when its code is removed. */
export interface FinalizedAllocation {
  /** Base of the executor reservation. */
  readonly base: bigint;
  /** Size of the reservation. */
  readonly size: bigint;
  /** Handle returned by the executor's `initialize`. */
  readonly handle: bigint;
}

/** Memory assigned to a graph but not yet finalized. */
export interface InFlightAllocation {
  /** Segments as laid out. */
  readonly segments: readonly AllocationSegment[];
  /** Actions to run on finalization (plugins may add to this list before finalize). */
  readonly actions: ExecutorAllocationAction[];
  /** Writes contents, applies protections, runs actions. */
  finalize(): Promise<FinalizedAllocation>;
  /** Gives the memory back without finalizing (after a failed link). */
  abandon(): Promise<void>;
}

/** One segment of a laid-out graph: blocks sharing protections and lifetime. */
export interface AllocationSegment {
  /** Protections. */
  readonly prot: MemProt;
  /** Lifetime. */
  readonly lifetime: MemLifetime;
  /** Start address (page aligned). */
  readonly address: bigint;
  /** Size of the content part (content blocks). */
  readonly contentSize: number;
  /** Total size including zero fill, rounded up to pages. */
  readonly size: number;
  /** Blocks, in layout order. */
  readonly blocks: readonly Block[];
}

/** Allocates executor memory for link graphs (JITLink's `JITLinkMemoryManager`). */
export interface JITLinkMemoryManager {
  /** Lays the graph out, reserves memory for it and assigns every allocatable block its executor address. */
  allocate(graph: LinkGraph): Promise<InFlightAllocation>;
  /** Releases finalized allocations. */
  deallocate(allocations: readonly FinalizedAllocation[]): Promise<void>;
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function alignBlock(offset: number, block: Block): number {
  const a = block.alignment;
  const rem = ((offset - block.alignmentOffset) % a + a) % a;
  return rem === 0 ? offset : offset + (a - rem);
}

/**
 * The default memory manager: one contiguous executor reservation per graph (so ADRP's ±4 GiB and branches'
 * ±128 MiB stay in range within it), segments page-aligned by (protection, lifetime) in JITLink's BasicLayout order,
 * content blocks before zero-fill blocks.
 */
export class ExecutorJITLinkMemoryManager implements JITLinkMemoryManager {
  constructor(private readonly executor: ExecutorMemoryManager) {}

  async allocate(graph: LinkGraph): Promise<InFlightAllocation> {
    const pageSize = this.executor.pageSize;
    const groups = new Map<number, { prot: MemProt; lifetime: MemLifetime; content: Block[]; zeroFill: Block[] }>();
    for (const section of graph.sections.values()) {
      if (section.lifetime === MemLifetime.NoAlloc || section.blocks.length === 0) continue;
      const key = section.prot | (section.lifetime << 3);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { prot: section.prot, lifetime: section.lifetime, content: [], zeroFill: [] }));
      for (const b of section.blocks) (b.isZeroFill() ? g.zeroFill : g.content).push(b);
    }
    const byOrder = (a: Block, b: Block): number =>
      a.section.ordinal - b.section.ordinal || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) || a.size - b.size || a.ordinal - b.ordinal;
    const planned: Array<{ prot: MemProt; lifetime: MemLifetime; offset: number; contentSize: number; size: number; blocks: Block[]; offsets: number[] }> = [];
    let total = 0;
    for (const key of Array.from(groups.keys()).sort((a, b) => a - b)) {
      const g = groups.get(key)!;
      g.content.sort(byOrder);
      g.zeroFill.sort(byOrder);
      const blocks = g.content.concat(g.zeroFill);
      const offsets: number[] = [];
      let cursor = 0;
      let contentSize = 0;
      for (const b of blocks) {
        // Segments start on page boundaries of a page-aligned reservation: a stricter alignment cannot be honoured
        // (LLVM's memory managers refuse it too, rather than misplace the block).
        if (b.alignment > pageSize) {
          throw new JITLinkError(
            `In graph ${graph.name}, section ${b.section.name}: block alignment ${b.alignment} is higher than the page size ${pageSize}`,
          );
        }
        cursor = alignBlock(cursor, b);
        offsets.push(cursor);
        cursor += b.size;
        if (!b.isZeroFill()) contentSize = cursor;
      }
      const size = alignUp(Math.max(cursor, 1), pageSize);
      planned.push({ prot: g.prot, lifetime: g.lifetime, offset: total, contentSize, size, blocks, offsets });
      total += size;
    }
    if (total === 0) return new EmptyAllocation();
    const base = await this.executor.reserve(BigInt(total));
    const segments: AllocationSegment[] = planned.map((p) => {
      const address = base + BigInt(p.offset);
      p.blocks.forEach((b, i) => (b.address = address + BigInt(p.offsets[i]!)));
      return { prot: p.prot, lifetime: p.lifetime, address, contentSize: p.contentSize, size: p.size, blocks: p.blocks };
    });
    return new ExecutorInFlightAllocation(this.executor, graph, base, BigInt(total), segments);
  }

  async deallocate(allocations: readonly FinalizedAllocation[]): Promise<void> {
    const live = allocations.filter((a) => a.size > 0n);
    if (live.length === 0) return;
    await this.executor.deinitialize(live.map((a) => a.handle));
    await this.executor.release(live.map((a) => a.base));
  }
}

class EmptyAllocation implements InFlightAllocation {
  readonly segments: AllocationSegment[] = [];
  readonly actions: ExecutorAllocationAction[] = [];
  async finalize(): Promise<FinalizedAllocation> {
    if (this.actions.length) throw new OrcError('a graph with no allocated memory cannot carry finalize actions');
    return { base: 0n, size: 0n, handle: 0n };
  }
  async abandon(): Promise<void> {}
}

class ExecutorInFlightAllocation implements InFlightAllocation {
  readonly actions: ExecutorAllocationAction[] = [];
  constructor(
    private readonly executor: ExecutorMemoryManager,
    private readonly graph: LinkGraph,
    private readonly base: bigint,
    private readonly size: bigint,
    readonly segments: readonly AllocationSegment[],
  ) {}

  async finalize(): Promise<FinalizedAllocation> {
    const segs: ExecutorSegment[] = this.segments.map((s) => {
      const content = new Uint8Array(s.contentSize);
      for (const b of s.blocks) {
        if (b.isZeroFill()) continue;
        const offset = Number(b.address - s.address);
        if (offset < 0 || offset + b.size > content.length) {
          throw new OrcError(`In graph ${this.graph.name}: block at ${formatAddress(b.address)} moved outside its segment`);
        }
        content.set(b.content!, offset);
      }
      return { address: s.address, size: BigInt(s.size), prot: s.prot, content };
    });
    const handle = await this.executor.initialize({ segments: segs, actions: this.actions });
    return { base: this.base, size: this.size, handle };
  }

  async abandon(): Promise<void> {
    await this.executor.release([this.base]);
  }
}
