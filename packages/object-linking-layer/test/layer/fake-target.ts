import { JITLinkError, type Block, type Edge, type EdgeSpec, type ElfRelocationInfo, type LinkGraph, type LinkTarget, type PassConfiguration } from '@orc-ts/object-linking-layer';

/** Edge kind of the fake target: write S + A as a 64-bit little-endian word. */
export const Pointer64 = 2;
/** Edge kind of the fake target: write S + A - P as a 32-bit word, range-checked. */
export const Delta32 = 3;

/** A minimal 64-bit little-endian target, so the generic linker can be tested without a real architecture. */
export class FakeTarget implements LinkTarget {
  readonly info = { name: 'fake64', pointerSize: 8, endianness: 'little' as const };
  readonly elfMachine: number = 0xfffe;
  readonly extraPasses: Array<(config: PassConfiguration) => void> = [];
  getEdgeKindName(kind: number): string {
    return kind === Pointer64 ? 'Pointer64' : kind === Delta32 ? 'Delta32' : `kind${kind}`;
  }
  mapElfRelocation(_graph: LinkGraph, _block: Block, _rel: ElfRelocationInfo): EdgeSpec | null {
    return null;
  }
  configurePasses(_graph: LinkGraph, config: PassConfiguration): void {
    for (const p of this.extraPasses) p(config);
  }
  applyFixup(graph: LinkGraph, block: Block, edge: Edge, content: Uint8Array): void {
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const s = edge.target.getAddress();
    if (edge.kind === Pointer64) {
      view.setBigUint64(edge.offset, BigInt.asUintN(64, s + edge.addend), true);
    } else if (edge.kind === Delta32) {
      const d = s + edge.addend - (block.address + BigInt(edge.offset));
      if (d < -(2n ** 31n) || d >= 2n ** 31n) throw new JITLinkError(`In graph ${graph.name}: Delta32 out of range`);
      view.setInt32(edge.offset, Number(d), true);
    } else {
      throw new JITLinkError(`In graph ${graph.name}, section ${block.section.name} unsupported edge kind ${edge.kind}`);
    }
  }
}
