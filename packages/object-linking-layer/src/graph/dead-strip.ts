import type { LinkGraph, Symbol } from './link-graph.js';

/**
 * Dead-stripping (JITLink's prune step): starting from live symbols, every block reached is kept and every edge
 * target of a kept block becomes live. Then non-live defined symbols, unreached blocks and non-live external and
 * absolute symbols are removed.
 */
export function pruneDeadCode(graph: LinkGraph): void {
  const work: Symbol[] = [];
  for (const s of graph.definedSymbols()) if (s.isLive) work.push(s);
  const visited = new Set<object>();
  while (work.length) {
    const block = work.pop()!.block;
    if (!block || visited.has(block)) continue;
    visited.add(block);
    for (const e of block.edges) {
      const t = e.target;
      if (t.isLive) {
        if (t.block && !visited.has(t.block)) work.push(t);
        continue;
      }
      t.isLive = true;
      if (t.block) work.push(t);
    }
  }
  for (const section of graph.sections.values()) {
    // Deleting the current element while iterating a Set or Map is safe (and skips nothing): no copies needed.
    for (const s of section.symbols) if (!s.isLive || !visited.has(s.block!)) section.symbols.delete(s);
    // Compacted in place (a spread of a large array would overflow the stack).
    const blocks = section.blocks;
    let kept = 0;
    for (const b of blocks) if (visited.has(b)) blocks[kept++] = b;
    blocks.length = kept;
  }
  for (const s of graph.externalSymbols.values()) if (!s.isLive) graph.removeExternalSymbol(s);
  for (const s of graph.absoluteSymbols) if (!s.isLive) graph.absoluteSymbols.delete(s);
}
