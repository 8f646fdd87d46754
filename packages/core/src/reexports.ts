import type { SymbolDependenceMap } from './errors.js';
import { OrcError } from './errors.js';
import type { ExecutionSession } from './execution-session.js';
import type { JITSymbolFlags } from './symbol-flags.js';
import { JITSymbolFlags as Flags } from './symbol-flags.js';
import type { SymbolFlagsMap, SymbolMap } from './executor-symbol-def.js';
import type { JITDylib } from './jit-dylib.js';
import { JITDylibLookupFlags, LookupKind, SymbolLookupFlags } from './lookup-flags.js';
import type { MaterializationResponsibility, SymbolDependenceGroup } from './materialization-responsibility.js';
import { MaterializationUnit } from './materialization-unit.js';
import { SymbolLookupSet } from './symbol-lookup-set.js';
import { SymbolState } from './symbol-state.js';

/** What an alias stands for: the aliased name and the alias's own flags. */
export interface SymbolAliasMapEntry {
  /** The name the alias resolves to. */
  aliasee: string;
  /** The alias's flags. */
  aliasFlags: JITSymbolFlags;
}

/** Alias name to what it stands for. */
export type SymbolAliasMap = Map<string, SymbolAliasMapEntry>;

/**
 * Defines aliases: each alias resolves to its aliasee's address, looked up in a source JITDylib (or, for
 * `symbolAliases`, the target JITDylib itself). Only requested aliases are materialized; the others are handed back
 * so their aliasees are not materialized needlessly. Chains inside one JITDylib (baz -> bar -> foo) are resolved
 * in rounds; a cycle of aliases is an error.
 */
export class ReExportsMaterializationUnit extends MaterializationUnit {
  constructor(
    private readonly sourceJD: JITDylib | null,
    private readonly sourceJDLookupFlags: JITDylibLookupFlags,
    private readonly aliases: SymbolAliasMap,
  ) {
    const flags: SymbolFlagsMap = new Map();
    for (const [alias, { aliasFlags }] of aliases) flags.set(alias, aliasFlags);
    super({ symbolFlags: flags });
  }

  getName(): string {
    return '<Reexports>';
  }

  materialize(mr: MaterializationResponsibility): void {
    const es = mr.getExecutionSession();
    const target = mr.getTargetJITDylib();
    const source = this.sourceJD ?? target;
    const requested = mr.getRequestedSymbols();

    const unrequested: SymbolAliasMap = new Map();
    for (const [alias, entry] of this.aliases) if (!requested.has(alias) && mr.getSymbols().has(alias)) unrequested.set(alias, entry);
    if (unrequested.size) {
      for (const alias of unrequested.keys()) this.aliases.delete(alias);
      mr.replace(new ReExportsMaterializationUnit(this.sourceJD, this.sourceJDLookupFlags, unrequested));
    }

    // Split into rounds: within one JITDylib, an alias whose aliasee is itself a pending alias waits for a later round.
    const remaining: SymbolAliasMap = new Map();
    for (const [alias, entry] of this.aliases) if (mr.getSymbols().has(alias)) remaining.set(alias, entry);
    const rounds: SymbolAliasMap[] = [];
    while (remaining.size) {
      const round: SymbolAliasMap = new Map();
      for (const [alias, entry] of remaining) {
        if (source === target && remaining.has(entry.aliasee)) continue;
        round.set(alias, entry);
      }
      if (round.size === 0) {
        es.reportError(new OrcError(`Alias cycle detected in ${target.getName()}: ${Array.from(remaining.keys()).join(', ')}`));
        mr.failMaterialization();
        return;
      }
      for (const alias of round.keys()) remaining.delete(alias);
      rounds.push(round);
    }
    for (let i = rounds.length - 1; i >= 0; i--) {
      const round = rounds[i]!;
      const roundMR = mr.delegate(round.keys());
      this.resolveRound(es, roundMR, source, round);
    }
  }

  private resolveRound(es: ExecutionSession, mr: MaterializationResponsibility, source: JITDylib, round: SymbolAliasMap): void {
    const aliasees = new SymbolLookupSet();
    const seen = new Set<string>();
    for (const { aliasee, aliasFlags } of round.values()) {
      if (seen.has(aliasee)) continue;
      seen.add(aliasee);
      aliasees.add(
        aliasee,
        aliasFlags & Flags.MaterializationSideEffectsOnly ? SymbolLookupFlags.WeaklyReferencedSymbol : SymbolLookupFlags.RequiredSymbol,
      );
    }
    let notReady: SymbolDependenceMap | null = null;
    es.lookupAsync(
      LookupKind.Static,
      [[source, this.sourceJDLookupFlags]],
      aliasees,
      SymbolState.Resolved,
      (err, result) => {
        if (err !== null && err !== undefined) {
          es.reportError(err);
          mr.failMaterialization();
          return;
        }
        try {
          const resolved: SymbolMap = new Map();
          const groups: SymbolDependenceGroup[] = [];
          const pending = notReady?.get(source);
          for (const [alias, { aliasee, aliasFlags }] of round) {
            if (aliasFlags & Flags.MaterializationSideEffectsOnly) continue;
            resolved.set(alias, { address: result!.get(aliasee)!.address, flags: aliasFlags });
            if (pending?.has(aliasee)) groups.push({ symbols: [alias], dependencies: new Map([[source, [aliasee]]]) });
          }
          mr.notifyResolved(resolved);
          mr.notifyEmitted(groups);
        } catch (e) {
          es.reportError(e);
          mr.failMaterialization();
        }
      },
      (deps) => {
        notReady = deps;
      },
    );
  }

  protected discard(_jd: JITDylib, name: string): void {
    this.aliases.delete(name);
  }
}

/** Aliases within the target JITDylib (searched with all symbols visible). */
export function symbolAliases(aliases: SymbolAliasMap): ReExportsMaterializationUnit {
  return new ReExportsMaterializationUnit(null, JITDylibLookupFlags.MatchAllSymbols, aliases);
}

/** Reexports from `sourceJD`: each alias resolves to its aliasee in `sourceJD` (default: exported symbols only). */
export function reexports(
  sourceJD: JITDylib,
  aliases: SymbolAliasMap,
  sourceJDLookupFlags: JITDylibLookupFlags = JITDylibLookupFlags.MatchExportedSymbolsOnly,
): ReExportsMaterializationUnit {
  return new ReExportsMaterializationUnit(sourceJD, sourceJDLookupFlags, aliases);
}

/** Builds identity aliases (`name -> name`, same flags) for `names` as defined in `sourceJD`. */
export async function buildSimpleReexportsAliasMap(sourceJD: JITDylib, names: Iterable<string>): Promise<SymbolAliasMap> {
  const flags = await sourceJD
    .getExecutionSession()
    .lookupFlags([[sourceJD, JITDylibLookupFlags.MatchAllSymbols]], SymbolLookupSet.fromNames(names));
  const aliases: SymbolAliasMap = new Map();
  for (const [name, f] of flags) aliases.set(name, { aliasee: name, aliasFlags: f });
  return aliases;
}
