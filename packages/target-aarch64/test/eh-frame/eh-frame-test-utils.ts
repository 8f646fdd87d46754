/**
 * Test-only helpers for the eh-frame end-to-end tests: a layer on a memory-only executor with a plugin that
 * records the `.eh_frame` records and the functions' blocks before and after dead-stripping, and a reader for
 * `llvm-dwarfdump --eh-frame`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionSession, type MaterializationResponsibility } from '@orc-ts/core';
import {
  EdgeKind, ElfObjectFormat, ExecutorJITLinkMemoryManager, LinkTargetRegistry, MemoryOnlyExecutorProcessControl, ObjectLinkingLayer,
  type Block, type Edge, type LinkGraph, type ObjectLinkingLayerPlugin, type PassConfiguration, type Symbol,
} from '@orc-ts/object-linking-layer';
import { AArch64LinkTarget } from '@orc-ts/target-aarch64';
import { findLlvmTool } from '@orc-ts/test-support';

/** The address JITLink gives the null terminator before layout. */
export const NULL_TERMINATOR_ADDRESS = 0xffff_ffff_ffff_fffbn;

/** One `.eh_frame` block as seen before dead-stripping. */
export interface RecordSnapshot {
  readonly block: Block;
  /** The block's address in the object (= its offset in `.eh_frame`, relocatable sections start at 0). */
  readonly objectAddress: bigint;
  readonly size: number;
  /** A copy of the content before fixups. */
  readonly content: Uint8Array;
  /** The edges (copies of kind/offset/target/addend). */
  readonly edges: ReadonlyArray<Pick<Edge, 'kind' | 'offset' | 'target' | 'addend'>>;
  /** The symbols defined in the block. */
  readonly symbols: readonly Symbol[];
}

/** What the recorder saw for one graph. */
export interface GraphRecord {
  graph: LinkGraph;
  /** `.eh_frame` blocks right after the pre-prune passes (target's, then mark-live), by object address. */
  prePrune: RecordSnapshot[];
  /** Every defined symbol right after the pre-prune passes (dead-stripping removes non-live ones). */
  prePruneSymbols: Array<{ readonly name: string | null; readonly block: Block; readonly offset: number; readonly size: number }>;
  /** KeepAlive edges by source block, right after the pre-prune passes. */
  keepAlives: Map<Block, Symbol[]>;
  /** `.eh_frame` blocks after dead-stripping. */
  postPrune: Set<Block>;
  /** Blocks of every section after dead-stripping, by section name. */
  postPruneSections: Map<string, Block[]>;
}

function sortByAddress(blocks: Iterable<Block>): Block[] {
  return [...blocks].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** A plugin recording each graph's `.eh_frame` before and after dead-stripping. */
export class EHFrameRecorder implements ObjectLinkingLayerPlugin {
  readonly graphs = new Map<string, GraphRecord>();

  modifyPassConfig(_mr: MaterializationResponsibility, graph: LinkGraph, config: PassConfiguration): void {
    const record: GraphRecord = { graph, prePrune: [], prePruneSymbols: [], keepAlives: new Map(), postPrune: new Set(), postPruneSections: new Map() };
    this.graphs.set(graph.name, record);
    config.prePrunePasses.push((g) => {
      for (const b of sortByAddress(g.findSection('.eh_frame')?.blocks ?? [])) {
        record.prePrune.push({
          block: b,
          objectAddress: b.address,
          size: b.size,
          content: b.content!.slice(),
          edges: b.edges.map((e) => ({ kind: e.kind, offset: e.offset, target: e.target, addend: e.addend })),
          symbols: [...b.section.symbols].filter((s) => s.block === b),
        });
      }
      for (const s of g.definedSymbols()) record.prePruneSymbols.push({ name: s.name, block: s.block!, offset: s.offset, size: s.size });
      for (const b of g.blocks()) {
        const targets = b.edges.filter((e) => e.kind === EdgeKind.KeepAlive).map((e) => e.target);
        if (targets.length) record.keepAlives.set(b, targets);
      }
    });
    config.postPrunePasses.push((g) => {
      for (const b of g.findSection('.eh_frame')?.blocks ?? []) record.postPrune.add(b);
      for (const [name, s] of g.sections) record.postPruneSections.set(name, [...s.blocks]);
    });
  }
}

/** A session, a layer with the AArch64 target and an {@link EHFrameRecorder}, on a memory-only executor. */
export function setup() {
  const epc = new MemoryOnlyExecutorProcessControl({ slabAddress: 0x10_0000_0000n });
  const errors: unknown[] = [];
  const es = new ExecutionSession({ executorProcessControl: epc, errorReporter: (e) => errors.push(e) });
  const layer = new ObjectLinkingLayer(es, new ExecutorJITLinkMemoryManager(epc.memoryManager), new LinkTargetRegistry([new AArch64LinkTarget()]), new ElfObjectFormat());
  const recorder = new EHFrameRecorder();
  layer.addPlugin(recorder);
  const jd = es.createJITDylib('main');
  const host = es.createJITDylib('host');
  jd.addToLinkOrder(host);
  return { epc, es, layer, jd, host, errors, recorder };
}

/** One record as `llvm-dwarfdump --eh-frame` lists it. */
export interface DumpedRecord {
  readonly offset: number;
  /** Total size including the length field. */
  readonly size: number;
  readonly kind: 'CIE' | 'FDE';
  /** FDE: offset of its CIE. */
  readonly cie?: number;
  /** FDE: the PC range (end - begin). */
  readonly pcRange?: bigint;
  /** CIE: the augmentation string. */
  readonly augmentation?: string;
}

/** Runs LLVM 14's `llvm-dwarfdump --eh-frame` on an object and parses the record headers. */
export function dwarfdumpEHFrame(object: Uint8Array): DumpedRecord[] {
  const dir = mkdtempSync(join(tmpdir(), 'orc-ts-eh-frame-'));
  try {
    const file = join(dir, 'object.o');
    writeFileSync(file, object);
    const text = execFileSync(findLlvmTool('llvm-dwarfdump'), ['--eh-frame', file], { encoding: 'utf8' });
    const records: DumpedRecord[] = [];
    let current: { -readonly [K in keyof DumpedRecord]: DumpedRecord[K] } | undefined;
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f]{8}) ([0-9a-f]{8}|[0-9a-f]{16}) ([0-9a-f]{8}|[0-9a-f]{16}) (CIE|FDE)(?: cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.\.([0-9a-f]+))?/.exec(line);
      if (m) {
        const length = parseInt(m[2]!, 16);
        current = { offset: parseInt(m[1]!, 16), size: length + (m[2]!.length === 16 ? 12 : 4), kind: m[4] as 'CIE' | 'FDE' };
        if (m[4] === 'FDE') {
          current.cie = parseInt(m[5]!, 16);
          current.pcRange = BigInt(`0x${m[7]}`) - BigInt(`0x${m[6]}`);
        }
        records.push(current);
        continue;
      }
      const aug = /^\s+Augmentation:\s+"([^"]*)"/.exec(line);
      if (aug && current?.kind === 'CIE') current.augmentation = aug[1];
    }
    return records;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A record of a linked `.eh_frame`, read back from executor memory. */
export interface LinkedRecord {
  readonly address: bigint;
  readonly size: number;
  readonly kind: 'CIE' | 'FDE' | 'terminator';
  /** FDE: the address its CIE pointer leads to. */
  readonly cieAddress?: bigint;
  /** FDE: PC begin decoded (pc-relative sdata4, as LLVM emits for AArch64 ELF). */
  readonly pcBegin?: bigint;
  /** The bytes. */
  readonly bytes: Uint8Array;
}

/** Walks a linked `.eh_frame` in executor memory from `start` up to and including the first terminator. */
export function walkLinkedEHFrame(epc: MemoryOnlyExecutorProcessControl, start: bigint, limit: number): LinkedRecord[] {
  const records: LinkedRecord[] = [];
  let p = start;
  for (;;) {
    if (p + 4n > start + BigInt(limit)) throw new Error(`walked past the end of the section at ${p.toString(16)}`);
    const length = new DataView(epc.read(p, 4).buffer).getUint32(0, true);
    if (length === 0) {
      records.push({ address: p, size: 4, kind: 'terminator', bytes: epc.read(p, 4) });
      return records;
    }
    const bytes = epc.read(p, 4 + length);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const id = v.getUint32(4, true);
    if (id === 0) records.push({ address: p, size: 4 + length, kind: 'CIE', bytes });
    else records.push({ address: p, size: 4 + length, kind: 'FDE', cieAddress: p + 4n - BigInt(id), pcBegin: p + 8n + BigInt(v.getInt32(8, true)), bytes });
    p += BigInt(4 + length);
  }
}
