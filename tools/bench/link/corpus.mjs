/**
 * The link benchmark's corpus: AArch64 ELF objects compiled with `llc` from generated LLVM IR, cached on disk.
 *
 * Every object `i` of a corpus of `objects` x `functions` defines:
 * - `functions` exported functions `f_<i>_<j>`; each reads a global of its own object, reads and writes globals
 *   of other objects, bumps an internal counter, calls a function of its own object and one of another object,
 *   and calls through a function-pointer table (its own object's or another's);
 * - 8 exported i32 globals `g_<i>_<k>`, an internal counter, and an exported table `tbl_<i>` of 8 function
 *   pointers (to its own and other objects' functions);
 * - object 0 also defines `main`, which calls `f_0_0` (llvm-jitlink links from `main`; the cross-object calls
 *   reach every object).
 * Every reference resolves inside the corpus: no externals.
 *
 * The IR uses typed pointers (`i32*`): LLVM 14's llc needs them. The static variant marks every symbol
 * `dso_local` (as clang does for -fno-pic); the pic variants leave definitions preemptible (GOT accesses), as
 * clang -fPIC does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const CORPUS_DIR = join(here, '.corpus');

/** The three code-generation variants. */
export const VARIANTS = [
  { name: 'pic', llcArgs: ['-relocation-model=pic'], dsoLocal: false },
  { name: 'static', llcArgs: ['-relocation-model=static'], dsoLocal: true },
  { name: 'pic-sections', llcArgs: ['-relocation-model=pic', '-function-sections', '-data-sections'], dsoLocal: false },
];

/** The corpus sizes. */
export const SIZES = [
  { name: 'small', objects: 10, functions: 50 },
  { name: 'large', objects: 200, functions: 100 },
];

const GLOBALS = 8;
const TABLE = 8;
/** Bump when the generated IR changes: it is part of the cache key. */
const GENERATOR_VERSION = 1;

/** The LLVM IR of object `i`. */
export function generateObjectIR(i, objects, functions, dsoLocal) {
  const dl = dsoLocal ? 'dso_local ' : '';
  const fnTy = 'i32 (i32)*';
  const other = (k) => (i + 1 + k) % objects; // another object (itself when objects == 1)
  const fname = (o, j) => `@f_${o}_${j % functions}`;
  const out = ['target datalayout = "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128"', 'target triple = "aarch64-unknown-linux-gnu"', ''];
  const declaredFns = new Set();
  const declaredGlobals = new Set();
  const useFn = (o, j) => {
    const n = fname(o, j);
    if (o !== i) declaredFns.add(n);
    return n;
  };
  const useGlobal = (o, k) => {
    const n = `@g_${o}_${k % GLOBALS}`;
    if (o !== i) declaredGlobals.add(n);
    return n;
  };
  for (let k = 0; k < GLOBALS; k++) out.push(`@g_${i}_${k} = ${dl}global i32 ${i * GLOBALS + k}, align 4`);
  out.push(`@s_${i} = internal global i32 0, align 4`);
  const entries = [];
  for (let t = 0; t < TABLE; t++) entries.push(`${fnTy} ${t % 2 === 0 ? useFn(i, t * 3) : useFn(other(t), t * 5 + 1)}`);
  out.push(`@tbl_${i} = ${dl}global [${TABLE} x ${fnTy}] [${entries.join(', ')}], align 8`, '');

  const body = [];
  for (let j = 0; j < functions; j++) {
    const o1 = other(j);
    const o2 = other(j * 3 + 1);
    const tblOwner = j % 2 === 0 ? i : other(j + 2);
    if (tblOwner !== i) declaredGlobals.add(`@tbl_${tblOwner}`);
    body.push(
      `define ${dl}i32 @f_${i}_${j}(i32 %x) {`,
      `  %a = load volatile i32, i32* ${useGlobal(i, j)}, align 4`,
      `  %b = load volatile i32, i32* ${useGlobal(o1, j + 1)}, align 4`,
      `  store volatile i32 %x, i32* ${useGlobal(o2, j + 2)}, align 4`,
      `  %s = load volatile i32, i32* @s_${i}, align 4`,
      `  %s1 = add i32 %s, %x`,
      `  store volatile i32 %s1, i32* @s_${i}, align 4`,
      `  %c = call i32 ${useFn(i, j + 1)}(i32 %a)`,
      `  %d = call i32 ${useFn(o1, j * 7 + 3)}(i32 %b)`,
      `  %t = and i32 %x, ${TABLE - 1}`,
      `  %p = getelementptr [${TABLE} x ${fnTy}], [${TABLE} x ${fnTy}]* @tbl_${tblOwner}, i32 0, i32 %t`,
      `  %fp = load ${fnTy}, ${fnTy}* %p, align 8`,
      `  %e = call i32 %fp(i32 %c)`,
      `  %r1 = add i32 %c, %d`,
      `  %r2 = add i32 %r1, %e`,
      `  ret i32 %r2`,
      `}`,
      '',
    );
  }
  if (i === 0) body.push(`define ${dl}i32 @main() {`, `  %r = call i32 @f_0_0(i32 0)`, `  ret i32 %r`, `}`, '');
  for (const g of declaredGlobals) {
    if (g.startsWith('@tbl_')) out.push(`${g} = external ${dl}global [${TABLE} x ${fnTy}], align 8`);
    else out.push(`${g} = external ${dl}global i32, align 4`);
  }
  for (const f of declaredFns) out.push(`declare ${dl}i32 ${f}(i32)`);
  out.push('', ...body);
  return out.join('\n');
}

function llcPath() {
  for (const p of ['llc-14', 'llc', '/usr/lib/llvm-14/bin/llc']) {
    for (const d of p.startsWith('/') ? [''] : (process.env.PATH ?? '').split(':')) {
      const full = d ? join(d, p) : p;
      if (existsSync(full)) return full;
    }
  }
  throw new Error("llc (LLVM 14) not found: run 'bash tools/setup'");
}

/** Runs `tasks` (async thunks) with at most `limit` at a time. */
async function pool(tasks, limit) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * The object files of corpus `size` in `variant`, compiling them (in parallel) unless cached. Returns their paths.
 */
export async function ensureCorpus(size, variant, log = () => {}) {
  const llc = llcPath();
  const key = createHash('sha256')
    .update(JSON.stringify({ GENERATOR_VERSION, size, variant, llc }))
    .digest('hex')
    .slice(0, 12);
  const dir = join(CORPUS_DIR, `${size.name}-${variant.name}-${key}`);
  const names = Array.from({ length: size.objects }, (_, i) => `obj${String(i).padStart(3, '0')}.o`);
  if (existsSync(join(dir, 'COMPLETE'))) return names.map((n) => join(dir, n));
  for (const stale of existsSync(CORPUS_DIR) ? readdirSync(CORPUS_DIR) : []) {
    if (stale.startsWith(`${size.name}-${variant.name}-`)) rmSync(join(CORPUS_DIR, stale), { recursive: true, force: true });
  }
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`compiling the ${size.name} ${variant.name} corpus (${size.objects} objects x ${size.functions} functions) with ${llc}...`);
  const t0 = performance.now();
  await pool(
    names.map((n, i) => async () => {
      const ll = join(tmp, n.replace(/\.o$/, '.ll'));
      writeFileSync(ll, generateObjectIR(i, size.objects, size.functions, variant.dsoLocal));
      await run(llc, ['-mtriple=aarch64-unknown-linux-gnu', '-filetype=obj', '-O2', ...variant.llcArgs, '-o', join(tmp, n), ll]);
      rmSync(ll);
    }),
    Math.max(1, availableParallelism()),
  );
  writeFileSync(join(tmp, 'COMPLETE'), `${JSON.stringify({ size, variant })}\n`);
  renameSync(tmp, dir);
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return names.map((n) => join(dir, n));
}

/** For debugging: `node corpus.mjs <i> <objects> <functions> [static]` prints one object's IR. */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [i = '0', n = '2', f = '2', s] = process.argv.slice(2);
  process.stdout.write(generateObjectIR(Number(i), Number(n), Number(f), s === 'static'));
}
