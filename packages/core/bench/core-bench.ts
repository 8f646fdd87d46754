/**
 * The core benchmark: `npm run bench -w @orc-ts/core`.
 *
 * Every row runs in a child process of its own (so that one row's garbage and heap growth do not colour the next,
 * and its peak RSS is its own): an untimed warm-up, then N timed repetitions with a full GC before each; the table
 * shows the best and the median, and nanoseconds per symbol from the median.
 *
 * When LLVM 15's development files are installed (`llvm-config-15`, Debian's `llvm-15-dev`), the same rows also run
 * against LLVM's C++ ORC (`orc-cpp/orc-bench.cpp`, built on first use) and the table adds their figures and the
 * ratio orc-ts / ORC.
 *
 * Options: `--filter a,b` (rows whose id contains a or b), `--no-llvm` (skip C++ ORC), `--with-llvm` (fail if it
 * cannot be built), `--cpu-time` (time with process CPU time instead of wall time: steadier on a shared machine),
 * `--quick` (one warm-up-free repetition per row: a smoke run, not a measurement).
 * One row by hand, e.g. for a CPU profile:
 *   node --expose-gc --cpu-prof --import tsx bench/core-bench.ts --child ring-100k
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workloads, type Workload } from './workloads.js';

const here = dirname(fileURLToPath(import.meta.url));

/** What one row's process reports. */
interface RowResult {
  id: string;
  ms: number[];
  maxRss: number;
  extra?: Record<string, number>;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function runChild(id: string, quick: boolean): Promise<void> {
  const w = workloads.find((x) => x.id === id);
  if (!w) throw new Error(`no workload ${id}`);
  if (!quick) {
    gc();
    await w.warmup();
  }
  const ms: number[] = [];
  for (let i = 0; i < (quick ? 1 : w.reps); i++) {
    gc();
    ms.push(await w.run());
  }
  const result: RowResult = { id, ms, maxRss: process.resourceUsage().maxRSS * 1024 };
  if (w.extra) result.extra = w.extra();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function lastJSONLine(out: string): RowResult {
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as RowResult;
}

function runTSRow(w: Workload, quick: boolean): RowResult {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', w.id];
  if (quick) args.push('--quick');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`row ${w.id} failed (exit ${r.status ?? r.signal})`);
  return lastJSONLine(r.stdout);
}

/** Builds the C++ ORC benchmark if LLVM 15's headers and libraries are there; returns its path or a reason. */
function buildOrcBench(): { binary: string } | { reason: string } {
  try {
    const out = execFileSync('bash', [join(here, 'orc-cpp', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const binary = out.trim().split('\n').pop() ?? '';
    if (!existsSync(binary)) return { reason: `build.sh printed no binary (${binary})` };
    return { binary };
  } catch (e) {
    const err = e as { status?: number; stderr?: string };
    const msg = (err.stderr ?? String(e)).trim().split('\n').slice(-3).join(' / ');
    return { reason: msg || `build.sh exited ${err.status}` };
  }
}

function runCppRow(binary: string, w: Workload, quick: boolean): RowResult | null {
  const args = [w.id];
  if (quick) args.push('--quick');
  else {
    args.push('--reps', String(w.cppReps));
    if (w.cppNoWarmup) args.push('--no-warmup');
  }
  const r = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    process.stderr.write(`orc-bench ${w.id}: exit ${r.status ?? r.signal}: ${r.stderr.trim()}\n`);
    return null;
  }
  if (r.stdout.trim() === '') return null; // a row the C++ side does not run
  const res = lastJSONLine(r.stdout);
  return res.ms.length ? res : null;
}

// ---- formatting ----

const fmtMs = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtNs = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const fmtMiB = (b: number): string => (b / (1 << 20)).toFixed(0);
const fmtInt = (n: number): string => n.toLocaleString('en-US');

function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (rightAlign[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

function main(argv: string[]): void {
  const quick = argv.includes('--quick');
  const fi = argv.indexOf('--filter');
  const filters = fi >= 0 ? (argv[fi + 1] ?? '').split(',').filter(Boolean) : [];
  const selected = workloads.filter((w) => filters.length === 0 || filters.some((f) => w.id.includes(f)));
  if (argv.includes('--cpu-time')) process.env.ORC_BENCH_CLOCK = 'cpu'; // inherited by every child, TS and C++
  const clock = process.env.ORC_BENCH_CLOCK === 'cpu' ? 'process CPU time' : 'wall time';
  const wantLLVM = !argv.includes('--no-llvm');
  const needLLVM = argv.includes('--with-llvm');

  let binary: string | null = null;
  let cppNote = 'C++ ORC: skipped (--no-llvm)';
  if (wantLLVM) {
    const b = buildOrcBench();
    if ('binary' in b) {
      binary = b.binary;
      cppNote = `C++ ORC: LLVM ${execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim()} (${binary})`;
    } else {
      cppNote = `C++ ORC: not run (${b.reason})`;
      if (needLLVM) throw new Error(cppNote);
    }
  }

  const started = performance.now();
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(
    `orc-ts core benchmark: node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` +
      `load average ${load()}, in-place dispatcher, ${clock}`,
  );
  console.log(cppNote);
  console.log(
    quick
      ? 'quick run: 1 repetition, no warm-up (not a measurement)'
      : 'each row: own process, warm-up, best and median of the reps (ts/C++); ns/symbol and the ratio from the medians',
  );
  const cppMedians = new Map<string, number>();
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const [i, w] of selected.entries()) {
    process.stderr.write(`[${i + 1}/${selected.length}] ${w.id}: orc-ts${binary ? ', C++ ORC' : ''}\n`);
    const ts = runTSRow(w, quick);
    const cpp = binary ? runCppRow(binary, w, quick) : null;
    const tsMed = median(ts.ms);
    const row = [
      `${w.id}: ${w.label}`,
      fmtInt(w.symbols),
      binary ? `${ts.ms.length}/${cpp ? cpp.ms.length : 0}` : String(ts.ms.length),
      fmtMs(Math.min(...ts.ms)),
      fmtMs(tsMed),
      fmtNs((tsMed * 1e6) / w.symbols),
      fmtMiB(ts.maxRss),
    ];
    if (binary) {
      if (cpp) {
        const cMed = median(cpp.ms);
        cppMedians.set(w.id, cMed);
        row.push(fmtMs(cMed), fmtNs((cMed * 1e6) / w.symbols), fmtMiB(cpp.maxRss), `${(tsMed / cMed).toFixed(2)}x`);
      } else {
        row.push('-', '-', '-', '-');
      }
    }
    rows.push(row);
    for (const [who, r] of [['orc-ts', ts], ['C++ ORC', cpp]] as const) {
      if (!r?.extra) continue;
      const e = r.extra;
      const parts = [`${who} ${w.id}: RSS after gc ${fmtMiB(e.rssAfterGC ?? 0)} MiB`, `${(e.bytesPerSymbol ?? 0).toFixed(0)} bytes/symbol (RSS)`];
      if (e.heapBytesPerSymbol !== undefined) parts.push(`${e.heapBytesPerSymbol.toFixed(0)} bytes/symbol (JS heap)`);
      parts.push(`peak RSS ${fmtMiB(r.maxRss)} MiB`);
      notes.push(parts.join(', '));
    }
  }
  const header = ['workload', 'symbols', 'reps', 'best ms', 'median ms', 'ns/symbol', 'peak RSS MiB'];
  const right = [false, true, true, true, true, true, true];
  if (binary) {
    header.push('ORC ms', 'ORC ns/symbol', 'ORC peak RSS MiB', 'ts/ORC');
    right.push(true, true, true, true);
  }
  console.log(table(header, rows, right));
  for (const n of notes) console.log(n);
  const r1 = cppMedians.get('ring-1000');
  const r4 = cppMedians.get('ring-4000');
  if (binary && r1 !== undefined && r4 !== undefined && !cppMedians.has('ring-100k') && selected.some((w) => w.id === 'ring-100k')) {
    console.log(
      `C++ ORC ring: 4x the symbols took ${(r4 / r1).toFixed(1)}x the time (quadratic: 16x); ring-100k not run ` +
        `(ORC_BENCH_CPP_RING_100K=1 to force), extrapolated ${((r4 * (100_000 / 4000) ** 2) / 60_000).toFixed(0)} min`,
    );
  }
  console.log(`load average at the end: ${load()}`);
  console.log(`(bench wall time ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) {
  await runChild(process.argv[ci + 1] ?? '', process.argv.includes('--quick'));
} else {
  main(process.argv.slice(2));
}
