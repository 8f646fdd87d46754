/** Shared helpers of the Unicorn binding tests (not a test file itself). */
import { afterEach } from 'vitest';
import { UC_PROT_ALL, UnicornEngine } from '../../src/unicorn/index.js';

/** Where the tests put code (one 64 KiB RWX mapping from here). */
export const CODE = 0x10000n;
/** Size of the code mapping. */
export const CODE_SIZE = 0x10000;
/** A far, never-mapped return address used as the stop point of "function calls". */
export const SENTINEL = 0x7fff_0000n;

/** Little-endian bytes of 32-bit instruction words. */
export function words(...instructions: number[]): Uint8Array {
  const bytes = new Uint8Array(instructions.length * 4);
  const view = new DataView(bytes.buffer);
  instructions.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return bytes;
}

/** Reads a little-endian 32-bit word. */
export function u32(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/**
 * Returns the bytes of the `.text` section of a little-endian ELF64 relocatable object: just enough of the
 * section header table to find it (the real ELF reader lives in object-linking-layer).
 */
export function textSection(elf: Uint8Array): Uint8Array {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (u32(elf) !== 0x464c457f || elf[4] !== 2 || elf[5] !== 1) throw new Error('not a little-endian ELF64 file');
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  const header = (i: number) => {
    const base = shoff + i * shentsize;
    return {
      name: view.getUint32(base, true),
      offset: Number(view.getBigUint64(base + 0x18, true)),
      size: Number(view.getBigUint64(base + 0x20, true)),
    };
  };
  const strtab = header(shstrndx);
  const nameOf = (offset: number) => {
    let end = strtab.offset + offset;
    while (elf[end] !== 0) end++;
    return new TextDecoder().decode(elf.subarray(strtab.offset + offset, end));
  };
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (nameOf(h.name) === '.text') return elf.slice(h.offset, h.offset + h.size);
  }
  throw new Error('no .text section');
}

const open: UnicornEngine[] = [];

/** Opens an engine with {@link CODE} mapped RWX; it is closed after the current test. */
export function engineWithCode(): UnicornEngine {
  const engine = new UnicornEngine();
  open.push(engine);
  engine.memMap(CODE, CODE_SIZE, UC_PROT_ALL);
  return engine;
}

/** Writes `code` at `address` and drops any translation of it, so the next run executes exactly these words. */
export function load(engine: UnicornEngine, address: bigint, code: Uint8Array): void {
  engine.memWrite(address, code);
  engine.removeCache(address, address + BigInt(code.length));
}

afterEach(() => {
  for (const engine of open.splice(0)) engine.close();
});
