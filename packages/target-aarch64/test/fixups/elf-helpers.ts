/**
 * Test-only helpers: assemble AArch64 with llvm-mc and read back `.text` and its RELA relocations from the
 * little-endian ELF64 object (a deliberately tiny reader; the real one lives in object-linking-layer).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAArch64, findLlvmTool } from '@orc-ts/test-support';

/** One RELA entry of `.rela.text`. */
export interface Rela {
  offset: number;
  type: number;
  symbolIndex: number;
  addend: bigint;
}

interface SectionHeader {
  name: string;
  type: number;
  offset: number;
  size: number;
  fileOffsetOfHeader: number;
}

function sections(obj: Uint8Array): SectionHeader[] {
  const v = new DataView(obj.buffer, obj.byteOffset, obj.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46 || obj[4] !== 2 || obj[5] !== 1) throw new Error('not a little-endian ELF64 object');
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    raw.push({
      nameOff: v.getUint32(h, true),
      type: v.getUint32(h + 4, true),
      offset: Number(v.getBigUint64(h + 0x18, true)),
      size: Number(v.getBigUint64(h + 0x20, true)),
      fileOffsetOfHeader: h,
    });
  }
  const strtab = raw[shstrndx]!;
  const name = (off: number): string => {
    let end = strtab.offset + off;
    while (obj[end] !== 0) end++;
    return new TextDecoder().decode(obj.subarray(strtab.offset + off, end));
  };
  return raw.map((r) => ({ name: name(r.nameOff), type: r.type, offset: r.offset, size: r.size, fileOffsetOfHeader: r.fileOffsetOfHeader }));
}

/** The bytes of `.text`. */
export function textOf(obj: Uint8Array): Uint8Array {
  const text = sections(obj).find((s) => s.name === '.text');
  if (!text) throw new Error('no .text');
  return obj.slice(text.offset, text.offset + text.size);
}

/** The file offsets of each entry of `.rela.text` (for patching) and the decoded entries. */
export function relaText(obj: Uint8Array): { entries: Rela[]; fileOffsets: number[] } {
  const rela = sections(obj).find((s) => s.name === '.rela.text');
  const entries: Rela[] = [];
  const fileOffsets: number[] = [];
  if (!rela) return { entries, fileOffsets };
  const v = new DataView(obj.buffer, obj.byteOffset, obj.byteLength);
  for (let off = rela.offset; off < rela.offset + rela.size; off += 24) {
    const info = v.getBigUint64(off + 8, true);
    entries.push({
      offset: Number(v.getBigUint64(off, true)),
      type: Number(info & 0xffffffffn),
      symbolIndex: Number(info >> 32n),
      addend: v.getBigInt64(off + 16, true),
    });
    fileOffsets.push(off);
  }
  return { entries, fileOffsets };
}

/** Assembles `source` and returns `.text` and its relocations. */
export function assemble(source: string): { text: Uint8Array; relocations: Rela[] } {
  const obj = assembleAArch64(source);
  return { text: textOf(obj), relocations: relaText(obj).entries };
}

/** Assembles one instruction per line and returns the words, in order. */
export function assembleWords(lines: readonly string[]): number[] {
  const text = assemble(`.text\n${lines.join('\n')}\n`).text;
  if (text.length !== lines.length * 4) throw new Error(`expected ${lines.length} words, got ${text.length} bytes`);
  const v = new DataView(text.buffer, text.byteOffset, text.byteLength);
  return lines.map((_, i) => v.getUint32(i * 4, true));
}

/** Reads the little-endian word at `offset`. */
export function wordAt(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/**
 * The relocation names llvm-objdump prints for the given relocation numbers: assembles one relocation per number,
 * patches each RELA entry's type, and parses `llvm-objdump -r`.
 */
export function objdumpRelocationNames(types: readonly number[]): Map<number, string> {
  const lines = types.map(() => '.reloc ., R_AARCH64_ABS64, sym\n  .xword 0').join('\n  ');
  const obj = assembleAArch64(`.text\n  ${lines}\n`);
  const { fileOffsets } = relaText(obj);
  if (fileOffsets.length !== types.length) throw new Error('unexpected relocation count');
  const v = new DataView(obj.buffer, obj.byteOffset, obj.byteLength);
  fileOffsets.forEach((off, i) => v.setUint32(off + 8, types[i]!, true));
  const dir = mkdtempSync(join(tmpdir(), 'orc-ts-reloc-names-'));
  try {
    const file = join(dir, 'patched.o');
    writeFileSync(file, obj);
    const out = execFileSync(findLlvmTool('llvm-objdump'), ['-r', file], { encoding: 'utf8' });
    const names = new Map<number, string>();
    for (const line of out.split('\n')) {
      const m = /^([0-9a-f]{16})\s+(\S+)\s/.exec(line);
      if (m) names.set(types[Number.parseInt(m[1]!, 16) / 8]!, m[2]!);
    }
    return names;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
