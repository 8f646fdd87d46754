import type { JITDylib } from './jit-dylib.js';
import type { MaterializationResponsibility } from './materialization-responsibility.js';
import { MaterializationUnit } from './materialization-unit.js';
import type { SymbolMap } from './executor-symbol-def.js';

/**
 * Defines symbols at fixed addresses. Still lazy: the symbols stay NeverSearched until looked up (so a weak absolute
 * symbol can still be overridden), then go straight to Ready.
 */
export class AbsoluteSymbolsMaterializationUnit extends MaterializationUnit {
  private readonly defs: SymbolMap;

  constructor(symbols: SymbolMap) {
    const flags = new Map<string, number>();
    for (const [name, def] of symbols) flags.set(name, def.flags);
    super({ symbolFlags: flags });
    this.defs = new Map(symbols);
  }

  getName(): string {
    return '<Absolute Symbols>';
  }

  materialize(mr: MaterializationResponsibility): void {
    try {
      mr.notifyResolved(this.defs);
      mr.notifyEmitted([]);
    } catch (e) {
      mr.getExecutionSession().reportError(e);
      mr.failMaterialization();
    }
  }

  protected discard(_jd: JITDylib, name: string): void {
    this.defs.delete(name);
  }
}

/** Creates a unit defining `symbols` at their given addresses with their given flags. */
export function absoluteSymbols(symbols: SymbolMap): AbsoluteSymbolsMaterializationUnit {
  return new AbsoluteSymbolsMaterializationUnit(symbols);
}
