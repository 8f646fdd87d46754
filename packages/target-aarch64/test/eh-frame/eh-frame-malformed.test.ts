import { describe, expect, it } from 'vitest';
import { FailedToMaterialize } from '@orc-ts/core';
import { EHFrameError, JITLinkError } from '@orc-ts/object-linking-layer';
import { assembleAArch64 } from '@orc-ts/test-support';
import { dwarfdumpEHFrame, setup } from './eh-frame-test-utils.js';

/**
 * An object whose `.eh_frame` is written by hand: a CIE ("zR", pc-relative sdata4 addresses) and an FDE for `f`
 * (its PC begin relocated by R_AARCH64_PREL32), with the given fields replaced.
 */
function object(o: { cieLength?: number; version?: number; augmentation?: string; encoding?: number; ciePointer?: number; fdeLength?: number } = {}): Uint8Array {
  return assembleAArch64(`
    .text
    .globl f
    .p2align 2
  f:
    ret

    .section .eh_frame,"a",@progbits
    .p2align 3
  cie:
    .word ${o.cieLength ?? 16}
    .word 0
    .byte ${o.version ?? 1}
    .asciz "${o.augmentation ?? 'zR'}"
    .byte 1, 0x7c, 30, 1, ${o.encoding ?? 0x1b}
    .byte 0x0c, 0x1f, 0x00
  fde:
    .word ${o.fdeLength ?? 16}
    .word ${o.ciePointer !== undefined ? o.ciePointer : '. - cie'}
    .word f - .
    .word 4
    .byte 0
    .byte 0, 0, 0
  `);
}

async function linkError(obj: Uint8Array, name: string): Promise<EHFrameError> {
  const { es, layer, jd, errors } = setup();
  layer.add(jd, obj, name);
  await expect(es.lookup(jd, 'f')).rejects.toBeInstanceOf(FailedToMaterialize);
  const e = errors.find((x) => x instanceof EHFrameError) as EHFrameError | undefined;
  expect(e, `reported: ${errors.map(String).join('; ')}`).toBeDefined();
  expect(e).toBeInstanceOf(JITLinkError);
  expect([e!.graphName, e!.sectionName]).toEqual([name, '.eh_frame']);
  expect(e!.message).toBe(`In graph ${name}, section .eh_frame at offset 0x${e!.offset.toString(16)}: ${e!.problem}`);
  return e!;
}

describe('malformed .eh_frame in AArch64 objects', () => {
  it('links the well-formed hand-written records (the baseline of the malformed cases)', async () => {
    const obj = object();
    expect(dwarfdumpEHFrame(obj).map((d) => [d.offset, d.size, d.kind])).toEqual([[0, 20, 'CIE'], [20, 20, 'FDE']]);
    const { es, layer, jd, errors, recorder } = setup();
    layer.add(jd, obj, 'good.o');
    await es.lookup(jd, 'f');
    expect(errors).toEqual([]);
    expect(recorder.graphs.get('good.o')!.postPrune.size).toBe(3);
  });

  it('reports a record length running past the end of the section', async () => {
    const e = await linkError(object({ fdeLength: 0x100 }), 'bad-length.o');
    expect(e.offset).toBe(20);
    expect(e.problem).toBe('CFI record length 0x100 runs 0xf0 bytes past the end of the section data (0x10 bytes follow the length field)');
  });

  it('reports an extended length running past the end of the section', async () => {
    // 0xffffffff, then the next 8 bytes (the CIE pointer, 0x18, and the unrelocated PC begin, 0) are the length.
    const e = await linkError(object({ fdeLength: 0xffffffff }), 'bad-extended.o');
    expect(e.offset).toBe(20);
    expect(e.problem).toBe('CFI record extended length 0x18 runs 0x10 bytes past the end of the section data (0x8 bytes follow the length field)');
  });

  it('reports a bad CIE version', async () => {
    const e = await linkError(object({ version: 3 }), 'bad-version.o');
    expect([e.offset, e.problem]).toEqual([0, 'bad CIE version 3 (should be 1)']);
  });

  it('reports an unsupported pointer encoding', async () => {
    const e = await linkError(object({ encoding: 0x01 }), 'bad-encoding.o');
    expect([e.offset, e.problem]).toEqual([0, 'unsupported PC begin pointer encoding 0x01 (DW_EH_PE_uleb128)']);
    const datarel = await linkError(object({ encoding: 0x3b }), 'datarel.o');
    expect(datarel.problem).toBe('unsupported PC begin pointer encoding 0x3b (DW_EH_PE_datarel | DW_EH_PE_sdata4)');
  });

  it('reports an unknown augmentation and a CIE pointer that leads nowhere', async () => {
    const aug = await linkError(object({ augmentation: 'zQ' }), 'bad-augmentation.o');
    expect([aug.offset, aug.problem]).toEqual([0, 'unrecognized character "Q" in the augmentation string']);
    const ptr = await linkError(object({ ciePointer: 8 }), 'bad-cie-pointer.o');
    expect(ptr.offset).toBe(20);
    expect(ptr.problem).toBe("FDE's CIE pointer 0x8 leads to section offset 0x10 (0x0000000000000010), where no CIE precedes it");
  });
});
