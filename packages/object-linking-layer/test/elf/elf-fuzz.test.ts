/**
 * Seeded fuzzing of the ELF reader: thousands of deterministic mutations and truncations of real objects. Each
 * case must either read successfully (and then every accessor must work) or throw MalformedObjectError; any
 * other exception, an internal-error report, or a hang fails the test.
 */
import { assembleAArch64, compileIRToAArch64, Rng } from '@orc-ts/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  INTERNAL_READER_ERROR_FIELD,
  MalformedObjectError,
  SHN_XINDEX,
  SHT_SYMTAB_SHNDX,
  readElfObject,
  type ElfObjectReader,
} from '../../src/index.js';
import { poke, withSectionField } from './elf-test-utils.js';


interface Fixture {
  name: string;
  bytes: Uint8Array;
  /** File ranges worth mutating more often: headers, section header table, symbol and relocation tables. */
  hot: [number, number][];
}

function fixture(name: string, bytes: Uint8Array): Fixture {
  const obj = readElfObject(bytes, name);
  const shoff = Number(obj.header.shoff);
  const hot: [number, number][] = [
    [0, 64],
    [shoff, shoff + 64 * obj.header.shnum],
  ];
  for (const s of obj.sections) {
    if (s.content && (s.type === 2 || s.type === 4 || s.type === 3 || s.type === SHT_SYMTAB_SHNDX)) {
      hot.push([Number(s.offset), Number(s.offset + s.size)]);
    }
  }
  return { name, bytes, hot };
}

/** Walks everything a reader exposes, so lazily decoded data is exercised too. */
function touchEverything(obj: ElfObjectReader): number {
  let acc = 0;
  for (const s of obj.sections) {
    acc += s.name.length + (s.content?.length ?? 0);
    acc += obj.relocationSectionsFor(s.index).length;
  }
  const t = obj.symbolTable;
  if (t) {
    for (const sym of t) acc += sym.name.length + Number(sym.value & 0xffn) + Number(sym.size & 0xffn) + sym.shndx;
  }
  for (const r of obj.relocationSections) {
    for (const e of r) acc += Number(e.offset & 0xffn) + Number(e.addend & 0xffn) + e.type + (t ? t.name(e.symbolIndex).length : 0);
  }
  return acc;
}

const INTERESTING = [
  0n,
  1n,
  2n,
  3n,
  4n,
  8n,
  16n,
  24n,
  63n,
  64n,
  0x7fn,
  0xffn,
  0xff00n,
  0xfff1n,
  0xfff2n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  1n << 53n,
  (1n << 53n) + 1n,
  0x7fffffffffffffffn,
  0xffffffffffffffffn,
];

/** One random mutation of `f`: returns the mutated bytes and a label for failure messages. */
function mutate(f: Fixture, rng: Rng): { bytes: Uint8Array; label: string } {
  const size = f.bytes.length;
  const kind = rng.below(6);
  if (kind === 0) {
    // Truncate.
    const len = rng.below(size);
    return { bytes: f.bytes.slice(0, len), label: `truncate to ${len}` };
  }
  const out = new Uint8Array(f.bytes);
  if (kind === 1) {
    // Random bytes anywhere.
    const n = 1 + rng.below(8);
    const at: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = rng.below(size);
      out[p] = rng.below(256);
      at.push(p);
    }
    return { bytes: out, label: `random bytes at ${at.join(',')}` };
  }
  // Interesting value of a random width at a random (mostly aligned) position in a hot range.
  const [lo, hi] = rng.pick(f.hot);
  const width = rng.pick([1, 2, 4, 8] as const);
  if (hi - lo < width) return { bytes: out, label: 'unchanged' };
  let p = lo + rng.below(hi - lo - width + 1);
  if (rng.below(4) !== 0) p -= (p - lo) % width;
  let value = rng.below(3) === 0 ? BigInt(rng.next()) : rng.pick(INTERESTING);
  if (rng.below(5) === 0) value = BigInt(size + rng.below(64) - 32);
  value &= (1n << BigInt(width * 8)) - 1n;
  poke(out, p, width, value);
  if (kind === 5) {
    // Mutate and truncate.
    const len = rng.below(size);
    return { bytes: out.slice(0, len), label: `${width}-byte ${value} at ${p}, truncate to ${len}` };
  }
  return { bytes: out, label: `${width}-byte ${value} at ${p}` };
}

describe('seeded fuzzing', () => {
  let fixtures: Fixture[];
  beforeAll(() => {
    const asm = `
      .text
      .globl main
      .p2align 4
      .type main,@function
    main:
      adrp x0, data_obj
      add x0, x0, :lo12:data_obj
      bl ext_func
      ldr x1, [x0, :lo12:data_obj+8]
      ret
      .weak weak_fn
    weak_fn: ret
      .globl hidden_fn
      .hidden hidden_fn
    hidden_fn: b ext_func
      .data
      .globl data_obj
    data_obj:
      .quad main + 16
      .quad ext_data - 8
      .comm common_sym, 32, 16
      .bss
    zero_buf: .zero 64
      .section .xidx,"",@progbits
      .fill 32, 4, 0
    `;
    const little = assembleAArch64(asm);
    const big = assembleAArch64(asm, { triple: 'aarch64_be-unknown-linux-gnu' });
    // A variant with a live SHT_SYMTAB_SHNDX table and one SHN_XINDEX symbol.
    const base = readElfObject(little, 'base.o');
    const xidx = base.sectionByName('.xidx')!;
    const table = base.symbolTable!;
    let x = withSectionField(little, xidx.index, 'type', SHT_SYMTAB_SHNDX);
    x = withSectionField(x, xidx.index, 'link', table.section.index);
    x = withSectionField(x, xidx.index, 'entsize', 4);
    x = withSectionField(x, xidx.index, 'size', table.count * 4);
    const main = [...table].find((s) => s.name === 'main')!;
    poke(x, Number(table.section.offset) + main.index * 24 + 6, 2, SHN_XINDEX);
    poke(x, Number(xidx.offset) + main.index * 4, 4, main.shndx);
    const llc = compileIRToAArch64(
      `@g = global i32 5
       declare void @ext(i32)
       define void @f(i32 %a) { %v = load i32, i32* @g  %s = add i32 %v, %a  call void @ext(i32 %s)  ret void }`,
    );
    fixtures = [fixture('le.o', little), fixture('be.o', big), fixture('xindex.o', x), fixture('llc.o', llc)];
  });

  it('never throws anything but MalformedObjectError, never reports an internal error, never hangs', () => {
    const rng = new Rng(0x5eed_e1f0);
    const CASES = 12_000;
    let accepted = 0;
    const fields = new Map<string, number>();
    const started = performance.now();
    let slowest = 0;
    for (let n = 0; n < CASES; n++) {
      const f = fixtures[n % fixtures.length]!;
      const { bytes, label } = mutate(f, rng);
      const t0 = performance.now();
      let obj: ElfObjectReader | undefined;
      try {
        obj = readElfObject(bytes, f.name);
      } catch (e) {
        if (!(e instanceof MalformedObjectError)) {
          throw new Error(`case ${n} (${f.name}, ${label}) threw ${String(e)}`, { cause: e });
        }
        if (e.field === INTERNAL_READER_ERROR_FIELD) throw new Error(`case ${n} (${f.name}, ${label}): ${e.message}`);
        expect(e.file).toBe(f.name);
        expect(e.message).toContain(f.name);
        fields.set(e.field, (fields.get(e.field) ?? 0) + 1);
      }
      if (obj !== undefined) {
        // Accepted: every accessor must now work, without any exception at all.
        try {
          touchEverything(obj);
        } catch (e) {
          throw new Error(`case ${n} (${f.name}, ${label}) was accepted but an accessor threw ${String(e)}`, { cause: e });
        }
        accepted++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    const elapsed = performance.now() - started;
    // Both outcomes happen, and the rejections spread over many different fields.
    expect(accepted).toBeGreaterThan(CASES / 20);
    expect(CASES - accepted).toBeGreaterThan(CASES / 5);
    expect(fields.size).toBeGreaterThanOrEqual(15);
    // No case takes long (a declared huge count must not be looped over); generous bounds so a loaded machine
    // does not flake: a typical run takes ~1 s in all, and no case more than a few ms.
    expect(slowest).toBeLessThan(500);
    expect(elapsed).toBeLessThan(20_000);
  });
});
