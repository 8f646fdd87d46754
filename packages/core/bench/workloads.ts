/**
 * The core benchmark's workloads. Each one builds its inputs (names, addresses) outside the timed section, then
 * times the work the issue names: defining, materializing and looking up symbols. `orc-cpp/orc-bench.cpp` runs
 * the same workloads, row for row (same ids), against LLVM's C++ ORC.
 */
import {
  absoluteSymbols,
  ExecutionSession,
  JITDylibLookupFlags,
  JITSymbolFlags,
  LookupKind,
  MaterializationUnit,
  SymbolLookupSet,
  SymbolState,
  type JITDylib,
  type JITDylibSearchOrder,
  type MaterializationResponsibility,
  type SymbolMap,
} from '../src/index.js';

const X = JITSymbolFlags.Exported;
const BASE = 0x10000n;

/** One benchmark row. `run` performs one timed repetition and returns the milliseconds it took. */
export interface Workload {
  readonly id: string;
  readonly label: string;
  readonly symbols: number;
  /** Timed repetitions (the table shows the best and the median). */
  readonly reps: number;
  /** Repetitions of the C++ ORC run of this row, and whether it skips its warm-up. */
  readonly cppReps: number;
  readonly cppNoWarmup: boolean;
  /** Untimed warm-up before the repetitions (JIT tiers, inline caches). */
  warmup(): Promise<void>;
  run(): Promise<number>;
  /** Extra figures to print under the table (e.g. bytes per symbol), measured in the child after the last rep. */
  extra?(): Record<string, number>;
}

function names(n: number, prefix = 's'): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = `${prefix}${i}`;
  return out;
}

/** Wall-clock milliseconds, or process CPU milliseconds (all threads) with `ORC_BENCH_CLOCK=cpu` (`--cpu-time`). */
const now: () => number =
  process.env.ORC_BENCH_CLOCK === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();

function errorReporter(e: unknown): void {
  throw e instanceof Error ? e : new Error(String(e));
}

function newSession(): { es: ExecutionSession; jd: JITDylib } {
  const es = new ExecutionSession({ errorReporter });
  return { es, jd: es.createJITDylib('main') };
}

function check(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what}: got ${actual} results, expected ${expected}`);
}

// ---- (1) absolute symbols: one MU for all, or one MU per symbol; one lookup for all names ----

async function absOneMU(ns: readonly string[]): Promise<number> {
  const { es, jd } = newSession();
  const t0 = now();
  const defs: SymbolMap = new Map();
  for (let i = 0; i < ns.length; i++) defs.set(ns[i]!, { address: BASE + BigInt(i), flags: X });
  jd.define(absoluteSymbols(defs));
  const r = await es.lookup(jd, ns);
  const t1 = now();
  check(r.size, ns.length, 'abs-one-mu');
  return t1 - t0;
}

async function absMUPerSymbol(ns: readonly string[]): Promise<number> {
  const { es, jd } = newSession();
  const t0 = now();
  for (let i = 0; i < ns.length; i++) jd.define(absoluteSymbols(new Map([[ns[i]!, { address: BASE + BigInt(i), flags: X }]])));
  const r = await es.lookup(jd, ns);
  const t1 = now();
  check(r.size, ns.length, 'abs-mu-per-sym');
  return t1 - t0;
}

// ---- (2) one lookup per symbol, all already defined (and materialized) ----

async function readySession(ns: readonly string[]): Promise<{ es: ExecutionSession; jd: JITDylib }> {
  const s = newSession();
  const defs: SymbolMap = new Map();
  for (let i = 0; i < ns.length; i++) defs.set(ns[i]!, { address: BASE + BigInt(i), flags: X });
  s.jd.define(absoluteSymbols(defs));
  await s.es.lookup(s.jd, ns); // materialize: the timed lookups see Ready symbols
  return s;
}

async function lookupOneAtATime(ns: readonly string[]): Promise<number> {
  const { es, jd } = await readySession(ns);
  let sum = 0n;
  const t0 = now();
  for (const n of ns) sum += (await es.lookup(jd, n)).address;
  const t1 = now();
  if (sum === 0n) throw new Error('unreachable');
  return t1 - t0;
}

async function lookupOneAtATimeCallback(ns: readonly string[]): Promise<number> {
  const { es, jd } = await readySession(ns);
  const order: JITDylibSearchOrder = [[jd, JITDylibLookupFlags.MatchExportedSymbolsOnly]];
  let found = 0;
  let i = 0;
  const t0 = now();
  await new Promise<void>((resolve, reject) => {
    // Each lookup starts the next from its callback; with the in-place dispatcher this is a synchronous chain,
    // so recurse through a loop instead of the stack.
    let inCall = false;
    let pending = false;
    const next = (): void => {
      pending = true;
      if (inCall) return;
      while (pending) {
        pending = false;
        if (i === ns.length) {
          resolve();
          return;
        }
        inCall = true;
        es.lookupAsync(LookupKind.Static, order, SymbolLookupSet.fromNames([ns[i++]!]), SymbolState.Ready, (err, r) => {
          if (err) reject(err);
          else {
            found += r!.size;
            next();
          }
        });
        inCall = false;
      }
    };
    next();
  });
  const t1 = now();
  check(found, ns.length, 'lookup-1x1-cb');
  return t1 - t0;
}

// ---- (3) a link-order chain of JITDylibs ----

const CHAIN_JDS = 100;
const CHAIN_PER_JD = 1000;
let chainCache: { perJD: string[][]; all: string[] } | null = null;
/** The chain's names, `c<k>_<i>` (built on first use, outside the timed sections). */
function chainNames(): { perJD: string[][]; all: string[] } {
  if (!chainCache) {
    const perJD = Array.from({ length: CHAIN_JDS }, (_, k) => names(CHAIN_PER_JD, `c${k}_`));
    chainCache = { perJD, all: perJD.flat() };
  }
  return chainCache;
}

function chainSession(): { es: ExecutionSession; jds: JITDylib[] } {
  const es = new ExecutionSession({ errorReporter });
  const jds = Array.from({ length: CHAIN_JDS }, (_, k) => es.createJITDylib(`jd${k}`));
  // Each JITDylib's link order: itself, then the next one.
  for (let k = 0; k + 1 < CHAIN_JDS; k++) jds[k]!.addToLinkOrder(jds[k + 1]!);
  return { es, jds };
}

function defineChain(jds: readonly JITDylib[]): void {
  for (let k = 0; k < jds.length; k++) {
    const defs: SymbolMap = new Map();
    const ns = chainNames().perJD[k]!;
    for (let i = 0; i < ns.length; i++) defs.set(ns[i]!, { address: BASE + BigInt(k * CHAIN_PER_JD + i), flags: X });
    jds[k]!.define(absoluteSymbols(defs));
  }
}

/** The search order of the chain's head: its link order followed transitively (jd0, jd1, ..., jd99). */
function chainSearchOrder(jds: readonly JITDylib[]): JITDylibSearchOrder {
  return jds[0]!.getDFSLinkOrder().map((jd) => [jd, JITDylibLookupFlags.MatchExportedSymbolsOnly] as const);
}

async function chainFirst(): Promise<number> {
  const chainAll = chainNames().all;
  const { es, jds } = chainSession();
  const t0 = now();
  defineChain(jds);
  const r = await es.lookup(chainSearchOrder(jds), chainAll);
  const t1 = now();
  check(r.size, chainAll.length, 'chain');
  return t1 - t0;
}

async function chainReady(): Promise<number> {
  const chainAll = chainNames().all;
  const { es, jds } = chainSession();
  defineChain(jds);
  await es.lookup(chainSearchOrder(jds), chainAll);
  const t0 = now();
  const r = await es.lookup(chainSearchOrder(jds), chainAll);
  const t1 = now();
  check(r.size, chainAll.length, 'chain-ready');
  return t1 - t0;
}

// ---- (4) symbols materialized by a custom MaterializationUnit ----

/** Resolves each of its symbols at `base + index` and emits them (no dependencies) when triggered. */
class BenchMU extends MaterializationUnit {
  constructor(
    syms: readonly string[],
    private readonly base: bigint,
  ) {
    const flags = new Map<string, number>();
    for (const n of syms) flags.set(n, X);
    super({ symbolFlags: flags });
  }
  getName(): string {
    return 'BenchMU';
  }
  materialize(mr: MaterializationResponsibility): void {
    const resolved: SymbolMap = new Map();
    let a = this.base;
    for (const [name, flags] of mr.getSymbols()) resolved.set(name, { address: a++, flags });
    mr.notifyResolved(resolved);
    mr.notifyEmitted();
  }
  protected discard(): void {}
}

async function customMU(ns: readonly string[], perMU: number): Promise<number> {
  const { es, jd } = newSession();
  const t0 = now();
  for (let i = 0; i < ns.length; i += perMU) jd.define(new BenchMU(ns.slice(i, i + perMU), BASE + BigInt(i)));
  const r = await es.lookup(jd, ns);
  const t1 = now();
  check(r.size, ns.length, 'custom-mu');
  return t1 - t0;
}

// ---- (5) a ring: s[i] depends on s[i+1], s[N-1] on s[0] ----

/** Hands its responsibility to the benchmark, which resolves and emits it later. */
class HoldingMU extends MaterializationUnit {
  constructor(
    name: string,
    private readonly slot: number,
    private readonly held: MaterializationResponsibility[],
  ) {
    super({ symbolFlags: new Map([[name, X]]) });
  }
  getName(): string {
    return 'HoldingMU';
  }
  materialize(mr: MaterializationResponsibility): void {
    this.held[this.slot] = mr;
  }
  protected discard(): void {}
}

async function ring(ns: readonly string[]): Promise<number> {
  const { es, jd } = newSession();
  const n = ns.length;
  const held = new Array<MaterializationResponsibility>(n);
  const t0 = now();
  for (let i = 0; i < n; i++) jd.define(new HoldingMU(ns[i]!, i, held));
  let done = false;
  const p = es.lookup(jd, ns).then((r) => {
    done = true;
    return r;
  });
  for (let i = 0; i < n; i++) {
    const mr = held[i]!;
    const name = ns[i]!;
    mr.notifyResolved(new Map([[name, { address: BASE + BigInt(i), flags: X }]]));
    mr.notifyEmitted([{ symbols: [name], dependencies: new Map([[jd, [ns[(i + 1) % n]!]]]) }]);
  }
  const r = await p;
  const t1 = now();
  if (!done) throw new Error('ring: lookup not complete');
  check(r.size, n, 'ring');
  return t1 - t0;
}

// ---- (6) memory: 1,000,000 absolute symbols defined, looked up, kept alive ----

/** What the memory row keeps alive while it measures. */
const kept: unknown[] = [];
const memory: Record<string, number> = {};

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function rssRow(n: number): Promise<number> {
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const ns = names(n);
  const { es, jd } = newSession();
  const t0 = now();
  const defs: SymbolMap = new Map();
  for (let i = 0; i < n; i++) defs.set(ns[i]!, { address: BASE + BigInt(i), flags: X });
  jd.define(absoluteSymbols(defs));
  const r = await es.lookup(jd, ns);
  const t1 = now();
  check(r.size, n, 'rss');
  kept.push(es, jd, r, ns);
  gc();
  const m = process.memoryUsage();
  memory.rssAfterGC = m.rss;
  memory.bytesPerSymbol = (m.rss - rss0) / n;
  memory.heapBytesPerSymbol = (m.heapUsed - heap0) / n;
  return t1 - t0;
}

// ---- the table ----

const N100K = 100_000;
const N1M = 1_000_000;
const memo = new Map<number, string[]>();
const lazyNames = (n: number): string[] => {
  let ns = memo.get(n);
  if (!ns) memo.set(n, (ns = names(n)));
  return ns;
};

interface RowOptions {
  /** Timed repetitions in orc-ts. */
  reps: number;
  /** Untimed warm-up (default: one full run). */
  warmup?: () => Promise<unknown>;
  /** Repetitions for C++ ORC (default: `reps`), and whether it skips the warm-up (default: no). */
  cppReps?: number;
  cppNoWarmup?: boolean;
}

function workload(id: string, label: string, symbols: number, run: () => Promise<number>, o: RowOptions): Workload {
  const warmup = o.warmup ?? run;
  return {
    id,
    label,
    symbols,
    reps: o.reps,
    cppReps: o.cppReps ?? o.reps,
    cppNoWarmup: o.cppNoWarmup ?? false,
    run,
    warmup: async () => void (await warmup()),
  };
}

const abs100k = (): Promise<number> => absOneMU(lazyNames(N100K));
const perSym100k = (): Promise<number> => absMUPerSymbol(lazyNames(N100K));

/**
 * Every row, in table order. Repetitions keep the whole run near two minutes on a quiet 2-core machine: the
 * million-symbol rows run once or twice (once in C++ ORC) after a 100,000-symbol warm-up; C++ ORC runs its rings,
 * which are quadratic there, fewer times.
 */
export const workloads: readonly Workload[] = [
  workload('abs-one-mu-100k', 'absolute, 1 MU for all, define + 1 lookup', N100K, abs100k, { reps: 5 }),
  workload('abs-one-mu-1m', 'absolute, 1 MU for all, define + 1 lookup', N1M, () => absOneMU(lazyNames(N1M)), {
    reps: 2,
    cppReps: 1,
    warmup: abs100k,
  }),
  workload('abs-mu-per-sym-100k', 'absolute, 1 MU per symbol, define + 1 lookup', N100K, perSym100k, { reps: 5 }),
  workload('abs-mu-per-sym-1m', 'absolute, 1 MU per symbol, define + 1 lookup', N1M, () => absMUPerSymbol(lazyNames(N1M)), {
    reps: 1,
    warmup: perSym100k,
  }),
  workload('lookup-1x1-100k', 'lookup one symbol per call (await), Ready', N100K, () => lookupOneAtATime(lazyNames(N100K)), {
    reps: 5,
  }),
  workload('lookup-1x1-cb-100k', 'lookup one symbol per call (callback), Ready', N100K, () =>
    lookupOneAtATimeCallback(lazyNames(N100K)), { reps: 5 },
  ),
  workload('chain-100x1000', 'link-order chain 100 JDs x 1000, define + 1 lookup', CHAIN_JDS * CHAIN_PER_JD, chainFirst, {
    reps: 5,
  }),
  workload('chain-100x1000-ready', 'link-order chain 100 JDs x 1000, lookup again', CHAIN_JDS * CHAIN_PER_JD, chainReady, {
    reps: 5,
  }),
  workload('custom-mu-one-100k', 'custom MU, 1 MU x 100000 symbols', N100K, () => customMU(lazyNames(N100K), N100K), { reps: 5 }),
  workload('custom-mu-100-100k', 'custom MU, 1000 MUs x 100 symbols', N100K, () => customMU(lazyNames(N100K), 100), { reps: 5 }),
  workload('custom-mu-each-100k', 'custom MU, 100000 MUs x 1 symbol', N100K, () => customMU(lazyNames(N100K), 1), { reps: 5 }),
  workload('ring-1000', 'ring, 1 MU each, emit in order', 1000, () => ring(lazyNames(1000)), { reps: 7, cppReps: 3 }),
  workload('ring-4000', 'ring, 1 MU each, emit in order', 4000, () => ring(lazyNames(4000)), {
    reps: 7,
    cppReps: 1,
    cppNoWarmup: true,
  }),
  workload('ring-100k', 'ring, 1 MU each, emit in order', N100K, () => ring(lazyNames(N100K)), { reps: 3 }),
  {
    ...workload('rss-1m', 'memory: 1M absolute, define + lookup, kept alive', N1M, () => rssRow(N1M), {
      reps: 1,
      warmup: async () => {},
      cppNoWarmup: true,
    }),
    extra: () => ({ ...memory }),
  },
];
