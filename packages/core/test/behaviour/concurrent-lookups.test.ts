/**
 * Concurrent lookups racing on one symbol materialize it exactly once, whether the materializer is synchronous or
 * asynchronous, whichever dispatcher runs it, and whether the symbol comes from a unit or from a generator.
 */
import { describe, expect, it } from 'vitest';
import {
  JITDylibLookupFlags,
  SimpleMaterializationUnit,
  SymbolState,
  absoluteSymbols,
  type DefinitionGenerator,
  type ExecutorSymbolDef,
  type MaterializationResponsibility,
} from '@orc-ts/core';
import { X, dispatchers, drain, makeSession, observe, turns, withinSafetyNet } from './helpers.js';

describe.each(dispatchers)('concurrent lookups (%s)', (_name, makeDispatcher) => {
  it('overlapping lookups of a synchronously materialized symbol materialize it once', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    let calls = 0;
    jd.define(
      new SimpleMaterializationUnit(new Map([['foo', X]]), {
        materialize: (mr) => {
          calls++;
          mr.notifyResolved(new Map([['foo', { address: 0x1000n, flags: X }]]));
          mr.notifyEmitted();
        },
      }),
    );
    const lookups = Array.from({ length: 10 }, () => es.lookup(jd, 'foo'));
    const results = await withinSafetyNet(Promise.all(lookups), 'lookups hung');
    expect(results.map((r) => r.address)).toEqual(Array(10).fill(0x1000n));
    expect(calls).toBe(1);
    expect(reported).toEqual([]);
  });

  it('overlapping lookups of an asynchronously materialized symbol, before, during and after, materialize it once', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inMaterializer = new Promise<void>((r) => (started = r));
    jd.define(
      new SimpleMaterializationUnit(
        new Map([
          ['foo', X],
          ['bar', X],
        ]),
        {
          materialize: async (mr) => {
            calls++;
            started();
            await gate;
            mr.notifyResolved(new Map([['foo', { address: 0x1000n, flags: X }]]));
            await turns(1);
            mr.notifyResolved(new Map([['bar', { address: 0x2000n, flags: X }]]));
            await turns(1);
            mr.notifyEmitted();
          },
        },
      ),
    );

    const before = [
      observe(es.lookup(jd, 'foo')),
      observe(es.lookup(jd, ['foo', 'bar'])),
      observe(es.lookup(jd, 'bar')),
      observe(es.lookup(jd, 'foo', { requiredState: SymbolState.Resolved })),
    ];
    await withinSafetyNet(inMaterializer, 'materializer never started');
    const during = [observe(es.lookup(jd, ['bar', 'foo'])), observe(es.lookup(jd, 'foo'))];
    expect(jd.getSymbolInfo('foo')?.state).toBe(SymbolState.Materializing);
    expect([...before, ...during].some((o) => o.settled)).toBe(false);

    release();
    await withinSafetyNet(drain(es), 'dispatcher never drained');
    const after = await es.lookup(jd, ['foo', 'bar']);

    for (const o of [...before, ...during]) {
      expect(o.error).toBeUndefined();
      expect(o.settled).toBe(true);
    }
    const single = (o: (typeof before)[number]): bigint => (o.value as ExecutorSymbolDef).address;
    expect(single(before[0]!)).toBe(0x1000n);
    expect(single(before[2]!)).toBe(0x2000n);
    expect(single(before[3]!)).toBe(0x1000n);
    for (const o of [before[1]!, during[0]!]) {
      const m = o.value as Map<string, ExecutorSymbolDef>;
      expect(m.get('foo')?.address).toBe(0x1000n);
      expect(m.get('bar')?.address).toBe(0x2000n);
    }
    expect(after.get('bar')?.address).toBe(0x2000n);
    expect(calls).toBe(1);
    expect(reported).toEqual([]);
  });

  it('a Resolved lookup completes before emission while Ready lookups of the same symbol still wait', async () => {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    let mr: MaterializationResponsibility | undefined;
    let calls = 0;
    jd.define(
      new SimpleMaterializationUnit(new Map([['foo', X]]), {
        materialize: (r) => {
          calls++;
          mr = r;
        },
      }),
    );
    const ready = [observe(es.lookup(jd, 'foo')), observe(es.lookup(jd, 'foo'))];
    const resolved = observe(es.lookup(jd, 'foo', { requiredState: SymbolState.Resolved }));
    await drain(es);
    mr!.notifyResolved(new Map([['foo', { address: 7n, flags: X }]]));
    await drain(es);
    expect(resolved.value?.address).toBe(7n);
    expect(ready.map((o) => o.settled)).toEqual([false, false]);
    mr!.notifyEmitted();
    await drain(es);
    expect(ready.map((o) => o.value?.address)).toEqual([7n, 7n]);
    expect(calls).toBe(1);
  });

  it('lookups racing through an asynchronous generator generate and materialize the symbol once', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    let generated = 0;
    let materialized = 0;
    const generator: DefinitionGenerator = {
      async tryToGenerate(_ls, _kind, target, _flags, set) {
        await turns(1);
        for (const name of set.getSymbolNames()) {
          if (name !== 'gen') continue;
          generated++;
          target.define(
            new SimpleMaterializationUnit(new Map([['gen', X]]), {
              materialize: async (mr) => {
                materialized++;
                await turns(1);
                mr.notifyResolved(new Map([['gen', { address: 0x4000n, flags: X }]]));
                mr.notifyEmitted();
              },
            }),
          );
        }
      },
    };
    jd.addGenerator(generator);
    const order = [[jd, JITDylibLookupFlags.MatchAllSymbols]] as const;
    const results = await withinSafetyNet(
      Promise.all(Array.from({ length: 6 }, () => es.lookup(order, 'gen'))),
      'generator lookups hung',
    );
    expect(results.map((r) => r.address)).toEqual(Array(6).fill(0x4000n));
    expect(generated).toBe(1);
    expect(materialized).toBe(1);
    expect(reported).toEqual([]);
  });

  it('many symbols of one unit looked up in many overlapping subsets materialize the unit once', async () => {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const names = ['a', 'b', 'c', 'd', 'e'];
    let calls = 0;
    jd.define(
      new SimpleMaterializationUnit(new Map(names.map((n) => [n, X] as const)), {
        materialize: async (mr) => {
          calls++;
          for (const [i, n] of names.entries()) {
            await turns(1);
            mr.notifyResolved(new Map([[n, { address: BigInt(0x100 * (i + 1)), flags: X }]]));
          }
          mr.notifyEmitted();
        },
      }),
    );
    jd.define(absoluteSymbols(new Map([['abs', { address: 0x9000n, flags: X }]])));
    const subsets = [['a'], ['b', 'c'], ['e', 'a', 'abs'], ['d'], names, ['abs', 'c']];
    const results = await withinSafetyNet(Promise.all(subsets.map((s) => es.lookup(jd, s))), 'subset lookups hung');
    for (const [i, s] of subsets.entries()) {
      expect(Array.from(results[i]!.keys()).sort()).toEqual([...s].sort());
      for (const n of s) {
        expect(results[i]!.get(n)?.address).toBe(n === 'abs' ? 0x9000n : BigInt(0x100 * (names.indexOf(n) + 1)));
      }
    }
    expect(calls).toBe(1);
  });
});
