import { hex, type ElfBytes } from './elf-bytes.js';
import { ELF64_RELA_SIZE, SHT_NULL } from './elf-constants.js';
import type { ElfSection } from './elf-sections.js';
import type { ElfSymbolTable } from './elf-symbols.js';

/** One `Elf64_Rela` entry, materialized by {@link ElfRelocationSection.relocation}. */
export interface ElfRelocation {
  /** Index of the entry in its relocation section. */
  readonly index: number;
  /** `r_offset`: offset of the fixup in the target section (relocatable objects). */
  readonly offset: bigint;
  /** `ELF64_R_SYM(r_info)`: index in the symbol table (checked to be in range). */
  readonly symbolIndex: number;
  /** `ELF64_R_TYPE(r_info)`: the target-specific relocation type (`R_AARCH64_CALL26` = 283, ...). */
  readonly type: number;
  /** `r_addend`. */
  readonly addend: bigint;
}

/**
 * A validated `SHT_RELA` section: the section it applies to (`sh_info`), the symbol table (`sh_link`) and its
 * entries. Symbol indices and types are decoded into typed arrays up front (they are validated then); `r_offset`
 * and `r_addend` are read from the file on access.
 *
 * Indexed accessors take `0 <= i < count` and do not check it; {@link relocation} and iteration return objects.
 */
export class ElfRelocationSection {
  /** The `SHT_RELA` section itself. */
  readonly section: ElfSection;
  /** The section the relocations apply to (`sh_info`). */
  readonly target: ElfSection;
  /** The symbol table the entries refer to (`sh_link`). */
  readonly symbolTable: ElfSymbolTable;
  /** Number of entries. */
  readonly count: number;

  private readonly src: ElfBytes;
  private readonly base: number;
  private readonly symbolIndices: Uint32Array;
  private readonly types: Uint32Array;

  private constructor(src: ElfBytes, section: ElfSection, target: ElfSection, symbolTable: ElfSymbolTable) {
    this.src = src;
    this.section = section;
    this.target = target;
    this.symbolTable = symbolTable;
    this.count = Number(section.size) / ELF64_RELA_SIZE;
    this.base = Number(section.offset);
    this.symbolIndices = new Uint32Array(this.count);
    this.types = new Uint32Array(this.count);
  }

  /**
   * Validates the `SHT_RELA` section `rela` and decodes it. Checks `sh_entsize` (24), `sh_size` (a multiple),
   * `sh_link` (the `SHT_SYMTAB`), `sh_info` (a real section), and for each entry the symbol index (inside the
   * symbol table) and `r_offset` (inside the target section).
   * @internal
   */
  static decode(src: ElfBytes, sections: readonly ElfSection[], rela: ElfSection, symbolTable: ElfSymbolTable | undefined): ElfRelocationSection {
    const at = { section: rela.index, sectionName: rela.name };
    if (rela.entsize !== BigInt(ELF64_RELA_SIZE)) {
      throw src.error('sh_entsize', `sh_entsize ${rela.entsize} is not ${ELF64_RELA_SIZE} (sizeof(Elf64_Rela))`, at);
    }
    if (rela.size % BigInt(ELF64_RELA_SIZE) !== 0n) {
      throw src.error('sh_size', `sh_size ${hex(rela.size)} is not a multiple of sh_entsize ${ELF64_RELA_SIZE}`, at);
    }
    const shnum = sections.length;
    if (rela.link >= shnum) {
      throw src.error('sh_link', `sh_link ${rela.link} is not a valid section index (e_shnum ${shnum})`, at);
    }
    if (symbolTable === undefined || rela.link !== symbolTable.section.index) {
      const linked = sections[rela.link]!;
      throw src.error(
        'sh_link',
        `sh_link ${rela.link} refers to section '${linked.name}' of sh_type ${hex(linked.type)}, not the SHT_SYMTAB section` +
          (symbolTable === undefined ? ' (the object has none)' : ` [${symbolTable.section.index}]`),
        at,
      );
    }
    if (rela.info === 0 || rela.info >= shnum) {
      throw src.error('sh_info', `sh_info ${rela.info} is not a valid section index (e_shnum ${shnum})`, at);
    }
    const target = sections[rela.info]!;
    if (target.type === SHT_NULL) {
      throw src.error('sh_info', `sh_info ${rela.info} refers to section '${target.name}' of sh_type ${hex(target.type)}, which cannot be relocated`, at);
    }

    const r = new ElfRelocationSection(src, rela, target, symbolTable);
    const count = r.count;
    const view = src.view;
    const le = src.littleEndian;
    const symCount = symbolTable.count;
    // r_offset must be inside the target: compared on 32-bit halves, falling back to bigint only for huge values.
    const targetSize = target.size > 0xffffffffn ? Number.POSITIVE_INFINITY : Number(target.size);
    const base = r.base;
    for (let i = 0; i < count; i++) {
      const p = base + i * ELF64_RELA_SIZE;
      const offLo = view.getUint32(le ? p : p + 4, le);
      const offHi = view.getUint32(le ? p + 4 : p, le);
      if (offHi !== 0 ? view.getBigUint64(p, le) >= target.size : offLo >= targetSize) {
        throw src.error(
          'r_offset',
          `r_offset ${hex(view.getBigUint64(p, le))} is outside target section [${target.index}] '${target.name}' (sh_size ${hex(target.size)})`,
          { ...at, index: i },
        );
      }
      // r_info = (sym << 32) | type.
      const type = view.getUint32(le ? p + 8 : p + 12, le);
      const sym = view.getUint32(le ? p + 12 : p + 8, le);
      if (sym >= symCount) {
        throw src.error(
          'r_info',
          `r_info symbol index ${sym} is out of range (symbol table [${symbolTable.section.index}] '${symbolTable.section.name}' has ${symCount} entries)`,
          { ...at, index: i },
        );
      }
      r.symbolIndices[i] = sym;
      r.types[i] = type;
    }
    return r;
  }

  /** `r_offset` of entry `i`. */
  offset(i: number): bigint {
    return this.src.u64(this.base + i * ELF64_RELA_SIZE);
  }

  /** `r_offset` of entry `i` as a number: `Number(offset(i))` (same rounding above 2^53), without the bigint. */
  offsetNumber(i: number): number {
    const p = this.base + i * ELF64_RELA_SIZE;
    const view = this.src.view;
    const le = this.src.littleEndian;
    const lo = view.getUint32(le ? p : p + 4, le);
    const hi = view.getUint32(le ? p + 4 : p, le);
    // hi * 2^32 is exact, so the sum is rounded once, to nearest even, as Number(bigint) rounds.
    return hi * 0x1_0000_0000 + lo;
  }

  /** `ELF64_R_SYM(r_info)` of entry `i`. */
  symbolIndex(i: number): number {
    return this.symbolIndices[i]!;
  }

  /** `ELF64_R_TYPE(r_info)` of entry `i`. */
  type(i: number): number {
    return this.types[i]!;
  }

  /** `r_addend` of entry `i`. */
  addend(i: number): bigint {
    const p = this.base + i * ELF64_RELA_SIZE + 16;
    const view = this.src.view;
    // Most addends are 0: return the constant rather than allocate a bigint for each.
    if (view.getUint32(p) === 0 && view.getUint32(p + 4) === 0) return 0n;
    return this.src.i64(p);
  }

  /**
   * Entry `i` as an object.
   * @throws RangeError when `i` is not an entry index of this section.
   */
  relocation(i: number): ElfRelocation {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`relocation index ${i} out of range (${this.count} entries)`);
    return { index: i, offset: this.offset(i), symbolIndex: this.symbolIndices[i]!, type: this.types[i]!, addend: this.addend(i) };
  }

  /** Iterates over all entries as objects. */
  *[Symbol.iterator](): IterableIterator<ElfRelocation> {
    for (let i = 0; i < this.count; i++) yield this.relocation(i);
  }
}
