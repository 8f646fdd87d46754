/**
 * Real compiler output: a two-object program written in LLVM IR, compiled by `llc` in three variants (PIC; static,
 * with `dso_local` as clang emits for -fno-pic; PIC with -function-sections -data-sections) and linked with
 * `orc-jitlink -noexec -show-addrs`.
 *
 * The program (`support/llc-program.ts`) has calls within and across objects, globals read and written across
 * objects, function-pointer tables in data (pointing into both objects), a weak definition overridden by a strong
 * one in the other object, strings (mergeable string sections), zero-initialized and common data, a switch, and
 * llc's .eh_frame.
 *
 * Checked for every variant:
 * - every defined global symbol of every object appears in the -show-addrs output with a non-zero address (the
 *   overridden weak definition is listed under the object whose strong definition won);
 * - jitlink-check rules written by hand (pointer tables, strings, data values);
 * - jitlink-check rules generated from the objects' own relocations: every CALL26/JUMP26 from a global function
 *   must branch to its target's final address, and every ABS64 in a global data object must hold its target's
 *   address plus addend.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STB_LOCAL, STB_WEAK, STT_FILE, STT_SECTION, readElfObject, type ElfObjectReader } from '@orc-ts/object-linking-layer';
import { getAArch64RelocationName } from '@orc-ts/target-aarch64';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileIRFile, main } from '../src/index.js';
import { LIB_LL, MAIN_LL, programIR } from './support/llc-program.js';

/** Hand-written rules, true in every variant. */
const COMMON_RULES = `
# The function-pointer tables: entries in this object, the other object, the winning (strong) weak_op.
# jitlink-check: *{8}ops = add_one
# jitlink-check: *{8}(ops + 8) = twice
# jitlink-check: *{8}(ops + 16) = weak_op
# jitlink-check: *{8}lib_table = twice
# jitlink-check: *{8}(lib_table + 8) = add_one
# Strings through pointers: "hello, w" and "lib\\0" (lib_text + 5).
# jitlink-check: *{8}(*{8}greeting) = 0x77202c6f6c6c6568
# jitlink-check: *{4}(*{8}lib_text_ptr) = 0x0062696c
# Initialized data.
# jitlink-check: *{8}lib_value = 42
# jitlink-check: *{4}bytes = 0x04030201
# jitlink-check: *{4}halves = 0x04030201
# jitlink-check: *{8}vec = 0x200000001
# jitlink-check: *{4}weak_op = 0x0b000400
`;

/** Rules for the PIC variants: llc loads addresses of preemptible globals from the GOT. */
const PIC_RULES = `
# jitlink-check: *{8}(got_addr(main.o, lib_value)) = lib_value
# jitlink-check: *{8}(got_addr(main.o, ops)) = ops
# jitlink-check: *{8}(got_addr(lib.o, counter)) = counter
# jitlink-check: *{8}(got_addr(lib.o, lib_common)) = lib_common
`;

const VARIANTS: ReadonlyArray<{ name: string; llc: readonly string[]; pic: boolean }> = [
  { name: 'pic', llc: ['-relocation-model=pic'], pic: true },
  { name: 'static', llc: ['-relocation-model=static'], pic: false },
  { name: 'pic-sections', llc: ['-relocation-model=pic', '-function-sections', '-data-sections'], pic: true },
];

const root = mkdtempSync(join(tmpdir(), 'orc-jitlink-llc-'));

function write(path: string, text: string | Uint8Array): string {
  writeFileSync(path, text);
  return path;
}

/** A defined, named, non-local symbol of an object, as JITLink publishes it. */
interface DefinedGlobal {
  name: string;
  weak: boolean;
}

function definedGlobals(obj: ElfObjectReader): DefinedGlobal[] {
  const out: DefinedGlobal[] = [];
  for (const s of obj.symbolTable ?? []) {
    if (s.index === 0 || s.binding === STB_LOCAL || s.placement === 'undefined' || s.type === STT_FILE || s.name === '') continue;
    out.push({ name: s.name, weak: s.binding === STB_WEAK });
  }
  return out;
}

/**
 * jitlink-check rules derived from an object's relocations: branches from global functions and ABS64 words in
 * global data objects, each against a named global target.
 */
function rulesFromRelocations(obj: ElfObjectReader): string[] {
  const symtab = obj.symbolTable!;
  const syms = Array.from(symtab);
  const rules: string[] = [];
  for (const rela of obj.relocationSections) {
    for (const r of rela) {
      const kind = getAArch64RelocationName(r.type);
      const target = syms[r.symbolIndex]!;
      if (target.binding === STB_LOCAL || target.type === STT_SECTION || target.name === '') continue;
      const holder = syms.find(
        (s) => s.binding !== STB_LOCAL && s.shndx === rela.target.index && s.name !== '' && s.value <= r.offset && r.offset < s.value + s.size,
      );
      if (!holder) continue;
      const off = `0x${(r.offset - holder.value).toString(16)}`;
      if (kind === 'R_AARCH64_CALL26' || kind === 'R_AARCH64_JUMP26') {
        rules.push(`decode_operand(${holder.name} + ${off}, 0)[25:0] = (${target.name} - ${holder.name} - ${off})[27:2]`);
      } else if (kind === 'R_AARCH64_ABS64') {
        rules.push(`*{8}(${holder.name} + ${off}) = ${target.name} + 0x${r.addend.toString(16)}`);
      }
    }
  }
  return rules;
}

/** `-show-addrs` output as file -> symbol -> address. */
function parseAddresses(out: string): Map<string, Map<string, bigint>> {
  const files = new Map<string, Map<string, bigint>>();
  let current: Map<string, bigint> | undefined;
  for (const line of out.split('\n')) {
    const file = /^ {2}(\S+):$/.exec(line);
    if (file) files.set(file[1]!, (current = new Map()));
    const sym = /^ {4}0x([0-9a-f]{16}) {2}(\S+) \(/.exec(line);
    if (sym && current) current.set(sym[2]!, BigInt(`0x${sym[1]}`));
  }
  return files;
}

describe.each(VARIANTS)('llc output ($name)', ({ name, llc, pic }) => {
  const dir = join(root, name);
  const objects: Record<'main.o' | 'lib.o', { path: string; obj: ElfObjectReader }> = {} as never;
  let result: { code: number; out: string; err: string };
  let generatedRules: string[];

  beforeAll(async () => {
    mkdirSync(dir);
    for (const [stem, ir] of [
      ['main', MAIN_LL],
      ['lib', LIB_LL],
    ] as const) {
      const bytes = compileIRFile(write(join(dir, `${stem}.ll`), programIR(ir, pic)), llc);
      objects[`${stem}.o`] = { path: write(join(dir, `${stem}.o`), bytes), obj: readElfObject(bytes, `${stem}.o`) };
    }
    generatedRules = [...rulesFromRelocations(objects['main.o'].obj), ...rulesFromRelocations(objects['lib.o'].obj)];
    const checks = [write(join(dir, 'common.checks'), COMMON_RULES)];
    checks.push(write(join(dir, 'generated.checks'), generatedRules.map((r) => `# jitlink-check: ${r}\n`).join('')));
    if (pic) checks.push(write(join(dir, 'pic.checks'), PIC_RULES));
    let out = '';
    let err = '';
    const args = ['-noexec', '-show-addrs', ...checks.flatMap((c) => ['-check', c]), objects['main.o'].path, objects['lib.o'].path];
    const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
    result = { code, out, err };
  });

  it('compiles to the relocations the variant is about', () => {
    const kinds = (o: ElfObjectReader): Set<string> => {
      const s = new Set<string>();
      for (const rela of o.relocationSections) for (const r of rela) s.add(getAArch64RelocationName(r.type).replace('R_AARCH64_', ''));
      return s;
    };
    const all = new Set([...kinds(objects['main.o'].obj), ...kinds(objects['lib.o'].obj)]);
    for (const k of ['CALL26', 'JUMP26', 'ABS64', 'PREL32', 'ADR_PREL_PG_HI21']) expect(all).toContain(k);
    if (pic) for (const k of ['ADR_GOT_PAGE', 'LD64_GOT_LO12_NC']) expect(all).toContain(k);
    else {
      for (const k of ['ADD_ABS_LO12_NC', 'LDST8_ABS_LO12_NC', 'LDST16_ABS_LO12_NC', 'LDST32_ABS_LO12_NC', 'LDST64_ABS_LO12_NC', 'LDST128_ABS_LO12_NC']) {
        expect(all).toContain(k);
      }
      expect(all).not.toContain('ADR_GOT_PAGE');
    }
    if (name === 'pic-sections') expect(objects['main.o'].obj.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.text.main', '.data.ops', '.bss.zeroed']));
    expect(generatedRules.filter((r) => r.startsWith('decode_operand')).length).toBeGreaterThanOrEqual(6);
    expect(generatedRules.filter((r) => r.startsWith('*{8}')).length).toBeGreaterThanOrEqual(5);
  });

  it('links with every rule passing', () => {
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  });

  it('shows every defined global symbol of every object with a non-zero address', () => {
    const shown = parseAddresses(result.out);
    expect(Array.from(shown.keys()).sort()).toEqual(['lib.o', 'main.o']);
    const strongElsewhere = new Map<string, string>();
    for (const [file, { obj }] of Object.entries(objects)) for (const g of definedGlobals(obj)) if (!g.weak) strongElsewhere.set(g.name, file);
    let count = 0;
    for (const [file, { obj }] of Object.entries(objects)) {
      for (const g of definedGlobals(obj)) {
        const winner = g.weak && strongElsewhere.has(g.name) ? strongElsewhere.get(g.name)! : file;
        const address = shown.get(winner)?.get(g.name);
        expect(address, `${g.name} (defined in ${file}) in ${winner}'s addresses`).toBeDefined();
        expect(address).not.toBe(0n);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(20);
    // The overridden weak definition is not linked from main.o.
    expect(shown.get('main.o')!.has('weak_op')).toBe(false);
    expect(shown.get('lib.o')!.has('weak_op')).toBe(true);
  });
});
