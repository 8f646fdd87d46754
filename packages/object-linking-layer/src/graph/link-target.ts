import type { Block, Edge, LinkGraph, LinkGraphTargetInfo } from './link-graph.js';
import type { PassConfiguration } from './pass-configuration.js';

/** An ELF relocation as the generic graph builder hands it to a target. */
export interface ElfRelocationInfo {
  /** The relocation type (`ELF64_R_TYPE`). */
  readonly type: number;
  /** Offset of the fixup within `block`. */
  readonly offsetInBlock: number;
  /** The addend. */
  readonly addend: bigint;
  /** The relocation's index in its section, for messages. */
  readonly index: number;
  /** The relocation section's name, for messages. */
  readonly relocationSection: string;
}

/** What a target maps an ELF relocation to: an edge kind and addend, or nothing (the relocation is ignored). */
export interface EdgeSpec {
  /** The edge kind. */
  readonly kind: number;
  /** The addend. */
  readonly addend: bigint;
}

/**
 * Everything target-specific the generic linker needs (JITLink's per-architecture backend). A target is
 * registered by ELF machine number; the generic packages never import a target.
 */
export interface LinkTarget {
  /** Facts about the target, copied into every graph built for it. */
  readonly info: LinkGraphTargetInfo;
  /** The ELF `e_machine` value this target links. */
  readonly elfMachine: number;
  /** The display name of an edge kind (`Pointer64`, `Branch26PCRel`...). */
  getEdgeKindName(kind: number): string;
  /**
   * Maps an ELF relocation at `rel.offsetInBlock` of `block` to an edge, validating the instruction there.
   * Returns null to ignore the relocation. Throws a descriptive error for unsupported or malformed ones.
   */
  mapElfRelocation(graph: LinkGraph, block: Block, rel: ElfRelocationInfo): EdgeSpec | null;
  /** Adds the target's passes (GOT/PLT, relaxation, range extension...) to `config`. */
  configurePasses(graph: LinkGraph, config: PassConfiguration): void;
  /** Applies one relocation edge to `content` (the block's working memory). Throws on range/alignment errors. */
  applyFixup(graph: LinkGraph, block: Block, edge: Edge, content: Uint8Array): void;
}
