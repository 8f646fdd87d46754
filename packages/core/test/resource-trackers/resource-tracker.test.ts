/**
 * ResourceTracker behaviour: checklist items 49-55 of reference/orc-core.md §10 (LLVM's ResourceTrackerTest), and
 * the rest of §7 (release, defunct trackers, resource-manager errors, JITDylib removal order, clear).
 * Every test runs under the in-place and the queueing dispatcher.
 */
import { describe, expect, it } from 'vitest';
import {
  ExecutionSession,
  FailedToMaterialize,
  JITDylibDefunct,
  JITDylibState,
  ResourceTrackerDefunct,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolState,
  SymbolsNotFound,
  SimpleMaterializationUnit,
  absoluteSymbols,
  type ExecutorProcessControl,
  type JITDylib,
  type ResourceKey,
  type ResourceManager,
} from '@orc-ts/core';
import { X, capturingUnit, dispatchers, drain, makeFixture, observe, recordingUnit } from './helpers.js';

function weakly(...names: string[]): SymbolLookupSet {
  return SymbolLookupSet.fromNames(names, SymbolLookupFlags.WeaklyReferencedSymbol);
}

describe.each(dispatchers)('ResourceTracker (%s)', (_name, makeDispatcher) => {
  it('49 BasicDefineAndRemoveAllBeforeMaterializing: the symbol is erased, the manager hears, the unit is destroyed', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    let destroyed = false;
    let materialized = 0;
    srm.onRemove = () => {
      expect(srm.resources.size).toBe(0);
    };
    const rt = jd.createResourceTracker();
    const unit = new SimpleMaterializationUnit(new Map([['foo', X]]), {
      materialize: () => {
        materialized++;
      },
      dispose: () => (destroyed = true),
    });
    jd.define(unit, rt);
    expect(jd.getSymbolInfo('foo')?.state).toBe(SymbolState.NeverSearched);

    await rt.remove();
    await drain(es);

    expect(rt.isDefunct()).toBe(true);
    expect((await es.lookupFlags(jd, weakly('foo'))).size).toBe(0);
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
    expect(srm.removals).toEqual([{ jd, key: rt.getKey() }]);
    expect(destroyed).toBe(true);
    expect(materialized).toBe(0);
  });

  it('50 BasicDefineAndRemoveAllAfterMaterializing: the resource recorded under the tracker is removed', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const rt = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { foo: 0x1000n }), rt);

    expect((await es.lookup(jd, 'foo')).address).toBe(0x1000n);
    expect(srm.resources).toEqual(new Map([[rt.getKey(), 1]]));

    await rt.remove();
    await drain(es);
    expect(srm.resources.size).toBe(0);
    expect(srm.removals).toEqual([{ jd, key: rt.getKey() }]);
    expect((await es.lookupFlags(jd, weakly('foo'))).size).toBe(0);
    await expect(es.lookup(jd, 'foo')).rejects.toBeInstanceOf(SymbolsNotFound);
  });

  it('51 BasicDefineAndRemoveAllWhileMaterializing: the lookup fails, the responsibility sees a defunct tracker', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const rt = jd.createResourceTracker();
    const cap = capturingUnit(['foo']);
    jd.define(cap.unit, rt);

    const lookup = observe(es.lookup(jd, 'foo'));
    await drain(es);
    const mr = cap.mr!;
    expect(mr).toBeDefined();
    expect(lookup.settled).toBe(false);

    await rt.remove();
    await drain(es);

    expect(lookup.error).toBeInstanceOf(FailedToMaterialize);
    expect((lookup.error as FailedToMaterialize).symbols).toEqual(new Map([[jd, new Set(['foo'])]]));
    expect(() => mr.withResourceKeyDo(() => undefined)).toThrow(ResourceTrackerDefunct);
    expect(() => mr.notifyResolved(new Map([['foo', { address: 1n, flags: X }]]))).toThrow(ResourceTrackerDefunct);
    expect(() => mr.notifyEmitted()).toThrow(ResourceTrackerDefunct);
    mr.failMaterialization(); // only clears the responsibility
    expect(mr.isEmpty()).toBe(true);
    expect(srm.removals).toEqual([{ jd, key: rt.getKey() }]);
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
  });

  it('52 JITDylibClear: two symbols count 2 under the default key; clear() empties the manager', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    jd.define(recordingUnit(srm, { foo: 1n }));
    jd.define(recordingUnit(srm, { bar: 2n }));

    await es.lookup(jd, ['foo', 'bar']);
    const dflt = jd.getDefaultResourceTracker();
    expect(srm.resources).toEqual(new Map([[dflt.getKey(), 2]]));

    await jd.clear();
    await drain(es);
    expect(srm.resources.size).toBe(0);
    expect(srm.removals).toEqual([{ jd, key: dflt.getKey() }]);
    expect(jd.getSymbolNames()).toEqual([]);
  });

  it('53 BasicDefineAndExplicitTransferBeforeMaterializing: later resources are recorded under the destination', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const src = jd.createResourceTracker();
    const dst = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { foo: 1n }), src);

    src.transferTo(dst);
    expect(src.isDefunct()).toBe(true);
    expect(dst.isDefunct()).toBe(false);
    expect(srm.transfers).toEqual([{ dst: dst.getKey(), src: src.getKey() }]);

    await es.lookup(jd, 'foo');
    expect(srm.resources).toEqual(new Map([[dst.getKey(), 1]]));

    // The destination now owns foo: removing it removes foo.
    await dst.remove();
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
    expect(srm.resources.size).toBe(0);
  });

  it('54 BasicDefineAndExplicitTransferAfterMaterializing: the transfer merges the counts', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const src = jd.createResourceTracker();
    const dst = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { foo: 1n }), src);
    jd.define(recordingUnit(srm, { bar: 2n }), dst);

    await es.lookup(jd, ['foo', 'bar']);
    expect(srm.resources).toEqual(
      new Map([
        [src.getKey(), 1],
        [dst.getKey(), 1],
      ]),
    );

    src.transferTo(dst);
    expect(srm.resources).toEqual(new Map([[dst.getKey(), 2]]));

    await dst.remove();
    expect(jd.getSymbolNames()).toEqual([]);
    expect(srm.resources.size).toBe(0);
  });

  it('55 BasicDefineAndExplicitTransferWhileMaterializing: an in-flight responsibility moves to the destination', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const src = jd.createResourceTracker();
    const dst = jd.createResourceTracker();
    const cap = capturingUnit(['foo']);
    jd.define(cap.unit, src);

    const lookup = observe(es.lookup(jd, 'foo'));
    await drain(es);
    const mr = cap.mr!;
    mr.withResourceKeyDo((key) => {
      expect(key).toBe(src.getKey());
      srm.record(key);
    });

    src.transferTo(dst);
    expect(mr.getResourceTracker()).toBe(dst);
    mr.withResourceKeyDo((key) => {
      expect(key).toBe(dst.getKey());
      srm.record(key);
    });
    expect(srm.resources).toEqual(new Map([[dst.getKey(), 2]]));

    mr.notifyResolved(new Map([['foo', { address: 0x10n, flags: X }]]));
    mr.notifyEmitted();
    await drain(es);
    expect(lookup.value?.address).toBe(0x10n);
    expect(srm.resources).toEqual(new Map([[dst.getKey(), 2]]));
  });

  // ---- beyond the upstream tests ----

  it('release() moves the resources to the default tracker; the code stays', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const rt = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { foo: 0x20n }), rt);
    await es.lookup(jd, 'foo');
    expect(srm.resources).toEqual(new Map([[rt.getKey(), 1]]));

    rt.release();
    const dflt = jd.getDefaultResourceTracker();
    expect(rt.isDefunct()).toBe(true);
    expect(srm.resources).toEqual(new Map([[dflt.getKey(), 1]]));
    expect(srm.removals).toEqual([]);
    expect((await es.lookup(jd, 'foo')).address).toBe(0x20n);
    await expect(rt.remove()).rejects.toBeInstanceOf(ResourceTrackerDefunct);

    // The default tracker owns foo now.
    await dflt.remove();
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
    expect(srm.resources.size).toBe(0);
  });

  it('release() of a tracker with an in-flight responsibility keeps the materialization going', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const rt = jd.createResourceTracker();
    const cap = capturingUnit(['foo']);
    jd.define(cap.unit, rt);
    const lookup = observe(es.lookup(jd, 'foo'));
    await drain(es);

    rt.release();
    const dflt = jd.getDefaultResourceTracker();
    expect(cap.mr!.getResourceTracker()).toBe(dflt);
    cap.mr!.withResourceKeyDo((k) => srm.record(k));
    cap.mr!.notifyResolved(new Map([['foo', { address: 0x30n, flags: X }]]));
    cap.mr!.notifyEmitted();
    await drain(es);
    expect(lookup.value?.address).toBe(0x30n);
    expect(srm.resources).toEqual(new Map([[dflt.getKey(), 1]]));
  });

  it('release() of the default tracker does nothing', async () => {
    const { es, jd } = makeFixture(makeDispatcher);
    jd.define(absoluteSymbols(new Map([['foo', { address: 5n, flags: X }]])));
    const dflt = jd.getDefaultResourceTracker();
    dflt.release();
    expect(dflt.isDefunct()).toBe(false);
    expect(jd.getDefaultResourceTracker()).toBe(dflt);
    expect((await es.lookup(jd, 'foo')).address).toBe(5n);
  });

  it('removing a defunct tracker (removed, transferred) rejects with ResourceTrackerDefunct and changes nothing', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const removed = jd.createResourceTracker();
    const moved = jd.createResourceTracker();
    const dst = jd.createResourceTracker();
    jd.define(absoluteSymbols(new Map([['foo', { address: 1n, flags: X }]])), removed);
    jd.define(absoluteSymbols(new Map([['bar', { address: 2n, flags: X }]])), moved);
    await rtRemove(removed);
    moved.transferTo(dst);
    const removalsBefore = srm.removals.length;

    const again = await rejection(removed.remove());
    expect(again).toBeInstanceOf(ResourceTrackerDefunct);
    expect((again as ResourceTrackerDefunct).tracker).toBe(removed);
    expect(await rejection(moved.remove())).toBeInstanceOf(ResourceTrackerDefunct);
    expect(srm.removals.length).toBe(removalsBefore);
    expect((await es.lookup(jd, 'bar')).address).toBe(2n);
    // Defining under a defunct tracker fails too.
    expect(() => jd.define(absoluteSymbols(new Map([['baz', { address: 3n, flags: X }]])), removed)).toThrow(
      ResourceTrackerDefunct,
    );
    expect(jd.getSymbolInfo('baz')).toBeUndefined();
    await drain(es);
  });

  it('removing the default tracker leaves the symbols of other trackers alone', async () => {
    const { es, jd } = makeFixture(makeDispatcher);
    const rt = jd.createResourceTracker();
    jd.define(absoluteSymbols(new Map([['foo', { address: 1n, flags: X }]])));
    jd.define(absoluteSymbols(new Map([['bar', { address: 2n, flags: X }]])), rt);
    const dflt = jd.getDefaultResourceTracker();
    await dflt.remove();
    expect(jd.getSymbolNames()).toEqual(['bar']);
    expect(jd.getDefaultResourceTracker()).not.toBe(dflt);
    expect((await es.lookup(jd, 'bar')).address).toBe(2n);
  });

  it('resource-manager errors are joined and reported by remove(); the removal still happens', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const calls: string[] = [];
    const failing = (name: string, async: boolean): ResourceManager => ({
      handleRemoveResources: (_jd: JITDylib, _key: ResourceKey) => {
        calls.push(name);
        if (async) return Promise.reject(new Error(`${name} failed`));
        throw new Error(`${name} failed`);
      },
      handleTransferResources: () => {},
    });
    es.registerResourceManager(failing('rm1', false));
    es.registerResourceManager(failing('rm2', true));
    const rt = jd.createResourceTracker();
    const cap = capturingUnit(['foo']);
    jd.define(cap.unit, rt);
    jd.define(absoluteSymbols(new Map([['bar', { address: 2n, flags: X }]])), rt);
    const pending = observe(es.lookup(jd, 'foo'));
    await drain(es);

    const err = await rejection(rt.remove());
    expect(err).toBeInstanceOf(AggregateError);
    const errors = (err as AggregateError).errors.map((e: Error) => e.message);
    expect(errors).toEqual(['rm2 failed', 'rm1 failed']);
    expect((err as Error).message).toContain('rm1 failed');
    expect((err as Error).message).toContain('rm2 failed');
    // Every manager was asked, newest first, and the removal went through.
    expect(calls).toEqual(['rm2', 'rm1']);
    expect(srm.removals).toEqual([{ jd, key: rt.getKey() }]);
    expect(rt.isDefunct()).toBe(true);
    expect(jd.getSymbolNames()).toEqual([]);
    await drain(es);
    expect(pending.error).toBeInstanceOf(FailedToMaterialize);
  });

  it('a single resource-manager error is reported as itself', async () => {
    const { jd } = makeFixture(makeDispatcher);
    const es = jd.getExecutionSession();
    const boom = new Error('boom');
    es.registerResourceManager({
      handleRemoveResources: () => {
        throw boom;
      },
      handleTransferResources: () => {},
    });
    jd.define(absoluteSymbols(new Map([['foo', { address: 1n, flags: X }]])));
    expect(await rejection(jd.getDefaultResourceTracker().remove())).toBe(boom);
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
  });

  it('jd.clear() joins the errors of its removals and keeps going', async () => {
    const { jd, srm } = makeFixture(makeDispatcher);
    const es = jd.getExecutionSession();
    es.registerResourceManager({
      handleRemoveResources: (_jd, key) => {
        throw new Error(`cannot release ${key}`);
      },
      handleTransferResources: () => {},
    });
    const rt = jd.createResourceTracker();
    jd.define(absoluteSymbols(new Map([['foo', { address: 1n, flags: X }]])), rt);
    jd.define(absoluteSymbols(new Map([['bar', { address: 2n, flags: X }]])));
    const dflt = jd.getDefaultResourceTracker();
    const err = await rejection(jd.clear());
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      `cannot release ${rt.getKey()}`,
      `cannot release ${dflt.getKey()}`,
    ]);
    expect(srm.removals.map((r) => r.key)).toEqual([rt.getKey(), dflt.getKey()]);
    expect(jd.getSymbolNames()).toEqual([]);
    expect(jd.getState()).toBe(JITDylibState.Open);
  });

  it('JITDylib.clear() keeps the JITDylib usable', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const rt = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { foo: 1n }), rt);
    jd.define(recordingUnit(srm, { bar: 2n }));
    await es.lookup(jd, ['foo', 'bar']);
    const oldDefault = jd.getDefaultResourceTracker();

    await jd.clear();
    expect(rt.isDefunct()).toBe(true);
    expect(oldDefault.isDefunct()).toBe(true);
    expect(srm.resources.size).toBe(0);
    expect(jd.getState()).toBe(JITDylibState.Open);
    await expect(es.lookup(jd, 'foo')).rejects.toBeInstanceOf(SymbolsNotFound);

    // Same names again, new addresses, a new default tracker.
    jd.define(recordingUnit(srm, { foo: 0x100n }));
    const rt2 = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { bar: 0x200n }), rt2);
    const r = await es.lookup(jd, ['foo', 'bar']);
    expect(r.get('foo')?.address).toBe(0x100n);
    expect(r.get('bar')?.address).toBe(0x200n);
    const newDefault = jd.getDefaultResourceTracker();
    expect(newDefault).not.toBe(oldDefault);
    expect(srm.resources).toEqual(
      new Map([
        [newDefault.getKey(), 1],
        [rt2.getKey(), 1],
      ]),
    );
  });

  it('removeJITDylibs clears in the order given; endSession removes the rest newest first, then disconnects', async () => {
    const log: string[] = [];
    const epc = fakeExecutor(log);
    const es = new ExecutionSession({ dispatcher: makeDispatcher(), executorProcessControl: epc, errorReporter: () => {} });
    const named = (tag: string): ResourceManager => ({
      handleRemoveResources: (jd) => {
        log.push(`${tag}:${jd.getName()}`);
      },
      handleTransferResources: () => {},
    });
    es.registerResourceManager(named('first'));
    es.registerResourceManager(named('second'));
    const jds = ['A', 'B', 'C', 'D', 'E'].map((n) => es.createJITDylib(n));
    for (const [i, jd] of jds.entries()) jd.define(absoluteSymbols(new Map([[`s${i}`, { address: BigInt(i + 1), flags: X }]])));
    // Pending work in D, to see it fail on removal.
    const cap = capturingUnit(['pending']);
    jds[3]!.define(cap.unit);
    const pending = observe(es.lookup(jds[3]!, 'pending'));
    await drain(es);

    await es.removeJITDylibs([jds[3]!, jds[1]!]);
    expect(log).toEqual(['second:D', 'first:D', 'second:B', 'first:B']);
    expect(jds[3]!.getState()).toBe(JITDylibState.Closed);
    expect(jds[1]!.getState()).toBe(JITDylibState.Closed);
    expect(es.getJITDylibs().map((jd) => jd.getName())).toEqual(['<bootstrap>', 'A', 'C', 'E']);
    await drain(es);
    expect(pending.error).toBeInstanceOf(FailedToMaterialize);
    expect(() => cap.mr!.notifyResolved(new Map([['pending', { address: 9n, flags: X }]]))).toThrow(ResourceTrackerDefunct);
    expect(() => jds[1]!.define(absoluteSymbols(new Map([['x', { address: 1n, flags: X }]])))).toThrow(JITDylibDefunct);
    await expect(es.lookup(jds[1]!, 's1')).rejects.toBeInstanceOf(JITDylibDefunct);
    expect(() => jds[1]!.getDFSLinkOrder()).toThrow(JITDylibDefunct);
    await expect(es.removeJITDylib(jds[1]!)).rejects.toBeInstanceOf(JITDylibDefunct);

    log.length = 0;
    await es.endSession();
    expect(log).toEqual([
      'second:E',
      'first:E',
      'second:C',
      'first:C',
      'second:A',
      'first:A',
      'second:<bootstrap>',
      'first:<bootstrap>',
      'disconnect',
    ]);
    expect(es.getJITDylibs()).toEqual([]);
    for (const jd of jds) expect(jd.getState()).toBe(JITDylibState.Closed);
    expect(() => es.createJITDylib('F')).toThrow(/ended/);
  });

  it('removing a JITDylib removes each of its trackers once, non-default trackers first', async () => {
    const { es, jd, srm } = makeFixture(makeDispatcher);
    const rt1 = jd.createResourceTracker();
    const rt2 = jd.createResourceTracker();
    const unused = jd.createResourceTracker();
    jd.define(recordingUnit(srm, { a: 1n }), rt1);
    jd.define(recordingUnit(srm, { b: 2n }), rt2);
    jd.define(recordingUnit(srm, { c: 3n }));
    await es.lookup(jd, ['a', 'b', 'c']);
    const dflt = jd.getDefaultResourceTracker();

    await es.removeJITDylib(jd);
    expect(srm.removals.map((r) => r.key)).toEqual([rt1.getKey(), rt2.getKey(), dflt.getKey()]);
    expect(srm.resources.size).toBe(0);
    for (const rt of [rt1, rt2, dflt]) expect(rt.isDefunct()).toBe(true);
    // A tracker that never owned anything is not removed (there is nothing to remove).
    expect(unused.isDefunct()).toBe(false);
    expect(jd.getSymbolNames()).toEqual([]);
  });
});

async function rtRemove(rt: { remove(): Promise<void> }): Promise<void> {
  await rt.remove();
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function fakeExecutor(log: string[]): ExecutorProcessControl {
  const unused = (): never => {
    throw new Error('not used');
  };
  return {
    targetTriple: 'aarch64-unknown-linux-gnu',
    pageSize: 4096,
    memoryAccess: { readBytes: unused, writeBytes: unused },
    memoryManager: { pageSize: 4096, reserve: unused, initialize: unused, deinitialize: unused, release: unused },
    getBootstrapSymbols: () => new Map([['__orc_rt_jit_dispatch', 0x5000n]]),
    runAsMain: unused,
    runAsVoidFunction: unused,
    runAsIntFunction: unused,
    callWrapper: unused,
    disconnect: async () => {
      log.push('disconnect');
    },
  };
}
