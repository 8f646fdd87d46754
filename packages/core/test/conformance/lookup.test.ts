/** Conformance §10 items 3–6, 10, 11, 39 and 40: basic lookups, visibility, side-effects-only symbols, lookupFlags. */
import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols,
  ExecutionSession,
  JITDylibLookupFlags,
  JITSymbolFlags,
  SimpleMaterializationUnit,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolsNotFound,
  SymbolState,
  type Task,
  type TaskDispatcher,
} from '@orc-ts/core';
import {
  BarAddr,
  barSym,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  FooAddr,
  fooSym,
  IN_PLACE,
  makeFixture,
  observe,
  QuxAddr,
  quxSym,
  recordingUnit,
  resolveAndEmit,
  startLookup,
  symbolMap,
  WeakX,
  X,
} from './fixture.js';

const MSEO = JITSymbolFlags.MaterializationSideEffectsOnly;

describe.each(DISPATCHERS)('lookup ($name dispatcher)', (kind) => {
  it('#3 BasicSuccessfulLookup: a Ready query does not fire on resolve, and fires with the address on emit', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    jd.define(foo.mu);

    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();
    expect(q.calls).toBe(0);
    expect(foo.materialized).toBe(1);
    expect(jd.getSymbolInfo('foo')).toMatchObject({ state: SymbolState.Materializing, materializerAttached: false });

    foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
    await f.settle();
    expect(q.calls).toBe(0);
    expect(jd.getSymbolInfo('foo')).toMatchObject({ state: SymbolState.Resolved, address: FooAddr });

    foo.mr.notifyEmitted([]);
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();
    expect(q.result).toEqual(symbolMap({ foo: fooSym }));
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Ready);
  });

  it('#4 EmptyLookup: a lookup of the empty set completes with an empty map', async () => {
    const f = makeFixture(kind);
    const q = startLookup(f.es, exportedOnly(f.jd), []);
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();
    expect(q.result).toEqual(new Map());
  });

  it('#5 ResolveUnrequestedSymbol: the unit resolves foo and bar, the lookup of foo returns exactly {foo}', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), (mr) => resolveAndEmit(mr, symbolMap({ foo: fooSym, bar: barSym })));
    jd.define(u.mu);

    const result = await es.lookup(jd, ['foo']);
    expect(result).toEqual(symbolMap({ foo: fooSym }));
    expect(u.materialized).toBe(1);
    expect(u.mr.getSymbols()).toEqual(new Map());
    expect(jd.getSymbolInfo('bar')).toMatchObject({ state: SymbolState.Ready, address: BarAddr, flags: X });
  });

  it('#6 MaterializationSideEffctsOnlyBasic: emitted without resolving; the weak query waits for the emit and returns {}', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X | MSEO }));
    jd.define(u.mu);

    const q = startLookup(es, exportedOnly(jd), SymbolLookupSet.fromNames(['foo'], SymbolLookupFlags.WeaklyReferencedSymbol));
    await f.settle();
    expect(u.materialized).toBe(1);
    expect(q.calls).toBe(0);

    u.mr.notifyEmitted([]);
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();
    expect(q.result).toEqual(new Map());
    expect(jd.getSymbolInfo('foo')).toMatchObject({ state: SymbolState.Ready, address: 0n });

    // A required reference to a side-effects-only symbol is not found.
    const required = observe(es.lookup(jd, ['foo']));
    await f.settle();
    expect(required.error).toBeInstanceOf(SymbolsNotFound);
    expect((required.error as SymbolsNotFound).symbols).toEqual(['foo']);
  });

  it('#10 LookupWithHiddenSymbols: a hidden bar in JD is skipped under exported-only search; JD2 supplies bar', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym, bar: { address: BarAddr, flags: JITSymbolFlags.None } })));
    const jd2 = es.createBareJITDylib('JD2');
    jd2.define(absoluteSymbols(symbolMap({ bar: quxSym })));

    const result = await es.lookup(exportedOnly(jd, jd2), ['foo', 'bar']);
    expect(result).toEqual(symbolMap({ foo: fooSym, bar: { address: QuxAddr, flags: X } }));
    // JD's hidden bar was materialized with foo (same unit), but it is not what the lookup returned.
    expect(jd.getSymbolInfo('bar')).toMatchObject({ state: SymbolState.Ready, address: BarAddr, flags: JITSymbolFlags.None });

    // Matching all symbols of JD finds the hidden one first.
    const all = await es.lookup(
      [
        [jd, JITDylibLookupFlags.MatchAllSymbols],
        [jd2, JITDylibLookupFlags.MatchExportedSymbolsOnly],
      ],
      'bar',
    );
    expect(all).toEqual({ address: BarAddr, flags: JITSymbolFlags.None });
  });

  it('#11 LookupFlagsTest: flags of an absolute and a lazy weak symbol, without materializing; a missing weak ref is omitted', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const bar = recordingUnit(flagsMap({ bar: WeakX }));
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    jd.define(bar.mu);

    const flags = await es.lookupFlags(
      exportedOnly(jd),
      SymbolLookupSet.fromNames(['foo', 'bar', 'baz'], SymbolLookupFlags.WeaklyReferencedSymbol),
    );
    expect(flags).toEqual(flagsMap({ foo: X, bar: WeakX }));
    await f.settle();
    expect(bar.materialized).toBe(0);
    expect(f.dispatcher.materializations).toBe(0);
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.NeverSearched);
    expect(jd.getSymbolInfo('bar')!.state).toBe(SymbolState.NeverSearched);

    // The same set with a required baz fails.
    const missing = observe(es.lookupFlags(exportedOnly(jd), ['foo', 'baz']));
    await f.settle();
    expect(missing.error).toBeInstanceOf(SymbolsNotFound);
    expect((missing.error as SymbolsNotFound).symbols).toEqual(['baz']);
  });

  it('#39 TestLookupWithUnthreadedMaterialization: a blocking lookup returns the address and flags', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X }), (mr) => resolveAndEmit(mr, symbolMap({ foo: fooSym })));
    jd.define(u.mu);
    const def = await es.lookup(exportedOnly(jd), 'foo');
    expect(def.address).toBe(FooAddr);
    expect(def.flags).toBe(X);
    expect(u.materialized).toBe(1);
  });
});

describe('lookup (in-place dispatcher only: results visible when the triggering call returns)', () => {
  it('#4 EmptyLookup [in-place only]: the callback has run before lookupAsync returns', () => {
    const f = makeFixture(IN_PLACE);
    const q = startLookup(f.es, exportedOnly(f.jd), []);
    expect(q.calls).toBe(1);
    expect(q.result).toEqual(new Map());
  });

  it('#3 BasicSuccessfulLookup [in-place only]: the callback runs inside notifyEmitted', () => {
    const f = makeFixture(IN_PLACE);
    const foo = recordingUnit(flagsMap({ foo: X }));
    f.jd.define(foo.mu);
    const q = startLookup(f.es, exportedOnly(f.jd), ['foo']);
    expect(foo.materialized).toBe(1);
    foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
    expect(q.calls).toBe(0);
    foo.mr.notifyEmitted([]);
    expect(q.calls).toBe(1);
    expect(q.result).toEqual(symbolMap({ foo: fooSym }));
  });
});

/** Runs every task on its own later macrotask, like ORC's test that spawns a thread per task. */
class TaskPerTurnDispatcher implements TaskDispatcher {
  started = 0;
  finished = 0;
  private readonly live = new Set<Promise<void>>();
  dispatch(task: Task): void {
    this.started++;
    const p = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => task.run())
      .then(() => {
        this.finished++;
      });
    this.live.add(p);
    void p.finally(() => this.live.delete(p));
  }
  async shutdown(): Promise<void> {
    while (this.live.size) await Promise.all(this.live);
  }
}

describe('#40 TestLookupWithThreadedMaterialization', () => {
  it('#40 TestLookupWithThreadedMaterialization: tasks run off the caller stack, each on its own turn; the result is right', async () => {
    const dispatcher = new TaskPerTurnDispatcher();
    const es = new ExecutionSession({ dispatcher });
    const jd = es.createBareJITDylib('JD');
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    let ranOnCallerStack = false;
    jd.define(
      new SimpleMaterializationUnit(flagsMap({ bar: X }), {
        materialize: async (mr) => {
          await new Promise<void>((resolve) => setImmediate(resolve));
          resolveAndEmit(mr, symbolMap({ bar: barSym }));
        },
      }),
    );

    const p = es.lookup(exportedOnly(jd), ['foo', 'bar']);
    ranOnCallerStack = dispatcher.finished > 0;
    expect(ranOnCallerStack).toBe(false);
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Materializing);

    const result = await p;
    expect(result).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
    expect(result.get('foo')!.flags).toBe(X);
    // Two materializations and the completion callback.
    expect(dispatcher.started).toBe(3);
    await es.endSession();
    expect(dispatcher.finished).toBe(3);
  });
});
