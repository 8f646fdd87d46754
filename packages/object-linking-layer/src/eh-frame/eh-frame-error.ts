import { JITLinkError } from '../graph/jitlink-error.js';

/**
 * A malformed or unsupported call-frame-information record found by the eh-frame passes
 * ({@link DWARFRecordSectionSplitter}, {@link EHFrameEdgeFixer}).
 *
 * The message reads `In graph <graph>, section <section> at offset 0x<offset>: <problem>`. The offset is measured
 * from the lowest block address of the section when the pass started, so for a section read from a relocatable
 * ELF object (whose sections start at address 0) it is the offset in the section's content, as
 * `llvm-dwarfdump --eh-frame` prints it.
 */
export class EHFrameError extends JITLinkError {
  constructor(
    /** The graph's name (usually the object file's). */
    readonly graphName: string,
    /** The section holding the record. */
    readonly sectionName: string,
    /**
     * Offset from the start of the section of the faulty record (its length field); of the block, for a zero-fill
     * block or an edge outside its block; of the field, for two relocations at one offset.
     */
    readonly offset: number,
    /** What is wrong, without the location prefix. */
    readonly problem: string,
  ) {
    super(`In graph ${graphName}, section ${sectionName} at offset 0x${offset.toString(16)}: ${problem}`);
  }
}

/** The lowest block address of a section (the origin of {@link EHFrameError} offsets); 0 when it has no blocks. */
export function sectionBaseAddress(blocks: readonly { address: bigint }[]): bigint {
  let base: bigint | undefined;
  for (const b of blocks) if (base === undefined || b.address < base) base = b.address;
  return base ?? 0n;
}

/** A failure callback turning offsets in a block at `blockAddress` into {@link EHFrameError}s. */
export function ehFrameFailure(graphName: string, sectionName: string, sectionBase: bigint, blockAddress: bigint): (offsetInBlock: number, problem: string) => never {
  return (offsetInBlock, problem) => {
    throw new EHFrameError(graphName, sectionName, Number(blockAddress - sectionBase) + offsetInBlock, problem);
  };
}
