/** Conformance §10 items 13–17: aliases, reexports and the reexports generator. */
import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols,
  JITDylibLookupFlags,
  JITSymbolFlags,
  reexports,
  ReexportsGenerator,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolState,
  symbolAliases,
} from '@orc-ts/core';
import {
  BarAddr,
  barSym,
  bazSym,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  FooAddr,
  fooSym,
  makeFixture,
  QuxAddr,
  quxSym,
  recordingUnit,
  resolveAndEmit,
  symbolMap,
  X,
} from './fixture.js';

describe.each(DISPATCHERS)('aliases and reexports ($name dispatcher)', (kind) => {
  it('#13 TestBasicAliases: baz aliases foo; the weak alias qux is overridden by a strong absolute qux', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym, bar: barSym })));
    const aliases = symbolAliases(
      new Map([
        ['baz', { aliasee: 'foo', aliasFlags: X }],
        ['qux', { aliasee: 'bar', aliasFlags: JITSymbolFlags.Weak }],
      ]),
    );
    jd.define(aliases);
    jd.define(absoluteSymbols(symbolMap({ qux: quxSym })));
    expect(Array.from(aliases.getSymbols().keys())).toEqual(['baz']);

    const result = await es.lookup(jd, ['baz', 'qux']);
    expect(result).toEqual(symbolMap({ baz: { address: FooAddr, flags: X }, qux: quxSym }));
    expect(f.reported).toEqual([]);
  });

  it('#14 TestChainedAliases: with baz→bar→foo in one JITDylib, bar and baz both resolve to foo', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    jd.define(
      symbolAliases(
        new Map([
          ['baz', { aliasee: 'bar', aliasFlags: X }],
          ['bar', { aliasee: 'foo', aliasFlags: X }],
        ]),
      ),
    );
    const result = await es.lookup(jd, ['bar', 'baz']);
    expect(result).toEqual(symbolMap({ bar: { address: FooAddr, flags: X }, baz: { address: FooAddr, flags: X } }));
    expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.Ready);
    expect(f.reported).toEqual([]);
  });

  it('#14 TestChainedAliases: looking up only the end of the chain (baz) still resolves through bar', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    jd.define(
      symbolAliases(
        new Map([
          ['baz', { aliasee: 'bar', aliasFlags: X }],
          ['bar', { aliasee: 'foo', aliasFlags: X }],
        ]),
      ),
    );
    expect(await es.lookup(jd, 'baz')).toEqual({ address: FooAddr, flags: X });
  });

  it('#15 TestBasicReExports: a reexport in JD2 resolves to foo’s address from JD', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    const jd2 = es.createBareJITDylib('JD2');
    jd2.define(reexports(jd, new Map([['bar', { aliasee: 'foo', aliasFlags: X }]])));
    expect(await es.lookup(exportedOnly(jd2), 'bar')).toEqual({ address: FooAddr, flags: X });
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Ready);
  });

  it('#16 TestThatReExportsDontUnnecessarilyMaterialize: looking up one reexport leaves the other’s aliasee alone', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    const bar = recordingUnit(flagsMap({ bar: X }), (mr) => resolveAndEmit(mr, symbolMap({ bar: barSym })));
    jd.define(bar.mu);
    const jd2 = es.createBareJITDylib('JD2');
    jd2.define(
      reexports(
        jd,
        new Map([
          ['baz', { aliasee: 'foo', aliasFlags: X }],
          ['qux', { aliasee: 'bar', aliasFlags: X }],
        ]),
      ),
    );

    expect(await es.lookup(exportedOnly(jd2), 'baz')).toEqual({ address: FooAddr, flags: X });
    await f.settle();
    expect(bar.materialized).toBe(0);
    expect(jd.getSymbolInfo('bar')!.state).toBe(SymbolState.NeverSearched);
    // qux was handed back: still waiting for a lookup, with a materializer attached.
    expect(jd2.getSymbolInfo('qux')).toMatchObject({ state: SymbolState.Materializing, materializerAttached: true });

    expect(await es.lookup(exportedOnly(jd2), 'qux')).toEqual({ address: BarAddr, flags: X });
    expect(bar.materialized).toBe(1);
  });

  it('#17 TestReexportsGenerator: only what the filter allows is reexported; lookupFlags and lookup see it', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const jd2 = es.createBareJITDylib('JD2');
    jd2.define(absoluteSymbols(symbolMap({ foo: fooSym, bar: barSym })));
    jd.addGenerator(new ReexportsGenerator(jd2, JITDylibLookupFlags.MatchExportedSymbolsOnly, (name) => name !== 'bar'));

    const flags = await es.lookupFlags(
      exportedOnly(jd),
      SymbolLookupSet.fromNames(['foo', 'bar', 'baz'], SymbolLookupFlags.WeaklyReferencedSymbol),
    );
    expect(flags).toEqual(flagsMap({ foo: X }));
    expect(jd.getSymbolNames()).toEqual(['foo']);
    // lookupFlags generated the reexport but materialized nothing.
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.NeverSearched);
    expect(jd2.getSymbolInfo('foo')!.state).toBe(SymbolState.NeverSearched);

    expect(await es.lookup(exportedOnly(jd), 'foo')).toEqual({ address: FooAddr, flags: X });
    await expect(es.lookup(exportedOnly(jd), 'bar')).rejects.toMatchObject({ symbols: ['bar'] });
    expect(jd.getSymbolInfo('bar')).toBeUndefined();
  });

  it('#17 TestReexportsGenerator: the generator reexports with the source’s flags and addresses, hidden ones only when allowed', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const jd2 = es.createBareJITDylib('JD2');
    jd2.define(absoluteSymbols(symbolMap({ baz: bazSym, qux: { address: QuxAddr, flags: JITSymbolFlags.None } })));
    // The reexports resolve their aliasees in JD2 with all symbols visible; which source symbols the generator
    // sees follows the visibility JD is searched with.
    jd.addGenerator(new ReexportsGenerator(jd2, JITDylibLookupFlags.MatchAllSymbols));
    expect(await es.lookup(exportedOnly(jd), 'baz')).toEqual(bazSym);
    // qux is hidden in JD2 and JD is searched exported-only: nothing to reexport.
    await expect(es.lookup(exportedOnly(jd), 'qux')).rejects.toMatchObject({ symbols: ['qux'] });
    expect(jd.getSymbolInfo('qux')).toBeUndefined();
    // Searching JD with all symbols visible lets the generator see hidden source symbols too.
    expect(await es.lookup([[jd, JITDylibLookupFlags.MatchAllSymbols]], 'qux')).toEqual({
      address: QuxAddr,
      flags: JITSymbolFlags.None,
    });
  });
});
