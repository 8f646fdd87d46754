/**
 * A materialization responsibility that is dropped without `notifyEmitted` or `failMaterialization` fails its
 * queries instead of hanging them (DESIGN.md §2):
 * (a) an asynchronous `materialize` that settles while the responsibility still holds symbols;
 * (b) a synchronous `materialize` that drops the responsibility object entirely, found by garbage collection.
 */
import { describe, expect, it } from 'vitest';
import {
  FailedToMaterialize,
  MaterializationResponsibilityDropped,
  SimpleMaterializationUnit,
  SymbolState,
  type ExecutionSession,
  type JITDylib,
} from '@orc-ts/core';
import { X, dispatchers, drain, makeSession, observe, turns, withinSafetyNet, type Observed } from './helpers.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage until `done()` or the bound is reached (finalizers run on later turns). */
async function collectUntil(done: () => boolean, rounds = 100): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 10));
  }
}

function twoSymbolUnit(materialize: SimpleMaterializationUnit['materialize'], name = 'dropper'): SimpleMaterializationUnit {
  return new SimpleMaterializationUnit(
    new Map([
      ['foo', X],
      ['bar', X],
    ]),
    { name, materialize: (mr) => materialize.call(undefined, mr) },
  );
}

describe.each(dispatchers)('dropped responsibilities (%s)', (_name, makeDispatcher) => {
  it('(a) an async materialize that resolves without emitting fails the query and reports the drop', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    jd.define(twoSymbolUnit(async () => {
      await turns(1);
    }));
    const err = await withinSafetyNet(es.lookup(jd, 'foo').then(
      () => undefined,
      (e: unknown) => e,
    ), 'query hung');
    expect(err).toBeInstanceOf(FailedToMaterialize);
    expect((err as FailedToMaterialize).symbols).toEqual(new Map([[jd, new Set(['foo', 'bar'])]]));
    expect(reported).toHaveLength(1);
    const drop = reported[0] as MaterializationResponsibilityDropped;
    expect(drop).toBeInstanceOf(MaterializationResponsibilityDropped);
    expect(drop.unitName).toBe('dropper');
    expect(drop.jitDylib).toBe(jd);
    expect([...drop.symbols].sort()).toEqual(['bar', 'foo']);
    expect(drop.message).toMatch(/dropper.*JD.*finished without emitting or failing/);
    // The failure persists.
    await expect(es.lookup(jd, 'bar')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(jd.getSymbolInfo('foo')?.flags).toBe(X | 1);
  });

  it('(a) an async materialize that only resolved some symbols: the Resolved query succeeds, the Ready one fails', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    jd.define(twoSymbolUnit(async (mr) => {
      mr.notifyResolved(new Map([['foo', { address: 0x10n, flags: X }]]));
      await turns(1);
    }));
    const resolved = observe(es.lookup(jd, 'foo', { requiredState: SymbolState.Resolved }));
    const ready = observe(es.lookup(jd, 'foo'));
    await withinSafetyNet(drain(es), 'drain hung');
    expect(resolved.value?.address).toBe(0x10n);
    expect(ready.error).toBeInstanceOf(FailedToMaterialize);
    expect(reported.map((e) => (e as Error).constructor)).toEqual([MaterializationResponsibilityDropped]);
    expect((reported[0] as MaterializationResponsibilityDropped).symbols).toEqual(expect.arrayContaining(['foo', 'bar']));
  });

  it('(a) an async materialize that rejects fails the query and reports the rejection (not a drop)', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const boom = new Error('compile failed');
    jd.define(twoSymbolUnit(async () => {
      await turns(1);
      throw boom;
    }));
    await expect(withinSafetyNet(es.lookup(jd, 'foo'), 'query hung')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(reported).toEqual([boom]);
  });

  it('(a) a synchronous materialize that throws fails the query and reports the error', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const boom = new Error('sync failure');
    jd.define(twoSymbolUnit(() => {
      throw boom;
    }));
    await expect(withinSafetyNet(es.lookup(jd, 'bar'), 'query hung')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(reported).toEqual([boom]);
  });

  it('(a) an async materialize that finishes properly reports nothing', async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    jd.define(twoSymbolUnit(async (mr) => {
      await turns(1);
      mr.notifyResolved(new Map([
        ['foo', { address: 1n, flags: X }],
        ['bar', { address: 2n, flags: X }],
      ]));
      mr.notifyEmitted();
    }));
    expect((await es.lookup(jd, 'bar')).address).toBe(2n);
    await drain(es);
    expect(reported).toEqual([]);
  });

  it('(b) a sync materialize that drops the responsibility object is found by garbage collection', { timeout: 20_000 }, async () => {
    expect(gc, 'the core vitest project must run with --expose-gc').toBeTypeOf('function');
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    let called = 0;
    jd.define(twoSymbolUnit(() => {
      called++; // ...and forgets the responsibility.
    }, 'forgetful'));
    const lookup = lookupFoo(es, jd);
    await drain(es);
    expect(called).toBe(1);
    expect(lookup.settled).toBe(false);

    await collectUntil(() => lookup.settled);

    expect(lookup.error).toBeInstanceOf(FailedToMaterialize);
    expect((lookup.error as FailedToMaterialize).symbols).toEqual(new Map([[jd, new Set(['foo', 'bar'])]]));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(MaterializationResponsibilityDropped);
    expect((reported[0] as MaterializationResponsibilityDropped).unitName).toBe('forgetful');
    await expect(es.lookup(jd, 'bar')).rejects.toBeInstanceOf(FailedToMaterialize);
  });

  it('(b) a responsibility that was finished properly is not reported when collected', { timeout: 20_000 }, async () => {
    const { es, reported } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    jd.define(twoSymbolUnit((mr) => {
      mr.notifyResolved(new Map([
        ['foo', { address: 1n, flags: X }],
        ['bar', { address: 2n, flags: X }],
      ]));
      mr.notifyEmitted();
    }));
    expect((await es.lookup(jd, 'foo')).address).toBe(1n);
    // Also a dropped-then-detected one, as a witness that collection did run.
    const witness = es.createJITDylib('W');
    witness.define(twoSymbolUnit(() => {}));
    const w = lookupFoo(es, witness);
    await drain(es);
    await collectUntil(() => w.settled);
    expect(w.error).toBeInstanceOf(FailedToMaterialize);
    expect(reported).toHaveLength(1);
    expect((reported[0] as MaterializationResponsibilityDropped).jitDylib).toBe(witness);
  });
});

/** Kept out of the test body so that no local of the test's frame can keep the responsibility alive. */
function lookupFoo(es: ExecutionSession, jd: JITDylib): Observed<unknown> {
  return observe(es.lookup(jd, 'foo'));
}
