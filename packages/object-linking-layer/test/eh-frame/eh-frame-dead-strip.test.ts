import { describe, expect, it } from 'vitest';
import {
  DWARFRecordSectionSplitter, EHFrameEdgeFixer, EHFrameNullTerminator, Linkage, Scope, pruneDeadCode, type Block, type LinkGraph,
} from '@orc-ts/object-linking-layer';
import { EhFrameBuilder, u32 } from './cfi-builder.js';
import { Kinds, addEhFrame, addText, blocksByAddress, newGraph } from './graph-helpers.js';

const EH = 0x8000n;

/** Three functions in their own blocks (as with -ffunction-sections), each with an FDE; `a` calls `b`. */
function build(): { g: LinkGraph; fns: Record<string, Block>; fdes: number[] } {
  const g = newGraph();
  const fns: Record<string, Block> = {};
  const syms = ['a', 'b', 'c'].map((name, i) => {
    const block = addText(g, 0x1000n * BigInt(i + 1), 0x10, `.text.${name}`);
    fns[name] = block;
    return g.addDefinedSymbol(block, 0, name, 0x10, Linkage.Strong, name === 'a' ? Scope.Default : Scope.Local, true, false);
  });
  fns.a!.addEdge(Kinds.delta32, 4, syms[1]!, 0n);
  const b = new EhFrameBuilder();
  const cie = b.cie();
  const fdes = [0, 1, 2].map((i) => b.fde({ cie, pcBegin: u32(0x1000n * BigInt(i + 1) - (EH + BigInt(b.length + 8))), pcRange: u32(0x10) }).offset);
  addEhFrame(g, b.build(), EH);
  for (const pass of [new DWARFRecordSectionSplitter('.eh_frame'), new EHFrameEdgeFixer('.eh_frame', 8, Kinds), new EHFrameNullTerminator('.eh_frame')]) pass.run(g);
  return { g, fns, fdes };
}

describe('eh-frame records and dead-stripping', () => {
  it('keeps the FDEs of live functions (and their CIE and the terminator) and drops the others', () => {
    const { g, fns, fdes } = build();
    [...g.definedSymbols()].find((s) => s.name === 'a')!.isLive = true;
    pruneDeadCode(g);
    const eh = g.findSection('.eh_frame')!;
    expect(blocksByAddress(eh).map((b) => b.address)).toEqual([EH, EH + BigInt(fdes[0]!), EH + BigInt(fdes[1]!), 0xffff_ffff_ffff_fffbn]);
    expect(g.findSection('.text.c')!.blocks).toEqual([]);
    expect(g.findSection('.text.b')!.blocks).toEqual([fns.b]);
    // Every surviving record keeps its symbol (made live by the edges reaching it).
    expect([...eh.symbols].every((s) => s.isLive)).toBe(true);
    expect(eh.symbols.size).toBe(4);
  });

  it('drops every FDE and the CIE when no function is live, keeping only the terminator', () => {
    const { g } = build();
    pruneDeadCode(g);
    const eh = g.findSection('.eh_frame')!;
    expect(eh.blocks.map((b) => b.size)).toEqual([4]);
  });

  it('keeps only the FDE of the function that is live, whichever it is', () => {
    const { g, fdes } = build();
    [...g.definedSymbols()].find((s) => s.name === 'c')!.isLive = true;
    pruneDeadCode(g);
    const eh = g.findSection('.eh_frame')!;
    expect(blocksByAddress(eh).map((b) => b.address)).toEqual([EH, EH + BigInt(fdes[2]!), 0xffff_ffff_ffff_fffbn]);
  });
});
