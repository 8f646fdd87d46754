import { describe, expect, it } from 'vitest';
import { MemProt } from '@orc-ts/core';
import {
  DWARFRecordSectionSplitter, EHFrameEdgeFixer, EHFrameError, EdgeKind, JITLinkError, Linkage, Scope,
  type Block, type Edge, type LinkGraph, type Symbol,
} from '@orc-ts/object-linking-layer';
import { EhFrameBuilder, u32, u64, type EncodedValue, type RecordInfo } from './cfi-builder.js';
import { Kinds, addEhFrame, addText, blocksByAddress, newGraph } from './graph-helpers.js';

const EH = 0x2000n;
const split = new DWARFRecordSectionSplitter('.eh_frame');
const fixer = (pointerSize = 8) => new EHFrameEdgeFixer('.eh_frame', pointerSize, Kinds);

/** Splits and fixes; returns the record blocks by address. */
function process(g: LinkGraph, pointerSize = 8): Block[] {
  split.run(g);
  fixer(pointerSize).run(g);
  return blocksByAddress(g.findSection('.eh_frame')!);
}

/** The value a fixup of `edge` in `block` writes (S + A, S + A - P or P - S + A). */
function fixupValue(block: Block, edge: Edge): bigint {
  const P = block.address + BigInt(edge.offset);
  const S = edge.target.getAddress();
  if (edge.kind === Kinds.delta32 || edge.kind === Kinds.delta64) return S + edge.addend - P;
  if (edge.kind === Kinds.negDelta32) return P - S + edge.addend;
  return S + edge.addend;
}

/** The value stored in the original content of `block` at `offset`. */
function storedValue(block: Block, offset: number, size: 4 | 8, signed: boolean): bigint {
  const v = new DataView(block.content!.buffer, block.content!.byteOffset, block.content!.byteLength);
  if (size === 8) return signed ? v.getBigInt64(offset, true) : v.getBigUint64(offset, true);
  return BigInt(signed ? v.getInt32(offset, true) : v.getUint32(offset, true));
}

function edgeAt(block: Block, offset: number): Edge {
  const es = block.edges.filter((e) => e.offset === offset && e.isRelocation());
  expect(es).toHaveLength(1);
  return es[0]!;
}

function symbolsOf(block: Block): Symbol[] {
  return [...block.section.symbols].filter((s) => s.block === block);
}

function expectFailure(g: LinkGraph, offset: number, problem: string | RegExp, run: () => void = () => process(g)): EHFrameError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(EHFrameError);
  expect(error).toBeInstanceOf(JITLinkError);
  const e = error as EHFrameError;
  expect([e.graphName, e.sectionName, e.offset]).toEqual([g.name, '.eh_frame', offset]);
  if (typeof problem === 'string') expect(e.problem).toBe(problem);
  else expect(e.problem).toMatch(problem);
  expect(e.message).toBe(`In graph ${g.name}, section .eh_frame at offset 0x${offset.toString(16)}: ${e.problem}`);
  return e;
}

/** A pc-relative sdata4 value from the field at section offset `field` to `target`. */
const pcrel4 = (field: number, target: bigint): EncodedValue => u32(target - (EH + BigInt(field)));

describe('EHFrameEdgeFixer', () => {
  it('gives CIEs and FDEs anonymous symbols, links FDEs to their CIE and function, and keeps FDEs alive from it', () => {
    const g = newGraph();
    const text = addText(g, 0x1000n, 0x40);
    const f = g.addDefinedSymbol(text, 0, 'f', 0x20, Linkage.Strong, Scope.Default, true, false);
    const b = new EhFrameBuilder();
    const cie = b.cie({ augmentationData: [{ encoding: 0x1b }] });
    const pcBeginAt = b.length + 8;
    const fde = b.fde({ cie, pcBegin: pcrel4(pcBeginAt, 0x1000n), pcRange: u32(0x20) });
    addEhFrame(g, b.build(), EH);
    const [cieBlock, fdeBlock] = process(g);

    const [cieSym] = symbolsOf(cieBlock!);
    expect(symbolsOf(cieBlock!)).toHaveLength(1);
    expect([cieSym!.name, cieSym!.offset, cieSym!.size, cieSym!.scope, cieSym!.isLive, cieSym!.isCallable]).toEqual([null, 0, cie.size, Scope.Local, false, false]);
    expect(cieBlock!.edges).toEqual([]);

    const [fdeSym] = symbolsOf(fdeBlock!);
    expect(symbolsOf(fdeBlock!)).toHaveLength(1);
    expect([fdeSym!.name, fdeSym!.offset, fdeSym!.size, fdeSym!.isLive]).toEqual([null, 0, fde.size, false]);
    expect(fdeBlock!.edges).toHaveLength(2);
    const cieEdge = edgeAt(fdeBlock!, 4);
    expect([cieEdge.kind, cieEdge.target, cieEdge.addend]).toEqual([Kinds.negDelta32, cieSym, 0n]);
    const pcEdge = edgeAt(fdeBlock!, 8);
    expect([pcEdge.kind, pcEdge.target, pcEdge.addend]).toEqual([Kinds.delta32, f, 0n]);
    // The edges reproduce what the record held.
    expect(fixupValue(fdeBlock!, cieEdge)).toBe(storedValue(fdeBlock!, 4, 4, false));
    expect(fixupValue(fdeBlock!, pcEdge)).toBe(storedValue(fdeBlock!, 8, 4, true));
    expect(storedValue(fdeBlock!, 8, 4, true)).toBeLessThan(0n);

    expect(text.edges).toHaveLength(1);
    expect([text.edges[0]!.kind, text.edges[0]!.offset, text.edges[0]!.target, text.edges[0]!.addend]).toEqual([EdgeKind.KeepAlive, 0, fdeSym, 0n]);
    expect(text.edges[0]!.isRelocation()).toBe(false);
  });

  describe('decodes PC begin with every supported encoding', () => {
    // [name, encoding, pointer size, field size, edge kind, target address, value stored for a field at `at`]
    const cases: Array<[string, number, number, 4 | 8, number, bigint, (at: number) => EncodedValue]> = [
      ['absptr (8-byte pointers)', 0x00, 8, 8, Kinds.pointer64, 0x1010n, () => u64(0x1010)],
      ['absptr (4-byte pointers)', 0x00, 4, 4, Kinds.pointer32, 0x1010n, () => u32(0x1010)],
      ['udata4', 0x03, 8, 4, Kinds.pointer32, 0x3010n, () => u32(0x3010)],
      ['sdata4', 0x0b, 8, 4, Kinds.pointer32, 0x1010n, () => u32(0x1010)],
      ['udata8', 0x04, 8, 8, Kinds.pointer64, 0x3010n, () => u64(0x3010)],
      ['sdata8', 0x0c, 8, 8, Kinds.pointer64, 0x1010n, () => u64(0x1010)],
      ['pcrel|sdata4 (backward)', 0x1b, 8, 4, Kinds.delta32, 0x1010n, (at) => pcrel4(at, 0x1010n)],
      ['pcrel|udata4 (forward)', 0x13, 8, 4, Kinds.delta32, 0x3010n, (at) => u32(0x3010n - (EH + BigInt(at)))],
      ['pcrel|sdata8 (backward)', 0x1c, 8, 8, Kinds.delta64, 0x1010n, (at) => u64(0x1010n - (EH + BigInt(at)))],
      ['pcrel|udata8 (forward)', 0x14, 8, 8, Kinds.delta64, 0x3010n, (at) => u64(0x3010n - (EH + BigInt(at)))],
      ['indirect|pcrel|sdata4', 0x9b, 8, 4, Kinds.delta32, 0x1010n, (at) => pcrel4(at, 0x1010n)],
    ];
    it.each(cases)('%s', (_name, encoding, pointerSize, size, kind, address, value) => {
      const g = newGraph(pointerSize);
      const low = addText(g, 0x1000n, 0x40);
      const high = addText(g, 0x3000n, 0x40, '.text.high');
      const b = new EhFrameBuilder();
      const cie = b.cie({ augmentationData: [{ encoding }] });
      const at = b.length + 8;
      const fde = b.fde({ cie, pcBegin: value(at), pcRange: size === 4 ? u32(0x10) : u64(0x10) });
      addEhFrame(g, b.build(), EH);
      const fdeBlock = process(g, pointerSize)[1]!;
      const edge = edgeAt(fdeBlock, 8);
      expect(edge.kind).toBe(kind);
      const fn = edge.target;
      // No symbol there: a new anonymous one in the covering block.
      expect([fn.name, fn.size, fn.isLive, fn.offset]).toEqual([null, 0, false, 0x10]);
      expect(fn.getAddress()).toBe(address);
      expect(fn.block).toBe(address === 0x1010n ? low : high);
      const signed = (encoding & 0x0f) === 0x0b || (encoding & 0x0f) === 0x0c || (encoding & 0x70) === 0x10;
      expect(fixupValue(fdeBlock, edge)).toBe(storedValue(fdeBlock, 8, size, signed));
      expect(fn.block!.edges.map((e) => [e.kind, e.target])).toEqual([[EdgeKind.KeepAlive, symbolsOf(fdeBlock)[0]]]);
      expect((address === 0x1010n ? high : low).edges).toEqual([]);
      expect(fdeBlock.size).toBe(fde.size);
    });
  });

  it('defaults to absptr without an R augmentation, and parses CIEs without augmentation data', () => {
    for (const augmentation of ['', 'z']) {
      const g = newGraph();
      const text = addText(g, 0x1000n, 0x40);
      const f = g.addDefinedSymbol(text, 0x10, 'f', 4, Linkage.Strong, Scope.Default, true, false);
      const b = new EhFrameBuilder();
      const cie = b.cie({ augmentation, augmentationData: [] });
      b.fde({ cie, pcBegin: u64(0x1010), pcRange: u64(4), augmentation: augmentation === '' ? null : {} });
      addEhFrame(g, b.build(), EH);
      const fdeBlock = process(g)[1]!;
      expect([edgeAt(fdeBlock, 8).kind, edgeAt(fdeBlock, 8).target]).toEqual([Kinds.pointer64, f]);
    }
  });

  describe('picks the canonical symbol at the address, as JITLink does', () => {
    const cases: Array<[string, Array<[string | null, Linkage, Scope]>, string | null]> = [
      ['strong before weak', [['w', Linkage.Weak, Scope.Default], ['l', Linkage.Strong, Scope.Local]], 'l'],
      ['default before hidden before local', [['l', Linkage.Strong, Scope.Local], ['h', Linkage.Strong, Scope.Hidden], ['d', Linkage.Strong, Scope.Default]], 'd'],
      ['hidden before local', [['l', Linkage.Strong, Scope.Local], ['h', Linkage.Strong, Scope.Hidden]], 'h'],
      ['named before anonymous', [[null, Linkage.Strong, Scope.Local], ['x', Linkage.Strong, Scope.Local]], 'x'],
      ['by name', [['b', Linkage.Strong, Scope.Default], ['a', Linkage.Strong, Scope.Default], ['c', Linkage.Strong, Scope.Default]], 'a'],
    ];
    it.each(cases)('%s', (_name, syms, winner) => {
      const g = newGraph();
      const text = addText(g, 0x1000n, 0x40);
      const made = syms.map(([name, linkage, scope]) =>
        name === null ? g.addAnonymousSymbol(text, 8, 4, false, false) : g.addDefinedSymbol(text, 8, name, 4, linkage, scope, true, false),
      );
      g.addDefinedSymbol(text, 0, 'elsewhere', 4, Linkage.Strong, Scope.Default, true, false);
      const b = new EhFrameBuilder();
      const cie = b.cie({ augmentationData: [{ encoding: 0x1b }] });
      b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1008n), pcRange: u32(4) });
      addEhFrame(g, b.build(), EH);
      const target = edgeAt(process(g)[1]!, 8).target;
      expect(made).toContain(target);
      expect(target.name).toBe(winner);
    });

    it('uses a symbol ending a block when no block covers the address', () => {
      const g = newGraph();
      const text = addText(g, 0x1000n, 0x10);
      const end = g.addDefinedSymbol(text, 0x10, 'end', 0, Linkage.Strong, Scope.Local, false, false);
      const b = new EhFrameBuilder();
      const cie = b.cie({ augmentationData: [{ encoding: 0x1b }] });
      b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1010n), pcRange: u32(0) });
      addEhFrame(g, b.build(), EH);
      expect(edgeAt(process(g)[1]!, 8).target).toBe(end);
    });

    it('prefers the block covering the address over a symbol ending the previous block', () => {
      const g = newGraph();
      const a = addText(g, 0x1000n, 0x10);
      g.addDefinedSymbol(a, 0x10, 'a_end', 0, Linkage.Strong, Scope.Default, false, false);
      const next = addText(g, 0x1010n, 0x10, '.text.next');
      const b = new EhFrameBuilder();
      const cie = b.cie({ augmentationData: [{ encoding: 0x1b }] });
      b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1010n), pcRange: u32(0x10) });
      addEhFrame(g, b.build(), EH);
      const target = edgeAt(process(g)[1]!, 8).target;
      expect([target.name, target.block, target.offset]).toEqual([null, next, 0]);
    });
  });

  it('keeps existing relocations (ELF: PREL32 → Delta32) and adds keep-alives only for defined targets', () => {
    const g = newGraph();
    const text = addText(g, 0x1000n, 0x40);
    const section = g.addAnonymousSymbol(text, 0, 0, false, false);
    const ext = g.addExternalSymbol('ext_fn', 0, false);
    const abs = g.addAbsoluteSymbol('abs_fn', 0x5000n, 0, Linkage.Strong, Scope.Default, false);
    const b = new EhFrameBuilder();
    const cie = b.cie({ augmentationData: [{ encoding: 0x1b }] });
    const fdes: RecordInfo[] = [];
    // The fields hold garbage: a relocation is there, so they are never decoded.
    for (let i = 0; i < 3; i++) fdes.push(b.fde({ cie, pcBegin: u32(0x7fff_fff0), pcRange: u32(8) }));
    const { block } = addEhFrame(g, b.build(), EH);
    const relocs = [
      block.addEdge(Kinds.delta32, fdes[0]!.fields.pcBegin!, section, 0x24n),
      block.addEdge(Kinds.delta32, fdes[1]!.fields.pcBegin!, ext, 0n),
      block.addEdge(Kinds.delta32, fdes[2]!.fields.pcBegin!, abs, 0n),
    ];
    const blocks = process(g);
    blocks.slice(1).forEach((fdeBlock, i) => {
      expect(fdeBlock.edges.filter((e) => e.offset === 8)).toEqual([relocs[i]]);
      expect(fdeBlock.edges.map((e) => e.kind).sort()).toEqual([Kinds.delta32, Kinds.negDelta32].sort());
    });
    expect(text.edges.map((e) => [e.kind, e.offset, e.target])).toEqual([[EdgeKind.KeepAlive, 0, symbolsOf(blocks[1]!)[0]]]);
    expect(section.isLive).toBe(false);
  });

  it('adds personality and LSDA edges (decoded or from relocations) and treats zero pointers as null', () => {
    const g = newGraph();
    const text = addText(g, 0x1000n, 0x40);
    const f = g.addDefinedSymbol(text, 0, 'f', 0x20, Linkage.Strong, Scope.Default, true, false);
    const g2 = g.addDefinedSymbol(text, 0x20, 'g', 0x20, Linkage.Strong, Scope.Default, true, false);
    const data = g.createSection('.data', MemProt.Read | MemProt.Write);
    const slotBlock = g.createContentBlock(data, new Uint8Array(8), 0x4000n, 8);
    const slot = g.addDefinedSymbol(slotBlock, 0, 'DW.ref.pers', 8, Linkage.Weak, Scope.Hidden, false, false);
    const except = g.createSection('.gcc_except_table', MemProt.Read);
    const lsdaBlock = g.createContentBlock(except, new Uint8Array(0x20), 0x5000n, 4);

    const b = new EhFrameBuilder();
    const persAt = b.length + 4 + 4 + 1 + 5 + 3 + 1 + 1; // length, id, version, "zPLR\0", factors+ra, aug length, P encoding
    const cie = b.cie({
      augmentation: 'zPLR',
      augmentationData: [{ encoding: 0x9b, pointer: pcrel4(persAt, 0x4000n), name: 'personality' }, { encoding: 0x1b }, { encoding: 0x1b }],
    });
    expect(cie.fields.personality).toBe(persAt);
    const withLsda = b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1000n), pcRange: u32(0x20), augmentation: { lsda: pcrel4(b.length + 17, 0x5010n) } });
    expect(withLsda.fields.lsda).toBe(withLsda.offset + 17);
    const nullLsda = b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1020n), pcRange: u32(0x20), augmentation: { lsda: u32(0) } });
    addEhFrame(g, b.build(), EH);
    const [cieBlock, fde1, fde2] = process(g);

    const pers = edgeAt(cieBlock!, persAt - cie.offset);
    expect([pers.kind, pers.target]).toEqual([Kinds.delta32, slot]);
    expect(fixupValue(cieBlock!, pers)).toBe(storedValue(cieBlock!, persAt - cie.offset, 4, true));
    const lsda = edgeAt(fde1!, 17);
    expect([lsda.kind, lsda.target.block, lsda.target.offset, lsda.target.name]).toEqual([Kinds.delta32, lsdaBlock, 0x10, null]);
    expect(edgeAt(fde1!, 8).target).toBe(f);
    expect(fde2!.edges.map((e) => e.offset).sort()).toEqual([4, 8]);
    expect(edgeAt(fde2!, 8).target).toBe(g2);
    expect(nullLsda.size).toBe(fde2!.size);
    // Only functions keep FDEs alive: nothing points at the LSDA or personality blocks' owners.
    expect(text.edges.map((e) => e.kind)).toEqual([EdgeKind.KeepAlive, EdgeKind.KeepAlive]);
    expect(slotBlock.edges).toEqual([]);

    // With relocations at the personality and LSDA fields, those are used as they are.
    const h = newGraph();
    const htext = addText(h, 0x1000n, 0x40);
    const pers2 = h.addExternalSymbol('DW.ref.__gxx_personality_v0', 0, false);
    const lsda2 = h.addExternalSymbol('lsda', 0, false);
    const hb = new EhFrameBuilder();
    const hcie = hb.cie({ augmentation: 'zPLR', augmentationData: [{ encoding: 0x9b, pointer: u32(0) }, { encoding: 0x1b }, { encoding: 0x1b }] });
    const hfde = hb.fde({ cie: hcie, pcBegin: pcrel4(hb.length + 8, 0x1000n), pcRange: u32(4), augmentation: { lsda: u32(0) } });
    const { block } = addEhFrame(h, hb.build(), EH);
    const pe = block.addEdge(Kinds.delta32, hcie.fields.personality!, pers2, 0n);
    const le = block.addEdge(Kinds.delta32, hfde.fields.lsda!, lsda2, 4n);
    const [hc, hf] = process(h);
    expect(hc!.edges).toEqual([pe]);
    expect(hf!.edges.filter((e) => e.target === lsda2)).toEqual([le]);
    expect(hf!.edges).toHaveLength(3);
    expect(htext.edges).toHaveLength(1);
  });

  it('skips eh data, and handles omitted personality and LSDA encodings', () => {
    const g = newGraph();
    const text = addText(g, 0x1000n, 0x40);
    const b = new EhFrameBuilder();
    const cie = b.cie({ augmentation: 'ehzPLR', ehData: 8, augmentationData: [{ encoding: 0xff }, { encoding: 0xff }, { encoding: 0x1b }] });
    b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1000n), pcRange: u32(4), augmentation: {} });
    addEhFrame(g, b.build(), EH);
    const [c, f] = process(g);
    expect(c!.edges).toEqual([]);
    expect(edgeAt(f!, 8).target.block).toBe(text);
    expect(f!.edges).toHaveLength(2);
  });

  it('uses an existing relocation at the CIE pointer instead of adding one', () => {
    const g = newGraph();
    addText(g, 0x1000n, 0x40);
    const b = new EhFrameBuilder();
    const cie = b.cie();
    const fde = b.fde({ cie, ciePointer: 0x12345, pcBegin: pcrel4(b.length + 8, 0x1000n), pcRange: u32(4) });
    const { block } = addEhFrame(g, b.build(), EH);
    const cieStart = g.addAnonymousSymbol(block, cie.offset, 0, false, false);
    const rel = block.addEdge(Kinds.negDelta32, fde.fields.ciePointer!, cieStart, 0n);
    const f = process(g)[1]!;
    expect(f.edges.filter((e) => e.offset === 4)).toEqual([rel]);

    const bad = newGraph();
    addText(bad, 0x1000n, 0x40);
    const b2 = new EhFrameBuilder();
    const c2 = b2.cie();
    const f2 = b2.fde({ cie: c2, ciePointer: 0x12345, pcBegin: pcrel4(b2.length + 8, 0x1000n), pcRange: u32(4) });
    const { block: bb } = addEhFrame(bad, b2.build(), EH);
    const e = bb.addEdge(Kinds.negDelta32, f2.fields.ciePointer!, bad.addAnonymousSymbol(bb, c2.offset, 0, false, false), 4n);
    expectFailure(bad, f2.offset, "the relocation at the FDE's CIE pointer has a non-zero addend (4)");
    e.addend = 0n;
    e.target = bad.addExternalSymbol('nope', 0, false);
    const fresh = () => fixer().run(bad);
    // (already split by the first attempt)
    expectFailure(bad, f2.offset, "the relocation at the FDE's CIE pointer refers to nope, which is not a CIE", fresh);
  });

  it('processes several records in one block when run without the splitter, and skips terminators', () => {
    const g = newGraph();
    const text = addText(g, 0x1000n, 0x40);
    const b = new EhFrameBuilder();
    const cie = b.cie();
    const f1 = b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1000n), pcRange: u32(4) });
    b.terminator();
    const f2 = b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1010n), pcRange: u32(4) });
    b.terminator();
    const { block, section } = addEhFrame(g, b.build(), EH);
    fixer().run(g);
    expect(section.blocks).toEqual([block]);
    const syms = [...section.symbols].sort((x, y) => x.offset - y.offset);
    expect(syms.map((s) => [s.offset, s.size])).toEqual([[cie.offset, cie.size], [f1.offset, f1.size], [f2.offset, f2.size]]);
    expect(block.edges.map((e) => [e.offset, e.kind])).toEqual([
      [f1.fields.ciePointer, Kinds.negDelta32], [f1.fields.pcBegin, Kinds.delta32],
      [f2.fields.ciePointer, Kinds.negDelta32], [f2.fields.pcBegin, Kinds.delta32],
    ]);
    expect(text.edges.map((e) => e.target)).toEqual([syms[1], syms[2]]);
  });

  it('does nothing without the section, and checks pointer sizes', () => {
    const g = newGraph();
    const text = addText(g, 0n, 4);
    fixer().run(g);
    expect(text.edges).toEqual([]);
    expect(() => new EHFrameEdgeFixer('.eh_frame', 2, Kinds)).toThrow(new JITLinkError('EHFrameEdgeFixer only supports 32 and 64 bit targets (pointer size 2 requested)'));
    const h = newGraph(4);
    addEhFrame(h, new Uint8Array(0));
    expect(() => fixer(8).run(h)).toThrow('In graph eh.o: EHFrameEdgeFixer for 8-byte pointers cannot process a graph with 4-byte pointers');
  });

  describe('malformed records', () => {
    /** A graph with one CIE built from `cie` options and one FDE after it; returns the graph and records. */
    function withCIE(opts: Parameters<EhFrameBuilder['cie']>[0]) {
      const g = newGraph(8, 'bad.o');
      addText(g, 0x1000n, 0x40);
      const b = new EhFrameBuilder();
      const cie = b.cie(opts);
      const fde = b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1000n), pcRange: u32(4), augmentation: {} });
      addEhFrame(g, b.build(), EH);
      return { g, cie, fde };
    }

    it('rejects CIE versions other than 1', () => {
      for (const version of [0, 3, 4]) {
        const { g, cie } = withCIE({ version });
        expectFailure(g, cie.offset, `bad CIE version ${version} (should be 1)`);
      }
    });

    it('rejects unknown augmentation characters', () => {
      expectFailure(withCIE({ augmentation: 'zRX' }).g, 0, 'unrecognized character "X" in the augmentation string');
      expectFailure(withCIE({ augmentation: 'ez' }).g, 0, 'unrecognized substring "ez" in the augmentation string (expected "eh")');
      expectFailure(withCIE({ augmentation: 'z\x01' }).g, 0, 'unrecognized character "\\x01" in the augmentation string');
    });

    const unsupported: Array<[number, string]> = [
      [0x01, '0x01 (DW_EH_PE_uleb128)'],
      [0x02, '0x02 (DW_EH_PE_udata2)'],
      [0x09, '0x09 (DW_EH_PE_sleb128)'],
      [0x1a, '0x1a (DW_EH_PE_pcrel | DW_EH_PE_sdata2)'],
      [0x07, '0x07 (DW_EH_PE_<unknown format 0x7>)'],
      [0x23, '0x23 (DW_EH_PE_textrel | DW_EH_PE_udata4)'],
      [0x3b, '0x3b (DW_EH_PE_datarel | DW_EH_PE_sdata4)'],
      [0x43, '0x43 (DW_EH_PE_funcrel | DW_EH_PE_udata4)'],
      [0x50, '0x50 (DW_EH_PE_aligned)'],
      [0x70, '0x70 (DW_EH_PE_<unknown application 0x70>)'],
    ];
    it.each(unsupported)('rejects the unsupported pointer encoding %i, %s', (encoding, described) => {
      expectFailure(withCIE({ augmentationData: [{ encoding }] }).g, 0, `unsupported PC begin pointer encoding ${described}`);
      expectFailure(withCIE({ augmentation: 'zPR', augmentationData: [{ encoding, pointer: u32(0) }, { encoding: 0x1b }] }).g, 0, `unsupported personality pointer encoding ${described}`);
      expectFailure(withCIE({ augmentation: 'zLR', augmentationData: [{ encoding }, { encoding: 0x1b }] }).g, 0, `unsupported LSDA pointer encoding ${described}`);
    });

    it('rejects an omitted address encoding and augmentation fields longer than the augmentation data', () => {
      expectFailure(withCIE({ augmentationData: [{ encoding: 0xff }] }).g, 0, 'invalid address (R) encoding 0xff (DW_EH_PE_omit) in CIE');
      expectFailure(
        withCIE({ augmentation: 'zLR', augmentationData: [{ encoding: 0x1b }, { encoding: 0x1b }], augmentationDataLength: 1 }).g,
        0,
        'the augmentation fields take 2 bytes, more than the augmentation data length 1',
      );
    });

    it('reports records that end before a field', () => {
      const cases: Array<[number[], string]> = [
        [[2, 0, 0, 0, 0, 0], 'truncated CFI record: the record ends before its CIE id or CIE pointer'],
        [[5, 0, 0, 0, 0, 0, 0, 0, 1], 'truncated CIE: the record ends before its augmentation string'],
        [[7, 0, 0, 0, 0, 0, 0, 0, 1, 0x7a, 0x52], 'truncated CIE: the record ends before its augmentation string'],
        [[8, 0, 0, 0, 0, 0, 0, 0, 1, 0x7a, 0x00, 0x81], 'truncated CIE: the record ends before its code alignment factor'],
        [[10, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x01, 0x7c, 0x1e, 0x00], '<ok>'],
      ];
      for (const [bytes, problem] of cases) {
        const g = newGraph(8, 'bad.o');
        addEhFrame(g, Uint8Array.from(bytes), EH);
        if (problem === '<ok>') {
          process(g);
          expect(g.findSection('.eh_frame')!.symbols.size).toBe(1);
        } else expectFailure(g, 0, problem);
      }
      // An FDE cut short inside its PC range.
      const g = newGraph(8, 'bad.o');
      addText(g, 0x1000n, 0x40);
      const b = new EhFrameBuilder();
      const cie = b.cie();
      const at = b.length;
      b.raw([10, 0, 0, 0, ...[at + 4 - cie.offset, 0, 0, 0], 0, 0, 0, 0, 0, 0]);
      addEhFrame(g, b.build(), EH);
      const e = expectFailure(g, at, 'truncated FDE: the record ends before its PC range');
      expect(e.message).toBe(`In graph bad.o, section .eh_frame at offset 0x${at.toString(16)}: truncated FDE: the record ends before its PC range`);
    });

    it('reports a CIE pointer that leads nowhere, naming the section offset', () => {
      const g = newGraph(8, 'bad.o');
      addText(g, 0x1000n, 0x40);
      const b = new EhFrameBuilder();
      const cie = b.cie();
      const fde = b.fde({ cie, ciePointer: 0x10, pcBegin: u32(0), pcRange: u32(4) });
      addEhFrame(g, b.build(), EH);
      const target = fde.offset + 4 - 0x10;
      expectFailure(g, fde.offset, `FDE's CIE pointer 0x10 leads to section offset 0x${target.toString(16)} (0x${(EH + BigInt(target)).toString(16).padStart(16, '0')}), where no CIE precedes it`);
      const h = newGraph(8, 'bad.o');
      const hb = new EhFrameBuilder();
      const hfde = hb.fde({ cie: { offset: 0, size: 0, fields: {} }, ciePointer: 0x100, pcBegin: u32(0), pcRange: u32(4) });
      addEhFrame(h, hb.build(), EH);
      expectFailure(h, hfde.offset, /^FDE's CIE pointer 0x100 leads to section offset -0xfc /);
    });

    it('reports decoded addresses no block covers, or several blocks cover', () => {
      const g = newGraph(8, 'bad.o');
      addText(g, 0x1000n, 0x10);
      const b = new EhFrameBuilder();
      const cie = b.cie();
      const fde = b.fde({ cie, pcBegin: pcrel4(b.length + 8, 0x1800n), pcRange: u32(4) });
      addEhFrame(g, b.build(), EH);
      expectFailure(g, fde.offset, 'no symbol or block covers the PC begin address 0x0000000000001800');

      // Relocatable ELF sections all start at 0: a decoded address there is ambiguous.
      const h = newGraph(8, 'bad.o');
      addText(h, 0n, 0x10);
      addText(h, 0n, 0x10, '.text.other');
      const hb = new EhFrameBuilder();
      const hcie = hb.cie({ augmentationData: [{ encoding: 0x03 }] });
      const hfde = hb.fde({ cie: hcie, pcBegin: u32(4), pcRange: u32(4) });
      addEhFrame(h, hb.build(), EH);
      expectFailure(
        h,
        hfde.offset,
        'the PC begin address 0x0000000000000004 is ambiguous: it lies in a block of section .text at 0x0000000000000000 and in a block of section .text.other at 0x0000000000000000',
      );
    });

    it('reports two relocations at one offset and zero-fill blocks', () => {
      const g = newGraph(8, 'bad.o');
      const text = addText(g, 0x1000n, 0x10);
      const b = new EhFrameBuilder();
      const cie = b.cie();
      const fde = b.fde({ cie, pcBegin: u32(0), pcRange: u32(4) });
      const { block } = addEhFrame(g, b.build(), EH);
      const s = g.addDefinedSymbol(text, 0, 'f', 4, Linkage.Strong, Scope.Default, true, false);
      block.addEdge(Kinds.delta32, fde.fields.pcBegin!, s, 0n);
      block.addEdge(Kinds.delta32, fde.fields.pcBegin!, s, 4n);
      expectFailure(g, fde.fields.pcBegin!, 'two relocations at the same offset (to f and to f)');

      const z = newGraph(8, 'bad.o');
      const section = z.createSection('.eh_frame', MemProt.Read);
      z.createZeroFillBlock(section, 8, EH, 8);
      expectFailure(z, 0, 'unexpected zero-fill block of 8 bytes (CFI records need content)', () => fixer().run(z));
    });
  });
});
