import type { ElfBytes } from './elf-bytes.js';
import {
  EI_ABIVERSION,
  EI_CLASS,
  EI_DATA,
  EI_NIDENT,
  EI_OSABI,
  EI_VERSION,
  ELF64_EHDR_SIZE,
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EV_CURRENT,
} from './elf-constants.js';
import { ElfyReader } from './elfy-adapter.js';

/** The ELF file header fields the linker needs, validated. */
export interface ElfHeader {
  /** `EI_CLASS`; always {@link ELFCLASS64} (32-bit objects are rejected). */
  readonly elfClass: typeof ELFCLASS64;
  /** `EI_DATA`: {@link ELFDATA2LSB} or {@link ELFDATA2MSB}. */
  readonly dataEncoding: typeof ELFDATA2LSB | typeof ELFDATA2MSB;
  /** `EI_DATA` as a word; big-endian objects are decoded, not rejected. */
  readonly endianness: 'little' | 'big';
  /** `EI_OSABI`. */
  readonly osAbi: number;
  /** `EI_ABIVERSION`. */
  readonly abiVersion: number;
  /** `e_type` (`ET_REL`, ...); not checked by the reader, see `expectRelocatable`. */
  readonly type: number;
  /** `e_machine` (`EM_AARCH64`, ...); not checked by the reader (the graph builder picks the target by it). */
  readonly machine: number;
  /** `e_version` (always `EV_CURRENT`). */
  readonly version: number;
  /** `e_entry`. */
  readonly entry: bigint;
  /** `e_flags`. */
  readonly flags: number;
  /** `e_shoff`: file offset of the section header table (0: none). */
  readonly shoff: bigint;
  /**
   * Number of section headers. With extended numbering (`e_shnum` 0 and `e_shoff` non-zero) this is section 0's
   * `sh_size`, so it is always the real count.
   */
  readonly shnum: number;
  /**
   * Index of the section-name string table, resolved through section 0's `sh_link` when `e_shstrndx` is
   * `SHN_XINDEX`; 0 (`SHN_UNDEF`) when there is none.
   */
  readonly shstrndx: number;
}

/** The header as read before the section header table: `e_shnum`/`e_shstrndx` still raw. Internal. */
export interface RawElfHeader extends Omit<ElfHeader, 'shnum' | 'shstrndx'> {
  /** `e_shnum` as stored (0 with extended numbering). */
  readonly e_shnum: number;
  /** `e_shstrndx` as stored (`SHN_XINDEX` with extended numbering). */
  readonly e_shstrndx: number;
  /** `e_shentsize` as stored. */
  readonly e_shentsize: number;
  /** elfy, primed with this file's class and endianness, for reading section headers. */
  readonly elfy: ElfyReader;
}

/**
 * Checks `e_ident` and reads the file header. Sets `src.littleEndian`.
 *
 * `e_ident` is checked here before elfy sees the bytes, so that elfy is never handed a class or encoding it
 * cannot parse and every rejection names its field. elfy supplies the remaining header fields, except:
 * `e_type` and `e_machine`, which elfy maps to names (values missing from its tables become `undefined`), and
 * `EI_OSABI`/`EI_ABIVERSION`, likewise mapped; those are read from the bytes.
 */
export function readElfHeader(src: ElfBytes): RawElfHeader {
  const b = src.bytes;
  if (src.size < EI_NIDENT) {
    throw src.error('e_ident', `file is ${src.size} bytes, too small for e_ident (${EI_NIDENT} bytes)`);
  }
  if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    const found = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
    throw src.error('e_ident[EI_MAG0..EI_MAG3]', `e_ident[EI_MAG0..EI_MAG3] is ${found}, not the ELF magic 7f 45 4c 46`);
  }
  const elfClass = b[EI_CLASS]!;
  if (elfClass !== ELFCLASS64) {
    throw src.error(
      'EI_CLASS',
      elfClass === ELFCLASS32
        ? 'EI_CLASS 1 (ELFCLASS32) is not supported: only ELFCLASS64 objects can be linked'
        : `EI_CLASS ${elfClass} is not a valid ELF class`,
    );
  }
  const data = b[EI_DATA]!;
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
    throw src.error('EI_DATA', `EI_DATA ${data} is neither ELFDATA2LSB (1) nor ELFDATA2MSB (2)`);
  }
  if (b[EI_VERSION] !== EV_CURRENT) {
    throw src.error('EI_VERSION', `EI_VERSION ${b[EI_VERSION]} is not EV_CURRENT (1)`);
  }
  if (src.size < ELF64_EHDR_SIZE) {
    throw src.error('Elf64_Ehdr', `file is ${src.size} bytes, too small for the ${ELF64_EHDR_SIZE}-byte ELF64 header (Elf64_Ehdr)`);
  }
  src.littleEndian = data === ELFDATA2LSB;

  let reader: ElfyReader;
  try {
    reader = new ElfyReader(src.buffer);
  } catch (e) {
    // Not expected after the checks above; converted so callers only ever see MalformedObjectError.
    throw src.error('Elf64_Ehdr', `elfy could not parse the ELF header: ${(e as Error)?.message ?? String(e)}`);
  }
  const eh = reader.header();
  if (eh.version !== EV_CURRENT) {
    throw src.error('e_version', `e_version ${eh.version} is not EV_CURRENT (1)`);
  }
  return {
    elfClass: ELFCLASS64,
    dataEncoding: data,
    endianness: src.littleEndian ? 'little' : 'big',
    osAbi: b[EI_OSABI]!,
    abiVersion: b[EI_ABIVERSION]!,
    type: src.u16(16),
    machine: src.u16(18),
    version: eh.version,
    entry: src.exact64(eh.entry, 24),
    flags: eh.flags,
    shoff: src.exact64(eh.shoff, 40),
    e_shentsize: eh.shentsize,
    e_shnum: eh.shnum,
    e_shstrndx: eh.shstrndx,
    elfy: reader,
  };
}
