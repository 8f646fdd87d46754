import { describe, expect, it } from 'vitest';
import {
  AARCH64_SUPPORTED_RELOCATIONS,
  AArch64EdgeKind as K,
  InvalidRelocationTargetError,
  UnsupportedRelocationError,
  getAArch64RelocationName,
  mapElfRelocation,
  relocationNeedsInstructionWord,
} from '../../src/index.js';
import { assemble, objdumpRelocationNames, wordAt } from './elf-helpers.js';

/** Assembles `lines`, expecting exactly one relocation per line, and maps each with its instruction word. */
function mapAssembled(lines: readonly string[]): { type: number; word: number; map: () => number }[] {
  const { text, relocations } = assemble(`.text\nf:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  expect(relocations).toHaveLength(lines.length);
  return relocations.map((r) => {
    const word = wordAt(text, r.offset);
    return { type: r.type, word, map: () => mapElfRelocation(r.type, word) };
  });
}

describe('mapElfRelocation on relocations emitted by llvm-mc (table 1.1)', () => {
  const cases: [string, number, number][] = [
    ['.xword sym', 257, K.Pointer64],
    ['.word sym', 258, K.Pointer32],
    ['.xword sym - .', 260, K.Delta64],
    ['.word sym - .', 261, K.Delta32],
    ['movz x0, #:abs_g0_nc:sym', 264, K.MoveWide16],
    ['movk x0, #:abs_g1_nc:sym', 266, K.MoveWide16],
    ['movk w0, #:abs_g1_nc:sym', 266, K.MoveWide16],
    ['movk x0, #:abs_g2_nc:sym', 268, K.MoveWide16],
    ['movk x0, #:abs_g3:sym', 269, K.MoveWide16],
    ['ldr x0, sym', 273, K.LDRLiteral19],
    ['ldr w0, sym', 273, K.LDRLiteral19],
    ['ldr q0, sym', 273, K.LDRLiteral19],
    ['adr x0, sym', 274, K.ADRLiteral21],
    ['adrp x0, sym', 275, K.Page21],
    ['add x0, x0, :lo12:sym', 277, K.PageOffset12],
    ['ldrb w0, [x0, :lo12:sym]', 278, K.PageOffset12],
    ['strb w0, [x0, :lo12:sym]', 278, K.PageOffset12],
    ['ldrsb x0, [x0, :lo12:sym]', 278, K.PageOffset12],
    ['ldr b0, [x0, :lo12:sym]', 278, K.PageOffset12],
    ['tbz x0, #1, sym', 279, K.TestAndBranch14PCRel],
    ['tbnz w3, #31, sym', 279, K.TestAndBranch14PCRel],
    ['b.eq sym', 280, K.CondBranch19PCRel],
    ['cbz x0, sym', 280, K.CondBranch19PCRel],
    ['cbnz w0, sym', 280, K.CondBranch19PCRel],
    ['b sym', 282, K.Branch26PCRel],
    ['bl sym', 283, K.Branch26PCRel],
    ['ldrh w0, [x0, :lo12:sym]', 284, K.PageOffset12],
    ['str h0, [x0, :lo12:sym]', 284, K.PageOffset12],
    ['ldr w0, [x0, :lo12:sym]', 285, K.PageOffset12],
    ['ldrsw x0, [x0, :lo12:sym]', 285, K.PageOffset12],
    ['str s0, [x0, :lo12:sym]', 285, K.PageOffset12],
    ['ldr x0, [x0, :lo12:sym]', 286, K.PageOffset12],
    ['str d1, [x0, :lo12:sym]', 286, K.PageOffset12],
    ['prfm pldl1keep, [x0, :lo12:sym]', 286, K.PageOffset12],
    ['ldr q0, [x0, :lo12:sym]', 299, K.PageOffset12],
    ['str q7, [sp, :lo12:sym]', 299, K.PageOffset12],
    ['adrp x0, :got:sym', 311, K.RequestGOTAndTransformToPage21],
    ['ldr x0, [x0, :got_lo12:sym]', 312, K.RequestGOTAndTransformToPageOffset12],
    ['ldr x0, [x0, :gotpage_lo15:sym]', 313, K.RequestGOTAndTransformToPageOffset15],
  ];
  const mapped = mapAssembled(cases.map((c) => c[0]));
  it.each(cases.map((c, i) => [...c, i] as const))('%s -> type %i -> kind %i', (_line, type, kind, i) => {
    expect(mapped[i]!.type).toBe(type);
    expect(mapped[i]!.map()).toBe(kind);
  });
});

describe('instruction validation (exact LLVM texts)', () => {
  // Relocations forced onto unsuitable instructions with `.reloc`.
  const bad: [string, string, string][] = [
    ['R_AARCH64_LDST8_ABS_LO12_NC', 'ldrh w0, [x1]', 'R_AARCH64_LDST8_ABS_LO12_NC target is not a LDRB/STRB (imm12) instruction'],
    ['R_AARCH64_LDST8_ABS_LO12_NC', 'add x0, x1, #0', 'R_AARCH64_LDST8_ABS_LO12_NC target is not a LDRB/STRB (imm12) instruction'],
    ['R_AARCH64_LDST8_ABS_LO12_NC', 'ldr q0, [x1]', 'R_AARCH64_LDST8_ABS_LO12_NC target is not a LDRB/STRB (imm12) instruction'],
    ['R_AARCH64_LDST8_ABS_LO12_NC', 'ldurb w0, [x1, #1]', 'R_AARCH64_LDST8_ABS_LO12_NC target is not a LDRB/STRB (imm12) instruction'],
    ['R_AARCH64_LDST16_ABS_LO12_NC', 'ldrb w0, [x1]', 'R_AARCH64_LDST16_ABS_LO12_NC target is not a LDRH/STRH (imm12) instruction'],
    ['R_AARCH64_LDST32_ABS_LO12_NC', 'ldr x0, [x1]', 'R_AARCH64_LDST32_ABS_LO12_NC target is not a LDR/STR (imm12, 32 bit) instruction'],
    ['R_AARCH64_LDST64_ABS_LO12_NC', 'ldr w0, [x1]', 'R_AARCH64_LDST64_ABS_LO12_NC target is not a LDR/STR (imm12, 64 bit) instruction'],
    ['R_AARCH64_LDST64_ABS_LO12_NC', 'ldr x0, [x1, x2]', 'R_AARCH64_LDST64_ABS_LO12_NC target is not a LDR/STR (imm12, 64 bit) instruction'],
    ['R_AARCH64_LDST64_ABS_LO12_NC', 'ldp x0, x1, [x2]', 'R_AARCH64_LDST64_ABS_LO12_NC target is not a LDR/STR (imm12, 64 bit) instruction'],
    ['R_AARCH64_LDST128_ABS_LO12_NC', 'ldr d0, [x1]', 'R_AARCH64_LDST128_ABS_LO12_NC target is not a LDR/STR (imm12, 128 bit) instruction'],
    ['R_AARCH64_LDST128_ABS_LO12_NC', 'ldrb w0, [x1]', 'R_AARCH64_LDST128_ABS_LO12_NC target is not a LDR/STR (imm12, 128 bit) instruction'],
    ['R_AARCH64_MOVW_UABS_G0_NC', 'movz x0, #0, lsl #16', 'R_AARCH64_MOVW_UABS_G0_NC target is not a MOVK/MOVZ (imm16, LSL #0) instruction'],
    ['R_AARCH64_MOVW_UABS_G0_NC', 'movn x0, #0', 'R_AARCH64_MOVW_UABS_G0_NC target is not a MOVK/MOVZ (imm16, LSL #0) instruction'],
    ['R_AARCH64_MOVW_UABS_G0_NC', 'movz x0, #1', 'R_AARCH64_MOVW_UABS_G0_NC target is not a MOVK/MOVZ (imm16, LSL #0) instruction'],
    ['R_AARCH64_MOVW_UABS_G1_NC', 'movk x0, #0', 'R_AARCH64_MOVW_UABS_G1_NC target is not a MOVK/MOVZ (imm16, LSL #16) instruction'],
    ['R_AARCH64_MOVW_UABS_G2_NC', 'movk x0, #0, lsl #48', 'R_AARCH64_MOVW_UABS_G2_NC target is not a MOVK/MOVZ (imm16, LSL #32) instruction'],
    ['R_AARCH64_MOVW_UABS_G3', 'movk x0, #0, lsl #32', 'R_AARCH64_MOVW_UABS_G3 target is not a MOVK/MOVZ (imm16, LSL #48) instruction'],
    ['R_AARCH64_MOVW_UABS_G3', 'add x0, x0, #0', 'R_AARCH64_MOVW_UABS_G3 target is not a MOVK/MOVZ (imm16, LSL #48) instruction'],
    ['R_AARCH64_TSTBR14', 'cbz x0, .', 'R_AARCH64_TSTBR14 target is not a test and branch instruction'],
    ['R_AARCH64_TSTBR14', 'nop', 'R_AARCH64_TSTBR14 target is not a test and branch instruction'],
    ['R_AARCH64_CONDBR19', 'tbz x0, #0, .', 'R_AARCH64_CONDBR19 target is not a conditional branch instruction'],
    ['R_AARCH64_CONDBR19', 'b .', 'R_AARCH64_CONDBR19 target is not a conditional branch instruction'],
    ['R_AARCH64_ADR_PREL_LO21', 'adrp x0, #4096', 'R_AARCH64_ADR_PREL_LO21 target is not an ADR instruction'],
    ['R_AARCH64_LD_PREL_LO19', 'ldr x0, [x1]', 'R_AARCH64_LDR_PREL_LO19 target is not an LDR Literal instruction'],
    ['R_AARCH64_LD_PREL_LO19', 'adr x0, .', 'R_AARCH64_LDR_PREL_LO19 target is not an LDR Literal instruction'],
  ];
  const mapped = mapAssembled(bad.map(([reloc, insn]) => `.reloc ., ${reloc}, sym\n  ${insn}`));
  it.each(bad.map((c, i) => [...c, i] as const))('%s on `%s`', (reloc, _insn, message, i) => {
    const m = mapped[i]!;
    expect(getAArch64RelocationName(m.type)).toBe(reloc);
    let caught: unknown;
    try {
      m.map();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidRelocationTargetError);
    const err = caught as InvalidRelocationTargetError;
    expect(err.message).toBe(message);
    expect(err.type).toBe(m.type);
    expect(err.relocationName).toBe(reloc);
    expect(err.instructionWord).toBe(m.word);
  });

  it('relocationNeedsInstructionWord is true exactly for the validated relocations', () => {
    const validated = [...AARCH64_SUPPORTED_RELOCATIONS.values()].filter((r) => r.validate).map((r) => r.type).sort((a, b) => a - b);
    expect(validated).toEqual([264, 266, 268, 269, 273, 274, 278, 279, 280, 284, 285, 286, 299]);
    for (const t of validated) expect(relocationNeedsInstructionWord(t)).toBe(true);
    for (const t of [257, 258, 260, 261, 275, 277, 282, 283, 311, 312, 313, 0, 9999]) expect(relocationNeedsInstructionWord(t)).toBe(false);
  });

  it('a validated relocation without its instruction word is a caller bug (TypeError)', () => {
    expect(() => mapElfRelocation(279)).toThrow(TypeError);
    expect(() => mapElfRelocation(279)).toThrow('mapElfRelocation: R_AARCH64_TSTBR14 needs the instruction word at the fixup');
  });

  it('unvalidated relocations ignore the word', () => {
    expect(mapElfRelocation(283)).toBe(K.Branch26PCRel);
    expect(mapElfRelocation(283, 0)).toBe(K.Branch26PCRel);
  });
});

describe('unsupported relocations', () => {
  const unsupported: [number, string][] = [
    [0, 'R_AARCH64_NONE'],
    [259, 'R_AARCH64_ABS16'],
    [262, 'R_AARCH64_PREL16'],
    [263, 'R_AARCH64_MOVW_UABS_G0'],
    [265, 'R_AARCH64_MOVW_UABS_G1'],
    [267, 'R_AARCH64_MOVW_UABS_G2'],
    [270, 'R_AARCH64_MOVW_SABS_G0'],
    [271, 'R_AARCH64_MOVW_SABS_G1'],
    [272, 'R_AARCH64_MOVW_SABS_G2'],
    [276, 'R_AARCH64_ADR_PREL_PG_HI21_NC'],
    [287, 'R_AARCH64_MOVW_PREL_G0'],
    [288, 'R_AARCH64_MOVW_PREL_G0_NC'],
    [293, 'R_AARCH64_MOVW_PREL_G3'],
    [314, 'R_AARCH64_PLT32'],
    [307, 'R_AARCH64_GOTREL64'],
    [308, 'R_AARCH64_GOTREL32'],
    [309, 'R_AARCH64_GOT_LD_PREL19'],
    [512, 'R_AARCH64_TLSGD_ADR_PREL21'],
    [513, 'R_AARCH64_TLSGD_ADR_PAGE21'],
    [518, 'R_AARCH64_TLSLD_ADR_PAGE21'],
    [541, 'R_AARCH64_TLSIE_ADR_GOTTPREL_PAGE21'],
    [542, 'R_AARCH64_TLSIE_LD64_GOTTPREL_LO12_NC'],
    [549, 'R_AARCH64_TLSLE_ADD_TPREL_HI12'],
    [551, 'R_AARCH64_TLSLE_ADD_TPREL_LO12_NC'],
    [1027, 'R_AARCH64_RELATIVE'],
    [1, 'R_AARCH64_P32_ABS32'],
  ];
  it.each(unsupported)('%i is rejected as %s', (type, name) => {
    expect(() => mapElfRelocation(type, 0xd503201f)).toThrow(UnsupportedRelocationError);
    expect(() => mapElfRelocation(type, 0xd503201f)).toThrow(`Unsupported aarch64 relocation:${type}: ${name}`);
    try {
      mapElfRelocation(type);
    } catch (e) {
      const err = e as UnsupportedRelocationError;
      expect(err.message).toBe(`Unsupported aarch64 relocation:${type}: ${name}`);
      expect(err.type).toBe(type);
      expect(err.relocationName).toBe(name);
    }
  });

  it('numbers the ABI does not define print as LLVM does: Unknown', () => {
    for (const type of [2000, 0x100, 0x119, 0x13e, 0x23e, 0xffff]) {
      expect(() => mapElfRelocation(type)).toThrow(new UnsupportedRelocationError(type, 'Unknown'));
      expect(() => mapElfRelocation(type)).toThrow(`Unsupported aarch64 relocation:${type}: Unknown`);
    }
  });

  it('rejects TLS descriptors, with the reason, at the first one llvm-mc emits', () => {
    const mapped = mapAssembled([
      'adrp x0, :tlsdesc:v',
      'ldr x1, [x0, :tlsdesc_lo12:v]',
      'add x0, x0, :tlsdesc_lo12:v',
      '.tlsdesccall v\n  blr x1',
    ]);
    expect(mapped.map((m) => m.type)).toEqual([562, 563, 564, 569]);
    const names = ['R_AARCH64_TLSDESC_ADR_PAGE21', 'R_AARCH64_TLSDESC_LD64_LO12', 'R_AARCH64_TLSDESC_ADD_LO12', 'R_AARCH64_TLSDESC_CALL'];
    mapped.forEach((m, i) => {
      expect(m.map).toThrow(UnsupportedRelocationError);
      expect(m.map).toThrow(`Unsupported aarch64 relocation:${m.type}: ${names[i]} (TLS descriptors are not supported by orc-ts)`);
    });
    expect(() => mapElfRelocation(562)).toThrow(
      'Unsupported aarch64 relocation:562: R_AARCH64_TLSDESC_ADR_PAGE21 (TLS descriptors are not supported by orc-ts)',
    );
    expect(() => mapElfRelocation(0x230)).toThrow('Unsupported aarch64 relocation:560: R_AARCH64_TLSDESC_LD_PREL19 (TLS descriptors');
    // The neighbours of the family keep the plain message.
    expect(() => mapElfRelocation(0x23a)).toThrow(/^Unsupported aarch64 relocation:570: R_AARCH64_TLSLE_LDST128_TPREL_LO12$/);
    expect(() => mapElfRelocation(0x22f)).toThrow(/^Unsupported aarch64 relocation:559: R_AARCH64_TLSLE_LDST64_TPREL_LO12_NC$/);
  });
});

describe('relocation names', () => {
  it('match the names llvm-objdump (LLVM 14) prints for every number it knows', () => {
    const types = Array.from({ length: 0x500 }, (_, i) => i);
    const llvm = objdumpRelocationNames(types);
    expect(llvm.size).toBe(types.length);
    // Numbers defined after LLVM 14 (PAuth ABI, GOTPCREL32, PATCHINST, FUNCINIT64), which LLVM 14 calls Unknown.
    const newer = new Set([0x13b, 0x13c, 0x13d, ...Array.from({ length: 0x255 - 0x244 + 1 }, (_, i) => 0x244 + i), 0x411, 0x412, 0x413, 0x414]);
    let known = 0;
    for (const t of types) {
      const ours = getAArch64RelocationName(t);
      if (newer.has(t)) {
        expect(llvm.get(t)).toBe('Unknown');
        expect(ours).toMatch(/^R_AARCH64_/);
      } else {
        expect({ t, name: ours }).toEqual({ t, name: llvm.get(t) });
        if (ours !== 'Unknown') known++;
      }
    }
    expect(known).toBeGreaterThan(200);
  });

  it('the supported table carries the ABI names and LLVM edge kinds', () => {
    const byName = Object.fromEntries([...AARCH64_SUPPORTED_RELOCATIONS.values()].map((r) => [r.name, r.edgeKind]));
    expect(byName).toEqual({
      R_AARCH64_ABS64: K.Pointer64,
      R_AARCH64_ABS32: K.Pointer32,
      R_AARCH64_PREL64: K.Delta64,
      R_AARCH64_PREL32: K.Delta32,
      R_AARCH64_MOVW_UABS_G0_NC: K.MoveWide16,
      R_AARCH64_MOVW_UABS_G1_NC: K.MoveWide16,
      R_AARCH64_MOVW_UABS_G2_NC: K.MoveWide16,
      R_AARCH64_MOVW_UABS_G3: K.MoveWide16,
      R_AARCH64_LD_PREL_LO19: K.LDRLiteral19,
      R_AARCH64_ADR_PREL_LO21: K.ADRLiteral21,
      R_AARCH64_ADR_PREL_PG_HI21: K.Page21,
      R_AARCH64_ADD_ABS_LO12_NC: K.PageOffset12,
      R_AARCH64_LDST8_ABS_LO12_NC: K.PageOffset12,
      R_AARCH64_LDST16_ABS_LO12_NC: K.PageOffset12,
      R_AARCH64_LDST32_ABS_LO12_NC: K.PageOffset12,
      R_AARCH64_LDST64_ABS_LO12_NC: K.PageOffset12,
      R_AARCH64_LDST128_ABS_LO12_NC: K.PageOffset12,
      R_AARCH64_TSTBR14: K.TestAndBranch14PCRel,
      R_AARCH64_CONDBR19: K.CondBranch19PCRel,
      R_AARCH64_JUMP26: K.Branch26PCRel,
      R_AARCH64_CALL26: K.Branch26PCRel,
      R_AARCH64_ADR_GOT_PAGE: K.RequestGOTAndTransformToPage21,
      R_AARCH64_LD64_GOT_LO12_NC: K.RequestGOTAndTransformToPageOffset12,
      R_AARCH64_LD64_GOTPAGE_LO15: K.RequestGOTAndTransformToPageOffset15,
    });
    for (const [type, r] of AARCH64_SUPPORTED_RELOCATIONS) {
      expect(r.type).toBe(type);
      expect(getAArch64RelocationName(type)).toBe(r.name);
    }
  });
});
