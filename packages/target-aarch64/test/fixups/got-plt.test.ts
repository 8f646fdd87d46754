import { describe, expect, it } from 'vitest';
import {
  AArch64EdgeKind as K,
  GLOBAL_OFFSET_TABLE_SYMBOL_NAME,
  GOT_ENTRY,
  GOT_SECTION_NAME,
  NOP,
  PLT_STUB,
  STUBS_SECTION_NAME,
  applyFixup,
  canBypassStub,
  createBlockContent,
  getGOTTransformedKind,
  needsPLTStub,
  relaxGOTLoad,
  type GOTLoadRelaxation,
} from '../../src/index.js';
import { assemble, assembleWords, wordAt } from './elf-helpers.js';
import { hex, link } from './template-helpers.js';

describe('GOT entries and PLT stubs', () => {
  it('a GOT entry is an 8-byte, 8-aligned zero pointer with a Pointer64 edge to the target', () => {
    expect([...createBlockContent(GOT_ENTRY)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect([GOT_ENTRY.size, GOT_ENTRY.alignment]).toEqual([8, 8]);
    expect(GOT_ENTRY.edges).toEqual([{ kind: K.Pointer64, offset: 0, addend: 0n }]);
    expect(link(GOT_ENTRY, 0x7fff_0000_2000n, 0xdead_beef_cafe_f00dn)).toEqual([0xcafef00d, 0xdeadbeef]);
  });

  it('a PLT stub is the 12-byte ADRP/LDR/BR x16 sequence reading the GOT entry', () => {
    expect([...createBlockContent(PLT_STUB)]).toEqual([0x10, 0x00, 0x00, 0x90, 0x10, 0x02, 0x40, 0xf9, 0x00, 0x02, 0x1f, 0xd6]);
    expect([PLT_STUB.size, PLT_STUB.alignment]).toEqual([12, 4]);
    expect(PLT_STUB.edges).toEqual([
      { kind: K.Page21, offset: 0, addend: 0n },
      { kind: K.PageOffset12, offset: 4, addend: 0n },
    ]);
    // Stub at 0x7fff00001000, GOT entry at 0x7fff00003018.
    expect(hex(link(PLT_STUB, 0x7fff_0000_1000n, 0x7fff_0000_3018n))).toEqual(hex(assembleWords(['adrp x16, #8192', 'ldr x16, [x16, #24]', 'br x16'])));
  });

  it('section and symbol names', () => {
    expect([GOT_SECTION_NAME, STUBS_SECTION_NAME, GLOBAL_OFFSET_TABLE_SYMBOL_NAME]).toEqual(['$__GOT', '$__STUBS', '_GLOBAL_OFFSET_TABLE_']);
  });

  it('GOT-requesting kinds and what they become; other kinds are not GOT edges', () => {
    expect(getGOTTransformedKind(K.RequestGOTAndTransformToPage21)).toBe(K.Page21);
    expect(getGOTTransformedKind(K.RequestGOTAndTransformToPageOffset12)).toBe(K.PageOffset12);
    expect(getGOTTransformedKind(K.RequestGOTAndTransformToPageOffset15)).toBe(K.GotPageOffset15);
    expect(getGOTTransformedKind(K.RequestGOTAndTransformToDelta32)).toBe(K.Delta32);
    const others = Object.values(K).filter((k) => k < K.RequestGOTAndTransformToPage21 || k > K.RequestGOTAndTransformToDelta32);
    expect(others).toHaveLength(17);
    for (const k of [...others, 0, 1]) expect(getGOTTransformedKind(k)).toBeUndefined();
  });

  it('only Branch26PCRel edges to undefined targets need a PLT stub', () => {
    expect(needsPLTStub(K.Branch26PCRel, false)).toBe(true);
    expect(needsPLTStub(K.Branch26PCRel, true)).toBe(false);
    expect(needsPLTStub(K.CondBranch19PCRel, false)).toBe(false);
    expect(needsPLTStub(K.Page21, false)).toBe(false);
  });
});

describe('stub bypass', () => {
  const P = 0x7fff_0000_0000n;
  it('retargets a BL to the real target when it is within ±128 MiB', () => {
    expect(canBypassStub(P, P + (16n << 20n))).toBe(true); // ELF_got_plt_optimizations: func0 16 MiB away
    expect(canBypassStub(P, P + (1n << 27n) - 4n)).toBe(true);
    expect(canBypassStub(P, P - (1n << 27n))).toBe(true);
    expect(canBypassStub(P, P + (1n << 27n))).toBe(false);
    expect(canBypassStub(P, P - (1n << 27n) - 4n)).toBe(false);
    expect(canBypassStub(P, 0xcafef00dn)).toBe(false); // llvm-jitlink's -abs external_func far from the slab
    expect(canBypassStub(P, P + 0x101n)).toBe(false); // misaligned target: keep the stub
    expect(canBypassStub(P, P + 0x100n, 4n)).toBe(true);
  });
});

describe('ADRP + LDR GOT-load relaxation', () => {
  // The words llvm-mc leaves for `adrp x1, :got:sym; ldr x1, [x1, :got_lo12:sym]`.
  const { text, relocations } = assemble('.text\n  adrp x1, :got:sym\n  ldr x1, [x1, :got_lo12:sym]\n');
  const adrp = wordAt(text, 0);
  const ldr = wordAt(text, 4);
  const A = 0x7fff_0000_1234n & ~3n;

  it('starts from the relocated words llvm-mc emits', () => {
    expect(relocations.map((r) => r.type)).toEqual([311, 312]);
    expect(hex([adrp, ldr])).toEqual(['90000001', 'f9400021']);
  });

  /** Applies a relaxation's fixups as the linker would and returns the two final words. */
  function linkRelaxed(r: GOTLoadRelaxation, target: bigint): number[] {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, r.adrpWord, true);
    view.setUint32(4, r.ldrWord, true);
    const at = (kind: number, offset: number) =>
      applyFixup(
        { kind, offsetInBlock: offset, fixupAddress: A + BigInt(offset), targetAddress: target, addend: 0n, graphName: 'g', sectionName: '.text', blockAddress: A },
        view,
      );
    if (r.adrpEdgeKind !== undefined) at(r.adrpEdgeKind, 0);
    at(r.ldrEdgeKind, 4);
    return [view.getUint32(0, true), view.getUint32(4, true)];
  }

  it('NOP + ADR when T - (ADRP + 4) fits ±1 MiB (both boundaries)', () => {
    for (const d of [0n, 0xfffffn, -0x100000n, 0x12345n]) {
      const T = A + 4n + d;
      const r = relaxGOTLoad(adrp, ldr, A, T)!;
      expect(r).toEqual({ form: 'nop-adr', adrpWord: NOP, ldrWord: 0x10000001, adrpEdgeKind: undefined, ldrEdgeKind: K.ADRLiteral21 });
      expect(hex(linkRelaxed(r, T))).toEqual(hex(assembleWords(['nop', `adr x1, #${d}`])));
    }
  });

  it('ADRP + ADD when only the page distance fits ±4 GiB (both boundaries)', () => {
    const page = A & ~0xfffn;
    for (const T of [A + 4n + 0x100000n, A + 4n - 0x100001n, page + (1n << 32n) - 1n, page - (1n << 32n), page + 0x1234_5678n]) {
      const r = relaxGOTLoad(adrp, ldr, A, T)!;
      expect(r).toEqual({ form: 'adrp-add', adrpWord: adrp, ldrWord: 0x91000021, adrpEdgeKind: K.Page21, ldrEdgeKind: K.PageOffset12 });
      const expected = assembleWords([`adrp x1, #${(T & ~0xfffn) - page}`, `add x1, x1, #${T & 0xfffn}`]);
      expect(hex(linkRelaxed(r, T))).toEqual(hex(expected));
    }
  });

  it('no change beyond ±4 GiB (the un-relaxed ELF_relocations.s case)', () => {
    const page = A & ~0xfffn;
    expect(relaxGOTLoad(adrp, ldr, A, page + (1n << 32n))).toBeUndefined();
    expect(relaxGOTLoad(adrp, ldr, A, page - (1n << 32n) - 1n)).toBeUndefined();
    expect(relaxGOTLoad(adrp, ldr, A, 0xdeadbeefn)).toBeUndefined();
  });

  it('only one register throughout, no x31, zero immediates, the right instructions', () => {
    const T = A + 0x100n;
    const w = (lines: string[]) => assembleWords(lines);
    const cases: [string, number, number][] = [
      ['ldr into another register', adrp, w(['ldr x2, [x1]'])[0]!],
      ['ldr from another base', adrp, w(['ldr x1, [x2]'])[0]!],
      ['adrp into another register', w(['adrp x2, #0'])[0]!, ldr],
      ['32-bit ldr', adrp, w(['ldr w1, [x1]'])[0]!],
      ['ldr with an immediate', adrp, w(['ldr x1, [x1, #8]'])[0]!],
      ['adrp with an immediate', w(['adrp x1, #4096'])[0]!, ldr],
      ['adr instead of adrp', w(['adr x1, #0'])[0]!, ldr],
      ['add instead of ldr', adrp, w(['add x1, x1, #0'])[0]!],
      ['x31 (XZR for ADRP, SP as a base)', 0x9000001f, 0xf94003ff],
    ];
    for (const [why, a, l] of cases) expect({ why, r: relaxGOTLoad(a, l, A, T) }).toEqual({ why, r: undefined });
    // The same register other than x1 works.
    expect(relaxGOTLoad(w(['adrp x16, #0'])[0]!, w(['ldr x16, [x16]'])[0]!, A, T)?.ldrWord).toBe(w(['adr x16, #0'])[0]);
  });
});
