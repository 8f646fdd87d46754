/**
 * Branch26 range extension: veneers ("branch islands") for B/BL (`R_AARCH64_CALL26`/`JUMP26`, edge kind
 * Branch26PCRel) whose target is beyond ±128 MiB. LLVM's JITLink has no such pass; without it such links fail
 * with the fixup's out-of-range error.
 *
 * Calls to symbols not defined in the graph already go through PLT stubs (`buildGOTAndStubs`), so what remains is
 * distance *inside* one graph: a huge `.text`, or code sections that the memory manager puts in different segments
 * far apart, including calls from far code to the PLT stubs. Blocks cannot be added once memory is allocated, so
 * the work is split in two passes:
 *
 * 1. **Post-prune ({@link extendBranchRanges}), planning.** One linear scan over the blocks bounds the size of the
 *    graph's reservation (every block with its worst alignment padding, every segment rounded to 64 KiB pages) and
 *    collects the Branch26 edges. If the bound plus the largest addend is within the branch reach, every branch is
 *    in range and the pass returns having created nothing: that is the common case. Otherwise it computes the
 *    layout the default memory manager will produce ({@link estimateGraphLayout}: its segment and block order, with
 *    64 KiB pages so that every distance is exact or an over-estimate) and, for each Branch26 whose distance is out
 *    of reach, retargets the edge to a veneer that jumps to the original target + addend. The layout is then
 *    recomputed *with* the veneers and rechecked (veneers move code, a branch may become unreachable, an island may
 *    land out of reach) until nothing changes.
 * 2. **Pre-fixup ({@link checkBranchRanges}), with final addresses.** A branch through a veneer whose real target
 *    turned out to be in range (or whose target is a PLT stub whose external is in range) is retargeted there; the
 *    veneer stays allocated, as LLVM does for bypassed stubs. A veneer that jumps to a PLT stub is retargeted to the
 *    stub's external when the veneer can reach it itself. Any Branch26 still out of range fails here with the
 *    fixup's own error ({@link FixupError}, `... is out of range of Branch26PCRel fixup ...`).
 *
 * **Where veneers go.** A single `$__VENEERS` section cannot work: the memory manager sorts a segment's blocks by
 * section first, and a synthesized section's ordinal is after every ELF section (and after `$__GOT`/`$__STUBS`),
 * so its blocks land at the end of the code segment, out of reach of a call at the start of a large `.text`.
 * Veneers are therefore blocks of the *caller's own section*, anchored to the caller's block, immediately before
 * it (for calls in the first half of the block) or after it (second half). The memory manager orders a section's
 * blocks by (original address, size, creation order), so a veneer given the anchor's start address and its own
 * (small) size sorts just before a larger anchor, and one given the anchor's end address sorts just after it. A
 * call at offset `o` of a block of size `s` is then about `o` (before) or `s - o` (after) bytes from its veneer,
 * within reach unless the caller's block itself is larger than ±128 MiB on both sides of the call. Placement is
 * not assumed but verified on the recomputed layout: a veneer out of its caller's reach is given up, the other
 * side is tried, and a branch that neither side can serve is left to the pre-fixup error. Veneers serving the
 * same target + addend from the same side of the same block are shared.
 *
 * **What veneers do.** `ADRP x16, T; ADD x16, x16, :lo12:T; BR x16` (12 bytes, reaches ±4 GiB: always enough
 * within one graph, which lives in one contiguous reservation) or, when the graph might span 4 GiB,
 * `MOVZ/MOVK x16 ×4; BR x16` (20 bytes, any address). x16 (IP0) is the AAPCS64 intra-procedure-call scratch
 * register that veneers and PLT stubs may clobber; x17 is preserved, and x30 too (BR, not BLR), so a BL through a
 * veneer returns to its caller.
 *
 * **Idempotent.** Veneers are recorded per graph; running the planning pass again finds the branches already
 * routed through in-range veneers and creates nothing.
 * @module
 */
import { MemLifetime, JITLinkError, type Block, type Edge, type LinkGraph, type LinkGraphPass, type Symbol } from '@orc-ts/object-linking-layer';
import { estimateGraphLayout, LAYOUT_ESTIMATE_PAGE_SIZE } from './aarch64-branch-range-layout.js';
import { AArch64EdgeKind } from './aarch64-edge-kinds.js';
import { applyFixup } from './aarch64-fixups.js';
import { STUBS_SECTION_NAME, canBypassStub } from './aarch64-got-plt.js';
import {
  BRANCH26_MAX_DISPLACEMENT,
  BRANCH26_MIN_DISPLACEMENT,
  branchVeneer,
  createBlockContent,
  isBranch26InRange,
  selectBranchVeneer,
  type BranchVeneerForm,
} from './aarch64-stubs.js';

/** Which side of its anchor (the calling block) a veneer is laid out on. */
export type BranchVeneerPlacement = 'before' | 'after';

/** A Branch26 range-extension veneer created by the planning pass. */
export interface BranchVeneer {
  /** The veneer's anonymous, callable symbol (offset 0 of {@link BranchVeneer.block}); branches target it. */
  readonly symbol: Symbol;
  /** The veneer's block, in the same section as {@link BranchVeneer.anchor}. */
  readonly block: Block;
  /** The calling block the veneer is laid out next to. */
  readonly anchor: Block;
  /** The side of the anchor the veneer is on. */
  readonly placement: BranchVeneerPlacement;
  /** The instruction sequence. */
  readonly form: BranchVeneerForm;
  /**
   * What the veneer jumps to (plus {@link BranchVeneer.addend}): the branches' original target, or, after the
   * pre-fixup pass, the external behind a PLT stub that was the original target.
   */
  readonly target: Symbol;
  /** The addend of the branches it serves (a veneer serves one target + addend). */
  readonly addend: bigint;
  /** How many Branch26 edges currently go through it. */
  readonly users: number;
}

/** What the range-extension passes did to one graph (for diagnostics, tests and tools). */
export interface BranchRangeExtensionReport {
  /** Branch26 edges in allocated blocks, as counted by the last planning run. */
  readonly branchEdges: number;
  /** The reservation-size bound of the last planning run's quick check (64 KiB pages, worst alignment). */
  readonly layoutSizeBound: number;
  /** Full layout estimates computed (0 when the quick check showed every branch in range). */
  readonly layoutEstimates: number;
  /** Veneers created, over all planning runs. */
  readonly veneersCreated: number;
  /** Veneers removed again because their caller could not reach them. */
  readonly veneersRemoved: number;
  /** Branch26 edges that no veneer could serve (left to the pre-fixup error). */
  readonly unreachable: number;
  /** Branches retargeted by the pre-fixup pass from a veneer to its (in range) target or that target's external. */
  readonly bypassed: number;
  /** Veneers retargeted by the pre-fixup pass from a PLT stub to the stub's external. */
  readonly veneersRetargeted: number;
}

/** Options of {@link BranchRangeExtension}. */
export interface BranchRangeExtensionOptions {
  /**
   * The page size the layout is estimated with: a power of two at least the executor's page size, so that
   * estimated distances are never shorter than the real ones. Default {@link LAYOUT_ESTIMATE_PAGE_SIZE} (64 KiB).
   */
  readonly layoutPageSize?: number;
  /**
   * Reach held back on both sides of the ±128 MiB, in bytes, e.g. for blocks that passes running after planning
   * will add. Default 0: the estimate is exact for the default memory manager (or an over-estimate), so a branch
   * exactly at the limit gets no veneer.
   */
  readonly safetyMargin?: number;
  /** The most planning rounds (layout estimate + fixes) per run. Default 8. */
  readonly maxRounds?: number;
  /**
   * The veneer form. Default `auto`: `adrp` (12 bytes, ±4 GiB), or `absolute` (20 bytes) when the graph might span
   * more than 4 GiB − 16 MiB.
   */
  readonly form?: BranchVeneerForm | 'auto';
}

interface MutableVeneer {
  symbol: Symbol;
  block: Block;
  anchor: Block;
  placement: BranchVeneerPlacement;
  form: BranchVeneerForm;
  target: Symbol;
  addend: bigint;
  users: number;
}

interface GraphState {
  readonly veneers: Map<Symbol, MutableVeneer>;
  readonly byAnchor: Map<Block, MutableVeneer[]>;
  /** Placements already tried per edge (bit 1: before, bit 2: after). */
  readonly tried: WeakMap<Edge, number>;
  readonly unreachable: Set<Edge>;
  /** True once a planning run found the graph near or beyond the branch reach. */
  planned: boolean;
  report: {
    branchEdges: number;
    layoutSizeBound: number;
    layoutEstimates: number;
    veneersCreated: number;
    veneersRemoved: number;
    unreachable: number;
    bypassed: number;
    veneersRetargeted: number;
  };
}

const states = new WeakMap<LinkGraph, GraphState>();

function stateOf(graph: LinkGraph): GraphState {
  let st = states.get(graph);
  if (!st) {
    st = {
      veneers: new Map(),
      byAnchor: new Map(),
      tried: new WeakMap(),
      unreachable: new Set(),
      planned: false,
      report: {
        branchEdges: 0,
        layoutSizeBound: 0,
        layoutEstimates: 0,
        veneersCreated: 0,
        veneersRemoved: 0,
        unreachable: 0,
        bypassed: 0,
        veneersRetargeted: 0,
      },
    };
    states.set(graph, st);
  }
  return st;
}

const BEFORE = 1;
const AFTER = 2;
/** ADRP reaches ±4 GiB from the veneer's page; keep 16 MiB of slack for veneers and pages. */
const ADRP_SPAN_LIMIT = 2 ** 32 - 2 ** 24;
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** The side to try next for a branch: the nearer end of its block first (`preferBefore`), then the other; 0 if both were tried. */
function nextSide(tried: number, preferBefore: boolean): number {
  const [first, second] = preferBefore ? [BEFORE, AFTER] : [AFTER, BEFORE];
  return !(tried & first) ? first : !(tried & second) ? second : 0;
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function absNumber(v: bigint): number {
  return Number(v < 0n ? -v : v);
}

/** The external (or other real target) behind a PLT stub, or undefined when `symbol` is not a stub. */
function stubTarget(symbol: Symbol): Symbol | undefined {
  if (symbol.block?.section.name !== STUBS_SECTION_NAME) return undefined;
  return symbol.block.edges[0]?.target.block?.edges[0]?.target;
}

function bestSymbolAtStart(block: Block): string | undefined {
  let best: string | undefined;
  for (const s of block.section.symbols) {
    if (s.block === block && s.offset === 0 && s.name !== null) {
      if (best === undefined || s.scope < 3) best = s.name;
    }
  }
  return best;
}

/** Throws the fixup's own out-of-range error for a Branch26 edge (it throws before writing anything). */
function throwOutOfRange(graph: LinkGraph, block: Block, edge: Edge): never {
  applyFixup(
    {
      kind: edge.kind,
      offsetInBlock: edge.offset,
      fixupAddress: block.address + BigInt(edge.offset),
      targetAddress: edge.target.getAddress(),
      addend: edge.addend,
      graphName: graph.name,
      sectionName: block.section.name,
      targetName: edge.target.name ?? undefined,
      blockAddress: block.address,
      blockSymbolName: bestSymbolAtStart(block),
    },
    EMPTY_VIEW,
  );
  throw new JITLinkError(`In graph ${graph.name}, section ${block.section.name}: Branch26PCRel at offset ${edge.offset} is out of range`);
}

/**
 * The Branch26 range-extension passes with a given configuration. {@link extendBranchRanges} and
 * {@link checkBranchRanges} are the passes of a default instance; `AArch64LinkTarget` runs those. A link whose
 * executor uses pages larger than 64 KiB, or that wants a margin, can put an instance's
 * {@link BranchRangeExtension.postPrunePass} / {@link BranchRangeExtension.preFixupPass} in their place.
 */
export class BranchRangeExtension {
  private readonly pageSize: number;
  private readonly margin: number;
  private readonly maxRounds: number;
  private readonly form: BranchVeneerForm | 'auto';

  /** The planning pass (post-prune, after the GOT/PLT tables are built). */
  readonly postPrunePass: LinkGraphPass = (graph) => this.planVeneers(graph);
  /** The bypass-and-check pass (pre-fixup, after GOT/stub optimization). */
  readonly preFixupPass: LinkGraphPass = (graph) => this.bypassAndCheck(graph);

  /** @param options - see {@link BranchRangeExtensionOptions} */
  constructor(options: BranchRangeExtensionOptions = {}) {
    this.pageSize = options.layoutPageSize ?? LAYOUT_ESTIMATE_PAGE_SIZE;
    if (!(Number.isInteger(this.pageSize) && this.pageSize > 0 && (this.pageSize & (this.pageSize - 1)) === 0)) {
      throw new RangeError(`layoutPageSize ${this.pageSize} is not a power of two`);
    }
    this.margin = options.safetyMargin ?? 0;
    if (!(Number.isInteger(this.margin) && this.margin >= 0 && this.margin < 2 ** 26)) {
      throw new RangeError(`safetyMargin ${this.margin} must be an integer in [0, 64 MiB)`);
    }
    this.maxRounds = options.maxRounds ?? 8;
    if (!(Number.isInteger(this.maxRounds) && this.maxRounds >= 1)) throw new RangeError(`maxRounds ${this.maxRounds} must be a positive integer`);
    this.form = options.form ?? 'auto';
  }

  /**
   * Post-prune: routes every Branch26 that may be out of range after layout through a veneer next to its caller.
   * Creates nothing, after one scan of the blocks and their edges, when the graph is too small for any branch to
   * be out of range. Safe to run more than once.
   */
  planVeneers(graph: LinkGraph): void {
    const st = stateOf(graph);
    const report = st.report;

    // One linear scan, allocating nothing: a bound of the reservation size, the Branch26 count, the largest addend.
    const segmentBytes: number[] = [];
    let branchCount = 0;
    let maxAddend = 0;
    for (const section of graph.sections.values()) {
      if (section.lifetime === MemLifetime.NoAlloc || section.blocks.length === 0) continue;
      const key = section.prot | (section.lifetime << 3); // a small integer: the memory manager's segment key
      let bytes = segmentBytes[key] ?? 0;
      for (const block of section.blocks) {
        bytes += block.size + block.alignment - 1;
        if (block.content === null) continue;
        for (const edge of block.edges) {
          if (edge.kind !== AArch64EdgeKind.Branch26PCRel) continue;
          branchCount++;
          if (edge.addend !== 0n) maxAddend = Math.max(maxAddend, absNumber(edge.addend));
        }
      }
      segmentBytes[key] = bytes;
    }
    let sizeBound = 0;
    for (const bytes of segmentBytes) if (bytes !== undefined) sizeBound += alignUp(Math.max(bytes, 1), this.pageSize);
    report.branchEdges = branchCount;
    report.layoutSizeBound = sizeBound;
    // |T + A - P| <= size + |A| for any two locations of the reservation.
    if (branchCount === 0 || sizeBound + maxAddend <= BRANCH26_MAX_DISPLACEMENT - this.margin) return;

    // Near or beyond the reach: the branches between allocated blocks (a target outside the graph, which the PLT
    // stubs leave only to passes running later, is for the pre-fixup check).
    const branches: Array<[Block, Edge]> = [];
    for (const section of graph.sections.values()) {
      if (section.lifetime === MemLifetime.NoAlloc) continue;
      for (const block of section.blocks) {
        if (block.content === null) continue;
        for (const edge of block.edges) {
          if (edge.kind !== AArch64EdgeKind.Branch26PCRel) continue;
          const tb = edge.target.block;
          if (tb !== null && tb.section.lifetime !== MemLifetime.NoAlloc) branches.push([block, edge]);
        }
      }
    }
    st.planned = true;
    const form: BranchVeneerForm = this.form !== 'auto' ? this.form : sizeBound + maxAddend < ADRP_SPAN_LIMIT ? 'adrp' : 'absolute';
    const min = BRANCH26_MIN_DISPLACEMENT + this.margin;
    const max = BRANCH26_MAX_DISPLACEMENT - this.margin;
    for (let round = 0; round < this.maxRounds; round++) {
      const { offsets } = estimateGraphLayout(graph, this.pageSize);
      report.layoutEstimates++;
      let changed = false;
      for (const [block, edge] of branches) {
        const target = edge.target;
        const from = offsets.get(block)! + edge.offset;
        const d = offsets.get(target.block!)! + target.offset + Number(edge.addend) - from;
        if (d % 4 !== 0) continue; // misaligned: the fixup reports it
        if (d >= min && d <= max) continue;
        const current = st.veneers.get(target);
        if (current) {
          // The caller cannot reach its veneer (its block is too large on that side): give that side up.
          this.release(graph, st, edge, current);
          changed = true;
          continue;
        }
        const tried = st.tried.get(edge) ?? 0;
        const side = nextSide(tried, edge.offset <= block.size - edge.offset);
        if (side === 0) {
          st.unreachable.add(edge);
          continue;
        }
        st.tried.set(edge, tried | side);
        const veneer = this.veneerFor(graph, st, block, side === BEFORE ? 'before' : 'after', target, edge.addend, form);
        edge.target = veneer.symbol;
        edge.addend = 0n;
        veneer.users++;
        st.unreachable.delete(edge);
        changed = true;
      }
      if (!changed) break;
    }
    report.unreachable = st.unreachable.size;
  }

  /**
   * Pre-fixup: with final addresses, branches through veneers whose target is in range go there directly (or to
   * the external behind a PLT stub target, when that is in range); veneers that jump to a PLT stub jump to the
   * stub's external instead when they reach it. Then any Branch26 out of range throws the fixup's out-of-range
   * {@link FixupError}. Does nothing for graphs the planning pass found small enough (the fixups still check).
   */
  bypassAndCheck(graph: LinkGraph): void {
    const st = states.get(graph);
    if (st && !st.planned && st.veneers.size === 0) return;
    for (const section of graph.sections.values()) {
      if (section.lifetime === MemLifetime.NoAlloc) continue;
      for (const block of section.blocks) {
        if (block.content === null) continue;
        for (const edge of block.edges) {
          if (edge.kind !== AArch64EdgeKind.Branch26PCRel) continue;
          const P = block.address + BigInt(edge.offset);
          const veneer = st?.veneers.get(edge.target);
          if (veneer) {
            const behindStub = stubTarget(veneer.target);
            const direct =
              behindStub && canBypassStub(P, behindStub.getAddress(), veneer.addend)
                ? behindStub
                : isBranch26InRange(P, veneer.target.getAddress(), veneer.addend)
                  ? veneer.target
                  : undefined;
            if (direct) {
              edge.target = direct;
              edge.addend = veneer.addend;
              veneer.users--;
              st!.report.bypassed++;
            }
          }
          const d = edge.target.getAddress() + edge.addend - P;
          if ((d & 3n) === 0n && !isBranch26InRange(P, edge.target.getAddress(), edge.addend)) throwOutOfRange(graph, block, edge);
        }
      }
    }
    if (!st) return;
    for (const veneer of st.veneers.values()) {
      if (veneer.users === 0) continue;
      const behindStub = stubTarget(veneer.target);
      if (!behindStub) continue;
      if (veneer.form === 'adrp' && selectBranchVeneer(veneer.block.address, behindStub.getAddress(), veneer.addend) !== 'adrp') continue;
      for (const e of veneer.block.edges) e.target = behindStub;
      veneer.target = behindStub;
      st.report.veneersRetargeted++;
    }
  }

  private veneerFor(
    graph: LinkGraph,
    st: GraphState,
    anchor: Block,
    placement: BranchVeneerPlacement,
    target: Symbol,
    addend: bigint,
    form: BranchVeneerForm,
  ): MutableVeneer {
    let list = st.byAnchor.get(anchor);
    const found = list?.find((v) => v.placement === placement && v.target === target && v.addend === addend && v.form === form);
    if (found) return found;
    const template = branchVeneer(form, addend);
    // The memory manager orders a section's blocks by (address, size, creation order): the anchor's start address
    // puts the veneer just before a larger anchor, its end address just after it.
    const address = placement === 'before' ? anchor.address : anchor.address + BigInt(anchor.size);
    const block = graph.createMutableContentBlock(anchor.section, createBlockContent(template), address, template.alignment);
    for (const e of template.edges) block.addEdge(e.kind, e.offset, target, e.addend);
    const symbol = graph.addAnonymousSymbol(block, 0, template.size, true, true);
    const veneer: MutableVeneer = { symbol, block, anchor, placement, form, target, addend, users: 0 };
    st.veneers.set(symbol, veneer);
    if (!list) st.byAnchor.set(anchor, (list = []));
    list.push(veneer);
    st.report.veneersCreated++;
    return veneer;
  }

  private release(graph: LinkGraph, st: GraphState, edge: Edge, veneer: MutableVeneer): void {
    edge.target = veneer.target;
    edge.addend = veneer.addend;
    if (--veneer.users > 0) return;
    graph.removeDefinedSymbol(veneer.symbol);
    graph.removeBlock(veneer.block);
    st.veneers.delete(veneer.symbol);
    const list = st.byAnchor.get(veneer.anchor)!;
    list.splice(list.indexOf(veneer), 1);
    st.report.veneersRemoved++;
  }
}

const defaultExtension = new BranchRangeExtension();

/**
 * Post-prune pass (run after `buildGOTAndStubs`): routes Branch26 edges that the default memory manager's layout
 * may put beyond ±128 MiB through veneers placed next to their callers. Cheap and creates nothing when the graph
 * is smaller than the branch reach. See {@link BranchRangeExtension.planVeneers}.
 */
export function extendBranchRanges(graph: LinkGraph): void {
  defaultExtension.planVeneers(graph);
}

/**
 * Pre-fixup pass (run after `optimizeGOTAndStubs`): bypasses veneers whose targets are in range, points veneers
 * past PLT stubs when they can, and turns any Branch26 still out of range into the fixup's out-of-range error.
 * See {@link BranchRangeExtension.bypassAndCheck}.
 */
export function checkBranchRanges(graph: LinkGraph): void {
  defaultExtension.bypassAndCheck(graph);
}

/** The veneers the planning pass created in `graph` (still present), in creation order. */
export function getBranchVeneers(graph: LinkGraph): readonly BranchVeneer[] {
  const st = states.get(graph);
  return st ? Array.from(st.veneers.values(), (v) => ({ ...v })) : [];
}

/** True when `symbol` is a Branch26 range-extension veneer of `graph`. */
export function isBranchVeneer(graph: LinkGraph, symbol: Symbol): boolean {
  return states.get(graph)?.veneers.has(symbol) ?? false;
}

/** What the range-extension passes did to `graph`, or undefined if they never ran on it. */
export function getBranchRangeExtensionReport(graph: LinkGraph): BranchRangeExtensionReport | undefined {
  const st = states.get(graph);
  return st ? { ...st.report } : undefined;
}
