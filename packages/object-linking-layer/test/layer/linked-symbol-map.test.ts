import { describe, expect, it } from 'vitest';
import { ExecutionSession, MemProt } from '@orc-ts/core';
import {
  ExecutorJITLinkMemoryManager, LinkGraph, LinkTargetRegistry, LinkedSymbolMap, Linkage, MemoryOnlyExecutorProcessControl,
  ObjectLinkingLayer, Scope,
} from '@orc-ts/object-linking-layer';
import { FakeTarget } from './fake-target.js';

function setup() {
  const epc = new MemoryOnlyExecutorProcessControl({ slabAddress: 0x10_0000_0000n, pageSize: 4096 });
  const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => { throw e; } });
  const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), new LinkTargetRegistry([new FakeTarget()]));
  const map = new LinkedSymbolMap(es);
  layer.addPlugin(map);
  return { es, layer, map, jd: es.createJITDylib('main') };
}

/** `.text` block of 32 bytes: `sized` (0..8, size 8), a label `label` at 16 with no size, padding between. */
function graph(prefix: string): LinkGraph {
  const g = new LinkGraph(`${prefix}.o`, new FakeTarget().info);
  const text = g.createSection('.text', MemProt.Read | MemProt.Exec);
  const code = g.createContentBlock(text, new Uint8Array(32), 0n, 16);
  g.addDefinedSymbol(code, 0, `${prefix}_sized`, 8, Linkage.Strong, Scope.Default, true, true);
  g.addDefinedSymbol(code, 16, `${prefix}_label`, 0, Linkage.Strong, Scope.Local, true, true);
  g.addDefinedSymbol(code, 24, `${prefix}_tail`, 0, Linkage.Strong, Scope.Local, true, true);
  return g;
}

describe('LinkedSymbolMap', () => {
  it('names the symbol an address falls in, with the offset, through the session', async () => {
    const { es, layer, jd } = setup();
    layer.addLinkGraph(jd, graph('a'));
    const base = (await es.lookup(jd, 'a_sized')).address;
    expect(es.symbolizeAddress(base)).toEqual({ name: 'a_sized', offset: 0n });
    expect(es.symbolizeAddress(base + 7n)).toEqual({ name: 'a_sized', offset: 7n });
    // Between a sized symbol's end and the next label: the block's fallback, named by section and graph.
    expect(es.symbolizeAddress(base + 9n)).toEqual({ name: '.text (a.o)', offset: 9n });
    // A label without a size reaches the next symbol of its block, the last one the block's end.
    expect(es.symbolizeAddress(base + 20n)).toEqual({ name: 'a_label', offset: 4n });
    expect(es.symbolizeAddress(base + 31n)).toEqual({ name: 'a_tail', offset: 7n });
    expect(es.symbolizeAddress(base + 32n)).toBeUndefined();
    expect(es.symbolizeAddress(0n)).toBeUndefined();
  });

  it('forgets the ranges of removed trackers and follows transferred ones', async () => {
    const { es, layer, jd, map } = setup();
    const rt1 = jd.createResourceTracker();
    const rt2 = jd.createResourceTracker();
    layer.addLinkGraph(rt1, graph('a'));
    layer.addLinkGraph(rt2, graph('b'));
    const a = (await es.lookup(jd, 'a_sized')).address;
    const b = (await es.lookup(jd, 'b_sized')).address;
    expect(map.size).toBe(8);
    rt1.transferTo(rt2);
    await rt2.remove();
    expect(map.size).toBe(0);
    expect(es.symbolizeAddress(a)).toBeUndefined();
    expect(es.symbolizeAddress(b)).toBeUndefined();
  });

  it('stops answering once detached', async () => {
    const { es, layer, jd, map } = setup();
    layer.addLinkGraph(jd, graph('a'));
    const a = (await es.lookup(jd, 'a_sized')).address;
    map.detach();
    expect(es.symbolizeAddress(a)).toBeUndefined();
  });
});
