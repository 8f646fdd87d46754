/**
 * A resource tracker removed while an asynchronous unit is mid-way: the pending query fails with
 * FailedToMaterialize at once, the resource manager sees the removal, and the unit's later notifyResolved /
 * notifyEmitted throw ResourceTrackerDefunct (failMaterialization then only clears the responsibility).
 */
import { describe, expect, it } from 'vitest';
import {
  FailedToMaterialize,
  JITSymbolFlags,
  MaterializationResponsibilityDropped,
  ResourceTrackerDefunct,
  SimpleMaterializationUnit,
  SymbolState,
  type JITDylib,
  type ResourceKey,
  type ResourceManager,
} from '@orc-ts/core';
import { X, dispatchers, drain, makeSession, observe, turns, withinSafetyNet } from './helpers.js';

class RecordingManager implements ResourceManager {
  readonly removed: Array<[JITDylib, ResourceKey]> = [];
  handleRemoveResources(jd: JITDylib, key: ResourceKey): void {
    this.removed.push([jd, key]);
  }
  handleTransferResources(): void {}
}

/** A gate the materializer waits at, and a signal that it got there. */
function gates(): { reached: Promise<void>; arrive: () => void; open: () => void; opened: Promise<void> } {
  let arrive!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (open = r));
  return { reached, arrive, open, opened };
}

describe.each(dispatchers)('removal during materialization (%s)', (_name, makeDispatcher) => {
  it('a tracker removed before notifyResolved: the query fails, notifyResolved throws ResourceTrackerDefunct', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const rm = new RecordingManager();
    es.registerResourceManager(rm);
    const jd = es.createJITDylib('JD');
    const rt = jd.createResourceTracker();
    const g = gates();
    let resolveError: unknown;
    let failCalledOnEmpty = false;
    jd.define(
      new SimpleMaterializationUnit(new Map([['foo', X]]), {
        materialize: async (mr) => {
          g.arrive();
          await g.opened;
          try {
            mr.notifyResolved(new Map([['foo', { address: 1n, flags: X }]]));
          } catch (e) {
            resolveError = e;
            mr.failMaterialization();
            failCalledOnEmpty = mr.isEmpty();
          }
        },
      }),
      rt,
    );
    const q = observe(es.lookup(jd, 'foo'));
    await withinSafetyNet(g.reached, 'materializer never started');

    await rt.remove();
    expect(rm.removed).toEqual([[jd, rt.getKey()]]);
    await turns();
    expect(q.error).toBeInstanceOf(FailedToMaterialize);
    expect((q.error as FailedToMaterialize).symbols).toEqual(new Map([[jd, new Set(['foo'])]]));
    expect(jd.getSymbolInfo('foo')).toBeUndefined();

    g.open();
    await withinSafetyNet(drain(es), 'drain hung');
    expect(resolveError).toBeInstanceOf(ResourceTrackerDefunct);
    expect((resolveError as ResourceTrackerDefunct).tracker).toBe(rt);
    expect(failCalledOnEmpty).toBe(true);
    expect(reported).toEqual([]); // the unit handled the error; nothing was dropped
  });

  it('a tracker removed between notifyResolved and notifyEmitted: the Ready query fails, the Resolved one had succeeded', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const rm = new RecordingManager();
    es.registerResourceManager(rm);
    const jd = es.createJITDylib('JD');
    const rt = jd.createResourceTracker();
    const g = gates();
    jd.define(
      new SimpleMaterializationUnit(
        new Map([
          ['foo', X],
          ['bar', X],
        ]),
        {
          materialize: async (mr) => {
            mr.notifyResolved(
              new Map([
                ['foo', { address: 1n, flags: X }],
                ['bar', { address: 2n, flags: X }],
              ]),
            );
            g.arrive();
            await g.opened;
            mr.notifyEmitted(); // throws: the rejection is reported, and the responsibility cleared
          },
        },
      ),
      rt,
    );
    const resolved = observe(es.lookup(jd, 'foo', { requiredState: SymbolState.Resolved }));
    const ready = observe(es.lookup(jd, ['foo', 'bar']));
    await withinSafetyNet(g.reached, 'materializer never started');
    await turns();
    expect(resolved.value?.address).toBe(1n);
    expect(ready.settled).toBe(false);

    await rt.remove();
    await turns();
    expect(ready.error).toBeInstanceOf(FailedToMaterialize);
    expect((ready.error as FailedToMaterialize).symbols).toEqual(new Map([[jd, new Set(['foo', 'bar'])]]));
    expect(rm.removed).toEqual([[jd, rt.getKey()]]);

    g.open();
    await withinSafetyNet(drain(es), 'drain hung');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(ResourceTrackerDefunct);
    expect(reported.some((e) => e instanceof MaterializationResponsibilityDropped)).toBe(false);
  });

  it('JITDylib.clear() while materializing fails the query; a symbol redefined afterwards is unaffected', async () => {
    const { es } = makeSession(makeDispatcher());
    const rm = new RecordingManager();
    es.registerResourceManager(rm);
    const jd = es.createJITDylib('JD');
    const g = gates();
    let emitError: unknown;
    jd.define(
      new SimpleMaterializationUnit(new Map([['foo', X]]), {
        materialize: async (mr) => {
          g.arrive();
          await g.opened;
          try {
            mr.notifyResolved(new Map([['foo', { address: 1n, flags: X }]]));
            mr.notifyEmitted();
          } catch (e) {
            emitError = e;
            mr.failMaterialization();
          }
        },
      }),
    );
    const dflt = jd.getDefaultResourceTracker();
    const q = observe(es.lookup(jd, 'foo'));
    await withinSafetyNet(g.reached, 'materializer never started');
    await jd.clear();
    await turns();
    expect(q.error).toBeInstanceOf(FailedToMaterialize);
    expect(rm.removed).toEqual([[jd, dflt.getKey()]]);

    // A new foo under the new default tracker: the stale responsibility must not touch it.
    let newCalls = 0;
    jd.define(
      new SimpleMaterializationUnit(new Map([['foo', X]]), {
        materialize: (mr) => {
          newCalls++;
          mr.notifyResolved(new Map([['foo', { address: 0x99n, flags: X }]]));
          mr.notifyEmitted();
        },
      }),
    );
    g.open();
    await drain(es);
    expect(emitError).toBeInstanceOf(ResourceTrackerDefunct);
    expect((await es.lookup(jd, 'foo')).address).toBe(0x99n);
    expect(newCalls).toBe(1);
    expect(jd.getSymbolInfo('foo')?.flags).toBe(X);
  });

  it('removing the tracker of a dependency fails the emitted dependant in another tracker', async () => {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const rtBar = jd.createResourceTracker();
    let barMR: import('@orc-ts/core').MaterializationResponsibility | undefined;
    jd.define(
      new SimpleMaterializationUnit(new Map([['foo', X]]), {
        materialize: (mr) => {
          mr.notifyResolved(new Map([['foo', { address: 1n, flags: X }]]));
          mr.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) }]);
        },
      }),
    );
    jd.define(
      new SimpleMaterializationUnit(new Map([['bar', X]]), {
        materialize: (mr) => {
          barMR = mr;
        },
      }),
      rtBar,
    );
    const foo = observe(es.lookup(jd, 'foo'));
    const bar = observe(es.lookup(jd, 'bar', { requiredState: SymbolState.Resolved }));
    await drain(es);
    expect(jd.getSymbolInfo('foo')?.state).toBe(SymbolState.Emitted);
    expect(barMR).toBeDefined();

    await rtBar.remove();
    await drain(es);
    expect(foo.error).toBeInstanceOf(FailedToMaterialize);
    expect((foo.error as FailedToMaterialize).symbols).toEqual(new Map([[jd, new Set(['bar', 'foo'])]]));
    expect(bar.error).toBeInstanceOf(FailedToMaterialize);
    expect(jd.getSymbolInfo('foo')!.flags & JITSymbolFlags.HasError).toBe(JITSymbolFlags.HasError);
    await expect(es.lookup(jd, 'foo')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(() => barMR!.notifyResolved(new Map([['bar', { address: 2n, flags: X }]]))).toThrow(ResourceTrackerDefunct);
  });
});
