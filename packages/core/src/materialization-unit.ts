import type { JITDylib } from './jit-dylib.js';
import type { MaterializationResponsibility } from './materialization-responsibility.js';
import type { SymbolFlagsMap } from './executor-symbol-def.js';

/** What a materialization unit promises to define: its symbols with flags, and optionally an initializer symbol. */
export interface MaterializationUnitInterface {
  /** The symbols the unit defines. */
  symbolFlags: SymbolFlagsMap;
  /** The unit's initializer symbol, one of `symbolFlags`' names, or null. */
  initSymbol?: string | null;
}

/**
 * A program representation that can provide definitions for a set of symbols: ORC's `MaterializationUnit`.
 *
 * Added to a JITDylib with `JITDylib.define`, a unit stays lazy until a lookup asks for one of its symbols; the
 * session then calls {@link MaterializationUnit.materialize} with a responsibility for all of its (non-discarded)
 * symbols. A unit whose symbol is overridden by a strong definition gets {@link MaterializationUnit.discard}.
 */
export abstract class MaterializationUnit {
  /** The symbols this unit still defines (discarded ones are removed). */
  protected symbolFlags: SymbolFlagsMap;
  /** The initializer symbol, or null. */
  protected initSymbol: string | null;

  constructor(iface: MaterializationUnitInterface) {
    this.symbolFlags = iface.symbolFlags;
    this.initSymbol = iface.initSymbol ?? null;
    if (this.initSymbol !== null && !this.symbolFlags.has(this.initSymbol)) {
      throw new RangeError(`initializer symbol '${this.initSymbol}' is not one of the unit's symbols`);
    }
  }

  /** A name for messages (e.g. the object file's name). */
  abstract getName(): string;

  /** The symbols this unit defines. */
  getSymbols(): SymbolFlagsMap {
    return this.symbolFlags;
  }

  /** The initializer symbol, or null. */
  getInitializerSymbol(): string | null {
    return this.initSymbol;
  }

  /**
   * Materializes the unit's symbols: resolve them (`notifyResolved`), emit them (`notifyEmitted`), or fail them
   * (`failMaterialization`). May return a promise; if it settles while `mr` still holds symbols, they are failed.
   */
  abstract materialize(mr: MaterializationResponsibility): void | Promise<void>;

  /** Called when `name` is overridden by a stronger definition: drop it from the unit's output. */
  protected abstract discard(jd: JITDylib, name: string): void;

  /**
   * Called by the session when it drops the unit without materializing it (all its symbols discarded or removed,
   * its tracker removed, its JITDylib cleared). Override to release resources the unit holds.
   */
  dispose(): void {}

  /**
   * Removes `name` from the unit (clearing the initializer symbol if it is that name), then calls `discard`.
   * @internal Used by the session.
   */
  doDiscard(jd: JITDylib, name: string): void {
    this.symbolFlags.delete(name);
    if (this.initSymbol === name) this.initSymbol = null;
    this.discard(jd, name);
  }
}

/** Callbacks of a {@link SimpleMaterializationUnit}. */
export interface SimpleMaterializationUnitCallbacks {
  /** Materializes the unit. */
  materialize: (mr: MaterializationResponsibility) => void | Promise<void>;
  /** Called for each discarded symbol. */
  discard?: (jd: JITDylib, name: string) => void;
  /** Called when the session drops the unit unmaterialized. */
  dispose?: () => void;
  /** The unit's name (default `SimpleMaterializationUnit`). */
  name?: string;
  /** The initializer symbol. */
  initSymbol?: string | null;
}

/** A materialization unit made of callbacks: handy for tests and small custom definitions. */
export class SimpleMaterializationUnit extends MaterializationUnit {
  constructor(
    symbolFlags: SymbolFlagsMap,
    private readonly callbacks: SimpleMaterializationUnitCallbacks,
  ) {
    super({ symbolFlags, initSymbol: callbacks.initSymbol ?? null });
  }
  getName(): string {
    return this.callbacks.name ?? 'SimpleMaterializationUnit';
  }
  materialize(mr: MaterializationResponsibility): void | Promise<void> {
    return this.callbacks.materialize(mr);
  }
  protected discard(jd: JITDylib, name: string): void {
    this.callbacks.discard?.(jd, name);
  }
  override dispose(): void {
    this.callbacks.dispose?.();
  }
}
