import { JITSymbolFlags, MemProt, type SymbolFlagsMap } from '@orc-ts/core';
import {
  SHF_ALLOC,
  SHF_COMPRESSED,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_GROUP,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_GLOBAL,
  STB_GNU_UNIQUE,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  STT_TLS,
  STV_HIDDEN,
  STV_INTERNAL,
} from '../elf/elf-constants.js';
import { MalformedObjectError } from '../elf/elf-errors.js';
import { expectRelocatable, type ElfObjectReader } from '../elf/elf-reader.js';
import { JITLinkError } from '../graph/jitlink-error.js';
import { Linkage, MemLifetime, Scope, type Block, type LinkGraph, type Symbol } from '../graph/link-graph.js';
import { LinkGraph as Graph } from '../graph/link-graph.js';
import type { LinkTarget } from '../graph/link-target.js';
import type { LinkTargetRegistry } from '../graph/link-target-registry.js';

/** Section types that describe the object rather than hold program content; they never become graph sections. */
const METADATA_SECTION_TYPES = new Set([SHT_NULL, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_REL, SHT_GROUP, SHT_SYMTAB_SHNDX]);

const DEFINABLE_TYPES = new Set([STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_TLS]);

function hex(n: bigint | number): string {
  return `0x${n.toString(16)}`;
}

/** The registered target for the object's machine; a clear error naming the file and `e_machine` otherwise. */
export function targetForObject(obj: ElfObjectReader, targets: LinkTargetRegistry): LinkTarget {
  const target = targets.getByElfMachine(obj.header.machine);
  if (!target) {
    throw new MalformedObjectError(obj.fileName, 'e_machine', `unsupported ELF machine ${obj.header.machine} (e_machine); no link target is registered for it`);
  }
  if (obj.header.endianness !== target.info.endianness) {
    throw new MalformedObjectError(
      obj.fileName,
      'EI_DATA',
      `${obj.header.endianness}-endian objects are not supported by the ${target.info.name} target (EI_DATA); it links ${target.info.endianness}-endian code only`,
    );
  }
  return target;
}

function linkageAndScope(obj: ElfObjectReader, i: number): { linkage: Linkage; scope: Scope } {
  const symtab = obj.symbolTable!;
  const binding = symtab.binding(i);
  let linkage = Linkage.Strong;
  let scope: Scope;
  if (binding === STB_LOCAL) scope = Scope.Local;
  else if (binding === STB_GLOBAL) scope = Scope.Default;
  else if (binding === STB_WEAK || binding === STB_GNU_UNIQUE) {
    scope = Scope.Default;
    linkage = Linkage.Weak;
  } else {
    throw new MalformedObjectError(obj.fileName, 'st_info', `symbol ${i} '${symtab.name(i)}' has unsupported binding ${binding}`, {
      section: symtab.section.index,
      sectionName: symtab.section.name,
      index: i,
    });
  }
  const vis = symtab.visibility(i);
  if (vis === STV_INTERNAL) {
    throw new MalformedObjectError(obj.fileName, 'st_other', `symbol ${i} '${symtab.name(i)}' has internal visibility, which is not supported`, {
      section: symtab.section.index,
      sectionName: symtab.section.name,
      index: i,
    });
  }
  if (vis === STV_HIDDEN && scope === Scope.Default) scope = Scope.Hidden;
  return { linkage, scope };
}

/**
 * Builds a link graph from a validated relocatable ELF object (JITLink's `ELFLinkGraphBuilder`), asking the
 * target registered for the object's machine to map each relocation to an edge.
 *
 * Sections become graph sections (one block each; same-named sections merge), symbols become defined, common
 * (zero-fill blocks in `.common`), external or absolute graph symbols, relocations become edges. Differences from
 * LLVM, both deliberate: metadata sections (symbol/string/relocation tables, groups) are not turned into empty
 * graph sections, and `SHN_ABS` symbols become absolute graph symbols instead of being dropped (LLVM then fails
 * any relocation against them).
 */
export function buildElfLinkGraph(obj: ElfObjectReader, targets: LinkTargetRegistry): LinkGraph {
  expectRelocatable(obj);
  const target = targetForObject(obj, targets);
  const file = obj.fileName;
  const graph = new Graph(file, target.info);

  const blocks: Array<Block | undefined> = new Array(obj.sections.length);
  for (const sec of obj.sections) {
    if (METADATA_SECTION_TYPES.has(sec.type) || sec.flags & SHF_COMPRESSED) continue;
    let prot = MemProt.Read;
    if (sec.flags & SHF_EXECINSTR) prot |= MemProt.Exec;
    if (sec.flags & SHF_WRITE) prot |= MemProt.Write;
    let section;
    try {
      section = graph.createSection(sec.name, prot, sec.flags & SHF_ALLOC ? MemLifetime.Standard : MemLifetime.NoAlloc);
    } catch (e) {
      throw new MalformedObjectError(file, 'sh_flags', (e as Error).message, { section: sec.index, sectionName: sec.name });
    }
    const align = Number(sec.addralign);
    blocks[sec.index] =
      sec.type === SHT_NOBITS || !sec.content
        ? graph.createZeroFillBlock(section, Number(sec.size), sec.addr, align)
        : graph.createContentBlock(section, sec.content, sec.addr, align);
  }

  const symtab = obj.symbolTable;
  const symbols: Array<Symbol | undefined> = symtab ? new Array(symtab.count) : [];
  if (symtab) {
    for (let i = 1; i < symtab.count; i++) {
      const type = symtab.type(i);
      if (type === STT_FILE) continue;
      const placement = symtab.placement(i);
      const name = symtab.name(i);
      if (placement === 'common') {
        // A common symbol's st_value is its alignment.
        const alignment = symtab.value(i);
        if ((alignment & (alignment - 1n)) !== 0n) {
          throw new MalformedObjectError(file, 'st_value', `common symbol ${i} '${name}' has alignment (st_value) ${hex(alignment)}, which is not a power of two`, {
            section: symtab.section.index,
            sectionName: symtab.section.name,
            index: i,
          });
        }
        const common = graph.createSection('.common', MemProt.Read | MemProt.Write);
        const size = Number(symtab.size(i));
        const block = graph.createZeroFillBlock(common, size, 0n, Number(alignment) || 1);
        symbols[i] = graph.addDefinedSymbol(block, 0, name, size, Linkage.Weak, Scope.Default, false, false);
      } else if (placement === 'section') {
        const block = blocks[symtab.shndx(i)];
        if (!block || !DEFINABLE_TYPES.has(type)) continue;
        const { linkage, scope } = linkageAndScope(obj, i);
        const offset = symtab.value(i);
        const size = symtab.size(i);
        if (offset + size > BigInt(block.size)) {
          throw new MalformedObjectError(
            file,
            'st_value',
            `symbol ${i} '${name}' at offset ${hex(offset)} with size ${hex(size)} extends ${hex(offset + size - BigInt(block.size))} bytes past the end of its containing block (section '${block.section.name}', size ${hex(block.size)})`,
            { section: symtab.section.index, sectionName: symtab.section.name, index: i },
          );
        }
        symbols[i] =
          name === ''
            ? graph.addAnonymousSymbol(block, Number(offset), Number(size), false, false)
            : graph.addDefinedSymbol(block, Number(offset), name, Number(size), linkage, scope, type === STT_FUNC, false);
      } else if (placement === 'absolute') {
        const { linkage, scope } = linkageAndScope(obj, i);
        symbols[i] = graph.addAbsoluteSymbol(name === '' ? null : name, symtab.value(i), Number(symtab.size(i)), linkage, scope, false);
      } else if (placement === 'undefined') {
        const binding = symtab.binding(i);
        if (binding === STB_GLOBAL || binding === STB_WEAK) {
          symbols[i] = graph.addExternalSymbol(name, Number(symtab.size(i)), binding === STB_WEAK);
        } else {
          symbols[i] = graph.addAbsoluteSymbol(`__jitlink_ELF_SYM_UND_${i}`, 0n, 0, Linkage.Strong, Scope.Local, false);
        }
      }
    }
  }

  for (const rela of obj.relocationSections) {
    const block = blocks[rela.target.index];
    if (!block) continue;
    for (let r = 0; r < rela.count; r++) {
      const symIndex = rela.symbolIndex(r);
      const sym = symbols[symIndex];
      if (!sym) {
        throw new JITLinkError(
          `${file}: section '${rela.section.name}' relocation ${r}: Could not find symbol at given index, did you add it to JITSymbolTable? index: ${symIndex}, shndx: ${symtab ? symtab.shndx(symIndex) : 0} Size of table: ${symtab?.count ?? 0}`,
        );
      }
      // In a relocatable object r_offset is relative to the section (like st_value), whatever its sh_addr; the
      // reader checked it is inside the section, hence inside the block.
      const offsetInBlock = rela.offsetNumber(r);
      const spec = target.mapElfRelocation(graph, block, {
        type: rela.type(r),
        offsetInBlock,
        addend: rela.addend(r),
        index: r,
        relocationSection: rela.section.name,
      });
      if (spec) block.addEdge(spec.kind, offsetInBlock, sym, spec.addend);
    }
  }
  return graph;
}

/**
 * The symbols a relocatable ELF object offers, without building its graph: defined non-local symbols (including
 * common and absolute ones) with the flags the graph will publish them with.
 */
export function getElfObjectInterface(obj: ElfObjectReader): SymbolFlagsMap {
  expectRelocatable(obj);
  const flags: SymbolFlagsMap = new Map();
  const symtab = obj.symbolTable;
  if (!symtab) return flags;
  const skippedSections = new Set<number>();
  for (const sec of obj.sections) if (METADATA_SECTION_TYPES.has(sec.type) || sec.flags & SHF_COMPRESSED) skippedSections.add(sec.index);
  for (let i = symtab.firstNonLocal; i < symtab.count; i++) {
    const placement = symtab.placement(i);
    const type = symtab.type(i);
    if (placement === 'undefined' || placement === 'reserved' || type === STT_FILE) continue;
    if (placement === 'section' && (!DEFINABLE_TYPES.has(type) || skippedSections.has(symtab.shndx(i)))) continue;
    const name = symtab.name(i);
    if (name === '') continue;
    let f = 0;
    if (placement === 'common') {
      f = JITSymbolFlags.Exported | JITSymbolFlags.Weak;
    } else {
      const { linkage, scope } = linkageAndScope(obj, i);
      if (scope === Scope.Local) continue;
      if (scope === Scope.Default) f |= JITSymbolFlags.Exported;
      if (linkage === Linkage.Weak) f |= JITSymbolFlags.Weak;
      if (type === STT_FUNC) f |= JITSymbolFlags.Callable;
    }
    flags.set(name, f);
  }
  return flags;
}
