/**
 * Malformed objects: each case patches one field of a real object (or truncates it) and checks that the reader
 * throws MalformedObjectError naming the file and the field at fault.
 */
import { assembleAArch64 } from '@orc-ts/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { ELF64_SYM_SIZE, MalformedObjectError, SHT_NOBITS, readElfObject, type ElfObjectReader } from '../../src/index.js';
import { EHDR, copy, expectMalformed, expectRejected, peek, poke, sectionIndex, withSectionField } from './elf-test-utils.js';

const SOURCE = `
  .text
  .globl main
  .p2align 4
main:
  adrp x0, data_obj
  add x0, x0, :lo12:data_obj
  bl ext_func
  ret
  .data
  .globl data_obj
data_obj:
  .quad main + 16
  .comm common_sym, 32, 16
  .bss
zero_buf: .zero 64
`;

const FILE = 'bad.o';

let good: Uint8Array;
let obj: ElfObjectReader;
let text: number;
let relaText: number;
let symtab: number;
let strtab: number;
let bss: number;

beforeAll(() => {
  good = assembleAArch64(SOURCE);
  obj = readElfObject(good, FILE);
  text = sectionIndex(obj, '.text');
  relaText = sectionIndex(obj, '.rela.text');
  symtab = sectionIndex(obj, '.symtab');
  strtab = sectionIndex(obj, '.strtab');
  bss = sectionIndex(obj, '.bss');
});

/** File offset of symbol `i`. */
function symAt(i: number): number {
  return Number(obj.sections[symtab]!.offset) + i * ELF64_SYM_SIZE;
}

/** File offset of entry `i` of `.rela.text`. */
function relaAt(i: number): number {
  return Number(obj.sections[relaText]!.offset) + i * 24;
}

function symbolNamed(name: string): number {
  const t = obj.symbolTable!;
  for (let i = 0; i < t.count; i++) if (t.name(i) === name) return i;
  throw new Error(name);
}

describe('identification and file header', () => {
  it('rejects an empty and a tiny file', () => {
    expect(expectRejected(new Uint8Array(0), FILE, 'e_ident').message).toBe('bad.o: file is 0 bytes, too small for e_ident (16 bytes)');
    expectRejected(good.subarray(0, 10), FILE, 'e_ident');
  });

  it('rejects bad magic', () => {
    const b = copy(good);
    b[1] = 0x46;
    const e = expectRejected(b, FILE, 'e_ident[EI_MAG0..EI_MAG3]');
    expect(e.message).toBe('bad.o: e_ident[EI_MAG0..EI_MAG3] is 7f 46 4c 46, not the ELF magic 7f 45 4c 46');
    expectRejected(new TextEncoder().encode('#!/bin/sh\necho not an object\n'), FILE, 'e_ident[EI_MAG0..EI_MAG3]');
  });

  it('rejects ELF32 (a real armv7 object) and invalid classes', () => {
    const arm = assembleAArch64('  .text\nf: bx lr\n', { triple: 'armv7-unknown-linux-gnueabi' });
    const e = expectRejected(arm, 'arm.o', 'EI_CLASS');
    expect(e.message).toBe('arm.o: EI_CLASS 1 (ELFCLASS32) is not supported: only ELFCLASS64 objects can be linked');
    for (const cls of [0, 3, 255]) {
      const b = copy(good);
      b[4] = cls;
      expect(expectRejected(b, FILE, 'EI_CLASS').message).toContain(`EI_CLASS ${cls} is not a valid ELF class`);
    }
  });

  it('rejects an invalid data encoding and version', () => {
    const b = copy(good);
    b[5] = 3;
    expectRejected(b, FILE, 'EI_DATA');
    const v = copy(good);
    v[6] = 0;
    expectRejected(v, FILE, 'EI_VERSION');
    const ev = copy(good);
    poke(ev, 20, 4, 2);
    expectRejected(ev, FILE, 'e_version');
  });

  it('rejects a file truncated inside the header', () => {
    expect(expectRejected(good.subarray(0, 40), FILE, 'Elf64_Ehdr').message).toContain('too small for the 64-byte ELF64 header');
  });

  it('rejects a file truncated before or inside the section header table', () => {
    const shoff = Number(obj.header.shoff);
    expectRejected(good.subarray(0, shoff + 10), FILE, 'e_shoff');
    expectRejected(good.subarray(0, shoff + 64 * 3 + 5), FILE, 'e_shnum');
  });

  it('rejects a file truncated inside section contents', () => {
    // llvm-mc writes the section header table last, so a plain cut loses the table (see above). Move the table to
    // the front (right after the file header, shifting every sh_offset), then cut inside the contents.
    const shoff = Number(obj.header.shoff);
    const tableLen = 64 * obj.header.shnum;
    const moved = new Uint8Array(good.length);
    moved.set(good.subarray(0, 64), 0);
    moved.set(good.subarray(shoff, shoff + tableLen), 64);
    moved.set(good.subarray(64, shoff), 64 + tableLen);
    poke(moved, EHDR.shoff, 8, 64);
    for (const s of obj.sections) {
      if (s.index !== 0) poke(moved, 64 + s.index * 64 + 24, 8, s.offset + BigInt(tableLen));
    }
    expect(readElfObject(moved, FILE).sections.map((s) => s.name)).toEqual(obj.sections.map((s) => s.name));
    const filed = obj.sections.filter((s) => s.content !== undefined && s.size > 8n);
    const last = filed.reduce((a, s) => (s.offset > a.offset ? s : a));
    // Cut inside the contents of the section that comes last in the file: only its sh_size overruns.
    const cut = tableLen + Number(last.offset) + 5;
    const e = expectRejected(moved.subarray(0, cut), FILE, 'sh_size');
    expect(e.section).toBe(last.index);
    expect(e.message).toContain(`sh_size 0x${last.size.toString(16)} runs past the end of the ${cut}-byte file`);
    // Cut before it: its sh_offset is already past the end.
    const before = tableLen + Number(last.offset) - 1;
    const e2 = expectMalformed(() => readElfObject(moved.subarray(0, before), FILE));
    expect(['sh_offset', 'sh_size']).toContain(e2.field);
    expect(e2.message).toMatch(/past the end of the \d+-byte file/);
  });

  it('rejects a bad e_shentsize, e_shoff, e_shnum or e_shstrndx', () => {
    const a = copy(good);
    poke(a, EHDR.shentsize, 2, 40);
    expect(expectRejected(a, FILE, 'e_shentsize').message).toBe('bad.o: e_shentsize 40 is not 64 (sizeof(Elf64_Shdr))');
    const b = copy(good);
    poke(b, EHDR.shoff, 8, 0xffff_ffff_ffff_fff0n);
    expectRejected(b, FILE, 'e_shoff');
    const c = copy(good);
    poke(c, EHDR.shnum, 2, 0xfff0);
    expectRejected(c, FILE, 'e_shnum');
    const d = copy(good);
    poke(d, EHDR.shstrndx, 2, obj.header.shnum);
    expect(expectRejected(d, FILE, 'e_shstrndx').message).toBe(
      `bad.o: e_shstrndx ${obj.header.shnum} is not a valid section index (e_shnum ${obj.header.shnum})`,
    );
    const e = copy(good);
    poke(e, EHDR.shstrndx, 2, text);
    expect(expectRejected(e, FILE, 'e_shstrndx').message).toContain('not SHT_STRTAB');
    const f = copy(good);
    poke(f, EHDR.shoff, 8, 0);
    expectRejected(f, FILE, 'e_shnum');
  });
});

describe('section headers', () => {
  it('rejects a section whose offset or size runs past the end of the file', () => {
    const size = BigInt(good.length);
    const off = expectRejected(withSectionField(good, text, 'offset', size + 100n), FILE, 'sh_offset');
    expect(off.section).toBe(text);
    expect(off.sectionName).toBe('.text');
    expect(off.message).toContain(`bad.o: section [${text}] '.text': sh_offset`);
    const sz = expectRejected(withSectionField(good, text, 'size', size), FILE, 'sh_size');
    expect(sz.message).toContain("'.text': sh_offset");
    // Overflowing offset + size must not wrap around.
    expectRejected(withSectionField(good, text, 'size', 0xffff_ffff_ffff_ffffn), FILE, 'sh_size');
  });

  it('accepts a SHT_NOBITS section larger than the file (it has no file contents)', () => {
    const b = withSectionField(good, bss, 'size', 1n << 40n);
    const o = readElfObject(b, FILE);
    expect(o.sections[bss]!.type).toBe(SHT_NOBITS);
    expect(o.sections[bss]!.size).toBe(1n << 40n);
    expect(o.sections[bss]!.content).toBeUndefined();
  });

  it('rejects a section name offset outside the section-name table', () => {
    const e = expectRejected(withSectionField(good, text, 'name', 0x7fff_0000), FILE, 'sh_name');
    expect(e.message).toContain(`section [${text}]: sh_name 0x7fff0000 is past the end of string table [${strtab}]`);
  });

  it('rejects a section-name table that is not NUL-terminated', () => {
    const shstrtab = obj.sections[obj.header.shstrndx]!;
    const e = expectRejected(withSectionField(good, shstrtab.index, 'size', shstrtab.size - 1n), FILE, 'sh_size');
    expect(e.message).toContain('string table is not NUL-terminated');
  });

  it('rejects flag bits above 31, a non-power-of-two alignment and a non-null section 0', () => {
    expectRejected(withSectionField(good, text, 'flags', 1n << 33n), FILE, 'sh_flags');
    expectRejected(withSectionField(good, text, 'addralign', 12), FILE, 'sh_addralign');
    expectRejected(withSectionField(good, 0, 'type', 1), FILE, 'sh_type');
  });
});

describe('symbol table', () => {
  it('rejects a bad sh_entsize, sh_size, sh_link or sh_info', () => {
    expect(expectRejected(withSectionField(good, symtab, 'entsize', 16), FILE, 'sh_entsize').message).toBe(
      `bad.o: section [${symtab}] '.symtab': sh_entsize 16 is not 24 (sizeof(Elf64_Sym))`,
    );
    expectRejected(withSectionField(good, symtab, 'size', obj.sections[symtab]!.size - 4n), FILE, 'sh_size');
    const link = expectRejected(withSectionField(good, symtab, 'link', 99), FILE, 'sh_link');
    expect(link.message).toBe(`bad.o: section [${symtab}] '.symtab': sh_link 99 is not a valid section index (e_shnum ${obj.header.shnum})`);
    expect(expectRejected(withSectionField(good, symtab, 'link', text), FILE, 'sh_link').message).toContain('not SHT_STRTAB');
    expectRejected(withSectionField(good, symtab, 'info', obj.symbolTable!.count + 1), FILE, 'sh_info');
  });

  it('rejects a symbol whose name offset is outside the string table', () => {
    const i = symbolNamed('main');
    const b = copy(good);
    poke(b, symAt(i), 4, 0x10000);
    const e = expectRejected(b, FILE, 'st_name');
    expect(e.section).toBe(symtab);
    expect(e.index).toBe(i);
    expect(e.message).toBe(
      `bad.o: section [${symtab}] '.symtab': entry ${i}: st_name 0x10000 is past the end of string table [${strtab}] ` +
        `(size 0x${obj.sections[strtab]!.size.toString(16)})`,
    );
  });

  it('rejects a symbol whose string table is not NUL-terminated', () => {
    // Point the symbol table at a string table without a final NUL: shrink .strtab by one byte (names are
    // shared with the section names, so use a copy of the header with e_shstrndx 0 and cleared sh_names).
    const b = withSectionField(good, strtab, 'size', obj.sections[strtab]!.size - 1n);
    poke(b, EHDR.shstrndx, 2, 0);
    for (const s of obj.sections) poke(b, Number(obj.header.shoff) + s.index * 64, 4, 0);
    const e = expectRejected(b, FILE, 'sh_size');
    expect(e.section).toBe(strtab);
  });

  it('rejects an st_shndx beyond the section table and undefined reserved values', () => {
    const i = symbolNamed('main');
    const b = copy(good);
    poke(b, symAt(i) + 6, 2, 50);
    const e = expectRejected(b, FILE, 'st_shndx');
    expect(e.message).toBe(`bad.o: section [${symtab}] '.symtab': entry ${i}: st_shndx 50 is not a valid section index (e_shnum ${obj.header.shnum})`);
    const r = copy(good);
    poke(r, symAt(i) + 6, 2, 0xff80);
    expect(expectRejected(r, FILE, 'st_shndx').message).toContain('st_shndx 0xff80 is a reserved section index');
    // Processor-specific reserved indices are accepted and reported as such.
    const p = copy(good);
    poke(p, symAt(i) + 6, 2, 0xff00);
    expect(readElfObject(p, FILE).symbolTable!.symbol(i)).toMatchObject({ shndx: 0xff00, placement: 'reserved' });
    const abs = copy(good);
    poke(abs, symAt(i) + 6, 2, 0xfff1);
    expect(readElfObject(abs, FILE).symbolTable!.symbol(i)).toMatchObject({ shndx: 0xfff1, placement: 'absolute' });
  });
});

describe('relocation sections', () => {
  it('names the section and field for an out-of-range sh_link', () => {
    const e = expectRejected(withSectionField(good, relaText, 'link', 9), FILE, 'sh_link');
    expect(e.message).toBe(`bad.o: section [${relaText}] '.rela.text': sh_link 9 is not a valid section index (e_shnum ${obj.header.shnum})`);
    expect(e.section).toBe(relaText);
    expect(e.sectionName).toBe('.rela.text');
  });

  it('rejects an sh_link that is not the symbol table', () => {
    const e = expectRejected(withSectionField(good, relaText, 'link', text), FILE, 'sh_link');
    expect(e.message).toContain(`not the SHT_SYMTAB section [${symtab}]`);
  });

  it('rejects an out-of-range or null sh_info', () => {
    expect(expectRejected(withSectionField(good, relaText, 'info', 77), FILE, 'sh_info').message).toBe(
      `bad.o: section [${relaText}] '.rela.text': sh_info 77 is not a valid section index (e_shnum ${obj.header.shnum})`,
    );
    expectRejected(withSectionField(good, relaText, 'info', 0), FILE, 'sh_info');
  });

  it('rejects a bad sh_entsize or sh_size', () => {
    expectRejected(withSectionField(good, relaText, 'entsize', 0), FILE, 'sh_entsize');
    expectRejected(withSectionField(good, relaText, 'size', 30), FILE, 'sh_size');
  });

  it('rejects a relocation whose symbol index is outside the symbol table', () => {
    const b = copy(good);
    const count = obj.symbolTable!.count;
    poke(b, relaAt(2) + 12, 4, count); // high half of r_info = symbol index
    const e = expectRejected(b, FILE, 'r_info');
    expect(e.index).toBe(2);
    expect(e.message).toBe(
      `bad.o: section [${relaText}] '.rela.text': entry 2: r_info symbol index ${count} is out of range ` +
        `(symbol table [${symtab}] '.symtab' has ${count} entries)`,
    );
    // The last valid index is fine.
    const ok = copy(good);
    poke(ok, relaAt(2) + 12, 4, count - 1);
    expect(readElfObject(ok, FILE).relocationSections[0]!.symbolIndex(2)).toBe(count - 1);
  });

  it('rejects a relocation whose offset is outside the target section', () => {
    const textSize = obj.sections[text]!.size;
    const b = copy(good);
    poke(b, relaAt(1), 8, textSize);
    const e = expectRejected(b, FILE, 'r_offset');
    expect(e.message).toContain(`entry 1: r_offset 0x${textSize.toString(16)} is outside target section [${text}] '.text'`);
    const far = copy(good);
    poke(far, relaAt(1), 8, 1n << 62n);
    expectRejected(far, FILE, 'r_offset');
  });

  it('decodes r_addend as a signed 64-bit value', () => {
    const b = copy(good);
    poke(b, relaAt(0) + 16, 8, 0xffff_ffff_ffff_fffen);
    expect(readElfObject(b, FILE).relocationSections[0]!.addend(0)).toBe(-2n);
    expect(peek(b, relaAt(0) + 16, 8)).toBe(0xffff_ffff_ffff_fffen);
  });
});

it('only ever throws MalformedObjectError from these cases', () => {
  // Sanity: the typed error is a real Error subclass with a stable name.
  const e = expectRejected(new Uint8Array(3), 'tiny.o', 'e_ident');
  expect(e).toBeInstanceOf(Error);
  expect(e).toBeInstanceOf(MalformedObjectError);
  expect(e.name).toBe('MalformedObjectError');
});
