#!/usr/bin/env node
/**
 * The link benchmark: links generated AArch64 corpora with `orc-jitlink -noexec` (the built tool, as a child
 * process) and, when installed, with `llvm-jitlink-15 -noexec` on the same objects, and prints per corpus and
 * variant: objects, relocations, wall and CPU time of the whole process, link time inside it (`-show-times`),
 * relocations per second (relocations / wall time), peak RSS, and the ours / theirs wall-time ratio. Every figure
 * is the median of `--repeat` runs (ours and theirs alternate). A run longer than `--timeout` seconds is killed and
 * reported as such (no further repeats of it).
 *
 *   node tools/bench/link/link-bench.mjs [--sizes small,large] [--variants pic,static,pic-sections]
 *                                        [--repeat 3] [--timeout 45] [--no-llvm] [--json out.json]
 *                                        [--orc-jitlink path/to/orc-jitlink.mjs (another build, for A/B runs)]
 *
 * Needs a build (`bash tools/setup`) and LLVM 14's llc; llvm-jitlink-15 is optional (`bash tools/setup --bench`).
 * The corpus is cached in tools/bench/link/.corpus/ (gitignored). Prints figures only; asserts nothing on time.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SIZES, VARIANTS, ensureCorpus } from './corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
let ORC_JITLINK = join(root, 'tools/orc-jitlink/bin/orc-jitlink.mjs');
const RSS_HOOK = pathToFileURL(join(here, 'report-max-rss.mjs')).href;

function parseArgs(argv) {
  const o = { sizes: SIZES.map((s) => s.name), variants: VARIANTS.map((v) => v.name), repeat: 3, llvm: true, json: undefined, timeout: 45 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--sizes') o.sizes = value().split(',');
    else if (flag === '--variants') o.variants = value().split(',');
    else if (flag === '--repeat') o.repeat = Math.max(1, Number(value()));
    else if (flag === '--no-llvm') o.llvm = false;
    else if (flag === '--timeout') o.timeout = Number(value());
    else if (flag === '--orc-jitlink') o.orcJitlink = resolve(value());
    else if (flag === '--json') o.json = value();
    else if (flag === '-h' || flag === '--help') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2, 15).map((l) => l.replace(/^ \*\s?/, '')).join('\n') + '\n');
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]} (see --help)`);
  }
  for (const s of o.sizes) if (!SIZES.some((x) => x.name === s)) throw new Error(`unknown size ${s}`);
  for (const v of o.variants) if (!VARIANTS.some((x) => x.name === v)) throw new Error(`unknown variant ${v}`);
  return o;
}

function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(join(d, cmd))) return join(d, cmd);
  return undefined;
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const LLVM_JITLINK = which('llvm-jitlink-15');

/**
 * Runs `cmd args` in `cwd`, returning wall time (ms, measured here around the whole child process), its output
 * and peak RSS (KiB, from GNU time's %M, else from the child's own report when `nodeChild`).
 */
function runMeasured(cmd, args, cwd, { nodeChild = false, onStdout, timeoutMs } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'link-bench-'));
  const timeFile = join(tmp, 'rss');
  let file = cmd;
  let argv = args;
  if (nodeChild && !GNU_TIME) argv = ['--import', RSS_HOOK, ...args];
  if (GNU_TIME) {
    argv = ['-f', '%M %U %S', '-o', timeFile, file, ...argv];
    file = GNU_TIME;
  }
  return new Promise((resolvePromise, reject) => {
    const env = { ...process.env, LINK_BENCH_RSS_FILE: timeFile };
    const t0 = process.hrtime.bigint();
    // Its own process group, so that a timeout kills GNU time and the tool under it.
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, timeoutMs);
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => (onStdout ? onStdout(d) : out.push(d)));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (timer) clearTimeout(timer);
      let rssKiB;
      let cpuMs;
      try {
        const fields = readFileSync(timeFile, 'utf8').trim().split('\n').pop().trim().split(/\s+/).map(Number);
        rssKiB = fields[0];
        if (fields.length >= 3) cpuMs = (fields[1] + fields[2]) * 1000;
      } catch {
        rssKiB = undefined;
      }
      rmSync(tmp, { recursive: true, force: true });
      resolvePromise({ code, timedOut, wallMs, cpuMs, rssKiB, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

function median(xs) {
  const v = xs.filter((x) => x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

async function countRelocations(paths) {
  const { readElfObject } = await import('@orc-ts/object-linking-layer');
  let n = 0;
  for (const p of paths) for (const r of readElfObject(new Uint8Array(readFileSync(p)), basename(p)).relocationSections) n += r.count;
  return n;
}

function fail(what, r) {
  throw new Error(`${what} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim().split('\n').slice(0, 30).join('\n')}`);
}

async function runOurs(files, cwd, timeoutMs) {
  const r = await runMeasured(process.execPath, [ORC_JITLINK, '-noexec', '-show-times', '-show-linked-files', ...files], cwd, {
    nodeChild: true,
    timeoutMs,
  });
  if (r.timedOut) return r;
  if (r.code !== 0) fail('orc-jitlink', r);
  const linked = r.stdout.split('\n').filter((l) => l.startsWith('Linking ')).length;
  if (linked !== files.length) fail(`orc-jitlink linked ${linked} of ${files.length} objects`, r);
  const m = /^link\s+([\d.]+) ms$/m.exec(r.stdout);
  return { ...r, linkMs: m ? Number(m[1]) : undefined };
}

async function runTheirs(files, cwd, timeoutMs) {
  const r = await runMeasured(LLVM_JITLINK, ['-noexec', '-show-times', ...files], cwd, { timeoutMs });
  if (r.timedOut) return r;
  if (r.code !== 0) fail('llvm-jitlink-15', r);
  // "   user (%)   sys (%)   user+sys (%)   wall (%)  time to link object files"
  const line = (r.stdout + r.stderr).split('\n').find((l) => l.includes('time to link object files'));
  const nums = line ? [...line.matchAll(/([\d.]+) \(/g)].map((x) => Number(x[1])) : [];
  return { ...r, linkMs: nums.length >= 4 ? nums[3] * 1000 : undefined };
}

/** Checks once (untimed) that llvm-jitlink links every object: `-show-graph` prints one header per graph. */
async function verifyTheirs(files, cwd) {
  let headers = 0;
  let tail = '';
  const r = await runMeasured(LLVM_JITLINK, ['-noexec', '-show-graph', ...files], cwd, {
    onStdout: (d) => {
      // Complete lines only: a partial last line is kept for the next chunk.
      const s = tail + d.toString('latin1');
      const nl = s.lastIndexOf('\n');
      headers += (s.slice(0, nl + 1).match(/^Link graph "/gm) ?? []).length;
      tail = s.slice(nl + 1);
    },
  });
  if (r.code !== 0) fail('llvm-jitlink-15', r);
  if (headers !== files.length) throw new Error(`llvm-jitlink-15 linked ${headers} of ${files.length} objects`);
}

/** Medians over the runs that finished (a row whose runs all timed out reports the timeout). */
function summarize(runs) {
  const ok = runs.filter((r) => !r.timedOut);
  return {
    timedOut: ok.length === 0,
    wallMs: median(ok.map((r) => r.wallMs)),
    cpuMs: median(ok.map((r) => r.cpuMs)),
    linkMs: median(ok.map((r) => r.linkMs)),
    rssKiB: median(ok.map((r) => r.rssKiB)),
    runs: runs.map((r) => ({ timedOut: r.timedOut, wallMs: r.wallMs, cpuMs: r.cpuMs, linkMs: r.linkMs, rssKiB: r.rssKiB })),
  };
}

const fmt = {
  ms: (v) => (v === undefined ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(1)),
  int: (v) => String(v),
  rate: (v) => (v === undefined ? 'n/a' : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(0)}k`),
  mib: (kib) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)}`),
  ratio: (v) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)}x`),
};

function printTable(rows, timeoutS) {
  const header = [
    'corpus',
    'variant',
    'objects',
    'relocs',
    'ours wall ms',
    'ours cpu ms',
    'ours link ms',
    'ours relocs/s',
    'ours RSS MiB',
    'llvm wall ms',
    'llvm cpu ms',
    'llvm link ms',
    'llvm RSS MiB',
    'ours/llvm wall',
  ];
  const timeout = `>${timeoutS}s`;
  const body = rows.map((r) => {
    const o = r.ours;
    const t = r.theirs;
    return [
      r.size,
      r.variant,
      fmt.int(r.objects),
      fmt.int(r.relocations),
      o.timedOut ? timeout : fmt.ms(o.wallMs),
      o.timedOut ? '' : fmt.ms(o.cpuMs),
      o.timedOut ? '' : fmt.ms(o.linkMs),
      o.timedOut ? `<${fmt.rate(r.relocations / timeoutS)}` : fmt.rate(r.relocations / (o.wallMs / 1000)),
      o.timedOut ? '' : fmt.mib(o.rssKiB),
      !t ? 'n/a' : t.timedOut ? timeout : fmt.ms(t.wallMs),
      !t || t.timedOut ? '' : fmt.ms(t.cpuMs),
      !t || t.timedOut ? '' : fmt.ms(t.linkMs),
      !t || t.timedOut ? '' : fmt.mib(t.rssKiB),
      !t || t.timedOut ? 'n/a' : o.timedOut ? `>${fmt.ratio((timeoutS * 1000) / t.wallMs)}` : fmt.ratio(o.wallMs / t.wallMs),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.orcJitlink) ORC_JITLINK = opts.orcJitlink;
  else if (!existsSync(join(root, 'tools/orc-jitlink/dist/index.js'))) throw new Error("orc-jitlink is not built: run 'bash tools/setup'");
  const llvm = opts.llvm && LLVM_JITLINK !== undefined;
  const timeoutMs = opts.timeout * 1000;
  const t0 = performance.now();
  console.log(
    `link benchmark: node ${process.version}, ${opts.orcJitlink ?? 'orc-jitlink (built dist)'}, ${llvm ? LLVM_JITLINK : 'no llvm-jitlink-15 comparison'}, ` +
      `median of ${opts.repeat} run(s), ${opts.timeout} s timeout per run, peak RSS and CPU from ` +
      `${GNU_TIME ? 'GNU time (%M %U %S)' : 'the child (process.resourceUsage(); ours only)'}`,
  );
  if (opts.llvm && !llvm) console.log("llvm-jitlink-15 not found: install it with 'bash tools/setup --bench' (Debian package llvm-15)");
  const rows = [];
  for (const sizeName of opts.sizes) {
    const size = SIZES.find((s) => s.name === sizeName);
    for (const variantName of opts.variants) {
      const variant = VARIANTS.find((v) => v.name === variantName);
      const paths = await ensureCorpus(size, variant, (m) => console.log(m));
      const cwd = dirname(paths[0]);
      const files = paths.map((p) => basename(p));
      const relocations = await countRelocations(paths);
      if (llvm) await verifyTheirs(files, cwd);
      // Ours and theirs alternate, so that both see the same machine load.
      const ours = [];
      const theirs = [];
      let oursTimedOut = false;
      for (let i = 0; i < opts.repeat; i++) {
        if (!oursTimedOut) {
          const r = await runOurs(files, cwd, timeoutMs);
          ours.push(r);
          oursTimedOut = r.timedOut;
        }
        if (llvm) theirs.push(await runTheirs(files, cwd, timeoutMs));
      }
      const row = {
        size: size.name,
        variant: variant.name,
        objects: files.length,
        relocations,
        ours: summarize(ours),
        theirs: llvm ? summarize(theirs) : undefined,
      };
      rows.push(row);
      const show = (runs) => runs.map((r) => (r.timedOut ? 'timeout' : fmt.ms(r.wallMs))).join(' ');
      process.stderr.write(`  ${size.name}/${variant.name}: ours ${show(ours)} ms` + (llvm ? `, llvm ${show(theirs)} ms` : '') + '\n');
    }
  }
  console.log('');
  printTable(rows, opts.timeout);
  console.log(
    `\n(wall: the whole process, startup included; cpu: user+sys of the process; link: the tool's own -show-times link phase; ` +
      `relocs/s: relocations / ours wall; medians; total ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(rows, null, 2)}\n`);
}

main().catch((e) => {
  console.error(`link-bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
