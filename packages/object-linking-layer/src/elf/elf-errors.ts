/** Where in an ELF file a {@link MalformedObjectError} was found. */
export interface MalformedObjectLocation {
  /** Index of the section whose header or contents are at fault, if any. */
  readonly section?: number;
  /** That section's name, when the section-name string table could already be read. */
  readonly sectionName?: string;
  /** Index of the entry (symbol, relocation, ...) inside that section, if any. */
  readonly index?: number;
}

/**
 * The one error the ELF object reader throws: the bytes are not a valid ELF64 relocatable object (or not of a
 * kind the caller asked for, see `expectRelocatable`). The message names the file and the field at fault, e.g.
 * `a.o: section [3] '.rela.text': sh_link 9 is not a valid section index (e_shnum 8)`.
 */
export class MalformedObjectError extends Error {
  /** The file name given to the reader. */
  readonly file: string;
  /** The ELF field at fault (`e_shoff`, `sh_link`, `st_name`, `r_info`, ...). */
  readonly field: string;
  /** Index of the section at fault, if the fault is in a section header or a section's contents. */
  readonly section: number | undefined;
  /** Name of that section, when known. */
  readonly sectionName: string | undefined;
  /** Index of the entry (symbol, relocation) at fault inside the section, if any. */
  readonly index: number | undefined;

  /**
   * @param file the file name given to the reader.
   * @param field the ELF field at fault.
   * @param detail the rest of the message; should mention `field`.
   * @param where the section / entry at fault.
   * @param exact when true, `detail` is the whole message (for LLVM-compatible texts that name the file themselves).
   */
  constructor(file: string, field: string, detail: string, where: MalformedObjectLocation = {}, exact = false) {
    super(exact ? detail : MalformedObjectError.format(file, detail, where));
    this.name = 'MalformedObjectError';
    this.file = file;
    this.field = field;
    this.section = where.section;
    this.sectionName = where.sectionName;
    this.index = where.index;
  }

  private static format(file: string, detail: string, where: MalformedObjectLocation): string {
    let prefix = `${file}: `;
    if (where.section !== undefined) {
      prefix += `section [${where.section}]`;
      if (where.sectionName !== undefined) prefix += ` '${where.sectionName}'`;
      prefix += ': ';
    }
    if (where.index !== undefined) prefix += `entry ${where.index}: `;
    return prefix + detail;
  }
}
