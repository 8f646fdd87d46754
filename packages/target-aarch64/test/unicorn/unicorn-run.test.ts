/** Running code: calls to a sentinel, `svc` host-call gates, stop/resume around async work, hooks and budgets. */
import { assembleAArch64 } from '@orc-ts/test-support';
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import {
  ARM64_EXCP_SWI,
  Arm64Reg,
  UC_ARCH_ARM64,
  UC_HOOK_INTR,
  UC_MODE_LITTLE_ENDIAN,
  UC_PROT_ALL,
  UnicornEngine,
  UnicornFault,
  loadUnicorn,
  xReg,
  type UcHandle,
} from '../../src/unicorn/index.js';
import { CODE, SENTINEL, engineWithCode, load, textSection, words } from './helpers.js';

const NOP = 0xd503201f;

describe('running code', () => {
  it('runs an assembled loop as a function call that returns to an unmapped sentinel', () => {
    const text = textSection(
      assembleAArch64(`
        .text
        .globl sum_squares
      sum_squares:            // x0 = sum of i*i for i in 1..x0
        mov x1, x0
        mov x0, #0
      1:
        madd x0, x1, x1, x0
        subs x1, x1, #1
        b.ne 1b
        ret
      `),
    );
    const engine = engineWithCode();
    load(engine, CODE, text);
    for (const n of [1n, 10n, 1000n]) {
      engine.regWrite(xReg(0), n);
      engine.regWrite(Arm64Reg.LR, SENTINEL);
      const result = engine.start(CODE, SENTINEL);
      expect(result).toEqual({ reason: 'until', pc: SENTINEL, budgetExhausted: false });
      expect(engine.regRead(xReg(0))).toBe((n * (n + 1n) * (2n * n + 1n)) / 6n);
    }
  });

  it('dispatches `svc #imm` with intno 2, the immediate and pc after the svc', () => {
    const engine = engineWithCode();
    load(
      engine,
      CODE,
      words(
        0xd2800000, // mov x0, #0
        0xd4000841, // svc #0x42
        0x91000400, // add x0, x0, #1
        0xd41fffe1, // svc #0xffff
        NOP,
      ),
    );
    const seen: { intno: number; pc: bigint; imm: number | undefined; x0: bigint }[] = [];
    engine.onInterrupt((e) =>
      seen.push({ intno: e.intno, pc: e.pc, imm: e.svcImmediate, x0: engine.regRead(xReg(0)) }),
    );
    expect(engine.start(CODE, CODE + 16n).reason).toBe('until');
    expect(seen).toEqual([
      { intno: ARM64_EXCP_SWI, pc: CODE + 8n, imm: 0x42, x0: 0n },
      { intno: ARM64_EXCP_SWI, pc: CODE + 16n, imm: 0xffff, x0: 1n },
    ]);
  });

  it('a synchronous host call writes x0 in the hook and execution continues after the svc', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xd2800140, 0xd4000021, 0x91000400, NOP)); // mov x0, #10; svc #1; add x0, x0, #1
    engine.onInterrupt((e) => {
      if (e.svcImmediate === 1) engine.regWrite(xReg(0), engine.regRead(xReg(0)) * 3n);
    });
    engine.start(CODE, CODE + 12n);
    expect(engine.regRead(xReg(0))).toBe(31n);
  });

  it('stop in the hook, await async work, write the result, resume at pc (the executor pattern)', async () => {
    const engine = engineWithCode();
    // x0 = 5; x0 = host_double(x0); x0 += 1; x0 = host_double(x0); x1 = host_add(x0, 100); return
    load(
      engine,
      CODE,
      words(
        0xd28000a0, // mov x0, #5
        0xd4000021, // svc #1            (double)
        0x91000400, // add x0, x0, #1
        0xd4000021, // svc #1            (double)
        0xd2800c81, // mov x1, #100
        0xd4000041, // svc #2            (add x0 + x1 -> x1)
        0xd65f03c0, // ret
      ),
    );
    let request: number | undefined;
    engine.onInterrupt((e) => {
      request = e.svcImmediate;
      engine.stop();
    });
    const handlers: Record<number, (args: bigint[]) => Promise<[number, bigint]>> = {
      1: async ([x0]) => [0, await new Promise<bigint>((r) => setTimeout(() => r(x0! * 2n), 1))],
      2: async ([x0, x1]) => [1, await Promise.resolve(x0! + x1!)],
    };
    engine.regWrite(Arm64Reg.LR, SENTINEL);
    let pc = CODE;
    const stops: bigint[] = [];
    for (;;) {
      const result = engine.start(pc, SENTINEL);
      if (result.reason === 'until') break;
      expect(result.reason).toBe('stopped');
      stops.push(result.pc);
      const [reg, value] = await handlers[request!]!(engine.regReadBatch([xReg(0), xReg(1)]));
      engine.regWrite(xReg(reg), value);
      pc = result.pc;
    }
    expect(stops).toEqual([CODE + 8n, CODE + 16n, CODE + 24n]);
    expect(engine.regRead(xReg(0))).toBe(22n);
    expect(engine.regRead(xReg(1))).toBe(122n);
  });

  it('a code hook sees each instruction of its inclusive range only; a block hook sees block starts', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x91000400, 0x91000400, 0x91000400, 0x91000400, NOP)); // add x0, x0, #1 ×4
    const code: [bigint, number][] = [];
    const blocks: bigint[] = [];
    const hook = engine.onCode(CODE + 4n, CODE + 8n, (address, size) => code.push([address, size]));
    engine.onBlock(1n, 0n, (address) => blocks.push(address));
    engine.start(CODE, CODE + 16n);
    expect(code).toEqual([
      [CODE + 4n, 4],
      [CODE + 8n, 4],
    ]);
    expect(blocks).toEqual([CODE]);
    engine.removeHook(hook);
    engine.removeHook(hook); // again: no effect
    code.length = 0;
    engine.start(CODE, CODE + 16n);
    expect(code).toEqual([]);
  });

  it('stop() in a code hook stops before that instruction executes', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x91000400, 0x91000400, 0x91000400, NOP));
    engine.regWrite(xReg(0), 0n);
    engine.onCode(CODE + 8n, CODE + 8n, () => engine.stop());
    expect(engine.start(CODE, CODE + 12n)).toEqual({ reason: 'stopped', pc: CODE + 8n, budgetExhausted: false });
    expect(engine.regRead(xReg(0))).toBe(2n);
  });

  it.each([
    ['code hook', (e: UnicornEngine, f: () => void) => e.onCode(CODE + 4n, CODE + 4n, f)],
    ['interrupt hook', (e: UnicornEngine, f: () => void) => e.onInterrupt(f)],
    [
      'invalid-memory hook',
      (e: UnicornEngine, f: () => void) => {
        e.onInterrupt(() => {});
        e.onInvalidMemory(() => (f(), true));
      },
    ],
  ])('an exception thrown in a %s stops emulation and is rethrown by start()', (_name, install) => {
    const engine = engineWithCode();
    engine.regWrite(xReg(3), 0x5_0000n); // unmapped
    // add x0,#1; svc #0; ldr x2,[x3]; add x0,#1; add x0,#1
    load(engine, CODE, words(0x91000400, 0xd4000001, 0xf9400062, 0x91000400, 0x91000400, NOP));
    engine.regWrite(xReg(0), 0n);
    const boom = new Error('boom');
    let calls = 0;
    install(engine, () => {
      calls++;
      throw boom;
    });
    expect(() => engine.start(CODE, CODE + 20n)).toThrow(boom);
    expect(calls).toBe(1);
    expect(engine.regRead(xReg(0))).toBe(1n); // nothing after the throwing hook ran
    // The engine is still usable and the error does not leak into the next run.
    load(engine, CODE, words(0x91000400, NOP));
    expect(engine.start(CODE, CODE + 4n).reason).toBe('until');
    expect(engine.regRead(xReg(0))).toBe(2n);
  });

  it('start() from a hook is refused (not reentrant)', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xd4000001, NOP));
    engine.onInterrupt(() => engine.start(CODE, CODE + 4n));
    expect(() => engine.start(CODE, CODE + 4n)).toThrow(/start\(\) called from a hook/);
  });

  it('two engines side by side keep their own memory, registers and hooks', () => {
    const a = engineWithCode();
    const b = engineWithCode();
    load(a, CODE, words(0xd2800020, 0xd4000021, NOP)); // mov x0, #1; svc #1
    load(b, CODE, words(0xd2800040, 0xd4000041, NOP)); // mov x0, #2; svc #2
    const seen: string[] = [];
    a.onInterrupt((e) => seen.push(`a:${e.svcImmediate}:${a.regRead(xReg(0))}`));
    b.onInterrupt((e) => seen.push(`b:${e.svcImmediate}:${b.regRead(xReg(0))}`));
    a.start(CODE, CODE + 8n);
    b.start(CODE, CODE + 8n);
    a.start(CODE, CODE + 8n);
    expect(seen).toEqual(['a:1:1', 'b:2:2', 'a:1:1']);
    b.close();
    a.start(CODE, CODE + 8n);
    expect(seen).toHaveLength(4);
  });
});

describe('budgets', () => {
  // mov x0, #0 ; 1: add x0, x0, #1 ; b 1b
  const LOOP = words(0xd2800000, 0x91000400, 0x17ffffff);
  // A run of LOOP that the binding failed to stop would never return (a sync native call cannot be interrupted
  // by the test timeout), so runs whose stop is under test also carry a generous time budget.
  const SAFETY = 10_000_000;

  it('count runs exactly that many instructions and reports the budget', () => {
    const engine = engineWithCode();
    load(engine, CODE, LOOP);
    const run = (begin: bigint, count: number) => engine.start(begin, 0x2_0000n, { count, timeoutMicros: SAFETY });
    expect(run(CODE, 10)).toEqual({ reason: 'count', pc: CODE + 8n, budgetExhausted: true });
    expect(engine.regRead(xReg(0))).toBe(5n); // mov + 5 × (add, b) = 11 > 10: the 5th b is not run
    expect(run(CODE + 8n, 4)).toEqual({ reason: 'count', pc: CODE + 8n, budgetExhausted: true });
    expect(engine.regRead(xReg(0))).toBe(7n);
    expect(run(CODE, 1).pc).toBe(CODE + 4n);
    expect(engine.regRead(xReg(0))).toBe(0n);
  });

  it('until reached within the count is reported as until', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x91000400, 0x91000400, NOP));
    expect(engine.start(CODE, CODE + 8n, { count: 100 })).toEqual({
      reason: 'until',
      pc: CODE + 8n,
      budgetExhausted: false,
    });
  });

  it('timeout stops a runaway loop and the run can be resumed', () => {
    const engine = engineWithCode();
    load(engine, CODE, LOOP);
    const t0 = performance.now();
    const result = engine.start(CODE, 0x2_0000n, { timeoutMicros: 20_000 });
    const elapsed = performance.now() - t0;
    expect(result.reason).toBe('timeout');
    expect(result.budgetExhausted).toBe(true);
    expect([CODE + 4n, CODE + 8n]).toContain(result.pc);
    expect(elapsed).toBeGreaterThanOrEqual(19);
    expect(elapsed).toBeLessThan(5_000);
    const first = engine.regRead(xReg(0));
    expect(first).toBeGreaterThan(1000n);
    // Resuming with a count after an uncounted run of the cached loop: 2.0.1 alone would ignore the count
    // (its counter hook is missing from the cached translation); the binding drops translations first.
    expect(engine.start(result.pc, 0x2_0000n, { count: 100, timeoutMicros: SAFETY }).reason).toBe('count');
    expect(engine.regRead(xReg(0))).toBeGreaterThan(first);
  });

  it('a timeout that does not expire is not reported', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x91000400, NOP));
    expect(engine.start(CODE, CODE + 4n, { timeoutMicros: 1_000_000 })).toEqual({
      reason: 'until',
      pc: CODE + 4n,
      budgetExhausted: false,
    });
  });

  it('`until` inside an already translated block: 2.0.1 runs past it unless the block is dropped first', () => {
    const engine = engineWithCode();
    load(engine, CODE, LOOP);
    const prime = () => expect(engine.start(CODE, 0x2_0000n, { timeoutMicros: 5_000 }).reason).toBe('timeout');
    // The loop's block [add; b] is cached from a run whose until was elsewhere.
    prime();
    expect(engine.start(CODE, CODE + 8n, { timeoutMicros: SAFETY }).reason).toBe('until');
    prime();
    const stale = engine.start(CODE, CODE + 8n, { timeoutMicros: 50_000, flushUntilBlock: false });
    expect(stale.reason).toBe('timeout'); // the cached loop never checks the new until
  });

  it('precisePc does not count as a budget', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x91000400, NOP));
    expect(engine.start(CODE, CODE + 4n, { precisePc: true }).reason).toBe('until');
  });
});

describe('faults are typed', () => {
  it('UnicornFault is a UnicornError', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x00000000)); // udf #0
    try {
      engine.start(CODE, CODE + 4n);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnicornFault);
    }
  });
});

describe('koffi callbacks without the guard', () => {
  // Why every hook is guarded: koffi returns 0 to C, skips later JS callbacks and rethrows only at the end.
  it('an exception escaping a raw callback skips later callbacks while emulation runs on', () => {
    const library = loadUnicorn();
    const n = library.native;
    const out: [UcHandle | null] = [null];
    expect(n.uc_open(UC_ARCH_ARM64, UC_MODE_LITTLE_ENDIAN, out)).toBe(0);
    const uc = out[0]!;
    let calls = 0;
    const callback = koffi.register(() => {
      calls++;
      throw new Error('escaped');
    }, library.callbackTypes.intr);
    try {
      n.uc_mem_map(uc, CODE, 0x1000n, UC_PROT_ALL);
      const code = words(0xd4000021, 0x91000400, 0xd4000021, 0x91000400, NOP); // (svc #1; add x0, x0, #1) ×2
      n.uc_mem_write(uc, CODE, code, code.length);
      expect(n.uc_hook_add(uc, new BigUint64Array(1), UC_HOOK_INTR, callback, 0, 1n, 0n)).toBe(0);
      expect(() => n.uc_emu_start(uc, CODE, CODE + 16n, 0n, 0n)).toThrow('escaped');
      expect(calls).toBe(1); // the second svc never reached JS
      const x0 = new BigUint64Array(2);
      n.uc_reg_read(uc, Arm64Reg.X0, x0);
      expect(x0[0]).toBe(2n); // yet both adds ran
    } finally {
      n.uc_close(uc);
      koffi.unregister(callback);
    }
  });
});
