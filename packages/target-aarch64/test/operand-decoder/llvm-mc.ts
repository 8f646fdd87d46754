/**
 * Test helpers around LLVM's own tools: assembling instructions to words, and asking `llvm-mc --disassemble
 * -show-inst` what MCInst LLVM builds for a word, with register numbers translated to LLVM register names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { assembleAArch64, findLlvmTool } from '@orc-ts/test-support';
import type { DecodedInstruction, DecodedOperand } from '@orc-ts/object-linking-layer';

const TRIPLE = 'aarch64-unknown-linux-gnu';

/** The bytes of the `.text` section of an ELF64 little-endian relocatable object. */
export function textSection(elf: Uint8Array): Uint8Array {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  const header = (i: number): { name: number; offset: number; size: number } => {
    const base = shoff + i * shentsize;
    return { name: view.getUint32(base, true), offset: Number(view.getBigUint64(base + 0x18, true)), size: Number(view.getBigUint64(base + 0x20, true)) };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number): string => {
    let end = strtab.offset + off;
    while (elf[end] !== 0) end++;
    return new TextDecoder().decode(elf.subarray(strtab.offset + off, end));
  };
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (nameAt(h.name) === '.text') return elf.slice(h.offset, h.offset + h.size);
  }
  throw new Error('no .text section');
}

/** Assembles one instruction per line (with `assembleAArch64`, i.e. llvm-mc) and returns their words. */
export function assembleWords(lines: readonly string[]): number[] {
  const text = textSection(assembleAArch64(`.text\n${lines.join('\n')}\n`));
  const view = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const words: number[] = [];
  for (let off = 0; off < text.length; off += 4) words.push(view.getUint32(off, true));
  if (words.length !== lines.length) throw new Error(`assembled ${words.length} words from ${lines.length} lines`);
  return words;
}

/** An MCInst operand as llvm-mc prints it. */
export type LlvmOperand = { kind: 'reg'; number: number } | { kind: 'imm'; value: bigint } | { kind: 'other'; text: string };

/** An MCInst as llvm-mc prints it. */
export interface LlvmInst {
  opcode: string;
  operands: LlvmOperand[];
}

/** Parses `-show-inst` output into MCInsts, in order. */
function parseShowInst(stdout: string): LlvmInst[] {
  const insts: LlvmInst[] = [];
  for (const chunk of stdout.split('<MCInst #').slice(1)) {
    const opcode = /^\d+ (\w+)/.exec(chunk)![1]!;
    const operands: LlvmOperand[] = [];
    for (const m of chunk.matchAll(/<MCOperand (\w+):?([^>]*)>/g)) {
      if (m[1] === 'Reg') operands.push({ kind: 'reg', number: Number(m[2]) });
      else if (m[1] === 'Imm') operands.push({ kind: 'imm', value: BigInt(m[2]!) });
      else operands.push({ kind: 'other', text: m[0] });
    }
    insts.push({ opcode, operands });
  }
  return insts;
}

/**
 * Disassembles each word with `llvm-mc --disassemble -show-inst`; `undefined` where LLVM reports an invalid
 * encoding.
 */
export function llvmDisassemble(words: readonly number[]): Array<LlvmInst | undefined> {
  const input = words.map((w) => [0, 8, 16, 24].map((s) => `0x${((w >>> s) & 0xff).toString(16).padStart(2, '0')}`).join(' ')).join('\n');
  const result = spawnSync(findLlvmTool('llvm-mc'), ['--disassemble', '-show-inst', `-triple=${TRIPLE}`], {
    input: `${input}\n`,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`llvm-mc failed: ${result.stderr}`);
  const invalidLines = new Set<number>();
  for (const m of result.stderr.matchAll(/<stdin>:(\d+):\d+: warning: invalid instruction encoding/g)) invalidLines.add(Number(m[1]));
  const insts = parseShowInst(result.stdout);
  const out: Array<LlvmInst | undefined> = [];
  let next = 0;
  words.forEach((_, i) => out.push(invalidLines.has(i + 1) ? undefined : insts[next++]));
  if (next !== insts.length) throw new Error(`llvm-mc printed ${insts.length} instructions for ${next} valid words`);
  return out;
}

let registerNames: Map<number, string> | undefined;

/**
 * LLVM's register numbers (as `-show-inst` prints them) mapped to register names, learned from llvm-mc itself:
 * each calibration instruction names one register in the assembly text and holds it as MCInst operand 0.
 */
export function llvmRegisterNames(): Map<number, string> {
  if (registerNames) return registerNames;
  const calibration: Array<[string, string]> = [];
  for (let n = 0; n <= 30; n++) calibration.push([`br x${n}`, n === 29 ? 'FP' : n === 30 ? 'LR' : `X${n}`]);
  calibration.push(['cbz xzr, .', 'XZR'], ['add sp, x0, #0', 'SP']);
  for (let n = 0; n <= 30; n++) calibration.push([`cbz w${n}, .`, `W${n}`]);
  calibration.push(['cbz wzr, .', 'WZR'], ['add wsp, w0, #0', 'WSP']);
  for (const prefix of ['b', 'h', 's', 'd', 'q']) {
    for (let n = 0; n <= 31; n++) calibration.push([`ldr ${prefix}${n}, [x0]`, `${prefix.toUpperCase()}${n}`]);
  }
  const stdout = execFileSync(findLlvmTool('llvm-mc'), ['-show-inst', `-triple=${TRIPLE}`], {
    input: calibration.map(([asm]) => asm).join('\n') + '\n',
    encoding: 'utf8',
  });
  const insts = parseShowInst(stdout);
  if (insts.length !== calibration.length) throw new Error('calibration did not assemble one instruction per line');
  const names = new Map<number, string>();
  insts.forEach((inst, i) => {
    const op = inst.operands[0];
    if (op?.kind !== 'reg') throw new Error(`calibration line '${calibration[i]![0]}' has no register operand 0`);
    const name = calibration[i]![1];
    if (names.has(op.number) && names.get(op.number) !== name) throw new Error(`register ${op.number} is both ${names.get(op.number)} and ${name}`);
    names.set(op.number, name);
  });
  registerNames = names;
  return names;
}

/** Renders an LLVM MCInst and one of ours the same way, for comparison. */
export function renderLlvm(inst: LlvmInst): string {
  const names = llvmRegisterNames();
  const ops = inst.operands.map((op) =>
    op.kind === 'reg' ? `Reg:${names.get(op.number) ?? `#${op.number}`}` : op.kind === 'imm' ? `Imm:${op.value}` : op.text,
  );
  return [inst.opcode, ...ops].join(' ');
}

/** See {@link renderLlvm}. */
export function renderOurs(inst: DecodedInstruction): string {
  const ops = inst.operands.map((op: DecodedOperand) => (typeof op === 'bigint' ? `Imm:${op}` : `Reg:${op.reg}`));
  return [inst.opcode, ...ops].join(' ');
}
