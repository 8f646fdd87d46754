import type { Block, LinkGraph, Symbol } from '../graph/link-graph.js';
import type { LinkGraphPass } from '../graph/pass-configuration.js';
import { contentView, readCFIRecordLength, type CFIFailure } from './cfi-record-reader.js';
import { ehFrameFailure, sectionBaseAddress } from './eh-frame-error.js';

/** One record's extent in the block being split. */
interface RecordRange {
  readonly start: number;
  readonly end: number;
}

/** Index of the range containing `offset` (the last one for `offset === end of the last range`). */
function rangeIndex(ranges: readonly RecordRange[], offset: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ranges[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Pre-prune pass (JITLink's `DWARFRecordSectionSplitter`): cuts every block of a section of DWARF call-frame
 * records (`.eh_frame`) into one block per record, so that dead-stripping can keep or drop records one by one.
 *
 * A record is a 4-byte length followed by that many bytes, or `0xffffffff`, an 8-byte extended length and that
 * many bytes; a zero length (a terminator) makes a 4-byte record of its own. Each new block keeps the section and
 * the address of its record in the original block, and takes over the record's edges (the `Edge` objects
 * themselves, offsets adjusted) and the symbols starting in it (offsets adjusted; a size reaching past the record
 * is cut at the record's end). The new blocks replace the original in the section's block list, in order. Blocks
 * holding a single record, empty blocks and graphs without the section are left alone.
 *
 * Alignment, a deliberate difference from JITLink (which gives every piece the block's alignment with an adjusted
 * alignment offset): all pieces of a block get the largest power-of-two alignment, at most the block's, that every
 * record boundary of the block already satisfies (4 for the records LLVM and GNU assemblers emit in an 8-aligned
 * `.eh_frame`), with alignment offset 0 relative to it. Whichever records dead-stripping keeps, the layout then
 * places them back to back; with JITLink's choice, dropping one 20-byte FDE between two others leaves 4 bytes of
 * zero padding, which unwinders walking the section read as its terminator.
 *
 * @throws {@link EHFrameError} (naming graph, section and offset) for a zero-fill block, a truncated length field,
 *   a record extending past the end of its block, or an edge outside the block.
 */
export class DWARFRecordSectionSplitter {
  /** The pass, for {@link PassConfiguration.prePrunePasses}. */
  readonly pass: LinkGraphPass;

  constructor(
    /** The section to split, e.g. `.eh_frame`. */
    readonly sectionName: string,
  ) {
    this.pass = (graph) => this.run(graph);
  }

  /** Splits the section's blocks of `graph`. */
  run(graph: LinkGraph): void {
    const section = graph.findSection(this.sectionName);
    if (!section) return;
    const base = sectionBaseAddress(section.blocks);
    const symbolsByBlock = new Map<Block, Symbol[]>();
    for (const s of section.symbols) {
      if (!s.block) continue;
      let list = symbolsByBlock.get(s.block);
      if (!list) symbolsByBlock.set(s.block, (list = []));
      list.push(s);
    }
    for (const block of Array.from(section.blocks)) this.splitBlock(graph, block, base, symbolsByBlock.get(block) ?? []);
  }

  private splitBlock(graph: LinkGraph, block: Block, base: bigint, symbols: readonly Symbol[]): void {
    const section = block.section;
    const fail: CFIFailure = ehFrameFailure(graph.name, section.name, base, block.address);
    const content = block.content;
    if (content === null) fail(0, `unexpected zero-fill block of ${block.size} bytes (CFI records need content)`);
    if (content.length === 0) return;

    const ranges: RecordRange[] = [];
    const littleEndian = graph.target.endianness === 'little';
    const view = contentView(content);
    for (let offset = 0; offset < content.length; ) {
      const { fieldSize, length } = readCFIRecordLength(view, offset, littleEndian, fail);
      const end = offset + fieldSize + length;
      ranges.push({ start: offset, end });
      offset = end;
    }
    for (const e of block.edges) {
      if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset >= content.length) {
        fail(0, `edge at offset ${e.offset} lies outside its block of ${content.length} bytes`);
      }
    }
    if (ranges.length === 1) return;

    // One alignment for every piece: the largest power of two (at most the block's) that every record boundary
    // already satisfies. Records then stay contiguous whichever of them dead-stripping keeps: a gap would read as
    // a zero-length terminator to an unwinder walking the section.
    let alignment = block.alignment;
    for (const boundary of [...ranges.map((r) => r.start), content.length]) {
      while (alignment > 1 && (block.alignmentOffset + boundary) % alignment !== 0) alignment /= 2;
    }
    const blocks = section.blocks;
    const firstNew = blocks.length;
    const pieces = ranges.map((r) =>
      graph.createContentBlock(section, content.subarray(r.start, r.end), block.address + BigInt(r.start), alignment, (block.alignmentOffset + r.start) % alignment),
    );
    // createContentBlock appends; put the pieces where the original block was.
    blocks.splice(firstNew, pieces.length);
    blocks.splice(blocks.indexOf(block), 1, ...pieces);

    for (const e of block.edges) {
      const i = rangeIndex(ranges, e.offset);
      e.offset -= ranges[i]!.start;
      pieces[i]!.edges.push(e);
    }
    block.edges.length = 0;
    for (const s of symbols) {
      const i = rangeIndex(ranges, s.offset);
      const r = ranges[i]!;
      const offset = s.offset - r.start;
      graph.makeDefined(s, pieces[i]!, offset, Math.min(s.size, r.end - r.start - offset), s.linkage, s.scope, s.isLive);
    }
  }
}
