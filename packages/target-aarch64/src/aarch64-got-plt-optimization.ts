import { Linkage, Scope, type Block, type Edge, type LinkGraph, type Symbol } from '@orc-ts/object-linking-layer';
import { AArch64EdgeKind } from './aarch64-edge-kinds.js';
import { GLOBAL_OFFSET_TABLE_SYMBOL_NAME, GOT_SECTION_NAME, STUBS_SECTION_NAME, canBypassStub, relaxGOTLoad } from './aarch64-got-plt.js';

const gotSymbolAddresses = new WeakMap<LinkGraph, bigint>();

/** The address of the graph's `_GLOBAL_OFFSET_TABLE_` as fixed by {@link defineGlobalOffsetTable}, if any. */
export function getGlobalOffsetTableAddress(graph: LinkGraph): bigint | undefined {
  return gotSymbolAddresses.get(graph);
}

/**
 * Post-allocation pass: defines `_GLOBAL_OFFSET_TABLE_` at the start of `$__GOT` (reusing a definition there, or
 * resolving an external reference to it); without a GOT, an external reference resolves to the graph's first
 * block. The address is what GotPageOffset15 fixups are relative to.
 */
export function defineGlobalOffsetTable(graph: LinkGraph): void {
  const gotSection = graph.findSection(GOT_SECTION_NAME);
  const external = graph.externalSymbols.get(GLOBAL_OFFSET_TABLE_SYMBOL_NAME);
  if (gotSection) {
    const range = gotSection.getRange();
    const existing = Array.from(gotSection.symbols).find((s) => s.name === GLOBAL_OFFSET_TABLE_SYMBOL_NAME);
    if (external) {
      if (range) graph.makeDefined(external, range.first, 0, 0, Linkage.Strong, Scope.Local, true);
      else makeLocalAbsolute(graph, external, 0n);
      gotSymbolAddresses.set(graph, external.getAddress());
    } else if (existing) {
      gotSymbolAddresses.set(graph, existing.getAddress());
    } else if (range) {
      const s = graph.addDefinedSymbol(range.first, 0, GLOBAL_OFFSET_TABLE_SYMBOL_NAME, 0, Linkage.Strong, Scope.Local, false, true);
      gotSymbolAddresses.set(graph, s.getAddress());
    } else {
      gotSymbolAddresses.set(graph, 0n);
    }
  } else if (external) {
    let first: Block | undefined;
    for (const b of graph.blocks()) if (!first || b.address < first.address) first = b;
    makeLocalAbsolute(graph, external, first?.address ?? 0n);
    gotSymbolAddresses.set(graph, external.getAddress());
  }
}

/**
 * Resolves an external reference inside the graph to an absolute address. The symbol becomes local, as when it is
 * defined in a block: otherwise the layer would publish it and report it as an unexpected definition.
 */
function makeLocalAbsolute(graph: LinkGraph, symbol: Symbol, address: bigint): void {
  graph.makeAbsolute(symbol, address);
  symbol.scope = Scope.Local;
}

function readWord(content: Uint8Array, offset: number): number {
  return (content[offset]! | (content[offset + 1]! << 8) | (content[offset + 2]! << 16) | (content[offset + 3]! << 24)) >>> 0;
}

function writeWord(content: Uint8Array, offset: number, word: number): void {
  content[offset] = word & 0xff;
  content[offset + 1] = (word >>> 8) & 0xff;
  content[offset + 2] = (word >>> 16) & 0xff;
  content[offset + 3] = (word >>> 24) & 0xff;
}

/**
 * Pre-fixup pass (LLVM PR #188322): once final addresses are known, a call through a PLT stub whose real target
 * is within ±128 MiB branches there directly, and an `ADRP`+`LDR` pair loading a GOT entry becomes `NOP`+`ADR`
 * (±1 MiB) or `ADRP`+`ADD` (±4 GiB) of the real target. GOT entries and stubs stay allocated.
 */
export function optimizeGOTAndStubs(graph: LinkGraph): void {
  for (const section of graph.sections.values()) {
    if (section.name === GOT_SECTION_NAME || section.name === STUBS_SECTION_NAME) continue;
    for (const block of section.blocks) {
      let byOffset: Map<number, Edge> | null = null;
      let removed: Set<Edge> | null = null;
      for (const edge of block.edges) {
        const t = edge.target;
        const tSection = t.block?.section.name;
        if (edge.kind === AArch64EdgeKind.Branch26PCRel && tSection === STUBS_SECTION_NAME) {
          const real = t.block!.edges[0]?.target.block?.edges[0]?.target;
          if (real && canBypassStub(block.address + BigInt(edge.offset), real.getAddress(), edge.addend)) edge.target = real;
        } else if (edge.kind === AArch64EdgeKind.Page21 && tSection === GOT_SECTION_NAME && edge.addend === 0n && !removed?.has(edge)) {
          if (byOffset === null) {
            byOffset = new Map();
            for (const e of block.edges) byOffset.set(e.offset, e);
          }
          const ldr = byOffset.get(edge.offset + 4);
          if (!ldr || ldr.kind !== AArch64EdgeKind.PageOffset12 || ldr.target !== t || ldr.addend !== 0n) continue;
          const real = t.block!.edges[0]?.target;
          if (!real) continue;
          const content = block.getMutableContent(graph);
          const adrpAddress = block.address + BigInt(edge.offset);
          const r = relaxGOTLoad(readWord(content, edge.offset), readWord(content, edge.offset + 4), adrpAddress, real.getAddress());
          if (!r) continue;
          writeWord(content, edge.offset, r.adrpWord);
          writeWord(content, edge.offset + 4, r.ldrWord);
          if (r.adrpEdgeKind === undefined) (removed ??= new Set()).add(edge);
          else {
            edge.kind = r.adrpEdgeKind;
            edge.target = real;
          }
          ldr.kind = r.ldrEdgeKind;
          ldr.target = real;
        }
      }
      if (removed !== null) {
        // Compacted in place (a spread of a large array would overflow the stack).
        const edges = block.edges;
        let kept = 0;
        for (const e of edges) if (!removed.has(e)) edges[kept++] = e;
        edges.length = kept;
      }
    }
  }
}
