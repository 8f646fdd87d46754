/**
 * Where the default JITLink memory manager will put each block, computed before allocation: the layout model the
 * Branch26 range-extension pass plans veneers with.
 *
 * `ExecutorJITLinkMemoryManager` (JITLink's BasicLayout) reserves one contiguous range per graph and lays it out
 * as follows; {@link estimateGraphLayout} repeats exactly these steps:
 * - allocatable (not `NoAlloc`), non-empty sections are grouped into segments keyed by `prot | lifetime << 3`,
 *   segments in ascending key order (R-- < RW- < R-X < RWX < finalize-lifetime ones), each starting on a page;
 * - inside a segment, content blocks come first, then zero-fill blocks, each list sorted by (section ordinal,
 *   original address, size, creation order);
 * - each block is placed at the next offset (from the segment start) that satisfies its alignment and alignment
 *   offset; a segment's size is its end rounded up to the page size.
 *
 * Offsets are relative to the reservation's base, which is page aligned. The page size of the executor is not
 * known to link passes; segment sizes only grow with the page size (4 KiB, 16 KiB and 64 KiB pages divide each
 * other), so a layout computed with the largest page size the executor may use gives every cross-segment distance
 * as an upper bound, and every distance within a segment exactly.
 * @module
 */
import { MemLifetime, type Block, type LinkGraph } from '@orc-ts/object-linking-layer';

/** The page size layouts are estimated with by default: 64 KiB, the largest AArch64 translation granule. */
export const LAYOUT_ESTIMATE_PAGE_SIZE = 65536;

/** A graph's layout as the default memory manager will make it, relative to the reservation's base. */
export interface GraphLayoutEstimate {
  /** The offset of every allocated block from the reservation's base. */
  readonly offsets: ReadonlyMap<Block, number>;
  /** The size of the reservation (sum of the page-rounded segment sizes). */
  readonly size: number;
  /** The page size the estimate was made with. */
  readonly pageSize: number;
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function alignBlock(offset: number, block: Block): number {
  const a = block.alignment;
  const rem = (((offset - block.alignmentOffset) % a) + a) % a;
  return rem === 0 ? offset : offset + (a - rem);
}

function checkPageSize(pageSize: number): void {
  if (!(Number.isInteger(pageSize) && pageSize > 0 && (pageSize & (pageSize - 1)) === 0)) {
    throw new RangeError(`layout page size ${pageSize} is not a power of two`);
  }
}

/** The memory manager's block order within a segment. */
function byLayoutOrder(a: Block, b: Block): number {
  return (
    a.section.ordinal - b.section.ordinal || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) || a.size - b.size || a.ordinal - b.ordinal
  );
}

/**
 * The offsets the default memory manager (`ExecutorJITLinkMemoryManager`) will give the graph's blocks, relative
 * to the base of the graph's reservation, assuming executor pages of `pageSize` bytes. Exact when the executor's
 * page size is `pageSize`; with smaller pages, distances within a segment are unchanged and distances across
 * segments can only be shorter. Costs a sort of each segment's blocks.
 *
 * @param graph - the graph, before allocation (blocks still carry their original addresses)
 * @param pageSize - a power of two; default {@link LAYOUT_ESTIMATE_PAGE_SIZE}
 */
export function estimateGraphLayout(graph: LinkGraph, pageSize = LAYOUT_ESTIMATE_PAGE_SIZE): GraphLayoutEstimate {
  checkPageSize(pageSize);
  const groups = new Map<number, { content: Block[]; zeroFill: Block[] }>();
  for (const section of graph.sections.values()) {
    if (section.lifetime === MemLifetime.NoAlloc || section.blocks.length === 0) continue;
    const key = section.prot | (section.lifetime << 3);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { content: [], zeroFill: [] }));
    for (const b of section.blocks) (b.isZeroFill() ? g.zeroFill : g.content).push(b);
  }
  const offsets = new Map<Block, number>();
  let total = 0;
  for (const key of Array.from(groups.keys()).sort((a, b) => a - b)) {
    const g = groups.get(key)!;
    g.content.sort(byLayoutOrder);
    g.zeroFill.sort(byLayoutOrder);
    let cursor = 0;
    for (const list of [g.content, g.zeroFill]) {
      for (const b of list) {
        cursor = alignBlock(cursor, b);
        offsets.set(b, total + cursor);
        cursor += b.size;
      }
    }
    total += alignUp(Math.max(cursor, 1), pageSize);
  }
  return { offsets, size: total, pageSize };
}

