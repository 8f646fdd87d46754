import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols, ExecutionSession, FailedToMaterialize, JITDylibLookupFlags, JITSymbolFlags, LookupState,
  MaterializationResponsibility, reexports, SimpleMaterializationUnit, SymbolState, symbolAliases, SymbolsNotFound,
  UnsatisfiedSymbolDependencies, QueueingTaskDispatcher,
} from '@orc-ts/core';

const X = JITSymbolFlags.Exported;
describe('smoke', () => {
  it('absolute + lookup', async () => {
    const es = new ExecutionSession();
    const jd = es.createJITDylib('main');
    jd.define(absoluteSymbols(new Map([['foo', { address: 0x1000n, flags: X }]])));
    expect((await es.lookup(jd, 'foo')).address).toBe(0x1000n);
    await expect(es.lookup(jd, 'bar')).rejects.toBeInstanceOf(SymbolsNotFound);
  });
  it('ring dependencies become ready together', async () => {
    const es = new ExecutionSession();
    const jd = es.createJITDylib('main');
    const N = 50;
    const mrs: MaterializationResponsibility[] = [];
    for (let i = 0; i < N; i++) {
      jd.define(new SimpleMaterializationUnit(new Map([[`s${i}`, X]]), { materialize: (mr) => { mrs[i] = mr; } }));
    }
    const p = es.lookup(jd, Array.from({ length: N }, (_, i) => `s${i}`));
    let done = false; void p.then(() => { done = true; });
    for (let i = 0; i < N; i++) {
      mrs[i]!.notifyResolved(new Map([[`s${i}`, { address: BigInt(i + 1), flags: X }]]));
      mrs[i]!.notifyEmitted([{ symbols: [`s${i}`], dependencies: new Map([[jd, [`s${(i + 1) % N}`]]]) }]);
      await Promise.resolve();
      if (i < N - 1) { expect(done).toBe(false); expect(jd.getSymbolInfo(`s${i}`)!.state).toBe(SymbolState.Emitted); }
    }
    const m = await p;
    expect(m.size).toBe(N);
    for (let i = 0; i < N; i++) expect(jd.getSymbolInfo(`s${i}`)!.state).toBe(SymbolState.Ready);
  });
  it('failure propagates to emitted dependants', async () => {
    const es = new ExecutionSession({ errorReporter: () => {} });
    const jd = es.createJITDylib('main');
    let fooMR!: MaterializationResponsibility, barMR!: MaterializationResponsibility;
    jd.define(new SimpleMaterializationUnit(new Map([['foo', X]]), { materialize: (mr) => { fooMR = mr; } }));
    jd.define(new SimpleMaterializationUnit(new Map([['bar', X]]), { materialize: (mr) => { barMR = mr; } }));
    const pf = es.lookup(jd, 'foo'); const pb = es.lookup(jd, 'bar');
    fooMR.notifyResolved(new Map([['foo', { address: 1n, flags: X }]]));
    fooMR.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) }]);
    barMR.failMaterialization();
    await expect(pf).rejects.toBeInstanceOf(FailedToMaterialize);
    await expect(pb).rejects.toBeInstanceOf(FailedToMaterialize);
    await expect(es.lookup(jd, 'foo')).rejects.toBeInstanceOf(FailedToMaterialize);
  });
  it('emit depending on failed symbol', async () => {
    const es = new ExecutionSession({ errorReporter: () => {} });
    const jd = es.createJITDylib('main');
    let fooMR!: MaterializationResponsibility, barMR!: MaterializationResponsibility;
    jd.define(new SimpleMaterializationUnit(new Map([['foo', X]]), { materialize: (mr) => { fooMR = mr; } }));
    jd.define(new SimpleMaterializationUnit(new Map([['bar', X]]), { materialize: (mr) => { barMR = mr; } }));
    const pf = es.lookup(jd, 'foo'); const pb = es.lookup(jd, 'bar');
    barMR.failMaterialization();
    await expect(pb).rejects.toBeInstanceOf(FailedToMaterialize);
    fooMR.notifyResolved(new Map([['foo', { address: 1n, flags: X }]]));
    expect(() => fooMR.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) }])).toThrow(UnsatisfiedSymbolDependencies);
    fooMR.failMaterialization();
    await expect(pf).rejects.toBeInstanceOf(FailedToMaterialize);
  });
  it('aliases and reexports, queueing dispatcher', async () => {
    const es = new ExecutionSession({ dispatcher: new QueueingTaskDispatcher() });
    const jd = es.createJITDylib('a');
    const jd2 = es.createJITDylib('b');
    jd.define(absoluteSymbols(new Map([['foo', { address: 1n, flags: X }]])));
    jd.define(symbolAliases(new Map([['bar', { aliasee: 'foo', aliasFlags: X }], ['baz', { aliasee: 'bar', aliasFlags: X }]])));
    jd2.define(reexports(jd, new Map([['qux', { aliasee: 'baz', aliasFlags: X }]])));
    const r = await es.lookup(jd, ['bar', 'baz']);
    expect(r.get('baz')!.address).toBe(1n);
    expect((await es.lookup(jd2, 'qux')).address).toBe(1n);
  });
  it('async generator', async () => {
    const es = new ExecutionSession();
    const jd = es.createJITDylib('main');
    jd.addGenerator({
      async tryToGenerate(_ls: LookupState, _k, j, _f, set) {
        await new Promise((r) => setTimeout(r, 1));
        j.define(absoluteSymbols(new Map(set.getSymbolNames().filter((n) => n.startsWith('g')).map((n) => [n, { address: 7n, flags: X }]))));
      },
    });
    expect((await es.lookup([[jd, JITDylibLookupFlags.MatchAllSymbols]], ['g1', 'g2'])).size).toBe(2);
  });
  it('dropped async MR fails', async () => {
    const errors: unknown[] = [];
    const es = new ExecutionSession({ errorReporter: (e) => errors.push(e) });
    const jd = es.createJITDylib('main');
    jd.define(new SimpleMaterializationUnit(new Map([['foo', X]]), { materialize: async () => {} }));
    await expect(es.lookup(jd, 'foo')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(errors.length).toBe(1);
  });
});

describe('notifyEmitted with one-shot iterables', () => {
  it('reads each group once (map.keys() as symbols)', async () => {
    const es = new ExecutionSession();
    const jd = es.createJITDylib('main');
    const table = new Map([['a', 1n], ['b', 2n]]);
    jd.define(new SimpleMaterializationUnit(new Map([['a', X], ['b', X]]), {
      materialize: (mr) => {
        mr.notifyResolved(new Map([...table].map(([n, a]) => [n, { address: a, flags: X }])));
        mr.notifyEmitted([{ symbols: table.keys(), dependencies: new Map([[jd, new Set<string>().values()]]) }]);
      },
    }));
    const r = await es.lookup(jd, ['a', 'b']);
    expect(r.get('a')!.address).toBe(1n);
    expect(r.get('b')!.address).toBe(2n);
  });
});
