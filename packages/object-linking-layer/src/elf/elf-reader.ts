import { ElfBytes } from './elf-bytes.js';
import { ET_REL, SHT_RELA, SHT_SYMTAB, SHT_SYMTAB_SHNDX, elfTypeName } from './elf-constants.js';
import { MalformedObjectError } from './elf-errors.js';
import { readElfHeader, type ElfHeader } from './elf-header.js';
import { ElfRelocationSection } from './elf-relocations.js';
import { completeHeader, readSectionTable, type ElfSection } from './elf-sections.js';
import type { ElfStringTable } from './elf-strings.js';
import { ElfSymbolTable } from './elf-symbols.js';

/** The `field` of a {@link MalformedObjectError} that reports a bug in the reader rather than in the input. */
export const INTERNAL_READER_ERROR_FIELD = '<internal>';

/**
 * A validated, typed view of a relocatable ELF64 object (little- or big-endian): header, sections (contents are
 * views of the input, not copies), the symbol table and the `SHT_RELA` relocation sections.
 *
 * Everything is checked when the view is built ({@link readElfObject} / {@link ElfObjectReader.read}): any
 * fault throws {@link MalformedObjectError} naming the file and the field, and no other exception escapes, whatever
 * the bytes. Afterwards the accessors cannot fail on the data. `e_type` and `e_machine` are reported, not
 * checked: see {@link expectRelocatable}. `SHT_REL` sections are left undecoded (JITLink ignores them on ELF64
 * targets); they appear in {@link sections} like any other section.
 */
export class ElfObjectReader {
  /** The file name given to the reader (used in every error message). */
  readonly fileName: string;
  /** The input bytes (not copied; section contents are views of them). */
  readonly bytes: Uint8Array;
  /** The file header. */
  readonly header: ElfHeader;
  /** All section headers, by index (index 0 is the null section). */
  readonly sections: readonly ElfSection[];
  /** The section-name string table (`e_shstrndx`), if any. */
  readonly sectionNameTable: ElfStringTable | undefined;
  /** The `SHT_SYMTAB` (at most one is allowed), if any. */
  readonly symbolTable: ElfSymbolTable | undefined;
  /** Every `SHT_RELA` section, in section order. */
  readonly relocationSections: readonly ElfRelocationSection[];

  private readonly relocationsByTarget: ReadonlyMap<number, readonly ElfRelocationSection[]>;

  private constructor(
    fileName: string,
    bytes: Uint8Array,
    header: ElfHeader,
    sections: readonly ElfSection[],
    sectionNameTable: ElfStringTable | undefined,
    symbolTable: ElfSymbolTable | undefined,
    relocationSections: readonly ElfRelocationSection[],
  ) {
    this.fileName = fileName;
    this.bytes = bytes;
    this.header = header;
    this.sections = sections;
    this.sectionNameTable = sectionNameTable;
    this.symbolTable = symbolTable;
    this.relocationSections = relocationSections;
    const byTarget = new Map<number, ElfRelocationSection[]>();
    for (const r of relocationSections) {
      const list = byTarget.get(r.target.index);
      if (list) list.push(r);
      else byTarget.set(r.target.index, [r]);
    }
    this.relocationsByTarget = byTarget;
  }

  /**
   * Reads and validates `bytes` as an ELF64 object.
   * @param bytes the object file's contents (kept, not copied).
   * @param fileName the name used in error messages.
   * @throws MalformedObjectError for any invalid input, and nothing else.
   */
  static read(bytes: Uint8Array, fileName: string): ElfObjectReader {
    const file = String(fileName);
    if (!(bytes instanceof Uint8Array)) {
      throw new MalformedObjectError(file, 'bytes', 'the object bytes are not a Uint8Array');
    }
    try {
      return ElfObjectReader.readUnchecked(bytes, file);
    } catch (e) {
      if (e instanceof MalformedObjectError) throw e;
      // A bug in the reader, not in the input; still reported as the reader's error so callers have one error
      // type to handle. Tests assert this field never shows up.
      throw new MalformedObjectError(
        file,
        INTERNAL_READER_ERROR_FIELD,
        `internal error while reading the object: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private static readUnchecked(bytes: Uint8Array, file: string): ElfObjectReader {
    const src = new ElfBytes(bytes, file);
    const raw = readElfHeader(src);
    const table = readSectionTable(src, raw);
    const sections = table.sections;

    let symtab: ElfSection | undefined;
    for (const s of sections) {
      if (s.type !== SHT_SYMTAB) continue;
      if (symtab !== undefined) {
        throw new MalformedObjectError(
          file,
          'sh_type',
          `Multiple SHT_SYMTAB sections in ${file} (sh_type of sections [${symtab.index}] '${symtab.name}' and [${s.index}] '${s.name}')`,
          { section: s.index, sectionName: s.name },
          true,
        );
      }
      symtab = s;
    }

    let shndx: ElfSection | undefined;
    for (const s of sections) {
      if (s.type !== SHT_SYMTAB_SHNDX) continue;
      const at = { section: s.index, sectionName: s.name };
      if (symtab === undefined || s.link !== symtab.index) {
        throw src.error(
          'sh_link',
          `sh_link ${s.link} of SHT_SYMTAB_SHNDX does not refer to the SHT_SYMTAB section` +
            (symtab === undefined ? ' (the object has none)' : ` [${symtab.index}]`),
          at,
        );
      }
      if (shndx !== undefined) {
        throw src.error('sh_link', `a second SHT_SYMTAB_SHNDX section for symbol table [${symtab.index}] (the first is [${shndx.index}])`, at);
      }
      shndx = s;
    }

    const symbolTable = symtab === undefined ? undefined : ElfSymbolTable.decode(src, sections, symtab, shndx);
    const relocationSections: ElfRelocationSection[] = [];
    for (const s of sections) {
      if (s.type === SHT_RELA) relocationSections.push(ElfRelocationSection.decode(src, sections, s, symbolTable));
    }
    return new ElfObjectReader(file, bytes, completeHeader(raw, table), sections, table.shstrtab, symbolTable, relocationSections);
  }

  /** True for `ELFDATA2LSB` objects. */
  get isLittleEndian(): boolean {
    return this.header.endianness === 'little';
  }

  /** The first section called `name`, if any. */
  sectionByName(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The `SHT_RELA` sections whose `sh_info` is section `index` (usually zero or one). */
  relocationSectionsFor(index: number): readonly ElfRelocationSection[] {
    return this.relocationsByTarget.get(index) ?? [];
  }
}

/**
 * Reads and validates `bytes` as an ELF64 object; shorthand for {@link ElfObjectReader.read}.
 * @throws MalformedObjectError for any invalid input, and nothing else.
 */
export function readElfObject(bytes: Uint8Array, fileName: string): ElfObjectReader {
  return ElfObjectReader.read(bytes, fileName);
}

/** True when the object is relocatable (`e_type` is `ET_REL`). */
export function isRelocatable(obj: ElfObjectReader): boolean {
  return obj.header.type === ET_REL;
}

/**
 * Throws unless the object is relocatable (`ET_REL`), with LLVM's text:
 * `<file>: Object is not a relocatable ELF file (e_type ET_EXEC)`.
 * @throws MalformedObjectError with field `e_type`.
 */
export function expectRelocatable(obj: ElfObjectReader): void {
  if (!isRelocatable(obj)) {
    throw new MalformedObjectError(
      obj.fileName,
      'e_type',
      `Object is not a relocatable ELF file (e_type ${elfTypeName(obj.header.type)})`,
    );
  }
}
