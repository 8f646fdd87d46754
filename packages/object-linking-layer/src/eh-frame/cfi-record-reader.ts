/**
 * Bounds-checked reading of CFI records (internal to the eh-frame passes).
 * @module
 */

/** Reports a problem at a block offset; never returns. */
export type CFIFailure = (offsetInBlock: number, problem: string) => never;

/** The length field of a CFI record: its size (4, or 12 for an extended length) and the length it holds. */
export interface CFIRecordLength {
  /** Bytes taken by the length field itself. */
  readonly fieldSize: number;
  /** Bytes of the record after the length field. */
  readonly length: number;
}

/** A view of a block's content, for {@link readCFIRecordLength} and {@link CFIRecordReader}. */
export function contentView(content: Uint8Array): DataView {
  return new DataView(content.buffer, content.byteOffset, content.byteLength);
}

/**
 * Reads the length field of the CFI record starting at `offset` of `view` (a block's content: 4 bytes, or
 * `0xffffffff` followed by an 8-byte extended length) and checks that the record ends within it. A zero length is
 * a terminator.
 */
export function readCFIRecordLength(view: DataView, offset: number, littleEndian: boolean, fail: CFIFailure): CFIRecordLength {
  const remaining = view.byteLength - offset;
  if (remaining < 4) {
    fail(offset, `truncated CFI record: its 4-byte length field is cut off after ${remaining} byte${remaining === 1 ? '' : 's'}`);
  }
  const length32 = view.getUint32(offset, littleEndian);
  if (length32 !== 0xffffffff) {
    if (length32 > remaining - 4) {
      fail(offset, `CFI record length 0x${length32.toString(16)} runs 0x${(length32 - (remaining - 4)).toString(16)} bytes past the end of the section data (0x${(remaining - 4).toString(16)} bytes follow the length field)`);
    }
    return { fieldSize: 4, length: length32 };
  }
  if (remaining < 12) {
    fail(offset, `truncated CFI record: its 8-byte extended length field is cut off after ${remaining - 4} byte${remaining - 4 === 1 ? '' : 's'}`);
  }
  const length64 = view.getBigUint64(offset + 4, littleEndian);
  if (length64 > BigInt(remaining - 12)) {
    fail(offset, `CFI record extended length 0x${length64.toString(16)} runs 0x${(length64 - BigInt(remaining - 12)).toString(16)} bytes past the end of the section data (0x${(remaining - 12).toString(16)} bytes follow the length field)`);
  }
  return { fieldSize: 12, length: Number(length64) };
}

/** A cursor over `[start, end)` of a block's content that fails (through `fail`) instead of reading past `end`. */
export class CFIRecordReader {
  /** The current offset in the block. */
  offset: number;

  constructor(
    /** The block's content (see {@link contentView}). */
    private readonly view: DataView,
    start: number,
    /** The end of the record (exclusive), as a block offset. */
    readonly end: number,
    private readonly littleEndian: boolean,
    private readonly fail: CFIFailure,
    /** `CIE` or `FDE`, for messages. */
    private readonly what: string,
  ) {
    this.offset = start;
  }

  private need(bytes: number, field: string): number {
    const at = this.offset;
    if (bytes > this.end - at) this.fail(at, `truncated ${this.what}: the record ends before its ${field}`);
    this.offset = at + bytes;
    return at;
  }

  /** Reads one byte. */
  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }

  /** Reads a 4-byte unsigned value. */
  u32(field: string): number {
    return this.view.getUint32(this.need(4, field), this.littleEndian);
  }

  /** Reads a 4-byte signed value. */
  i32(field: string): number {
    return this.view.getInt32(this.need(4, field), this.littleEndian);
  }

  /** Reads an 8-byte unsigned value. */
  u64(field: string): bigint {
    return this.view.getBigUint64(this.need(8, field), this.littleEndian);
  }

  /** Skips `bytes` bytes. */
  skip(bytes: number, field: string): void {
    this.need(bytes, field);
  }

  /** Reads an unsigned LEB128 value. */
  uleb128(field: string): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8(field);
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return result;
    }
  }

  /** Reads a signed LEB128 value. */
  sleb128(field: string): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8(field);
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - (1n << shift) : result;
    }
  }
}
