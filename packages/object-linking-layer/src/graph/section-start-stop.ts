import { Linkage, Scope, type LinkGraph } from './link-graph.js';

/**
 * Post-allocation pass: every external `__start_<sec>` / `__stop_<sec>` whose `<sec>` is a section of the graph
 * becomes a local defined symbol at the start of the section's lowest block / the end of its highest block
 * (absolute 0 for an empty section).
 */
export function defineSectionStartStopSymbols(graph: LinkGraph): void {
  for (const sym of Array.from(graph.externalSymbols.values())) {
    const name = sym.name!;
    const isStart = name.startsWith('__start_');
    if (!isStart && !name.startsWith('__stop_')) continue;
    const section = graph.findSection(name.slice(isStart ? 8 : 7));
    if (!section) continue;
    const range = section.getRange();
    if (!range) {
      graph.makeAbsolute(sym, 0n);
      // Resolved inside this graph, like the defined case: local, or the layer would report it as an unexpected
      // definition of the object.
      sym.scope = Scope.Local;
      continue;
    }
    if (isStart) graph.makeDefined(sym, range.first, 0, 0, Linkage.Strong, Scope.Local, true);
    else graph.makeDefined(sym, range.last, range.last.size, 0, Linkage.Strong, Scope.Local, true);
  }
}
