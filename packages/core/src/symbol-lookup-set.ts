import { SymbolLookupFlags } from './lookup-flags.js';

/**
 * An ordered list of `(name, SymbolLookupFlags)` pairs: the symbols a lookup asks for.
 *
 * Like ORC's, it does not check for duplicates (callers dedupe) and removal swaps the last element into the
 * removed slot, so its order is not stable. Names and flags live in two parallel arrays.
 */
export class SymbolLookupSet implements Iterable<[string, SymbolLookupFlags]> {
  private names: string[] = [];
  private flags: SymbolLookupFlags[] = [];

  /** Creates a set holding `names`, each with `flags` (default: required). */
  static fromNames(names: Iterable<string>, flags: SymbolLookupFlags = SymbolLookupFlags.RequiredSymbol): SymbolLookupSet {
    const set = new SymbolLookupSet();
    for (const name of names) set.add(name, flags);
    return set;
  }

  /** Creates a set from `(name, flags)` pairs. */
  static fromEntries(entries: Iterable<readonly [string, SymbolLookupFlags]>): SymbolLookupSet {
    const set = new SymbolLookupSet();
    for (const [name, flags] of entries) set.add(name, flags);
    return set;
  }

  /** Appends `name` with `flags`; returns this set. */
  add(name: string, flags: SymbolLookupFlags = SymbolLookupFlags.RequiredSymbol): this {
    this.names.push(name);
    this.flags.push(flags);
    return this;
  }

  /** Appends every entry of `other`. */
  append(other: SymbolLookupSet): this {
    for (let i = 0; i < other.names.length; i++) this.add(other.names[i]!, other.flags[i]!);
    return this;
  }

  /** Number of entries. */
  get size(): number {
    return this.names.length;
  }

  /** True when the set has no entries. */
  isEmpty(): boolean {
    return this.names.length === 0;
  }

  /** The name at position `i`. */
  nameAt(i: number): string {
    return this.names[i]!;
  }

  /** The flags at position `i`. */
  flagsAt(i: number): SymbolLookupFlags {
    return this.flags[i]!;
  }

  /** Removes the entry at `i` by moving the last entry into its slot. */
  removeAt(i: number): void {
    const last = this.names.length - 1;
    if (i !== last) {
      this.names[i] = this.names[last]!;
      this.flags[i] = this.flags[last]!;
    }
    this.names.pop();
    this.flags.pop();
  }

  /** Removes every entry for which `pred` returns true. */
  removeIf(pred: (name: string, flags: SymbolLookupFlags) => boolean): void {
    for (let i = 0; i < this.names.length; ) {
      if (pred(this.names[i]!, this.flags[i]!)) this.removeAt(i);
      else i++;
    }
  }

  /** Removes the weakly referenced entries. */
  removeWeaklyReferenced(): void {
    this.removeIf((_, flags) => flags === SymbolLookupFlags.WeaklyReferencedSymbol);
  }

  /** The names, in current order. */
  getSymbolNames(): string[] {
    return this.names.slice();
  }

  /** True when some name appears twice (a caller error: lookups assume unique names). */
  containsDuplicates(): boolean {
    return new Set(this.names).size !== this.names.length;
  }

  /** A copy of this set. */
  clone(): SymbolLookupSet {
    const copy = new SymbolLookupSet();
    copy.names = this.names.slice();
    copy.flags = this.flags.slice();
    return copy;
  }

  /** Iterates `(name, flags)` pairs. */
  *[Symbol.iterator](): Iterator<[string, SymbolLookupFlags]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.flags[i]!];
  }
}
