/**
 * Whole-linker fuzzing: seeded random mutations of real objects (llvm-mc output of the relocation tests, llc
 * output of a two-object program) are linked in-process through the ObjectLinkingLayer with the memory-only
 * executor, one JITDylib per case, removed afterwards.
 *
 * Every case must end in success or a typed error: the layer may refuse the bytes (MalformedObjectError), the
 * link may fail (the session reports MalformedObjectError, JITLinkError, FixupError, AArch64RelocationError or
 * another OrcError, and the lookup rejects with an OrcError) - but no TypeError/RangeError/... may escape, no
 * reader may report an internal error, and no lookup may be left pending (a hang). Afterwards the session still
 * links a good object, and no executor memory is left reserved by failed or removed links.
 *
 * The mutations aim past the ELF reader (which has its own fuzz test) at the graph builder, the relocation
 * mapping, the GOT/PLT and relaxation passes, layout and fixups: relocation types swapped for other supported
 * ones, symbol indices, addends and offsets changed, instructions overwritten, symbol fields changed, plus plain
 * bit flips and truncations.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ExecutionSession,
  FailedToMaterialize,
  JITSymbolFlags,
  OrcError,
  absoluteSymbols,
  type DefinitionGenerator,
  type JITDylib,
  type SymbolLookupSet,
  type SymbolMap,
} from '@orc-ts/core';
import {
  ElfObjectFormat,
  ExecutorJITLinkMemoryManager,
  INTERNAL_READER_ERROR_FIELD,
  JITLinkError,
  LinkTargetRegistry,
  MalformedObjectError,
  MemoryOnlyExecutorProcessControl,
  ObjectLinkingLayer,
  SHT_PROGBITS,
  SHT_RELA,
  SHT_SYMTAB,
  readElfObject,
} from '@orc-ts/object-linking-layer';
import { AARCH64_SUPPORTED_RELOCATIONS, AArch64LinkTarget, AArch64RelocationError, FixupError } from '@orc-ts/target-aarch64';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleFile, compileIRFile } from '../src/index.js';
import { LIB_LL, MAIN_LL, programIR } from './support/llc-program.js';
import { Rng } from '@orc-ts/test-support';

const SEED = 0x0c0ffee5;
const CASES = 3000;
const SLAB_BASE = 0x1000_0000n; // below 4 GiB: abs-prel.o stores addresses with ABS32
/** Plenty for one graph at a time (each case's JITDylib is removed), small enough that huge zero-fill fails. */
const SLAB_SIZE = 0x1000_0000n;


interface Table {
  offset: number;
  count: number;
}

interface Fixture {
  name: string;
  bytes: Uint8Array;
  header: [number, number];
  sectionHeaders: [number, number];
  symtab: Table;
  relas: Table[];
  /** Content ranges of SHT_PROGBITS sections (code and data). */
  contents: Array<[number, number]>;
}

function fixture(name: string, bytes: Uint8Array): Fixture {
  const obj = readElfObject(bytes, name);
  const shoff = Number(obj.header.shoff);
  const symtab = obj.sections.find((s) => s.type === SHT_SYMTAB)!;
  return {
    name,
    bytes,
    header: [0, 64],
    sectionHeaders: [shoff, shoff + 64 * obj.sections.length],
    symtab: { offset: Number(symtab.offset), count: Number(symtab.size) / 24 },
    relas: obj.sections.filter((s) => s.type === SHT_RELA && s.size > 0n).map((s) => ({ offset: Number(s.offset), count: Number(s.size) / 24 })),
    contents: obj.sections.filter((s) => s.type === SHT_PROGBITS && s.size >= 4n).map((s) => [Number(s.offset), Number(s.offset + s.size)] as [number, number]),
  };
}

const INTERESTING_64 = [
  0n, 1n, 2n, 3n, 4n, 7n, 8n, 0xfffn, 0x1000n, 0x7fffn, 0x8000n, 0xfffffn, 0x100000n, 0x7ffffffn, 0x8000000n, 0x7fffffffn,
  0x80000000n, 0xffffffffn, 0x100000000n, 1n << 52n, 1n << 53n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xfffffffffffff000n,
  0xfffffffffffffffcn, 0xffffffffffffffffn,
];
const SUPPORTED_TYPES = Array.from(AARCH64_SUPPORTED_RELOCATIONS.keys());
/** Relocation types orc-ts rejects, including TLS descriptors, NONE and numbers no ABI defines. */
const OTHER_TYPES = [0, 259, 262, 263, 276, 309, 314, 550, 562, 569, 1024, 0xffff, 0xffffffff];

function randomIn(rng: Rng, [start, end]: [number, number]): number {
  return start + rng.below(Math.max(1, end - start));
}

/** Applies one random mutation to `b` (a copy of `f.bytes`); returns the bytes (maybe shorter) and a label. */
function mutateOnce(f: Fixture, b: Uint8Array, rng: Rng): { bytes: Uint8Array; label: string } {
  // Earlier rounds may have truncated the bytes: every write is bounds-checked.
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const within = (off: number, size: number): boolean => off >= 0 && off + size <= b.length;
  const v = {
    setUint16: (o: number, x: number, le: boolean) => within(o, 2) && void dv.setUint16(o, x, le),
    setUint32: (o: number, x: number, le: boolean) => within(o, 4) && void dv.setUint32(o, x, le),
    setBigUint64: (o: number, x: bigint, le: boolean) => within(o, 8) && void dv.setBigUint64(o, x, le),
  };
  const rela = f.relas.length ? rng.pick(f.relas) : undefined;
  const relaEntry = rela ? rela.offset + 24 * rng.below(rela.count) : -1;
  const symEntry = f.symtab.offset + 24 * (1 + rng.below(Math.max(1, f.symtab.count - 1)));
  const kind = rng.below(13);
  switch (kind) {
    case 0: {
      const len = rng.below(b.length);
      return { bytes: b.slice(0, len), label: `truncate to ${len}` };
    }
    case 1: {
      // Bit flips in a structural region.
      const region = rng.pick([f.header, f.sectionHeaders, f.sectionHeaders, [f.symtab.offset, f.symtab.offset + 24 * f.symtab.count] as [number, number]]);
      const n = 1 + rng.below(4);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const o = randomIn(rng, region);
        if (within(o, 1)) b[o]! ^= 1 << rng.below(8);
        at.push(o);
      }
      return { bytes: b, label: `flip bits at ${at.join(',')}` };
    }
    case 2: {
      // An interesting value in a section header field.
      const o = f.sectionHeaders[0] + 8 * rng.below((f.sectionHeaders[1] - f.sectionHeaders[0]) / 8);
      const value = rng.pick(INTERESTING_64);
      v.setBigUint64(o, value, true);
      return { bytes: b, label: `shdr qword at ${o} = ${value}` };
    }
    case 3:
    case 4: {
      // Another relocation type: supported ones mostly (instruction validation, fixups on the wrong words).
      if (relaEntry < 0) break;
      const type = kind === 3 || rng.below(4) ? rng.pick(SUPPORTED_TYPES) : rng.pick(OTHER_TYPES);
      v.setUint32(relaEntry + 8, type >>> 0, true);
      return { bytes: b, label: `r_info type at ${relaEntry} = ${type}` };
    }
    case 5: {
      if (relaEntry < 0) break;
      const sym = rng.below(f.symtab.count + 2);
      v.setUint32(relaEntry + 12, sym, true);
      return { bytes: b, label: `r_info symbol at ${relaEntry} = ${sym}` };
    }
    case 6: {
      if (relaEntry < 0) break;
      const value = rng.below(2) ? rng.pick(INTERESTING_64) : BigInt.asUintN(64, BigInt(rng.next()) - 0x80000000n);
      v.setBigUint64(relaEntry + 16, value, true);
      return { bytes: b, label: `r_addend at ${relaEntry} = ${value}` };
    }
    case 7: {
      if (relaEntry < 0) break;
      const value = BigInt(rng.below(2) ? rng.below(64) : rng.below(0x10000));
      v.setBigUint64(relaEntry, value, true);
      return { bytes: b, label: `r_offset at ${relaEntry} = ${value}` };
    }
    case 8: {
      // st_value or st_size.
      const field = rng.below(2) ? 8 : 16;
      const value = rng.below(2) ? rng.pick(INTERESTING_64) : BigInt(rng.below(0x100));
      v.setBigUint64(symEntry + field, value, true);
      return { bytes: b, label: `${field === 8 ? 'st_value' : 'st_size'} at ${symEntry} = ${value}` };
    }
    case 9: {
      // st_info, st_other or st_shndx.
      const which = rng.below(3);
      const value = rng.below(0x10000);
      if (which === 0 && within(symEntry + 4, 1)) b[symEntry + 4] = value & 0xff;
      else if (which === 1 && within(symEntry + 5, 1)) b[symEntry + 5] = value & 0xff;
      else v.setUint16(symEntry + 6, rng.below(2) ? rng.below(12) : value, true);
      return { bytes: b, label: `${['st_info', 'st_other', 'st_shndx'][which]} at ${symEntry} = ${value}` };
    }
    case 10:
    case 11: {
      // Overwrite an instruction (or data word): random, or a valid-looking word of another instruction class.
      if (!f.contents.length) break;
      const [start, end] = rng.pick(f.contents);
      const o = start + 4 * rng.below(Math.max(1, (end - start) >> 2));
      const word = kind === 10 ? rng.next() : rng.pick([0x90000000, 0x91000000, 0xf9400000, 0x94000000, 0x14000000, 0x36000000, 0x54000000, 0x10000000, 0x58000000, 0xd2800000, 0xd503201f, 0x3dc00000]);
      v.setUint32(o, word >>> 0, true);
      return { bytes: b, label: `word at ${o} = 0x${(word >>> 0).toString(16)}` };
    }
    default: {
      // A random byte anywhere.
      const o = rng.below(b.length);
      b[o] = rng.below(256);
      return { bytes: b, label: `byte at ${o}` };
    }
  }
  const o = rng.below(b.length);
  b[o]! ^= 0xff;
  return { bytes: b, label: `invert byte at ${o}` };
}

function mutate(f: Fixture, rng: Rng): { bytes: Uint8Array; label: string } {
  let bytes: Uint8Array = f.bytes.slice();
  const labels: string[] = [];
  const rounds = 1 + (rng.below(4) === 0 ? 1 + rng.below(2) : 0);
  for (let i = 0; i < rounds; i++) {
    const m = mutateOnce(f, bytes, rng);
    bytes = m.bytes;
    labels.push(m.label);
  }
  return { bytes, label: labels.join('; ') };
}

/** Defines every symbol nobody else defines, within branch reach of the slab (like -phony-externals). */
class NearbyExternals implements DefinitionGenerator {
  tryToGenerate(_ls: unknown, _kind: unknown, jd: JITDylib, _flags: unknown, set: SymbolLookupSet): void {
    const defs: SymbolMap = new Map();
    for (const name of set.getSymbolNames()) defs.set(name, { address: SLAB_BASE + 0x20_0000n, flags: JITSymbolFlags.Exported });
    if (defs.size) jd.define(absoluteSymbols(defs));
  }
}

/** The typed errors a failed link may report. */
function isTyped(e: unknown): boolean {
  if (e instanceof MalformedObjectError) return e.field !== INTERNAL_READER_ERROR_FIELD;
  if (e instanceof AggregateError) return e.errors.every(isTyped);
  return e instanceof JITLinkError || e instanceof FixupError || e instanceof AArch64RelocationError || e instanceof OrcError;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
}

/**
 * Waits for `p` while the event loop has work; the session, layer and memory-only executor never wait on I/O or
 * timers, so a promise still pending after many turns will never settle.
 */
async function settle<T>(p: Promise<T>): Promise<{ state: 'resolved'; value: T } | { state: 'rejected'; error: unknown } | { state: 'pending' }> {
  let result: { state: 'resolved'; value: T } | { state: 'rejected'; error: unknown } | undefined;
  p.then(
    (value) => void (result = { state: 'resolved', value }),
    (error: unknown) => void (result = { state: 'rejected', error }),
  );
  for (let turn = 0; turn < 200 && result === undefined; turn++) await new Promise<void>((r) => setImmediate(r));
  return result ?? { state: 'pending' };
}

describe('link-fuzz: mutated objects through the ObjectLinkingLayer', () => {
  const fixtures: Fixture[] = [];

  beforeAll(() => {
    const relocations = join(import.meta.dirname, 'relocations');
    for (const f of readdirSync(relocations).filter((n) => n.endsWith('.s')).sort()) {
      fixtures.push(fixture(f.replace(/\.s$/, '.o'), assembleFile(join(relocations, f))));
    }
    const dir = mkdtempSync(join(tmpdir(), 'orc-jitlink-link-fuzz-'));
    for (const [variant, args] of [
      ['pic', ['-relocation-model=pic']],
      ['static', ['-relocation-model=static', '-function-sections', '-data-sections']],
    ] as const) {
      for (const [stem, ir] of [
        ['main', MAIN_LL],
        ['lib', LIB_LL],
      ] as const) {
        const path = join(dir, `${stem}-${variant}.ll`);
        writeFileSync(path, programIR(ir, variant === 'pic'));
        fixtures.push(fixture(`${stem}-${variant}.o`, compileIRFile(path, args)));
      }
    }
  });

  it(`survives ${CASES} seeded mutations with typed errors only, then links a good object`, async () => {
    const epc = new MemoryOnlyExecutorProcessControl({ slabAddress: SLAB_BASE, slabSize: SLAB_SIZE });
    let reported: unknown[] = [];
    const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => reported.push(e) });
    const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), new LinkTargetRegistry([new AArch64LinkTarget()]), new ElfObjectFormat());
    const externals = es.createJITDylib('nearby externals');
    externals.addGenerator(new NearbyExternals());

    // Every fixture links unmutated (so mutants start from something the linker accepts).
    for (const f of fixtures) {
      const jd = es.createJITDylib(`pristine ${f.name}`);
      jd.addToLinkOrder(externals);
      layer.add(jd, f.bytes, f.name);
      const r = await settle(es.lookup(jd, Array.from(jd.getSymbolNames())));
      expect(r.state, `${f.name}: ${r.state === 'rejected' ? describeError(r.error) : ''}${reported.map(describeError).join('\n')}`).toBe('resolved');
      await es.removeJITDylib(jd);
    }

    const rng = new Rng(SEED);
    const problems: string[] = [];
    const outcomes = { linked: 0, refusedOnAdd: 0, failedToLink: 0 };
    const causes = new Map<string, number>();
    for (let i = 0; i < CASES && problems.length < 10; i++) {
      const f = fixtures[i % fixtures.length]!;
      const { bytes, label } = mutate(f, rng);
      const what = `case ${i} (${f.name}: ${label})`;
      reported = [];
      const jd = es.createJITDylib(`case ${i}`);
      jd.addToLinkOrder(externals);
      let added = true;
      try {
        layer.add(jd, bytes, `${f.name}#${i}`);
      } catch (e) {
        added = false;
        outcomes.refusedOnAdd++;
        causes.set(e instanceof Error ? e.constructor.name : typeof e, (causes.get(e instanceof Error ? e.constructor.name : typeof e) ?? 0) + 1);
        if (!isTyped(e)) problems.push(`${what}: add threw ${describeError(e)}`);
      }
      if (added) {
        const r = await settle(es.lookup(jd, Array.from(jd.getSymbolNames())));
        if (r.state === 'pending') problems.push(`${what}: the lookup never settled`);
        else if (r.state === 'resolved') outcomes.linked++;
        else {
          outcomes.failedToLink++;
          if (!(r.error instanceof OrcError)) problems.push(`${what}: lookup rejected with ${describeError(r.error)}`);
        }
      }
      const removal = await settle(es.removeJITDylib(jd));
      if (removal.state === 'pending') problems.push(`${what}: removing its JITDylib never settled`);
      else if (removal.state === 'rejected' && !isTyped(removal.error)) problems.push(`${what}: removal failed with ${describeError(removal.error)}`);
      for (const e of reported) {
        if (!(e instanceof FailedToMaterialize)) causes.set(e instanceof Error ? e.constructor.name : typeof e, (causes.get(e instanceof Error ? e.constructor.name : typeof e) ?? 0) + 1);
        if (!isTyped(e)) problems.push(`${what}: reported ${describeError(e)}`);
      }
    }
    expect(problems).toEqual([]);

    // The mutations reached every stage: some links succeeded, some failed in the reader, the graph builder and
    // the fixups.
    expect(outcomes.linked).toBeGreaterThan(CASES / 10);
    expect(outcomes.failedToLink + outcomes.refusedOnAdd).toBeGreaterThan(CASES / 5);
    for (const cause of ['MalformedObjectError', 'JITLinkError', 'FixupError']) expect(causes.get(cause), `${cause} in ${JSON.stringify(Object.fromEntries(causes))}`).toBeGreaterThan(0);

    // Nothing is left reserved: failed links released their memory, removed JITDylibs theirs.
    expect(epc.reservedBytes).toBe(0n);

    // The session still links.
    const jd = es.createJITDylib('after the fuzz');
    jd.addToLinkOrder(externals);
    const good = fixtures.find((f) => f.name === 'page.o')!;
    layer.add(jd, good.bytes, 'page.o');
    const syms = await es.lookup(jd, ['byte_var', 'main']);
    expect(epc.read(syms.get('byte_var')!.address, 1)).toEqual(new Uint8Array([0x11]));
    expect(syms.get('main')!.address).toBeGreaterThanOrEqual(SLAB_BASE);
    await es.endSession();
  });
});
