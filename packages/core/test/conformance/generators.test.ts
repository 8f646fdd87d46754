/** Conformance §10 items 12 and 30–34: definition generators, synchronous and asynchronous. */
import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols,
  JITSymbolFlags,
  SymbolLookupFlags,
  SymbolLookupSet,
  type DefinitionGenerator,
  type JITDylib,
  type SymbolMap,
} from '@orc-ts/core';
import {
  BarAddr,
  barSym,
  BazAddr,
  bazSym,
  ControllableGenerator,
  DISPATCHERS,
  exportedOnly,
  fooSym,
  GENERATOR_STYLES,
  makeFixture,
  observe,
  startLookup,
  symbolMap,
  type GeneratorStyle,
} from './fixture.js';

class BadGeneratorError extends Error {}

describe.each(DISPATCHERS)('generators ($name dispatcher)', (kind) => {
  it('#12 LookupWithGeneratorFailure: a throwing generator’s error reaches lookupFlags and lookup', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const errors: BadGeneratorError[] = [];
    let calls = 0;
    jd.addGenerator({
      tryToGenerate() {
        calls++;
        const e = new BadGeneratorError(`bad generator #${calls}`);
        errors.push(e);
        throw e;
      },
    });

    const flags = observe(es.lookupFlags(exportedOnly(jd), ['foo']));
    await f.settle();
    expect(flags.error).toBe(errors[0]);

    const lookup = observe(es.lookup(exportedOnly(jd), ['foo']));
    await f.settle();
    expect(lookup.error).toBe(errors[1]);
    // The generator was released after each failure: both lookups reached it.
    expect(calls).toBe(2);
    expect(f.dispatcher.materializations).toBe(0);
  });

  it('#12 LookupWithGeneratorFailure: a generator’s rejected promise reaches lookupFlags and lookup', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const err = new BadGeneratorError('rejected');
    jd.addGenerator({ tryToGenerate: () => Promise.reject(err) });
    const flags = observe(es.lookupFlags(exportedOnly(jd), ['foo']));
    const lookup = observe(es.lookup(exportedOnly(jd), ['foo']));
    await f.settle();
    expect(flags.error).toBe(err);
    expect(lookup.error).toBe(err);
  });

  it('#30 GeneratorTest: foo, bar and weak baz; the generator supplies bar (not the hidden baz)', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym, baz: { address: BazAddr, flags: JITSymbolFlags.None } })));
    const offered = symbolMap({ bar: barSym, baz: bazSym });
    const asked: string[][] = [];
    const generator: DefinitionGenerator = {
      tryToGenerate(_ls, _kind, target: JITDylib, _flags, set) {
        const names = set.getSymbolNames();
        asked.push(names);
        const defs: SymbolMap = new Map();
        for (const n of names) if (offered.has(n)) defs.set(n, offered.get(n)!);
        target.define(absoluteSymbols(defs));
      },
    };
    jd.addGenerator(generator);

    const set = SymbolLookupSet.fromNames(['foo', 'bar']).add('baz', SymbolLookupFlags.WeaklyReferencedSymbol);
    const result = await es.lookup(exportedOnly(jd), set);
    expect(result).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
    expect(result.get('bar')!.address).toBe(BarAddr);
    // Only bar was a candidate: foo was defined, baz is present but hidden.
    expect(asked).toEqual([['bar']]);
    expect(jd.getSymbolInfo('baz')!.flags).toBe(JITSymbolFlags.None);
  });

  describe.each(GENERATOR_STYLES)('asynchronous generator (%s style)', (style: GeneratorStyle) => {
    it('#31 SimpleAsynchronousGeneratorTest: the generator keeps the lookup, defines foo later, continuing completes it', async () => {
      const f = makeFixture(kind);
      const { es, jd } = f;
      const g = jd.addGenerator(new ControllableGenerator(style));
      const q = startLookup(es, exportedOnly(jd), ['foo']);
      await f.settle();
      expect(g.calls).toBe(1);
      expect(g.captured.map((c) => c.names)).toEqual([['foo']]);
      expect(q.calls).toBe(0);

      jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
      g.take().finish();
      await f.settle();
      expect(q.calls).toBe(1);
      expect(q.error).toBeUndefined();
      expect(q.result).toEqual(symbolMap({ foo: fooSym }));
      expect(g.calls).toBe(1);
    });

    it('#32 ErrorFromSuspendedAsynchronousGeneratorTest: continuing with an error fails the lookup with it', async () => {
      const f = makeFixture(kind);
      const { es, jd } = f;
      const g = jd.addGenerator(new ControllableGenerator(style));
      const q = startLookup(es, exportedOnly(jd), ['foo']);
      await f.settle();
      expect(q.calls).toBe(0);

      const boom = new Error('boom');
      g.take().finish(boom);
      await f.settle();
      expect(q.calls).toBe(1);
      expect(q.error).toBe(boom);

      // The generator is free again.
      const q2 = startLookup(es, exportedOnly(jd), ['foo']);
      await f.settle();
      expect(g.calls).toBe(2);
      jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
      g.take().finish();
      await f.settle();
      expect(q2.result).toEqual(symbolMap({ foo: fooSym }));
    });

    it('#33 ErrorFromAutoSuspendedAsynchronousGeneratorTest: a lookup queued behind the busy generator fails when it is continued with an error', async () => {
      const f = makeFixture(kind);
      const { es, jd } = f;
      const g = jd.addGenerator(new ControllableGenerator(style));
      const q1 = startLookup(es, exportedOnly(jd), ['foo']);
      await f.settle();
      const first = g.take();

      const q2 = startLookup(es, exportedOnly(jd), ['foo']);
      await f.settle();
      // Auto-suspended: the generator has not seen the second lookup.
      expect(g.calls).toBe(1);
      expect(g.captured).toEqual([]);
      expect(q1.calls + q2.calls).toBe(0);

      const boom1 = new Error('boom 1');
      first.finish(boom1);
      await f.settle();
      expect(q1.calls).toBe(1);
      expect(q1.error).toBe(boom1);
      expect(q2.calls).toBe(0);
      expect(g.calls).toBe(2);

      const boom2 = new Error('boom 2');
      g.take().finish(boom2);
      await f.settle();
      expect(q2.calls).toBe(1);
      expect(q2.error).toBe(boom2);
      expect(q1.calls).toBe(1);
    });

    it('#34 BlockedGeneratorAutoSuspensionTest: queued lookups resume in order, also those already satisfied; the fourth is captured next', async () => {
      const f = makeFixture(kind);
      const { es, jd } = f;
      const g = jd.addGenerator(new ControllableGenerator(style));

      const q1 = startLookup(es, exportedOnly(jd), ['foo']);
      await f.settle();
      expect(g.captured.map((c) => c.names)).toEqual([['foo']]);

      // Lookup 2 passes through the generator without being captured: the one-shot override defines bar.
      g.override = (target) => target.define(absoluteSymbols(symbolMap({ bar: barSym })));
      const q2 = startLookup(es, exportedOnly(jd), ['bar']);
      // Lookup 3's symbol will have been generated by the time it resumes.
      const q3 = startLookup(es, exportedOnly(jd), ['bar']);
      // Lookup 4 shows that lookup 3 passed the generator on.
      const q4 = startLookup(es, exportedOnly(jd), ['baz']);
      await f.settle();
      expect([q1.calls, q2.calls, q3.calls, q4.calls]).toEqual([0, 0, 0, 0]);
      expect(g.calls).toBe(1);

      jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
      g.take().finish();
      await f.settle();
      expect(q1.result).toEqual(symbolMap({ foo: fooSym }));
      expect(q2.result).toEqual(symbolMap({ bar: barSym }));
      expect(q3.result).toEqual(symbolMap({ bar: barSym }));
      expect([q1.calls, q2.calls, q3.calls, q4.calls]).toEqual([1, 1, 1, 0]);
      // Lookup 3 skipped the generator (lookup 1, the override for 2, then 4).
      expect(g.calls).toBe(3);
      expect(g.override).toBeNull();
      expect(g.captured.map((c) => c.names)).toEqual([['baz']]);

      jd.define(absoluteSymbols(symbolMap({ baz: bazSym })));
      g.take().finish();
      await f.settle();
      expect(q4.calls).toBe(1);
      expect(q4.result).toEqual(symbolMap({ baz: bazSym }));
    });
  });
});

describe('asynchronous generators (in-place dispatcher, suspend style: results visible when continueLookup returns)', () => {
  it('#34 BlockedGeneratorAutoSuspensionTest [in-place only]: continuing lookup 1 completes 1–3 before continueLookup returns', () => {
    const f = makeFixture();
    const g = f.jd.addGenerator(new ControllableGenerator('suspend'));
    const q1 = startLookup(f.es, exportedOnly(f.jd), ['foo']);
    g.override = (target) => target.define(absoluteSymbols(symbolMap({ bar: barSym })));
    const q2 = startLookup(f.es, exportedOnly(f.jd), ['bar']);
    const q3 = startLookup(f.es, exportedOnly(f.jd), ['bar']);
    const q4 = startLookup(f.es, exportedOnly(f.jd), ['baz']);
    f.jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    g.take().finish();
    expect([q1.calls, q2.calls, q3.calls, q4.calls]).toEqual([1, 1, 1, 0]);
    expect(g.captured.map((c) => c.names)).toEqual([['baz']]);
    f.jd.define(absoluteSymbols(symbolMap({ baz: bazSym })));
    g.take().finish();
    expect(q4.result).toEqual(symbolMap({ baz: bazSym }));
  });
});
