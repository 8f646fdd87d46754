import { defineSectionStartStopSymbols, EM_AARCH64, JITLinkError, type Block, type EdgeSpec, type Edge, type ElfRelocationInfo, type LinkGraph, type LinkTarget, type PassConfiguration } from '@orc-ts/object-linking-layer';
import { getEdgeKindName } from './aarch64-edge-kinds.js';
import { applyFixup, type FixupSite } from './aarch64-fixups.js';
import { defineGlobalOffsetTable, getGlobalOffsetTableAddress, optimizeGOTAndStubs } from './aarch64-got-plt-optimization.js';
import { mapElfRelocation, relocationNeedsInstructionWord, AArch64RelocationError } from './aarch64-relocations.js';
import { buildGOTAndStubs } from './aarch64-table-managers.js';

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
    try {
      return { kind: mapElfRelocation(rel.type, word), addend: rel.addend };
    } catch (e) {
      if (e instanceof AArch64RelocationError) {
        throw new JITLinkError(`In graph ${graph.name}, section ${block.section.name}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  configurePasses(_graph: LinkGraph, config: PassConfiguration): void {
    config.postPrunePasses.push(buildGOTAndStubs);
    config.postAllocationPasses.push(defineSectionStartStopSymbols, defineGlobalOffsetTable);
    config.preFixupPasses.push(optimizeGOTAndStubs);
  }

  applyFixup(graph: LinkGraph, block: Block, edge: Edge, content: Uint8Array): void {
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const site: FixupSite = {
      kind: edge.kind,
      offsetInBlock: edge.offset,
      fixupAddress: block.address + BigInt(edge.offset),
      targetAddress: edge.target.getAddress(),
      addend: edge.addend,
      graphName: graph.name,
      sectionName: block.section.name,
      targetName: edge.target.name ?? undefined,
      blockAddress: block.address,
      get blockSymbolName() {
        return bestSymbolAtStart(block);
      },
    };
    applyFixup(site, view, getGlobalOffsetTableAddress(graph));
  }
}
