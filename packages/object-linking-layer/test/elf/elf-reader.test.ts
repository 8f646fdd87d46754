import { assembleAArch64, compileIRToAArch64 } from '@orc-ts/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EM_AARCH64,
  ET_EXEC,
  ET_REL,
  ElfObjectReader,
  MalformedObjectError,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHF_WRITE,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  STV_DEFAULT,
  STV_HIDDEN,
  expectRelocatable,
  isRelocatable,
  readElfObject,
  type ElfSymbol,
} from '../../src/index.js';
import { copy, expectMalformed, poke, readelf, withSectionField } from './elf-test-utils.js';

/** AArch64 relocation numbers used below (values from the AArch64 ELF ABI). */
const R_AARCH64_ABS64 = 257;
const R_AARCH64_ADR_PREL_PG_HI21 = 275;
const R_AARCH64_ADD_ABS_LO12_NC = 277;
const R_AARCH64_CALL26 = 283;
const R_AARCH64_JUMP26 = 282;
const R_AARCH64_LDST64_ABS_LO12_NC = 286;

/** Known assembly: every fact asserted below is what `llvm-readelf -S -s -r` prints for it (LLVM 14). */
const SOURCE = `
  .text
  .globl main
  .p2align 4
  .type main,@function
main:
  adrp x0, data_obj
  add x0, x0, :lo12:data_obj
  bl ext_func
  b local_fn
  ldr x1, [x0, :lo12:data_obj+8]
  ret
  .size main, .-main
local_fn:
  ret
  .weak weak_fn
  .type weak_fn,@function
weak_fn:
  ret
  .globl hidden_fn
  .hidden hidden_fn
hidden_fn:
  b ext_func
  .data
  .p2align 3
  .globl data_obj
  .type data_obj,@object
data_obj:
  .quad main + 16
  .quad ext_data - 8
  .quad local_fn
  .size data_obj, 24
  .comm common_sym, 32, 16
  .local lcomm
  .comm lcomm, 8, 8
  .bss
  .globl zero_buf
zero_buf: .zero 64
`;

function symbolByName(obj: ElfObjectReader, name: string): ElfSymbol {
  const table = obj.symbolTable!;
  for (let i = 0; i < table.count; i++) if (table.name(i) === name) return table.symbol(i);
  throw new Error(`no symbol ${name}`);
}

describe('ElfObjectReader on a known AArch64 object', () => {
  let bytes: Uint8Array;
  let obj: ElfObjectReader;
  beforeAll(() => {
    bytes = assembleAArch64(SOURCE);
    obj = readElfObject(bytes, 'fixture.o');
  });

  it('decodes the header', () => {
    expect(obj.fileName).toBe('fixture.o');
    expect(obj.header.elfClass).toBe(ELFCLASS64);
    expect(obj.header.dataEncoding).toBe(ELFDATA2LSB);
    expect(obj.header.endianness).toBe('little');
    expect(obj.isLittleEndian).toBe(true);
    expect(obj.header.type).toBe(ET_REL);
    expect(obj.header.machine).toBe(EM_AARCH64);
    expect(obj.header.version).toBe(1);
    expect(obj.header.entry).toBe(0n);
    expect(obj.header.shnum).toBe(obj.sections.length);
    expect(obj.header.shstrndx).toBe(obj.sectionByName('.strtab')!.index);
    expect(isRelocatable(obj)).toBe(true);
    expect(() => expectRelocatable(obj)).not.toThrow();
  });

  it('decodes the section headers', () => {
    const s = (name: string) => obj.sectionByName(name)!;
    expect(obj.sections.map((x) => x.name)).toEqual(['', '.strtab', '.text', '.rela.text', '.data', '.rela.data', '.bss', '.symtab']);
    obj.sections.forEach((x, i) => expect(x.index).toBe(i));
    expect(obj.sections[0]!.type).toBe(SHT_NULL);
    expect(obj.sections[0]!.content).toBeUndefined();

    const text = s('.text');
    expect(text.type).toBe(SHT_PROGBITS);
    expect(text.flags).toBe(SHF_ALLOC | SHF_EXECINSTR);
    expect(text.addr).toBe(0n);
    expect(text.size).toBe(0x24n);
    expect(text.addralign).toBe(16n);
    expect(text.entsize).toBe(0n);
    // Instruction words: adrp x0 / add x0,x0 / bl / b / ldr x1,[x0] / ret (immediates zero, relocations pending).
    const words = new DataView(text.content!.buffer, text.content!.byteOffset, text.content!.byteLength);
    expect([0, 4, 8, 12, 16, 20].map((o) => words.getUint32(o, true).toString(16))).toEqual([
      '90000000',
      '91000000',
      '94000000',
      '14000003', // b local_fn: resolved by the assembler, no relocation
      'f9400001',
      'd65f03c0',
    ]);

    const relaText = s('.rela.text');
    expect(relaText.type).toBe(SHT_RELA);
    expect(relaText.flags).toBe(SHF_INFO_LINK);
    expect(relaText.link).toBe(s('.symtab').index);
    expect(relaText.info).toBe(text.index);
    expect(relaText.entsize).toBe(24n);
    expect(relaText.addralign).toBe(8n);

    const data = s('.data');
    expect(data.flags).toBe(SHF_ALLOC | SHF_WRITE);
    expect(data.size).toBe(24n);
    expect(data.addralign).toBe(8n);

    const bss = s('.bss');
    expect(bss.type).toBe(SHT_NOBITS);
    expect(bss.size).toBe(72n); // lcomm (8) + zero_buf (64)
    expect(bss.content).toBeUndefined();

    const symtab = s('.symtab');
    expect(symtab.type).toBe(SHT_SYMTAB);
    expect(symtab.entsize).toBe(24n);
    expect(symtab.link).toBe(s('.strtab').index);
    expect(s('.strtab').type).toBe(SHT_STRTAB);
  });

  it('exposes contents as views of the input, not copies', () => {
    for (const sec of obj.sections) {
      if (!sec.content) continue;
      expect(sec.content.buffer).toBe(bytes.buffer);
      expect(sec.content.byteOffset).toBe(bytes.byteOffset + Number(sec.offset));
      expect(sec.content.byteLength).toBe(Number(sec.size));
    }
  });

  it('decodes symbols: local, global, weak, hidden, undefined, common', () => {
    const table = obj.symbolTable!;
    expect(table.count).toBe(Number(table.section.size) / 24);
    expect(table.firstNonLocal).toBe(table.section.info);
    // Symbol 0 is the null symbol.
    expect(table.symbol(0)).toMatchObject({ name: '', value: 0n, size: 0n, shndx: SHN_UNDEF, placement: 'undefined' });
    // Locals come first.
    for (let i = 0; i < table.count; i++) expect(table.binding(i) === STB_LOCAL).toBe(i < table.firstNonLocal);

    const text = obj.sectionByName('.text')!.index;
    const bss = obj.sectionByName('.bss')!.index;
    expect(symbolByName(obj, 'main')).toMatchObject({
      type: STT_FUNC,
      binding: STB_GLOBAL,
      visibility: STV_DEFAULT,
      value: 0n,
      size: 24n,
      shndx: text,
      placement: 'section',
    });
    expect(symbolByName(obj, 'local_fn')).toMatchObject({ type: STT_NOTYPE, binding: STB_LOCAL, value: 0x18n, shndx: text });
    expect(symbolByName(obj, 'weak_fn')).toMatchObject({ type: STT_FUNC, binding: STB_WEAK, value: 0x1cn, shndx: text });
    expect(symbolByName(obj, 'hidden_fn')).toMatchObject({
      binding: STB_GLOBAL,
      visibility: STV_HIDDEN,
      other: STV_HIDDEN,
      value: 0x20n,
      shndx: text,
    });
    expect(symbolByName(obj, 'data_obj')).toMatchObject({ type: STT_OBJECT, size: 24n, shndx: obj.sectionByName('.data')!.index });
    expect(symbolByName(obj, 'ext_func')).toMatchObject({ binding: STB_GLOBAL, shndx: SHN_UNDEF, placement: 'undefined' });
    // COMMON: st_value is the alignment, st_shndx SHN_COMMON.
    expect(symbolByName(obj, 'common_sym')).toMatchObject({
      type: STT_OBJECT,
      binding: STB_GLOBAL,
      value: 16n,
      size: 32n,
      shndx: SHN_COMMON,
      placement: 'common',
    });
    // A local common is allocated in .bss by the assembler.
    expect(symbolByName(obj, 'lcomm')).toMatchObject({ type: STT_OBJECT, binding: STB_LOCAL, size: 8n, shndx: bss });
    expect(symbolByName(obj, 'zero_buf')).toMatchObject({ binding: STB_GLOBAL, value: 8n, shndx: bss });
    const placements = [...table].map((x) => x.placement);
    expect(placements.filter((p) => p === 'common')).toHaveLength(1);
    expect(table.isInSection(table.count - 1)).toBe(true);
  });

  it('decodes relocations with exact types, symbols, offsets and addends', () => {
    const table = obj.symbolTable!;
    const text = obj.sectionByName('.text')!;
    const data = obj.sectionByName('.data')!;
    expect(obj.relocationSections.map((r) => r.section.name)).toEqual(['.rela.text', '.rela.data']);
    const [relaText, relaData] = obj.relocationSections;
    expect(relaText!.target).toBe(text);
    expect(relaText!.symbolTable).toBe(table);
    expect(obj.relocationSectionsFor(text.index)).toEqual([relaText]);
    expect(obj.relocationSectionsFor(obj.sectionByName('.bss')!.index)).toEqual([]);

    const named = (r: NonNullable<typeof relaText>) =>
      [...r].map((e) => [Number(e.offset), e.type, table.name(e.symbolIndex), e.addend]);
    expect(named(relaText!)).toEqual([
      [0, R_AARCH64_ADR_PREL_PG_HI21, 'data_obj', 0n],
      [4, R_AARCH64_ADD_ABS_LO12_NC, 'data_obj', 0n],
      [8, R_AARCH64_CALL26, 'ext_func', 0n],
      [16, R_AARCH64_LDST64_ABS_LO12_NC, 'data_obj', 8n],
      [0x20, R_AARCH64_JUMP26, 'ext_func', 0n],
    ]);
    expect(relaData!.target).toBe(data);
    const dataRelocs = [...relaData!];
    expect(dataRelocs.map((e) => [Number(e.offset), e.type, e.addend])).toEqual([
      [0, R_AARCH64_ABS64, 16n],
      [8, R_AARCH64_ABS64, -8n],
      [16, R_AARCH64_ABS64, 0x18n],
    ]);
    expect(table.name(dataRelocs[0]!.symbolIndex)).toBe('main');
    expect(table.name(dataRelocs[1]!.symbolIndex)).toBe('ext_data');
    // A reference to a local label from another section goes through the section symbol of .text.
    const viaSection = table.symbol(dataRelocs[2]!.symbolIndex);
    expect(viaSection).toMatchObject({ type: STT_SECTION, name: '', shndx: text.index });
    // Indexed accessors agree with the objects.
    for (let i = 0; i < relaText!.count; i++) {
      expect(relaText!.relocation(i)).toEqual({
        index: i,
        offset: relaText!.offset(i),
        symbolIndex: relaText!.symbolIndex(i),
        type: relaText!.type(i),
        addend: relaText!.addend(i),
      });
    }
  });

  it('agrees with llvm-readelf on every section, symbol and relocation', () => {
    crossCheck(obj, bytes);
  });

  it('reads an object embedded at a non-zero offset of a larger buffer', () => {
    const backing = new Uint8Array(bytes.length + 13);
    backing.set(bytes, 5);
    const inner = backing.subarray(5, 5 + bytes.length);
    const again = readElfObject(inner, 'embedded.o');
    expect(again.sections.map((s) => [s.name, s.size])).toEqual(obj.sections.map((s) => [s.name, s.size]));
    expect([...again.symbolTable!].map((s) => [s.name, s.value, s.shndx])).toEqual(
      [...obj.symbolTable!].map((s) => [s.name, s.value, s.shndx]),
    );
    expect(again.sectionByName('.text')!.content!.byteOffset).toBe(5 + Number(again.sectionByName('.text')!.offset));
  });

  it('decodes a big-endian (aarch64_be) object exactly like its little-endian twin', () => {
    const be = assembleAArch64(SOURCE, { triple: 'aarch64_be-unknown-linux-gnu' });
    const beObj = readElfObject(be, 'fixture-be.o');
    expect(beObj.header.dataEncoding).toBe(ELFDATA2MSB);
    expect(beObj.header.endianness).toBe('big');
    expect(beObj.isLittleEndian).toBe(false);
    expect(beObj.header.machine).toBe(EM_AARCH64);
    const shape = (o: ElfObjectReader) => ({
      sections: o.sections.map(({ name, type, flags, size, link, info, addralign, entsize }) => ({
        name,
        type,
        flags,
        size,
        link,
        info,
        addralign,
        entsize,
      })),
      symbols: [...o.symbolTable!],
      relocations: o.relocationSections.map((r) => [r.section.name, r.target.name, [...r]]),
    });
    expect(shape(beObj)).toEqual(shape(obj));
    crossCheck(beObj, be);
  });

  it('reports e_type and lets expectRelocatable reject non-ET_REL files', () => {
    const exec = copy(bytes);
    poke(exec, 16, 2, ET_EXEC);
    const o = readElfObject(exec, 'exec.o');
    expect(o.header.type).toBe(ET_EXEC);
    expect(isRelocatable(o)).toBe(false);
    const e = expectMalformed(() => expectRelocatable(o));
    expect(e.field).toBe('e_type');
    expect(e.message).toBe('exec.o: Object is not a relocatable ELF file (e_type ET_EXEC)');
  });

  it("rejects a second SHT_SYMTAB with LLVM's message", () => {
    const twice = withSectionField(bytes, obj.sectionByName('.data')!.index, 'type', SHT_SYMTAB);
    const e = expectMalformed(() => readElfObject(twice, 'two-symtabs.o'));
    expect(e.field).toBe('sh_type');
    expect(e.file).toBe('two-symtabs.o');
    expect(e.message).toContain('Multiple SHT_SYMTAB sections in two-symtabs.o');
    expect(e.message).toContain("'.data'");
  });

  it('guards its accessors', () => {
    const table = obj.symbolTable!;
    expect(() => table.symbol(table.count)).toThrow(RangeError);
    expect(() => obj.relocationSections[0]!.relocation(-1)).toThrow(RangeError);
    const strtab = table.stringTable;
    expect(strtab.get(0)).toBe('');
    expect(strtab.contains(strtab.size)).toBe(false);
    const e = expectMalformed(() => strtab.get(strtab.size + 3));
    expect(e.field).toBe('string offset');
    expect(e.message).toContain('fixture.o');
    expect(obj.sectionNameTable!.sectionIndex).toBe(obj.header.shstrndx);
  });

  it('rejects a non-Uint8Array input with its own error', () => {
    const e = expectMalformed(() => readElfObject('not bytes' as unknown as Uint8Array, 'str.o'));
    expect(e.field).toBe('bytes');
    expect(e).toBeInstanceOf(MalformedObjectError);
  });
});

describe('ElfObjectReader on llc output', () => {
  it('agrees with llvm-readelf on a compiled module with rodata, data, bss, calls and a constant pool', () => {
    const ir = `
      @counter = global i64 0, align 8
      @table = constant [4 x i32] [i32 1, i32 2, i32 3, i32 4], align 16
      @ptrs = global [2 x i8*] [i8* bitcast (i64* @counter to i8*), i8* bitcast (i64 (i64)* @helper to i8*)], align 8
      @zeros = internal global [100 x i8] zeroinitializer, align 32
      @ext = external global i32
      declare i32 @puts(i8*)
      @msg = private unnamed_addr constant [6 x i8] c"hello\\00"
      define internal i64 @helper(i64 %x) { %y = mul i64 %x, 3  ret i64 %y }
      define weak i32 @weakfn() { ret i32 7 }
      define hidden double @fp(double %a) { %b = fmul double %a, 1.234567e10  ret double %b }
      define i32 @main() {
        %c = load i64, i64* @counter
        %h = call i64 @helper(i64 %c)
        store i64 %h, i64* @counter
        %p = getelementptr [4 x i32], [4 x i32]* @table, i64 0, i64 2
        %t = load i32, i32* %p
        %e = load i32, i32* @ext
        %s = add i32 %t, %e
        %z = getelementptr [100 x i8], [100 x i8]* @zeros, i64 0, i64 5
        store i8 1, i8* %z
        %m = getelementptr [6 x i8], [6 x i8]* @msg, i64 0, i64 0
        %r = call i32 @puts(i8* %m)
        %w = call i32 @weakfn()
        %q = add i32 %s, %w
        ret i32 %q
      }`;
    for (const model of ['-relocation-model=static', '-relocation-model=pic']) {
      const o = compileIRToAArch64(ir, [model]);
      const obj = readElfObject(o, 'llc.o');
      crossCheck(obj, o);
      expect(obj.relocationSections.length).toBeGreaterThan(0);
      expect(symbolNames(obj)).toEqual(expect.arrayContaining(['main', 'helper', 'weakfn', 'fp', 'counter', 'table', 'ptrs', 'ext', 'puts']));
    }
  });
});

function symbolNames(obj: ElfObjectReader): string[] {
  return [...obj.symbolTable!].map((s) => s.name);
}

/** Compares every decoded section, symbol and relocation of `obj` with llvm-readelf's report on `bytes`. */
function crossCheck(obj: ElfObjectReader, bytes: Uint8Array): void {
  const report = readelf(bytes);
  expect(obj.sections.map((s) => ({
    index: s.index,
    name: s.name,
    nameOffset: s.nameOffset,
    type: s.type,
    flags: s.flags,
    address: s.addr,
    offset: s.offset,
    size: s.size,
    link: s.link,
    info: s.info,
    alignment: s.addralign,
    entrySize: s.entsize,
  }))).toEqual(report.sections);
  expect([...obj.symbolTable!].map((s) => ({
    // llvm-readelf prints an unnamed section symbol with its section's name.
    name: s.type === STT_SECTION && s.name === '' ? obj.sections[s.shndx]!.name : s.name,
    nameOffset: s.nameOffset,
    value: s.value,
    size: s.size,
    binding: s.binding,
    type: s.type,
    other: s.other,
    section: s.shndx,
  }))).toEqual(report.symbols);
  expect(obj.relocationSections.flatMap((r) => [...r].map((e) => ({
    section: r.section.index,
    offset: e.offset,
    type: e.type,
    symbolIndex: e.symbolIndex,
    addend: e.addend,
  })))).toEqual(report.relocations);
}
