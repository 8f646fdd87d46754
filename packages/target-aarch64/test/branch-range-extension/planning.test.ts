import { describe, expect, it } from 'vitest';
import { MemProt } from '@orc-ts/core';
import { applyFixups, type Block, type LinkGraph } from '@orc-ts/object-linking-layer';
import {
  AArch64LinkTarget,
  BranchRangeExtension,
  checkBranchRanges,
  estimateGraphLayout,
  extendBranchRanges,
  FixupError,
  getBranchRangeExtensionReport,
  getBranchVeneers,
  isBranch26InRange,
  isBranchVeneer,
  LAYOUT_ESTIMATE_PAGE_SIZE,
} from '@orc-ts/target-aarch64';
import { B, BL, NOP, REACH, RET, RWX, RX, SLAB, branch, branchDestination, codeBlock, decodeVeneer, global, graphWords, newGraph, setup } from './helpers.js';

/** Gives every block the address the default memory manager would give it at `base` (64 KiB pages). */
function allocateAsEstimated(graph: LinkGraph, base = SLAB): void {
  for (const [block, offset] of estimateGraphLayout(graph).offsets) block.address = base + BigInt(offset);
}

/** Pre-fixup check, then fixups: what the linker does after allocation, without the layer. */
function fixUp(graph: LinkGraph): void {
  checkBranchRanges(graph);
  applyFixups(graph, new AArch64LinkTarget());
}

/** A caller in R-X, `gap` bytes of R-X zero fill, and the callee in the RWX segment after it. */
function farCall(name: string, gap: number, callerWords: readonly number[] = [BL, RET]) {
  const g = newGraph(name);
  const text = g.createSection('.text', RX);
  const caller = codeBlock(g, text, callerWords);
  const main = global(g, caller, 0, 'main', callerWords.length * 4);
  global(g, g.createZeroFillBlock(text, gap, 0x100n, 16), 0, 'pad', gap, false);
  const callee = codeBlock(g, g.createSection('.far', RWX), [NOP, NOP, RET]);
  const far = global(g, callee, 0, 'far', 12);
  return { g, caller, callee, main, far };
}

describe('Branch26 range extension: planning', () => {
  it('is idempotent: a second planning run (and a second check) changes nothing', () => {
    const { g, caller, far } = farCall('twice', 0x820_0000);
    branch(caller, 0, far);
    extendBranchRanges(g);
    const veneers = getBranchVeneers(g);
    expect(veneers).toHaveLength(1);
    const edge = caller.edges[0]!;
    expect(edge.target === veneers[0]!.symbol).toBe(true);
    const blocks = g.sections.get('.text')!.blocks.slice();

    extendBranchRanges(g);
    new BranchRangeExtension().planVeneers(g); // another instance recognizes the same veneers
    expect(getBranchVeneers(g).length).toBe(1);
    expect(g.sections.get('.text')!.blocks.length).toBe(blocks.length);
    expect(g.sections.get('.text')!.blocks.every((b, i) => b === blocks[i])).toBe(true);
    expect(edge.target === veneers[0]!.symbol).toBe(true);
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ veneersCreated: 1, veneersRemoved: 0 });

    allocateAsEstimated(g);
    checkBranchRanges(g);
    checkBranchRanges(g);
    expect(edge.target === veneers[0]!.symbol).toBe(true);
    expect(getBranchRangeExtensionReport(g)!.bypassed).toBe(0);
  });

  it('shares a veneer per (block side, target, addend) and carries the addend into the veneer', () => {
    const { g, caller, far } = farCall('addends', 0x820_0000, [BL, BL, B, NOP]);
    branch(caller, 0, far);
    branch(caller, 4, far, 8n);
    branch(caller, 8, far, 8n);
    extendBranchRanges(g);
    expect(getBranchVeneers(g).map((v) => [v.addend, v.users])).toEqual([
      [0n, 1],
      [8n, 2],
    ]);
    expect(caller.edges.map((e) => e.addend)).toEqual([0n, 0n, 0n]);
    allocateAsEstimated(g);
    fixUp(g);
    const mem = graphWords(g);
    const a = caller.address;
    expect(decodeVeneer(mem, branchDestination(mem, a)).destination).toBe(far.getAddress());
    const v8 = branchDestination(mem, a + 4n);
    expect(branchDestination(mem, a + 8n, 'B')).toBe(v8);
    expect(decodeVeneer(mem, v8).destination).toBe(far.getAddress() + 8n);
  });

  it('bypasses a veneer whose target ends up in range, leaving the veneer allocated', () => {
    const { g, caller, callee, far } = farCall('bypass', 0x820_0000);
    branch(caller, 0, far);
    extendBranchRanges(g);
    const [veneer] = getBranchVeneers(g);
    expect(isBranchVeneer(g, veneer!.symbol)).toBe(true);
    // A memory manager that places the callee nearby after all.
    allocateAsEstimated(g);
    callee.address = caller.address + 0x10_0000n;
    fixUp(g);
    const mem = graphWords(g);
    expect(branchDestination(mem, caller.address)).toBe(far.getAddress());
    expect(caller.edges[0]!.target === far).toBe(true);
    expect(g.sections.get('.text')!.blocks.includes(veneer!.block)).toBe(true);
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ bypassed: 1 });
    expect(getBranchVeneers(g)[0]!.users).toBe(0);
  });

  it('verifies placement on the recomputed layout: an island that lands out of reach is given up for the other side', () => {
    // In-memory blocks all at address 0 sort by size: the "after" key of A (its end address) sorts after C too, so
    // the veneer would land 150 MiB from A's last call. The planner sees that, removes it and uses A's start.
    const g = newGraph('islands');
    const text = g.createSection('.text', RX);
    const aSize = 100 * 2 ** 20;
    const cSize = 150 * 2 ** 20;
    const a = g.createContentBlock(text, new Uint8Array(aSize), 0n, 4); // pages never touched: planning only
    const c = g.createContentBlock(text, new Uint8Array(cSize), 0n, 4);
    global(g, a, 0, 'a', aSize);
    const target = global(g, c, cSize - 4, 'c_end');
    branch(a, aSize - 8, target);
    extendBranchRanges(g);
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ veneersCreated: 2, veneersRemoved: 1, unreachable: 0 });
    const [veneer] = getBranchVeneers(g);
    expect([veneer!.placement, veneer!.users, veneer!.anchor === a]).toEqual(['before', 1, true]);
    const { offsets } = estimateGraphLayout(g);
    const call = BigInt(offsets.get(a)! + aSize - 8);
    expect(isBranch26InRange(call, BigInt(offsets.get(veneer!.block)!))).toBe(true);
    expect(isBranch26InRange(call, BigInt(offsets.get(c)! + cSize - 4))).toBe(false);
  });

  it('leaves a call that no side of its block can serve to the pre-fixup check, which throws the fixup\'s error', () => {
    const g = newGraph('middle');
    const size = 2 ** 28 + 2 ** 20;
    const big = g.createContentBlock(g.createSection('.text', RX), new Uint8Array(size), 0n, 4);
    global(g, big, 0, 'big', size);
    const far = global(g, codeBlock(g, g.createSection('.far', RWX), [RET]), 0, 'far');
    branch(big, size / 2, far);
    extendBranchRanges(g);
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ unreachable: 1, veneersCreated: 2, veneersRemoved: 2 });
    expect(big.edges[0]!.target === far).toBe(true);
    allocateAsEstimated(g);
    let thrown: unknown;
    try {
      checkBranchRanges(g);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FixupError);
    expect((thrown as FixupError).reason).toBe('out-of-range');
    expect((thrown as FixupError).fixupAddress).toBe(big.address + BigInt(size / 2));
    expect(String(thrown)).toContain('(far) is out of range of Branch26PCRel fixup');
  });

  it('checks graphs it never planned (e.g. when only the pre-fixup pass runs)', () => {
    const { g, caller, far } = farCall('unplanned', 0x820_0000);
    branch(caller, 0, far);
    allocateAsEstimated(g);
    expect(getBranchRangeExtensionReport(g)).toBeUndefined();
    expect(() => checkBranchRanges(g)).toThrow(/\(far\) is out of range of Branch26PCRel fixup at address 0x[0-9a-f]+ \(main, /);
  });

  it('leaves misaligned branches to the fixup\'s alignment error', () => {
    const { g, caller, far } = farCall('misaligned', 0x820_0000);
    branch(caller, 0, far, 2n);
    extendBranchRanges(g);
    expect(getBranchVeneers(g).length).toBe(0);
    allocateAsEstimated(g);
    expect(() => fixUp(g)).toThrow('BranchPCRel26 target is not 32-bit aligned');
  });

  it('only scans when the graph is smaller than the reach: no layout, no blocks, no edge changes', () => {
    const g = newGraph('small');
    const text = g.createSection('.text', RX);
    const blocks: Block[] = [];
    for (let i = 0; i < 2000; i++) {
      const b = codeBlock(g, text, [BL, BL, RET], BigInt(i * 12));
      blocks.push(b);
      global(g, b, 0, `f${i}`, 12);
    }
    const syms = Array.from(text.symbols);
    blocks.forEach((b, i) => {
      branch(b, 0, syms[(i + 1) % syms.length]!);
      branch(b, 4, syms[(i * 7) % syms.length]!);
    });
    const edgesBefore = blocks.map((b) => b.edges.map((e) => e.target));
    extendBranchRanges(g);
    expect(getBranchRangeExtensionReport(g)).toMatchObject({ branchEdges: 4000, layoutEstimates: 0, veneersCreated: 0 });
    expect(text.blocks).toHaveLength(2000);
    expect(blocks.every((b, i) => b.edges.every((e, j) => e.target === edgesBefore[i]![j]))).toBe(true);
  });

  it('estimates the default memory manager\'s layout exactly with 64 KiB pages, and as an upper bound with 4 KiB pages', async () => {
    const build = () => {
      const g = newGraph('layout');
      const rodata = g.createSection('.rodata', MemProt.Read);
      const data = g.createSection('.data', MemProt.Read | MemProt.Write);
      const text = g.createSection('.text', RX);
      const text2 = g.createSection('.text.2', RX);
      const rwx = g.createSection('.rwx', RWX);
      const blocks: Block[] = [
        g.createContentBlock(rodata, new Uint8Array(100), 0n, 8),
        g.createZeroFillBlock(rodata, 5000, 0n, 64),
        g.createContentBlock(data, new Uint8Array(24), 0n, 16, 4),
        g.createZeroFillBlock(data, 70_000, 0n, 4096),
        codeBlock(g, text2, [RET, RET, RET], 0n, 16),
        codeBlock(g, text, [RET], 0x40n, 4),
        codeBlock(g, text, [RET, RET], 0n, 32),
        codeBlock(g, rwx, [RET], 0n, 4),
      ];
      blocks.forEach((b, i) => global(g, b, 0, `s${i}`, b.size, false));
      return { g, blocks };
    };
    for (const pageSize of [LAYOUT_ESTIMATE_PAGE_SIZE, 4096]) {
      const { es, layer, jd } = setup({ pageSize });
      const { g, blocks } = build();
      const estimate = estimateGraphLayout(g);
      layer.addLinkGraph(jd, g);
      await es.lookup(jd, 's0');
      const base = blocks[0]!.address; // the first block of the first segment starts the reservation
      const actual = blocks.map((b) => Number(b.address - base));
      const estimated = blocks.map((b) => estimate.offsets.get(b)!);
      if (pageSize === LAYOUT_ESTIMATE_PAGE_SIZE) {
        expect(actual).toEqual(estimated);
      } else {
        actual.forEach((a, i) => expect(estimated[i]).toBeGreaterThanOrEqual(a));
        // Within a segment (the two .text blocks and .text.2's share R-X) the distances are exact.
        expect(actual[6]! - actual[5]!).toBe(estimated[6]! - estimated[5]!);
        expect(actual[4]! - actual[6]!).toBe(estimated[4]! - estimated[6]!);
        expect(estimated).not.toEqual(actual);
      }
    }
  });

  it('rejects invalid options', () => {
    expect(() => new BranchRangeExtension({ layoutPageSize: 3000 })).toThrow(RangeError);
    expect(() => new BranchRangeExtension({ safetyMargin: -4 })).toThrow(RangeError);
    expect(() => new BranchRangeExtension({ maxRounds: 0 })).toThrow(RangeError);
    expect(() => estimateGraphLayout(newGraph('x'), 12)).toThrow(RangeError);
  });

  it('holds back a safety margin when asked to', () => {
    // 128 MiB - 1 MiB away: in reach, but not by the 2 MiB margin.
    const { g, caller, far } = farCall('margin', REACH - 2 ** 20 - 16);
    branch(caller, 0, far);
    new BranchRangeExtension().planVeneers(g);
    expect(getBranchVeneers(g).length).toBe(0);
    new BranchRangeExtension({ safetyMargin: 2 ** 21 }).planVeneers(g);
    expect(getBranchVeneers(g).length).toBe(1);
  });
});
