import { defineSectionStartStopSymbols, EM_AARCH64, JITLinkError, type Block, type EdgeSpec, type Edge, type ElfRelocationInfo, type LinkGraph, type LinkTarget, type PassConfiguration } from '@orc-ts/object-linking-layer';
import { getEdgeKindName } from './aarch64-edge-kinds.js';
import { applyFixup, type FixupSite } from './aarch64-fixups.js';
import { defineGlobalOffsetTable, getGlobalOffsetTableAddress, optimizeGOTAndStubs } from './aarch64-got-plt-optimization.js';
import { mapElfRelocation, relocationNeedsInstructionWord, AArch64RelocationError } from './aarch64-relocations.js';
import { buildGOTAndStubs } from './aarch64-table-managers.js';
import { checkBranchRanges, extendBranchRanges } from './aarch64-branch-range-extension.js';
import { DWARFRecordSectionSplitter, EHFrameEdgeFixer, EHFrameNullTerminator } from '@orc-ts/object-linking-layer';
import { AArch64EdgeKind } from './aarch64-edge-kinds.js';

function bestSymbolAtStart(block: Block): string | undefined {
  let best: string | undefined;
  for (const s of block.section.symbols) {
    if (s.block === block && s.offset === 0 && s.name !== null) {
      if (best === undefined || s.scope < 3) best = s.name;
    }
  }
  return best;
}

/**
 * The AArch64 (little-endian, ELF) link target: relocation mapping with instruction validation, LLVM's fixups
 * and diagnostics, GOT and PLT stubs, `_GLOBAL_OFFSET_TABLE_`, `__start_`/`__stop_` symbols, and GOT/stub
 * relaxation once addresses are final.
 */
export class AArch64LinkTarget implements LinkTarget {
  readonly info = Object.freeze({ name: 'aarch64', pointerSize: 8, endianness: 'little' as const });
  readonly elfMachine = EM_AARCH64;

  getEdgeKindName(kind: number): string {
    return getEdgeKindName(kind);
  }

  mapElfRelocation(graph: LinkGraph, block: Block, rel: ElfRelocationInfo): EdgeSpec | null {
    let word: number | undefined;
    if (relocationNeedsInstructionWord(rel.type)) {
      const c = block.content;
      const o = rel.offsetInBlock;
      if (!c || o < 0 || o + 4 > c.length) {
        throw new JITLinkError(
          `In graph ${graph.name}, section ${block.section.name}: relocation ${rel.index} of ${rel.relocationSection} at offset ${o} has no instruction to validate`,
        );
      }
      word = (c[o]! | (c[o + 1]! << 8) | (c[o + 2]! << 16) | (c[o + 3]! << 24)) >>> 0;
    }
    let kind: number;
    try {
      kind = mapElfRelocation(rel.type, word);
    } catch (e) {
      if (e instanceof AArch64RelocationError) {
        throw new JITLinkError(`In graph ${graph.name}, section ${block.section.name}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    // The field the fixup patches must lie inside the block's content: the reader only checked that r_offset is
    // inside the section, and a data relocation in the last bytes of a section, or one in a zero-fill section,
    // would otherwise fail only when fixups are applied (an untyped RangeError from DataView).
    const size = kind === AArch64EdgeKind.Pointer64 || kind === AArch64EdgeKind.Delta64 || kind === AArch64EdgeKind.NegDelta64 ? 8 : 4;
    const c = block.content;
    const o = rel.offsetInBlock;
    if (!c || o < 0 || o + size > c.length) {
      const where = c ? `, past the end of the section (size ${c.length})` : ' of a zero-fill section';
      throw new JITLinkError(
        `In graph ${graph.name}, section ${block.section.name}: relocation ${rel.index} of ${rel.relocationSection} patches ${size} bytes at offset ${o}${where}`,
      );
    }
    return { kind, addend: rel.addend };
  }

  configurePasses(_graph: LinkGraph, config: PassConfiguration): void {
    // eh-frame: one block per CFI record, CIE/FDE edges and FDE keep-alives, null terminator (LLVM's order).
    config.prePrunePasses.push(
      new DWARFRecordSectionSplitter('.eh_frame').pass,
      new EHFrameEdgeFixer('.eh_frame', 8, {
        pointer32: AArch64EdgeKind.Pointer32,
        pointer64: AArch64EdgeKind.Pointer64,
        delta32: AArch64EdgeKind.Delta32,
        delta64: AArch64EdgeKind.Delta64,
        negDelta32: AArch64EdgeKind.NegDelta32,
      }).pass,
      new EHFrameNullTerminator('.eh_frame').pass,
    );
    config.postPrunePasses.push(buildGOTAndStubs);
    config.postPrunePasses.push(extendBranchRanges); // Branch26 veneers, after the PLT stubs exist
    config.postAllocationPasses.push(defineSectionStartStopSymbols, defineGlobalOffsetTable);
    config.preFixupPasses.push(optimizeGOTAndStubs);
    config.preFixupPasses.push(checkBranchRanges); // veneer bypass + Branch26 range check, after stub bypass
  }

  // Fixups run once per edge: the site object and the block's DataView are reused rather than allocated per edge.
  private readonly site = new EdgeFixupSite();
  private viewContent: Uint8Array | null = null;
  private view: DataView | null = null;

  applyFixup(graph: LinkGraph, block: Block, edge: Edge, content: Uint8Array): void {
    let view = this.view;
    if (content !== this.viewContent || view === null) {
      view = this.view = new DataView(content.buffer, content.byteOffset, content.byteLength);
      this.viewContent = content;
    }
    const site = this.site;
    site.kind = edge.kind;
    site.offsetInBlock = edge.offset;
    site.fixupAddress = block.address + BigInt(edge.offset);
    site.targetAddress = edge.target.getAddress();
    site.addend = edge.addend;
    site.graphName = graph.name;
    site.sectionName = block.section.name;
    site.targetName = edge.target.name ?? undefined;
    site.blockAddress = block.address;
    site.block = block;
    try {
      applyFixup(site, view, getGlobalOffsetTableAddress(graph));
    } finally {
      site.block = null;
    }
  }
}

/**
 * The {@link FixupSite} of the edge being fixed up, refilled for each edge (`applyFixup` is synchronous and keeps
 * no reference to it: errors copy what they need). The block's best symbol name is looked up only by error
 * messages.
 */
class EdgeFixupSite implements FixupSite {
  kind = 0;
  offsetInBlock = 0;
  fixupAddress = 0n;
  targetAddress = 0n;
  addend = 0n;
  graphName = '';
  sectionName = '';
  targetName: string | undefined = undefined;
  blockAddress = 0n;
  block: Block | null = null;

  get blockSymbolName(): string | undefined {
    return this.block ? bestSymbolAtStart(this.block) : undefined;
  }
}
