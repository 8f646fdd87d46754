// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the ambient declaration of untyped elfy must travel with its only importer (also when compiled from another package)
/// <reference path="./elfy.d.ts" />
import elfy from 'elfy';

/** The file-header fields taken from elfy (all exact: 16/32-bit, or 64-bit values re-checked by the caller). */
export interface ElfyHeaderFields {
  /** `e_version`. */
  readonly version: number;
  /** `e_entry` (a double: exact below 2^53). */
  readonly entry: number;
  /** `e_flags`. */
  readonly flags: number;
  /** `e_shoff` (a double: exact below 2^53). */
  readonly shoff: number;
  /** `e_shentsize`. */
  readonly shentsize: number;
  /** `e_shnum` as stored. */
  readonly shnum: number;
  /** `e_shstrndx` as stored. */
  readonly shstrndx: number;
}

/** The section-header fields taken from elfy. */
export interface ElfySectionFields {
  /** `sh_name`. */
  readonly name: number;
  /** `sh_type` as a number, or `undefined` when elfy's name for it cannot be mapped back unambiguously. */
  readonly type: number | undefined;
  /** `sh_addr` (a double: exact below 2^53). */
  readonly addr: number;
  /** `sh_offset` (a double: exact below 2^53). */
  readonly offset: number;
  /** `sh_size` (a double: exact below 2^53). */
  readonly size: number;
  /** `sh_link`. */
  readonly link: number;
  /** `sh_info`. */
  readonly info: number;
}

/**
 * elfy maps `sh_type` through its `constants.sectType` table to a name (numbers it does not know stay numbers);
 * this inverts that table. Names that occur for more than one number are left out.
 */
const SECTION_TYPE_BY_ELFY_NAME: ReadonlyMap<string, number> = (() => {
  const byName = new Map<string, number>();
  const ambiguous = new Set<string>();
  for (const [key, name] of Object.entries(elfy.constants.sectType)) {
    if (byName.has(name)) ambiguous.add(name);
    byName.set(name, Number(key));
  }
  for (const name of ambiguous) byName.delete(name);
  return byName;
})();

/**
 * How the reader uses elfy: its parser's per-structure methods (`parseHeader`, `parseSection`) rather than
 * `elfy.parse`, because `parse` also parses program headers (irrelevant to relocatable objects), and then asserts
 * that section `e_shstrndx` is a string table, which fails for objects without section names and for extended
 * numbering (`e_shnum` 0 / `e_shstrndx` `SHN_XINDEX`), which elfy does not support at all. The reader checks
 * `e_ident` and every bound before calling elfy, so elfy only ever sees inputs it can parse; its exceptions are
 * still caught by the callers and converted.
 *
 * The caller must not construct this for inputs shorter than the ELF64 header or with an `EI_CLASS`/`EI_DATA`
 * elfy rejects.
 */
export class ElfyReader {
  private readonly parser = new elfy.Parser();
  private readonly elfyHeader: ReturnType<InstanceType<typeof elfy.Parser>['parseHeader']>;

  /** Parses the file header of `buffer` (which must be a Node Buffer: elfy uses Buffer methods). */
  constructor(private readonly buffer: Buffer) {
    this.elfyHeader = this.parser.parseHeader(buffer);
  }

  /** The file-header fields elfy read. */
  header(): ElfyHeaderFields {
    return this.elfyHeader;
  }

  /**
   * Parses the 64-byte section header at file offset `at` (bounds-checked by the caller). elfy's values for
   * `sh_flags` (a lossy map of names), `sh_addralign` and `sh_entsize` (read from the wrong offsets for ELF64) are
   * deliberately not returned.
   */
  section(at: number): ElfySectionFields {
    const s = this.parser.parseSection(this.buffer.subarray(at, at + 64), this.elfyHeader, this.buffer);
    return {
      name: s.name as number,
      type: typeof s.type === 'number' ? s.type : SECTION_TYPE_BY_ELFY_NAME.get(s.type),
      addr: s.addr,
      offset: s.off,
      size: s.size,
      link: s.link,
      info: s.info,
    };
  }
}
