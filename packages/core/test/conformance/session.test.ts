/** Conformance §10 items 1, 8, 47 and 48: error reporting, symbol removal, JITDylib removal, session teardown. */
import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols,
  ExecutionSession,
  FailedToMaterialize,
  formatSymbolDependenceMap,
  JITDylibDefunct,
  JITDylibState,
  OrcError,
  ResourceTrackerDefunct,
  SimpleMaterializationUnit,
  SymbolsCouldNotBeRemoved,
  SymbolsNotFound,
} from '@orc-ts/core';
import {
  barSym,
  bazSym,
  depMap,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  fooSym,
  makeFixture,
  observe,
  recordingUnit,
  resolveAndEmit,
  startLookup,
  symbolMap,
  X,
} from './fixture.js';

class CustomError extends Error {}

describe('#1 ErrorReporter', () => {
  it('#1 ErrorReporter: reportError reaches the installed reporter, which keeps its own state', () => {
    const es = new ExecutionSession();
    const state = { count: 0, seen: [] as unknown[] };
    es.setErrorReporter((e) => {
      state.count++;
      state.seen.push(e);
    });
    const err = new CustomError('custom');
    es.reportError(err);
    es.reportError(err);
    expect(state.count).toBe(2);
    expect(state.seen[0]).toBe(err);
    expect(state.seen[0]).toBeInstanceOf(CustomError);
  });

  it('#1 ErrorReporter: the reporter given to the constructor is used until replaced', () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    const es = new ExecutionSession({ errorReporter: (e) => first.push(e) });
    const a = new CustomError('a');
    const b = new CustomError('b');
    es.reportError(a);
    es.setErrorReporter((e) => second.push(e));
    es.reportError(b);
    expect(first).toEqual([a]);
    expect(second).toEqual([b]);
  });
});

describe.each(DISPATCHERS)('session and JITDylib removal ($name dispatcher)', (kind) => {
  it('#8 RemoveSymbolsTest: missing → SymbolsNotFound; materializing → SymbolsCouldNotBeRemoved; then removal discards the lazy unit', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    const bar = recordingUnit(flagsMap({ bar: X }), (mr) => resolveAndEmit(mr, symbolMap({ bar: barSym })));
    jd.define(bar.mu);
    const baz = recordingUnit(flagsMap({ baz: X }));
    jd.define(baz.mu);

    const q = startLookup(es, exportedOnly(jd), ['foo', 'baz']);
    await f.settle();
    expect(baz.materialized).toBe(1);

    let err: unknown;
    try {
      jd.remove(['foo', 'bar', 'baz', 'qux']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SymbolsNotFound);
    expect((err as SymbolsNotFound).symbols).toEqual(['qux']);

    err = undefined;
    try {
      jd.remove(['foo', 'bar', 'baz']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SymbolsCouldNotBeRemoved);
    expect((err as SymbolsCouldNotBeRemoved).symbols).toEqual(['baz']);
    // Failed removals change nothing.
    expect(jd.getSymbolNames().sort()).toEqual(['bar', 'baz', 'foo']);
    expect(bar.discarded).toEqual([]);
    expect(jd.getSymbolInfo('bar')!.materializerAttached).toBe(true);

    resolveAndEmit(baz.mr, symbolMap({ baz: bazSym }));
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();

    jd.remove(['foo', 'bar', 'baz']);
    expect(jd.getSymbolNames()).toEqual([]);
    expect(bar.discarded).toEqual(['bar']);
    expect(bar.disposed).toBe(1);
    expect(bar.materialized).toBe(0);
    expect(baz.discarded).toEqual([]);
    expect(baz.disposed).toBe(0);
  });

  it('#47 RemoveJITDylibs: removal succeeds, drops the lazy unit without discard, fails the pending query and the MR', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    const bar = recordingUnit(flagsMap({ bar: X }));
    jd.define(bar.mu);
    const baz = recordingUnit(flagsMap({ baz: X }));
    jd.define(baz.mu);

    expect(await es.lookup(jd, 'foo')).toEqual(fooSym);
    const q = startLookup(es, exportedOnly(jd), ['baz']);
    await f.settle();
    expect(baz.materialized).toBe(1);
    expect(q.calls).toBe(0);

    await es.removeJITDylib(jd);

    expect(jd.getState()).toBe(JITDylibState.Closed);
    expect(es.getJITDylibByName('JD')).toBeUndefined();
    expect(bar.materialized).toBe(0);
    expect(bar.discarded).toEqual([]);
    expect(bar.disposed).toBe(1);
    expect(q.calls).toBe(1);
    expect(q.error).toBeInstanceOf(FailedToMaterialize);
    expect((q.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['baz']));

    expect(() => baz.mr.notifyResolved(symbolMap({ baz: bazSym }))).toThrow(ResourceTrackerDefunct);
    expect(() => jd.getDFSLinkOrder()).toThrow(JITDylibDefunct);
    expect(() => jd.define(absoluteSymbols(symbolMap({ qux: fooSym })))).toThrow(JITDylibDefunct);
    expect(() => baz.mr.failMaterialization()).not.toThrow();
    await f.settle();
    expect(q.calls).toBe(1);
  });

  it('#48 SessionTeardownByFailedToMaterialize: the lookup error is FailedToMaterialize and stays printable after endSession', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(new SimpleMaterializationUnit(flagsMap({ foo: X }), { materialize: (mr) => mr.failMaterialization() }));
    const out = observe(es.lookup(jd, 'foo'));
    await f.settle();
    expect(out.settled).toBe(true);
    await es.endSession();

    const err = out.error;
    expect(err).toBeInstanceOf(FailedToMaterialize);
    expect(err).toBeInstanceOf(OrcError);
    const ftm = err as FailedToMaterialize;
    expect(ftm.symbols).toEqual(depMap(jd, ['foo']));
    // "Logging" the error once its session is gone.
    expect(String(ftm)).toBe('FailedToMaterialize: Failed to materialize symbols: { (JD, { foo }) }');
    expect(formatSymbolDependenceMap(ftm.symbols)).toBe('{ (JD, { foo }) }');
    expect(jd.getState()).toBe(JITDylibState.Closed);
    expect(() => es.createBareJITDylib('again')).toThrow(OrcError);
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
  });
});
