/** Test-only helpers: instantiate and link a {@link BlockTemplate} with `applyFixup`. */
import { applyFixup, createBlockContent, type BlockTemplate } from '../../src/index.js';

/** Instantiates a template at `blockAddress` with all edges to `target`, applies the fixups, returns the words. */
export function link(template: BlockTemplate, blockAddress: bigint, target: bigint): number[] {
  const content = createBlockContent(template);
  const view = new DataView(content.buffer);
  for (const e of template.edges)
    applyFixup(
      {
        kind: e.kind,
        offsetInBlock: e.offset,
        fixupAddress: blockAddress + BigInt(e.offset),
        targetAddress: target,
        addend: e.addend,
        graphName: 'stubs',
        sectionName: '$__STUBS',
        blockAddress,
      },
      view,
    );
  return template.words.map((_, i) => view.getUint32(i * 4, true));
}

/** Words as zero-padded hex strings (readable diffs). */
export const hex = (ws: readonly number[]): string[] => ws.map((w) => w.toString(16).padStart(8, '0'));
