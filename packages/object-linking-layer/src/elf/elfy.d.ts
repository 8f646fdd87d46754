/**
 * Minimal type declarations for the parts of `elfy` (CommonJS, untyped) that the ELF object reader uses.
 * Shapes follow elfy 1.0.0's `lib/elfy/parser.js`; 64-bit fields arrive as JS numbers (rounded above 2^53).
 */
declare module 'elfy' {
  /** The file header as `Parser.parseHeader` returns it. */
  interface ElfyHeader {
    /** `'32'` or `'64'`. */
    class: string;
    /** `'lsb'` or `'msb'`. */
    endian: string;
    /** e_type mapped to a name (`'rel'`, ...); undefined for values elfy does not know. */
    type: string | undefined;
    /** e_machine mapped to a name (`'AArch64'`, ...); undefined for values elfy does not know. */
    machine: string | undefined;
    version: number;
    entry: number;
    phoff: number;
    shoff: number;
    flags: number;
    ehsize: number;
    phentsize: number;
    phnum: number;
    shentsize: number;
    shnum: number;
    shstrndx: number;
  }

  /** One section header as `Parser.parseSection` returns it (before `resolveBody` replaces `name`). */
  interface ElfySection {
    /** sh_name offset; `elfy.parse` replaces it with the resolved string. */
    name: number | string;
    /** sh_type mapped through `constants.sectType`, or the number when unknown. */
    type: string | number;
    /** sh_flags as a map of flag names (or bit values) to true; bits 32..63 are lost. */
    flags: Record<string, boolean>;
    addr: number;
    off: number;
    size: number;
    link: number;
    info: number;
    /** Wrong for ELF64: read from offset 46 instead of 48. */
    addralign: number;
    /** Wrong for ELF64: read from offset 54 instead of 56. */
    entsize: number;
    data: Buffer;
  }

  /** `elfy.parse` result: the header plus the parsed body. */
  interface ElfyFile extends ElfyHeader {
    body: { programs: unknown[]; sections: ElfySection[] };
  }

  /** elfy's parser; its per-structure methods are used directly so the reader controls the order of checks. */
  class Parser {
    parseHeader(buf: Buffer): ElfyHeader;
    parseSection(section: Buffer, header: ElfyHeader, buf: Buffer): ElfySection;
    execute(buf: Buffer): ElfyFile;
  }

  const elfy: {
    Parser: typeof Parser;
    parse(buf: Buffer): ElfyFile;
    constants: {
      sectType: Record<number, string>;
      sectFlags: Record<number, string>;
    };
  };
  export = elfy;
}
