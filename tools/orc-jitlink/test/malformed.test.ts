/**
 * Malformed and foreign objects.
 *
 * Through the tool: truncated files, offsets and indices out of range, a wrong machine, a wrong class, a wrong
 * byte order, objects that are not ET_REL, unknown relocation types, relocations that patch bytes outside their
 * section. Each must exit 1 with one line naming the file (or its graph, which is named after the file) and the
 * field or relocation at fault.
 *
 * Through the API (ExecutionSession + ObjectLinkingLayer + memory-only executor): after objects fail in every
 * phase (reading, graph building, fixups), the session still links good objects, the memory of code linked earlier
 * is unchanged, and a failed link gives its memory back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionSession, FailedToMaterialize, JITSymbolFlags, absoluteSymbols } from '@orc-ts/core';
import {
  ElfObjectFormat,
  ExecutorJITLinkMemoryManager,
  JITLinkError,
  LinkTargetRegistry,
  MalformedObjectError,
  MemoryOnlyExecutorProcessControl,
  ObjectLinkingLayer,
  readElfObject,
} from '@orc-ts/object-linking-layer';
import { AArch64LinkTarget, FixupError } from '@orc-ts/target-aarch64';
import { assembleAArch64 } from '@orc-ts/test-support';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'orc-jitlink-malformed-'));

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// A small valid object: ADRP+LDR and a call in .text, an ABS64 in .data.
//   sections: [1] .strtab [2] .text (0x14 bytes) [3] .rela.text (3 entries) [4] .data (8) [5] .rela.data (1) [6] .symtab
//   symbols:  0 null, 1 $x.0, 2 $d.1, 3 main, 4 counter, 5 helper
const GOOD_SOURCE = `
  .text
  .globl main
  .p2align 2
main:
  adrp x0, counter
  ldr x1, [x0, :lo12:counter]
  bl helper
  ret
  .globl helper
helper:
  ret
  .data
  .globl counter
  .p2align 3
counter:
  .quad main
`;
const good = assembleAArch64(GOOD_SOURCE);
const layout = readElfObject(good, 'good.o');
const sectionIndex = (name: string): number => layout.sections.find((s) => s.name === name)!.index;
const sectionOffset = (name: string): number => Number(layout.sections.find((s) => s.name === name)!.offset);
const SHOFF = Number(layout.header.shoff);
/** File offset of a field of a section header. */
const shdr = (section: string, field: number): number => SHOFF + 64 * sectionIndex(section) + field;
const SH_NAME = 0x00;
const SH_TYPE = 0x04;
const SH_ADDR = 0x10;
const SH_OFFSET = 0x18;
const SH_SIZE = 0x20;
const SH_LINK = 0x28;
const SH_INFO = 0x2c;
const SH_ADDRALIGN = 0x30;
const SH_ENTSIZE = 0x38;
const sym = (index: number, field: number): number => sectionOffset('.symtab') + 24 * index + field;
const rela = (section: string, index: number, field: number): number => sectionOffset(section) + 24 * index + field;

/** A copy of the good object with `edit` applied (through a little-endian DataView). */
function patched(edit: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = good.slice();
  edit(new DataView(b.buffer), b);
  return b;
}

describe('malformed objects through orc-jitlink', () => {
  it('the unmodified object links (the cases below differ from it in one field)', async () => {
    expect(layout.sections.map((s) => s.name)).toEqual(['', '.strtab', '.text', '.rela.text', '.data', '.rela.data', '.symtab']);
    const r = await run(['-noexec', file('good.o', good)]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  const cases: Array<[name: string, bytes: () => Uint8Array | string, message: string]> = [
    // Not an ELF object, or truncated.
    ['empty', () => new Uint8Array(0), 'empty.o: file is 0 bytes, too small for e_ident (16 bytes)'],
    ['text', () => 'not an object file at all, but long enough to hold an ELF header, which it does not...\n', "text.o: e_ident[EI_MAG0..EI_MAG3] is 6e 6f 74 20, not the ELF magic 7f 45 4c 46"],
    ['truncated-ident', () => good.slice(0, 10), 'truncated-ident.o: file is 10 bytes, too small for e_ident (16 bytes)'],
    ['truncated-header', () => good.slice(0, 40), 'truncated-header.o: file is 40 bytes, too small for the 64-byte ELF64 header (Elf64_Ehdr)'],
    [
      'truncated-section-headers',
      () => good.slice(0, good.length - 10),
      `truncated-section-headers.o: e_shnum 7: 7 section headers at e_shoff 0x${SHOFF.toString(16)} do not fit in the ${good.length - 10}-byte file`,
    ],
    [
      'truncated-contents',
      () => good.slice(0, 0x48),
      `truncated-contents.o: e_shoff 0x${SHOFF.toString(16)} puts the section header table past the end of the 72-byte file`,
    ],
    // Header fields.
    ['elf32', () => patched((_v, b) => void (b[4] = 1)), 'elf32.o: EI_CLASS 1 (ELFCLASS32) is not supported: only ELFCLASS64 objects can be linked'],
    ['bad-class', () => patched((_v, b) => void (b[4] = 7)), 'bad-class.o: EI_CLASS 7 is not a valid ELF class'],
    ['ei-version', () => patched((_v, b) => void (b[6] = 9)), 'ei-version.o: EI_VERSION 9 is not EV_CURRENT (1)'],
    ['et-exec', () => patched((v) => v.setUint16(16, 2, true)), 'et-exec.o: Object is not a relocatable ELF file (e_type ET_EXEC)'],
    ['et-dyn', () => patched((v) => v.setUint16(16, 3, true)), 'et-dyn.o: Object is not a relocatable ELF file (e_type ET_DYN)'],
    ['x86-64-machine', () => patched((v) => v.setUint16(18, 62, true)), 'x86-64-machine.o: unsupported ELF machine 62 (e_machine); no link target is registered for it'],
    [
      'e-shoff',
      () => patched((v) => v.setBigUint64(0x28, 0x100000n, true)),
      `e-shoff.o: e_shoff 0x100000 puts the section header table past the end of the ${good.length}-byte file`,
    ],
    [
      'e-shnum',
      () => patched((v) => v.setUint16(0x3c, 200, true)),
      `e-shnum.o: e_shnum 200: 200 section headers at e_shoff 0x${SHOFF.toString(16)} do not fit in the ${good.length}-byte file`,
    ],
    ['e-shstrndx', () => patched((v) => v.setUint16(0x3e, 50, true)), 'e-shstrndx.o: e_shstrndx 50 is not a valid section index (e_shnum 7)'],
    ['e-shentsize', () => patched((v) => v.setUint16(0x3a, 40, true)), 'e-shentsize.o: e_shentsize 40 is not 64 (sizeof(Elf64_Shdr))'],
    // Section header fields.
    [
      'sh-offset',
      () => patched((v) => v.setBigUint64(shdr('.text', SH_OFFSET), 0x10000n, true)),
      `sh-offset.o: section [2] '.text': sh_offset 0x10000 is past the end of the ${good.length}-byte file`,
    ],
    [
      'sh-size',
      () => patched((v) => v.setBigUint64(shdr('.text', SH_SIZE), 0x10000n, true)),
      `sh-size.o: section [2] '.text': sh_offset 0x40 + sh_size 0x10000 runs past the end of the ${good.length}-byte file`,
    ],
    ['sh-name', () => patched((v) => v.setUint32(shdr('.text', SH_NAME), 0x9999, true)), 'sh-name.o: section [2]: sh_name 0x9999 is past the end of string table [1] (size 0x45)'],
    ['sh-addralign', () => patched((v) => v.setBigUint64(shdr('.text', SH_ADDRALIGN), 3n, true)), "sh-addralign.o: section [2] '.text': sh_addralign 0x3 is not 0 or a power of two"],
    ['rela-sh-link', () => patched((v) => v.setUint32(shdr('.rela.text', SH_LINK), 99, true)), "rela-sh-link.o: section [3] '.rela.text': sh_link 99 is not a valid section index (e_shnum 7)"],
    ['rela-sh-info', () => patched((v) => v.setUint32(shdr('.rela.text', SH_INFO), 99, true)), "rela-sh-info.o: section [3] '.rela.text': sh_info 99 is not a valid section index (e_shnum 7)"],
    [
      'rela-sh-entsize',
      () => patched((v) => v.setBigUint64(shdr('.rela.text', SH_ENTSIZE), 16n, true)),
      "rela-sh-entsize.o: section [3] '.rela.text': sh_entsize 16 is not 24 (sizeof(Elf64_Rela))",
    ],
    ['symtab-sh-link', () => patched((v) => v.setUint32(shdr('.symtab', SH_LINK), 99, true)), "symtab-sh-link.o: section [6] '.symtab': sh_link 99 is not a valid section index (e_shnum 7)"],
    // Symbols.
    [
      'st-name',
      () => patched((v) => v.setUint32(sym(3, 0), 0x9999, true)),
      "st-name.o: section [6] '.symtab': entry 3: st_name 0x9999 is past the end of string table [1] (size 0x45)",
    ],
    ['st-shndx', () => patched((v) => v.setUint16(sym(3, 6), 77, true)), "st-shndx.o: section [6] '.symtab': entry 3: st_shndx 77 is not a valid section index (e_shnum 7)"],
    [
      'st-value',
      () => patched((v) => v.setBigUint64(sym(5, 8), 0x100n, true)),
      "st-value.o: section [6] '.symtab': entry 5: symbol 5 'helper' at offset 0x100 with size 0x0 extends 0xec bytes past the end of its containing block (section '.text', size 0x14)",
    ],
    // Relocations.
    [
      'r-offset',
      () => patched((v) => v.setBigUint64(rela('.rela.text', 1, 0), 0x100n, true)),
      "r-offset.o: section [3] '.rela.text': entry 1: r_offset 0x100 is outside target section [2] '.text' (sh_size 0x14)",
    ],
    [
      'r-info-symbol',
      () => patched((v) => v.setUint32(rela('.rela.text', 2, 12), 60, true)),
      "r-info-symbol.o: section [3] '.rela.text': entry 2: r_info symbol index 60 is out of range (symbol table [6] '.symtab' has 6 entries)",
    ],
    [
      'r-info-type',
      () => patched((v) => v.setUint32(rela('.rela.text', 2, 8), 1000, true)),
      'In graph r-info-type.o, section .text: Unsupported aarch64 relocation:1000: Unknown',
    ],
    [
      'r-info-type-huge',
      () => patched((v) => v.setUint32(rela('.rela.data', 0, 8), 0xffffffff, true)),
      'In graph r-info-type-huge.o, section .data: Unsupported aarch64 relocation:4294967295: Unknown',
    ],
    // The ABS64 moved to offset 4 of the 8-byte .data: r_offset is inside the section, the 8 bytes it patches are not.
    [
      'fixup-past-section-end',
      () => patched((v) => v.setBigUint64(rela('.rela.data', 0, 0), 4n, true)),
      'In graph fixup-past-section-end.o, section .data: relocation 0 of .rela.data patches 8 bytes at offset 4, past the end of the section (size 8)',
    ],
    [
      'fixup-in-zero-fill',
      () => patched((v) => v.setUint32(shdr('.data', SH_TYPE), 8 /* SHT_NOBITS */, true)),
      'In graph fixup-in-zero-fill.o, section .data: relocation 0 of .rela.data patches 8 bytes at offset 0 of a zero-fill section',
    ],
  ];

  for (const [name, bytes, message] of cases) {
    it(`${name}: ${message}`, async () => {
      const r = await run(['-noexec', file(`${name}.o`, bytes())]);
      expect(r.err).toBe(`orc-jitlink error: ${message}\n`);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
    });
  }

  it('rejects real foreign objects: x86-64, 32-bit ARM, big-endian AArch64', async () => {
    const x86 = file('x86.o', assembleAArch64('  .text\n  .globl main\nmain:\n  retq\n', { triple: 'x86_64-linux-gnu' }));
    expect((await run(['-noexec', x86])).err).toBe('orc-jitlink error: x86.o: unsupported ELF machine 62 (e_machine); no link target is registered for it\n');
    const arm = file('arm32.o', assembleAArch64('  .text\n  .globl main\nmain:\n  bx lr\n', { triple: 'armv7-linux-gnueabi' }));
    expect((await run(['-noexec', arm])).err).toBe('orc-jitlink error: arm32.o: EI_CLASS 1 (ELFCLASS32) is not supported: only ELFCLASS64 objects can be linked\n');
    const be = file('be.o', assembleAArch64(GOOD_SOURCE, { triple: 'aarch64_be-linux-gnu' }));
    expect((await run(['-noexec', be])).err).toBe(
      'orc-jitlink error: be.o: big-endian objects are not supported by the aarch64 target (EI_DATA); it links little-endian code only\n',
    );
  });

  it('reports a relocation against symbol index 0 (LLVM 14 emits one for a .reloc to an otherwise unused symbol)', async () => {
    const src = file('index0.s', '  .text\n  .globl main\nmain:\n  .reloc ., R_AARCH64_CALL26, nowhere\n  nop\n');
    const r = await run(['-noexec', src]);
    expect(r.err).toBe(
      "orc-jitlink error: index0.o: section '.rela.text' relocation 0: Could not find symbol at given index, did you add it to JITSymbolTable? index: 0, shndx: 0 Size of table: 3\n",
    );
    expect(r.code).toBe(1);
  });

  it('names the symbol whose common alignment (st_value) is not a power of two', async () => {
    const common = assembleAArch64('  .text\n  .globl main\nmain:\n  ret\n  .comm buffer, 16, 8\n');
    const obj = readElfObject(common, 'common.o');
    const symtab = obj.symbolTable!;
    const index = Array.from(symtab).find((s) => s.name === 'buffer')!.index;
    const bytes = common.slice();
    new DataView(bytes.buffer).setBigUint64(Number(symtab.section.offset) + 24 * index + 8, 12n, true);
    const r = await run(['-noexec', file('common.o', bytes)]);
    expect(r.err).toBe(
      `orc-jitlink error: common.o: section [${symtab.section.index}] '.symtab': entry ${index}: common symbol ${index} 'buffer' has alignment (st_value) 0xc, which is not a power of two\n`,
    );
    expect(r.code).toBe(1);
  });

  it('refuses a block alignment above the page size, and honours it with larger pages', async () => {
    const src = file('big-align.s', '  .text\n  .globl main\nmain:\n  ret\n  .data\n  .p2align 13\n  .globl aligned\naligned:\n  .quad 1\n');
    // The slab base is 4 KiB but not 8 KiB aligned: honouring the alignment would need more than a page.
    const small = await run(['-noexec', '-slab-allocate', '64Kb', '-slab-address', '0x10001000', src]);
    expect(small.err).toBe('orc-jitlink error: In graph big-align.o, section .data: block alignment 8192 is higher than the page size 4096\n');
    expect(small.code).toBe(1);
    const big = await run(['-noexec', '-slab-allocate', '64Kb', '-slab-address', '0x10004000', '-slab-page-size', '16384', '-show-addrs', src]);
    expect(big.err).toBe('');
    expect(big.out).toContain('0x0000000010004000  aligned (.data');
  });

  it('links a relocatable object whose sections have non-zero sh_addr (r_offset and st_value are section offsets)', async () => {
    const moved = patched((v) => {
      v.setBigUint64(shdr('.text', SH_ADDR), 0x1000n, true);
      v.setBigUint64(shdr('.data', SH_ADDR), 0x2000n, true);
    });
    const checks = file(
      'moved.checks',
      [
        '# jitlink-check: *{8}counter = main',
        '# jitlink-check: decode_operand(main, 1) = counter[63:12] - main[63:12]',
        '# jitlink-check: decode_operand(main + 4, 2) = counter[11:3]',
        '# jitlink-check: decode_operand(main + 8, 0) = (helper - main - 8)[27:2]',
        '# jitlink-check: helper = main + 16',
        '',
      ].join('\n'),
    );
    const r = await run(['-noexec', '-check', checks, file('moved.o', moved)]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('malformed objects through the API: the session survives', () => {
  function createSession(): {
    es: ExecutionSession;
    epc: MemoryOnlyExecutorProcessControl;
    layer: ObjectLinkingLayer;
    errors: unknown[];
  } {
    const epc = new MemoryOnlyExecutorProcessControl({ slabAddress: 0x20000000n, slabSize: 0x100000n });
    const errors: unknown[] = [];
    const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => errors.push(e) });
    const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), new LinkTargetRegistry([new AArch64LinkTarget()]), new ElfObjectFormat());
    return { es, epc, layer, errors };
  }

  it('links good objects after failures in every phase, leaving earlier code untouched and releasing failed memory', async () => {
    const { es, epc, layer, errors } = createSession();
    const jd = es.createJITDylib('main');

    // 1. A good object, linked and snapshotted.
    layer.add(jd, good, 'good.o');
    const first = await es.lookup(jd, ['main', 'helper', 'counter']);
    const mainAddr = first.get('main')!.address;
    const counterAddr = first.get('counter')!.address;
    const codeBefore = epc.read(mainAddr, 0x14);
    const dataBefore = epc.read(counterAddr, 8);
    expect(new DataView(dataBefore.buffer).getBigUint64(0, true)).toBe(mainAddr);
    const reserved = epc.reservedBytes;

    // 2. Unreadable bytes: rejected when added (the interface is read up front), nothing defined.
    expect(() => layer.add(jd, good.slice(0, 100), 'truncated.o')).toThrow(MalformedObjectError);
    expect(() => layer.add(jd, patched((v) => v.setUint16(16, 2, true)), 'exec.o')).toThrow(/exec\.o: Object is not a relocatable ELF file \(e_type ET_EXEC\)/);

    // 3. Failures while building the graph (wrong machine, unknown relocation) and while fixing up (out of range):
    //    each in its own JITDylib, each reported with its typed cause, each lookup failing.
    const failing: Array<[string, Uint8Array, new (...args: never[]) => Error, RegExp]> = [
      ['x86.o', patched((v) => v.setUint16(18, 62, true)), MalformedObjectError, /^x86\.o: unsupported ELF machine 62 \(e_machine\)/],
      ['reloc.o', patched((v) => v.setUint32(rela('.rela.text', 0, 8), 1000, true)), JITLinkError, /^In graph reloc\.o, section \.text: Unsupported aarch64 relocation:1000: Unknown$/],
      [
        'range.o',
        assembleAArch64('  .text\n  .globl far_page\nfar_page:\n  adrp x0, far_page + 0x100000000\n'),
        FixupError,
        /^In graph range\.o, section \.text: relocation target 0x[0-9a-f]+ \(far_page:0x[0-9a-f]+ \+ 0x100000000\) is out of range of Page21 fixup/,
      ],
    ];
    for (const [name, bytes, type, message] of failing) {
      const bad = es.createJITDylib(`bad ${name}`);
      layer.add(bad, bytes, name);
      const reported = errors.length;
      await expect(es.lookup(bad, Array.from(bad.getSymbolNames()))).rejects.toBeInstanceOf(FailedToMaterialize);
      const cause = errors.slice(reported).find((e) => e instanceof type) as Error | undefined;
      expect(cause, `${name}: ${errors.slice(reported).map(String).join('; ')}`).toBeDefined();
      expect(cause!.message).toMatch(message);
      // A link that failed after allocation gave its memory back.
      expect(epc.reservedBytes).toBe(reserved);
    }

    // 4. A later good object in the same JITDylib links, calling into the first one.
    const later = assembleAArch64(`
  .text
  .globl later
  .p2align 2
later:
  bl helper
  adrp x0, counter
  ldr x0, [x0, :lo12:counter]
  ret
  .data
  .globl later_ptr
  .p2align 3
later_ptr:
  .quad main
`);
    layer.add(jd, later, 'later.o');
    const second = await es.lookup(jd, ['later', 'later_ptr']);
    expect(new DataView(epc.read(second.get('later_ptr')!.address, 8).buffer).getBigUint64(0, true)).toBe(mainAddr);
    const laterCall = new DataView(epc.read(second.get('later')!.address, 4).buffer).getUint32(0, true);
    expect(laterCall >>> 26).toBe(0x25); // BL
    expect(BigInt.asIntN(26, BigInt(laterCall & 0x3ffffff)) * 4n).toBe(first.get('helper')!.address - second.get('later')!.address);

    // 5. The first object's memory is unchanged.
    expect(epc.read(mainAddr, 0x14)).toEqual(codeBefore);
    expect(epc.read(counterAddr, 8)).toEqual(dataBefore);

    // No error escaped untyped.
    for (const e of errors) expect(e instanceof MalformedObjectError || e instanceof JITLinkError || e instanceof FixupError || e instanceof FailedToMaterialize, String(e)).toBe(true);
    await es.endSession();
  });

  it('keeps a JITDylib usable after one of its objects failed to link', async () => {
    const { es, layer, epc } = createSession();
    const jd = es.createJITDylib('main');
    jd.define(absoluteSymbols(new Map([['far_away', { address: 0x7f0000000000n, flags: JITSymbolFlags.Exported }]])));
    // ADRP to an address 127 TiB away: a Page21 fixup out of range.
    layer.add(jd, assembleAArch64('  .text\n  .globl bad_fn\nbad_fn:\n  adrp x0, far_away\n  ret\n'), 'bad.o');
    await expect(es.lookup(jd, 'bad_fn')).rejects.toBeInstanceOf(FailedToMaterialize);
    expect(epc.reservedBytes).toBe(0n);
    layer.add(jd, good, 'good.o');
    const syms = await es.lookup(jd, ['main', 'counter']);
    expect(new DataView(epc.read(syms.get('counter')!.address, 8).buffer).getBigUint64(0, true)).toBe(syms.get('main')!.address);
    await es.endSession();
  });
});
