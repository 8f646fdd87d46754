import { hex, type ElfBytes } from './elf-bytes.js';
import {
  ELF64_SHNDX_ENTRY_SIZE,
  ELF64_SYM_SIZE,
  SHN_ABS,
  SHN_COMMON,
  SHN_HIOS,
  SHN_LOPROC,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_STRTAB,
} from './elf-constants.js';
import type { ElfSection } from './elf-sections.js';
import { ElfStringTable } from './elf-strings.js';

/**
 * Where a symbol's `st_shndx` places it:
 * - `'undefined'`: `SHN_UNDEF`;
 * - `'section'`: defined in section {@link ElfSymbol.shndx} (resolved through `SHT_SYMTAB_SHNDX` for
 *   `SHN_XINDEX`);
 * - `'absolute'`: `SHN_ABS`;
 * - `'common'`: `SHN_COMMON` (`st_value` is the alignment);
 * - `'reserved'`: a processor- or OS-specific reserved index (`SHN_LOPROC`..`SHN_HIOS`), kept in `shndx`.
 *
 * This matters with extended numbering: a section index resolved through `SHN_XINDEX` may numerically equal
 * `SHN_ABS` or `SHN_COMMON`, so `shndx` alone does not say which.
 */
export type ElfSymbolPlacement = 'undefined' | 'section' | 'absolute' | 'common' | 'reserved';

const PLACEMENTS: readonly ElfSymbolPlacement[] = ['undefined', 'section', 'absolute', 'common', 'reserved'];
const P_UNDEFINED = 0;
const P_SECTION = 1;
const P_ABSOLUTE = 2;
const P_COMMON = 3;
const P_RESERVED = 4;

/** One symbol, materialized by {@link ElfSymbolTable.symbol}. */
export interface ElfSymbol {
  /** Index in the symbol table. */
  readonly index: number;
  /** Name from the linked string table (`''` for unnamed symbols). */
  readonly name: string;
  /** `st_name`: offset of the name in the linked string table. */
  readonly nameOffset: number;
  /** `st_value` (offset in the section for defined symbols of a relocatable object; alignment for common). */
  readonly value: bigint;
  /** `st_size`. */
  readonly size: bigint;
  /** `ELF64_ST_TYPE(st_info)` (`STT_FUNC`, ...). */
  readonly type: number;
  /** `ELF64_ST_BIND(st_info)` (`STB_GLOBAL`, ...). */
  readonly binding: number;
  /** `ELF64_ST_VISIBILITY(st_other)` (`STV_HIDDEN`, ...). */
  readonly visibility: number;
  /** `st_other` as stored (visibility plus target-specific bits). */
  readonly other: number;
  /** Section index, resolved through `SHT_SYMTAB_SHNDX` when `st_shndx` is `SHN_XINDEX`; else `st_shndx`. */
  readonly shndx: number;
  /** What {@link shndx} means; see {@link ElfSymbolPlacement}. */
  readonly placement: ElfSymbolPlacement;
}

/**
 * The object's `SHT_SYMTAB`, decoded into compact typed arrays (struct of arrays) and validated: every name
 * offset is inside the linked string table and every `st_shndx` is a valid section index or a defined reserved
 * value. `st_value`/`st_size` are read from the file on access; names are decoded on first access and cached.
 *
 * Indexed accessors take `0 <= i < count` and do not check it (they are the fast path for the graph builder);
 * {@link symbol} and iteration return objects.
 */
export class ElfSymbolTable {
  /** The `SHT_SYMTAB` section. */
  readonly section: ElfSection;
  /** The string table the symbol names live in (`sh_link`). */
  readonly stringTable: ElfStringTable;
  /** The `SHT_SYMTAB_SHNDX` section linked to this table, if any. */
  readonly shndxSection: ElfSection | undefined;
  /** Number of symbols (including the null symbol 0). */
  readonly count: number;
  /** `sh_info`: index of the first non-local symbol. */
  readonly firstNonLocal: number;

  private readonly src: ElfBytes;
  private readonly base: number;
  private readonly nameOffsets: Uint32Array;
  private readonly infos: Uint8Array;
  private readonly others: Uint8Array;
  private readonly shndxs: Uint32Array;
  private readonly placements: Uint8Array;
  private readonly names: (string | undefined)[];

  private constructor(src: ElfBytes, section: ElfSection, stringTable: ElfStringTable, shndxSection: ElfSection | undefined) {
    this.src = src;
    this.section = section;
    this.stringTable = stringTable;
    this.shndxSection = shndxSection;
    this.count = Number(section.size) / ELF64_SYM_SIZE;
    this.firstNonLocal = section.info;
    this.base = Number(section.offset);
    this.nameOffsets = new Uint32Array(this.count);
    this.infos = new Uint8Array(this.count);
    this.others = new Uint8Array(this.count);
    this.shndxs = new Uint32Array(this.count);
    this.placements = new Uint8Array(this.count);
    this.names = new Array<string | undefined>(this.count);
  }

  /**
   * Validates the `SHT_SYMTAB` section `symtab` (and its `SHT_SYMTAB_SHNDX` companion) and decodes it.
   * @internal
   */
  static decode(src: ElfBytes, sections: readonly ElfSection[], symtab: ElfSection, shndxSection: ElfSection | undefined): ElfSymbolTable {
    const at = { section: symtab.index, sectionName: symtab.name };
    if (symtab.entsize !== BigInt(ELF64_SYM_SIZE)) {
      throw src.error('sh_entsize', `sh_entsize ${symtab.entsize} is not ${ELF64_SYM_SIZE} (sizeof(Elf64_Sym))`, at);
    }
    if (symtab.size % BigInt(ELF64_SYM_SIZE) !== 0n) {
      throw src.error('sh_size', `sh_size ${hex(symtab.size)} is not a multiple of sh_entsize ${ELF64_SYM_SIZE}`, at);
    }
    const shnum = sections.length;
    if (symtab.link === SHN_UNDEF || symtab.link >= shnum) {
      throw src.error('sh_link', `sh_link ${symtab.link} is not a valid section index (e_shnum ${shnum})`, at);
    }
    const strSec = sections[symtab.link]!;
    if (strSec.type !== SHT_STRTAB) {
      throw src.error('sh_link', `sh_link ${symtab.link} refers to section '${strSec.name}' of sh_type ${hex(strSec.type)}, not SHT_STRTAB`, at);
    }
    const stringTable = ElfStringTable.fromSection(src, strSec.index, strSec.name, Number(strSec.offset), Number(strSec.size));
    const count = Number(symtab.size) / ELF64_SYM_SIZE;
    if (symtab.info > count) {
      throw src.error('sh_info', `sh_info ${symtab.info} (first non-local symbol) exceeds the symbol count ${count}`, at);
    }
    if (shndxSection !== undefined) {
      const xat = { section: shndxSection.index, sectionName: shndxSection.name };
      if (shndxSection.entsize !== BigInt(ELF64_SHNDX_ENTRY_SIZE)) {
        throw src.error('sh_entsize', `sh_entsize ${shndxSection.entsize} of SHT_SYMTAB_SHNDX is not ${ELF64_SHNDX_ENTRY_SIZE}`, xat);
      }
      if (shndxSection.size !== BigInt(count * ELF64_SHNDX_ENTRY_SIZE)) {
        throw src.error(
          'sh_size',
          `sh_size ${hex(shndxSection.size)} of SHT_SYMTAB_SHNDX does not hold one entry for each of the ${count} symbols of ` +
            `section [${symtab.index}] '${symtab.name}'`,
          xat,
        );
      }
    }

    const table = new ElfSymbolTable(src, symtab, stringTable, shndxSection);
    const base = table.base;
    const xbase = shndxSection === undefined ? 0 : Number(shndxSection.offset);
    const view = src.view;
    const le = src.littleEndian;
    const strSize = stringTable.size;
    for (let i = 0; i < count; i++) {
      const p = base + i * ELF64_SYM_SIZE;
      const nameOffset = view.getUint32(p, le);
      if (nameOffset >= strSize && nameOffset !== 0) stringTable.check(nameOffset, 'st_name', { ...at, index: i });
      table.nameOffsets[i] = nameOffset;
      table.infos[i] = view.getUint8(p + 4);
      table.others[i] = view.getUint8(p + 5);
      const raw = view.getUint16(p + 6, le);
      let shndx = raw;
      let placement = P_SECTION;
      if (raw === SHN_UNDEF) {
        placement = P_UNDEFINED;
      } else if (raw < SHN_LORESERVE) {
        if (raw >= shnum) {
          throw src.error('st_shndx', `st_shndx ${raw} is not a valid section index (e_shnum ${shnum})`, { ...at, index: i });
        }
      } else if (raw === SHN_XINDEX) {
        if (shndxSection === undefined) {
          throw src.error('st_shndx', 'st_shndx is SHN_XINDEX but the symbol table has no SHT_SYMTAB_SHNDX section', { ...at, index: i });
        }
        shndx = view.getUint32(xbase + i * ELF64_SHNDX_ENTRY_SIZE, le);
        if (shndx === SHN_UNDEF || shndx >= shnum) {
          throw src.error(
            'st_shndx',
            `st_shndx SHN_XINDEX resolves through section [${shndxSection.index}] '${shndxSection.name}' to ${shndx}, ` +
              `which is not a valid section index (e_shnum ${shnum})`,
            { ...at, index: i },
          );
        }
      } else if (raw === SHN_ABS) {
        placement = P_ABSOLUTE;
      } else if (raw === SHN_COMMON) {
        placement = P_COMMON;
      } else if (raw >= SHN_LOPROC && raw <= SHN_HIOS) {
        placement = P_RESERVED;
      } else {
        throw src.error('st_shndx', `st_shndx ${hex(raw)} is a reserved section index with no defined meaning`, { ...at, index: i });
      }
      table.shndxs[i] = shndx;
      table.placements[i] = placement;
    }
    return table;
  }

  /** Name of symbol `i` (decoded once, then cached). */
  name(i: number): string {
    let name = this.names[i];
    if (name === undefined) {
      name = this.stringTable.get(this.nameOffsets[i]!);
      this.names[i] = name;
    }
    return name;
  }

  /** `st_name` of symbol `i`. */
  nameOffset(i: number): number {
    return this.nameOffsets[i]!;
  }

  /** `st_value` of symbol `i`. */
  value(i: number): bigint {
    return this.src.u64(this.base + i * ELF64_SYM_SIZE + 8);
  }

  /** `st_size` of symbol `i`. */
  size(i: number): bigint {
    return this.src.u64(this.base + i * ELF64_SYM_SIZE + 16);
  }

  /** `ELF64_ST_TYPE` of symbol `i`. */
  type(i: number): number {
    return this.infos[i]! & 0xf;
  }

  /** `ELF64_ST_BIND` of symbol `i`. */
  binding(i: number): number {
    return this.infos[i]! >> 4;
  }

  /** `ELF64_ST_VISIBILITY` of symbol `i`. */
  visibility(i: number): number {
    return this.others[i]! & 0x3;
  }

  /** `st_other` of symbol `i`. */
  other(i: number): number {
    return this.others[i]!;
  }

  /** Resolved section index of symbol `i` (see {@link ElfSymbol.shndx}). */
  shndx(i: number): number {
    return this.shndxs[i]!;
  }

  /** What {@link shndx} of symbol `i` means. */
  placement(i: number): ElfSymbolPlacement {
    return PLACEMENTS[this.placements[i]!]!;
  }

  /** True when symbol `i` is defined in a section (its {@link shndx} is then a real section index). */
  isInSection(i: number): boolean {
    return this.placements[i] === P_SECTION;
  }

  /**
   * Symbol `i` as an object.
   * @throws RangeError when `i` is not an index of this table.
   */
  symbol(i: number): ElfSymbol {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`symbol index ${i} out of range (${this.count} symbols)`);
    return {
      index: i,
      name: this.name(i),
      nameOffset: this.nameOffsets[i]!,
      value: this.value(i),
      size: this.size(i),
      type: this.type(i),
      binding: this.binding(i),
      visibility: this.visibility(i),
      other: this.others[i]!,
      shndx: this.shndxs[i]!,
      placement: this.placement(i),
    };
  }

  /** Iterates over all symbols (including the null symbol 0) as objects. */
  *[Symbol.iterator](): IterableIterator<ElfSymbol> {
    for (let i = 0; i < this.count; i++) yield this.symbol(i);
  }
}
