import type { SymbolFlagsMap } from '@orc-ts/core';
import type { LinkGraph } from '../graph/link-graph.js';
import type { LinkTargetRegistry } from '../graph/link-target-registry.js';

/** The symbols an object file defines, as a materialization unit presents them before it is linked. */
export interface ObjectFileInterface {
  /** Defined, non-local symbols with their flags. */
  readonly symbolFlags: SymbolFlagsMap;
  /** The initializer symbol, if the object has initializers the platform must run. */
  readonly initSymbol: string | null;
}

/** An object-file format the layer can link (ELF today). */
export interface ObjectFileFormat {
  /** True when `bytes` look like this format. */
  recognizes(bytes: Uint8Array): boolean;
  /** Reads the symbol interface without building a graph. Throws a typed error naming the file on bad input. */
  getInterface(bytes: Uint8Array, fileName: string): ObjectFileInterface;
  /** Builds the link graph, using the target registered for the object's machine. */
  buildGraph(bytes: Uint8Array, fileName: string, targets: LinkTargetRegistry): LinkGraph;
}
