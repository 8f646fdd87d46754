/**
 * A small in-memory linked program for checker tests: symbols with addresses and bytes, per-file sections, GOT
 * entries and stubs, and a sparse little- or big-endian memory image built from the symbols' bytes.
 */
import {
  CheckerRegistry,
  InstructionDecodeError,
  readUnsignedInteger,
  type CheckerMemoryRegion,
  type DecodedInstruction,
  type CheckerByteOrder,
  type InstructionDecoder,
} from '@orc-ts/object-linking-layer';

/** A symbol of the fake program. */
export interface FakeSymbol {
  address: bigint;
  /** Bytes of the symbol (also placed in memory at `address`). */
  bytes?: Uint8Array | number[];
  /** Size of a zero-fill symbol (memory reads as zeros). */
  zeroFill?: number;
  targetFlags?: number;
}

/** Description of a fake program. */
export interface FakeProgram {
  symbols: Record<string, FakeSymbol>;
  files?: Record<
    string,
    {
      sections?: Record<string, bigint>;
      got?: Record<string, bigint>;
      stubs?: Record<string, bigint[]>;
    }
  >;
  /** Extra memory contents (address -> bytes), e.g. GOT entries. */
  memory?: Array<[bigint, Uint8Array | number[]]>;
  endianness?: CheckerByteOrder;
  detectStubKind?: (stub: CheckerMemoryRegion) => string;
}

/** Little-endian bytes of a 32-bit word list. */
export function words(...ws: number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const view = new DataView(out.buffer);
  ws.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** Bytes of a 64-bit value in the given byte order. */
export function u64(value: bigint, endianness: CheckerByteOrder = 'little'): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, endianness === 'little');
  return out;
}

/** Counts of what the checker asked the fake program for. */
export interface FakeStats {
  reads: number;
}

/** Builds a {@link CheckerRegistry} over the fake program; memory reads are counted in `stats`. */
export function fakeEnvironment(program: FakeProgram, stats: FakeStats = { reads: 0 }): CheckerRegistry {
  const endianness = program.endianness ?? 'little';
  const chunks: Array<{ start: bigint; bytes: Uint8Array }> = [];
  for (const sym of Object.values(program.symbols)) {
    if (sym.bytes !== undefined) chunks.push({ start: sym.address, bytes: Uint8Array.from(sym.bytes) });
    else if (sym.zeroFill !== undefined) chunks.push({ start: sym.address, bytes: new Uint8Array(sym.zeroFill) });
  }
  for (const [address, bytes] of program.memory ?? []) chunks.push({ start: address, bytes: Uint8Array.from(bytes) });

  const registry = new CheckerRegistry({
    readMemory(address, size) {
      stats.reads++;
      for (const chunk of chunks) {
        const offset = address - chunk.start;
        if (offset >= 0n && offset + BigInt(size) <= BigInt(chunk.bytes.length)) {
          return readUnsignedInteger(chunk.bytes, Number(offset), size, endianness);
        }
      }
      throw new Error(`address 0x${address.toString(16)} is not mapped`);
    },
    ...(program.detectStubKind ? { detectStubKind: program.detectStubKind } : {}),
  });

  for (const [name, sym] of Object.entries(program.symbols)) {
    const region: CheckerMemoryRegion = {
      address: sym.address,
      content: sym.bytes !== undefined ? Uint8Array.from(sym.bytes) : new Uint8Array(0),
      isZeroFill: sym.zeroFill !== undefined,
      ...(sym.targetFlags !== undefined ? { targetFlags: sym.targetFlags } : {}),
    };
    registry.registerSymbol(name, region);
  }
  for (const [file, info] of Object.entries(program.files ?? {})) {
    registry.registerFile(file);
    for (const [section, address] of Object.entries(info.sections ?? {})) registry.registerSection(file, section, { address });
    for (const [target, address] of Object.entries(info.got ?? {})) registry.registerGotEntry(file, target, { address });
    for (const [target, addresses] of Object.entries(info.stubs ?? {})) {
      for (const address of addresses) registry.registerStub(file, target, { address, content: new Uint8Array(12) });
    }
  }
  return registry;
}

/**
 * A toy decoder for checker tests: 4-byte little-endian words; `0x1000_00ii` decodes to an instruction `IMM` with
 * operands [reg X0, imm ii, imm -ii]; `0x2000_0000` decodes to `REGS` with two registers; anything else fails.
 * `nextPcAdjustment` is taken from targetFlags (to test the ARM-style adjustment).
 */
export const toyDecoder: InstructionDecoder = {
  decode(bytes: Uint8Array, _address: bigint, targetFlags?: number): DecodedInstruction {
    if (bytes.length < 4) throw new InstructionDecodeError(`need 4 bytes, have ${bytes.length}`);
    const word = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
    const adjustment = targetFlags ?? 0;
    if (word >>> 24 === 0x10) {
      const imm = BigInt(word & 0xff);
      return { size: 4, opcode: 'IMM', mnemonic: 'imm', operands: [{ reg: 'X0' }, imm, -imm], nextPcAdjustment: adjustment };
    }
    if (word === 0x20000000) return { size: 4, opcode: 'REGS', mnemonic: 'regs', operands: [{ reg: 'X1' }, { reg: 'SP' }] };
    throw new InstructionDecodeError(`unknown word 0x${word.toString(16)}`);
  },
};
