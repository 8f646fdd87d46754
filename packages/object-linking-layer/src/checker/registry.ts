/**
 * A ready-made {@link CheckerEnvironment}: the per-session registry llvm-jitlink fills after each link
 * (symbols by name, and per object file its sections, GOT entries and stubs), with llvm-jitlink's lookup rules
 * and error texts.
 */
import type { CheckerEnvironment, CheckerMemoryRegion } from './environment.js';
import { CheckerLookupError, checkerLookupMessages as lookupMessages } from './errors.js';

/** Options of a {@link CheckerRegistry}. */
export interface CheckerRegistryOptions {
  /** Reads target memory (see {@link CheckerEnvironment.readMemory}). */
  readMemory(address: bigint, size: number): bigint;
  /**
   * Names the kind of a stub from its content, for `stub_addr`'s kind filter (llvm-jitlink recognises
   * `armv7_abs_le` and `thumbv7_abs_le`). Returns `''` when unknown; the default knows no kinds.
   */
  detectStubKind?(stub: CheckerMemoryRegion): string;
}

interface FileInfo {
  readonly sections: Map<string, CheckerMemoryRegion>;
  readonly gotEntries: Map<string, CheckerMemoryRegion>;
  readonly stubs: Map<string, CheckerMemoryRegion[]>;
}

/**
 * Registered symbols, sections, GOT entries and stubs of a linked program. Files are keyed by the name rules use
 * (llvm-jitlink: the object's basename).
 */
export class CheckerRegistry implements CheckerEnvironment {
  private readonly symbolInfos = new Map<string, CheckerMemoryRegion>();
  private readonly fileInfos = new Map<string, FileInfo>();

  /** @param options memory access and stub-kind detection. */
  constructor(private readonly options: CheckerRegistryOptions) {}

  /** Registers (or replaces) a symbol. */
  registerSymbol(name: string, region: CheckerMemoryRegion): void {
    this.symbolInfos.set(name, region);
  }

  /** Registers an object file with nothing in it yet (so that lookups in it say "no ..." rather than "not recognized"). */
  registerFile(fileName: string): void {
    this.fileInfo(fileName);
  }

  /** Whether a file of this name was registered. */
  hasFile(fileName: string): boolean {
    return this.fileInfos.has(fileName);
  }

  /** Registers (or replaces) a section of a file. */
  registerSection(fileName: string, sectionName: string, region: CheckerMemoryRegion): void {
    this.fileInfo(fileName).sections.set(sectionName, region);
  }

  /** Registers (or replaces) the GOT entry of a file for `targetName`. */
  registerGotEntry(fileName: string, targetName: string, region: CheckerMemoryRegion): void {
    this.fileInfo(fileName).gotEntries.set(targetName, region);
  }

  /** Adds a stub of a file for `targetName`; a target may have several (kept in ascending address order). */
  registerStub(fileName: string, targetName: string, region: CheckerMemoryRegion): void {
    const stubs = this.fileInfo(fileName).stubs;
    const list = stubs.get(targetName) ?? [];
    list.push(region);
    list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    stubs.set(targetName, list);
  }

  /** The registered symbol names, in registration order. */
  symbolNames(): string[] {
    return [...this.symbolInfos.keys()];
  }

  /** @inheritDoc */
  isSymbolValid(name: string): boolean {
    return this.symbolInfos.has(name);
  }

  /** @inheritDoc */
  getSymbolInfo(name: string): CheckerMemoryRegion {
    const info = this.symbolInfos.get(name);
    if (info === undefined) throw new CheckerLookupError(`Can not get symbol info: symbol ${name} not found`);
    return info;
  }

  /** @inheritDoc */
  getSectionInfo(fileName: string, sectionName: string): CheckerMemoryRegion {
    const info = this.findFile(fileName).sections.get(sectionName);
    if (info === undefined) throw new CheckerLookupError(lookupMessages.noSection(fileName, sectionName));
    return info;
  }

  /** @inheritDoc */
  getGotInfo(fileName: string, targetName: string): CheckerMemoryRegion {
    const info = this.findFile(fileName).gotEntries.get(targetName);
    if (info === undefined) throw new CheckerLookupError(lookupMessages.noGotEntry(fileName, targetName));
    return info;
  }

  /**
   * The stub for `targetName`: the only one when there is no filter and a single stub; otherwise the single stub
   * whose detected kind matches the filter (a regular expression, searched anywhere in the kind name; an empty
   * filter matches everything), as llvm-jitlink's `findStubInfo` does.
   */
  getStubInfo(fileName: string, targetName: string, kindFilter: string): CheckerMemoryRegion {
    const stubs = this.findFile(fileName).stubs.get(targetName);
    if (stubs === undefined || stubs.length === 0) throw new CheckerLookupError(lookupMessages.noStub(fileName, targetName));
    if (kindFilter === '' && stubs.length === 1) return stubs[0]!;

    let matcher: RegExp;
    try {
      matcher = new RegExp(kindFilter === '' ? '.*' : kindFilter);
    } catch (err) {
      throw new CheckerLookupError(`invalid stub-kind filter "${kindFilter}": ${(err as Error).message}`);
    }
    const kinds = stubs.map((stub) => this.options.detectStubKind?.(stub) ?? '');
    const matches = stubs.filter((_, i) => matcher.test(kinds[i]!));
    if (matches.length === 0) {
      throw new CheckerLookupError(lookupMessages.noStubMatchesFilter(fileName, targetName, stubs.length, kindFilter, kinds));
    }
    if (matches.length > 1) {
      throw new CheckerLookupError(lookupMessages.ambiguousStubFilter(fileName, targetName, matches.length, kindFilter, kinds));
    }
    return matches[0]!;
  }

  /** @inheritDoc */
  readMemory(address: bigint, size: number): bigint {
    return this.options.readMemory(address, size);
  }

  private fileInfo(fileName: string): FileInfo {
    let info = this.fileInfos.get(fileName);
    if (info === undefined) {
      info = { sections: new Map(), gotEntries: new Map(), stubs: new Map() };
      this.fileInfos.set(fileName, info);
    }
    return info;
  }

  private findFile(fileName: string): FileInfo {
    const info = this.fileInfos.get(fileName);
    if (info === undefined) throw new CheckerLookupError(lookupMessages.fileNotRecognized(fileName));
    return info;
  }
}
