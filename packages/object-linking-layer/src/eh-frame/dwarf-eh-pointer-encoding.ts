/**
 * DWARF exception-handling pointer encodings (`DW_EH_PE_*`), as used by `.eh_frame` augmentation data: the low
 * nibble is the value format, bits 4-6 the application (how the value is turned into an address), bit 7 the
 * indirection flag, and `0xff` means the pointer is omitted.
 * @module
 */

/** The `DW_EH_PE_*` constants. */
export const DW_EH_PE = Object.freeze({
  /** Format: a pointer-sized unsigned value (application: absolute when alone). */
  absptr: 0x00,
  /** Format: unsigned LEB128 (not supported by the eh-frame passes). */
  uleb128: 0x01,
  /** Format: 2-byte unsigned (not supported). */
  udata2: 0x02,
  /** Format: 4-byte unsigned. */
  udata4: 0x03,
  /** Format: 8-byte unsigned. */
  udata8: 0x04,
  /** Format: signed LEB128 (not supported). */
  sleb128: 0x09,
  /** Format: 2-byte signed (not supported). */
  sdata2: 0x0a,
  /** Format: 4-byte signed. */
  sdata4: 0x0b,
  /** Format: 8-byte signed. */
  sdata8: 0x0c,
  /** Application: relative to the address of the field itself. */
  pcrel: 0x10,
  /** Application: relative to the text segment (not supported). */
  textrel: 0x20,
  /** Application: relative to the data segment (not supported). */
  datarel: 0x30,
  /** Application: relative to the function start (not supported). */
  funcrel: 0x40,
  /** Application: aligned (not supported). */
  aligned: 0x50,
  /** Flag: the address found is that of a pointer to the real target (e.g. a `DW.ref.` personality slot). */
  indirect: 0x80,
  /** No pointer at all. */
  omit: 0xff,
});

const FORMAT_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'absptr'], [0x01, 'uleb128'], [0x02, 'udata2'], [0x03, 'udata4'], [0x04, 'udata8'],
  [0x09, 'sleb128'], [0x0a, 'sdata2'], [0x0b, 'sdata4'], [0x0c, 'sdata8'],
]);
const APPLICATION_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'absptr'], [0x10, 'pcrel'], [0x20, 'textrel'], [0x30, 'datarel'], [0x40, 'funcrel'], [0x50, 'aligned'],
]);

/**
 * A readable rendering of a pointer encoding, e.g. `0x9b (DW_EH_PE_indirect | DW_EH_PE_pcrel | DW_EH_PE_sdata4)`; the
 * absptr format is named only when there is no application (`0x00 (DW_EH_PE_absptr)`, `0x10 (DW_EH_PE_pcrel)`).
 */
export function describePointerEncoding(encoding: number): string {
  const hex = `0x${encoding.toString(16).padStart(2, '0')}`;
  if (encoding === DW_EH_PE.omit) return `${hex} (DW_EH_PE_omit)`;
  const parts: string[] = [];
  if (encoding & DW_EH_PE.indirect) parts.push('DW_EH_PE_indirect');
  const app = encoding & 0x70;
  if (app !== 0) parts.push(`DW_EH_PE_${APPLICATION_NAMES.get(app) ?? `<unknown application 0x${app.toString(16)}>`}`);
  const format = encoding & 0x0f;
  // The absptr format (0) is implied when an application is given: 0x10 is plain DW_EH_PE_pcrel.
  if (format !== 0 || app === 0) parts.push(`DW_EH_PE_${FORMAT_NAMES.get(format) ?? `<unknown format 0x${format.toString(16)}>`}`);
  return `${hex} (${parts.join(' | ')})`;
}

/**
 * True when the eh-frame passes can decode pointers of this encoding: formats absptr, udata4, sdata4, udata8 and
 * sdata8, applied absolutely or pc-relatively, optionally indirect. `DW_EH_PE_omit` is not a pointer encoding and
 * answers false; callers decide whether an omitted pointer is acceptable.
 */
export function isSupportedPointerEncoding(encoding: number): boolean {
  if (!Number.isInteger(encoding) || encoding < 0 || encoding > 0xff || encoding === DW_EH_PE.omit) return false;
  const format = encoding & 0x0f;
  const app = encoding & 0x70;
  const formatOk = format === DW_EH_PE.absptr || format === DW_EH_PE.udata4 || format === DW_EH_PE.sdata4 || format === DW_EH_PE.udata8 || format === DW_EH_PE.sdata8;
  return formatOk && (app === DW_EH_PE.absptr || app === DW_EH_PE.pcrel);
}

/** The size in bytes of a pointer of a supported `encoding` on a target with `pointerSize`-byte pointers. */
export function encodedPointerSize(encoding: number, pointerSize: number): number {
  switch (encoding & 0x0f) {
    case DW_EH_PE.absptr:
      return pointerSize;
    case DW_EH_PE.udata4:
    case DW_EH_PE.sdata4:
      return 4;
    case DW_EH_PE.udata8:
    case DW_EH_PE.sdata8:
      return 8;
    default:
      throw new RangeError(`pointer encoding ${describePointerEncoding(encoding)} has no fixed size`);
  }
}
