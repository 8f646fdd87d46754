import type { JITDylib } from './jit-dylib.js';
import type { ResourceTracker } from './resource-tracker.js';

/** JITDylib to symbol names: which symbols of which JITDylib an error or a dependency is about. */
export type SymbolDependenceMap = Map<JITDylib, Set<string>>;

/** Base class of every error the orc-ts core raises. */
export class OrcError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

function nameList(names: Iterable<string>): string {
  return `[ ${Array.from(names).join(', ')} ]`;
}

/** Renders a {@link SymbolDependenceMap} as ORC prints it: `{ (JD, { foo, bar }) }`. */
export function formatSymbolDependenceMap(map: SymbolDependenceMap): string {
  const parts: string[] = [];
  for (const [jd, names] of map) parts.push(`(${jd.getName()}, { ${Array.from(names).join(', ')} })`);
  return `{ ${parts.join(', ')} }`;
}

/** Adds `name` in `jd` to `map`. */
export function addToDependenceMap(map: SymbolDependenceMap, jd: JITDylib, name: string): void {
  let names = map.get(jd);
  if (!names) map.set(jd, (names = new Set()));
  names.add(name);
}

/** Required symbols that no JITDylib in the search order defines. */
export class SymbolsNotFound extends OrcError {
  /** The names that were not found. */
  readonly symbols: readonly string[];
  constructor(symbols: Iterable<string>) {
    const list = Array.from(symbols);
    super(`Symbols not found: ${nameList(list)}`);
    this.symbols = list;
  }
}

/** Symbols that `JITDylib.remove` could not remove because they are being materialized. */
export class SymbolsCouldNotBeRemoved extends OrcError {
  /** The names that could not be removed. */
  readonly symbols: readonly string[];
  constructor(symbols: Iterable<string>) {
    const list = Array.from(symbols);
    super(`Symbols could not be removed: ${nameList(list)}`);
    this.symbols = list;
  }
}

/** Symbols whose materialization failed (or whose tracker was removed while they were in flight). */
export class FailedToMaterialize extends OrcError {
  /** Exactly the symbols that failed, grouped by JITDylib. */
  readonly symbols: SymbolDependenceMap;
  constructor(symbols: SymbolDependenceMap, options?: { cause?: unknown }) {
    super(`Failed to materialize symbols: ${formatSymbolDependenceMap(symbols)}`, options);
    this.symbols = symbols;
  }
}

/** A strong definition of a name that is already defined (strongly, or already looked up). */
export class DuplicateDefinition extends OrcError {
  /** The duplicated name. */
  readonly symbol: string;
  /** What tried to define it (e.g. the materialization unit's name), if known. */
  readonly context: string | undefined;
  constructor(symbol: string, context?: string) {
    super(`Duplicate definition of symbol '${symbol}'${context ? ` (in ${context})` : ''}`);
    this.symbol = symbol;
    this.context = context;
  }
}

/** An emit whose dependencies include symbols that were removed, failed, or live in a closed JITDylib. */
export class UnsatisfiedSymbolDependencies extends OrcError {
  /** The JITDylib being emitted into. */
  readonly jitDylib: JITDylib;
  /** The symbols of the emit that failed because of the bad dependencies (only those: see the core's README). */
  readonly failedSymbols: ReadonlySet<string>;
  /** The bad dependencies. */
  readonly badDependencies: SymbolDependenceMap;
  /** Why they are bad. */
  readonly explanation: string;
  constructor(jitDylib: JITDylib, failedSymbols: Iterable<string>, badDependencies: SymbolDependenceMap, explanation: string) {
    const failed = new Set(failedSymbols);
    super(
      `In ${jitDylib.getName()}, symbols ${nameList(failed)} have unsatisfied dependencies ${formatSymbolDependenceMap(badDependencies)}: ${explanation}`,
    );
    this.jitDylib = jitDylib;
    this.failedSymbols = failed;
    this.badDependencies = badDependencies;
    this.explanation = explanation;
  }
}

/** An operation on a resource tracker (or on a responsibility it owns) after the tracker was removed or transferred. */
export class ResourceTrackerDefunct extends OrcError {
  /** The defunct tracker. */
  readonly tracker: ResourceTracker;
  constructor(tracker: ResourceTracker) {
    super(`Resource tracker ${tracker.getKey()} of JITDylib ${tracker.getJITDylib().getName()} became defunct`);
    this.tracker = tracker;
  }
}

/** An operation on a JITDylib that has been removed from its session (or is being removed). */
export class JITDylibDefunct extends OrcError {
  /** The defunct JITDylib. */
  readonly jitDylib: JITDylib;
  constructor(jitDylib: JITDylib) {
    super(`JITDylib ${jitDylib.getName()} is defunct`);
    this.jitDylib = jitDylib;
  }
}

/** A layer-level error: a unit produced fewer symbols than its interface claimed. */
export class MissingSymbolDefinitions extends OrcError {
  /** The module (object file, IR module...) at fault. */
  readonly moduleName: string;
  /** The claimed symbols that were not produced. */
  readonly symbols: readonly string[];
  constructor(moduleName: string, symbols: Iterable<string>) {
    const list = Array.from(symbols);
    super(`Missing definitions in module ${moduleName}: ${nameList(list)}`);
    this.moduleName = moduleName;
    this.symbols = list;
  }
}

/** A layer-level error: a unit produced symbols its interface did not claim. */
export class UnexpectedSymbolDefinitions extends OrcError {
  /** The module (object file, IR module...) at fault. */
  readonly moduleName: string;
  /** The symbols produced but not claimed. */
  readonly symbols: readonly string[];
  constructor(moduleName: string, symbols: Iterable<string>) {
    const list = Array.from(symbols);
    super(`Unexpected definitions in module ${moduleName}: ${nameList(list)}`);
    this.moduleName = moduleName;
    this.symbols = list;
  }
}

/**
 * A materialization unit whose `materialize` finished (its promise settled, or the responsibility was garbage
 * collected) while its responsibility still held symbols: those symbols are failed instead of hanging their queries.
 */
export class MaterializationResponsibilityDropped extends OrcError {
  /** The unit's name. */
  readonly unitName: string;
  /** The JITDylib of the dropped responsibility. */
  readonly jitDylib: JITDylib;
  /** The symbols it still held. */
  readonly symbols: readonly string[];
  constructor(unitName: string, jitDylib: JITDylib, symbols: Iterable<string>) {
    const list = Array.from(symbols);
    super(
      `Materialization unit ${unitName} in ${jitDylib.getName()} finished without emitting or failing ${nameList(list)}`,
    );
    this.unitName = unitName;
    this.jitDylib = jitDylib;
    this.symbols = list;
  }
}

/** Joins errors: none gives `undefined`, one gives itself, several give an `AggregateError`. */
export function joinErrors(errors: readonly unknown[], message = 'Multiple errors'): unknown {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  return new AggregateError(errors, `${message}: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
}
