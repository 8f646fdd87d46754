import { describe, expect, it } from 'vitest';
import { MemProt } from '@orc-ts/core';
import { EHFrameNullTerminator } from '@orc-ts/object-linking-layer';
import { EhFrameBuilder } from './cfi-builder.js';
import { addEhFrame, addText, blocksByAddress, newGraph } from './graph-helpers.js';

describe('EHFrameNullTerminator', () => {
  it('appends a live 4-byte zero block with alignment 1 after every record', () => {
    const g = newGraph();
    const b = new EhFrameBuilder();
    b.cie();
    const { section, block } = addEhFrame(g, b.build(), 0xffff_0000n);
    new EHFrameNullTerminator('.eh_frame').run(g);
    expect(section.blocks).toHaveLength(2);
    const term = section.blocks[1]!;
    expect(section.blocks[0]).toBe(block);
    expect([term.size, term.alignment, term.alignmentOffset, term.isZeroFill()]).toEqual([4, 1, 0, false]);
    expect(Array.from(term.content!)).toEqual([0, 0, 0, 0]);
    expect(term.address).toBe(0xffff_ffff_ffff_fffbn);
    expect(blocksByAddress(section).at(-1)).toBe(term);
    const syms = [...section.symbols];
    expect(syms).toHaveLength(1);
    expect([syms[0]!.block, syms[0]!.name, syms[0]!.offset, syms[0]!.size, syms[0]!.isLive]).toEqual([term, null, 0, 4, true]);
  });

  it('adds a terminator even to an empty section, and nothing without one', () => {
    const g = newGraph();
    const section = g.createSection('.eh_frame', MemProt.Read);
    new EHFrameNullTerminator('.eh_frame').pass(g);
    expect(section.blocks.map((b) => b.size)).toEqual([4]);
    const h = newGraph();
    addText(h, 0n, 4);
    new EHFrameNullTerminator('.eh_frame').run(h);
    expect(h.sections.size).toBe(1);
    expect(h.findSection('.eh_frame')).toBeUndefined();
  });
});
