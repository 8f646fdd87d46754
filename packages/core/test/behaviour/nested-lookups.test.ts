/**
 * A materializer that awaits a nested lookup (of a symbol provided by another asynchronous unit) does not deadlock,
 * under every dispatcher, including a queueing dispatcher capped to one materialization at a time.
 */
import { describe, expect, it } from 'vitest';
import {
  QueueingTaskDispatcher,
  SimpleMaterializationUnit,
  SymbolState,
  type JITDylib,
  type TaskDispatcher,
} from '@orc-ts/core';
import { X, dispatchers, makeSession, turns, withinSafetyNet } from './helpers.js';

const withCap: ReadonlyArray<readonly [string, () => TaskDispatcher]> = [
  ...dispatchers,
  ['QueueingTaskDispatcher, maxConcurrentMaterializations 1', () => new QueueingTaskDispatcher({ maxConcurrentMaterializations: 1 })],
  ['QueueingTaskDispatcher, maxConcurrentMaterializations 2', () => new QueueingTaskDispatcher({ maxConcurrentMaterializations: 2 })],
];

/** Defines `name` whose asynchronous materializer first looks up `needs` (if any) and lands 0x10 after the last. */
function defineChained(jd: JITDylib, name: string, needs: readonly string[], base: bigint, calls: Map<string, number>): void {
  jd.define(
    new SimpleMaterializationUnit(new Map([[name, X]]), {
      name,
      materialize: async (mr) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        await turns(1);
        const es = mr.getExecutionSession();
        let address = base;
        if (needs.length) {
          const deps = await es.lookup(jd, needs);
          for (const n of needs) address += deps.get(n)!.address;
        }
        mr.notifyResolved(new Map([[name, { address, flags: X }]]));
        mr.notifyEmitted(needs.length ? [{ symbols: [name], dependencies: new Map([[jd, needs]]) }] : []);
      },
    }),
  );
}

describe.each(withCap)('nested lookups (%s)', (_name, makeDispatcher) => {
  it('a materializer awaiting a lookup of a symbol from another asynchronous unit completes', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const calls = new Map<string, number>();
    defineChained(jd, 'a', ['b'], 0x1000n, calls);
    defineChained(jd, 'b', [], 0x20n, calls);
    const a = await withinSafetyNet(es.lookup(jd, 'a'), 'nested lookup deadlocked');
    expect(a.address).toBe(0x1020n);
    expect(calls).toEqual(
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
    );
    expect(jd.getSymbolInfo('b')?.state).toBe(SymbolState.Ready);
    expect(reported).toEqual([]);
  });

  it('a chain of five nested lookups completes', async () => {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const calls = new Map<string, number>();
    for (let i = 0; i < 5; i++) defineChained(jd, `s${i}`, i < 4 ? [`s${i + 1}`] : [], 1n << BigInt(4 * i), calls);
    const s0 = await withinSafetyNet(es.lookup(jd, 's0'), 'nested chain deadlocked');
    expect(s0.address).toBe(0x11111n);
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('a diamond of nested lookups materializes the shared symbol once', async () => {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const calls = new Map<string, number>();
    defineChained(jd, 'top', ['left', 'right'], 0n, calls);
    defineChained(jd, 'left', ['shared'], 0x100n, calls);
    defineChained(jd, 'right', ['shared'], 0x200n, calls);
    defineChained(jd, 'shared', [], 1n, calls);
    const top = await withinSafetyNet(es.lookup(jd, 'top'), 'diamond deadlocked');
    expect(top.address).toBe(0x302n);
    expect(calls.get('shared')).toBe(1);
    expect([...calls.values()]).toEqual([1, 1, 1, 1]);
  });

  it('a materializer awaiting a symbol whose materialization the same top-level lookup already queued completes', async () => {
    // One lookup triggers both units; a's materializer then waits on b, which is queued behind it.
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const calls = new Map<string, number>();
    defineChained(jd, 'a', ['b'], 0x1000n, calls);
    defineChained(jd, 'b', [], 0x30n, calls);
    const r = await withinSafetyNet(es.lookup(jd, ['a', 'b']), 'nested lookup of an already queued unit deadlocked');
    expect(r.get('a')?.address).toBe(0x1030n);
    expect(r.get('b')?.address).toBe(0x30n);
    expect([...calls.values()]).toEqual([1, 1]);
    expect(reported).toEqual([]);
  });

  it('independent top-level lookups each awaiting nested lookups all complete', async () => {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const calls = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      defineChained(jd, `outer${i}`, [`inner${i}`], 0x1000n * BigInt(i + 1), calls);
      defineChained(jd, `inner${i}`, [], BigInt(i + 1), calls);
    }
    const results = await withinSafetyNet(
      Promise.all([0, 1, 2, 3].map((i) => es.lookup(jd, `outer${i}`))),
      'parallel nested lookups deadlocked',
    );
    expect(results.map((r) => r.address)).toEqual([0x1001n, 0x2002n, 0x3003n, 0x4004n]);
    expect([...calls.values()].every((c) => c === 1)).toBe(true);
  });
});

describe('QueueingTaskDispatcher cap', () => {
  it('runs at most maxConcurrentMaterializations top-level asynchronous materializations at once', async () => {
    const { es } = makeSession(new QueueingTaskDispatcher({ maxConcurrentMaterializations: 2 }));
    const jd = es.createJITDylib('JD');
    let running = 0;
    let maxRunning = 0;
    for (let i = 0; i < 6; i++) {
      jd.define(
        new SimpleMaterializationUnit(new Map([[`s${i}`, X]]), {
          materialize: async (mr) => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            await turns(2);
            running--;
            mr.notifyResolved(new Map([[`s${i}`, { address: BigInt(i + 1), flags: X }]]));
            mr.notifyEmitted();
          },
        }),
      );
    }
    const r = await withinSafetyNet(es.lookup(jd, ['s0', 's1', 's2', 's3', 's4', 's5']), 'capped lookups hung');
    expect(r.size).toBe(6);
    expect(maxRunning).toBe(2);
  });
});
