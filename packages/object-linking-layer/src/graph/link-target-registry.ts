import { OrcError } from '@orc-ts/core';
import type { LinkGraph } from './link-graph.js';
import type { LinkTarget } from './link-target.js';

/** The link targets known to a linker, by ELF machine number and by name. */
export class LinkTargetRegistry {
  private readonly byMachine = new Map<number, LinkTarget>();
  private readonly byName = new Map<string, LinkTarget>();

  constructor(targets: Iterable<LinkTarget> = []) {
    for (const t of targets) this.register(t);
  }

  /** Adds a target; a later registration for the same machine replaces an earlier one. */
  register(target: LinkTarget): void {
    this.byMachine.set(target.elfMachine, target);
    this.byName.set(target.info.name, target);
  }

  /** The target for an ELF `e_machine`, if registered. */
  getByElfMachine(machine: number): LinkTarget | undefined {
    return this.byMachine.get(machine);
  }

  /** The target a graph was built for. */
  forGraph(graph: LinkGraph): LinkTarget {
    const t = this.byName.get(graph.target.name);
    if (!t) throw new OrcError(`In graph ${graph.name}: no link target registered for ${graph.target.name}`);
    return t;
  }

  /** Registered targets. */
  all(): LinkTarget[] {
    return Array.from(this.byName.values());
  }
}
