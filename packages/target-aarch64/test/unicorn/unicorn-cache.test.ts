/**
 * Unicorn 2.0.1's translation cache: rewritten code keeps running its old translation until the range is dropped.
 *
 * Layout: a caller at CODE does `bl F; nop` and runs until the nop, so the block holding `until` (which 2.0.1
 * drops after every run) is the caller's, never F's; F is `mov x0, #k; ret` on its own page.
 */
import { describe, expect, it } from 'vitest';
import {
  UC_PROT_ALL,
  UC_PROT_READ,
  UC_PROT_WRITE,
  UcErr,
  UnicornError,
  xReg,
  type UnicornEngine,
} from '../../src/unicorn/index.js';
import { CODE, engineWithCode, load, words } from './helpers.js';

const F = CODE + 0x1000n;
const RET = 0xd65f03c0;
const movX0 = (k: number) => 0xd2800000 | (k << 5); // mov x0, #k

function setUp(): UnicornEngine {
  const engine = engineWithCode();
  load(engine, CODE, words(0x94000400, 0xd503201f)); // bl F (+0x1000); nop
  engine.memWrite(F, words(movX0(1), RET));
  return engine;
}

function callF(engine: UnicornEngine): bigint {
  engine.regWrite(xReg(0), 0n);
  expect(engine.start(CODE, CODE + 4n).reason).toBe('until');
  return engine.regRead(xReg(0));
}

describe('translation cache', () => {
  it('memWrite over code that ran keeps executing the stale translation until removeCache', () => {
    const engine = setUp();
    expect(callF(engine)).toBe(1n);
    engine.memWrite(F, words(movX0(2), RET));
    expect(engine.memRead(F, 4)).toEqual(words(movX0(2)));
    expect(callF(engine)).toBe(1n); // stale: memory says 2, the translation says 1
    engine.removeCache(F, F + 8n);
    expect(callF(engine)).toBe(2n);
  });

  it('removeCache must cover the rewritten bytes: a disjoint range leaves the stale block', () => {
    const engine = setUp();
    expect(callF(engine)).toBe(1n);
    engine.memWrite(F, words(movX0(3), RET));
    engine.removeCache(F + 0x100n, F + 0x200n);
    expect(callF(engine)).toBe(1n);
    engine.removeCache(F + 4n, F + 5n); // any byte of the block drops the whole block
    expect(callF(engine)).toBe(3n);
  });

  it('removeCache spanning several mappings reaches every one of them', () => {
    // 2.0.1's uc_ctl_remove_cache only reaches the mapping holding `begin`; the binding splits per mapping.
    const engine = engineWithCode();
    const A = 0x20_0000n;
    const B = 0x20_2000n;
    engine.memMap(B, 0x1000, UC_PROT_ALL); // mapped before A: separate RAM blocks in reverse order
    engine.memMap(A + 0x1000n, 0x1000, UC_PROT_ALL);
    engine.memMap(A, 0x1000, UC_PROT_ALL);
    // caller: bl A; mov x1, x0; bl B; nop
    const bl = (from: bigint, to: bigint) => 0x94000000 | (Number((to - from) / 4n) & 0x3ffffff);
    load(engine, CODE, words(bl(CODE, A), 0xaa0003e1, bl(CODE + 8n, B), 0xd503201f));
    const run = () => {
      engine.start(CODE, CODE + 12n);
      return [engine.regRead(xReg(1)), engine.regRead(xReg(0))];
    };
    engine.memWrite(A, words(movX0(1), RET));
    engine.memWrite(B, words(movX0(2), RET));
    expect(run()).toEqual([1n, 2n]);
    engine.memWrite(A, words(movX0(3), RET));
    engine.memWrite(B, words(movX0(4), RET));
    expect(run()).toEqual([1n, 2n]);
    engine.removeCache(A, B + 0x1000n);
    expect(run()).toEqual([3n, 4n]);
  });

  it('a guest store into code that ran does invalidate its translation', () => {
    const engine = engineWithCode();
    load(engine, CODE, words(0xb9000041, 0x94000000 | 0x3ff, 0xd503201f)); // str w1, [x2]; bl F; nop
    engine.memWrite(F, words(movX0(1), RET));
    engine.regWriteBatch([xReg(1), xReg(2)], [BigInt(movX0(1)), F]);
    engine.start(CODE, CODE + 8n);
    expect(engine.regRead(xReg(0))).toBe(1n);
    engine.regWrite(xReg(1), BigInt(movX0(7)));
    engine.start(CODE, CODE + 8n);
    expect(engine.regRead(xReg(0))).toBe(7n);
  });

  it('flushCache drops every translation', () => {
    const engine = setUp();
    expect(callF(engine)).toBe(1n);
    engine.memWrite(F, words(movX0(5), RET));
    engine.flushCache();
    expect(callF(engine)).toBe(5n);
  });

  it('memUnmap drops translations, so a page mapped again at the same address runs its new code', () => {
    // Raw 2.0.1 runs the old translation after uc_mem_unmap + uc_mem_map + uc_mem_write.
    const engine = setUp();
    expect(callF(engine)).toBe(1n);
    engine.memUnmap(F, 0x1000); // splits the code mapping around F's page
    engine.memMap(F, 0x1000, UC_PROT_ALL);
    engine.memWrite(F, words(movX0(6), RET));
    expect(callF(engine)).toBe(6n);
  });

  it('memProtect drops translations, so removing execute permission takes effect', () => {
    // Raw 2.0.1 keeps running the translated code of a page made non-executable.
    const engine = setUp();
    expect(callF(engine)).toBe(1n);
    engine.memProtect(F, 0x1000, UC_PROT_READ | UC_PROT_WRITE);
    expect(() => callF(engine)).toThrow(expect.objectContaining({ kind: 'fetch-protected', pc: F }));
    engine.memProtect(F, 0x1000, UC_PROT_ALL);
    expect(callF(engine)).toBe(1n);
  });

  it('a code hook added after the code was translated still sees it', () => {
    // 2.0.1 compiles hooks into translations; the binding drops translations when a hook is added.
    const engine = setUp();
    expect(callF(engine)).toBe(1n);
    const seen: bigint[] = [];
    engine.onCode(F, F + 4n, (address) => seen.push(address));
    expect(callF(engine)).toBe(1n);
    expect(seen).toEqual([F, F + 4n]);
  });

  it('rejects an empty range like uc_ctl does', () => {
    const engine = setUp();
    expect(() => engine.removeCache(F, F)).toThrow(UnicornError);
    expect(() => engine.removeCache(F, F)).toThrow(
      expect.objectContaining({
        code: UcErr.UC_ERR_ARG,
        message: 'uc_ctl_remove_cache(0x11000, 0x11000): UC_ERR_ARG (Invalid argument)',
      }),
    );
  });
});
