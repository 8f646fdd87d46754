/**
 * @orc-ts/object-linking-layer: the JITLink equivalent and the ObjectLinkingLayer.
 *
 * Reads relocatable ELF objects, builds link graphs, runs JITLink's pass pipeline, allocates memory in the executor,
 * applies relocations through the registered target, and publishes the results through the ObjectLinkingLayer.
 * @packageDocumentation
 */
import 'reflect-metadata';

// link graphs and the generic linker
export * from './graph/index.js';
// the layer
export { ObjectLinkingLayer, type LayerDestination } from './layer/object-linking-layer.js';
export type { ObjectLinkingLayerPlugin } from './layer/object-linking-layer-plugin.js';
export { LinkedSymbolMap } from './layer/linked-symbol-map.js';
export type { ObjectFileFormat, ObjectFileInterface } from './layer/object-file-format.js';
export { getLinkGraphInterface, getSymbolFlags } from './layer/link-graph-interface.js';
export { computeExternalDependencies } from './layer/symbol-dependencies.js';
// ELF to link graph
export { buildElfLinkGraph, getElfObjectInterface, targetForObject } from './elf-graph/elf-link-graph-builder.js';
export { ElfObjectFormat } from './elf-graph/elf-object-format.js';
// eh-frame
export * from './eh-frame/index.js';
// dependency injection
export {
  JITLinkMemoryManagerToken,
  LinkTargetToken,
  ObjectFileFormatToken,
  ObjectLinkingLayerPluginToken,
  ObjectLinkingLayerToken,
  registerObjectLinkingLayer,
  type RegisterObjectLinkingLayerOptions,
} from './di.js';
// executors
export {
  ExecutorCannotRunCode,
  MemoryOnlyExecutorProcessControl,
  type MemoryOnlyExecutorOptions,
} from './executor/memory-only-executor.js';
// ELF object reading
export * from './elf/elf-constants.js';
export { MalformedObjectError, type MalformedObjectLocation } from './elf/elf-errors.js';
export type { ElfHeader } from './elf/elf-header.js';
export type { ElfSection } from './elf/elf-sections.js';
export { ElfStringTable } from './elf/elf-strings.js';
export { ElfSymbolTable, type ElfSymbol, type ElfSymbolPlacement } from './elf/elf-symbols.js';
export { ElfRelocationSection, type ElfRelocation } from './elf/elf-relocations.js';
export {
  ElfObjectReader,
  readElfObject,
  isRelocatable,
  expectRelocatable,
  INTERNAL_READER_ERROR_FIELD,
} from './elf/elf-reader.js';
// checker
export * from './checker/index.js';
