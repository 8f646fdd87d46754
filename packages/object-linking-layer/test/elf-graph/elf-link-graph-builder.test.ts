import { describe, expect, it } from 'vitest';
import { ExecutionSession, FailedToMaterialize, JITSymbolFlags, MemProt } from '@orc-ts/core';
import {
  EM_AARCH64, ElfObjectFormat, ExecutorJITLinkMemoryManager, JITLinkError, LinkTargetRegistry, Linkage,
  MalformedObjectError, MemLifetime, MemoryOnlyExecutorProcessControl, ObjectLinkingLayer, Scope, buildElfLinkGraph,
  readElfObject, type Block, type EdgeSpec, type ElfRelocationInfo, type LinkGraph,
} from '@orc-ts/object-linking-layer';
import { assembleAArch64 } from '@orc-ts/test-support';
import { FakeTarget, Pointer64 } from '../layer/fake-target.js';

/** The fake target, posing as AArch64 and understanding only R_AARCH64_ABS64 (257). */
class Abs64Only extends FakeTarget {
  override readonly elfMachine = EM_AARCH64;
  override mapElfRelocation(graph: LinkGraph, _block: Block, rel: ElfRelocationInfo): EdgeSpec | null {
    if (rel.type === 257) return { kind: Pointer64, addend: rel.addend };
    throw new JITLinkError(`${graph.name}: unsupported relocation ${rel.type} in ${rel.relocationSection}`);
  }
}

const source = `
  .text
  .globl main
  .type main,%function
main:
  ret
  .size main, 4
local_fn:
  ret
  .weak weak_fn
  .type weak_fn,%function
weak_fn:
  ret
  .globl hidden_fn
  .hidden hidden_fn
  .type hidden_fn,%function
hidden_fn:
  ret
  .data
  .globl table
  .p2align 3
table:
  .quad main
  .quad ext + 8
  .quad local_fn
  .size table, 24
  .comm common_buf, 64, 16
  .globl abs_sym
  .set abs_sym, 0x1234
  .section .comment_like,"",@progbits
  .asciz "not allocated"
`;

describe('ELF -> LinkGraph', () => {
  const bytes = assembleAArch64(source);
  const targets = new LinkTargetRegistry([new Abs64Only()]);

  it('builds sections, symbols and edges as JITLink does', () => {
    const g = buildElfLinkGraph(readElfObject(bytes, 'prog.o'), targets);
    const text = g.findSection('.text')!;
    expect(text.prot).toBe(MemProt.Read | MemProt.Exec);
    expect(g.findSection('.data')!.prot).toBe(MemProt.Read | MemProt.Write);
    expect(g.findSection('.comment_like')!.lifetime).toBe(MemLifetime.NoAlloc);
    expect(g.findSection('.symtab')).toBeUndefined();
    const byName = new Map(Array.from(g.definedSymbols()).filter((s) => s.name).map((s) => [s.name!, s]));
    expect(byName.get('main')!.scope).toBe(Scope.Default);
    expect(byName.get('main')!.isCallable).toBe(true);
    expect(byName.get('local_fn')!.scope).toBe(Scope.Local);
    expect(byName.get('weak_fn')!.linkage).toBe(Linkage.Weak);
    expect(byName.get('hidden_fn')!.scope).toBe(Scope.Hidden);
    const common = byName.get('common_buf')!;
    expect(common.block!.section.name).toBe('.common');
    expect(common.block!.isZeroFill()).toBe(true);
    expect(common.block!.alignment).toBe(16);
    expect(common.linkage).toBe(Linkage.Weak);
    expect(Array.from(g.absoluteSymbols).find((s) => s.name === 'abs_sym')!.getAddress()).toBe(0x1234n);
    const ext = g.externalSymbols.get('ext')!;
    const edges = byName.get('table')!.block!.edges;
    expect(edges.map((e) => [e.offset, e.kind, e.target.name ?? `<anon@${e.target.offset}>`, e.addend])).toEqual([
      [0, Pointer64, 'main', 0n],
      [8, Pointer64, 'ext', 8n],
      [16, Pointer64, '<anon@0>', 4n],
    ]);
    expect(edges[1]!.target).toBe(ext);
  });

  it('publishes the interface the graph will have', () => {
    const iface = new ElfObjectFormat().getInterface(bytes, 'prog.o');
    const X = JITSymbolFlags.Exported;
    expect(Object.fromEntries(iface.symbolFlags)).toEqual({
      main: X | JITSymbolFlags.Callable,
      weak_fn: X | JITSymbolFlags.Weak | JITSymbolFlags.Callable,
      hidden_fn: JITSymbolFlags.Callable,
      table: X,
      common_buf: X | JITSymbolFlags.Weak,
      abs_sym: X,
    });
  });

  it('links through the layer with the memory-only executor', async () => {
    const epc = new MemoryOnlyExecutorProcessControl();
    const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: () => {} });
    const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), targets, new ElfObjectFormat());
    const jd = es.createJITDylib('main');
    const lib = es.createJITDylib('lib');
    jd.addToLinkOrder(lib);
    lib.define((await import('@orc-ts/core')).absoluteSymbols(new Map([['ext', { address: 0x5000n, flags: JITSymbolFlags.Exported }]])));
    layer.add(jd, bytes, 'prog.o');
    const syms = await es.lookup(jd, ['table', 'main']);
    const view = new DataView(epc.read(syms.get('table')!.address, 24).buffer);
    expect(view.getBigUint64(0, true)).toBe(syms.get('main')!.address);
    expect(view.getBigUint64(8, true)).toBe(0x5008n);
    expect(view.getBigUint64(16, true)).toBe(syms.get('main')!.address + 4n);
  });

  it('rejects objects for machines without a target, naming file and field, and the session stays usable', async () => {
    const arm32 = assembleAArch64('.text\n.globl f\nf: bx lr\n', { triple: 'armv7-unknown-linux-gnueabi' });
    expect(() => buildElfLinkGraph(readElfObject(arm32, 'arm.o'), targets)).toThrow(MalformedObjectError);
    const x86ish = bytes.slice();
    new DataView(x86ish.buffer).setUint16(18, 62, true); // e_machine = EM_X86_64
    const epc = new MemoryOnlyExecutorProcessControl();
    const errors: unknown[] = [];
    const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => errors.push(e) });
    const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), targets, new ElfObjectFormat());
    const jd = es.createJITDylib('main');
    layer.add(jd, x86ish, 'x86.o');
    await expect(es.lookup(jd, 'main')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect((errors[0] as MalformedObjectError).field).toBe('e_machine');
    expect((errors[0] as Error).message).toContain('x86.o');
    const jd2 = es.createJITDylib('again');
    layer.add(jd2, bytes, 'prog.o');
    jd2.addToLinkOrder(jd);
    await expect(es.lookup(jd2, 'main')).rejects.toBeInstanceOf(FailedToMaterialize); // `ext` is missing here
    expect(errors.at(-1)!.toString()).toContain('ext');
  });
});
