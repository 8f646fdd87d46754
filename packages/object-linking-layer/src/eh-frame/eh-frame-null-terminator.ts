import type { LinkGraph } from '../graph/link-graph.js';
import type { LinkGraphPass } from '../graph/pass-configuration.js';

/**
 * The address given to the terminator block before layout (JITLink's `~uint64_t(4)`): above every real record, so
 * that layouts ordering a section's blocks by address put it last.
 */
const NULL_TERMINATOR_ADDRESS = 0xffff_ffff_ffff_fffbn;

/**
 * Pre-prune pass (JITLink's `EHFrameNullTerminator`): appends a 4-byte zero block (alignment 1) to an eh-frame
 * section, with a live anonymous symbol so that dead-stripping keeps it, so the linked section ends with the zero
 * length that tells unwinders the records are over. Graphs without the section are left alone.
 */
export class EHFrameNullTerminator {
  /** The pass, for {@link PassConfiguration.prePrunePasses}. */
  readonly pass: LinkGraphPass;

  constructor(
    /** The eh-frame section's name, e.g. `.eh_frame`. */
    readonly sectionName: string,
  ) {
    this.pass = (graph) => this.run(graph);
  }

  /** Appends the terminator to the section of `graph`. */
  run(graph: LinkGraph): void {
    const section = graph.findSection(this.sectionName);
    if (!section) return;
    const block = graph.createMutableContentBlock(section, new Uint8Array(4), NULL_TERMINATOR_ADDRESS, 1, 0);
    graph.addAnonymousSymbol(block, 0, 4, false, true);
  }
}
