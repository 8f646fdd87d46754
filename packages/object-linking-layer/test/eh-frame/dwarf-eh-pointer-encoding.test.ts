import { describe, expect, it } from 'vitest';
import { DW_EH_PE, describePointerEncoding, encodedPointerSize, isSupportedPointerEncoding } from '@orc-ts/object-linking-layer';

describe('DW_EH_PE pointer encodings', () => {
  it('accepts exactly the formats absptr/udata4/sdata4/udata8/sdata8, absolute or pcrel, optionally indirect', () => {
    const supported: number[] = [];
    for (let e = 0; e < 256; e++) if (isSupportedPointerEncoding(e)) supported.push(e);
    const expected: number[] = [];
    for (const indirect of [0, 0x80]) for (const app of [0, 0x10]) for (const f of [0x00, 0x03, 0x04, 0x0b, 0x0c]) expected.push(indirect | app | f);
    expect(supported).toEqual(expected.sort((a, b) => a - b));
    expect(isSupportedPointerEncoding(DW_EH_PE.omit)).toBe(false);
    expect(isSupportedPointerEncoding(0x100)).toBe(false);
    expect(isSupportedPointerEncoding(-1)).toBe(false);
  });

  it('sizes pointers by format, absptr by the target', () => {
    expect([0x00, 0x03, 0x0b, 0x04, 0x0c, 0x1b, 0x9c].map((e) => encodedPointerSize(e, 8))).toEqual([8, 4, 4, 8, 8, 4, 8]);
    expect(encodedPointerSize(DW_EH_PE.absptr, 4)).toBe(4);
    expect(() => encodedPointerSize(DW_EH_PE.uleb128, 8)).toThrow(RangeError);
  });

  it('describes encodings with their DWARF names', () => {
    expect(describePointerEncoding(0x9b)).toBe('0x9b (DW_EH_PE_indirect | DW_EH_PE_pcrel | DW_EH_PE_sdata4)');
    expect(describePointerEncoding(0x00)).toBe('0x00 (DW_EH_PE_absptr)');
    expect(describePointerEncoding(0x10)).toBe('0x10 (DW_EH_PE_pcrel)');
    expect(describePointerEncoding(0xff)).toBe('0xff (DW_EH_PE_omit)');
    expect(describePointerEncoding(0x0d)).toBe('0x0d (DW_EH_PE_<unknown format 0xd>)');
  });
});
