import type { Block, LinkGraph, Symbol } from '../graph/link-graph.js';

/**
 * For every block of `graph`, the external symbols it depends on, directly or through other blocks of the graph
 * (edges followed transitively). Computed once per graph over strongly connected components, so cycles between
 * blocks cost nothing extra: linear in blocks + edges (plus the size of the resulting sets).
 */
export function computeExternalDependencies(graph: LinkGraph): Map<Block, ReadonlySet<string>> {
  const index = new Map<Block, number>();
  const low = new Map<Block, number>();
  const onStack = new Set<Block>();
  const stack: Block[] = [];
  const result = new Map<Block, Set<string>>();
  let counter = 0;
  const empty: ReadonlySet<string> = new Set();

  const direct = (b: Block): { externals: string[]; blocks: Block[] } => {
    const externals: string[] = [];
    const blocks: Block[] = [];
    for (const e of b.edges) {
      const t: Symbol = e.target;
      if (t.block) {
        if (t.block !== b) blocks.push(t.block);
      } else if (t.isExternal() && t.name !== null) {
        externals.push(t.name);
      }
    }
    return { externals, blocks };
  };

  for (const root of graph.blocks()) {
    if (index.has(root)) continue;
    // Iterative Tarjan: frames of (block, successor list, next successor index).
    const frames: Array<{ b: Block; succ: Block[]; i: number; ext: string[] }> = [];
    const push = (b: Block): void => {
      index.set(b, counter);
      low.set(b, counter++);
      stack.push(b);
      onStack.add(b);
      const d = direct(b);
      frames.push({ b, succ: d.blocks, i: 0, ext: d.externals });
    };
    push(root);
    while (frames.length) {
      const f = frames[frames.length - 1]!;
      if (f.i < f.succ.length) {
        const w = f.succ[f.i++]!;
        if (!index.has(w)) push(w);
        else if (onStack.has(w)) low.set(f.b, Math.min(low.get(f.b)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1]!;
        low.set(parent.b, Math.min(low.get(parent.b)!, low.get(f.b)!));
      }
      if (low.get(f.b) !== index.get(f.b)) continue;
      // f.b roots an SCC: pop it, union the members' externals and their successors' (already computed) sets.
      const members: Block[] = [];
      let w: Block;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== f.b);
      const memberSet = new Set(members);
      const deps = new Set<string>();
      for (const m of members) {
        const d = direct(m);
        for (const x of d.externals) deps.add(x);
        for (const s of d.blocks) {
          if (memberSet.has(s)) continue;
          const sd = result.get(s);
          if (sd) for (const x of sd) deps.add(x);
        }
      }
      for (const m of members) result.set(m, deps);
    }
  }
  for (const b of graph.blocks()) if (!result.has(b)) result.set(b, empty as Set<string>);
  return result;
}
