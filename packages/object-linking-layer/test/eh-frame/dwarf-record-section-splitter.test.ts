import { describe, expect, it } from 'vitest';
import { MemProt } from '@orc-ts/core';
import { DWARFRecordSectionSplitter, EHFrameError, JITLinkError, Linkage, Scope } from '@orc-ts/object-linking-layer';
import { EhFrameBuilder, u32 } from './cfi-builder.js';
import { Kinds, addEhFrame, addText, newGraph } from './graph-helpers.js';

const split = new DWARFRecordSectionSplitter('.eh_frame');

function threeRecords() {
  const b = new EhFrameBuilder();
  const cie = b.cie();
  const f1 = b.fde({ cie, pcBegin: u32(0), pcRange: u32(0x10), instructions: [0x44, 0x0e, 0x10] });
  const f2 = b.fde({ cie, pcBegin: u32(0), pcRange: u32(0x20) });
  return { b, cie, f1, f2 };
}

describe('DWARFRecordSectionSplitter', () => {
  it('cuts a block into one block per record, in place, keeping addresses and alignment placement', () => {
    const g = newGraph();
    const before = addText(g, 0x1000n, 16);
    const { b, cie, f1, f2 } = threeRecords();
    const { section, block } = addEhFrame(g, b.build(), 0x2000n, 8);
    const after = g.createContentBlock(section, new Uint8Array([0, 0, 0, 0]), 0x3000n, 4);
    split.run(g);

    expect(section.blocks).not.toContain(block);
    expect(section.blocks.at(-1)).toBe(after);
    const pieces = section.blocks.slice(0, 3);
    expect(pieces.map((p) => p.address)).toEqual([0x2000n + BigInt(cie.offset), 0x2000n + BigInt(f1.offset), 0x2000n + BigInt(f2.offset)]);
    expect(pieces.map((p) => p.size)).toEqual([cie.size, f1.size, f2.size]);
    // Every record boundary is 4-aligned (not 8-aligned): the pieces are 4-aligned, so they stay back to back.
    expect([cie.offset, f1.offset, f2.offset, b.length].every((o) => o % 4 === 0)).toBe(true);
    expect([f1.offset, f2.offset, b.length].some((o) => o % 8 !== 0)).toBe(true);
    expect(pieces.map((p) => [p.alignment, p.alignmentOffset])).toEqual([[4, 0], [4, 0], [4, 0]]);
    expect(pieces.every((p) => p.section === section)).toBe(true);
    const content = b.build();
    pieces.forEach((p, i) => {
      const r = [cie, f1, f2][i]!;
      expect(Array.from(p.content!)).toEqual(Array.from(content.subarray(r.offset, r.offset + r.size)));
    });
    expect(before.section.blocks).toEqual([before]);
  });

  it('keeps the largest alignment every record boundary satisfies, honouring the block\'s alignment offset', () => {
    const cases: Array<[number[], number, number, number]> = [
      // [record body sizes (after the 4-byte length), block alignment, block alignment offset, expected piece alignment]
      [[12, 28], 8, 0, 8],
      [[12, 12], 8, 0, 8],
      [[16, 28], 8, 0, 4],
      [[12, 28], 16, 0, 16],
      [[12, 20], 16, 0, 8],
      [[12, 28], 8, 4, 4],
      [[13, 27], 8, 0, 1],
      [[14, 26], 8, 2, 2],
    ];
    for (const [bodies, alignment, alignmentOffset, expected] of cases) {
      const g = newGraph();
      const section = g.createSection('.eh_frame', MemProt.Read);
      const bytes: number[] = [];
      for (const n of bodies) bytes.push(n, 0, 0, 0, ...new Array<number>(n).fill(0xcc));
      g.createContentBlock(section, Uint8Array.from(bytes), BigInt(alignmentOffset), alignment, alignmentOffset);
      split.run(g);
      expect(section.blocks.map((p) => [p.alignment, p.alignmentOffset])).toEqual(bodies.map(() => [expected, alignmentOffset % expected]));
      // Laid out back to back from an address the original block could start at, each piece is properly aligned.
      let at = alignmentOffset;
      for (const p of section.blocks) {
        expect((at - p.alignmentOffset) % p.alignment).toBe(0);
        at += p.size;
      }
    }
  });

  it('moves edges (the same Edge objects) and symbols to the record holding them, offsets adjusted', () => {
    const g = newGraph();
    const text = addText(g, 0x1000n, 0x40);
    const fn = g.addDefinedSymbol(text, 0, 'fn', 0x10, Linkage.Strong, Scope.Default, true, false);
    const { b, f1, f2 } = threeRecords();
    const { section, block } = addEhFrame(g, b.build(), 0n);
    const e1 = block.addEdge(Kinds.delta32, f1.fields.pcBegin!, fn, 0n);
    const e2 = block.addEdge(Kinds.delta32, f2.fields.pcBegin!, fn, 8n);
    const start = g.addAnonymousSymbol(block, 0, 0, false, false);
    const named = g.addDefinedSymbol(block, f2.offset + 4, 'in_f2', 4, Linkage.Weak, Scope.Hidden, false, true);
    split.run(g);

    const [pc, p1, p2] = section.blocks;
    expect(pc!.edges).toEqual([]);
    expect(p1!.edges).toEqual([e1]);
    expect(p2!.edges).toEqual([e2]);
    expect(e1.offset).toBe(f1.fields.pcBegin! - f1.offset);
    expect(e2.offset).toBe(f2.fields.pcBegin! - f2.offset);
    expect(e2.addend).toBe(8n);
    expect(start.block).toBe(pc);
    expect(start.offset).toBe(0);
    expect(named.block).toBe(p2);
    expect(named.offset).toBe(4);
    expect([named.linkage, named.scope, named.isLive, named.size]).toEqual([Linkage.Weak, Scope.Hidden, true, 4]);
    expect(new Set(section.symbols)).toEqual(new Set([start, named]));
    expect(block.edges).toEqual([]);
  });

  it('cuts a symbol spanning several records at the end of its record', () => {
    const g = newGraph();
    const { b, cie } = threeRecords();
    const { section, block } = addEhFrame(g, b.build());
    const whole = g.addAnonymousSymbol(block, 0, b.length, false, false);
    split.run(g);
    expect(whole.block).toBe(section.blocks[0]);
    expect(whole.size).toBe(cie.size);
  });

  it('handles the extended (64-bit) length form and zero-length terminators', () => {
    const g = newGraph();
    const b = new EhFrameBuilder();
    const cie = b.cie({ extended: true });
    const term = b.terminator();
    const fde = b.fde({ cie, pcBegin: u32(0), pcRange: u32(4), extended: true });
    const end = b.terminator();
    const { section } = addEhFrame(g, b.build());
    split.run(g);
    expect(section.blocks.map((x) => [Number(x.address), x.size])).toEqual([
      [cie.offset, cie.size],
      [term.offset, 4],
      [fde.offset, fde.size],
      [end.offset, 4],
    ]);
    expect(cie.size).toBeGreaterThan(12);
    expect(Array.from(section.blocks[2]!.content!.subarray(0, 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it('leaves a single-record block, an empty block and a graph without the section alone', () => {
    const g = newGraph();
    const b = new EhFrameBuilder();
    b.cie();
    const { section, block } = addEhFrame(g, b.build());
    const empty = g.createContentBlock(section, new Uint8Array(0), 0x100n, 1);
    split.run(g);
    expect(section.blocks).toEqual([block, empty]);
    const other = newGraph();
    const text = addText(other, 0n, 8);
    split.run(other);
    expect([...other.blocks()]).toEqual([text]);
  });

  it('runs as a pass through its `pass` property', () => {
    const g = newGraph();
    const { section } = addEhFrame(g, threeRecords().b.build());
    void split.pass(g);
    expect(section.blocks).toHaveLength(3);
  });

  describe('malformed sections', () => {
    function failure(content: Uint8Array, address = 0x4000n): EHFrameError {
      const g = newGraph(8, 'bad.o');
      // A first, well-formed block sets the section's origin.
      const { section } = addEhFrame(g, new EhFrameBuilder().raw([0, 0, 0, 0]).build(), address - 0x100n);
      g.createContentBlock(section, content, address, 8);
      try {
        split.run(g);
      } catch (e) {
        expect(e).toBeInstanceOf(EHFrameError);
        expect(e).toBeInstanceOf(JITLinkError);
        return e as EHFrameError;
      }
      throw new Error('expected an EHFrameError');
    }

    it('reports a record running past the end with graph, section and offset', () => {
      const { b, f2 } = threeRecords();
      const bytes = b.build();
      new DataView(bytes.buffer).setUint32(f2.offset, f2.size, true); // 4 bytes too long
      const e = failure(bytes);
      expect([e.graphName, e.sectionName, e.offset]).toEqual(['bad.o', '.eh_frame', 0x100 + f2.offset]);
      expect(e.message).toBe(
        `In graph bad.o, section .eh_frame at offset 0x${(0x100 + f2.offset).toString(16)}: CFI record length 0x${f2.size.toString(16)} runs 0x4 bytes past the end of the section data (0x${(f2.size - 4).toString(16)} bytes follow the length field)`,
      );
    });

    it('reports a truncated length field', () => {
      const { b } = threeRecords();
      const bytes = new EhFrameBuilder().raw(Array.from(b.build())).raw([0x10, 0x00]).build();
      const e = failure(bytes);
      expect(e.offset).toBe(0x100 + b.length);
      expect(e.problem).toBe('truncated CFI record: its 4-byte length field is cut off after 2 bytes');
    });

    it('reports a truncated or overlong extended length', () => {
      const cut = failure(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 1, 0, 0]));
      expect(cut.offset).toBe(0x100);
      expect(cut.problem).toBe('truncated CFI record: its 8-byte extended length field is cut off after 3 bytes');
      const huge = failure(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x80, 1, 2, 3, 4]));
      expect(huge.problem).toMatch(/^CFI record extended length 0x8000000000000000 runs 0x7ffffffffffffffc bytes past the end/);
    });

    it('rejects zero-fill blocks and edges outside the block', () => {
      const g = newGraph();
      const section = g.createSection('.eh_frame', MemProt.Read);
      g.createZeroFillBlock(section, 16, 0n, 8);
      expect(() => split.run(g)).toThrow('In graph eh.o, section .eh_frame at offset 0x0: unexpected zero-fill block of 16 bytes (CFI records need content)');

      const h = newGraph();
      const { block } = addEhFrame(h, threeRecords().b.build());
      block.addEdge(Kinds.delta32, block.size, h.addAnonymousSymbol(block, 0, 0, false, false), 0n);
      expect(() => split.run(h)).toThrow(EHFrameError);
      expect(() => split.run(h)).toThrow(`edge at offset ${block.size} lies outside its block`);
    });
  });
});
