import type { JITDylib } from './jit-dylib.js';
import type { MaterializationUnit } from './materialization-unit.js';
import type { ResourceTracker } from './resource-tracker.js';

/**
 * Platform support (ORC's `Platform`): initializers, per-JITDylib runtime state, and whatever the target's
 * conventions need (e.g. the ELF platform's `.init_array` handling and `__dso_handle`).
 */
export interface Platform {
  /** Sets up a new JITDylib (e.g. defines its `__dso_handle`). Called by `createJITDylib`. */
  setupJITDylib(jd: JITDylib): void;
  /** Tears down a JITDylib being removed. */
  teardownJITDylib(jd: JITDylib): void | Promise<void>;
  /** Told about every unit defined, before it is installed (e.g. to record initializer symbols). May throw. */
  notifyAdding(tracker: ResourceTracker, mu: MaterializationUnit): void;
  /** Told before a tracker's resources are removed. */
  notifyRemoving(tracker: ResourceTracker): void | Promise<void>;
}
