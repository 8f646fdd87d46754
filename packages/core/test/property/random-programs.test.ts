/**
 * Property test: random programs interleaving definitions (absolute symbols, units with synchronous or asynchronous
 * materializers, random weak flags and dependencies), lookups (required states, weak references, search orders),
 * notifyResolved / notifyEmitted / failMaterialization of outstanding responsibilities in random order, tracker
 * removal, JITDylib.remove, JITDylib removal and generator addition, finished by emitting or failing every
 * outstanding responsibility and draining the dispatcher. Run under both dispatchers, seeded.
 *
 * Properties (see model.ts): every lookup settles, exactly once, with the outcome the model predicts; a success maps
 * each name to an address the program assigned to that name; no symbol is Ready while something it (transitively)
 * depends on is not emitted; the real symbol tables equal the model's after every step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InPlaceTaskDispatcher, QueueingTaskDispatcher, SymbolState, type TaskDispatcher } from '@orc-ts/core';
import { Harness, JD_COUNT, NAMES, type DepSpec, type NameSpec, type Op, type SymSpec } from './model.js';

const jdArb = fc.integer({ min: 0, max: JD_COUNT - 1 });
const nameArb = fc.integer({ min: 0, max: NAMES.length - 1 });
const weakArb = fc.constantFrom(false, false, false, true);

const depArb: fc.Arbitrary<DepSpec> = fc.oneof(
  fc.record({ jd: jdArb, name: nameArb }),
  fc.record({ index: fc.nat(40) }),
  fc.record({ index: fc.nat(40) }),
);

const nameSpecArb: fc.Arbitrary<NameSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ name: nameArb }) },
  { weight: 3, arbitrary: fc.record({ index: fc.nat(40) }) },
);

const symSpecArb: fc.Arbitrary<SymSpec> = fc.record({
  name: nameArb,
  weak: weakArb,
  deps: fc.array(depArb, { maxLength: 2 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.record({
      t: fc.constant('define' as const),
      jd: jdArb,
      tracker: fc.integer({ min: 0, max: 2 }),
      kind: fc.constantFrom('abs' as const, 'sync' as const, 'async' as const),
      syms: fc.uniqueArray(symSpecArb, { minLength: 1, maxLength: 2, selector: (s) => s.name }),
      grouping: fc.constantFrom('each' as const, 'one' as const, 'none' as const),
      trigger: fc.constantFrom(null, SymbolState.Resolved, SymbolState.Emitted, SymbolState.Ready),
      settle: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('lookup' as const),
      order: fc.constantFrom([0], [1], [0, 1], [1, 0]),
      names: fc.array(fc.tuple(nameSpecArb, fc.boolean()), { minLength: 1, maxLength: 3 }),
      req: fc.constantFrom(SymbolState.Resolved, SymbolState.Emitted, SymbolState.Ready, SymbolState.Ready),
      settle: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('resolve' as const), mr: fc.nat(15), mask: fc.integer({ min: 1, max: 3 }), settle: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('emit' as const), mr: fc.nat(15), settle: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fail' as const), mr: fc.nat(15), settle: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('removeTracker' as const), jd: jdArb, tracker: fc.integer({ min: 0, max: 2 }), busy: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('jdRemove' as const),
      jd: jdArb,
      names: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 2 }),
      settle: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('removeJD' as const), jd: jdArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('addGenerator' as const),
      jd: jdArb,
      async: fc.boolean(),
      names: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 3 }),
    }),
  },
);

const programArb = fc.record({
  // An explicit size: fast-check's default ('small') would keep programs near ten steps whatever maxLength says.
  ops: fc.array(opArb, { minLength: 4, maxLength: 24, size: 'max' }),
  finishSeed: fc.integer(),
});

const dispatchers: ReadonlyArray<readonly [string, () => TaskDispatcher, number]> = [
  ['InPlaceTaskDispatcher', () => new InPlaceTaskDispatcher(), 0x0c0e],
  ['QueueingTaskDispatcher', () => new QueueingTaskDispatcher(), 0x0c0f],
];

describe.each(dispatchers)('random programs (%s)', (_name, makeDispatcher, seed) => {
  it('every lookup settles exactly once, as modelled; nothing is Ready before its dependencies are emitted', { timeout: 60_000 }, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(programArb, async ({ ops, finishSeed }) => {
        runs++;
        const h = new Harness(makeDispatcher());
        await h.run(ops, finishSeed);
      }),
      { seed, numRuns: 1000 },
    );
    expect(runs).toBeGreaterThanOrEqual(1000);
  });
});
