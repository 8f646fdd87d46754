import { MemProt, formatAddress, formatMemProt } from '@orc-ts/core';
import { MemLifetime, type Block, type LinkGraph, type LinkTarget, type Symbol } from '@orc-ts/object-linking-layer';

/** Renders a graph after fixups for `-show-graph`: sections, blocks, symbols, edges. */
export function formatGraph(graph: LinkGraph, target: LinkTarget): string {
  const lines = [`linkgraph "${graph.name}" (${graph.target.name}):`];
  for (const section of graph.sections.values()) {
    const lifetime = section.lifetime === MemLifetime.NoAlloc ? ', no-alloc' : '';
    lines.push(`  section ${section.name} (${formatMemProt(section.prot as MemProt)}${lifetime}):`);
    // The section's symbols by block, in set order (one pass, rather than a scan of the section per block).
    const byBlock = new Map<Block, Symbol[]>();
    for (const s of section.symbols) {
      const list = byBlock.get(s.block!);
      if (list) list.push(s);
      else byBlock.set(s.block!, [s]);
    }
    for (const block of section.blocks) {
      lines.push(`    block ${formatAddress(block.address)} size 0x${block.size.toString(16)} align ${block.alignment}${block.isZeroFill() ? ' zero-fill' : ''}`);
      const syms = (byBlock.get(block) ?? []).sort((a, b) => a.offset - b.offset);
      for (const s of syms) lines.push(`      symbol +0x${s.offset.toString(16)} ${s.name ?? '<anonymous>'} size 0x${s.size.toString(16)}`);
      for (const e of block.edges) {
        lines.push(`      edge +0x${e.offset.toString(16)} ${target.getEdgeKindName(e.kind)} -> ${e.target.describe()}${e.addend ? ` + ${e.addend}` : ''}`);
      }
    }
  }
  for (const s of graph.externalSymbols.values()) lines.push(`  external ${s.name} = ${formatAddress(s.getAddress())}${s.isWeaklyReferenced ? ' (weak)' : ''}`);
  for (const s of graph.absoluteSymbols) lines.push(`  absolute ${s.name ?? '<anonymous>'} = ${formatAddress(s.getAddress())}`);
  return lines.join('\n');
}

/** One row of `-show-addrs`. */
export interface AddressRow {
  readonly file: string;
  readonly name: string;
  readonly address: bigint;
  readonly size: number;
  readonly section: string;
}

/** Collects the named symbols of a linked graph for `-show-addrs`. */
export function addressRows(graph: LinkGraph, file: string): AddressRow[] {
  const rows: AddressRow[] = [];
  for (const section of graph.sections.values()) {
    for (const s of section.symbols) if (s.name !== null) rows.push({ file, name: s.name, address: s.getAddress(), size: s.size, section: section.name });
  }
  for (const s of graph.absoluteSymbols) if (s.name !== null) rows.push({ file, name: s.name, address: s.getAddress(), size: s.size, section: '<absolute>' });
  return rows;
}

/** Renders `-show-addrs` rows grouped by file, sorted by address. */
export function formatAddressRows(rows: readonly AddressRow[]): string {
  const lines = ['Symbol addresses:'];
  const files = Array.from(new Set(rows.map((r) => r.file)));
  for (const file of files) {
    lines.push(`  ${file}:`);
    const own = rows.filter((r) => r.file === file).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name.localeCompare(b.name)));
    for (const r of own) lines.push(`    ${formatAddress(r.address)}  ${r.name} (${r.section}, size 0x${r.size.toString(16)})`);
  }
  return lines.join('\n');
}

/** Sum of block sizes in a graph. */
export function totalBlockSize(graph: LinkGraph): number {
  let n = 0;
  for (const b of graph.blocks()) n += b.size;
  return n;
}
