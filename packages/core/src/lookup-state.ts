import type { AsynchronousSymbolQuery } from './asynchronous-symbol-query.js';
import type { DefinitionGenerator } from './definition-generator.js';
import type { SymbolDependenceMap } from './errors.js';
import { OrcError } from './errors.js';
import type { SymbolFlagsMap } from './executor-symbol-def.js';
import type { JITDylibSearchOrder, LookupKind } from './lookup-flags.js';
import type { SymbolState } from './symbol-state.js';
import { SymbolLookupSet } from './symbol-lookup-set.js';

/**
 * A generator in a JITDylib's list, with the scheduling state the session keeps for it.
 * @internal
 */
export class GeneratorRecord {
  /** The lookup currently running (or about to resume into) this generator. */
  owner: InProgressLookupState | null = null;
  /** Lookups waiting for the generator, in order. */
  readonly queue: InProgressLookupState[] = [];
  removed = false;
  constructor(readonly generator: DefinitionGenerator) {}
}

/** What a lookup in progress will do once the generator phase is over. @internal */
export type LookupCompletion =
  | {
      kind: 'lookup';
      query: AsynchronousSymbolQuery;
      requiredState: SymbolState;
      registerDependencies: ((deps: SymbolDependenceMap) => void) | undefined;
    }
  | { kind: 'flags'; onComplete: (error: unknown, flags?: SymbolFlagsMap) => void };

/**
 * A lookup between its start and the moment it is lodged: the generator phase's position (search order index,
 * generator index) and candidate sets, so that it can be suspended and resumed.
 * @internal
 */
export class InProgressLookupState {
  /** Index of the JITDylib being searched. */
  jdIndex = 0;
  /** Index of the next generator to try in that JITDylib. */
  generatorIndex = 0;
  /** Snapshot of the current JITDylib's generators. */
  generators: GeneratorRecord[] = [];
  /** Whether the current JITDylib has been entered (candidates filtered, generators snapshot). */
  enteredJD = false;
  /** Symbols not yet found. */
  candidates: SymbolLookupSet;
  /** Symbols present but hidden in the current JITDylib: candidates again in the next one. */
  nonCandidates = new SymbolLookupSet();
  /** The generator this lookup holds, if any. */
  held: GeneratorRecord | null = null;
  failed = false;

  constructor(
    readonly kind: LookupKind,
    readonly searchOrder: JITDylibSearchOrder,
    readonly lookupSet: SymbolLookupSet,
    readonly completion: LookupCompletion,
  ) {
    this.candidates = lookupSet.clone();
  }
}

/**
 * Handed to {@link DefinitionGenerator.tryToGenerate}: lets a generator suspend the lookup and continue it later.
 */
export class LookupState {
  private suspended = false;
  private continued = false;

  /** @internal */
  constructor(private readonly resume: (error?: unknown) => void) {}

  /**
   * Keeps the lookup suspended after `tryToGenerate` returns, until {@link LookupState.continueLookup} is called
   * (ORC's "moving the LookupState out").
   */
  suspend(): this {
    this.suspended = true;
    return this;
  }

  /** @internal True when the generator suspended the lookup. */
  isSuspended(): boolean {
    return this.suspended;
  }

  /**
   * Continues a suspended lookup: releases the generator to the next queued lookup, then goes on searching, or fails
   * the lookup with `error`. May be called once.
   */
  continueLookup(error?: unknown): void {
    if (!this.suspended) throw new OrcError('continueLookup called on a lookup that was not suspended');
    if (this.continued) throw new OrcError('continueLookup called twice');
    this.continued = true;
    this.resume(error);
  }
}
