import type { Block, LinkGraph } from '../graph/link-graph.js';

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The external dependencies of a graph's blocks by strongly connected component (blocks reaching each other
 * through edges share everything they reach). @internal
 */
export interface ExternalDependencyComponents {
  /** The blocks: the graph's, then any reached through an edge that no section lists. */
  readonly blocks: readonly Block[];
  /** The component of each block of {@link blocks}, by position. */
  readonly components: readonly number[];
  /** The component of a block of {@link blocks}. */
  componentOf(block: Block): number | undefined;
  /**
   * The names of the external symbols each component depends on, directly or transitively, without duplicates, or
   * null when there are none.
   */
  readonly externals: ReadonlyArray<readonly string[] | null>;
}

/**
 * Computes {@link ExternalDependencyComponents} over strongly connected components (iterative Tarjan), so cycles
 * between blocks cost nothing extra: linear in blocks + edges (plus the size of the resulting lists). A component's
 * list holds its members' externals and its successors' lists, members in the order they leave Tarjan's stack, each
 * member's own externals before its successors' lists, both in edge order. @internal
 */
export function computeExternalDependencyComponents(graph: LinkGraph): ExternalDependencyComponents {
  // Blocks are numbered and everything per block lives in arrays indexed by that number.
  const blocks: Block[] = [];
  const ids = new Map<Block, number>();
  const idOf = (b: Block): number => {
    let i = ids.get(b);
    if (i === undefined) {
      i = blocks.length;
      ids.set(b, i);
      blocks.push(b);
    }
    return i;
  };
  for (const section of graph.sections.values()) for (const b of section.blocks) idOf(b);

  const index: number[] = [];
  const low: number[] = [];
  const onStack: boolean[] = [];
  const component: number[] = [];
  const successors: number[][] = [];
  const ownExternals: Array<string[] | null> = [];
  const externals: Array<string[] | null> = [];
  /** The last component each name was added to, to add it once per component without a set per component. */
  const addedTo = new Map<string, number>();
  const stack: number[] = [];
  let counter = 0;

  // Frames of the iterative depth-first search: (block, next successor index).
  const frameBlock: number[] = [];
  const frameNext: number[] = [];
  const push = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    const succ: number[] = [];
    let ext: string[] | null = null;
    const b = blocks[v]!;
    for (const e of b.edges) {
      const t = e.target;
      if (t.block) {
        if (t.block !== b) succ.push(idOf(t.block));
      } else if (t.isExternal() && t.name !== null) {
        (ext ??= []).push(t.name);
      }
    }
    successors[v] = succ;
    ownExternals[v] = ext;
    frameBlock.push(v);
    frameNext.push(0);
  };

  for (let root = 0; root < blocks.length; root++) {
    if (index[root] !== undefined) continue;
    push(root);
    while (frameBlock.length) {
      const top = frameBlock.length - 1;
      const v = frameBlock[top]!;
      const succ = successors[v]!;
      const i = frameNext[top]!;
      if (i < succ.length) {
        frameNext[top] = i + 1;
        const w = succ[i]!;
        if (index[w] === undefined) push(w);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      frameBlock.pop();
      frameNext.pop();
      if (frameBlock.length) {
        const parent = frameBlock[frameBlock.length - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] !== index[v]) continue;
      // v roots a component: pop it and collect the members' externals and their successors' (finished) lists.
      const c = externals.length;
      const first = stack.length - 1;
      let start = first;
      while (stack[start] !== v) start--;
      for (let k = start; k <= first; k++) {
        const m = stack[k]!;
        onStack[m] = false;
        component[m] = c;
      }
      let deps: string[] | null = null;
      const add = (x: string): void => {
        if (addedTo.get(x) === c) return;
        addedTo.set(x, c);
        (deps ??= []).push(x);
      };
      for (let k = first; k >= start; k--) {
        const m = stack[k]!;
        const own = ownExternals[m];
        if (own) for (const x of own) add(x);
        for (const s of successors[m]!) {
          const sc = component[s]!;
          if (sc === c) continue;
          const sd = externals[sc];
          if (sd) for (const x of sd) add(x);
        }
      }
      externals.push(deps);
      stack.length = start;
    }
  }

  return {
    blocks,
    components: component,
    componentOf: (block) => {
      const id = ids.get(block);
      return id === undefined ? undefined : component[id];
    },
    externals,
  };
}

/**
 * For every block of `graph`, the external symbols it depends on, directly or through other blocks of the graph
 * (edges followed transitively). Computed once per graph over strongly connected components, so cycles between
 * blocks cost nothing extra: linear in blocks + edges (plus the size of the resulting sets). The blocks of one
 * component share one set; blocks without external dependencies share one empty set.
 */
export function computeExternalDependencies(graph: LinkGraph): Map<Block, ReadonlySet<string>> {
  const { blocks, components, externals } = computeExternalDependencyComponents(graph);
  const sets: Array<ReadonlySet<string> | undefined> = [];
  const out = new Map<Block, ReadonlySet<string>>();
  for (let i = 0; i < blocks.length; i++) {
    const c = components[i]!;
    const list = externals[c];
    out.set(blocks[i]!, list ? (sets[c] ??= new Set(list)) : EMPTY);
  }
  return out;
}
