#!/usr/bin/env node
/**
 * In-process driver for profiling one link of a benchmark corpus: runs orc-jitlink's `main` (the built package)
 * on the corpus in this process, and prints CPU time, wall time, the link phase and heap figures per iteration.
 *
 *   node [--cpu-prof] tools/bench/link/profile-link.mjs [--size large] [--variant pic] [--objects N]
 *        [--iterations 1] [--alloc-profile out.heapprofile] [-- extra orc-jitlink options]
 *
 * `--objects N` links only the first N objects (with -phony-externals for the rest). `--alloc-profile` records a
 * sampling allocation profile that keeps objects already collected (so it shows where garbage comes from; open it
 * in Chrome DevTools' Memory tab). CPU profiles: run node with `--cpu-prof --cpu-prof-dir=<dir>`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SIZES, VARIANTS, ensureCorpus } from './corpus.mjs';

const args = process.argv.slice(2);
const opts = { size: 'large', variant: 'pic', objects: undefined, iterations: 1, alloc: undefined, extra: [] };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--') {
    opts.extra = args.slice(i + 1);
    break;
  }
  const [flag, inline] = a.split('=', 2);
  const value = () => inline ?? args[++i];
  if (flag === '--size') opts.size = value();
  else if (flag === '--variant') opts.variant = value();
  else if (flag === '--objects') opts.objects = Number(value());
  else if (flag === '--iterations') opts.iterations = Number(value());
  else if (flag === '--alloc-profile') opts.alloc = value();
  else throw new Error(`unknown option ${a}`);
}
const size = SIZES.find((s) => s.name === opts.size);
const variant = VARIANTS.find((v) => v.name === opts.variant);
if (!size || !variant) throw new Error(`unknown size or variant: ${opts.size} ${opts.variant}`);

let paths = await ensureCorpus(size, variant, (m) => console.error(m));
const partial = opts.objects !== undefined && opts.objects < paths.length;
if (partial) paths = paths.slice(0, opts.objects);
const { main } = await import('@orc-ts/orc-jitlink');

let inspector;
if (opts.alloc) {
  inspector = new Session();
  inspector.connect();
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

for (let it = 0; it < opts.iterations; it++) {
  let out = '';
  let err = '';
  const io = { out: (t) => void (out += t), err: (t) => void (err += t) };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const status = await main(['-noexec', '-show-times', ...(partial ? ['-phony-externals'] : []), ...opts.extra, ...paths], io);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (status !== 0) {
    process.stderr.write(err);
    process.exitCode = 1;
    break;
  }
  const link = /^link\s+([\d.]+) ms$/m.exec(out)?.[1];
  const m = process.memoryUsage();
  console.log(
    `${size.name}/${variant.name} ${paths.length} objects (${basename(paths[0])}...), iteration ${it + 1}: ` +
      `cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, wall ${(wall / 1000).toFixed(2)} s, link ${link} ms, ` +
      `heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
}

if (inspector) {
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  writeFileSync(opts.alloc, JSON.stringify(profile));
  inspector.disconnect();
  console.log(`allocation profile written to ${opts.alloc}`);
}
