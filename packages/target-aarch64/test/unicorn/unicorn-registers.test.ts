/**
 * Register ids of Unicorn 2.0.1 (they differ between Unicorn versions), checked through instructions: a value
 * written through an id must be what an instruction reading that register sees, and vice versa.
 */
import { describe, expect, it } from 'vitest';
import {
  Arm64Reg,
  UnicornError,
  bReg,
  dReg,
  hReg,
  qReg,
  sReg,
  vReg,
  wReg,
  xReg,
  type UnicornEngine,
} from '../../src/unicorn/index.js';
import { CODE, engineWithCode, load, words } from './helpers.js';

const NOP = 0xd503201f;

/** Runs one instruction at CODE. */
function exec(engine: UnicornEngine, instruction: number): void {
  load(engine, CODE, words(instruction, NOP));
  expect(engine.start(CODE, CODE + 4n).reason).toBe('until');
}

const pattern = (i: number) => 0x0123_4567_89ab_cd00n + BigInt(i) * 0x0101_0101_0000_0011n;

describe('ARM64 register ids (Unicorn 2.0.1 numbering)', () => {
  it('has the 2.0.1 numbers for the anchor registers', () => {
    expect([Arm64Reg.X29, Arm64Reg.X30, Arm64Reg.NZCV, Arm64Reg.SP, Arm64Reg.X0, Arm64Reg.X28]).toEqual([
      1, 2, 3, 4, 199, 227,
    ]);
    expect([Arm64Reg.Q0, Arm64Reg.V0, Arm64Reg.D0, Arm64Reg.S0, Arm64Reg.W0, Arm64Reg.PC, Arm64Reg.TPIDR_EL0]).toEqual([
      104, 228, 40, 136, 168, 260, 262,
    ]);
    expect(xReg(29)).toBe(Arm64Reg.FP);
    expect(xReg(30)).toBe(Arm64Reg.LR);
    expect(() => xReg(31)).toThrow(RangeError);
    expect(() => qReg(32)).toThrow(RangeError);
  });

  it('x0–x30: a value written by id is what `mov x0, xN` copies', () => {
    const engine = engineWithCode();
    for (let n = 1; n <= 30; n++) {
      engine.regWrite(xReg(0), 0n);
      engine.regWrite(xReg(n), pattern(n));
      exec(engine, 0xaa0003e0 | (n << 16)); // mov x0, xN  (orr x0, xzr, xN)
      expect(engine.regRead(xReg(0)), `x${n}`).toBe(pattern(n));
    }
  });

  it('x0–x30: what `mov xN, x0` writes is what the id reads', () => {
    const engine = engineWithCode();
    for (let n = 1; n <= 30; n++) {
      engine.regWrite(xReg(0), pattern(n) ^ 0xffn);
      exec(engine, 0xaa0003e0 | n); // mov xN, x0
      expect(engine.regRead(xReg(n)), `x${n}`).toBe(pattern(n) ^ 0xffn);
    }
  });

  it('w registers are the low halves of x registers', () => {
    const engine = engineWithCode();
    engine.regWrite(xReg(7), 0xdead_beef_1234_5678n);
    expect(engine.regRead(wReg(7))).toBe(0x1234_5678n);
    // Unlike an instruction writing w7, uc_reg_write of w7 replaces only the low half of x7.
    engine.regWrite(wReg(7), 0xffff_ffff_8765_4321n);
    expect(engine.regRead(xReg(7))).toBe(0xdead_beef_8765_4321n);
    exec(engine, 0x2a0003e7); // mov w7, w0 (an instruction does zero-extend)
    expect(engine.regRead(xReg(7))).toBe(engine.regRead(xReg(0)) & 0xffff_ffffn);
  });

  it('sp, nzcv, tpidr_el0 and pc', () => {
    const engine = engineWithCode();
    engine.regWrite(Arm64Reg.SP, 0x8000_1230n);
    exec(engine, 0x910003e0); // mov x0, sp
    expect(engine.regRead(xReg(0))).toBe(0x8000_1230n);

    engine.regWrite(xReg(0), 0x4000_0000n); // Z
    exec(engine, 0xd51b4200); // msr nzcv, x0
    expect(engine.regRead(Arm64Reg.NZCV)).toBe(0x4000_0000n);
    engine.regWrite(Arm64Reg.NZCV, 0xa000_0000n); // N and C
    exec(engine, 0xd53b4200); // mrs x0, nzcv
    expect(engine.regRead(xReg(0))).toBe(0xa000_0000n);

    engine.regWrite(Arm64Reg.TPIDR_EL0, 0x1122_3344_5566_7788n);
    exec(engine, 0xd53bd040); // mrs x0, tpidr_el0
    expect(engine.regRead(xReg(0))).toBe(0x1122_3344_5566_7788n);

    expect(engine.regRead(Arm64Reg.PC)).toBe(CODE + 4n);
  });

  it('q0–q31 round-trip 128 bits and match `umov` of both lanes; v is the same register', () => {
    const engine = engineWithCode();
    for (let n = 0; n < 32; n++) {
      const bytes = Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + n * 3 + 1) & 0xff);
      engine.writeQ(qReg(n), bytes);
      expect(engine.readQ(qReg(n))).toEqual(bytes);
      expect(engine.readQ(vReg(n))).toEqual(bytes);
      // umov x0, vN.d[0]; umov x1, vN.d[1]
      load(engine, CODE, words(0x4e083c00 | (n << 5), 0x4e183c01 | (n << 5), NOP));
      engine.start(CODE, CODE + 8n);
      const view = new DataView(bytes.buffer);
      expect(engine.regRead(xReg(0)), `q${n} low`).toBe(view.getBigUint64(0, true));
      expect(engine.regRead(xReg(1)), `q${n} high`).toBe(view.getBigUint64(8, true));
    }
  });

  it('instructions writing vN are seen through qN and vN', () => {
    const engine = engineWithCode();
    engine.regWriteBatch([xReg(0), xReg(1)], [0x0706_0504_0302_0100n, 0x0f0e_0d0c_0b0a_0908n]);
    load(engine, CODE, words(0x4e081c00 | 9, 0x4e181c20 | 9, NOP)); // ins v9.d[0], x0; ins v9.d[1], x1
    engine.start(CODE, CODE + 8n);
    const expected = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(engine.readQ(qReg(9))).toEqual(expected);
    expect(engine.readQ(vReg(9))).toEqual(expected);
  });

  it('d, s, h and b registers are the low bits of vN', () => {
    const engine = engineWithCode();
    for (const n of [0, 5, 31]) {
      engine.regWrite(xReg(0), 0x4045_0000_0000_0000n + BigInt(n)); // some double
      exec(engine, 0x9e670000 | n); // fmov dN, x0
      expect(engine.regRead(dReg(n))).toBe(0x4045_0000_0000_0000n + BigInt(n));
      expect(engine.regRead(sReg(n))).toBe(BigInt(n));
      engine.regWrite(sReg(n), 0x3f80_0000n); // 1.0f
      exec(engine, 0x1e260000 | (n << 5)); // fmov w0, sN
      expect(engine.regRead(xReg(0))).toBe(0x3f80_0000n);
      expect(engine.regRead(hReg(n))).toBe(0n); // low 16 bits of 0x3f800000
      expect(engine.regRead(bReg(n))).toBe(0n);
      engine.regWrite(dReg(n), 0x1234n);
      expect(engine.regRead(hReg(n))).toBe(0x1234n);
      expect(engine.regRead(bReg(n))).toBe(0x34n);
    }
  });

  it('batch reads and writes agree with single accesses', () => {
    const engine = engineWithCode();
    const regs = Array.from({ length: 31 }, (_, n) => xReg(n));
    engine.regWriteBatch(
      regs,
      regs.map((_, n) => pattern(n)),
    );
    expect(regs.map((r) => engine.regRead(r))).toEqual(regs.map((_, n) => pattern(n)));
    engine.regWrite(xReg(3), 42n);
    engine.regWrite(Arm64Reg.NZCV, 0x6000_0000n);
    const batch = engine.regReadBatch([...regs, Arm64Reg.SP, Arm64Reg.PC, Arm64Reg.NZCV, wReg(3)]);
    expect(batch.slice(0, 31)).toEqual(regs.map((_, n) => (n === 3 ? 42n : pattern(n))));
    expect(batch.slice(31)).toEqual([engine.regRead(Arm64Reg.SP), engine.regRead(Arm64Reg.PC), 0x6000_0000n, 42n]);
    expect(engine.regReadBatch([])).toEqual([]);
    // More registers than the initial scratch block holds.
    const many = [...regs, ...regs, ...regs];
    expect(engine.regReadBatch(many)).toHaveLength(93);
  });

  it('refuses q/v registers in scalar access and treats unknown ids and closed engines', () => {
    const engine = engineWithCode();
    expect(() => engine.regRead(qReg(0))).toThrow(/readQ/);
    expect(() => engine.regWrite(vReg(0), 1n)).toThrow(RangeError);
    expect(() => engine.readQ(xReg(0))).toThrow(RangeError);
    expect(() => engine.writeQ(qReg(0), new Uint8Array(8))).toThrow(/16 bytes/);
    // Unicorn 2.0.1 ignores unknown register ids silently (reads leave the buffer alone: 0), so no error to map.
    expect(engine.regRead(9999)).toBe(0n);
    engine.close();
    expect(() => engine.regRead(xReg(0))).toThrow(UnicornError);
    expect(() => engine.regRead(xReg(0))).toThrow('uc_reg_read(199): UC_ERR_HANDLE (the engine is closed)');
  });
});
