/**
 * What the `jitlink-check` evaluator needs from the linked program, and from the target's disassembler.
 *
 * The evaluator never sees link graphs, memory managers or executors: a tool (orc-jitlink) registers what it
 * linked into a {@link CheckerEnvironment} (see `CheckerRegistry` for a ready-made one) and hands the checker
 * the target's {@link InstructionDecoder}. Nothing here is specific to a target.
 */

/** Byte order of data in the target's memory. */
export type CheckerByteOrder = 'little' | 'big';

/**
 * A registered piece of the linked program: a symbol, a section, a GOT entry or a stub (llvm-jitlink's
 * `MemoryRegionInfo`).
 */
export interface CheckerMemoryRegion {
  /** Address of the region in the target (executor) address space. */
  readonly address: bigint;
  /**
   * The region's bytes as linked (after fixups). For a symbol these are the symbol's own bytes, block content
   * `[offset, offset + size)`, so a zero-size symbol has none; `decode_operand` and `next_pc` disassemble from
   * here. May be omitted for regions that are never decoded.
   */
  readonly content?: Uint8Array;
  /** True for zero-fill (`.bss`-like) regions, which have no content. */
  readonly isZeroFill?: boolean;
  /** Target-specific symbol flags, passed through to {@link InstructionDecoder.decode} (ARM: Thumb bit). */
  readonly targetFlags?: number;
}

/**
 * The linked program as the checker sees it. Lookups that can fail (`file "x.o" not recognized`, `no stub for
 * "f" registered for file "x.o"`, ...) throw an `Error` whose message is reported verbatim after LLVM's
 * `RTDyldChecker: ` banner; `checkerLookupMessages` has LLVM's wording for each case.
 *
 * All addresses are target addresses. LLVM evaluates symbols inside a load (`*{8}sym`) as addresses of the
 * linker's working copy; since the content there equals the target's, we use target addresses everywhere and
 * read target memory, which also makes offsets from zero-fill symbols readable (LLVM would dereference a null
 * pointer).
 */
export interface CheckerEnvironment {
  /** Whether a symbol of this name was registered (llvm-jitlink's `isSymbolRegistered`). */
  isSymbolValid(name: string): boolean;
  /** The registered symbol; only called for names {@link isSymbolValid} accepted. */
  getSymbolInfo(name: string): CheckerMemoryRegion;
  /** The section `sectionName` of the object file registered as `fileName` (a basename). Throws if unknown. */
  getSectionInfo(fileName: string, sectionName: string): CheckerMemoryRegion;
  /**
   * The stub built in `fileName` for calls to `targetName`. `kindFilter` is `stub_addr`'s optional third argument,
   * a regular expression over stub kind names (`""` when absent). Throws if there is none or the filter is ambiguous.
   */
  getStubInfo(fileName: string, targetName: string, kindFilter: string): CheckerMemoryRegion;
  /** The GOT entry built in `fileName` for `targetName`. Throws if there is none. */
  getGotInfo(fileName: string, targetName: string): CheckerMemoryRegion;
  /**
   * Reads `size` (1, 2, 4 or 8) bytes at a target address and returns them as an unsigned integer in the target's
   * byte order (see {@link readUnsignedInteger}). Throws if the memory cannot be read.
   */
  readMemory(address: bigint, size: number): bigint;
}

/** An operand of a decoded instruction: an immediate (signed, as LLVM's `MCOperand::getImm`) or a register. */
export type DecodedOperand = bigint | { readonly reg: string };

/** One instruction as the target's disassembler sees it, with LLVM's MCInst operand order. */
export interface DecodedInstruction {
  /** Size in bytes. */
  readonly size: number;
  /** The instruction's LLVM opcode name (e.g. `ADDXri`), as `llvm-mc -show-inst` prints it. */
  readonly opcode: string;
  /** The assembly mnemonic (e.g. `add`). */
  readonly mnemonic: string;
  /** The MCInst operands in LLVM's order: immediates as (sign-extended) bigints, registers by LLVM name. */
  readonly operands: readonly DecodedOperand[];
  /**
   * Extra bytes `next_pc` adds after the instruction's end. 0 (default) everywhere except ARM mode, where LLVM
   * accounts for the pipeline's extra prefetch with 4.
   */
  readonly nextPcAdjustment?: number;
}

/** A target's disassembler for `decode_operand` and `next_pc`. */
export interface InstructionDecoder {
  /**
   * Decodes the instruction at the start of `bytes`, which sit at target address `address`. `targetFlags` are the
   * symbol's flags (e.g. to choose between ARM and Thumb). Throws an `Error` saying why when the bytes are not an
   * instruction the decoder knows.
   */
  decode(bytes: Uint8Array, address: bigint, targetFlags?: number): DecodedInstruction;
}

/** True when a decoded operand is a register. */
export function isRegisterOperand(operand: DecodedOperand): operand is { readonly reg: string } {
  return typeof operand !== 'bigint';
}

/**
 * Reads an unsigned integer of `size` bytes at `offset` in `bytes` in the given byte order; a helper for
 * {@link CheckerEnvironment.readMemory} implementations.
 * @throws RangeError if the bytes do not extend that far.
 */
export function readUnsignedInteger(bytes: Uint8Array, offset: number, size: number, endianness: CheckerByteOrder): bigint {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > bytes.length) {
    throw new RangeError(`cannot read ${size} bytes at offset ${offset} of a ${bytes.length}-byte buffer`);
  }
  let value = 0n;
  for (let i = 0; i < size; i++) {
    const byte = bytes[endianness === 'little' ? offset + size - 1 - i : offset + i]!;
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}
