import { describe, expect, it } from 'vitest';
import { absoluteSymbols, FailedToMaterialize, JITSymbolFlags } from '@orc-ts/core';
import type { LinkGraph, PassConfiguration } from '@orc-ts/object-linking-layer';
import {
  AArch64LinkTarget,
  BranchRangeExtension,
  checkBranchRanges,
  decodeAArch64Instruction,
  extendBranchRanges,
  FixupError,
  getBranchRangeExtensionReport,
  getBranchVeneers,
  isBranch26InRange,
} from '@orc-ts/target-aarch64';
import { assembleAArch64 } from '@orc-ts/test-support';
import {
  B,
  BL,
  NOP,
  REACH,
  RET,
  RWX,
  RX,
  SLAB,
  branch,
  branchDestination,
  codeBlock,
  decodeVeneer,
  executorWords,
  global,
  newGraph,
  quadAt,
  setup,
  wordAt,
} from './helpers.js';

const X = JITSymbolFlags.Exported;
const F = JITSymbolFlags.Exported | JITSymbolFlags.Callable;

/** `.text` with calls, a 130 MiB R-X NOBITS section after it, and the callee in an RWX section (the next segment). */
const FAR_CALLS = `
  .text
  .globl main
  .p2align 2
main:
  bl far_fn
  bl near_fn
  b far_fn
  .globl near_fn
near_fn:
  ret
  .section .bigpad,"ax",@nobits
  .globl pad
pad:
  .space 0x8200000
  .section .text.far,"awx",@progbits
  .globl far_fn
  .p2align 2
far_fn:
  ret
`;

describe('Branch26 range extension through the ObjectLinkingLayer', () => {
  it('routes a BL (CALL26) and a B (JUMP26) beyond ±128 MiB through one veneer that computes the callee exactly', async () => {
    const { epc, es, layer, jd, graphs } = setup();
    const mem = executorWords(epc);
    layer.add(jd, assembleAArch64(FAR_CALLS), 'far-calls.o');
    const s = await es.lookup(jd, ['main', 'far_fn']);
    const main = s.get('main')!.address;
    const far = s.get('far_fn')!.address;
    expect(far - main).toBeGreaterThan(BigInt(REACH)); // the direct branch would be out of range

    const viaBL = branchDestination(mem, main, 'BL');
    const viaB = branchDestination(mem, main + 8n, 'B');
    expect(viaB).toBe(viaBL); // one veneer serves both: same side of the same block, same target
    expect(viaBL).not.toBe(far);
    expect(isBranch26InRange(main, viaBL)).toBe(true);
    expect(decodeVeneer(mem, viaBL)).toEqual({ form: 'adrp', destination: far });
    // The calls are in the first half of .text (16 bytes), so the veneer was laid out right before it.
    expect(main - viaBL).toBe(12n);
    // The near call stays direct.
    expect(branchDestination(mem, main + 4n)).toBe(main + 12n);

    const report = getBranchRangeExtensionReport(graphs[0]!)!;
    expect(report).toMatchObject({ branchEdges: 3, veneersCreated: 1, veneersRemoved: 0, unreachable: 0, bypassed: 0 });
    expect(report.layoutEstimates).toBeGreaterThanOrEqual(2); // planned, then verified with the veneer in place
    expect(getBranchVeneers(graphs[0]!)).toHaveLength(1);
    expect(getBranchVeneers(graphs[0]!)[0]).toMatchObject({ placement: 'before', form: 'adrp', users: 2 });
  });

  it('reaches PLT stubs from far code, and bypasses veneer and stub, or just the stub, once externals are known', async () => {
    const { epc, es, layer, jd, host, graphs } = setup();
    const mem = executorWords(epc);
    const close = SLAB + 0x830_0000n; // within 1 MiB of the RWX code below
    const mid = SLAB + 0xc000_0000n; // 3 GiB: beyond a branch, within an ADRP
    const far = 0x7000_0000_0000n; // beyond an ADRP: stays behind the stub
    host.define(absoluteSymbols(new Map([
      ['ext_close', { address: close, flags: F }],
      ['ext_mid', { address: mid, flags: F }],
      ['ext_far', { address: far, flags: F }],
    ])));
    layer.add(jd, assembleAArch64(`
      .section .bigpad,"ax",@nobits
      .globl pad
    pad:
      .space 0x8200000
      .section .text.hot,"awx",@progbits
      .globl main
      .p2align 2
    main:
      bl ext_close
      bl ext_mid
      bl ext_far
      ret
    `), 'stubs.o');
    const main = (await es.lookup(jd, 'main')).address;
    expect(main - SLAB).toBeGreaterThan(0x820_0000n); // after the padding, so the stubs are > 128 MiB behind

    expect(branchDestination(mem, main)).toBe(close); // veneer and stub both bypassed

    const v1 = branchDestination(mem, main + 4n);
    expect(decodeVeneer(mem, v1)).toEqual({ form: 'adrp', destination: mid }); // veneer retargeted past the stub

    const v2 = branchDestination(mem, main + 8n);
    const stub = decodeVeneer(mem, v2);
    expect(stub.form).toBe('adrp');
    expect(main - stub.destination).toBeGreaterThan(BigInt(REACH));
    // The veneer jumps to the PLT stub, which loads ext_far from its GOT entry.
    const adrp = decodeAArch64Instruction(wordAt(epc, stub.destination));
    const ldr = decodeAArch64Instruction(wordAt(epc, stub.destination + 4n));
    expect([adrp.opcode, ldr.opcode, decodeAArch64Instruction(wordAt(epc, stub.destination + 8n)).opcode]).toEqual(['ADRP', 'LDRXui', 'BR']);
    const got = (stub.destination & ~0xfffn) + ((adrp.operands[1] as bigint) << 12n) + ((ldr.operands[2] as bigint) << 3n);
    expect(quadAt(epc, got)).toBe(far);

    expect(getBranchRangeExtensionReport(graphs[0]!)).toMatchObject({ veneersCreated: 3, bypassed: 1, veneersRetargeted: 1, unreachable: 0 });
  });

  describe('exactly at the limit: no veneer; one word beyond: a veneer', () => {
    // RX segment = a code block + zero fill, exactly 2^27 bytes (a multiple of every page size); RWX segment next.
    const forward = (callOffset: 0 | 4) => {
      const g = newGraph(`forward-${callOffset}`);
      const text = g.createSection('.text', RX);
      const caller = codeBlock(g, text, callOffset === 0 ? [BL, RET] : [NOP, BL]);
      global(g, caller, 0, 'main', 8);
      global(g, g.createZeroFillBlock(text, REACH - 8, 0x100n, 8), 0, 'pad', REACH - 8, false);
      const callee = codeBlock(g, g.createSection('.far', RWX), [RET]);
      branch(caller, callOffset, global(g, callee, 0, 'far'));
      return g;
    };
    const backward = (callOffset: 0 | 4) => {
      const g = newGraph(`backward-${callOffset}`);
      const text = g.createSection('.text', RX);
      const callee = codeBlock(g, text, [RET]);
      global(g, g.createZeroFillBlock(text, REACH - 4, 0x100n, 4), 0, 'pad', REACH - 4, false);
      const caller = codeBlock(g, g.createSection('.far', RWX), callOffset === 0 ? [BL, RET] : [NOP, BL]);
      global(g, caller, 0, 'main', 8);
      branch(caller, callOffset, global(g, callee, 0, 'far'));
      return g;
    };

    it.each([
      ['forward, d = 2^27 - 4', () => forward(4), 4n, REACH - 4],
      ['backward, d = -2^27', () => backward(0), 0n, -REACH],
    ])('%s: a direct branch, nothing created', async (_name, build, callOffset, displacement) => {
      const { epc, es, layer, jd } = setup();
      const mem = executorWords(epc);
      const g = build();
      const blocksBefore = g.sections.get('.text')!.blocks.length + g.sections.get('.far')!.blocks.length;
      layer.addLinkGraph(jd, g);
      const s = await es.lookup(jd, ['main', 'far']);
      const call = s.get('main')!.address + callOffset;
      expect(s.get('far')!.address - call).toBe(BigInt(displacement));
      expect(branchDestination(mem, call)).toBe(s.get('far')!.address);
      expect(getBranchVeneers(g).length).toBe(0);
      expect(g.sections.get('.text')!.blocks.length + g.sections.get('.far')!.blocks.length).toBe(blocksBefore);
      expect(getBranchRangeExtensionReport(g)).toMatchObject({ veneersCreated: 0, layoutEstimates: 1, branchEdges: 1 });
    });

    it.each([
      ['forward, d = 2^27', () => forward(0), 0n, REACH],
      ['backward, d = -2^27 - 4', () => backward(4), 4n, -REACH - 4],
    ])('%s: through a veneer', async (_name, build, callOffset, unshiftedDisplacement) => {
      const { epc, es, layer, jd } = setup();
      const mem = executorWords(epc);
      const g = build();
      layer.addLinkGraph(jd, g);
      const s = await es.lookup(jd, ['main', 'far']);
      const call = s.get('main')!.address + callOffset;
      const far = s.get('far')!.address;
      // The veneer (12 bytes, next to the caller) moved things a little, but not back into range.
      expect(Math.abs(Number(far - call))).toBeGreaterThanOrEqual(Math.abs(unshiftedDisplacement));
      const veneer = branchDestination(mem, call);
      expect(veneer).not.toBe(far);
      expect(Number(veneer - call)).toBeGreaterThanOrEqual(-32);
      expect(Number(veneer - call)).toBeLessThanOrEqual(32);
      expect(decodeVeneer(mem, veneer)).toEqual({ form: 'adrp', destination: far });
      expect(getBranchVeneers(g).length).toBe(1);
    });
  });

  it('serves both ends of one 130 MiB block: a veneer before it for the first call, one after it for the last', async () => {
    const { epc, es, layer, jd } = setup();
    const mem = executorWords(epc);
    const size = 0x820_0010;
    const g = newGraph('huge-text');
    const text = g.createSection('.text', RX);
    const content = new Uint8Array(size); // untouched pages stay unbacked until the memory manager copies them
    const view = new DataView(content.buffer);
    view.setUint32(0, BL, true); // start: bl end_fn
    view.setUint32(4, RET, true);
    view.setUint32(size - 8, B, true); // b start (tail call back to the start)
    view.setUint32(size - 4, RET, true); // end_fn
    const block = g.createMutableContentBlock(text, content, 0n, 4);
    const start = global(g, block, 0, 'start', 8);
    const end = global(g, block, size - 4, 'end_fn');
    branch(block, 0, end);
    branch(block, size - 8, start);
    layer.addLinkGraph(jd, g);
    const s = await es.lookup(jd, ['start', 'end_fn']);
    const a = s.get('start')!.address;
    const z = s.get('end_fn')!.address;
    expect(z - a).toBe(BigInt(size - 4));

    const before = branchDestination(mem, a);
    expect(before).toBeLessThan(a);
    expect(a - before).toBeLessThanOrEqual(16n);
    expect(decodeVeneer(mem, before)).toEqual({ form: 'adrp', destination: z });

    const after = branchDestination(mem, z - 4n, 'B');
    expect(after).toBeGreaterThan(z);
    expect(after - z).toBeLessThanOrEqual(16n);
    expect(decodeVeneer(mem, after)).toEqual({ form: 'adrp', destination: a });
    expect(getBranchVeneers(g).map((v) => v.placement).sort()).toEqual(['after', 'before']);
  });

  it('uses MOVZ/MOVK veneers when configured, in place of the target\'s default passes', async () => {
    const absolute = new BranchRangeExtension({ form: 'absolute' });
    let replaced = 0;
    class AbsoluteVeneers extends AArch64LinkTarget {
      override configurePasses(graph: LinkGraph, config: PassConfiguration): void {
        super.configurePasses(graph, config);
        for (const [list, from, to] of [
          [config.postPrunePasses, extendBranchRanges, absolute.postPrunePass],
          [config.preFixupPasses, checkBranchRanges, absolute.preFixupPass],
        ] as const) {
          const i = list.indexOf(from);
          if (i >= 0) {
            list[i] = to;
            replaced++;
          }
        }
      }
    }
    const { epc, es, layer, jd } = setup({ target: new AbsoluteVeneers() });
    const mem = executorWords(epc);
    layer.add(jd, assembleAArch64(FAR_CALLS), 'far-calls.o');
    const s = await es.lookup(jd, ['main', 'far_fn']);
    expect(replaced).toBe(2); // AArch64LinkTarget runs the default passes in post-prune and pre-fixup
    const main = s.get('main')!.address;
    const veneer = branchDestination(mem, main);
    expect(decodeVeneer(mem, veneer)).toEqual({ form: 'absolute', destination: s.get('far_fn')!.address });
    expect(branchDestination(mem, main + 8n, 'B')).toBe(veneer);
  });

  it('fails a call no veneer can reach with the fixup\'s out-of-range error, and the session stays usable', async () => {
    const { es, layer, jd, errors } = setup();
    // A 257 MiB block calling out from its middle: both sides of the block are > 128 MiB from the call. The link
    // fails before any content is copied, so the block's pages are never touched.
    const size = 2 ** 28 + 2 ** 20;
    const g = newGraph('unreachable.o');
    const text = g.createSection('.text', RX);
    const content = new Uint8Array(size);
    const mid = size / 2;
    new DataView(content.buffer).setUint32(mid, BL, true);
    const block = g.createContentBlock(text, content, 0n, 4);
    global(g, block, 0, 'big', size);
    const callee = codeBlock(g, g.createSection('.far', RWX), [RET]);
    branch(block, mid, global(g, callee, 0, 'far'));
    layer.addLinkGraph(jd, g);
    await expect(es.lookup(jd, 'big')).rejects.toBeInstanceOf(FailedToMaterialize);
    const error = errors.find((e) => e instanceof FixupError) as FixupError | undefined;
    expect(error?.reason).toBe('out-of-range');
    expect(String(error)).toMatch(
      /In graph unreachable\.o, section \.text: relocation target 0x[0-9a-f]+ \(far\) is out of range of Branch26PCRel fixup at address 0x[0-9a-f]+ \(big, 0x[0-9a-f]+ \+ 0x8080000\)/,
    );
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ unreachable: 1, veneersCreated: 2, veneersRemoved: 2 });
    expect(getBranchVeneers(g).length).toBe(0);

    layer.add(jd.createResourceTracker(), assembleAArch64('.text\n.globl ok\nok: ret\n'), 'ok.o');
    expect((await es.lookup(jd, 'ok')).address).toBeGreaterThan(0n);
  });

  it('creates nothing and estimates no layout for an ordinary link', async () => {
    const { epc, es, layer, jd, host, graphs } = setup();
    const mem = executorWords(epc);
    host.define(absoluteSymbols(new Map([['puts', { address: SLAB - 0x1000n, flags: F }], ['errno', { address: 0xdeadbeefn, flags: X }]])));
    layer.add(jd, assembleAArch64(`
      .text
      .globl main
      .p2align 2
    main:
      bl helper
      bl puts
      b helper
      .globl helper
    helper:
      adrp x0, :got:errno
      ldr x0, [x0, :got_lo12:errno]
      ret
    `), 'plain.o');
    const main = (await es.lookup(jd, 'main')).address;
    expect(branchDestination(mem, main)).toBe(main + 12n);
    expect(branchDestination(mem, main + 4n)).toBe(SLAB - 0x1000n); // stub bypassed as before
    const g = graphs[0]!;
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ branchEdges: 3, layoutEstimates: 0, veneersCreated: 0, bypassed: 0 });
    expect(getBranchRangeExtensionReport(g)!.layoutSizeBound).toBeLessThan(REACH);
    expect(getBranchVeneers(g).length).toBe(0);
    expect(g.sections.get('.text')!.blocks).toHaveLength(1);
  });
});
