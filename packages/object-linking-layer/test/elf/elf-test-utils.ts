/**
 * Helpers shared by the ELF reader tests: locating and patching header fields of real (little-endian ELF64)
 * objects, and parsing `llvm-readelf --elf-output-style=LLVM` output for cross-checks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLlvmTool } from '@orc-ts/test-support';
import { expect } from 'vitest';
import { MalformedObjectError, readElfObject, type ElfObjectReader } from '../../src/index.js';

/** Byte offsets of `Elf64_Shdr` fields. */
export const SHDR = { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 } as const;
/** Byte offsets of `Elf64_Ehdr` fields. */
export const EHDR = { shoff: 40, shentsize: 58, shnum: 60, shstrndx: 62 } as const;

function dv(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy of `bytes` (tests patch copies, never the fixture). */
export function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Writes a little-endian field of `width` bytes at `at`. */
export function poke(bytes: Uint8Array, at: number, width: 1 | 2 | 4 | 8, value: number | bigint): void {
  const v = dv(bytes);
  if (width === 1) v.setUint8(at, Number(value));
  else if (width === 2) v.setUint16(at, Number(value), true);
  else if (width === 4) v.setUint32(at, Number(value), true);
  else v.setBigUint64(at, BigInt(value), true);
}

/** Reads a little-endian field of `width` bytes at `at`. */
export function peek(bytes: Uint8Array, at: number, width: 2 | 4 | 8): bigint {
  const v = dv(bytes);
  if (width === 2) return BigInt(v.getUint16(at, true));
  if (width === 4) return BigInt(v.getUint32(at, true));
  return v.getBigUint64(at, true);
}

/** File offset of section header `index` of a little-endian ELF64 object. */
export function shdrAt(bytes: Uint8Array, index: number): number {
  return Number(peek(bytes, EHDR.shoff, 8)) + index * 64;
}

const SHDR_WIDTH: Record<keyof typeof SHDR, 4 | 8> = {
  name: 4,
  type: 4,
  flags: 8,
  addr: 8,
  offset: 8,
  size: 8,
  link: 4,
  info: 4,
  addralign: 8,
  entsize: 8,
};

/** Returns a copy of `bytes` with field `field` of section header `index` set to `value`. */
export function withSectionField(bytes: Uint8Array, index: number, field: keyof typeof SHDR, value: number | bigint): Uint8Array {
  const out = copy(bytes);
  poke(out, shdrAt(out, index) + SHDR[field], SHDR_WIDTH[field], value);
  return out;
}

/** Runs `fn` and returns the {@link MalformedObjectError} it throws (failing the test if it throws anything else or nothing). */
export function expectMalformed(fn: () => unknown): MalformedObjectError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a MalformedObjectError').toBeInstanceOf(MalformedObjectError);
  return caught as MalformedObjectError;
}

/** Reads `bytes` as `file` expecting rejection; checks the error names the file and `field`, and returns it. */
export function expectRejected(bytes: Uint8Array, file: string, field: string): MalformedObjectError {
  const e = expectMalformed(() => readElfObject(bytes, file));
  expect(e.file).toBe(file);
  expect(e.field).toBe(field);
  expect(e.message).toContain(file);
  expect(e.message).toContain(field);
  return e;
}

/** Section index by name in a parsed object (fails the test when absent). */
export function sectionIndex(obj: ElfObjectReader, name: string): number {
  const s = obj.sectionByName(name);
  expect(s, `section ${name}`).toBeDefined();
  return s!.index;
}

// ---- llvm-readelf cross-check ---------------------------------------------------------------------------------

/** A section as llvm-readelf reports it. */
export interface ReadelfSection {
  index: number;
  name: string;
  nameOffset: number;
  type: number;
  flags: number;
  address: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  alignment: bigint;
  entrySize: bigint;
}

/** A symbol as llvm-readelf reports it. */
export interface ReadelfSymbol {
  name: string;
  nameOffset: number;
  value: bigint;
  size: bigint;
  binding: number;
  type: number;
  other: number;
  section: number;
}

/** A relocation as llvm-readelf reports it (`--expand-relocs`). */
export interface ReadelfRelocation {
  section: number;
  offset: bigint;
  type: number;
  symbolIndex: number;
  addend: bigint;
}

/** The parsed `llvm-readelf --elf-output-style=LLVM -S -s -r --expand-relocs` report of `bytes`. */
export interface ReadelfReport {
  sections: ReadelfSection[];
  symbols: ReadelfSymbol[];
  relocations: ReadelfRelocation[];
}

function field(block: string, name: string): string {
  const m = new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(block);
  if (!m) throw new Error(`llvm-readelf output lacks ${name} in:\n${block}`);
  return m[1]!.trim();
}

function lastParenNumber(text: string): bigint {
  const m = /\((0x[0-9A-Fa-f]+|\d+)\)\s*$/.exec(text);
  if (!m) throw new Error(`no (number) in '${text}'`);
  return BigInt(m[1]!);
}

/** Runs llvm-readelf on `bytes` and parses sections, symbols and relocations. */
export function readelf(bytes: Uint8Array): ReadelfReport {
  const dir = mkdtempSync(join(tmpdir(), 'orc-ts-readelf-'));
  let text: string;
  try {
    const file = join(dir, 'input.o');
    writeFileSync(file, bytes);
    text = execFileSync(findLlvmTool('llvm-readelf'), ['--elf-output-style=LLVM', '-S', '-s', '-r', '--expand-relocs', file], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sections: ReadelfSection[] = [];
  for (const m of text.matchAll(/^ {2}Section \{\n([\s\S]*?)^ {2}\}/gm)) {
    const b = m[1]!;
    const nameField = field(b, 'Name');
    sections.push({
      index: Number(field(b, 'Index')),
      name: nameField.replace(/\s*\(\d+\)$/, ''),
      nameOffset: Number(lastParenNumber(nameField)),
      type: Number(lastParenNumber(field(b, 'Type'))),
      flags: Number(/Flags \[ \((0x[0-9A-Fa-f]+)\)/.exec(b)![1]),
      address: BigInt(field(b, 'Address')),
      offset: BigInt(field(b, 'Offset')),
      size: BigInt(field(b, 'Size')),
      link: Number(field(b, 'Link')),
      info: Number(field(b, 'Info')),
      alignment: BigInt(field(b, 'AddressAlignment')),
      entrySize: BigInt(field(b, 'EntrySize')),
    });
  }
  const symbols: ReadelfSymbol[] = [];
  for (const m of text.matchAll(/^ {2}Symbol \{\n([\s\S]*?)^ {2}\}/gm)) {
    const b = m[1]!;
    const nameField = field(b, 'Name');
    const other = /Other: (\d+)/.exec(b) ?? /Other \[ \((0x[0-9A-Fa-f]+)\)/.exec(b);
    symbols.push({
      name: nameField.replace(/\s*\(\d+\)$/, ''),
      nameOffset: Number(lastParenNumber(nameField)),
      value: BigInt(field(b, 'Value')),
      size: BigInt(field(b, 'Size')),
      binding: Number(lastParenNumber(field(b, 'Binding'))),
      type: Number(lastParenNumber(field(b, 'Type'))),
      other: Number(other![1]),
      section: Number(lastParenNumber(field(b, 'Section'))),
    });
  }
  const relocations: ReadelfRelocation[] = [];
  for (const sec of text.matchAll(/^ {2}Section \((\d+)\) \S+ \{\n([\s\S]*?)^ {2}\}/gm)) {
    for (const m of sec[2]!.matchAll(/Relocation \{\n([\s\S]*?)\}/g)) {
      const b = m[1]!;
      relocations.push({
        section: Number(sec[1]),
        offset: BigInt(field(b, 'Offset')),
        type: Number(lastParenNumber(field(b, 'Type'))),
        symbolIndex: Number(lastParenNumber(field(b, 'Symbol'))),
        addend: BigInt.asIntN(64, BigInt(field(b, 'Addend'))),
      });
    }
  }
  return { sections, symbols, relocations };
}
