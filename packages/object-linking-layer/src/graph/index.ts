export { Block, Edge, EdgeKind, LinkGraph, Linkage, MemLifetime, Scope, Section, Symbol, type LinkGraphTargetInfo } from './link-graph.js';
export { PassConfiguration, type LinkGraphPass } from './pass-configuration.js';
export type { EdgeSpec, ElfRelocationInfo, LinkTarget } from './link-target.js';
export { LinkTargetRegistry } from './link-target-registry.js';
export {
  ExecutorJITLinkMemoryManager,
  type AllocationSegment,
  type FinalizedAllocation,
  type InFlightAllocation,
  type JITLinkMemoryManager,
} from './jitlink-memory-manager.js';
export { JITLinkError } from './jitlink-error.js';
export { pruneDeadCode } from './dead-strip.js';
export { applyFixups, linkGraph, markAllSymbolsLive, type ExternalResolution, type JITLinkContext } from './link.js';
export { defineSectionStartStopSymbols } from './section-start-stop.js';
