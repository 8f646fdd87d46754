/**
 * The JIT-dispatch registry: `registerJITDispatchHandlers` looks the tag symbols up (hidden ones included) and
 * `runJITDispatchHandler` routes a call from the executor by tag address.
 */
import { describe, expect, it } from 'vitest';
import {
  JITSymbolFlags,
  SimpleMaterializationUnit,
  SymbolsNotFound,
  absoluteSymbols,
  formatAddress,
  type JITDispatchHandler,
} from '@orc-ts/core';
import { X, dispatchers, makeSession } from './helpers.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe.each(dispatchers)('JIT dispatch (%s)', (_name, makeDispatcher) => {
  function setup() {
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('platform');
    jd.define(
      absoluteSymbols(
        new Map([
          ['__orc_rt_resolve_tag', { address: 0x1000n, flags: X }],
          // A hidden tag: handlers are registered with all symbols visible.
          ['__orc_rt_hidden_tag', { address: 0x2000n, flags: JITSymbolFlags.None }],
        ]),
      ),
    );
    return { es, jd };
  }

  it('routes calls by tag address to the registered handlers', async () => {
    const { es, jd } = setup();
    const seen: string[] = [];
    const resolve: JITDispatchHandler = (arg) => {
      seen.push(`resolve ${arg.join(',')}`);
      return bytes(arg[0]! + 1);
    };
    const hidden: JITDispatchHandler = async (arg) => {
      seen.push(`hidden ${arg.join(',')}`);
      await Promise.resolve();
      return bytes(...arg, 99);
    };
    await es.registerJITDispatchHandlers(jd, { __orc_rt_resolve_tag: resolve, __orc_rt_hidden_tag: hidden });

    expect(await es.runJITDispatchHandler(0x1000n, bytes(41))).toEqual(bytes(42));
    expect(await es.runJITDispatchHandler(0x2000n, bytes(1, 2))).toEqual(bytes(1, 2, 99));
    expect(seen).toEqual(['resolve 41', 'hidden 1,2']);
  });

  it('accepts a Map of handlers and tags defined by a unit materialized on demand', async () => {
    const { es, jd } = setup();
    let materialized = 0;
    jd.define(
      new SimpleMaterializationUnit(new Map([['lazy_tag', X]]), {
        materialize: async (mr) => {
          materialized++;
          await Promise.resolve();
          mr.notifyResolved(new Map([['lazy_tag', { address: 0x3000n, flags: X }]]));
          mr.notifyEmitted();
        },
      }),
    );
    await es.registerJITDispatchHandlers(jd, new Map([['lazy_tag', () => bytes(7)]]));
    expect(materialized).toBe(1);
    expect(await es.runJITDispatchHandler(0x3000n, bytes())).toEqual(bytes(7));
  });

  it('an unknown tag rejects with a message naming the address', async () => {
    const { es, jd } = setup();
    await es.registerJITDispatchHandlers(jd, { __orc_rt_resolve_tag: () => bytes() });
    await expect(es.runJITDispatchHandler(0xdead0n, bytes())).rejects.toThrow(
      `No JIT dispatch handler for tag ${formatAddress(0xdead0n)}`,
    );
    expect(formatAddress(0xdead0n)).toBe('0x00000000000dead0');
  });

  it('a handler that throws rejects the call with its error', async () => {
    const { es, jd } = setup();
    const boom = new Error('handler failed');
    await es.registerJITDispatchHandlers(jd, {
      __orc_rt_resolve_tag: () => {
        throw boom;
      },
    });
    await expect(es.runJITDispatchHandler(0x1000n, bytes())).rejects.toBe(boom);
  });

  it('registering a second handler for a tag fails and keeps the first', async () => {
    const { es, jd } = setup();
    await es.registerJITDispatchHandlers(jd, { __orc_rt_resolve_tag: () => bytes(1) });
    await expect(es.registerJITDispatchHandlers(jd, { __orc_rt_resolve_tag: () => bytes(2) })).rejects.toThrow(
      /JIT dispatch tag 0x0000000000001000 \(__orc_rt_resolve_tag\) already has a handler \(__orc_rt_resolve_tag\)/,
    );
    expect(await es.runJITDispatchHandler(0x1000n, bytes())).toEqual(bytes(1));
  });

  it('a registration that fails installs none of its handlers', async () => {
    const { es, jd } = setup();
    await es.registerJITDispatchHandlers(jd, { __orc_rt_resolve_tag: () => bytes(1) });
    await expect(
      es.registerJITDispatchHandlers(jd, { __orc_rt_hidden_tag: () => bytes(2), __orc_rt_resolve_tag: () => bytes(3) }),
    ).rejects.toThrow(/already has a handler/);
    // The hidden tag was not half-registered: registering it now works.
    await expect(es.runJITDispatchHandler(0x2000n, bytes())).rejects.toThrow(/No JIT dispatch handler/);
    await es.registerJITDispatchHandlers(jd, { __orc_rt_hidden_tag: () => bytes(4) });
    expect(await es.runJITDispatchHandler(0x2000n, bytes())).toEqual(bytes(4));
  });

  it('a missing tag symbol fails the registration with SymbolsNotFound and installs nothing', async () => {
    const { es, jd } = setup();
    await expect(
      es.registerJITDispatchHandlers(jd, { __orc_rt_resolve_tag: () => bytes(), no_such_tag: () => bytes() }),
    ).rejects.toBeInstanceOf(SymbolsNotFound);
    await expect(es.runJITDispatchHandler(0x1000n, bytes())).rejects.toThrow(/No JIT dispatch handler/);
  });

  it('sessions keep separate registries', async () => {
    const a = setup();
    const b = setup();
    await a.es.registerJITDispatchHandlers(a.jd, { __orc_rt_resolve_tag: () => bytes(1) });
    await b.es.registerJITDispatchHandlers(b.jd, { __orc_rt_resolve_tag: () => bytes(2) });
    expect(await a.es.runJITDispatchHandler(0x1000n, bytes())).toEqual(bytes(1));
    expect(await b.es.runJITDispatchHandler(0x1000n, bytes())).toEqual(bytes(2));
  });
});
