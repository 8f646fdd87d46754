import { describe, expect, it } from 'vitest';
import { absoluteSymbols, JITSymbolFlags } from '@orc-ts/core';
import { EdgeKind, type Block, type MemoryOnlyExecutorProcessControl } from '@orc-ts/object-linking-layer';
import { AArch64EdgeKind } from '@orc-ts/target-aarch64';
import { assembleAArch64, compileIRToAArch64 } from '@orc-ts/test-support';
import { NULL_TERMINATOR_ADDRESS, dwarfdumpEHFrame, setup, walkLinkedEHFrame, type GraphRecord, type RecordSnapshot } from './eh-frame-test-utils.js';

/** Five functions, one section each; `unused_local` and `also_unused` are local and unreferenced. */
const FUNCTIONS_ASM = `
  .section .text.main,"ax",@progbits
  .globl main
  .p2align 2
main:
  .cfi_startproc
  stp x29, x30, [sp, #-16]!
  .cfi_def_cfa_offset 16
  .cfi_offset w30, -8
  .cfi_offset w29, -16
  bl helper
  ldp x29, x30, [sp], #16
  ret
  .cfi_endproc

  .section .text.unused_local,"ax",@progbits
  .p2align 2
unused_local:
  .cfi_startproc
  nop
  ret
  .cfi_endproc

  .section .text.helper,"ax",@progbits
  .p2align 2
helper:
  .cfi_startproc
  ret
  .cfi_endproc

  .section .text.also_unused,"ax",@progbits
  .p2align 2
also_unused:
  .cfi_startproc
  sub sp, sp, #32
  .cfi_def_cfa_offset 32
  add sp, sp, #32
  ret
  .cfi_endproc

  .section .text.exported,"ax",@progbits
  .globl exported
  .p2align 2
exported:
  .cfi_startproc
  nop
  nop
  ret
  .cfi_endproc
`;

/** llc output: `entry` calls `used` and `leaf`; the internal `unused` (which calls `entry`) and `unused2` are dead. */
const FUNCTIONS_IR = `
define i32 @entry(i32 %x) {
  %a = call i32 @used(i32 %x)
  %b = call i32 @leaf(i32 %a)
  ret i32 %b
}
define internal i32 @used(i32 %x) noinline {
  %y = mul i32 %x, 3
  ret i32 %y
}
define internal i32 @unused(i32 %x) noinline {
  %y = add i32 %x, 7
  %z = call i32 @entry(i32 %y)
  ret i32 %z
}
define i32 @leaf(i32 %x) noinline {
  %y = sub i32 %x, 1
  ret i32 %y
}
define internal i32 @unused2(i32 %x) noinline {
  ret i32 %x
}
`;

const isCIE = (r: RecordSnapshot) => !r.edges.some((e) => e.kind === AArch64EdgeKind.NegDelta32) && r.objectAddress !== NULL_TERMINATOR_ADDRESS;
const isFDE = (r: RecordSnapshot) => r.edges.some((e) => e.kind === AArch64EdgeKind.NegDelta32);

/** The function section an FDE describes (its PC-begin edge targets that section's symbol). */
function functionSection(r: RecordSnapshot): string {
  const pc = r.edges.filter((e) => e.offset === 8);
  expect(pc).toHaveLength(1);
  return pc[0]!.target.block!.section.name;
}

/** Checks the records seen before dead-stripping against llvm-dwarfdump's view of the object. */
function checkAgainstDwarfdump(object: Uint8Array, rec: GraphRecord): void {
  const dumped = dwarfdumpEHFrame(object);
  const records = rec.prePrune.filter((r) => r.objectAddress !== NULL_TERMINATOR_ADDRESS);
  // One block per record, at the record's offset, of the record's size.
  expect(records.map((r) => [Number(r.objectAddress), r.size])).toEqual(dumped.map((d) => [d.offset, d.size]));
  records.forEach((r, i) => {
    const d = dumped[i]!;
    // The record's anonymous symbol, besides the assembler's \$d mapping symbol on the first record.
    const anonymous = r.symbols.filter((s) => s.name === null);
    expect(anonymous).toHaveLength(1);
    expect(r.symbols.filter((s) => s.name !== null).every((s) => /^\$d(\.\d+)?$/.test(s.name!) && s.offset === 0)).toBe(true);
    const [sym] = anonymous;
    expect([sym!.offset, sym!.size]).toEqual([0, r.size]);
    if (d.kind === 'CIE') {
      expect(isCIE(r)).toBe(true);
      return;
    }
    expect(isFDE(r)).toBe(true);
    const cieEdge = r.edges.find((e) => e.offset === 4)!;
    expect([cieEdge.kind, cieEdge.addend]).toEqual([AArch64EdgeKind.NegDelta32, 0n]);
    // The CIE edge points at the symbol of the CIE dwarfdump names.
    const cie = records.find((c) => Number(c.objectAddress) === d.cie)!;
    expect(cie.symbols).toContain(cieEdge.target);
    // PC begin: the object's R_AARCH64_PREL32 became a Delta32 edge to the function's section symbol (plus the
    // function's offset as addend). The PC range is the function's size (a sized symbol there, else the rest of
    // its section).
    const pc = r.edges.find((e) => e.offset === 8)!;
    expect(pc.kind).toBe(AArch64EdgeKind.Delta32);
    expect(pc.target.name).toBeNull();
    const fnBlock = pc.target.block!;
    const fnOffset = pc.target.offset + Number(pc.addend);
    const fn = rec.prePruneSymbols.find((s) => s.block === fnBlock && s.offset === fnOffset && s.size > 0);
    expect(BigInt(fn ? fn.size : fnBlock.size - fnOffset)).toBe(d.pcRange);
    // The function's block keeps the FDE alive.
    expect(rec.keepAlives.get(fnBlock)).toContain(sym);
  });
}

/** Reads the linked `.eh_frame` back and checks every field the linker wrote. */
function checkLinkedEHFrame(epc: MemoryOnlyExecutorProcessControl, rec: GraphRecord, liveFunctions: ReadonlyMap<string, bigint>): void {
  const blocks = [...rec.postPrune].sort((a, b) => (a.address < b.address ? -1 : 1));
  const start = blocks[0]!.address;
  const end = blocks.at(-1)!.getEnd();
  const linked = walkLinkedEHFrame(epc, start, Number(end - start));
  // Records are back to back, the last is the null terminator and ends the section.
  expect(linked.at(-1)!.kind).toBe('terminator');
  expect(linked.at(-1)!.address + 4n).toBe(end);
  expect(Array.from(linked.at(-1)!.bytes)).toEqual([0, 0, 0, 0]);
  expect(linked.map((r) => r.address)).toEqual(blocks.map((b) => b.address));
  const fdes = linked.filter((r) => r.kind === 'FDE');
  // Each FDE's CIE pointer leads to the CIE it pointed at in the object.
  for (const f of fdes) {
    const snap = rec.prePrune.find((s) => s.block.address === f.address)!;
    const cieBlock = snap.edges.find((e) => e.offset === 4)!.target.block!;
    expect(f.cieAddress).toBe(cieBlock.address);
    expect(linked.find((r) => r.address === f.cieAddress)?.kind).toBe('CIE');
  }
  expect(linked.filter((r) => r.kind === 'CIE')).toHaveLength(rec.prePrune.filter((s) => isCIE(s) && rec.postPrune.has(s.block)).length);
  // PC begin of each FDE is the address of a live function, each live function has exactly one FDE.
  expect(new Set(fdes.map((f) => f.pcBegin))).toEqual(new Set(liveFunctions.values()));
  expect(fdes).toHaveLength(liveFunctions.size);
  // Everything but the fixed-up fields is the object's record, unchanged.
  for (const r of linked.slice(0, -1)) {
    const snap = rec.prePrune.find((s) => s.block.address === r.address)!;
    const original = Array.from(snap.content);
    const bytes = Array.from(r.bytes);
    expect(bytes).toHaveLength(original.length);
    const wide: number[] = [AArch64EdgeKind.Pointer64, AArch64EdgeKind.Delta64, AArch64EdgeKind.NegDelta64];
    for (const e of snap.edges) {
      if (e.kind === EdgeKind.KeepAlive) continue;
      const width = wide.includes(e.kind) ? 8 : 4;
      original.fill(-1, e.offset, e.offset + width);
      bytes.fill(-1, e.offset, e.offset + width);
    }
    expect(bytes).toEqual(original);
  }
}

const sectionAddress = (rec: GraphRecord, name: string): bigint => {
  const blocks = rec.postPruneSections.get(name);
  expect(blocks).toHaveLength(1);
  return blocks![0]!.address;
};

describe('eh-frame passes on AArch64 objects', () => {
  it('splits llvm-mc output into records, links FDEs to their CIE and functions, and strips FDEs of dead functions', async () => {
    const { epc, es, layer, jd, recorder } = setup();
    const object = assembleAArch64(FUNCTIONS_ASM);
    layer.add(jd, object, 'functions.o');
    const syms = await es.lookup(jd, ['main', 'exported']);
    const rec = recorder.graphs.get('functions.o')!;

    checkAgainstDwarfdump(object, rec);
    const fdes = rec.prePrune.filter(isFDE);
    expect(fdes.map(functionSection)).toEqual(['.text.main', '.text.unused_local', '.text.helper', '.text.also_unused', '.text.exported']);
    // The terminator was appended before pruning, with a live symbol.
    const term = rec.prePrune.at(-1)!;
    expect([term.objectAddress, term.size, term.symbols.map((s) => s.isLive)]).toEqual([NULL_TERMINATOR_ADDRESS, 4, [true]]);

    // After dead-stripping: the FDEs of main, helper (called by main) and exported remain, with the CIE and the
    // terminator; the unreferenced local functions and their FDEs are gone.
    const kept = rec.prePrune.filter((r) => rec.postPrune.has(r.block));
    expect(kept.filter(isFDE).map(functionSection)).toEqual(['.text.main', '.text.helper', '.text.exported']);
    expect(kept.filter(isCIE)).toHaveLength(1);
    expect(rec.postPrune.has(term.block)).toBe(true);
    expect(rec.postPrune.size).toBe(5);
    expect(rec.postPruneSections.get('.text.unused_local')).toEqual([]);
    expect(rec.postPruneSections.get('.text.also_unused')).toEqual([]);

    checkLinkedEHFrame(epc, rec, new Map([
      ['main', syms.get('main')!.address],
      ['helper', sectionAddress(rec, '.text.helper')],
      ['exported', syms.get('exported')!.address],
    ]));
  });

  it('does the same for llc output (-function-sections), whose FDEs differ in size', async () => {
    const { epc, es, layer, jd, recorder } = setup();
    const object = compileIRToAArch64(FUNCTIONS_IR, ['-function-sections']);
    layer.add(jd, object, 'llc.o');
    const syms = await es.lookup(jd, ['entry', 'leaf']);
    const rec = recorder.graphs.get('llc.o')!;

    checkAgainstDwarfdump(object, rec);
    const fdes = rec.prePrune.filter(isFDE);
    expect(new Set(fdes.map((f) => f.size)).size).toBeGreaterThan(1);
    expect(fdes.map(functionSection)).toEqual(['.text.entry', '.text.used', '.text.unused', '.text.leaf', '.text.unused2']);
    const kept = fdes.filter((r) => rec.postPrune.has(r.block)).map(functionSection);
    expect(kept).toEqual(['.text.entry', '.text.used', '.text.leaf']);
    expect(rec.postPruneSections.get('.text.unused')).toEqual([]);
    expect(rec.postPruneSections.get('.text.unused2')).toEqual([]);

    checkLinkedEHFrame(epc, rec, new Map([
      ['entry', syms.get('entry')!.address],
      ['used', sectionAddress(rec, '.text.used')],
      ['leaf', syms.get('leaf')!.address],
    ]));
  });

  it('keeps every FDE of functions sharing one live block (no -function-sections)', async () => {
    const { epc, es, layer, jd, recorder } = setup();
    const object = compileIRToAArch64(FUNCTIONS_IR);
    layer.add(jd, object, 'one-text.o');
    const syms = await es.lookup(jd, ['entry']);
    const rec = recorder.graphs.get('one-text.o')!;
    checkAgainstDwarfdump(object, rec);
    const fdes = rec.prePrune.filter(isFDE);
    expect(fdes).toHaveLength(5);
    expect(fdes.every((f) => rec.postPrune.has(f.block))).toBe(true);
    // All keep-alives come from the one .text block.
    const text = rec.postPruneSections.get('.text')![0]!;
    expect(rec.keepAlives.get(text)).toHaveLength(5);
    const fnOffsets = fdes.map((f) => f.edges.find((e) => e.offset === 8)!);
    expect(fnOffsets.every((e) => e.target.block === text)).toBe(true);
    // PC begin = .text + the relocation's addend (each function's offset); entry is at its symbol's address.
    const linked = walkLinkedEHFrame(epc, [...rec.postPrune].reduce((m: Block, b) => (b.address < m.address ? b : m)).address, 0x1000);
    const pcs = linked.filter((r) => r.kind === 'FDE').map((r) => r.pcBegin!);
    expect(pcs).toEqual(fnOffsets.map((e) => text.address + e.target.getAddress() - text.address + e.addend));
    expect(pcs).toContain(syms.get('entry')!.address);
  });

  it('links personality and LSDA pointers, keeping the LSDA and the personality slot alive', async () => {
    const { epc, es, layer, jd, host, recorder } = setup();
    host.define(absoluteSymbols(new Map([['my_personality', { address: 0xfeed_f00dn, flags: JITSymbolFlags.Exported | JITSymbolFlags.Callable }]])));
    const object = assembleAArch64(`
      .section .text.with_eh,"ax",@progbits
      .globl with_eh
      .p2align 2
    with_eh:
      .cfi_startproc
      .cfi_personality 0x9b, DW.ref.my_personality
      .cfi_lsda 0x1b, .Lexception0
      ret
      .cfi_endproc

      .section .text.plain,"ax",@progbits
      .globl plain
      .p2align 2
    plain:
      .cfi_startproc
      ret
      .cfi_endproc

      .section .gcc_except_table.with_eh,"a",@progbits
      .p2align 2
    .Lexception0:
      .byte 0xff, 0x9b, 0x0d, 0x01
      .word 0x12345678

      .data
      .p2align 3
    DW.ref.my_personality:
      .xword my_personality
    `);
    layer.add(jd, object, 'eh.o');
    const syms = await es.lookup(jd, ['with_eh', 'plain']);
    const rec = recorder.graphs.get('eh.o')!;
    checkAgainstDwarfdump(object, rec);
    const dumped = dwarfdumpEHFrame(object);
    expect(dumped.filter((d) => d.kind === 'CIE').map((d) => d.augmentation).sort()).toEqual(['zPLR', 'zR']);

    const [zplr, zr] = [...rec.prePrune.filter(isCIE)].sort((a, b) => b.edges.length - a.edges.length);
    // The CIE with a personality: one Delta32 edge, to the DW.ref slot in .data.
    expect(zplr!.edges).toHaveLength(1);
    const pers = zplr!.edges[0]!;
    expect([pers.kind, pers.target.block!.section.name]).toEqual([AArch64EdgeKind.Delta32, '.data']);
    expect(zr!.edges).toEqual([]);
    const fdeWithEh = rec.prePrune.filter(isFDE).find((f) => functionSection(f) === '.text.with_eh')!;
    expect(fdeWithEh.edges).toHaveLength(3);
    const lsda = fdeWithEh.edges.find((e) => e.target.block?.section.name === '.gcc_except_table.with_eh')!;
    expect(lsda.kind).toBe(AArch64EdgeKind.Delta32);
    expect(zplr!.symbols).toContain(fdeWithEh.edges.find((e) => e.offset === 4)!.target);
    expect(rec.prePrune.filter(isFDE).find((f) => functionSection(f) === '.text.plain')!.edges).toHaveLength(2);

    expect(rec.postPruneSections.get('.gcc_except_table.with_eh')).toHaveLength(1);
    checkLinkedEHFrame(epc, rec, new Map([['with_eh', syms.get('with_eh')!.address], ['plain', syms.get('plain')!.address]]));

    // In memory: the personality field leads (pc-relative) to the slot, which holds the personality routine; the
    // LSDA field leads to the exception table.
    const cieAddress = zplr!.block.address;
    const persField = cieAddress + BigInt(pers.offset);
    const slot = persField + BigInt(new DataView(epc.read(persField, 4).buffer).getInt32(0, true));
    expect(slot).toBe(sectionAddress(rec, '.data'));
    expect(new DataView(epc.read(slot, 8).buffer).getBigUint64(0, true)).toBe(0xfeed_f00dn);
    const lsdaField = fdeWithEh.block.address + BigInt(lsda.offset);
    const lsdaAddress = lsdaField + BigInt(new DataView(epc.read(lsdaField, 4).buffer).getInt32(0, true));
    expect(lsdaAddress).toBe(sectionAddress(rec, '.gcc_except_table.with_eh'));
    expect(Array.from(epc.read(lsdaAddress, 4))).toEqual([0xff, 0x9b, 0x0d, 0x01]);
  });

  it('drops the CIE too when no function with an FDE survives, leaving the terminator', async () => {
    const { es, layer, jd, recorder } = setup();
    layer.add(jd, assembleAArch64(`
      .section .text.dead,"ax",@progbits
      .p2align 2
    dead:
      .cfi_startproc
      ret
      .cfi_endproc
      .section .text.live,"ax",@progbits
      .globl live
      .p2align 2
    live:
      ret
    `), 'no-fde.o');
    await es.lookup(jd, ['live']);
    const rec = recorder.graphs.get('no-fde.o')!;
    expect(rec.prePrune.map((r) => r.size)).toEqual([rec.prePrune[0]!.size, rec.prePrune[1]!.size, 4]);
    expect([...rec.postPrune].map((b) => [b.size, b.section.name])).toEqual([[4, '.eh_frame']]);
    expect(rec.keepAlives.size).toBe(1);
    expect([...rec.keepAlives.keys()][0]!.section.name).toBe('.text.dead');
  });

  it('adds KeepAlive edges that are never fixed up', async () => {
    const { es, layer, jd, recorder } = setup();
    layer.add(jd, assembleAArch64(FUNCTIONS_ASM), 'ka.o');
    await es.lookup(jd, ['main']);
    const rec = recorder.graphs.get('ka.o')!;
    const keepAliveEdges = [...rec.keepAlives.keys()].flatMap((b) => b.edges.filter((e) => e.kind === EdgeKind.KeepAlive));
    expect(keepAliveEdges.length).toBe(5);
    expect(keepAliveEdges.every((e) => !e.isRelocation() && e.offset === 0 && e.addend === 0n)).toBe(true);
  });
});
