import type { LinkGraph } from './link-graph.js';

/** A pass over a link graph; may be asynchronous. */
export type LinkGraphPass = (graph: LinkGraph) => void | Promise<void>;

/**
 * The passes of one link, by phase, in LLVM JITLink's order: pre-prune, prune (dead-strip, built in),
 * post-prune, allocate (built in), post-allocation, resolve externals (built in), pre-fixup, fixup (built in),
 * post-fixup, finalize (built in). Targets and plugins append to the lists.
 */
export class PassConfiguration {
  /** Before dead-stripping: splitting, marking live, renaming. */
  readonly prePrunePasses: LinkGraphPass[] = [];
  /** After dead-stripping, before allocation: GOT/PLT tables. */
  readonly postPrunePasses: LinkGraphPass[] = [];
  /** After addresses are assigned, before externals are resolved: `__start_`/`__stop_`, `_GLOBAL_OFFSET_TABLE_`. */
  readonly postAllocationPasses: LinkGraphPass[] = [];
  /** After externals are resolved, before fixups: relaxation, branch range extension. */
  readonly preFixupPasses: LinkGraphPass[] = [];
  /** After fixups, before finalization: inspection (checkers, symbol maps). */
  readonly postFixupPasses: LinkGraphPass[] = [];
}
