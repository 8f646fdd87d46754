import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'orc-jitlink-test-'));
function file(name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const mainS = file('main.s', `
# jitlink-check: decode_operand(main, 0)[25:0] = (helper - main)[27:2]
# jitlink-check: decode_operand(load, 1) = (counter - load)[32:12] + ((load & 0xfff) + (counter - load) >= 0x1000 ? 0 : 0)
# jitlink-check: *{8}fptr = helper + 4
# jitlink-check: *{8}(got_addr(main.o, external_data)) = 0xdeadbeef
# jitlink-check: *{4}(stub_addr(main.o, external_func) + 8) = 0xd61f0200
  .text
  .globl main
  .p2align 2
main:
  bl helper
  .globl load
load:
  adrp x0, counter
  ldr x1, [x0, :lo12:counter]
  adrp x2, :got:external_data
  ldr x2, [x2, :got_lo12:external_data]
  bl external_func
  ret
  .data
  .globl fptr
  .p2align 3
fptr:
  .quad helper + 4
`);
const helperS = file('helper.s', `
  .text
  .globl helper
  .p2align 2
helper:
  ret
  .data
  .globl counter
  .p2align 3
counter:
  .quad 7
`);

describe('orc-jitlink -noexec', () => {
  it('links assembly inputs and passes jitlink-check rules', async () => {
    const checks = file('checks-ok.s', `
# jitlink-check: decode_operand(main, 0)[25:0] = (helper - main)[27:2]
# jitlink-check: *{8}fptr = helper + 4
# jitlink-check: *{8}(got_addr(main.o, external_data)) = 0xdeadbeef
# jitlink-check: *{4}(stub_addr(main.o, external_func) + 8) = 0xd61f0200
# jitlink-check: *{8}counter = 7
# jitlink-check: *{8}(got_addr(main.o, external_data)) = external_data
`);
    const r = await run(['-noexec', '-abs', 'external_data=0xdeadbeef', '--abs=external_func=0xcafef00d', '-check', checks, mainS, helperS]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('fails with LLVM\'s message when a rule is false', async () => {
    const checks = file('checks-bad.s', '# jitlink-check: *{8}counter = 8\n');
    const r = await run(['-noexec', '-abs', 'external_data=1', '-abs', 'external_func=2', '-check', checks, mainS, helperS]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("Expression '*{8}counter = 8' is false: 0x7 != 0x8");
  });

  it('reports unresolved symbols, and -phony-externals resolves them to 0', async () => {
    const r = await run(['-noexec', mainS, helperS]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^orc-jitlink error: Symbols not found: \[ (external_data, external_func|external_func, external_data) \]\n$/);
    const ok = await run(['-noexec', '-phony-externals', '-check', file('phony.s', '# jitlink-check: *{8}(got_addr(main.o, external_data)) = 0\n'), mainS, helperS]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
  });

  it('honours -slab-address / -slab-page-size and shows addresses, linked files and sizes', async () => {
    const r = await run([
      '-noexec', '-slab-allocate', '64Kb', '-slab-address', '0x20000000', '-slab-page-size', '4096',
      '-phony-externals', '-show-addrs', '-show-linked-files', '-show-sizes', helperS,
    ]);
    expect(r.err).toBe('');
    expect(r.out).toContain('Linking helper.o');
    // JITLink's BasicLayout: segments by protection, R-- < RW- < R-X, each page aligned from the slab base.
    expect(r.out).toContain('0x0000000020000000  counter (.data, size 0x0)');
    expect(r.out).toContain('0x0000000020001000  helper (.text, size 0x0)');
    expect(r.out).toContain('Total size of all blocks before pruning: 12');
    expect(r.out).toMatch(/Total size of all blocks after fixups: \d+/);
  });

  it('rejects malformed objects naming the file and field', async () => {
    const bad = file('bad.o', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]));
    const r = await run(['-noexec', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^orc-jitlink error: bad\.o: .*/);
  });

  it('compiles LLVM IR inputs with llc', async () => {
    const ll = file('sum.ll', `
@g = global i64 5
define i64 @sum(i64 %a) {
  %v = load i64, i64* @g
  %r = add i64 %v, %a
  ret i64 %r
}
`);
    const r = await run(['-noexec', '-show-addrs', ll]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/ sum \(\.text, size 0x[0-9a-f]+\)/);
    expect(r.out).toMatch(/ g \(\.data, size 0x8\)/);
  });

  it('prints usage errors and help', async () => {
    expect((await run(['-frobnicate'])).err).toBe("orc-jitlink error: unknown option '-frobnicate' (see --help)\n");
    expect((await run(['--help'])).out).toContain('USAGE: orc-jitlink');
    expect((await run(['-noexec'])).err).toContain('no input files');
  });
});
