/**
 * @orc-ts/core: ORC's session core in TypeScript. ExecutionSession, JITDylibs, lookups, materialization
 * responsibilities, dependency tracking, weak/duplicate rules, aliases and reexports, definition generators,
 * resource trackers, task dispatch, and the interfaces the other packages implement (executor, platform).
 * @packageDocumentation
 */
import 'reflect-metadata';

export { JITSymbolFlags } from './symbol-flags.js';
export { SymbolState } from './symbol-state.js';
export {
  executorSymbolDef,
  executorSymbolDefEquals,
  formatAddress,
  type ExecutorAddr,
  type ExecutorSymbolDef,
  type SymbolFlagsMap,
  type SymbolMap,
} from './executor-symbol-def.js';
export {
  JITDylibLookupFlags,
  LookupKind,
  SymbolLookupFlags,
  makeJITDylibSearchOrder,
  type JITDylibSearchOrder,
} from './lookup-flags.js';
export { SymbolLookupSet } from './symbol-lookup-set.js';
export {
  DuplicateDefinition,
  FailedToMaterialize,
  JITDylibDefunct,
  MaterializationResponsibilityDropped,
  MissingSymbolDefinitions,
  OrcError,
  ResourceTrackerDefunct,
  SymbolsCouldNotBeRemoved,
  SymbolsNotFound,
  UnexpectedSymbolDefinitions,
  UnsatisfiedSymbolDependencies,
  addToDependenceMap,
  formatSymbolDependenceMap,
  joinErrors,
  type SymbolDependenceMap,
} from './errors.js';
export {
  GenericNamedTask,
  InPlaceTaskDispatcher,
  QueueingTaskDispatcher,
  type QueueingTaskDispatcherOptions,
  type Task,
  type TaskDispatcher,
} from './task-dispatch.js';
export {
  MaterializationUnit,
  SimpleMaterializationUnit,
  type MaterializationUnitInterface,
  type SimpleMaterializationUnitCallbacks,
} from './materialization-unit.js';
export { MaterializationResponsibility, type SymbolDependenceGroup } from './materialization-responsibility.js';
export { ResourceTracker, type ResourceKey, type ResourceManager } from './resource-tracker.js';
export { JITDylib, JITDylibState, type SymbolInfo } from './jit-dylib.js';
export type { DefinitionGenerator } from './definition-generator.js';
export { LookupState } from './lookup-state.js';
export {
  ExecutionSession,
  type AddressSymbolizer,
  type ErrorReporter,
  type ExecutionSessionOptions,
  type LookupOptions,
  type SearchOrderLike,
} from './execution-session.js';
export type { LookupCallback } from './asynchronous-symbol-query.js';
export { AbsoluteSymbolsMaterializationUnit, absoluteSymbols } from './absolute-symbols.js';
export {
  ReExportsMaterializationUnit,
  buildSimpleReexportsAliasMap,
  reexports,
  symbolAliases,
  type SymbolAliasMap,
  type SymbolAliasMapEntry,
} from './reexports.js';
export { ReexportsGenerator } from './reexports-generator.js';
export { MemProt, formatMemProt } from './memory-prot.js';
export type {
  ExecutorAllocationAction,
  ExecutorFinalizeRequest,
  ExecutorMemoryAccess,
  ExecutorMemoryManager,
  ExecutorMemoryWrite,
  ExecutorProcessControl,
  ExecutorSegment,
  ExecutorSessionLink,
  ExecutorWrapperCall,
} from './executor-process-control.js';
export type { Platform } from './platform.js';
export { JITDispatchHandlerRegistry, type JITDispatchHandler } from './jit-dispatch.js';
export {
  ErrorReporterToken,
  ExecutionSessionToken,
  ExecutorProcessControlToken,
  PlatformToken,
  ResourceManagerToken,
  TaskDispatcherToken,
  registerCore,
  type RegisterCoreOptions,
} from './di.js';
export {
  ExecutionTimeout,
  ExecutorFault,
  formatExecutorFault,
  type ExecutorFaultInfo,
  type ExecutorFaultKind,
  type SymbolizedAddress,
} from './executor-fault.js';
export { ProgramExit } from './program-exit.js';
