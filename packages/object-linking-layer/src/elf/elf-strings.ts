import type { ElfBytes } from './elf-bytes.js';
import { hex } from './elf-bytes.js';
import { MalformedObjectError, type MalformedObjectLocation } from './elf-errors.js';

/**
 * A validated `SHT_STRTAB` section (`.strtab`, `.shstrtab`): NUL-terminated strings addressed by byte offset.
 *
 * Construction checks that a non-empty table ends in NUL, so every in-range offset names a string that ends
 * inside the table (LLVM's rule too). An empty table holds only the empty string at offset 0.
 */
export class ElfStringTable {
  /** File name, for errors. */
  readonly file: string;
  /** Index of the string table's section. */
  readonly sectionIndex: number;
  /** Size of the table in bytes. */
  readonly size: number;
  /** The table's bytes as a Buffer view (no copy), for native `indexOf`/UTF-8 decoding. */
  private readonly table: Buffer;

  /** @internal Use {@link ElfStringTable.fromSection}. */
  constructor(file: string, sectionIndex: number, table: Buffer) {
    this.file = file;
    this.sectionIndex = sectionIndex;
    this.table = table;
    this.size = table.length;
  }

  /**
   * Validates and wraps the string table at file bytes `[offset, offset + size)` (already bounds-checked against
   * the file) of section `sectionIndex`.
   * @internal
   */
  static fromSection(src: ElfBytes, sectionIndex: number, sectionName: string | undefined, offset: number, size: number): ElfStringTable {
    const table = src.buffer.subarray(offset, offset + size);
    if (size > 0 && table[size - 1] !== 0) {
      throw src.error('sh_size', `string table is not NUL-terminated (last byte of sh_size ${hex(size)} is ${hex(table[size - 1]!)})`, {
        section: sectionIndex,
        sectionName,
      });
    }
    return new ElfStringTable(src.file, sectionIndex, table);
  }

  /** True when `offset` names a string of this table. */
  contains(offset: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && (offset < this.size || offset === 0);
  }

  /**
   * Throws the reader's error unless `offset` names a string of this table.
   * @param field the field holding the offset (`st_name`, `sh_name`), named in the message.
   * @param where the section / entry holding the field.
   */
  check(offset: number, field: string, where: MalformedObjectLocation): void {
    if (!this.contains(offset)) {
      throw new MalformedObjectError(
        this.file,
        field,
        `${field} ${hex(offset)} is past the end of string table [${this.sectionIndex}] (size ${hex(this.size)})`,
        where,
      );
    }
  }

  /**
   * The string at `offset` (UTF-8, up to the first NUL).
   * @throws MalformedObjectError when `offset` is out of range.
   */
  get(offset: number): string {
    if (!this.contains(offset)) {
      throw new MalformedObjectError(
        this.file,
        'string offset',
        `string offset ${hex(offset)} is past the end of string table [${this.sectionIndex}] (size ${hex(this.size)})`,
        { section: this.sectionIndex },
      );
    }
    if (offset === this.size) return ''; // offset 0 of an empty table
    const end = this.table.indexOf(0, offset);
    return this.table.toString('utf8', offset, end);
  }
}
