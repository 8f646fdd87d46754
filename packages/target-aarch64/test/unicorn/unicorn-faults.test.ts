/** Faults stop emulation and surface as typed UnicornFault errors with the kind, the address and the pc. */
import { describe, expect, it } from 'vitest';
import {
  ARM64_EXCP_BKPT,
  ARM64_EXCP_SWI,
  Arm64Reg,
  UC_MEM_READ_UNMAPPED,
  UC_PROT_ALL,
  UC_PROT_READ,
  UC_PROT_WRITE,
  UcErr,
  UnicornFault,
  xReg,
  type StartOptions,
  type UnicornEngine,
} from '../../src/unicorn/index.js';
import { CODE, engineWithCode, load, words } from './helpers.js';

const NOP = 0xd503201f;
const ADD_X0_1 = 0x91000400; // add x0, x0, #1
const LDR_X2_X3 = 0xf9400062; // ldr x2, [x3]
const STR_X2_X3 = 0xf9000062; // str x2, [x3]
const BR_X3 = 0xd61f0060; // br x3
const DATA = 0x4_0000n;

/**
 * Runs from CODE expecting a fault. The default time budget only guards against a binding bug turning a fault
 * into an endless retry (a sync native call cannot be interrupted by the test timeout); it never expires here.
 */
function fault(
  engine: UnicornEngine,
  until: bigint,
  options: StartOptions = { timeoutMicros: 10_000_000 },
): UnicornFault {
  try {
    const result = engine.start(CODE, until, options);
    throw new Error(`expected a fault, run ended with ${result.reason} at 0x${result.pc.toString(16)}`);
  } catch (e) {
    if (!(e instanceof UnicornFault)) throw e;
    return e;
  }
}

describe('memory faults', () => {
  it('unmapped read: kind, address, size; pc is the start of the faulting block', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(ADD_X0_1, ADD_X0_1, LDR_X2_X3, NOP));
    engine.regWrite(xReg(3), 0x5_0008n);
    const f = fault(engine, CODE + 12n, {});
    expect(f).toMatchObject({
      kind: 'read-unmapped',
      code: UcErr.UC_ERR_READ_UNMAPPED,
      codeName: 'UC_ERR_READ_UNMAPPED',
      address: 0x5_0008n,
      size: 8,
      pc: CODE,
      pcPrecise: false,
    });
    expect(f.message).toBe(
      'uc_emu_start(0x10000, 0x1000c, 0, 0): UC_ERR_READ_UNMAPPED (Invalid memory read) — read-unmapped at 0x50008 ' +
        '(8 bytes), pc 0x10000 (start of the faulting block)',
    );
    expect(engine.regRead(xReg(0))).toBe(2n); // the instructions before the load did run
  });

  it('precisePc (or a count) makes the pc of a data fault exact', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(ADD_X0_1, ADD_X0_1, LDR_X2_X3, NOP));
    engine.regWrite(xReg(3), 0x5_0008n);
    expect(fault(engine, CODE + 12n, { precisePc: true })).toMatchObject({ pc: CODE + 8n, pcPrecise: true });
    const counted = engineWithCode();
    load(counted, CODE, words(ADD_X0_1, ADD_X0_1, LDR_X2_X3, NOP));
    counted.regWrite(xReg(3), 0x5_0008n);
    expect(fault(counted, CODE + 12n, { count: 1000 })).toMatchObject({ pc: CODE + 8n, pcPrecise: true });
  });

  it('unmapped write reports the value being stored', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(STR_X2_X3, NOP));
    engine.regWrite(xReg(2), 0xfedc_ba98_7654_3210n);
    engine.regWrite(xReg(3), 0x6_0000n);
    expect(fault(engine, CODE + 4n)).toMatchObject({
      kind: 'write-unmapped',
      code: UcErr.UC_ERR_WRITE_UNMAPPED,
      address: 0x6_0000n,
      size: 8,
      value: 0xfedc_ba98_7654_3210n,
      pc: CODE,
    });
  });

  it('narrow write values are reported zero-extended', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xb9000062, NOP)); // str w2, [x3]
    engine.regWrite(xReg(2), 0xffff_ffff_8000_0001n);
    engine.regWrite(xReg(3), 0x6_0004n);
    expect(fault(engine, CODE + 4n)).toMatchObject({ kind: 'write-unmapped', size: 4, value: 0x8000_0001n });
  });

  it('write to read-only memory', () => {
    const engine = engineWithCode();
    engine.memMap(DATA, 0x1000, UC_PROT_READ);
    load(engine, CODE, words(STR_X2_X3, NOP));
    engine.regWrite(xReg(3), DATA + 0x10n);
    expect(fault(engine, CODE + 4n)).toMatchObject({
      kind: 'write-protected',
      code: UcErr.UC_ERR_WRITE_PROT,
      address: DATA + 0x10n,
      size: 8,
    });
  });

  it('read of write-only memory', () => {
    const engine = engineWithCode();
    engine.memMap(DATA, 0x1000, UC_PROT_WRITE);
    load(engine, CODE, words(LDR_X2_X3, NOP));
    engine.regWrite(xReg(3), DATA + 8n);
    expect(fault(engine, CODE + 4n)).toMatchObject({
      kind: 'read-protected',
      code: UcErr.UC_ERR_READ_PROT,
      address: DATA + 8n,
    });
  });

  it('fetch from unmapped memory reports the target as address and pc', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(NOP, BR_X3));
    engine.regWrite(xReg(3), 0x7_0000n);
    expect(fault(engine, CODE + 8n)).toMatchObject({
      kind: 'fetch-unmapped',
      code: UcErr.UC_ERR_FETCH_UNMAPPED,
      address: 0x7_0000n,
      pc: 0x7_0000n,
      pcPrecise: true,
    });
  });

  it('fetch from non-executable memory', () => {
    const engine = engineWithCode();
    engine.memMap(DATA, 0x1000, UC_PROT_READ | UC_PROT_WRITE);
    load(engine, CODE, words(BR_X3));
    engine.regWrite(xReg(3), DATA);
    expect(fault(engine, CODE + 4n)).toMatchObject({
      kind: 'fetch-protected',
      code: UcErr.UC_ERR_FETCH_PROT,
      pc: DATA,
    });
  });

  it('starting at an unmapped address is a fetch fault', () => {
    const engine = engineWithCode();
    try {
      engine.start(0x9_0000n, 0x9_0010n);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ kind: 'fetch-unmapped', address: 0x9_0000n, pc: 0x9_0000n });
    }
  });

  it('an invalid-memory handler can map the page and let the access complete', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(LDR_X2_X3, NOP));
    engine.regWrite(xReg(3), 0x8_0010n);
    const seen: unknown[] = [];
    engine.onInvalidMemory((access) => {
      seen.push(access);
      engine.memMap(0x8_0000n, 0x1000, UC_PROT_ALL);
      engine.memWrite(0x8_0010n, words(0x1234_5678, 0x9abc_def0));
      return true;
    });
    expect(engine.start(CODE, CODE + 4n).reason).toBe('until');
    expect(engine.regRead(xReg(2))).toBe(0x9abc_def0_1234_5678n);
    expect(seen).toEqual([
      { kind: 'read-unmapped', type: UC_MEM_READ_UNMAPPED, address: 0x8_0010n, size: 8, value: 0n },
    ]);
  });

  it('handlers returning false leave the fault in place', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(LDR_X2_X3, NOP));
    engine.regWrite(xReg(3), 0x8_0010n);
    let calls = 0;
    engine.onInvalidMemory(() => (calls++, false));
    expect(fault(engine, CODE + 4n).kind).toBe('read-unmapped');
    expect(calls).toBe(1);
  });
});

describe('instruction faults', () => {
  it('an undefined instruction is UC_ERR_INSN_INVALID with its exact pc', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(ADD_X0_1, ADD_X0_1, 0x0000_0000, NOP)); // udf #0 at +8
    const f = fault(engine, CODE + 12n);
    expect(f).toMatchObject({
      kind: 'invalid-instruction',
      code: UcErr.UC_ERR_INSN_INVALID,
      codeName: 'UC_ERR_INSN_INVALID',
      pc: CODE + 8n,
      pcPrecise: true,
    });
    expect(f.message).toBe(
      'uc_emu_start(0x10000, 0x1000c, 10000000, 0): UC_ERR_INSN_INVALID (Invalid instruction) — ' +
        'invalid-instruction, pc 0x10008',
    );
    expect(engine.regRead(xReg(0))).toBe(2n);
  });

  it('hvc (no EL2 emulated) is an undefined instruction too', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(NOP, 0xd400_0022, NOP)); // hvc #1
    expect(fault(engine, CODE + 8n)).toMatchObject({ kind: 'invalid-instruction', pc: CODE + 4n });
  });

  it('an invalid-instruction handler that skips the instruction resumes the program', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(ADD_X0_1, 0x0000_dead, ADD_X0_1, NOP)); // udf #0xdead
    engine.regWrite(xReg(0), 0n);
    const seen: unknown[] = [];
    engine.onInvalidInstruction((e) => {
      seen.push(e);
      engine.regWrite(Arm64Reg.PC, e.pc + 4n);
      return true;
    });
    expect(engine.start(CODE, CODE + 12n, { timeoutMicros: 10_000_000 }).reason).toBe('until');
    expect(engine.regRead(xReg(0))).toBe(2n);
    expect(seen).toEqual([{ pc: CODE + 4n, instruction: 0xdead }]);
  });

  it('a handler claiming success without moving pc cannot hang the CPU', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x0000_0000, NOP));
    let calls = 0;
    engine.onInvalidInstruction(() => (calls++, true));
    expect(fault(engine, CODE + 4n).kind).toBe('invalid-instruction');
    expect(calls).toBe(1);
  });

  it('brk without an interrupt handler is an unhandled exception with intno 7 and pc at the brk', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(NOP, 0xd420_0060, NOP)); // brk #3
    expect(fault(engine, CODE + 8n)).toMatchObject({
      kind: 'exception',
      code: UcErr.UC_ERR_EXCEPTION,
      intno: ARM64_EXCP_BKPT,
      pc: CODE + 4n,
    });
  });

  it('brk whose handler neither moves pc nor stops is reported instead of retried forever', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xd420_0060, NOP));
    const intnos: number[] = [];
    engine.onInterrupt((e) => intnos.push(e.intno));
    expect(fault(engine, CODE + 4n)).toMatchObject({ kind: 'exception', intno: ARM64_EXCP_BKPT });
    expect(intnos).toEqual([ARM64_EXCP_BKPT]);
  });

  it('brk handled by moving pc continues', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xd420_0060, ADD_X0_1, NOP));
    engine.regWrite(xReg(0), 0n);
    engine.onInterrupt((e) => engine.regWrite(Arm64Reg.PC, e.pc + 4n));
    expect(engine.start(CODE, CODE + 8n, { timeoutMicros: 10_000_000 }).reason).toBe('until');
    expect(engine.regRead(xReg(0))).toBe(1n);
  });

  it('svc without any interrupt handler is an unhandled exception (pc after the svc)', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xd400_0841, NOP));
    expect(fault(engine, CODE + 4n)).toMatchObject({ kind: 'exception', intno: ARM64_EXCP_SWI, pc: CODE + 4n });
  });
});
