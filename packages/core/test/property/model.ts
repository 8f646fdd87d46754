/**
 * A reference model of the core's observable semantics (reference/orc-core.md §2-§7, WOG behaviour, with orc-ts's
 * documented choices) for the random-program property test, and the harness that runs a program against a real
 * ExecutionSession and the model side by side.
 *
 * The model is declarative where the core is incremental: a symbol is Ready when it and every symbol in the closure
 * of its recorded dependencies has been emitted; an emitted, not-yet-Ready symbol fails when anything in that
 * closure fails. The harness checks after every step that the real symbol tables match the model exactly (state,
 * HasError, weak flag, materializer attached, address), and, once the dispatcher has drained, that every lookup has
 * the outcome the model predicts.
 */
import {
  DuplicateDefinition,
  ExecutionSession,
  FailedToMaterialize,
  JITDylibDefunct,
  JITDylibLookupFlags,
  JITSymbolFlags,
  LookupKind,
  QueueingTaskDispatcher,
  ResourceTrackerDefunct,
  SimpleMaterializationUnit,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolState,
  SymbolsCouldNotBeRemoved,
  SymbolsNotFound,
  UnsatisfiedSymbolDependencies,
  absoluteSymbols,
  type DefinitionGenerator,
  type JITDylib,
  type MaterializationResponsibility,
  type ResourceTracker,
  type SymbolDependenceGroup,
  type SymbolMap,
  type TaskDispatcher,
} from '@orc-ts/core';

export const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
export const JD_COUNT = 2;

/**
 * A dependency of a symbol: a fixed `(JITDylib, name)` (which may not exist by then), or the `index`-th symbol
 * defined (in an open JITDylib) at the time of the emit.
 */
export type DepSpec = { jd: number; name: number } | { index: number };

/** A name a lookup asks for: a fixed one, or the `index`-th name defined in the searched JITDylibs at that time. */
export type NameSpec = { name: number } | { index: number };

/** One symbol of a defined unit: its name, whether it is weak, and what it will depend on when emitted. */
export interface SymSpec {
  name: number;
  weak: boolean;
  deps: DepSpec[];
}

/** One step of a random program. Indices (JITDylib, tracker, responsibility, name) are resolved at run time. */
export type Op =
  | {
      t: 'define';
      jd: number;
      tracker: number;
      kind: 'abs' | 'sync' | 'async';
      syms: SymSpec[];
      grouping: 'each' | 'one' | 'none';
      /** Look the new symbols up right away (weakly, requiring this state), or not (null). */
      trigger: SymbolState | null;
      settle: boolean;
    }
  | { t: 'lookup'; order: readonly number[]; names: Array<[name: NameSpec, weak: boolean]>; req: SymbolState; settle: boolean }
  | { t: 'resolve'; mr: number; mask: number; settle: boolean }
  | { t: 'emit'; mr: number; settle: boolean }
  | { t: 'fail'; mr: number; settle: boolean }
  | { t: 'removeTracker'; jd: number; tracker: number; busy: boolean }
  | { t: 'jdRemove'; jd: number; names: number[]; settle: boolean }
  | { t: 'removeJD'; jd: number }
  | { t: 'addGenerator'; jd: number; async: boolean; names: number[] };

type ErrorClass = abstract new (...args: never[]) => Error;

class MTracker {
  defunct = false;
}

class MUnit {
  readonly names: Set<string>;
  constructor(
    readonly id: number,
    readonly jd: number,
    readonly kind: 'abs' | 'sync' | 'async',
    readonly specs: ReadonlyMap<string, SymSpec>,
    readonly grouping: 'each' | 'one' | 'none',
    readonly tracker: MTracker,
    readonly absAddr: ReadonlyMap<string, bigint>,
  ) {
    this.names = new Set(specs.keys());
  }
}

class MSlot {
  state = SymbolState.NeverSearched;
  failed = false;
  emitted = false;
  ready = false;
  address: bigint | null = null;
  deps: MSlot[] = [];
  constructor(
    readonly jd: number,
    readonly name: string,
    public weak: boolean,
    public unit: MUnit | null,
    public tracker: MTracker,
  ) {}
}

class MResponsibility {
  real: MaterializationResponsibility | undefined;
  finished = false;
  done: () => void = () => {};
  constructor(
    readonly unit: MUnit,
    readonly symbols: Set<MSlot>,
  ) {}
  get tracker(): MTracker {
    return this.unit.tracker;
  }
}

interface QueryRecord {
  calls: number;
  error: unknown;
  result: SymbolMap | undefined;
}

class MQuery {
  readonly waiting = new Set<MSlot>();
  readonly matched = new Map<string, MSlot>();
  outcome: 'pending' | 'ok' | 'err' = 'pending';
  errorClass: ErrorClass | null = null;
  expected: Map<string, bigint> | null = null;
  constructor(
    readonly required: SymbolState,
    readonly record: QueryRecord,
    readonly description: string,
  ) {}
}

interface MGenerator {
  async: boolean;
  names: ReadonlySet<string>;
}

/** A tiny deterministic PRNG for the finishing choices. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/** Runs one random program against a real session and the model. */
export class Harness {
  readonly es: ExecutionSession;
  readonly jds: JITDylib[];
  private readonly realTrackers: ResourceTracker[][];
  private readonly queueing: boolean;
  private readonly reported: unknown[] = [];
  private removalCalls = 0;

  // model
  private readonly tables: Array<Map<string, MSlot>> = [];
  private readonly closed: boolean[] = [];
  private readonly defaults: MTracker[] = [];
  private readonly created: MTracker[][] = [];
  private readonly generators: MGenerator[][] = [];
  private readonly mrs: MResponsibility[] = [];
  private readonly mrByUnit = new Map<number, MResponsibility>();
  private readonly queries: MQuery[] = [];
  private readonly pendingAbs: MResponsibility[] = [];
  private expectedReports = 0;
  private expectedRemovalCalls = 0;
  private readonly allSlots: MSlot[] = [];

  // addresses
  private nextAddress = 0x1000n;
  private readonly assigned = new Map<bigint, string>();
  private readonly plannedGen = new Map<string, bigint>();
  private unplannedGenerations = 0;
  private nextUnit = 1;

  constructor(dispatcher: TaskDispatcher) {
    this.queueing = dispatcher instanceof QueueingTaskDispatcher;
    this.es = new ExecutionSession({ dispatcher, errorReporter: (e) => this.reported.push(e) });
    this.es.registerResourceManager({
      handleRemoveResources: () => {
        this.removalCalls++;
      },
      handleTransferResources: () => {},
    });
    this.jds = [];
    this.realTrackers = [];
    for (let j = 0; j < JD_COUNT; j++) {
      const jd = this.es.createJITDylib(`J${j}`);
      this.jds.push(jd);
      this.realTrackers.push([jd.createResourceTracker(), jd.createResourceTracker()]);
      this.tables.push(new Map());
      this.closed.push(false);
      this.defaults.push(new MTracker());
      this.created.push([new MTracker(), new MTracker()]);
      this.generators.push([]);
    }
  }

  private alloc(name: string): bigint {
    const a = this.nextAddress;
    this.nextAddress += 0x10n;
    this.assigned.set(a, name);
    return a;
  }

  // ---------------------------------------------------------------- running

  async run(ops: readonly Op[], finishSeed: number): Promise<void> {
    for (const op of ops) {
      await this.step(op);
    }
    await this.finish(finishSeed);
  }

  private async step(op: Op): Promise<void> {
    let settle = true;
    let checkNow = true;
    switch (op.t) {
      case 'define': {
        this.define(op);
        const j = op.jd % JD_COUNT;
        const asyncGen = this.generators[j]!.some((g) => g.async);
        if (op.trigger !== null) this.lookup([j], op.syms.map((s) => [NAMES[s.name % NAMES.length]!, true] as const), op.trigger);
        settle = op.settle || asyncGen;
        checkNow = !asyncGen;
        break;
      }
      case 'lookup': {
        const order = op.order.map((j) => j % JD_COUNT);
        const asyncGen = order.some((j) => this.generators[j]!.some((g) => g.async));
        const pool = [...new Set(order.flatMap((j) => [...this.tables[j]!.keys()]))].sort();
        const nameOf = (n: NameSpec): string =>
          'name' in n ? NAMES[n.name % NAMES.length]! : pool.length ? pool[n.index % pool.length]! : NAMES[n.index % NAMES.length]!;
        const names = op.names.map(([n, w]) => [nameOf(n), w] as const);
        this.lookup(order, names, op.req);
        settle = op.settle || asyncGen;
        checkNow = !asyncGen; // the real lookup finishes its generator phase on a later turn
        break;
      }
      case 'resolve':
      case 'emit':
      case 'fail': {
        const mr = this.pick(op.mr);
        if (!mr) return; // nothing to act on
        if (op.t === 'resolve') this.resolveOp(mr, op.mask);
        else if (op.t === 'emit') this.emitResponsibility(mr);
        else this.failResponsibility(mr);
        settle = op.settle;
        break;
      }
      case 'removeTracker': {
        const [j, which] = (op.busy && this.busyTracker(op.tracker)) || [op.jd % JD_COUNT, op.tracker % 3];
        await this.removeTracker(j, which);
        break;
      }
      case 'jdRemove':
        this.jdRemove(op.jd % JD_COUNT, op.names.map((n) => NAMES[n % NAMES.length]!));
        settle = op.settle;
        break;
      case 'removeJD':
        await this.removeJD(op.jd % JD_COUNT);
        break;
      case 'addGenerator':
        this.addGenerator(op.jd % JD_COUNT, op.async, op.names.map((n) => NAMES[n % NAMES.length]!));
        break;
    }
    if (checkNow) this.checkTables();
    if (settle) await this.settle();
  }

  /**
   * Lets the dispatcher and promise continuations run, then compares everything with the model. Two turns suffice:
   * a queueing dispatcher runs the tasks dispatched during a batch in that batch, and everything else here is
   * microtasks (a settle that was too short would show up as a mismatch, not pass silently).
   */
  private async settle(): Promise<void> {
    for (let i = 0; i < 2; i++) await new Promise<void>((r) => setImmediate(r));
    while (this.pendingAbs.length) this.materializeAbsolute(this.pendingAbs.shift()!);
    this.checkTables();
    this.checkQueries();
    this.checkReports();
  }

  private async finish(seed: number): Promise<void> {
    const random = prng(seed);
    await this.settle();
    for (let round = 0; round < 10; round++) {
      let work = false;
      for (let j = 0; j < JD_COUNT; j++) {
        if (this.closed[j]) continue;
        const attached = [...this.tables[j]!.values()].filter((s) => s.unit !== null).map((s) => s.name);
        if (!attached.length) continue;
        work = true;
        this.lookup([j], attached.map((n) => [n, true] as const), SymbolState.Resolved);
        await this.settle();
      }
      for (const mr of this.mrs.filter((m) => m.real && !m.finished)) {
        work = true;
        if (random() < 0.7) this.emitResponsibility(mr);
        else this.failResponsibility(mr);
        this.checkTables();
      }
      await this.settle();
      if (!work) break;
    }
    const d = this.es.getDispatcher();
    if (d instanceof QueueingTaskDispatcher) await d.whenIdle();
    await this.settle();

    // Everything settled, exactly once; nothing is left half-done.
    for (const q of this.queries) {
      ensure(q.outcome !== 'pending', () => `model: query ${q.description} still pending at the end`);
      ensure(q.record.calls === 1, () => `query ${q.description} called back ${q.record.calls} times`);
    }
    ensure(this.mrs.every((m) => m.finished), () => 'a responsibility was left unfinished');
    for (let j = 0; j < JD_COUNT; j++) {
      for (const s of this.tables[j]!.values()) {
        ensure(s.ready || s.failed, () => `J${j}:${s.name} neither Ready nor failed at the end`);
      }
    }
    ensure(
      this.removalCalls === this.expectedRemovalCalls,
      () => `resource manager saw ${this.removalCalls} removals, model ${this.expectedRemovalCalls}`,
    );
    ensure(this.unplannedGenerations === 0, () => 'a generator defined a symbol the model did not plan');
  }

  // ---------------------------------------------------------------- define

  private define(op: Extract<Op, { t: 'define' }>): void {
    const j = op.jd % JD_COUNT;
    const jd = this.jds[j]!;
    const specs = new Map<string, SymSpec>();
    for (const s of op.syms) specs.set(NAMES[s.name % NAMES.length]!, s);
    const flagsOf = (s: SymSpec): number => JITSymbolFlags.Exported | (s.weak ? JITSymbolFlags.Weak : 0);
    const which = op.tracker % 3;
    const modelTracker = which === 0 ? this.defaults[j]! : this.created[j]![which - 1]!;
    const realTracker = which === 0 ? undefined : this.realTrackers[j]![which - 1]!;
    const absAddr = new Map<string, bigint>();
    if (op.kind === 'abs') for (const name of specs.keys()) absAddr.set(name, this.alloc(name));
    const unit = new MUnit(this.nextUnit++, j, op.kind, specs, op.grouping, modelTracker, absAddr);

    // real
    let realError: unknown;
    try {
      jd.define(this.makeRealUnit(unit, flagsOf), realTracker);
    } catch (e) {
      realError = e;
    }

    // model
    let expected: ErrorClass | null = null;
    const table = this.tables[j]!;
    const overridden: MSlot[] = [];
    const givenWay: string[] = [];
    if (this.closed[j]) expected = JITDylibDefunct;
    else if (modelTracker.defunct) expected = ResourceTrackerDefunct;
    else {
      for (const [name, spec] of specs) {
        const existing = table.get(name);
        if (!existing) continue;
        if (!spec.weak) {
          if (!existing.weak || existing.state !== SymbolState.NeverSearched) {
            expected = DuplicateDefinition;
            break;
          }
          overridden.push(existing);
        } else {
          givenWay.push(name);
        }
      }
    }
    this.expectError(realError, expected, `define ${[...specs.keys()]} in J${j}`);
    if (expected) return;
    for (const s of overridden) s.unit?.names.delete(s.name);
    for (const name of givenWay) unit.names.delete(name);
    for (const name of unit.names) {
      const spec = specs.get(name)!;
      let slot = table.get(name);
      if (slot) {
        slot.weak = spec.weak;
        slot.unit = unit;
        slot.tracker = modelTracker;
      } else {
        slot = new MSlot(j, name, spec.weak, unit, modelTracker);
        table.set(name, slot);
        this.allSlots.push(slot);
      }
    }
  }

  private makeRealUnit(unit: MUnit, flagsOf: (s: SymSpec) => number): SimpleMaterializationUnit | ReturnType<typeof absoluteSymbols> {
    if (unit.kind === 'abs') {
      const defs: SymbolMap = new Map();
      for (const [name, spec] of unit.specs) defs.set(name, { address: unit.absAddr.get(name)!, flags: flagsOf(spec) });
      return absoluteSymbols(defs);
    }
    const flags = new Map([...unit.specs].map(([name, spec]) => [name, flagsOf(spec)] as const));
    const arrive = (mr: MaterializationResponsibility): MResponsibility => {
      const rec = this.mrByUnit.get(unit.id);
      if (!rec) throw new Error(`unit ${unit.id} materialized unexpectedly`);
      ensure(rec.real === undefined, () => `unit ${unit.id} materialized twice`);
      const names = [...mr.getSymbols().keys()];
      ensure(
        names.length === rec.symbols.size && [...rec.symbols].every((s) => names.includes(s.name)),
        () => `unit ${unit.id} responsibility for [${names}], model [${[...rec.symbols].map((s) => s.name)}]`,
      );
      rec.real = mr;
      return rec;
    };
    return new SimpleMaterializationUnit(flags, {
      name: `unit${unit.id}`,
      materialize:
        unit.kind === 'sync'
          ? (mr) => {
              arrive(mr);
            }
          : async (mr) => {
              await Promise.resolve();
              const rec = arrive(mr);
              await new Promise<void>((r) => (rec.done = r));
            },
    });
  }

  // ---------------------------------------------------------------- lookup

  private lookup(order: readonly number[], names: ReadonlyArray<readonly [string, boolean]>, req: SymbolState): void {
    const record: QueryRecord = { calls: 0, error: undefined, result: undefined };
    const description = `#${this.queries.length} [${order.map((j) => `J${j}`)}] ${names.map(([n, w]) => (w ? `${n}?` : n))} @${SymbolState[req]}`;
    const q = new MQuery(req, record, description);
    this.queries.push(q);
    const unique = names.filter(([n], i) => names.findIndex(([m]) => m === n) === i);

    // Model phase 1, which may plan generated definitions (the real generators use the planned addresses).
    const generated: Array<[number, string[]]> = [];
    let error: ErrorClass | null = null;
    let cand = unique.slice();
    const filter = (j: number): void => {
      const table = this.tables[j]!;
      const keep: Array<readonly [string, boolean]> = [];
      for (const c of cand) {
        const slot = table.get(c[0]);
        if (!slot) keep.push(c);
        else if (slot.failed) error ??= FailedToMaterialize;
      }
      cand = keep;
    };
    for (const j of order) {
      if (this.closed[j]) {
        error = JITDylibDefunct;
        break;
      }
      filter(j);
      if (error) break;
      for (const g of this.generators[j]!) {
        if (!cand.length) break;
        const toDefine = cand.map(([n]) => n).filter((n) => g.names.has(n)).sort();
        if (toDefine.length) {
          generated.push([j, toDefine]);
          const absAddr = new Map<string, bigint>();
          for (const n of toDefine) {
            const a = this.alloc(n);
            absAddr.set(n, a);
            this.plannedGen.set(`${j}:${n}`, a);
          }
          const specs = new Map<string, SymSpec>(toDefine.map((n) => [n, { name: 0, weak: false, deps: [] }]));
          const unit = new MUnit(this.nextUnit++, j, 'abs', specs, 'none', this.defaults[j]!, absAddr);
          for (const n of toDefine) {
            const slot = new MSlot(j, n, false, unit, this.defaults[j]!);
            this.tables[j]!.set(n, slot);
            this.allSlots.push(slot);
          }
        }
        filter(j);
      }
      if (!cand.length) break;
    }
    if (!error && cand.some(([, weak]) => !weak)) error = SymbolsNotFound;

    // Model phase 2.
    const collected: MUnit[] = [];
    if (!error) {
      let set = unique.slice();
      for (const j of order) {
        if (this.closed[j]) {
          error = JITDylibDefunct;
          break;
        }
        const table = this.tables[j]!;
        const rest: Array<readonly [string, boolean]> = [];
        for (const c of set) {
          const slot = table.get(c[0]);
          if (!slot) {
            rest.push(c);
            continue;
          }
          if (slot.failed) {
            error = FailedToMaterialize;
            break;
          }
          q.matched.set(slot.name, slot);
          if (slot.state >= req) continue;
          const unit = slot.unit;
          if (unit) {
            collected.push(unit);
            for (const n of unit.names) {
              const s = table.get(n)!;
              s.unit = null;
              if (s.state === SymbolState.NeverSearched) s.state = SymbolState.Materializing;
            }
          }
          q.waiting.add(slot);
        }
        set = rest;
        if (error) break;
      }
      if (!error && set.some(([, weak]) => !weak)) error = SymbolsNotFound;
    }

    if (error) {
      // A failed lodge re-attaches the collected units; their symbols stay Materializing.
      for (const unit of collected) for (const n of unit.names) this.tables[unit.jd]!.get(n)!.unit = unit;
      this.failQuery(q, error);
    }
    const abs: MResponsibility[] = [];
    for (const unit of error ? [] : collected) {
      const symbols = new Set([...unit.names].map((n) => this.tables[unit.jd]!.get(n)!));
      const mr = new MResponsibility(unit, symbols);
      if (unit.kind === 'abs') {
        abs.push(mr);
      } else {
        this.mrs.push(mr);
        this.mrByUnit.set(unit.id, mr);
      }
    }
    // Real (after the model's bookkeeping: an in-place dispatcher materializes inside this call).
    this.es.lookupAsync(
      LookupKind.Static,
      order.map((j) => [this.jds[j]!, JITDylibLookupFlags.MatchExportedSymbolsOnly] as const),
      SymbolLookupSet.fromEntries(
        unique.map(([n, weak]) => [n, weak ? SymbolLookupFlags.WeaklyReferencedSymbol : SymbolLookupFlags.RequiredSymbol] as const),
      ),
      req,
      (err, result) => {
        record.calls++;
        if (err !== null && err !== undefined) record.error = err;
        else record.result = result;
      },
    );

    if (error) return;
    if (this.queueing) this.pendingAbs.push(...abs);
    else for (const mr of abs) this.materializeAbsolute(mr);
    this.advance();
  }

  private materializeAbsolute(mr: MResponsibility): void {
    if (mr.tracker.defunct) {
      this.expectedReports++; // notifyResolved throws ResourceTrackerDefunct; the unit reports it
      return;
    }
    for (const s of mr.symbols) {
      s.state = SymbolState.Resolved;
      s.address = mr.unit.absAddr.get(s.name)!;
    }
    this.advance();
    for (const s of mr.symbols) {
      s.emitted = true;
      s.deps = [];
      s.state = SymbolState.Emitted;
    }
    this.recomputeReady();
    this.advance();
  }

  private addGenerator(j: number, async: boolean, names: string[]): void {
    const g: MGenerator = { async, names: new Set(names) };
    const planned = (jd: number, n: string): bigint => {
      const a = this.plannedGen.get(`${jd}:${n}`);
      if (a === undefined) {
        this.unplannedGenerations++;
        return this.alloc(n);
      }
      this.plannedGen.delete(`${jd}:${n}`);
      return a;
    };
    const generate = (target: JITDylib, set: SymbolLookupSet): void => {
      const toDefine = set.getSymbolNames().filter((n) => g.names.has(n)).sort();
      if (!toDefine.length) return;
      const defs: SymbolMap = new Map(toDefine.map((n) => [n, { address: planned(j, n), flags: JITSymbolFlags.Exported }] as const));
      target.define(absoluteSymbols(defs));
    };
    const real: DefinitionGenerator = async
      ? {
          async tryToGenerate(_ls, _kind, target, _flags, set) {
            await Promise.resolve();
            generate(target, set);
          },
        }
      : {
          tryToGenerate(_ls, _kind, target, _flags, set) {
            generate(target, set);
          },
        };
    let realError: unknown;
    try {
      this.jds[j]!.addGenerator(real);
    } catch (e) {
      realError = e;
    }
    this.expectError(realError, this.closed[j] ? JITDylibDefunct : null, `addGenerator J${j}`);
    if (!this.closed[j]) this.generators[j]!.push(g);
  }

  // ---------------------------------------------------------------- responsibilities

  private pick(index: number): MResponsibility | undefined {
    const live = this.mrs.filter((m) => m.real && !m.finished);
    return live.length ? live[index % live.length] : undefined;
  }

  private resolveOp(mr: MResponsibility, mask: number): void {
    const unresolved = [...mr.symbols].filter((s) => s.state === SymbolState.Materializing).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (!unresolved.length) return;
    let chosen = unresolved.filter((_, i) => mask & (1 << i));
    if (!chosen.length) chosen = [unresolved[0]!];
    this.resolveSlots(mr, chosen);
  }

  /** notifyResolved for `slots`; returns false if it threw (as predicted). */
  private resolveSlots(mr: MResponsibility, slots: MSlot[]): boolean {
    const addresses = new Map(slots.map((s) => [s, this.alloc(s.name)] as const));
    let realError: unknown;
    try {
      mr.real!.notifyResolved(
        new Map(
          slots.map((s) => {
            const flags = JITSymbolFlags.Exported | (s.weak ? JITSymbolFlags.Weak : 0);
            return [s.name, { address: addresses.get(s)!, flags }] as const;
          }),
        ),
      );
    } catch (e) {
      realError = e;
    }
    const expected = mr.tracker.defunct
      ? ResourceTrackerDefunct
      : this.closed[mr.unit.jd]
        ? JITDylibDefunct
        : slots.some((s) => s.failed)
          ? FailedToMaterialize
          : null;
    this.expectError(realError, expected, `notifyResolved ${slots.map((s) => s.name)} of unit${mr.unit.id}`);
    if (expected) return false;
    for (const s of slots) {
      s.state = SymbolState.Resolved;
      s.address = addresses.get(s)!;
    }
    this.advance();
    return true;
  }

  private finishResponsibility(mr: MResponsibility): void {
    mr.finished = true;
    mr.symbols.clear();
    mr.done();
  }

  private emitResponsibility(mr: MResponsibility): void {
    const unresolved = [...mr.symbols].filter((s) => s.state === SymbolState.Materializing && !s.failed);
    if (unresolved.length && !mr.tracker.defunct && !this.closed[mr.unit.jd]) {
      if (!this.resolveSlots(mr, unresolved)) return;
    }
    const names = [...mr.symbols].map((s) => s.name);
    const specGroups: Array<{ symbols: string[]; deps: Array<[number, string]> }> = [];
    const defined: Array<[number, string]> = [];
    for (let j = 0; j < JD_COUNT; j++) if (!this.closed[j]) for (const n of [...this.tables[j]!.keys()].sort()) defined.push([j, n]);
    const depsOf = (n: string): Array<[number, string]> =>
      (mr.unit.specs.get(n)?.deps ?? []).flatMap((d): Array<[number, string]> => {
        if ('jd' in d) return [[d.jd % JD_COUNT, NAMES[d.name % NAMES.length]!]];
        return defined.length ? [defined[d.index % defined.length]!] : [];
      });
    if (mr.unit.grouping === 'each') for (const n of names) specGroups.push({ symbols: [n], deps: depsOf(n) });
    else if (mr.unit.grouping === 'one' && names.length) specGroups.push({ symbols: names, deps: names.flatMap(depsOf) });
    const groups: SymbolDependenceGroup[] = specGroups.map((g) => {
      const byJD = new Map<JITDylib, string[]>();
      for (const [j, n] of g.deps) {
        const list = byJD.get(this.jds[j]!) ?? [];
        if (!list.includes(n)) list.push(n);
        byJD.set(this.jds[j]!, list);
      }
      return { symbols: g.symbols, dependencies: byJD };
    });

    let realError: unknown;
    try {
      mr.real!.notifyEmitted(groups);
    } catch (e) {
      realError = e;
    }

    if (mr.tracker.defunct || this.closed[mr.unit.jd]) {
      this.expectError(realError, mr.tracker.defunct ? ResourceTrackerDefunct : JITDylibDefunct, `notifyEmitted unit${mr.unit.id}`);
      // As a client does: give up the responsibility.
      mr.real!.failMaterialization();
      this.finishResponsibility(mr);
      return;
    }

    // Model of notifyEmitted: groups with bad dependencies fail first, then the others emit (failing if a
    // dependency failed meanwhile), then the symbols in no group emit without dependencies.
    const slotOf = new Map([...mr.symbols].map((s) => [s.name, s] as const));
    const live = new Set([...mr.symbols].filter((s) => !s.failed));
    let bad = false;
    const toEmit: Array<[MSlot[], MSlot[]]> = [];
    const grouped = new Set<string>();
    for (const g of specGroups) {
      const defs = g.symbols.map((n) => slotOf.get(n)!).filter((s) => live.has(s));
      g.symbols.forEach((n) => grouped.add(n));
      const deps: MSlot[] = [];
      let ok = true;
      for (const [j, n] of g.deps) {
        const d = this.closed[j] ? undefined : this.tables[j]!.get(n);
        if (d && !d.failed) deps.push(d);
        else ok = false;
      }
      if (!ok) {
        bad = true;
        this.fail(defs);
      } else if (defs.length) {
        toEmit.push([defs, deps]);
      }
    }
    for (const [defs, deps] of toEmit) {
      if (deps.some((d) => d.failed)) {
        bad = true;
        this.fail(defs);
        continue;
      }
      for (const s of defs) {
        if (s.failed) continue;
        s.emitted = true;
        s.deps = deps;
        s.state = SymbolState.Emitted;
      }
    }
    for (const s of live) {
      if (grouped.has(s.name) || s.failed) continue;
      s.emitted = true;
      s.deps = [];
      s.state = SymbolState.Emitted;
    }
    this.recomputeReady();
    this.propagateFailures();
    this.advance();
    this.expectError(realError, bad ? UnsatisfiedSymbolDependencies : null, `notifyEmitted unit${mr.unit.id}`);
    this.finishResponsibility(mr);
  }

  private failResponsibility(mr: MResponsibility): void {
    mr.real!.failMaterialization();
    const symbols = [...mr.symbols];
    const defunct = mr.tracker.defunct;
    this.finishResponsibility(mr);
    if (!defunct && symbols.length) this.fail(symbols);
  }

  // ---------------------------------------------------------------- removal

  /** A tracker owning an emitted symbol that still waits (or else any live symbol): the interesting removals. */
  private busyTracker(index: number): [number, number] | undefined {
    const candidates: Array<[number, number, boolean]> = [];
    for (let j = 0; j < JD_COUNT; j++) {
      if (this.closed[j]) continue;
      const trackers = [this.defaults[j]!, ...this.created[j]!];
      trackers.forEach((t, which) => {
        const owned = [...this.tables[j]!.values()].filter((s) => s.tracker === t);
        if (owned.length) candidates.push([j, which, owned.some((s) => s.emitted && !s.ready && !s.failed)]);
      });
    }
    const waiting = candidates.filter((c) => c[2]);
    const pool = waiting.length ? waiting : candidates;
    if (!pool.length) return undefined;
    const [j, which] = pool[index % pool.length]!;
    return [j, which];
  }

  private async removeTracker(j: number, which: number): Promise<void> {
    if (this.closed[j]) return; // whether a closed JITDylib's unused trackers were removed is not specified
    const modelTracker = which === 0 ? this.defaults[j]! : this.created[j]![which - 1]!;
    const real = which === 0 ? this.jds[j]!.getDefaultResourceTracker() : this.realTrackers[j]![which - 1]!;
    let realError: unknown;
    try {
      await real.remove();
    } catch (e) {
      realError = e;
    }
    this.expectError(realError, modelTracker.defunct ? ResourceTrackerDefunct : null, `remove tracker ${which} of J${j}`);
    if (modelTracker.defunct) return;
    this.expectedRemovalCalls++;
    modelTracker.defunct = true;
    if (which === 0) this.defaults[j] = new MTracker();
    const table = this.tables[j]!;
    const owned = [...table.values()].filter((s) => s.tracker === modelTracker);
    this.erase(j, owned);
  }

  /** Fails the in-flight symbols among `slots` (with their dependants), then erases them all. */
  private erase(j: number, slots: MSlot[]): void {
    this.fail(slots.filter((s) => !s.ready));
    for (const s of slots) {
      s.unit?.names.delete(s.name);
      s.unit = null;
      this.tables[j]!.delete(s.name);
    }
  }

  private jdRemove(j: number, names: string[]): void {
    const unique = [...new Set(names)];
    let realError: unknown;
    try {
      this.jds[j]!.remove(unique);
    } catch (e) {
      realError = e;
    }
    const table = this.tables[j]!;
    const missing = unique.filter((n) => !table.has(n));
    const busy = unique.filter((n) => table.has(n) && ![SymbolState.NeverSearched, SymbolState.Ready].includes(table.get(n)!.state));
    const expected = missing.length ? SymbolsNotFound : busy.length ? SymbolsCouldNotBeRemoved : null;
    this.expectError(realError, expected, `J${j}.remove(${unique})`);
    if (expected) return;
    this.erase(
      j,
      unique.map((n) => table.get(n)!),
    );
  }

  private async removeJD(j: number): Promise<void> {
    let realError: unknown;
    try {
      await this.es.removeJITDylib(this.jds[j]!);
    } catch (e) {
      realError = e;
    }
    this.expectError(realError, this.closed[j] ? JITDylibDefunct : null, `removeJITDylib J${j}`);
    if (this.closed[j]) return;
    this.closed[j] = true;
    this.defaults[j]!.defunct = true;
    for (const t of this.created[j]!) t.defunct = true;
    this.defaults[j] = new MTracker();
    this.generators[j] = [];
    this.erase(j, [...this.tables[j]!.values()]);
    // How many trackers clear() removes (those ever used, plus the default) is not modelled: take the count as is.
    this.expectedRemovalCalls = this.removalCalls;
  }

  // ---------------------------------------------------------------- dependency model

  private closure(s: MSlot): Set<MSlot> {
    const seen = new Set<MSlot>();
    const stack = [...s.deps];
    while (stack.length) {
      const d = stack.pop()!;
      if (seen.has(d)) continue;
      seen.add(d);
      for (const x of d.deps) stack.push(x);
    }
    return seen;
  }

  /** Emitted symbols whose whole dependency closure is emitted become Ready. */
  private recomputeReady(): void {
    for (const s of this.allSlots) {
      if (!s.emitted || s.failed || s.ready) continue;
      let all = true;
      for (const d of this.closure(s)) if (!d.emitted) all = false;
      if (all) {
        s.ready = true;
        s.state = SymbolState.Ready;
      }
    }
  }

  /** Emitted, not-Ready symbols with a failed symbol in their closure fail. */
  private propagateFailures(): void {
    for (;;) {
      const victims = this.allSlots.filter((s) => s.emitted && !s.failed && !s.ready && [...this.closure(s)].some((d) => d.failed));
      if (!victims.length) return;
      this.fail(victims, false);
    }
  }

  private fail(slots: MSlot[], propagate = true): void {
    for (const s of slots) {
      if (s.failed) continue;
      s.failed = true;
      for (const q of this.queries) if (q.outcome === 'pending' && q.waiting.has(s)) this.failQuery(q, FailedToMaterialize);
    }
    if (propagate) this.propagateFailures();
  }

  private failQuery(q: MQuery, error: ErrorClass): void {
    q.outcome = 'err';
    q.errorClass = error;
    q.waiting.clear();
  }

  /** Queries whose symbols have all reached the required state complete. */
  private advance(): void {
    for (const q of this.queries) {
      if (q.outcome !== 'pending') continue;
      for (const s of q.waiting) if (!s.failed && s.state >= q.required) q.waiting.delete(s);
      if (q.waiting.size === 0) {
        q.outcome = 'ok';
        q.expected = new Map([...q.matched].map(([n, s]) => [n, s.address!] as const));
      }
    }
  }

  // ---------------------------------------------------------------- checks
  // Plain comparisons (vitest's expect is too slow for thousands of checks per program); messages on failure only.

  private expectError(actual: unknown, expected: ErrorClass | null, what: string): void {
    if (expected === null) ensure(actual === undefined, () => `${what}: unexpected error ${show(actual)}`);
    else ensure(actual instanceof expected, () => `${what}: expected ${expected.name}, got ${show(actual)}`);
  }

  /** The real tables equal the model's, and no Ready symbol depends on anything not emitted. */
  checkTables(): void {
    for (let j = 0; j < JD_COUNT; j++) {
      const jd = this.jds[j]!;
      const table = this.tables[j]!;
      const names = jd.getSymbolNames();
      ensure(
        names.length === table.size && names.every((n) => table.has(n)),
        () => `J${j} symbols: real [${names.sort()}], model [${[...table.keys()].sort()}]`,
      );
      for (const [name, s] of table) {
        const info = jd.getSymbolInfo(name)!;
        const where = `J${j}:${name}`;
        ensure(info.state === s.state, () => `${where} state: real ${SymbolState[info.state]}, model ${SymbolState[s.state]}`);
        ensure(JITSymbolFlags.hasError(info.flags) === s.failed, () => `${where} HasError: real ${!s.failed}, model ${s.failed}`);
        ensure(JITSymbolFlags.isWeak(info.flags) === s.weak, () => `${where} Weak: real ${!s.weak}, model ${s.weak}`);
        ensure(info.materializerAttached === (s.unit !== null), () => `${where} materializer attached: model ${s.unit !== null}`);
        if (s.state >= SymbolState.Resolved) ensure(info.address === s.address, () => `${where} address: real ${info.address}, model ${s.address}`);
        if (info.state === SymbolState.Ready) {
          // The property itself: nothing a Ready symbol (transitively) depends on is un-emitted.
          for (const d of this.closure(s)) ensure(d.emitted, () => `${where} is Ready but depends on un-emitted J${d.jd}:${d.name}`);
        }
      }
    }
    // Model sanity: an emitted, non-failed, non-Ready symbol never has a failed symbol in its closure.
    for (const s of this.allSlots) {
      if (s.emitted && !s.failed && !s.ready) {
        ensure(![...this.closure(s)].some((d) => d.failed), () => `model: J${s.jd}:${s.name} waits on a failed symbol`);
      }
    }
  }

  /** Every query has exactly the outcome the model predicts (checked once the dispatcher has drained). */
  checkQueries(): void {
    for (const q of this.queries) {
      const r = q.record;
      const what = `query ${q.description}`;
      ensure(r.calls <= 1, () => `${what} called back ${r.calls} times`);
      if (q.outcome === 'pending') {
        ensure(r.calls === 0, () => `${what} should be pending, got ${show(r.error ?? r.result)}`);
      } else if (q.outcome === 'err') {
        ensure(
          r.calls === 1 && r.error instanceof q.errorClass!,
          () => `${what} should fail with ${q.errorClass!.name}, got ${r.calls ? show(r.error ?? r.result) : 'nothing'}`,
        );
      } else {
        ensure(r.calls === 1 && r.error === undefined, () => `${what} should succeed, got ${r.calls ? show(r.error) : 'nothing'}`);
        const got = r.result!;
        const expected = q.expected!;
        ensure(
          got.size === expected.size && [...expected].every(([n, a]) => got.get(n)?.address === a),
          () => `${what} result: real ${show(got)}, model ${show(expected)}`,
        );
        for (const [n, def] of got) ensure(this.assigned.get(def.address) === n, () => `${what}: ${n} at an address never assigned to it`);
      }
    }
  }

  checkReports(): void {
    for (const e of this.reported) ensure(e instanceof ResourceTrackerDefunct, () => `unexpected error reported: ${show(e)}`);
    ensure(this.reported.length === this.expectedReports, () => `${this.reported.length} errors reported, model ${this.expectedReports}`);
  }
}

function ensure(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

function show(x: unknown): string {
  if (x instanceof Error) return `${x.constructor.name}: ${x.message}`;
  if (x instanceof Map) {
    const value = (v: unknown): string =>
      typeof v === 'object' && v !== null && 'address' in v ? String((v as { address: unknown }).address) : String(v);
    return `{${[...x].map(([k, v]) => `${String(k)}: ${value(v)}`).join(', ')}}`;
  }
  return String(x);
}

