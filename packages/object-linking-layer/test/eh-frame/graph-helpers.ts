import { MemProt } from '@orc-ts/core';
import { LinkGraph, type Block, type Section } from '@orc-ts/object-linking-layer';

/** Edge kinds used by the hand-built graphs (any distinct relocation kinds will do). */
export const Kinds = Object.freeze({ pointer64: 2, pointer32: 3, delta64: 4, delta32: 5, negDelta64: 6, negDelta32: 7 });

/** A little-endian graph with 8-byte pointers (or 4 when asked). */
export function newGraph(pointerSize = 8, name = 'eh.o'): LinkGraph {
  return new LinkGraph(name, { name: 'test', pointerSize, endianness: 'little' });
}

/** Adds an `.eh_frame` section with one block of `content` at `address`. */
export function addEhFrame(graph: LinkGraph, content: Uint8Array, address = 0n, alignment = 8): { section: Section; block: Block } {
  const section = graph.createSection('.eh_frame', MemProt.Read);
  return { section, block: graph.createContentBlock(section, content, address, alignment) };
}

/** Adds a `.text` block of `size` bytes at `address`. */
export function addText(graph: LinkGraph, address: bigint, size: number, sectionName = '.text'): Block {
  const section = graph.createSection(sectionName, MemProt.Read | MemProt.Exec);
  return graph.createContentBlock(section, new Uint8Array(size), address, 4);
}

/** The section's blocks sorted by address. */
export function blocksByAddress(section: Section): Block[] {
  return [...section.blocks].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.ordinal - b.ordinal));
}
