/**
 * Dependencies across JITDylibs: a symbol in A emitted depending on one in B becomes Ready only when B's symbol is
 * emitted; removing B fails A's waiting symbol and its queries.
 */
import { describe, expect, it } from 'vitest';
import {
  FailedToMaterialize,
  JITSymbolFlags,
  ResourceTrackerDefunct,
  SymbolState,
  UnsatisfiedSymbolDependencies,
  absoluteSymbols,
} from '@orc-ts/core';
import { ManualUnit, X, dispatchers, drain, group, makeSession, observe } from './helpers.js';

describe.each(dispatchers)('cross-JITDylib dependencies (%s)', (_name, makeDispatcher) => {
  function setup() {
    const { es, reported } = makeSession(makeDispatcher());
    const A = es.createJITDylib('A');
    const B = es.createJITDylib('B');
    const foo = new ManualUnit(['foo']).defineIn(A);
    const bar = new ManualUnit(['bar']).defineIn(B);
    return { es, reported, A, B, foo, bar };
  }

  it('A:foo waits for B:bar; it becomes Ready when bar is emitted', async () => {
    const { es, A, B, foo, bar } = setup();
    const ready = observe(es.lookup(A, 'foo'));
    const emitted = observe(es.lookup(A, 'foo', { requiredState: SymbolState.Emitted }));
    const barResolved = observe(es.lookup(B, 'bar', { requiredState: SymbolState.Resolved }));
    await drain(es);
    foo.resolve(['foo'], () => 0x100n);
    foo.emit([group(['foo'], [[B, ['bar']]])]);
    await drain(es);
    expect(A.getSymbolInfo('foo')?.state).toBe(SymbolState.Emitted);
    expect(emitted.value?.address).toBe(0x100n);
    expect(ready.settled).toBe(false);

    bar.resolve(['bar'], () => 0x200n);
    await drain(es);
    expect(barResolved.value?.address).toBe(0x200n);
    expect(ready.settled).toBe(false);
    bar.emit();
    await drain(es);
    expect(ready.value?.address).toBe(0x100n);
    expect(A.getSymbolInfo('foo')?.state).toBe(SymbolState.Ready);
    expect(B.getSymbolInfo('bar')?.state).toBe(SymbolState.Ready);
  });

  it('removing B while A:foo waits on B:bar fails foo and its query', async () => {
    const { es, A, B, foo, bar } = setup();
    const ready = observe(es.lookup(A, 'foo'));
    const barQuery = observe(es.lookup(B, 'bar'));
    await drain(es);
    foo.resolve();
    foo.emit([group(['foo'], [[B, ['bar']]])]);
    await drain(es);

    await es.removeJITDylib(B);
    await drain(es);
    expect(ready.error).toBeInstanceOf(FailedToMaterialize);
    const failed = (ready.error as FailedToMaterialize).symbols;
    expect(failed.get(A)).toEqual(new Set(['foo']));
    expect(failed.get(B)).toEqual(new Set(['bar']));
    expect(barQuery.error).toBeInstanceOf(FailedToMaterialize);
    expect(A.getSymbolInfo('foo')!.flags & JITSymbolFlags.HasError).toBeTruthy();
    await expect(es.lookup(A, 'foo')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(() => bar.resolve()).toThrow(ResourceTrackerDefunct);
  });

  it('removing B while A:foo waits on a B symbol that was never looked up fails foo', async () => {
    const { es, A, B, foo } = setup();
    const ready = observe(es.lookup(A, 'foo'));
    await drain(es);
    foo.resolve();
    foo.emit([group(['foo'], [[B, ['bar']]])]);
    expect(B.getSymbolInfo('bar')?.state).toBe(SymbolState.NeverSearched);
    await es.removeJITDylib(B);
    await drain(es);
    expect(ready.error).toBeInstanceOf(FailedToMaterialize);
    expect((ready.error as FailedToMaterialize).symbols.get(A)).toEqual(new Set(['foo']));
  });

  it('removing B after B:bar became Ready leaves A:foo Ready', async () => {
    const { es, A, B, foo, bar } = setup();
    const ready = observe(es.lookup(A, 'foo'));
    observe(es.lookup(B, 'bar'));
    await drain(es);
    bar.resolve();
    bar.emit();
    foo.resolve(['foo'], () => 0x42n);
    foo.emit([group(['foo'], [[B, ['bar']]])]);
    await drain(es);
    expect(ready.value?.address).toBe(0x42n);
    await es.removeJITDylib(B);
    expect(A.getSymbolInfo('foo')?.state).toBe(SymbolState.Ready);
    expect((await es.lookup(A, 'foo')).address).toBe(0x42n);
  });

  it('emitting a dependency on a symbol of a removed JITDylib fails with UnsatisfiedSymbolDependencies', async () => {
    const { es, A, B, foo } = setup();
    const ready = observe(es.lookup(A, 'foo'));
    await drain(es);
    await es.removeJITDylib(B);
    foo.resolve();
    let err: unknown;
    try {
      foo.emit([group(['foo'], [[B, ['bar']]])]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsatisfiedSymbolDependencies);
    const u = err as UnsatisfiedSymbolDependencies;
    expect(u.jitDylib).toBe(A);
    expect(u.explanation).toBe('B is closed');
    expect(u.badDependencies).toEqual(new Map([[B, new Set(['bar'])]]));
    expect(u.failedSymbols).toEqual(new Set(['foo']));
    foo.r.failMaterialization(); // nothing left to do
    await drain(es);
    expect(ready.error).toBeInstanceOf(FailedToMaterialize);
  });

  it('a cycle across JITDylibs becomes Ready when its last member is emitted', async () => {
    const { es, A, B, foo, bar } = setup();
    const both = observe(es.lookup([A, B], ['foo', 'bar']));
    await drain(es);
    foo.resolve();
    foo.emit([group(['foo'], [[B, ['bar']]])]);
    bar.resolve();
    await drain(es);
    expect(both.settled).toBe(false);
    bar.emit([group(['bar'], [[A, ['foo']]])]);
    await drain(es);
    expect(both.value?.size).toBe(2);
    expect(A.getSymbolInfo('foo')?.state).toBe(SymbolState.Ready);
    expect(B.getSymbolInfo('bar')?.state).toBe(SymbolState.Ready);
  });

  it('a chain A -> B -> C fails end to end when C is removed; symbols already Ready elsewhere stay', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const [A, B, C] = ['A', 'B', 'C'].map((n) => es.createJITDylib(n)) as [
      import('@orc-ts/core').JITDylib,
      import('@orc-ts/core').JITDylib,
      import('@orc-ts/core').JITDylib,
    ];
    const a = new ManualUnit(['a']).defineIn(A);
    const b = new ManualUnit(['b']).defineIn(B);
    const c = new ManualUnit(['c']).defineIn(C);
    A.define(absoluteSymbols(new Map([['ok', { address: 1n, flags: X }]])));
    const qa = observe(es.lookup(A, ['a', 'ok']));
    const qb = observe(es.lookup(B, 'b'));
    const qc = observe(es.lookup(C, 'c', { requiredState: SymbolState.Resolved }));
    await drain(es);
    a.resolve();
    a.emit([group(['a'], [[B, ['b']]])]);
    b.resolve();
    b.emit([group(['b'], [[C, ['c']]])]);
    c.resolve();
    await drain(es);
    expect(qc.value).toBeDefined();

    await es.removeJITDylib(C);
    await drain(es);
    expect(qa.error).toBeInstanceOf(FailedToMaterialize);
    expect(qb.error).toBeInstanceOf(FailedToMaterialize);
    expect((qa.error as FailedToMaterialize).symbols.get(A)).toEqual(new Set(['a']));
    expect(A.getSymbolInfo('ok')?.state).toBe(SymbolState.Ready);
    expect(A.getSymbolInfo('a')!.flags & JITSymbolFlags.HasError).toBeTruthy();
    expect(B.getSymbolInfo('b')!.flags & JITSymbolFlags.HasError).toBeTruthy();
    expect(reported).toEqual([]);
  });
});
