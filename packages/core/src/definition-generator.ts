import type { JITDylib } from './jit-dylib.js';
import type { JITDylibLookupFlags, LookupKind } from './lookup-flags.js';
import type { LookupState } from './lookup-state.js';
import type { SymbolLookupSet } from './symbol-lookup-set.js';

/**
 * Generates definitions on demand for symbols a lookup did not find in a JITDylib (ORC's `DefinitionGenerator`):
 * process symbols, archives, reexports...
 *
 * `tryToGenerate` may
 * - define what it can with `jd.define(...)` and return (synchronous);
 * - return a promise and define things before it settles (asynchronous; a rejection fails the lookup);
 * - call `ls.suspend()`, return, and later call `ls.continueLookup(error?)` (ORC's style of keeping the state).
 *
 * While a generator runs for one lookup, other lookups that reach it queue behind it in order (auto-suspension);
 * a nested lookup that reaches the same generator and is awaited by it therefore deadlocks, as in ORC.
 */
export interface DefinitionGenerator {
  /** Tries to define the symbols of `lookupSet` in `jd`. */
  tryToGenerate(
    ls: LookupState,
    kind: LookupKind,
    jd: JITDylib,
    jdLookupFlags: JITDylibLookupFlags,
    lookupSet: SymbolLookupSet,
  ): void | Promise<void>;
}
