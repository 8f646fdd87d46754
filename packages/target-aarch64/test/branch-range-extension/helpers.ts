/** Test helpers for the Branch26 range-extension tests: a layer over a memory-only executor, graphs, decoding. */
import { ExecutionSession, MemProt } from '@orc-ts/core';
import {
  ElfObjectFormat,
  ExecutorJITLinkMemoryManager,
  LinkGraph,
  LinkTargetRegistry,
  Linkage,
  MemoryOnlyExecutorProcessControl,
  ObjectLinkingLayer,
  Scope,
  type Block,
  type LinkTarget,
  type Section,
  type Symbol,
} from '@orc-ts/object-linking-layer';
import { AArch64EdgeKind, AArch64LinkTarget, decodeAArch64Instruction, encodeB, encodeBL, encodeRET, NOP } from '@orc-ts/target-aarch64';

/** The default slab base of the memory-only executor: the first graph linked in a fresh executor starts here. */
export const SLAB = 0x10_0000_0000n;
/** R-X and RWX protections. */
export const RX = MemProt.Read | MemProt.Exec;
export const RWX = MemProt.Read | MemProt.Write | MemProt.Exec;
/** 128 MiB, the Branch26 reach. */
export const REACH = 2 ** 27;
export { NOP };
/** `BL` and `B` with a zero immediate (the fixup fills it), and `RET`. */
export const BL = encodeBL();
export const B = encodeB();
export const RET = encodeRET();

/** A layer linking AArch64 graphs into a fresh memory-only executor; `graphs` collects every graph it links. */
export function setup(options: { pageSize?: number; target?: LinkTarget } = {}) {
  const epc = new MemoryOnlyExecutorProcessControl({ slabAddress: SLAB, pageSize: options.pageSize });
  const errors: unknown[] = [];
  const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => errors.push(e) });
  const layer = new ObjectLinkingLayer(
    es,
    new ExecutorJITLinkMemoryManager(epc.memoryManager),
    new LinkTargetRegistry([options.target ?? new AArch64LinkTarget()]),
    new ElfObjectFormat(),
  );
  const graphs: LinkGraph[] = [];
  layer.addPlugin({ modifyPassConfig: (_mr, graph) => void graphs.push(graph) });
  const jd = es.createJITDylib('main');
  const host = es.createJITDylib('host');
  jd.addToLinkOrder(host);
  return { epc, es, layer, jd, host, errors, graphs };
}

/** The little-endian word at `address` of the executor's memory. */
export function wordAt(epc: MemoryOnlyExecutorProcessControl, address: bigint): number {
  return new DataView(epc.read(address, 4).buffer).getUint32(0, true);
}

/** The 64-bit word at `address`. */
export function quadAt(epc: MemoryOnlyExecutorProcessControl, address: bigint): bigint {
  return new DataView(epc.read(address, 8).buffer).getBigUint64(0, true);
}

/** Reads the 32-bit little-endian word at an address (of executor memory, or of a graph's blocks). */
export type WordReader = (address: bigint) => number;

/** Reads words of the executor's finalized memory. */
export function executorWords(epc: MemoryOnlyExecutorProcessControl): WordReader {
  return (address) => wordAt(epc, address);
}

/** Reads words of a graph's (allocated, fixed-up) block contents. */
export function graphWords(graph: LinkGraph): WordReader {
  return (address) => {
    for (const b of graph.blocks()) {
      if (b.content && address >= b.address && address + 4n <= b.getEnd()) {
        return new DataView(b.content.buffer, b.content.byteOffset, b.content.byteLength).getUint32(Number(address - b.address), true);
      }
    }
    throw new Error(`no block content at 0x${address.toString(16)}`);
  };
}

/** The destination of the B or BL at `address`, decoded. */
export function branchDestination(read: WordReader, address: bigint, opcode: 'B' | 'BL' = 'BL'): bigint {
  const insn = decodeAArch64Instruction(read(address));
  if (insn.opcode !== opcode) throw new Error(`expected ${opcode} at 0x${address.toString(16)}, found ${insn.opcode}`);
  return address + ((insn.operands[0] as bigint) << 2n);
}

/**
 * Decodes the veneer at `address` and returns its form and the address it jumps to: ADRP x16 / ADD x16 / BR x16,
 * or MOVZ + 3 MOVK x16 / BR x16. Throws if the words are anything else.
 */
export function decodeVeneer(read: WordReader, address: bigint): { form: 'adrp' | 'absolute'; destination: bigint } {
  const at = (i: number) => decodeAArch64Instruction(read(address + BigInt(4 * i)));
  const x16 = { reg: 'X16' };
  const first = at(0);
  if (first.opcode === 'ADRP') {
    const add = at(1);
    const br = at(2);
    if (add.opcode !== 'ADDXri' || br.opcode !== 'BR') throw new Error(`not an ADRP veneer: ${first.opcode} ${add.opcode} ${br.opcode}`);
    expectRegs([first.operands[0], add.operands[0], add.operands[1], br.operands[0]], x16);
    if (add.operands[3] !== 0n) throw new Error('ADD is shifted');
    const page = (address & ~0xfffn) + ((first.operands[1] as bigint) << 12n);
    return { form: 'adrp', destination: page + (add.operands[2] as bigint) };
  }
  if (first.opcode === 'MOVZXi') {
    let value = (first.operands[1] as bigint) << (first.operands[2] as bigint);
    expectRegs([first.operands[0]], x16);
    for (let i = 1; i < 4; i++) {
      const movk = at(i);
      if (movk.opcode !== 'MOVKXi' || movk.operands[3] !== BigInt(16 * i)) throw new Error(`word ${i} is not MOVK x16, #.., lsl #${16 * i}`);
      expectRegs([movk.operands[0], movk.operands[1]], x16);
      value |= (movk.operands[2] as bigint) << (movk.operands[3] as bigint);
    }
    const br = at(4);
    if (br.opcode !== 'BR') throw new Error(`word 4 is ${br.opcode}, not BR`);
    expectRegs([br.operands[0]], x16);
    return { form: 'absolute', destination: value };
  }
  throw new Error(`not a veneer at 0x${address.toString(16)}: ${first.opcode}`);
}

function expectRegs(operands: readonly unknown[], reg: { reg: string }): void {
  for (const o of operands) {
    if (typeof o !== 'object' || o === null || (o as { reg?: string }).reg !== reg.reg) throw new Error(`expected ${reg.reg}, got ${JSON.stringify(o)}`);
  }
}

/** A fresh AArch64 link graph. */
export function newGraph(name: string): LinkGraph {
  return new LinkGraph(name, { name: 'aarch64', pointerSize: 8, endianness: 'little' });
}

/** Little-endian bytes of instruction words. */
export function wordsToBytes(words: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return bytes;
}

/** A code block of `words` in `section`. */
export function codeBlock(graph: LinkGraph, section: Section, words: readonly number[], address = 0n, alignment = 4): Block {
  return graph.createContentBlock(section, wordsToBytes(words), address, alignment);
}

/** A global, callable (or not) symbol. */
export function global(graph: LinkGraph, block: Block, offset: number, name: string, size = 4, callable = true): Symbol {
  return graph.addDefinedSymbol(block, offset, name, size, Linkage.Strong, Scope.Default, callable, false);
}

/** A Branch26 edge at `offset` of `block`. */
export function branch(block: Block, offset: number, target: Symbol, addend = 0n): void {
  block.addEdge(AArch64EdgeKind.Branch26PCRel, offset, target, addend);
}
