/**
 * Extended section numbering: `SHN_XINDEX` symbols resolved through `SHT_SYMTAB_SHNDX`, and `e_shnum` /
 * `e_shstrndx` escaping to section 0. One real object from llvm-mc with more than 0xff00 sections, plus
 * small objects patched to use each mechanism.
 */
import { assembleAArch64 } from '@orc-ts/test-support';
import elfy from 'elfy';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SHN_LORESERVE,
  SHN_XINDEX,
  SHT_PROGBITS,
  SHT_SYMTAB_SHNDX,
  readElfObject,
  type ElfObjectReader,
} from '../../src/index.js';
import { EHDR, copy, expectRejected, peek, poke, shdrAt, withSectionField } from './elf-test-utils.js';

const R_AARCH64_ADR_PREL_PG_HI21 = 275;

describe('an llvm-mc object with more than SHN_LORESERVE sections', () => {
  const EXTRA = 65300;
  let bytes: Uint8Array;
  let obj: ElfObjectReader;
  beforeAll(() => {
    const lines = ['.text', '.globl f', 'f:', '  adrp x0, lastsym', '  ret'];
    for (let i = 0; i < EXTRA; i++) lines.push(`.section .s${i},"a",@progbits`);
    lines.push('.globl lastsym', 'lastsym: .word 1');
    bytes = assembleAArch64(lines.join('\n') + '\n');
    obj = readElfObject(bytes, 'many.o');
  });

  it('uses extended numbering, which elfy cannot read', () => {
    expect(peek(bytes, EHDR.shnum, 2)).toBe(0n); // e_shnum escapes to section 0's sh_size
    expect(() => elfy.parse(Buffer.from(bytes))).toThrow();
  });

  it('reads every section header and resolves SHN_XINDEX symbols through SHT_SYMTAB_SHNDX', () => {
    // null, .strtab, .text, .rela.text, .symtab, .symtab_shndx and the extra ones.
    expect(obj.header.shnum).toBe(EXTRA + 6);
    expect(obj.sections).toHaveLength(EXTRA + 6);
    expect(Number(obj.sections[0]!.size)).toBe(obj.header.shnum);
    const last = obj.sectionByName(`.s${EXTRA - 1}`)!;
    expect(last.index).toBeGreaterThan(SHN_LORESERVE);
    expect(last.type).toBe(SHT_PROGBITS);
    expect(last.size).toBe(4n);

    const table = obj.symbolTable!;
    expect(table.shndxSection?.type).toBe(SHT_SYMTAB_SHNDX);
    let lastsym = -1;
    for (let i = 0; i < table.count; i++) if (table.name(i) === 'lastsym') lastsym = i;
    expect(lastsym).toBeGreaterThan(0);
    // The raw st_shndx is SHN_XINDEX ...
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint16(Number(table.section.offset) + lastsym * 24 + 6, true)).toBe(SHN_XINDEX);
    // ... and resolves to the real section.
    expect(table.symbol(lastsym)).toMatchObject({ shndx: last.index, placement: 'section' });
    expect(table.isInSection(lastsym)).toBe(true);

    const [rela] = obj.relocationSections;
    expect(rela!.target.name).toBe('.text');
    expect(rela!.relocation(0)).toMatchObject({ offset: 0n, type: R_AARCH64_ADR_PREL_PG_HI21, symbolIndex: lastsym, addend: 0n });
  });
});

/**
 * A small object with a spare section `.xidx` big enough to become a `SHT_SYMTAB_SHNDX` table; `craft` turns it
 * into one and moves symbol `main` to `SHN_XINDEX`.
 */
const SOURCE = `
  .text
  .globl main
main:
  bl other
  ret
  .globl other
other:
  ret
  .section .xidx,"",@progbits
  .fill 32, 4, 0
`;

interface Crafted {
  bytes: Uint8Array;
  symtabIndex: number;
  xidxIndex: number;
  textIndex: number;
  mainIndex: number;
  symbolCount: number;
}

function craft(base: Uint8Array, extendedValue?: number): Crafted {
  const obj = readElfObject(base, 'base.o');
  const table = obj.symbolTable!;
  const xidx = obj.sectionByName('.xidx')!;
  const textIndex = obj.sectionByName('.text')!.index;
  let mainIndex = -1;
  for (let i = 0; i < table.count; i++) if (table.name(i) === 'main') mainIndex = i;
  let bytes = withSectionField(base, xidx.index, 'type', SHT_SYMTAB_SHNDX);
  bytes = withSectionField(bytes, xidx.index, 'link', table.section.index);
  bytes = withSectionField(bytes, xidx.index, 'entsize', 4);
  bytes = withSectionField(bytes, xidx.index, 'size', table.count * 4);
  poke(bytes, Number(table.section.offset) + mainIndex * 24 + 6, 2, SHN_XINDEX);
  poke(bytes, Number(xidx.offset) + mainIndex * 4, 4, extendedValue ?? textIndex);
  return { bytes, symtabIndex: table.section.index, xidxIndex: xidx.index, textIndex, mainIndex, symbolCount: table.count };
}

describe('SHT_SYMTAB_SHNDX on a patched object', () => {
  let base: Uint8Array;
  beforeAll(() => {
    base = assembleAArch64(SOURCE);
  });

  it('resolves an SHN_XINDEX symbol through the table', () => {
    const c = craft(base);
    const obj = readElfObject(c.bytes, 'xindex.o');
    expect(obj.symbolTable!.shndxSection?.index).toBe(c.xidxIndex);
    expect(obj.symbolTable!.symbol(c.mainIndex)).toMatchObject({ name: 'main', shndx: c.textIndex, placement: 'section' });
    // Relocations against the symbol still decode.
    expect(obj.relocationSections[0]!.relocation(0).symbolIndex).toBeGreaterThan(0);
  });

  it('rejects an extended index that is not a section', () => {
    const c = craft(base, 500);
    const e = expectRejected(c.bytes, 'bad-xindex.o', 'st_shndx');
    expect(e.section).toBe(c.symtabIndex);
    expect(e.index).toBe(c.mainIndex);
    expect(e.message).toContain('SHN_XINDEX resolves through section');
    expect(e.message).toContain('to 500, which is not a valid section index');
  });

  it('rejects SHN_XINDEX without a SHT_SYMTAB_SHNDX table', () => {
    const c = craft(base);
    const noTable = withSectionField(c.bytes, c.xidxIndex, 'type', SHT_PROGBITS);
    const e = expectRejected(noTable, 'no-table.o', 'st_shndx');
    expect(e.message).toContain('no SHT_SYMTAB_SHNDX section');
  });

  it('rejects a SHT_SYMTAB_SHNDX table of the wrong size, entry size or link', () => {
    const c = craft(base);
    expect(expectRejected(withSectionField(c.bytes, c.xidxIndex, 'size', c.symbolCount * 4 + 4), 'size.o', 'sh_size').section).toBe(
      c.xidxIndex,
    );
    expectRejected(withSectionField(c.bytes, c.xidxIndex, 'entsize', 8), 'entsize.o', 'sh_entsize');
    const e = expectRejected(withSectionField(c.bytes, c.xidxIndex, 'link', c.textIndex), 'link.o', 'sh_link');
    expect(e.message).toContain("section [" + c.xidxIndex + "] '.xidx'");
  });
});

describe('e_shnum and e_shstrndx escaping to section 0', () => {
  let base: Uint8Array;
  let reference: ElfObjectReader;
  beforeAll(() => {
    base = assembleAArch64(SOURCE);
    reference = readElfObject(base, 'base.o');
  });

  const names = (o: ElfObjectReader) => o.sections.map((s) => s.name);

  it('reads e_shnum 0 with the count in section 0 sh_size', () => {
    const b = withSectionField(base, 0, 'size', reference.header.shnum);
    poke(b, EHDR.shnum, 2, 0);
    const obj = readElfObject(b, 'ext-shnum.o');
    expect(obj.header.shnum).toBe(reference.header.shnum);
    expect(names(obj)).toEqual(names(reference));
  });

  it('rejects an extended count that does not fit in the file', () => {
    const b = withSectionField(base, 0, 'size', 1n << 40n);
    poke(b, EHDR.shnum, 2, 0);
    const e = expectRejected(b, 'ext-huge.o', 'e_shnum');
    expect(e.message).toContain('extended numbering');
  });

  it('reads e_shstrndx SHN_XINDEX with the index in section 0 sh_link', () => {
    const b = withSectionField(base, 0, 'link', reference.header.shstrndx);
    poke(b, EHDR.shstrndx, 2, SHN_XINDEX);
    const obj = readElfObject(b, 'ext-shstrndx.o');
    expect(obj.header.shstrndx).toBe(reference.header.shstrndx);
    expect(names(obj)).toEqual(names(reference));
  });

  it('rejects an escaped e_shstrndx that is out of range', () => {
    const b = withSectionField(base, 0, 'link', 4000);
    poke(b, EHDR.shstrndx, 2, SHN_XINDEX);
    const e = expectRejected(b, 'ext-shstrndx-bad.o', 'e_shstrndx');
    expect(e.message).toContain('e_shstrndx 4000 (SHN_XINDEX, section [0] sh_link 4000) is not a valid section index');
  });

  it('keeps section 0 out of the file-extent checks (its fields hold the escaped values)', () => {
    const b = copy(base);
    poke(b, shdrAt(b, 0) + 24, 8, 1n << 50n); // a silly sh_offset in the SHT_NULL header is ignored
    expect(readElfObject(b, 'null-offset.o').sections).toHaveLength(reference.sections.length);
  });
});
