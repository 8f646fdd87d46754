/**
 * Runs the relocation tests under `test/relocations/`: each `.s` file holds AArch64 assembly, its `# jitlink-check:`
 * rules and one or more `# RUN: orc-jitlink <args>` lines (LLVM's lit style; `%s` is the file, `%S` its directory).
 * Every RUN line must link with exit status 0 and print nothing on stderr (a false or unevaluable rule prints
 * `Expression ... is false` / `Error evaluating expression ...` there and exits 1).
 *
 * The files also have to cover what they are named for: each object must contain the relocation types listed in
 * COVERAGE below (read back from the assembled object), so an edit that drops a relocation is noticed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElfObject } from '@orc-ts/object-linking-layer';
import { getAArch64RelocationName } from '@orc-ts/target-aarch64';
import { describe, expect, it } from 'vitest';
import { assembleFile, main } from '../src/index.js';

const DIR = join(import.meta.dirname, 'relocations');

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** The RUN lines of a test file, as argument vectors with `%s` / `%S` substituted. */
function runLines(file: string): string[][] {
  const path = join(DIR, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  return lines
    .map((l) => /^#\s*RUN:\s*orc-jitlink\s+(.*)$/.exec(l.trim())?.[1])
    .filter((l): l is string => l !== undefined)
    .map((l) =>
      l
        .trim()
        .split(/\s+/)
        .map((a) => a.replaceAll('%s', path).replaceAll('%S', DIR)),
    );
}

/** The relocation types (by name) each file must exercise. */
const COVERAGE: Record<string, readonly string[]> = {
  'abs-prel.s': ['ABS64', 'ABS32', 'PREL64', 'PREL32'],
  'movw.s': ['MOVW_UABS_G0_NC', 'MOVW_UABS_G1_NC', 'MOVW_UABS_G2_NC', 'MOVW_UABS_G3'],
  'branches.s': ['CALL26', 'JUMP26', 'CONDBR19', 'TSTBR14'],
  'adr-ldr-literal.s': ['ADR_PREL_LO21', 'LD_PREL_LO19'],
  'page.s': [
    'ADR_PREL_PG_HI21',
    'ADD_ABS_LO12_NC',
    'LDST8_ABS_LO12_NC',
    'LDST16_ABS_LO12_NC',
    'LDST32_ABS_LO12_NC',
    'LDST64_ABS_LO12_NC',
    'LDST128_ABS_LO12_NC',
  ],
  'got.s': ['ADR_GOT_PAGE', 'LD64_GOT_LO12_NC', 'LD64_GOTPAGE_LO15', 'ADR_PREL_PG_HI21', 'ABS64'],
  'got-symbol-without-got.s': ['ADR_PREL_PG_HI21', 'ADD_ABS_LO12_NC', 'ABS64'],
  'plt-stubs.s': ['CALL26', 'JUMP26'],
  'plt-cross-object.s': ['CALL26', 'JUMP26', 'ADR_GOT_PAGE', 'LD64_GOT_LO12_NC', 'ABS64'],
  'got-relaxation.s': ['ADR_GOT_PAGE', 'LD64_GOT_LO12_NC', 'CALL26'],
  'start-stop.s': ['ABS64', 'ADR_PREL_PG_HI21', 'ADD_ABS_LO12_NC'],
};

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.s'))
  .sort();

describe('relocation tests (jitlink-check files)', () => {
  it('has a RUN line and coverage entry for every file, and a file for every coverage entry', () => {
    expect(files).toEqual(Object.keys(COVERAGE).sort());
    for (const f of files) expect(runLines(f).length, f).toBeGreaterThan(0);
  });

  for (const file of files) {
    describe(file, () => {
      it('contains the relocations it is named for', () => {
        const obj = readElfObject(assembleFile(join(DIR, file)), file);
        const present = new Set<string>();
        for (const rela of obj.relocationSections) for (const r of rela) present.add(getAArch64RelocationName(r.type));
        for (const name of COVERAGE[file]!) expect(present, `${file} lacks R_AARCH64_${name}`).toContain(`R_AARCH64_${name}`);
      });

      runLines(file).forEach((argv, i) => {
        it(`RUN line ${i + 1} links and passes every rule`, async () => {
          const r = await run(argv);
          expect(r.err).toBe('');
          expect(r.code).toBe(0);
        });
      });
    });
  }
});

// The rules depend on the layout: they must fail when addresses or -abs values differ from what the file expects.
describe('relocation tests: the rules can fail', () => {
  const replaceArg = (argv: string[], name: string, value: string): string[] => {
    const i = argv.indexOf(name);
    expect(i, `${name} in ${argv.join(' ')}`).toBeGreaterThanOrEqual(0);
    return [...argv.slice(0, i + 1), value, ...argv.slice(i + 2)];
  };
  const cases: Array<[file: string, option: string, value: string, expected: RegExp]> = [
    ['page.s', '-slab-address', '0x10004000', /Expression 'byte_var = 0x10000ff7' is false: 0x10004ff7 != 0x10000ff7/],
    ['movw.s', '-abs', 'wide=0x123456789abcdef1', /Expression 'decode_operand\(load_wide \+ 12, 2\) = 0xdef0' is false: 0xdef1 != 0xdef0/],
    ['got-relaxation.s', '-abs', 'var_near=0x7fff00000000', /Expression '\*\{4\}relax_near = 0xd503201f' is false/],
    ['plt-stubs.s', '-abs', 'far_func=0x40001000', /Expression 'decode_operand\(call_far, 0\) = \(stub_addr\(plt-stubs\.o, far_func\) - call_far\)\[27:2\]' is false/],
  ];
  for (const [file, option, value, expected] of cases) {
    it(`${file} with ${option} ${value}`, async () => {
      const argv = replaceArg(runLines(file)[0]!, option, value);
      const r = await run(argv);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(expected);
      expect(r.err).toContain(`Some checks in ${join(DIR, file)} failed`);
    });
  }
});
