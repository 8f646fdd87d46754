import { MalformedObjectError, type MalformedObjectLocation } from './elf-errors.js';

/**
 * The bytes of one ELF file being read, with endian-aware accessors and the error factory that names the file.
 * Internal to the reader (not exported from the package).
 */
export class ElfBytes {
  /** The file as a `DataView` (no copy). */
  readonly view: DataView;
  /** The same bytes as a Node `Buffer` view (no copy), for elfy and for fast string decoding. */
  readonly buffer: Buffer;
  /** File size in bytes. */
  readonly size: number;
  /** {@link size} as a bigint, for comparisons with 64-bit fields. */
  readonly bigSize: bigint;
  /** True for ELFDATA2LSB; set once `e_ident` has been checked. */
  littleEndian = true;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
    this.bigSize = BigInt(bytes.byteLength);
  }

  /** Unsigned 16-bit field at `at` (caller has bounds-checked). */
  u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }

  /** Unsigned 32-bit field at `at` (caller has bounds-checked). */
  u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }

  /** Unsigned 64-bit field at `at` (caller has bounds-checked). */
  u64(at: number): bigint {
    return this.view.getBigUint64(at, this.littleEndian);
  }

  /** Signed 64-bit field at `at` (caller has bounds-checked). */
  i64(at: number): bigint {
    return this.view.getBigInt64(at, this.littleEndian);
  }

  /**
   * Converts a 64-bit field that elfy returned as a JS number to an exact bigint. elfy computes
   * `lo + hi * 2^32` in doubles, which is exact below 2^53; above that the value is rounded, so the field is
   * re-read from the file at `at`.
   */
  exact64(elfyValue: number, at: number): bigint {
    return Number.isSafeInteger(elfyValue) && elfyValue >= 0 ? BigInt(elfyValue) : this.u64(at);
  }

  /** True when `[offset, offset + size)` lies inside the file. */
  inFile(offset: bigint, size: bigint): boolean {
    return offset <= this.bigSize && size <= this.bigSize - offset;
  }

  /** Builds the reader's error for this file. */
  error(field: string, detail: string, where?: MalformedObjectLocation): MalformedObjectError {
    return new MalformedObjectError(this.file, field, detail, where);
  }
}

/** Formats a number or bigint as `0x…` for messages. */
export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
