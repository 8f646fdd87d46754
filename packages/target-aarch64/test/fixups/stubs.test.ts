import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AArch64EdgeKind as K,
  NULL_POINTER,
  POINTER_JUMP_STUB,
  POINTER_JUMP_STUB_PLACEHOLDER_ADDRESS,
  POINTER_PLACEHOLDER_ADDRESS,
  POINTER_SIZE,
  REENTRY_TRAMPOLINE,
  STUB_SCRATCH_REGISTER,
  branchVeneer,
  branchVeneerSize,
  createBlockContent,
  isBranch26InRange,
  pointerTo,
  selectBranchVeneer,
} from '../../src/index.js';
import { assembleWords } from './elf-helpers.js';
import { hex, link } from './template-helpers.js';

describe('pointer-jump stub', () => {
  it('is ADRP x16 / LDR x16 / BR x16 with Page21 and PageOffset12 edges', () => {
    expect(hex(POINTER_JUMP_STUB.words)).toEqual(['90000010', 'f9400210', 'd61f0200']);
    expect(POINTER_JUMP_STUB.words).toEqual(assembleWords(['adrp x16, #0', 'ldr x16, [x16]', 'br x16']));
    expect([...createBlockContent(POINTER_JUMP_STUB)]).toEqual([0x10, 0x00, 0x00, 0x90, 0x10, 0x02, 0x40, 0xf9, 0x00, 0x02, 0x1f, 0xd6]);
    expect(POINTER_JUMP_STUB.size).toBe(12);
    expect(POINTER_JUMP_STUB.alignment).toBe(4);
    expect(POINTER_JUMP_STUB.edges).toEqual([
      { kind: K.Page21, offset: 0, addend: 0n },
      { kind: K.PageOffset12, offset: 4, addend: 0n },
    ]);
    expect(STUB_SCRATCH_REGISTER).toBe(16);
    expect(POINTER_JUMP_STUB_PLACEHOLDER_ADDRESS).toBe(0xfffffffffffffff4n);
  });

  it('links as in the orc-lazy worked example (stub 0x10000, pointer 0x12008)', () => {
    expect(hex(link(POINTER_JUMP_STUB, 0x10000n, 0x12008n))).toEqual(['d0000010', 'f9400610', 'd61f0200']);
  });

  it('links to llvm-mc encodings for random stub/pointer placements', () => {
    const samples = fc.sample(fc.tuple(fc.bigInt(0x1000n, 0x7fff_ffff_0000n), fc.integer({ min: -(2 ** 20), max: 2 ** 20 - 1 }), fc.integer({ min: 0, max: 511 })), {
      numRuns: 30,
      seed: 11,
    });
    const lines: string[] = [];
    const ours: number[] = [];
    for (const [base, pages, slot] of samples) {
      const stub = base & ~3n;
      const ptr = (stub & ~0xfffn) + BigInt(pages) * 4096n + BigInt(slot * 8);
      ours.push(...link(POINTER_JUMP_STUB, stub, ptr));
      lines.push(`adrp x16, #${pages * 4096}`, `ldr x16, [x16, #${slot * 8}]`, 'br x16');
    }
    expect(hex(ours)).toEqual(hex(assembleWords(lines)));
  });
});

describe('reentry trampoline', () => {
  it('is STP x29, x30, [sp, #-16]! / BL with a Branch26PCRel edge at 4', () => {
    expect(hex(REENTRY_TRAMPOLINE.words)).toEqual(['a9bf7bfd', '94000000']);
    expect(REENTRY_TRAMPOLINE.words).toEqual(assembleWords(['stp x29, x30, [sp, #-16]!', 'bl #0']));
    expect([...createBlockContent(REENTRY_TRAMPOLINE)]).toEqual([0xfd, 0x7b, 0xbf, 0xa9, 0x00, 0x00, 0x00, 0x94]);
    expect([REENTRY_TRAMPOLINE.size, REENTRY_TRAMPOLINE.alignment]).toEqual([8, 4]);
    expect(REENTRY_TRAMPOLINE.edges).toEqual([{ kind: K.Branch26PCRel, offset: 4, addend: 0n }]);
  });

  it('links as in the orc-lazy worked example (trampoline 0x20000, reenter 0x30000)', () => {
    expect(hex(link(REENTRY_TRAMPOLINE, 0x20000n, 0x30000n))).toEqual(['a9bf7bfd', '94003fff']);
    expect(link(REENTRY_TRAMPOLINE, 0x7fff_0010_0000n, 0x7fff_0000_0000n)).toEqual(assembleWords(['stp x29, x30, [sp, #-16]!', `bl #${-0x100004}`]));
  });
});

describe('pointers', () => {
  it('null pointer: 8 zero bytes, 8-aligned, no edge', () => {
    expect([...createBlockContent(NULL_POINTER)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect([NULL_POINTER.size, NULL_POINTER.alignment, NULL_POINTER.edges.length, POINTER_SIZE]).toEqual([8, 8, 0, 8]);
    expect(POINTER_PLACEHOLDER_ADDRESS).toBe(0xfffffffffffffff8n);
  });

  it('pointer with an initial target: one Pointer64 edge at 0 carrying the addend', () => {
    const p = pointerTo(0x10n);
    expect(p.edges).toEqual([{ kind: K.Pointer64, offset: 0, addend: 0x10n }]);
    expect(pointerTo().edges).toEqual([{ kind: K.Pointer64, offset: 0, addend: 0n }]);
    const words = link(p, 0x5000n, 0x7fff_1234_5670n);
    expect(words).toEqual([0x12345680, 0x7fff]);
  });

  it('content copies are fresh and templates are frozen', () => {
    const a = createBlockContent(POINTER_JUMP_STUB);
    a[0] = 0xff;
    expect(createBlockContent(POINTER_JUMP_STUB)[0]).toBe(0x10);
    expect(Object.isFrozen(POINTER_JUMP_STUB)).toBe(true);
    expect(Object.isFrozen(POINTER_JUMP_STUB.words)).toBe(true);
    expect(Object.isFrozen(POINTER_JUMP_STUB.edges[0])).toBe(true);
  });
});

describe('Branch26 range-extension veneers', () => {
  it('isBranch26InRange: ±2^27, 4-byte aligned, addend included', () => {
    const P = 0x7fff_0000_0000n;
    expect(isBranch26InRange(P, P + (1n << 27n) - 4n)).toBe(true);
    expect(isBranch26InRange(P, P + (1n << 27n))).toBe(false);
    expect(isBranch26InRange(P, P - (1n << 27n))).toBe(true);
    expect(isBranch26InRange(P, P - (1n << 27n) - 4n)).toBe(false);
    expect(isBranch26InRange(P, P + (1n << 27n), -4n)).toBe(true);
    expect(isBranch26InRange(P, P + 2n)).toBe(false);
    expect(isBranch26InRange(0x10n, 0xffff_ffff_ffff_fff0n)).toBe(true); // wraps like the fixup
  });

  it('adrp form: ADRP x16 / ADD x16 / BR x16, Page21 + PageOffset12 to the target with its addend', () => {
    const v = branchVeneer('adrp', 0x24n);
    expect(v.words).toEqual(assembleWords(['adrp x16, #0', 'add x16, x16, #0', 'br x16']));
    expect([v.size, v.alignment, branchVeneerSize('adrp')]).toEqual([12, 4, 12]);
    expect(v.edges).toEqual([
      { kind: K.Page21, offset: 0, addend: 0x24n },
      { kind: K.PageOffset12, offset: 4, addend: 0x24n },
    ]);
  });

  it('absolute form: MOVZ/MOVK x16 (four slices) / BR x16', () => {
    const v = branchVeneer('absolute');
    expect(v.words).toEqual(assembleWords(['movz x16, #0', 'movk x16, #0, lsl #16', 'movk x16, #0, lsl #32', 'movk x16, #0, lsl #48', 'br x16']));
    expect([v.size, v.alignment, branchVeneerSize('absolute')]).toEqual([20, 4, 20]);
    expect(v.edges.map((e) => [e.kind, e.offset, e.addend])).toEqual([
      [K.MoveWide16, 0, 0n],
      [K.MoveWide16, 4, 0n],
      [K.MoveWide16, 8, 0n],
      [K.MoveWide16, 12, 0n],
    ]);
  });

  it('linked veneers compute exactly target + addend (checked against llvm-mc)', () => {
    const samples = fc.sample(
      fc.tuple(fc.bigInt(0x1000_0000n, 0x7fff_ffff_0000n), fc.bigInt(-(1n << 31n), 1n << 31n), fc.bigInt(0n, (1n << 64n) - 1n), fc.bigInt(-0x100n, 0x100n)),
      { numRuns: 30, seed: 13 },
    );
    const lines: string[] = [];
    const ours: number[] = [];
    for (const [base, dist, far, addend] of samples) {
      const veneer = base & ~3n;
      const target = veneer + dist;
      const dest = target + addend;
      ours.push(...link(branchVeneer('adrp', addend), veneer, target));
      lines.push(`adrp x16, #${(dest & ~0xfffn) - (veneer & ~0xfffn)}`, `add x16, x16, #${dest & 0xfffn}`, 'br x16');
      const farDest = BigInt.asUintN(64, far + addend);
      ours.push(...link(branchVeneer('absolute', addend), veneer, far));
      const slice = (hw: bigint) => (farDest >> (16n * hw)) & 0xffffn;
      lines.push(`movz x16, #${slice(0n)}`, `movk x16, #${slice(1n)}, lsl #16`, `movk x16, #${slice(2n)}, lsl #32`, `movk x16, #${slice(3n)}, lsl #48`, 'br x16');
    }
    expect(hex(ours)).toEqual(hex(assembleWords(lines)));
  });

  it('selectBranchVeneer picks adrp within ±4 GiB of the veneer page, absolute beyond', () => {
    const V = 0x7fff_0000_0800n;
    const page = V & ~0xfffn;
    expect(selectBranchVeneer(V, page + (1n << 32n) - 1n)).toBe('adrp');
    expect(selectBranchVeneer(V, page + (1n << 32n))).toBe('absolute');
    expect(selectBranchVeneer(V, page - (1n << 32n))).toBe('adrp');
    expect(selectBranchVeneer(V, page - (1n << 32n) - 1n)).toBe('absolute');
    expect(selectBranchVeneer(V, page + (1n << 32n) - 0x10n, 0x10n)).toBe('absolute');
    expect(selectBranchVeneer(V, 0xdeadbeefn)).toBe('absolute');
  });

  it('an out-of-range call goes through an island: BL -> veneer -> target', () => {
    const caller = 0x7fff_0000_0100n;
    const callee = caller + 0x1000_0000n; // 256 MiB away
    expect(isBranch26InRange(caller, callee)).toBe(false);
    const veneerAddr = caller + 0x7ff_0000n; // within the caller's branch range
    expect(isBranch26InRange(caller, veneerAddr)).toBe(true);
    const form = selectBranchVeneer(veneerAddr, callee);
    expect(form).toBe('adrp');
    const bl = link(REENTRY_TRAMPOLINE, caller - 4n, veneerAddr)[1]!; // a BL at `caller`
    expect(bl).toBe(assembleWords([`bl #${veneerAddr - caller}`])[0]);
    const island = link(branchVeneer(form), veneerAddr, callee);
    // Evaluate ADRP + ADD: page(veneer) + imm(adrp) + imm12(add) must be the callee.
    const adrp = island[0]!;
    const pages = BigInt.asIntN(21, BigInt((((adrp >>> 5) & 0x7ffff) << 2) | ((adrp >>> 29) & 3)));
    const lo12 = BigInt((island[1]! >>> 10) & 0xfff);
    expect((veneerAddr & ~0xfffn) + pages * 4096n + lo12).toBe(callee);
    expect(island[2]).toBe(0xd61f0200);
  });
});
