import { MemProt, OrcError, formatAddress } from '@orc-ts/core';

/** How long a section's memory lives: like normal code/data, only until finalization, or never allocated. */
export enum MemLifetime {
  /** Allocated and kept until the code is removed. */
  Standard = 0,
  /** Allocated, used during finalization (e.g. by finalize actions), then released. */
  Finalize = 1,
  /** Never allocated in the executor (e.g. `.comment`, debug info when not registered). */
  NoAlloc = 2,
}

/** Linkage of a symbol: strong, or weak (gives way to a strong definition). */
export enum Linkage {
  /** A strong definition. */
  Strong = 0,
  /** A weak definition. */
  Weak = 1,
}

/** Visibility of a symbol outside its graph. */
export enum Scope {
  /** Exported from the JITDylib. */
  Default = 0,
  /** Visible to other graphs in the JITDylib, not exported. */
  Hidden = 1,
  /** No address; only orders side effects (e.g. initializers). */
  SideEffectsOnly = 2,
  /** Visible only inside this graph. */
  Local = 3,
}

/** Generic edge kinds; target kinds start at {@link EdgeKind.FirstRelocation}. */
export const EdgeKind = Object.freeze({
  /** Not a valid edge. */
  Invalid: 0,
  /** Keeps its target alive; never fixed up. */
  KeepAlive: 1,
  /** The first target-specific relocation kind. */
  FirstRelocation: 2,
});

/** A reference from a block to a symbol, fixed up at `offset` in the block according to `kind`. */
export class Edge {
  constructor(
    /** The edge kind (target specific from {@link EdgeKind.FirstRelocation}). */
    public kind: number,
    /** Offset of the fixup from the start of the block. */
    public offset: number,
    /** The symbol referred to. */
    public target: Symbol,
    /** The addend. */
    public addend: bigint,
  ) {}

  /** True for kinds that are fixed up (not KeepAlive or Invalid). */
  isRelocation(): boolean {
    return this.kind >= EdgeKind.FirstRelocation;
  }
}

/** A contiguous piece of content (or zero fill) with an address, an alignment and outgoing edges. */
export class Block {
  /** The edges from this block. */
  readonly edges: Edge[] = [];

  /** @internal Use {@link LinkGraph.createContentBlock} / {@link LinkGraph.createZeroFillBlock}. */
  constructor(
    /** The section holding the block. */
    public section: Section,
    /** The block's address (in the object until allocation; in the executor after). */
    public address: bigint,
    /** Size in bytes. */
    public size: number,
    /** Alignment, a power of two. */
    public alignment: number,
    /** Offset from an alignment boundary at which the block must start. */
    public alignmentOffset: number,
    /** Content, or null for zero fill. Possibly a view into the object file until made mutable. */
    public content: Uint8Array | null,
    /** Creation order within the graph, for stable layouts. */
    readonly ordinal: number,
  ) {}

  /** True when the block is zero-fill (no content). */
  isZeroFill(): boolean {
    return this.content === null;
  }

  /** Adds an edge. */
  addEdge(kind: number, offset: number, target: Symbol, addend: bigint): Edge {
    const e = new Edge(kind, offset, target, addend);
    this.edges.push(e);
    return e;
  }

  /** Returns writable content, copying it the first time so the object file is never modified. */
  getMutableContent(graph: LinkGraph): Uint8Array {
    if (this.content === null) throw new OrcError(`In graph ${graph.name}, section ${this.section.name}: zero-fill block has no content`);
    if (!graph.ownsContent(this)) {
      this.content = this.content.slice();
      graph.markOwned(this);
    }
    return this.content;
  }

  /** The block's end address. */
  getEnd(): bigint {
    return this.address + BigInt(this.size);
  }
}

/** A named (or anonymous) location: defined in a block, external (resolved at link time) or absolute. */
export class Symbol {
  /** True once the symbol is known to be needed (dead-stripping keeps live symbols and what they reach). */
  isLive = false;
  /** True for functions. */
  isCallable = false;
  /** For externals: may stay unresolved (address 0). */
  isWeaklyReferenced = false;
  /** Eight target-specific flag bits. */
  targetFlags = 0;

  /** @internal Use the graph's `add*Symbol` methods. */
  constructor(
    /** The name, or null for an anonymous symbol. */
    public name: string | null,
    /** The block it is defined in, or null for external and absolute symbols. */
    public block: Block | null,
    /** Offset within the block (defined), or the address (absolute / resolved external). */
    private offsetOrAddress: bigint,
    /** Size in bytes. */
    public size: number,
    /** Linkage. */
    public linkage: Linkage,
    /** Scope. */
    public scope: Scope,
    /** External (no address until resolved) when true and `block` is null; absolute otherwise. */
    public external: boolean,
  ) {}

  /** True for symbols defined in a block. */
  isDefined(): boolean {
    return this.block !== null;
  }

  /** True for external symbols. */
  isExternal(): boolean {
    return this.block === null && this.external;
  }

  /** True for absolute symbols. */
  isAbsolute(): boolean {
    return this.block === null && !this.external;
  }

  /** Offset within the block (defined symbols). */
  get offset(): number {
    return Number(this.offsetOrAddress);
  }

  /** The symbol's address: block address + offset, or its absolute / resolved address. */
  getAddress(): bigint {
    return this.block ? this.block.address + this.offsetOrAddress : this.offsetOrAddress;
  }

  /** Sets the address of an external or absolute symbol (e.g. when externals are resolved). */
  setAddress(address: bigint): void {
    if (this.block) throw new OrcError(`cannot set the address of defined symbol ${this.name ?? '<anonymous>'}`);
    this.offsetOrAddress = address;
  }

  /** @internal Turns the symbol into a defined one. */
  define(block: Block, offset: number, size: number): void {
    this.block = block;
    this.offsetOrAddress = BigInt(offset);
    this.size = size;
    this.external = false;
  }

  /** @internal Turns the symbol into an absolute one. */
  makeAbsoluteAt(address: bigint): void {
    this.block = null;
    this.external = false;
    this.offsetOrAddress = address;
  }

  /** A description for messages: the name or `<anonymous symbol>`, with its address when known. */
  describe(): string {
    return this.name ?? `<anonymous symbol at ${formatAddress(this.getAddress())}>`;
  }
}

/** A named group of blocks sharing memory protections. */
export class Section {
  /** The blocks, in creation order. */
  readonly blocks: Block[] = [];
  /** The symbols defined in this section's blocks. */
  readonly symbols = new Set<Symbol>();

  /** @internal Use {@link LinkGraph.createSection}. */
  constructor(
    /** The section's name. */
    readonly name: string,
    /** Memory protections. */
    public prot: MemProt,
    /** Creation order in the graph. */
    readonly ordinal: number,
    /** Memory lifetime. */
    public lifetime: MemLifetime = MemLifetime.Standard,
  ) {}

  /** Lowest and highest-address blocks, or null when empty. */
  getRange(): { first: Block; last: Block } | null {
    if (this.blocks.length === 0) return null;
    let first = this.blocks[0]!;
    let last = first;
    let lastEnd = last.getEnd();
    for (const b of this.blocks) {
      if (b.address < first.address) first = b;
      const end = b.getEnd();
      if (end > lastEnd || (end === lastEnd && b.address > last.address)) {
        last = b;
        lastEnd = end;
      }
    }
    return { first, last };
  }
}

/** Facts about the target a graph is for. */
export interface LinkGraphTargetInfo {
  /** Target name, e.g. `aarch64`. */
  readonly name: string;
  /** Pointer size in bytes. */
  readonly pointerSize: number;
  /** Byte order of data. */
  readonly endianness: 'little' | 'big';
}

/**
 * A program to be linked (JITLink's `LinkGraph`): sections of blocks, symbols, and edges between them, built from
 * an object file or in memory.
 */
export class LinkGraph {
  /** Sections by name. */
  readonly sections = new Map<string, Section>();
  /** External symbols by name. */
  readonly externalSymbols = new Map<string, Symbol>();
  /** Absolute symbols. */
  readonly absoluteSymbols = new Set<Symbol>();
  private nextBlockOrdinal = 0;
  private readonly owned = new WeakSet<Block>();

  constructor(
    /** The graph's name (usually the object file's). */
    readonly name: string,
    /** Target facts. */
    readonly target: LinkGraphTargetInfo,
  ) {}

  /** Creates a section, or returns the existing one of that name (its protections must match). */
  createSection(name: string, prot: MemProt, lifetime = MemLifetime.Standard): Section {
    const existing = this.sections.get(name);
    if (existing) {
      if (existing.prot !== prot) throw new OrcError(`section ${name} is present more than once with different permissions`);
      return existing;
    }
    const s = new Section(name, prot, this.sections.size, lifetime);
    this.sections.set(name, s);
    return s;
  }

  /** The section named `name`, if any. */
  findSection(name: string): Section | undefined {
    return this.sections.get(name);
  }

  /** Creates a block with content (a view is fine: it is copied before being modified). */
  createContentBlock(section: Section, content: Uint8Array, address: bigint, alignment: number, alignmentOffset = 0): Block {
    const b = new Block(section, address, content.length, normalizeAlignment(alignment), alignmentOffset, content, this.nextBlockOrdinal++);
    section.blocks.push(b);
    return b;
  }

  /** Creates a writable block with content owned by the graph (e.g. for synthesized stubs). */
  createMutableContentBlock(section: Section, content: Uint8Array, address: bigint, alignment: number, alignmentOffset = 0): Block {
    const b = this.createContentBlock(section, content, address, alignment, alignmentOffset);
    this.owned.add(b);
    return b;
  }

  /** Creates a zero-fill block. */
  createZeroFillBlock(section: Section, size: number, address: bigint, alignment: number, alignmentOffset = 0): Block {
    const b = new Block(section, address, size, normalizeAlignment(alignment), alignmentOffset, null, this.nextBlockOrdinal++);
    section.blocks.push(b);
    return b;
  }

  /** @internal */
  ownsContent(block: Block): boolean {
    return this.owned.has(block);
  }

  /** @internal */
  markOwned(block: Block): void {
    this.owned.add(block);
  }

  /** Adds a named symbol defined at `offset` in `block`. */
  addDefinedSymbol(block: Block, offset: number, name: string, size: number, linkage: Linkage, scope: Scope, isCallable: boolean, isLive: boolean): Symbol {
    const s = new Symbol(name, block, BigInt(offset), size, linkage, scope, false);
    s.isCallable = isCallable;
    s.isLive = isLive;
    block.section.symbols.add(s);
    return s;
  }

  /** Adds an anonymous, local symbol at `offset` in `block`. */
  addAnonymousSymbol(block: Block, offset: number, size: number, isCallable: boolean, isLive: boolean): Symbol {
    const s = new Symbol(null, block, BigInt(offset), size, Linkage.Strong, Scope.Local, false);
    s.isCallable = isCallable;
    s.isLive = isLive;
    block.section.symbols.add(s);
    return s;
  }

  /** Adds (or returns) the external symbol `name`; weakly referenced externals may stay unresolved. */
  addExternalSymbol(name: string, size: number, isWeaklyReferenced: boolean): Symbol {
    const existing = this.externalSymbols.get(name);
    if (existing) {
      existing.isWeaklyReferenced &&= isWeaklyReferenced;
      return existing;
    }
    const s = new Symbol(name, null, 0n, size, Linkage.Strong, Scope.Default, true);
    s.isWeaklyReferenced = isWeaklyReferenced;
    this.externalSymbols.set(name, s);
    return s;
  }

  /** Adds an absolute symbol. */
  addAbsoluteSymbol(name: string | null, address: bigint, size: number, linkage: Linkage, scope: Scope, isLive: boolean): Symbol {
    const s = new Symbol(name, null, address, size, linkage, scope, false);
    s.isLive = isLive;
    this.absoluteSymbols.add(s);
    return s;
  }

  /** Turns an external symbol into a defined one (e.g. `__start_<sec>`); it keeps its name. */
  makeDefined(symbol: Symbol, block: Block, offset: number, size: number, linkage: Linkage, scope: Scope, isLive: boolean): void {
    if (symbol.isExternal()) this.externalSymbols.delete(symbol.name!);
    else if (symbol.isAbsolute()) this.absoluteSymbols.delete(symbol);
    else symbol.block!.section.symbols.delete(symbol);
    symbol.define(block, offset, size);
    symbol.linkage = linkage;
    symbol.scope = scope;
    symbol.isLive = isLive;
    block.section.symbols.add(symbol);
  }

  /** Turns a symbol into an absolute one at `address`. */
  makeAbsolute(symbol: Symbol, address: bigint): void {
    if (symbol.isExternal()) this.externalSymbols.delete(symbol.name!);
    else if (symbol.isDefined()) symbol.block!.section.symbols.delete(symbol);
    symbol.makeAbsoluteAt(address);
    this.absoluteSymbols.add(symbol);
  }

  /** Turns a defined or absolute symbol into an external reference to its name (e.g. a weak definition that lost). */
  makeExternal(symbol: Symbol): void {
    if (symbol.name === null) throw new OrcError('an anonymous symbol cannot be made external');
    if (symbol.isDefined()) symbol.block!.section.symbols.delete(symbol);
    else if (symbol.isAbsolute()) this.absoluteSymbols.delete(symbol);
    else return;
    const existing = this.externalSymbols.get(symbol.name);
    if (existing) {
      // Already referenced as an external under the same name: point every edge at that one symbol.
      for (const b of this.blocks()) for (const e of b.edges) if (e.target === symbol) e.target = existing;
      existing.isLive ||= symbol.isLive;
      return;
    }
    symbol.block = null;
    symbol.external = true;
    symbol.setAddress(0n);
    symbol.linkage = Linkage.Strong;
    symbol.scope = Scope.Default;
    this.externalSymbols.set(symbol.name, symbol);
  }

  /** Removes a defined symbol. */
  removeDefinedSymbol(symbol: Symbol): void {
    symbol.block?.section.symbols.delete(symbol);
  }

  /** Removes an external symbol. */
  removeExternalSymbol(symbol: Symbol): void {
    if (symbol.name !== null) this.externalSymbols.delete(symbol.name);
  }

  /** Removes a block (its symbols must have been removed). */
  removeBlock(block: Block): void {
    const blocks = block.section.blocks;
    const i = blocks.indexOf(block);
    if (i >= 0) blocks.splice(i, 1);
  }

  /** Every defined symbol, section by section. */
  *definedSymbols(): IterableIterator<Symbol> {
    for (const s of this.sections.values()) yield* s.symbols;
  }

  /** Every block, section by section. */
  *blocks(): IterableIterator<Block> {
    for (const s of this.sections.values()) yield* s.blocks;
  }
}

function normalizeAlignment(alignment: number): number {
  if (alignment === 0) return 1;
  if (!Number.isInteger(alignment) || alignment < 0 || (alignment & (alignment - 1)) !== 0) {
    throw new OrcError(`alignment ${alignment} is not a power of two`);
  }
  return alignment;
}
