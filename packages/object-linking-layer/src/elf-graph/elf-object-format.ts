import type { LinkGraph } from '../graph/link-graph.js';
import type { LinkTargetRegistry } from '../graph/link-target-registry.js';
import type { ObjectFileFormat, ObjectFileInterface } from '../layer/object-file-format.js';
import { readElfObject } from '../elf/elf-reader.js';
import { buildElfLinkGraph, getElfObjectInterface } from './elf-link-graph-builder.js';

/** The ELF object format for the {@link ObjectLinkingLayer}: interface reading and graph building. */
export class ElfObjectFormat implements ObjectFileFormat {
  recognizes(bytes: Uint8Array): boolean {
    return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  }

  getInterface(bytes: Uint8Array, fileName: string): ObjectFileInterface {
    return { symbolFlags: getElfObjectInterface(readElfObject(bytes, fileName)), initSymbol: null };
  }

  buildGraph(bytes: Uint8Array, fileName: string, targets: LinkTargetRegistry): LinkGraph {
    return buildElfLinkGraph(readElfObject(bytes, fileName), targets);
  }
}
