import { formatAddress } from '@orc-ts/core';
import { JITLinkError } from '../graph/jitlink-error.js';
import { EdgeKind, type Block, type Edge, type LinkGraph, type Section, type Symbol } from '../graph/link-graph.js';
import type { LinkGraphPass } from '../graph/pass-configuration.js';
import { CFIRecordReader, contentView, readCFIRecordLength, type CFIFailure } from './cfi-record-reader.js';
import { DW_EH_PE, describePointerEncoding, encodedPointerSize, isSupportedPointerEncoding } from './dwarf-eh-pointer-encoding.js';
import { ehFrameFailure, sectionBaseAddress } from './eh-frame-error.js';

/** The target's edge kinds the {@link EHFrameEdgeFixer} creates (JITLink passes the same five to its constructor). */
export interface EHFrameEdgeKinds {
  /** 32-bit absolute pointer (`S + A`), for `udata4`/`sdata4` (and 4-byte `absptr`) pointers. */
  readonly pointer32: number;
  /** 64-bit absolute pointer (`S + A`), for `udata8`/`sdata8` (and 8-byte `absptr`) pointers. */
  readonly pointer64: number;
  /** 32-bit pc-relative delta (`S + A - P`), for `DW_EH_PE_pcrel` 4-byte pointers. */
  readonly delta32: number;
  /** 64-bit pc-relative delta (`S + A - P`), for `DW_EH_PE_pcrel` 8-byte pointers. */
  readonly delta64: number;
  /** 32-bit negative delta (`P - S + A`), for an FDE's CIE pointer. */
  readonly negDelta32: number;
}

/** What an FDE needs to know about its CIE. */
interface CIEInfo {
  readonly symbol: Symbol;
  readonly augmentationDataPresent: boolean;
  /** `DW_EH_PE_omit` when the CIE has no `L`. */
  readonly lsdaEncoding: number;
  readonly addressEncoding: number;
}

/** The pointer fields the fixer decodes (used in messages). */
type Field = 'personality' | 'LSDA' | 'PC begin';

function compareAddresses(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JITLink's order of preference among symbols at one address: strong, widest scope, named, then by name. */
function isBetterCanonical(s: Symbol, than: Symbol): boolean {
  if (s.linkage !== than.linkage) return s.linkage < than.linkage;
  if (s.scope !== than.scope) return s.scope < than.scope;
  if ((s.name === null) !== (than.name === null)) return s.name !== null;
  return s.name !== null && than.name !== null && s.name < than.name;
}

function hexSigned(n: bigint): string {
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/**
 * Finds the symbol an eh-frame pointer decoded from content refers to: the canonical symbol at the address in the
 * (single) block covering it, or a new anonymous symbol there.
 */
class AddressIndex {
  private readonly symbolsAt = new Map<bigint, Symbol[]>();
  private readonly blocks: Block[] = [];

  constructor(graph: LinkGraph, exclude: ReadonlySet<Symbol>) {
    for (const section of graph.sections.values()) {
      for (const b of section.blocks) if (b.size > 0) this.blocks.push(b);
      for (const s of section.symbols) if (!exclude.has(s)) this.add(s);
    }
  }

  private add(s: Symbol): void {
    const a = s.getAddress();
    const list = this.symbolsAt.get(a);
    if (list) list.push(s);
    else this.symbolsAt.set(a, [s]);
  }

  resolve(graph: LinkGraph, address: bigint, field: string, fail: (problem: string) => never): Symbol {
    const covering = this.blocks.filter((b) => b.address <= address && address < b.getEnd());
    const describe = (b: Block): string => `a block of section ${b.section.name} at ${formatAddress(b.address)}`;
    if (covering.length > 1) {
      fail(`the ${field} address ${formatAddress(address)} is ambiguous: it lies in ${covering.map(describe).join(' and in ')}`);
    }
    const inBlock = covering[0];
    const candidates = (this.symbolsAt.get(address) ?? []).filter((s) => s.block !== null && (inBlock === undefined || s.block === inBlock));
    if (inBlock === undefined) {
      if (candidates.length === 0) fail(`no symbol or block covers the ${field} address ${formatAddress(address)}`);
      const owners = new Set(candidates.map((s) => s.block!));
      if (owners.size > 1) fail(`the ${field} address ${formatAddress(address)} is ambiguous: symbols end ${Array.from(owners, describe).join(' and ')}`);
    }
    if (candidates.length > 0) return candidates.reduce((best, s) => (isBetterCanonical(s, best) ? s : best));
    const s = graph.addAnonymousSymbol(inBlock!, Number(address - inBlock!.address), 0, false, false);
    this.add(s);
    return s;
  }
}

/** State of one run over one graph. */
class ParseContext {
  readonly cies = new Map<bigint, CIEInfo>();
  /** Symbols this run created for records: never targets of decoded pointers (as in JITLink). */
  readonly recordSymbols = new Set<Symbol>();
  private index: AddressIndex | undefined;

  constructor(
    readonly graph: LinkGraph,
    readonly section: Section,
    readonly base: bigint,
    readonly littleEndian: boolean,
  ) {}

  get addresses(): AddressIndex {
    return (this.index ??= new AddressIndex(this.graph, this.recordSymbols));
  }
}

/**
 * Pre-prune pass (JITLink's `EHFrameEdgeFixer`): walks the CFI records of an eh-frame section (normally already cut
 * into one block per record by {@link DWARFRecordSectionSplitter}; blocks holding several records work too) in
 * address order and makes the graph say what the records refer to, so that dead-stripping and fixups treat them
 * correctly.
 *
 * - CIE: an anonymous symbol spans the record. The version must be 1. The augmentation string may contain `z`,
 *   `eh`, `L`, `P` and `R`; the personality pointer (`P`) gets an edge (see below).
 * - FDE: an anonymous symbol spans the record. The CIE pointer field gets a `negDelta32` edge to the CIE's symbol
 *   unless a relocation is already there (then it must have a zero addend and lead to a CIE). The PC-begin field
 *   keeps its relocation (ELF/AArch64: `R_AARCH64_PREL32` → Delta32) or is decoded with the CIE's `R` encoding
 *   (default `DW_EH_PE_absptr`) and gets an edge to the canonical symbol at that address (strong before weak,
 *   default before hidden before local scope, named before anonymous, then by name), or to a new anonymous symbol
 *   in the block covering it. When the PC-begin target is defined, its block gets a `KeepAlive` edge to the FDE's
 *   symbol: the FDE lives exactly as long as its function. With `z` and `L`, the LSDA pointer gets an edge the
 *   same way.
 *
 * Decoded pointers: `pcrel` pointers become `delta32`/`delta64` edges, absolute ones `pointer32`/`pointer64`,
 * width from the format (`absptr` = `pointerSize`), addend 0; the `indirect` flag is accepted (the edge then
 * refers to the pointer's slot). A personality or LSDA pointer that is zero with no relocation is a null pointer
 * and gets no edge. Zero-length records (terminators) are skipped.
 *
 * @throws {@link EHFrameError} (graph, section and the offset of the record) for truncated or overlong records, a
 *   CIE version other than 1, unknown augmentation characters, unsupported pointer encodings (`uleb128`, `udata2`,
 *   `sleb128`, `sdata2`, `textrel`, `datarel`, `funcrel`, `aligned`, or `omit` for `R`), augmentation fields
 *   reaching past the augmentation data, CIE pointers that do not lead to a CIE, two relocations at one offset,
 *   or decoded addresses that no block covers or that several blocks cover. A {@link JITLinkError} when the
 *   graph's pointer size is not the pass's.
 */
export class EHFrameEdgeFixer {
  /** The pass, for {@link PassConfiguration.prePrunePasses}. */
  readonly pass: LinkGraphPass;

  constructor(
    /** The eh-frame section's name, e.g. `.eh_frame`. */
    readonly sectionName: string,
    /** The target's pointer size in bytes: 4 or 8. */
    readonly pointerSize: number,
    /** The target's edge kinds to create. */
    readonly kinds: EHFrameEdgeKinds,
  ) {
    if (pointerSize !== 4 && pointerSize !== 8) {
      throw new JITLinkError(`EHFrameEdgeFixer only supports 32 and 64 bit targets (pointer size ${pointerSize} requested)`);
    }
    this.pass = (graph) => this.run(graph);
  }

  /** Adds the eh-frame edges and symbols of `graph`. */
  run(graph: LinkGraph): void {
    const section = graph.findSection(this.sectionName);
    if (!section) return;
    if (graph.target.pointerSize !== this.pointerSize) {
      throw new JITLinkError(
        `In graph ${graph.name}: EHFrameEdgeFixer for ${this.pointerSize}-byte pointers cannot process a graph with ${graph.target.pointerSize}-byte pointers`,
      );
    }
    const ctx = new ParseContext(graph, section, sectionBaseAddress(section.blocks), graph.target.endianness === 'little');
    const blocks = Array.from(section.blocks).sort((a, b) => compareAddresses(a.address, b.address) || a.ordinal - b.ordinal);
    for (const block of blocks) this.processBlock(ctx, block);
  }

  private processBlock(ctx: ParseContext, block: Block): void {
    const fail: CFIFailure = ehFrameFailure(ctx.graph.name, ctx.section.name, ctx.base, block.address);
    const content = block.content;
    if (content === null) fail(0, `unexpected zero-fill block of ${block.size} bytes (CFI records need content)`);
    if (content.length === 0) return;

    const relocations = new Map<number, Edge>();
    for (const e of block.edges) {
      if (!e.isRelocation()) continue;
      const other = relocations.get(e.offset);
      if (other) {
        fail(e.offset, `two relocations at the same offset (to ${other.target.describe()} and to ${e.target.describe()})`);
      }
      relocations.set(e.offset, e);
    }

    const view = contentView(content);
    for (let start = 0; start < content.length; ) {
      const { fieldSize, length } = readCFIRecordLength(view, start, ctx.littleEndian, fail);
      const end = start + fieldSize + length;
      if (length !== 0) {
        const recordFail: CFIFailure = (_at, problem) => fail(start, problem);
        const idOffset = start + fieldSize;
        const cieId = new CFIRecordReader(view, idOffset, end, ctx.littleEndian, recordFail, 'CFI record').u32('CIE id or CIE pointer');
        if (cieId === 0) this.processCIE(ctx, block, view, start, end, idOffset, relocations, recordFail);
        else this.processFDE(ctx, block, view, start, end, idOffset, cieId, relocations, recordFail);
      }
      start = end;
    }
  }

  private processCIE(
    ctx: ParseContext, block: Block, view: DataView, start: number, end: number, idOffset: number,
    relocations: ReadonlyMap<number, Edge>, fail: CFIFailure,
  ): void {
    const problem: (p: string) => never = (p) => fail(start, p);
    const symbol = ctx.graph.addAnonymousSymbol(block, start, end - start, false, false);
    ctx.recordSymbols.add(symbol);
    const r = new CFIRecordReader(view, idOffset + 4, end, ctx.littleEndian, fail, 'CIE');

    const version = r.u8('version');
    if (version !== 1) problem(`bad CIE version ${version} (should be 1)`);

    let augmentationDataPresent = false;
    let ehDataPresent = false;
    const fields: string[] = [];
    for (let c = r.u8('augmentation string'); c !== 0; c = r.u8('augmentation string')) {
      const ch = String.fromCharCode(c);
      if (ch === 'z') augmentationDataPresent = true;
      else if (ch === 'e') {
        const next = r.u8('augmentation string');
        if (next !== 0x68) problem(`unrecognized substring "e${printable(next)}" in the augmentation string (expected "eh")`);
        ehDataPresent = true;
      } else if (ch === 'L' || ch === 'P' || ch === 'R') fields.push(ch);
      else problem(`unrecognized character "${printable(c)}" in the augmentation string`);
    }
    if (ehDataPresent) r.skip(this.pointerSize, 'EH data');
    r.uleb128('code alignment factor');
    r.sleb128('data alignment factor');
    r.skip(1, 'return address register');

    let lsdaEncoding: number = DW_EH_PE.omit;
    let addressEncoding: number = DW_EH_PE.absptr;
    if (augmentationDataPresent) {
      const dataLength = r.uleb128('augmentation data length');
      const dataStart = r.offset;
      for (const f of fields) {
        if (f === 'L') lsdaEncoding = this.readPointerEncoding(r, 'LSDA', problem);
        else if (f === 'P') {
          const encoding = this.readPointerEncoding(r, 'personality', problem);
          this.getOrCreateEncodedPointerEdge(ctx, block, relocations, encoding, r, 'personality', problem);
        } else {
          addressEncoding = this.readPointerEncoding(r, 'PC begin', problem);
          if (addressEncoding === DW_EH_PE.omit) problem('invalid address (R) encoding 0xff (DW_EH_PE_omit) in CIE');
        }
      }
      if (BigInt(r.offset - dataStart) > dataLength) {
        problem(`the augmentation fields take ${r.offset - dataStart} bytes, more than the augmentation data length ${dataLength}`);
      }
    }

    const address = block.address + BigInt(start);
    if (ctx.cies.has(address)) problem(`a second CIE at address ${formatAddress(address)}`);
    ctx.cies.set(address, { symbol, augmentationDataPresent, lsdaEncoding, addressEncoding });
  }

  private processFDE(
    ctx: ParseContext, block: Block, view: DataView, start: number, end: number, idOffset: number, cieDelta: number,
    relocations: ReadonlyMap<number, Edge>, fail: CFIFailure,
  ): void {
    const problem: (p: string) => never = (p) => fail(start, p);
    const symbol = ctx.graph.addAnonymousSymbol(block, start, end - start, false, false);
    ctx.recordSymbols.add(symbol);
    const r = new CFIRecordReader(view, idOffset + 4, end, ctx.littleEndian, fail, 'FDE');

    let cie: CIEInfo | undefined;
    const existing = relocations.get(idOffset);
    if (!existing) {
      const cieAddress = BigInt.asUintN(64, block.address + BigInt(idOffset) - BigInt(cieDelta));
      cie = ctx.cies.get(cieAddress);
      if (!cie) {
        problem(`FDE's CIE pointer 0x${cieDelta.toString(16)} leads to section offset ${hexSigned(cieAddress - ctx.base)} (${formatAddress(cieAddress)}), where no CIE precedes it`);
      }
      block.addEdge(this.kinds.negDelta32, idOffset, cie.symbol, 0n);
    } else {
      if (existing.addend !== 0n) problem(`the relocation at the FDE's CIE pointer has a non-zero addend (${existing.addend})`);
      cie = ctx.cies.get(existing.target.getAddress());
      if (!cie) problem(`the relocation at the FDE's CIE pointer refers to ${existing.target.describe()}, which is not a CIE`);
    }

    const target = this.getOrCreateEncodedPointerEdge(ctx, block, relocations, cie.addressEncoding, r, 'PC begin', problem);
    // Dead-stripping follows edges from live blocks: the function's block keeps its FDE alive.
    if (target?.block) target.block.addEdge(EdgeKind.KeepAlive, 0, symbol, 0n);
    r.skip(encodedPointerSize(cie.addressEncoding, this.pointerSize), 'PC range');

    if (cie.augmentationDataPresent) {
      r.uleb128('augmentation data length');
      this.getOrCreateEncodedPointerEdge(ctx, block, relocations, cie.lsdaEncoding, r, 'LSDA', problem);
    }
  }

  private readPointerEncoding(r: CFIRecordReader, field: Field, problem: (p: string) => never): number {
    const encoding = r.u8(`${field} encoding`);
    if (encoding !== DW_EH_PE.omit && !isSupportedPointerEncoding(encoding)) {
      problem(`unsupported ${field} pointer encoding ${describePointerEncoding(encoding)}`);
    }
    return encoding;
  }

  /**
   * Returns the target of the pointer field at the reader's position (omitted: null), consuming the field: the
   * existing relocation's target, or the symbol at the decoded address, to which an edge is added.
   */
  private getOrCreateEncodedPointerEdge(
    ctx: ParseContext, block: Block, relocations: ReadonlyMap<number, Edge>, encoding: number, r: CFIRecordReader,
    field: Field, problem: (p: string) => never,
  ): Symbol | null {
    if (encoding === DW_EH_PE.omit) return null;
    const fieldOffset = r.offset;
    const size = encodedPointerSize(encoding, this.pointerSize);
    const existing = relocations.get(fieldOffset);
    if (existing) {
      r.skip(size, field);
      return existing.target;
    }
    let value: bigint;
    if ((encoding & 0x0f) === DW_EH_PE.sdata4) value = BigInt(r.i32(field));
    else value = size === 8 ? r.u64(field) : BigInt(r.u32(field));
    if (value === 0n && field !== 'PC begin') return null;

    const pcrel = (encoding & 0x70) === DW_EH_PE.pcrel;
    const address = BigInt.asUintN(64, pcrel ? block.address + BigInt(fieldOffset) + value : value);
    const kind = pcrel ? (size === 8 ? this.kinds.delta64 : this.kinds.delta32) : size === 8 ? this.kinds.pointer64 : this.kinds.pointer32;
    const target = ctx.addresses.resolve(ctx.graph, address, field, problem);
    block.addEdge(kind, fieldOffset, target, 0n);
    return target;
  }
}

function printable(c: number): string {
  return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
}
