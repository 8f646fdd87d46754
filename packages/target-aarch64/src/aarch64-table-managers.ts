import { MemProt } from '@orc-ts/core';
import { JITLinkError, type LinkGraph, type Symbol } from '@orc-ts/object-linking-layer';
import { GOT_ENTRY, GOT_SECTION_NAME, PLT_STUB, STUBS_SECTION_NAME, getGOTTransformedKind, needsPLTStub } from './aarch64-got-plt.js';
import { POINTER_JUMP_STUB_PLACEHOLDER_ADDRESS, POINTER_PLACEHOLDER_ADDRESS, createBlockContent, type BlockTemplate } from './aarch64-stubs.js';

/** Each template's content, encoded once: entries and stubs get a copy (templates are frozen). */
const templateContents = new WeakMap<BlockTemplate, Uint8Array>();

function contentOf(t: BlockTemplate): Uint8Array {
  let bytes = templateContents.get(t);
  if (!bytes) templateContents.set(t, (bytes = createBlockContent(t)));
  return bytes.slice();
}

function synthesize(graph: LinkGraph, sectionName: string, t: BlockTemplate, placeholder: bigint, target: Symbol, callable: boolean): Symbol {
  const section = graph.createSection(sectionName, MemProt.Read | MemProt.Exec);
  const block = graph.createMutableContentBlock(section, contentOf(t), placeholder, t.alignment);
  for (const e of t.edges) block.addEdge(e.kind, e.offset, target, e.addend);
  return graph.addAnonymousSymbol(block, 0, t.size, callable, true);
}

/** The name an existing GOT entry / stub serves, found through its first edge. */
function servedName(entry: Symbol, hops: number): string | null {
  let s: Symbol | undefined = entry;
  for (let i = 0; i < hops && s; i++) s = s.block?.edges[0]?.target;
  return s?.name ?? null;
}

/**
 * Post-prune pass (JITLink's `buildTables_ELF_aarch64`): GOT-requesting edges are retargeted to one 8-byte GOT entry
 * per target (`$__GOT`), and Branch26 edges to symbols not defined in the graph go through one 12-byte PLT stub
 * per target (`$__STUBS`) that jumps through the target's GOT entry. Existing entries are adopted.
 */
export function buildGOTAndStubs(graph: LinkGraph): void {
  const got = new Map<string, Symbol>();
  const stubs = new Map<string, Symbol>();
  for (const s of graph.findSection(GOT_SECTION_NAME)?.symbols ?? []) {
    const n = s.block?.edges.length === 1 ? servedName(s, 1) : null;
    if (n !== null) got.set(n, s);
  }
  for (const s of graph.findSection(STUBS_SECTION_NAME)?.symbols ?? []) {
    const n = s.block?.edges.length === 2 ? servedName(s, 2) : null;
    if (n !== null) stubs.set(n, s);
  }
  const entryFor = (target: Symbol, what: string): Symbol => {
    if (target.name === null) {
      throw new JITLinkError(`In graph ${graph.name}: ${what} requested for an anonymous symbol at ${target.getAddress()}`);
    }
    let e = got.get(target.name);
    if (!e) got.set(target.name, (e = synthesize(graph, GOT_SECTION_NAME, GOT_ENTRY, POINTER_PLACEHOLDER_ADDRESS, target, false)));
    return e;
  };
  const blocks = Array.from(graph.blocks());
  for (const b of blocks) {
    for (const edge of b.edges) {
      const gotKind = getGOTTransformedKind(edge.kind);
      if (gotKind !== undefined) {
        edge.target = entryFor(edge.target, 'GOT entry');
        edge.kind = gotKind;
      } else if (needsPLTStub(edge.kind, edge.target.isDefined())) {
        const target = edge.target;
        let stub = target.name !== null ? stubs.get(target.name) : undefined;
        if (!stub) {
          stub = synthesize(graph, STUBS_SECTION_NAME, PLT_STUB, POINTER_JUMP_STUB_PLACEHOLDER_ADDRESS, entryFor(target, 'PLT stub'), true);
          stubs.set(target.name!, stub);
        }
        edge.target = stub;
      }
    }
  }
}
