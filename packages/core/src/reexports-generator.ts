import type { DefinitionGenerator } from './definition-generator.js';
import type { JITDylib } from './jit-dylib.js';
import { JITDylibLookupFlags, LookupKind, SymbolLookupFlags } from './lookup-flags.js';
import type { LookupState } from './lookup-state.js';
import { reexports, type SymbolAliasMap } from './reexports.js';
import { SymbolLookupSet } from './symbol-lookup-set.js';

/**
 * Reexports, on demand, the symbols a lookup asks for that `sourceJD` defines (filtered by `allow`).
 *
 * Unlike ORC's (quirk Q3), a candidate the source does not define is simply not reexported, rather than failing the
 * whole lookup with `SymbolsNotFound`: later JITDylibs in the search order still get their chance.
 */
export class ReexportsGenerator implements DefinitionGenerator {
  constructor(
    private readonly sourceJD: JITDylib,
    private readonly sourceJDLookupFlags: JITDylibLookupFlags = JITDylibLookupFlags.MatchExportedSymbolsOnly,
    private readonly allow?: (name: string) => boolean,
  ) {}

  async tryToGenerate(
    _ls: LookupState,
    kind: LookupKind,
    jd: JITDylib,
    jdLookupFlags: JITDylibLookupFlags,
    lookupSet: SymbolLookupSet,
  ): Promise<void> {
    if (jd === this.sourceJD) throw new RangeError('ReexportsGenerator cannot reexport a JITDylib into itself');
    const candidates = SymbolLookupSet.fromNames(
      lookupSet.getSymbolNames().filter((n) => !this.allow || this.allow(n)),
      SymbolLookupFlags.WeaklyReferencedSymbol,
    );
    if (candidates.isEmpty()) return;
    const flags = await jd.getExecutionSession().lookupFlags([[this.sourceJD, jdLookupFlags]], candidates, kind);
    if (flags.size === 0) return;
    const aliases: SymbolAliasMap = new Map();
    for (const [name, f] of flags) aliases.set(name, { aliasee: name, aliasFlags: f });
    jd.define(reexports(this.sourceJD, aliases, this.sourceJDLookupFlags));
  }
}
