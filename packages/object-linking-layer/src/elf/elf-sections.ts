import { hex, type ElfBytes } from './elf-bytes.js';
import { ELF64_SHDR_SIZE, SHN_UNDEF, SHN_XINDEX, SHT_NOBITS, SHT_NULL, SHT_STRTAB } from './elf-constants.js';
import type { ElfHeader, RawElfHeader } from './elf-header.js';
import type { ElfySectionFields } from './elfy-adapter.js';
import { ElfStringTable } from './elf-strings.js';

/** One section header of an ELF64 object, validated, with its contents as a view into the file. */
export interface ElfSection {
  /** Index in the section header table. */
  readonly index: number;
  /** Name from the section-name string table (`''` when the object has none). */
  readonly name: string;
  /** `sh_name`: offset of the name in the section-name string table. */
  readonly nameOffset: number;
  /** `sh_type` (`SHT_PROGBITS`, ...). */
  readonly type: number;
  /** `sh_flags` (`SHF_ALLOC | ...`); every defined flag fits in 32 bits, and the reader rejects higher bits. */
  readonly flags: number;
  /** `sh_addr` (0 in relocatable objects). */
  readonly addr: bigint;
  /** `sh_offset`: file offset of the contents. */
  readonly offset: bigint;
  /** `sh_size`: size in bytes (in memory, for `SHT_NOBITS`). */
  readonly size: bigint;
  /** `sh_link` (meaning depends on the type). */
  readonly link: number;
  /** `sh_info` (meaning depends on the type). */
  readonly info: number;
  /** `sh_addralign`: 0 or a power of two (checked). */
  readonly addralign: bigint;
  /** `sh_entsize`: entry size for table sections, else usually 0. */
  readonly entsize: bigint;
  /**
   * The contents as a view of the file bytes (a `subarray`, not a copy); `undefined` for `SHT_NOBITS` and
   * `SHT_NULL` sections, which have none in the file.
   */
  readonly content: Uint8Array | undefined;
}

/** The section header table, read and validated. Internal. */
export interface SectionTable {
  /** Every section, by index. */
  readonly sections: ElfSection[];
  /** The real section count (extended numbering resolved). */
  readonly shnum: number;
  /** The real section-name table index (extended numbering resolved; 0 for none). */
  readonly shstrndx: number;
  /** The validated section-name string table, if any. */
  readonly shstrtab: ElfStringTable | undefined;
}

/** One header as read, before validation. */
interface RawSectionHeader {
  readonly name: number;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: bigint;
  readonly size: bigint;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
}

/** Section name for messages, once names are known. */
function where(section: number, name?: string): { section: number; sectionName?: string } {
  return name === undefined ? { section } : { section, sectionName: name };
}

/**
 * Reads one section header at file offset `at` (bounds already checked).
 *
 * elfy's `Parser.parseSection` supplies `sh_name`, `sh_type`, `sh_addr`, `sh_offset`, `sh_size`, `sh_link` and
 * `sh_info`. Read here instead:
 * - `sh_addralign` and `sh_entsize`: elfy reads them for ELF64 at offsets 46 and 54 instead of 48 and 56, so its
 *   values are garbage (`sh_info`'s high half glued to the field's low six bytes);
 * - `sh_flags`: elfy turns it into a map of flag names and drops bits 32..63, so it cannot be recovered exactly;
 * - 64-bit values above 2^53, which elfy's doubles round (see {@link ElfBytes.exact64}).
 */
function readRawSectionHeader(src: ElfBytes, raw: RawElfHeader, index: number, at: number): RawSectionHeader {
  let s: ElfySectionFields;
  try {
    s = raw.elfy.section(at);
  } catch (e) {
    // Not expected for a 64-byte header inside the file; converted so callers only see MalformedObjectError.
    throw src.error('Elf64_Shdr', `elfy could not parse the section header: ${(e as Error)?.message ?? String(e)}`, { section: index });
  }
  return {
    name: s.name,
    // elfy maps sh_type to a name; when the name does not map back to one number, read the field here.
    type: s.type ?? src.u32(at + 4),
    flags: src.u64(at + 8),
    addr: src.exact64(s.addr, at + 16),
    offset: src.exact64(s.offset, at + 24),
    size: src.exact64(s.size, at + 32),
    link: s.link,
    info: s.info,
    addralign: src.u64(at + 48),
    entsize: src.u64(at + 56),
  };
}

/**
 * Locates, reads and validates the section header table, resolves extended numbering (`e_shnum` 0 /
 * `e_shstrndx` `SHN_XINDEX`, whose real values live in section 0), validates the section-name string table and
 * each section's name, flags, alignment and file extent.
 */
export function readSectionTable(src: ElfBytes, raw: RawElfHeader): SectionTable {
  const shoff = raw.shoff;
  if (shoff === 0n) {
    if (raw.e_shnum !== 0) throw src.error('e_shnum', `e_shnum ${raw.e_shnum} but e_shoff is 0 (no section header table)`);
    if (raw.e_shstrndx !== SHN_UNDEF) {
      throw src.error('e_shstrndx', `e_shstrndx ${raw.e_shstrndx} but e_shoff is 0 (no section header table)`);
    }
    return { sections: [], shnum: 0, shstrndx: 0, shstrtab: undefined };
  }
  if (raw.e_shentsize !== ELF64_SHDR_SIZE) {
    throw src.error('e_shentsize', `e_shentsize ${raw.e_shentsize} is not ${ELF64_SHDR_SIZE} (sizeof(Elf64_Shdr))`);
  }
  if (!src.inFile(shoff, BigInt(ELF64_SHDR_SIZE))) {
    throw src.error('e_shoff', `e_shoff ${hex(shoff)} puts the section header table past the end of the ${src.size}-byte file`);
  }
  const tableStart = Number(shoff);
  const room = BigInt(Math.floor((src.size - tableStart) / ELF64_SHDR_SIZE));

  // Section 0 first: with extended numbering it holds the real e_shnum (sh_size) and e_shstrndx (sh_link).
  const first = readRawSectionHeader(src, raw, 0, tableStart);
  let count: bigint;
  if (raw.e_shnum === 0) {
    count = first.size;
    if (count > room) {
      throw src.error(
        'e_shnum',
        `e_shnum 0 (extended numbering) with section [0] sh_size ${count}: ${count} section headers at e_shoff ${hex(shoff)} ` +
          `do not fit in the ${src.size}-byte file`,
      );
    }
  } else {
    count = BigInt(raw.e_shnum);
    if (count > room) {
      throw src.error(
        'e_shnum',
        `e_shnum ${raw.e_shnum}: ${raw.e_shnum} section headers at e_shoff ${hex(shoff)} do not fit in the ${src.size}-byte file`,
      );
    }
  }
  const shnum = Number(count);
  const shstrndx = raw.e_shstrndx === SHN_XINDEX ? first.link : raw.e_shstrndx;
  if (shstrndx !== SHN_UNDEF && shstrndx >= shnum) {
    const via = raw.e_shstrndx === SHN_XINDEX ? ` (SHN_XINDEX, section [0] sh_link ${shstrndx})` : '';
    throw src.error('e_shstrndx', `e_shstrndx ${shstrndx}${via} is not a valid section index (e_shnum ${shnum})`);
  }

  const headers: RawSectionHeader[] = new Array<RawSectionHeader>(shnum);
  if (shnum > 0) headers[0] = first;
  for (let i = 1; i < shnum; i++) headers[i] = readRawSectionHeader(src, raw, i, tableStart + i * ELF64_SHDR_SIZE);
  if (shnum > 0 && first.type !== SHT_NULL) {
    throw src.error('sh_type', `sh_type ${hex(first.type)} is not SHT_NULL (section 0 is reserved)`, { section: 0 });
  }

  // The section-name string table, so that later messages can name sections.
  let shstrtab: ElfStringTable | undefined;
  if (shstrndx !== SHN_UNDEF) {
    const h = headers[shstrndx]!;
    if (h.type !== SHT_STRTAB) {
      throw src.error('e_shstrndx', `e_shstrndx ${shstrndx} refers to a section of sh_type ${hex(h.type)}, not SHT_STRTAB`, {
        section: shstrndx,
      });
    }
    checkExtent(src, h, shstrndx, undefined);
    shstrtab = ElfStringTable.fromSection(src, shstrndx, undefined, Number(h.offset), Number(h.size));
  }

  const sections: ElfSection[] = new Array<ElfSection>(shnum);
  for (let i = 0; i < shnum; i++) {
    const h = headers[i]!;
    let name = '';
    if (shstrtab !== undefined) {
      shstrtab.check(h.name, 'sh_name', { section: i });
      name = shstrtab.get(h.name);
    } else if (h.name !== 0) {
      throw src.error('sh_name', `sh_name ${hex(h.name)} but the object has no section-name string table (e_shstrndx 0)`, {
        section: i,
      });
    }
    if (h.flags > 0xffffffffn) {
      throw src.error('sh_flags', `sh_flags ${hex(h.flags)} has bits above bit 31 set, which no ELF section flag defines`, where(i, name));
    }
    if ((h.addralign & (h.addralign - 1n)) !== 0n) {
      throw src.error('sh_addralign', `sh_addralign ${hex(h.addralign)} is not 0 or a power of two`, where(i, name));
    }
    let content: Uint8Array | undefined;
    if (h.type !== SHT_NULL && h.type !== SHT_NOBITS) {
      checkExtent(src, h, i, name);
      const start = Number(h.offset);
      content = src.bytes.subarray(start, start + Number(h.size));
    }
    sections[i] = {
      index: i,
      name,
      nameOffset: h.name,
      type: h.type,
      flags: Number(h.flags),
      addr: h.addr,
      offset: h.offset,
      size: h.size,
      link: h.link,
      info: h.info,
      addralign: h.addralign,
      entsize: h.entsize,
      content,
    };
  }
  return { sections, shnum, shstrndx, shstrtab };
}

/** Throws unless the section's `[sh_offset, sh_offset + sh_size)` lies inside the file. */
function checkExtent(src: ElfBytes, h: RawSectionHeader, index: number, name: string | undefined): void {
  if (h.offset > src.bigSize) {
    throw src.error('sh_offset', `sh_offset ${hex(h.offset)} is past the end of the ${src.size}-byte file`, where(index, name));
  }
  if (!src.inFile(h.offset, h.size)) {
    throw src.error(
      'sh_size',
      `sh_offset ${hex(h.offset)} + sh_size ${hex(h.size)} runs past the end of the ${src.size}-byte file`,
      where(index, name),
    );
  }
}

/** Completes the header with the section counts resolved by {@link readSectionTable}. Internal. */
export function completeHeader(raw: RawElfHeader, table: SectionTable): ElfHeader {
  return {
    elfClass: raw.elfClass,
    dataEncoding: raw.dataEncoding,
    endianness: raw.endianness,
    osAbi: raw.osAbi,
    abiVersion: raw.abiVersion,
    type: raw.type,
    machine: raw.machine,
    version: raw.version,
    entry: raw.entry,
    flags: raw.flags,
    shoff: raw.shoff,
    shnum: table.shnum,
    shstrndx: table.shstrndx,
  };
}
