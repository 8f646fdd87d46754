import { describe, expect, it } from 'vitest';
import { absoluteSymbols, ExecutionSession, FailedToMaterialize, JITSymbolFlags } from '@orc-ts/core';
import {
  ElfObjectFormat, ExecutorJITLinkMemoryManager, LinkTargetRegistry, MemoryOnlyExecutorProcessControl, ObjectLinkingLayer,
} from '@orc-ts/object-linking-layer';
import { AArch64LinkTarget, decodeAArch64Instruction } from '@orc-ts/target-aarch64';
import { assembleAArch64 } from '@orc-ts/test-support';

const X = JITSymbolFlags.Exported;

function setup(slabAddress = 0x10_0000_0000n) {
  const epc = new MemoryOnlyExecutorProcessControl({ slabAddress });
  const errors: unknown[] = [];
  const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => errors.push(e) });
  const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), new LinkTargetRegistry([new AArch64LinkTarget()]), new ElfObjectFormat());
  const jd = es.createJITDylib('main');
  const host = es.createJITDylib('host');
  jd.addToLinkOrder(host);
  return { epc, es, layer, jd, host, errors };
}

const word = (epc: MemoryOnlyExecutorProcessControl, a: bigint) => new DataView(epc.read(a, 4).buffer).getUint32(0, true);

describe('AArch64LinkTarget through the ObjectLinkingLayer', () => {
  it('links calls, ADRP/ADD and data pointers within and across objects', async () => {
    const { epc, es, layer, jd } = setup();
    layer.add(jd, assembleAArch64(`
      .text
      .globl main
      .p2align 2
    main:
      bl helper
      adrp x0, counter
      add x0, x0, :lo12:counter
      ldr x1, [x0, :lo12:counter]
      ret
      .data
      .globl fptr
      .p2align 3
    fptr:
      .quad helper + 4
    `), 'main.o');
    layer.add(jd, assembleAArch64(`
      .text
      .globl helper
      .p2align 2
    helper:
      ret
      .data
      .globl counter
      .p2align 3
    counter:
      .quad 0
    `), 'helper.o');
    const s = await es.lookup(jd, ['main', 'helper', 'counter', 'fptr']);
    const main = s.get('main')!.address;
    const helper = s.get('helper')!.address;
    const counter = s.get('counter')!.address;
    // bl helper: defined in another object = external to main.o → goes through a stub, which is then bypassed.
    expect(decodeAArch64Instruction(word(epc, main)).operands[0]).toBe((helper - main) >> 2n);
    const adrp = decodeAArch64Instruction(word(epc, main + 4n));
    expect(adrp.operands[1]).toBe(((counter & ~0xfffn) - (main & ~0xfffn)) >> 12n);
    expect(decodeAArch64Instruction(word(epc, main + 8n)).operands[2]).toBe(counter & 0xfffn);
    expect(new DataView(epc.read(s.get('fptr')!.address, 8).buffer).getBigUint64(0, true)).toBe(helper + 4n);
  });

  it('loads far externals through the GOT and calls them through a PLT stub', async () => {
    const { epc, es, layer, jd, host } = setup();
    host.define(absoluteSymbols(new Map([
      ['external_func', { address: 0xcafef00dn, flags: X | JITSymbolFlags.Callable }],
      ['external_data', { address: 0xdeadbeefn, flags: X }],
    ])));
    layer.add(jd, assembleAArch64(`
      .text
      .globl main
      .p2align 2
    main:
      adrp x0, :got:external_data
      ldr x0, [x0, :got_lo12:external_data]
      bl external_func
      ret
    `), 'got.o');
    const main = (await es.lookup(jd, 'main')).address;
    const adrp = decodeAArch64Instruction(word(epc, main));
    expect(adrp.opcode).toBe('ADRP');
    const gotEntry = (main & ~0xfffn) + (BigInt.asIntN(64, adrp.operands[1] as bigint) << 12n) + ((decodeAArch64Instruction(word(epc, main + 4n)).operands[2] as bigint) << 3n);
    expect(new DataView(epc.read(gotEntry, 8).buffer).getBigUint64(0, true)).toBe(0xdeadbeefn);
    const bl = decodeAArch64Instruction(word(epc, main + 8n));
    const stub = main + 8n + ((bl.operands[0] as bigint) << 2n);
    expect(Array.from(epc.read(stub + 8n, 4))).toEqual([0x00, 0x02, 0x1f, 0xd6]); // br x16
  });

  it('relaxes a GOT load of a nearby symbol to NOP + ADR', async () => {
    const { epc, es, layer, jd } = setup();
    layer.add(jd, assembleAArch64(`
      .text
      .globl main
      .p2align 2
    main:
      adrp x3, :got:near
      ldr x3, [x3, :got_lo12:near]
      ret
      .globl near
    near:
      ret
    `), 'relax.o');
    const s = await es.lookup(jd, ['main', 'near']);
    const main = s.get('main')!.address;
    expect(word(epc, main)).toBe(0xd503201f);
    const adr = decodeAArch64Instruction(word(epc, main + 4n));
    expect(adr.opcode).toBe('ADR');
    expect(main + 4n + (adr.operands[1] as bigint)).toBe(s.get('near')!.address);
  });

  it('reports an out-of-range fixup with LLVM\'s message and keeps the session usable', async () => {
    const { es, layer, jd, host, errors } = setup();
    host.define(absoluteSymbols(new Map([['far_away', { address: 0x7000_0000_0000n, flags: X }]])));
    layer.add(jd, assembleAArch64(`
      .text
      .globl main
    main:
      adrp x0, far_away
      ret
    `), 'far.o');
    await expect(es.lookup(jd, 'main')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(String(errors[0])).toMatch(/In graph far\.o, section \.text: relocation target .*far_away.* is out of range of Page21 fixup/);
    layer.add(jd.createResourceTracker(), assembleAArch64('.text\n.globl ok\nok: ret\n'), 'ok.o');
    expect((await es.lookup(jd, 'ok')).address).toBeGreaterThan(0n);
  });

  it('rejects invalid instruction targets and unsupported relocations with the relocation named', async () => {
    const { es, layer, jd, errors } = setup();
    layer.add(jd, assembleAArch64(`
      .text
      .globl bad
    bad:
      .reloc ., R_AARCH64_CONDBR19, bad
      nop
    `), 'bad.o');
    await expect(es.lookup(jd, 'bad')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(String(errors.at(-1))).toContain('R_AARCH64_CONDBR19 target is not a conditional branch instruction');
    layer.add(jd, assembleAArch64(`
      .text
      .globl tls
    tls:
      adrp x0, :tlsdesc:var
      ret
    `), 'tls.o');
    await expect(es.lookup(jd, 'tls')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(String(errors.at(-1))).toContain('R_AARCH64_TLSDESC_ADR_PAGE21');
  });
});
