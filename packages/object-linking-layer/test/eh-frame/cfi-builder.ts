/**
 * Test helper: writes `.eh_frame` content byte by byte (CIEs, FDEs, terminators, raw bytes) and remembers where
 * every record and pointer field landed, so tests can check edges at exact offsets.
 */

/** An encoded pointer value for a CIE personality or FDE field. */
export interface EncodedValue {
  /** Field width. */
  readonly size: 4 | 8;
  /** The value (two's complement for negative numbers). */
  readonly value: bigint;
}

/** Where a record landed in the section. */
export interface RecordInfo {
  /** Section offset of the record (its length field). */
  readonly offset: number;
  /** Total size, length field included. */
  readonly size: number;
  /** Section offsets of named fields (`ciePointer`, `pcBegin`, `lsda`, `personality`). */
  readonly fields: Readonly<Record<string, number>>;
}

/** Little-endian byte writer. */
class Writer {
  readonly bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.bytes.push((v >>> (8 * i)) & 0xff);
    return this;
  }
  u64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((u >> (8n * i)) & 0xffn));
    return this;
  }
  value(v: EncodedValue): this {
    return v.size === 4 ? this.u32(Number(BigInt.asUintN(32, v.value))) : this.u64(v.value);
  }
  uleb(v: number): this {
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.u8(b);
    } while (v !== 0);
    return this;
  }
  sleb(v: number): this {
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.u8(b);
        return this;
      }
      this.u8(b | 0x80);
    }
  }
  cstring(s: string): this {
    for (const ch of s) this.u8(ch.charCodeAt(0));
    return this.u8(0);
  }
  raw(bytes: readonly number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
}

/** Options of a CIE. */
export interface CIEOptions {
  version?: number;
  /** Augmentation string; default `zR`. */
  augmentation?: string;
  /** Bytes of `eh` data (pointer size), written after the augmentation string when given. */
  ehData?: number;
  /** Augmentation data fields in order, e.g. `[{ encoding: 0x1b }]` for `R`, or a personality pointer. */
  augmentationData?: Array<{ encoding: number; pointer?: EncodedValue; name?: string }>;
  /** Override of the augmentation data length (default: the bytes actually written). */
  augmentationDataLength?: number;
  /** Use the 0xffffffff + 8-byte extended length form. */
  extended?: boolean;
  /** Instructions (default `DW_CFA_def_cfa: r31 +0`). */
  instructions?: number[];
}

/** Options of an FDE. */
export interface FDEOptions {
  /** The CIE this FDE belongs to (its pointer is computed) unless `ciePointer` overrides it. */
  cie: RecordInfo;
  ciePointer?: number;
  pcBegin: EncodedValue;
  pcRange: EncodedValue;
  /** Augmentation data (present when the CIE has `z`): optional LSDA pointer. `null`: no augmentation data. */
  augmentation?: { lsda?: EncodedValue } | null;
  extended?: boolean;
  instructions?: number[];
}

/** Builds `.eh_frame` content. */
export class EhFrameBuilder {
  private readonly out: number[] = [];

  /** Current size. */
  get length(): number {
    return this.out.length;
  }

  private record(extended: boolean, body: Writer, fields: Record<string, number>): RecordInfo {
    const offset = this.out.length;
    while (body.bytes.length % 4) body.u8(0); // DW_CFA_nop padding
    const header = new Writer();
    if (extended) header.u32(0xffffffff).u64(BigInt(body.bytes.length));
    else header.u32(body.bytes.length);
    const headerSize = header.bytes.length;
    this.out.push(...header.bytes, ...body.bytes);
    const abs: Record<string, number> = {};
    for (const [k, v] of Object.entries(fields)) abs[k] = offset + headerSize + v;
    return { offset, size: headerSize + body.bytes.length, fields: abs };
  }

  /** Appends a CIE. */
  cie(o: CIEOptions = {}): RecordInfo {
    const w = new Writer();
    const fields: Record<string, number> = {};
    w.u32(0).u8(o.version ?? 1).cstring(o.augmentation ?? 'zR');
    if (o.ehData !== undefined) w.raw(new Array<number>(o.ehData).fill(0));
    w.uleb(1).sleb(-4).u8(30);
    const aug = o.augmentationData ?? [{ encoding: 0x1b }];
    if ((o.augmentation ?? 'zR').includes('z')) {
      const data = new Writer();
      const rel: Record<string, number> = {};
      for (const f of aug) {
        data.u8(f.encoding);
        if (f.pointer) {
          rel[f.name ?? 'personality'] = data.bytes.length;
          data.value(f.pointer);
        }
      }
      w.uleb(o.augmentationDataLength ?? data.bytes.length);
      for (const [k, v] of Object.entries(rel)) fields[k] = w.bytes.length + v;
      w.raw(data.bytes);
    }
    w.raw(o.instructions ?? [0x0c, 0x1f, 0x00]);
    return this.record(o.extended ?? false, w, fields);
  }

  /** Appends an FDE. */
  fde(o: FDEOptions): RecordInfo {
    const w = new Writer();
    const headerSize = o.extended ? 12 : 4;
    const fields: Record<string, number> = { ciePointer: 0 };
    const ciePointerAt = this.out.length + headerSize;
    w.u32(o.ciePointer ?? ciePointerAt - o.cie.offset);
    fields.pcBegin = w.bytes.length;
    w.value(o.pcBegin).value(o.pcRange);
    if (o.augmentation !== null) {
      const data = new Writer();
      if (o.augmentation?.lsda) data.value(o.augmentation.lsda);
      w.uleb(data.bytes.length);
      if (o.augmentation?.lsda) fields.lsda = w.bytes.length;
      w.raw(data.bytes);
    }
    w.raw(o.instructions ?? []);
    return this.record(o.extended ?? false, w, fields);
  }

  /** Appends a zero-length terminator. */
  terminator(): RecordInfo {
    const offset = this.out.length;
    this.out.push(0, 0, 0, 0);
    return { offset, size: 4, fields: {} };
  }

  /** Appends raw bytes. */
  raw(bytes: readonly number[]): this {
    this.out.push(...bytes);
    return this;
  }

  /** The content. */
  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** A 4-byte value. */
export const u32 = (value: bigint | number): EncodedValue => ({ size: 4, value: BigInt(value) });
/** An 8-byte value. */
export const u64 = (value: bigint | number): EncodedValue => ({ size: 8, value: BigInt(value) });
