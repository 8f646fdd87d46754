/** close(): idempotent, releases every hook, safe from inside a hook; many engines come and go. */
import { describe, expect, it } from 'vitest';
import { UC_PROT_ALL, UcErr, UnicornEngine, UnicornError, xReg } from '../../src/unicorn/index.js';
import { CODE, engineWithCode, load, words } from './helpers.js';

describe('engine lifecycle', () => {
  it('close is idempotent and later calls fail with UC_ERR_HANDLE', () => {
    const engine = new UnicornEngine();
    expect(engine.closed).toBe(false);
    engine.close();
    engine.close();
    expect(engine.closed).toBe(true);
    expect(() => engine.memMap(CODE, 0x1000, UC_PROT_ALL)).toThrow(
      new UnicornError('uc_mem_map', '0x10000, 0x1000, RWX', UcErr.UC_ERR_HANDLE, 'the engine is closed'),
    );
    expect(() => engine.start(CODE, CODE + 4n)).toThrow(expect.objectContaining({ code: UcErr.UC_ERR_HANDLE }));
    expect(() => engine.onInterrupt(() => {})).toThrow(UnicornError);
    expect(() => engine.onCode(1n, 0n, () => {})).toThrow(UnicornError);
    engine.stop(); // harmless
  });

  it('releases every callback target, and the koffi callbacks with the last engine', () => {
    expect(UnicornEngine.liveCallbacks()).toEqual({ targets: 0, koffiCallbacks: 0 });
    const engine = new UnicornEngine();
    engine.memMap(CODE, 0x1000, UC_PROT_ALL);
    engine.onCode(CODE, CODE + 8n, () => {});
    engine.onBlock(1n, 0n, () => {});
    engine.onInterrupt(() => {});
    // 3 internal hooks + 2 native user hooks; 4 koffi callbacks shared by all engines
    expect(UnicornEngine.liveCallbacks()).toEqual({ targets: 5, koffiCallbacks: 4 });
    const extra = engine.onCode(CODE, CODE, () => {});
    engine.removeHook(extra);
    const other = new UnicornEngine();
    expect(UnicornEngine.liveCallbacks()).toEqual({ targets: 8, koffiCallbacks: 4 });
    engine.close();
    expect(UnicornEngine.liveCallbacks()).toEqual({ targets: 3, koffiCallbacks: 4 });
    engine.removeHook(extra); // after close: nothing to do
    other.close();
    expect(UnicornEngine.liveCallbacks()).toEqual({ targets: 0, koffiCallbacks: 0 });
    // Callbacks are registered again for the next engine.
    const again = new UnicornEngine();
    again.memMap(CODE, 0x1000, UC_PROT_ALL);
    again.memWrite(CODE, words(0xd4000021, 0xd503201f));
    let calls = 0;
    again.onInterrupt(() => calls++);
    again.start(CODE, CODE + 4n);
    again.close();
    expect(calls).toBe(1);
  });

  it('close() from a hook stops the run, closes when start() returns, and no hook runs afterwards', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0x91000400, 0xd4000021, 0x91000400, 0xd4000021, 0xd503201f)); // add; svc #1; add; svc #1
    engine.regWrite(xReg(0), 0n);
    let calls = 0;
    engine.onInterrupt(() => {
      calls++;
      engine.close();
      expect(engine.closed).toBe(false); // deferred while running
    });
    expect(engine.start(CODE, CODE + 16n)).toEqual({ reason: 'stopped', pc: CODE + 8n, budgetExhausted: false });
    expect(engine.closed).toBe(true);
    expect(calls).toBe(1);
  });

  it('a hook can remove itself', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xd4000021, 0xd4000021, 0xd4000021, 0xd503201f)); // svc #1 ×3
    const seen: bigint[] = [];
    const self = engine.onInterrupt((e) => {
      seen.push(e.pc);
      engine.removeHook(self);
    });
    engine.onInterrupt(() => {}); // keeps later svcs handled
    engine.start(CODE, CODE + 12n);
    expect(seen).toEqual([CODE + 4n]);
  });

  it('opens and closes many engines without leaking callback targets', () => {
    for (let i = 0; i < 40; i++) {
      const engine = new UnicornEngine();
      engine.memMap(CODE, 0x1000, UC_PROT_ALL);
      engine.memWrite(CODE, words(0xd2800000 | (i << 5), 0xd503201f)); // mov x0, #i
      engine.onCode(CODE, CODE, () => {});
      engine.start(CODE, CODE + 4n);
      expect(engine.regRead(xReg(0))).toBe(BigInt(i));
      engine.close();
    }
    expect(UnicornEngine.liveCallbacks()).toEqual({ targets: 0, koffiCallbacks: 0 });
  });
});
