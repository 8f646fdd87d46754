import type { LinkGraph } from '../graph/link-graph.js';
import type { LinkTargetRegistry } from '../graph/link-target-registry.js';
import type { ObjectFileFormat, ObjectFileInterface } from '../layer/object-file-format.js';
import { readElfObject, type ElfObjectReader } from '../elf/elf-reader.js';
import { buildElfLinkGraph, getElfObjectInterface } from './elf-link-graph-builder.js';

/** The ELF object format for the {@link ObjectLinkingLayer}: interface reading and graph building. */
export class ElfObjectFormat implements ObjectFileFormat {
  /**
   * The reader each `getInterface` built, kept for the `buildGraph` of the same bytes that follows when the object
   * is linked, so that an object is read and validated once, not twice. Taken (removed) by `buildGraph`; weak, so
   * an object that is never linked does not keep its reader alive.
   */
  private readonly readers = new WeakMap<Uint8Array, ElfObjectReader>();

  recognizes(bytes: Uint8Array): boolean {
    return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  }

  getInterface(bytes: Uint8Array, fileName: string): ObjectFileInterface {
    const obj = readElfObject(bytes, fileName);
    const symbolFlags = getElfObjectInterface(obj);
    this.readers.set(bytes, obj);
    return { symbolFlags, initSymbol: null };
  }

  buildGraph(bytes: Uint8Array, fileName: string, targets: LinkTargetRegistry): LinkGraph {
    let obj = this.readers.get(bytes);
    if (obj) this.readers.delete(bytes);
    // The graph is named after the file: reuse the reader only if it was made for the same name.
    if (!obj || obj.fileName !== String(fileName)) obj = readElfObject(bytes, fileName);
    return buildElfLinkGraph(obj, targets);
  }
}
