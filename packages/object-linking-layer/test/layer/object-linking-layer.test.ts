import { describe, expect, it } from 'vitest';
import {
  ExecutionSession, FailedToMaterialize, MemProt, SymbolState, SymbolsNotFound, UnexpectedSymbolDefinitions,
} from '@orc-ts/core';
import {
  ExecutorJITLinkMemoryManager, LinkGraph, LinkTargetRegistry, Linkage, MemoryOnlyExecutorProcessControl,
  ObjectLinkingLayer, Scope, type ObjectLinkingLayerPlugin,
} from '@orc-ts/object-linking-layer';
import { Delta32, FakeTarget, Pointer64 } from './fake-target.js';

function setup() {
  const epc = new MemoryOnlyExecutorProcessControl({ slabAddress: 0x10_0000_0000n, pageSize: 4096 });
  const errors: unknown[] = [];
  const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => errors.push(e) });
  const target = new FakeTarget();
  const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), new LinkTargetRegistry([target]));
  const jd = es.createJITDylib('main');
  return { epc, es, layer, jd, target, errors };
}

/** A graph defining `name` (a 4-byte function) and, optionally, an 8-byte pointer `ptrName` to `refName`. */
function graph(name: string, opts: { ref?: string; ptrName?: string; weak?: boolean; extraLocal?: boolean } = {}): LinkGraph {
  const g = new LinkGraph(`${name}.o`, new FakeTarget().info);
  const text = g.createSection('.text', MemProt.Read | MemProt.Exec);
  const code = g.createContentBlock(text, new Uint8Array([0xc0, 0x03, 0x5f, 0xd6]), 0n, 4);
  g.addDefinedSymbol(code, 0, name, 4, opts.weak ? Linkage.Weak : Linkage.Strong, Scope.Default, true, false);
  if (opts.ref && opts.ptrName) {
    const data = g.createSection('.data', MemProt.Read | MemProt.Write);
    const block = g.createContentBlock(data, new Uint8Array(8), 0n, 8);
    g.addDefinedSymbol(block, 0, opts.ptrName, 8, Linkage.Strong, Scope.Default, false, false);
    block.addEdge(Pointer64, 0, g.addExternalSymbol(opts.ref, 0, false), 16n);
  }
  if (opts.extraLocal) {
    const b = g.createContentBlock(text, new Uint8Array(4), 0x100n, 4);
    g.addDefinedSymbol(b, 0, 'unused_local', 4, Linkage.Strong, Scope.Local, true, false);
  }
  return g;
}

describe('ObjectLinkingLayer with in-memory graphs', () => {
  it('links across graphs, writes the fixup into executor memory, and lays segments out by protection', async () => {
    const { es, layer, jd, epc } = setup();
    layer.addLinkGraph(jd, graph('callee'));
    layer.addLinkGraph(jd, graph('user', { ref: 'callee', ptrName: 'ptr' }));
    const syms = await es.lookup(jd, ['ptr', 'callee']);
    const ptr = syms.get('ptr')!.address;
    const callee = syms.get('callee')!.address;
    expect(ptr % 4096n).toBe(0n);
    expect(callee % 4096n).toBe(0n);
    expect(ptr >= 0x10_0000_0000n && callee >= 0x10_0000_0000n).toBe(true);
    const word = new DataView(epc.read(ptr, 8).buffer).getBigUint64(0, true);
    expect(word).toBe(callee + 16n);
    expect(new Uint8Array(epc.read(callee, 4))).toEqual(new Uint8Array([0xc0, 0x03, 0x5f, 0xd6]));
  });

  it('reports exact dependencies: a symbol is Ready only once what it references is emitted', async () => {
    const { es, layer, jd } = setup();
    const other = es.createJITDylib('other');
    jd.addToLinkOrder(other);
    layer.addLinkGraph(jd, graph('user', { ref: 'callee', ptrName: 'ptr' }));
    // `callee` is defined in `other` by a graph that only resolves once we let it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    layer.addPlugin({
      async notifyEmitted(mr) {
        if (mr.getTargetJITDylib() === other) await gate;
      },
    });
    layer.addLinkGraph(other, graph('callee'));
    const resolved = await es.lookup(jd, ['ptr'], { requiredState: SymbolState.Resolved });
    expect(resolved.get('ptr')!.address).not.toBe(0n);
    const ready = es.lookup(jd, 'ptr');
    let isReady = false;
    void ready.then(() => (isReady = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(isReady).toBe(false);
    expect(jd.getSymbolInfo('ptr')!.state).toBe(SymbolState.Emitted);
    release();
    await ready;
    expect(jd.getSymbolInfo('ptr')!.state).toBe(SymbolState.Ready);
  });

  it('resolves duplicated weak definitions to the first one', async () => {
    const { es, layer, jd, epc } = setup();
    layer.addLinkGraph(jd, graph('w', { weak: true }));
    const second = graph('w', { weak: true, ref: 'w', ptrName: 'ptr_to_w' });
    layer.addLinkGraph(jd, second);
    const syms = await es.lookup(jd, ['w', 'ptr_to_w']);
    const word = new DataView(epc.read(syms.get('ptr_to_w')!.address, 8).buffer).getBigUint64(0, true);
    expect(word).toBe(syms.get('w')!.address + 16n);
  });

  it('fails cleanly on an unresolved external, returns the memory, and stays usable', async () => {
    const { es, layer, jd, epc, errors } = setup();
    layer.addLinkGraph(jd, graph('user', { ref: 'nowhere', ptrName: 'ptr' }));
    await expect(es.lookup(jd, 'ptr')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(errors.some((e) => e instanceof SymbolsNotFound && e.symbols.includes('nowhere'))).toBe(true);
    expect(epc.reservedBytes).toBe(0n);
    layer.addLinkGraph(jd, graph('fine'));
    expect((await es.lookup(jd, 'fine')).address).not.toBe(0n);
  });

  it('rejects a graph whose symbols differ from its interface', async () => {
    const { es, layer, jd, errors } = setup();
    const g = graph('a');
    layer.addLinkGraph(jd, g);
    const text = g.findSection('.text')!;
    g.addDefinedSymbol(text.blocks[0]!, 0, 'sneaky', 4, Linkage.Strong, Scope.Default, true, false);
    await expect(es.lookup(jd, 'a')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(errors.some((e) => e instanceof UnexpectedSymbolDefinitions)).toBe(true);
  });

  it('dead-strips unreferenced local blocks', async () => {
    const { es, layer, jd, target } = setup();
    let sections: string[] = [];
    target.extraPasses.push((config) => config.postPrunePasses.push((g) => {
      sections = Array.from(g.sections.values()).flatMap((s) => s.blocks.map(() => s.name));
    }));
    layer.addLinkGraph(jd, graph('kept', { extraLocal: true }));
    await es.lookup(jd, 'kept');
    expect(sections).toEqual(['.text']);
  });

  it('releases executor memory when the tracker is removed, and plugins hear about it', async () => {
    const { es, layer, jd, epc } = setup();
    const events: string[] = [];
    const plugin: ObjectLinkingLayerPlugin = {
      modifyPassConfig: (_mr, _g, config) => config.postFixupPasses.push((g) => void events.push(`postFixup ${g.name}`)),
      notifyEmitted: (mr) => void events.push(`emitted ${[...mr.getSymbols().keys()].join()}`),
      notifyRemovingResources: () => void events.push('removing'),
    };
    layer.addPlugin(plugin);
    const rt = jd.createResourceTracker();
    layer.addLinkGraph(rt, graph('gone'));
    await es.lookup(jd, 'gone');
    expect(epc.reservedBytes).toBe(4096n);
    expect(layer.getAllocatedBytes(jd)).toBe(4096n);
    await rt.remove();
    expect(epc.reservedBytes).toBe(0n);
    expect(layer.getAllocatedBytes(jd)).toBe(0n);
    expect(events).toEqual(['postFixup gone.o', 'emitted gone', 'removing']);
    await expect(es.lookup(jd, 'gone')).rejects.toBeInstanceOf(SymbolsNotFound);
  });

  it('surfaces fixup errors as link failures naming the graph', async () => {
    const { es, layer, jd, errors } = setup();
    const g = new LinkGraph('far.o', new FakeTarget().info);
    const text = g.createSection('.text', MemProt.Read | MemProt.Exec);
    const b = g.createContentBlock(text, new Uint8Array(4), 0n, 4);
    g.addDefinedSymbol(b, 0, 'far', 4, Linkage.Strong, Scope.Default, true, false);
    b.addEdge(Delta32, 0, g.addAbsoluteSymbol('abs', 0x10n, 0, Linkage.Strong, Scope.Local, false), 0n);
    layer.addLinkGraph(jd, g);
    await expect(es.lookup(jd, 'far')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(String((errors[0] as Error).message)).toContain('In graph far.o: Delta32 out of range');
  });
});
