import { describe, expect, it } from 'vitest';
import {
  AArch64EdgeKind,
  EDGE_KIND_INVALID,
  EDGE_KIND_KEEP_ALIVE,
  FIRST_RELOCATION_EDGE_KIND,
  LAST_AARCH64_EDGE_KIND,
  getEdgeKindName,
  isAArch64EdgeKind,
} from '../../src/index.js';

// The reference's enumeration, in order (LLVM's EdgeKind_aarch64 minus the MachO-only kinds).
const NAMES = [
  'Pointer64',
  'Pointer32',
  'Delta64',
  'Delta32',
  'NegDelta64',
  'NegDelta32',
  'Branch26PCRel',
  'TestAndBranch14PCRel',
  'CondBranch19PCRel',
  'MoveWide16',
  'LDRLiteral19',
  'ADRLiteral21',
  'Page21',
  'PageOffset12',
  'GotPageOffset15',
  'RequestGOTAndTransformToPage21',
  'RequestGOTAndTransformToPageOffset12',
  'RequestGOTAndTransformToPageOffset15',
  'RequestGOTAndTransformToDelta32',
  'RequestTLSDescEntryAndTransformToPage21',
  'RequestTLSDescEntryAndTransformToPageOffset12',
];

describe('AArch64 edge kinds', () => {
  it('are numbered consecutively from FirstRelocation = 2 in the reference order', () => {
    expect([EDGE_KIND_INVALID, EDGE_KIND_KEEP_ALIVE, FIRST_RELOCATION_EDGE_KIND]).toEqual([0, 1, 2]);
    expect(Object.entries(AArch64EdgeKind)).toEqual(NAMES.map((n, i) => [n, i + 2]));
    expect(LAST_AARCH64_EDGE_KIND).toBe(NAMES.length + 1);
  });

  it('display names are the enumerator names; generic and unknown kinds as LLVM prints them', () => {
    expect(NAMES.map((_, i) => getEdgeKindName(i + 2))).toEqual(NAMES);
    expect(getEdgeKindName(0)).toBe('INVALID RELOCATION');
    expect(getEdgeKindName(1)).toBe('Keep-Alive');
    expect(getEdgeKindName(23)).toBe('<Unrecognized edge kind>');
    expect(getEdgeKindName(-1)).toBe('<Unrecognized edge kind>');
    expect(getEdgeKindName(2.5)).toBe('<Unrecognized edge kind>');
  });

  it('isAArch64EdgeKind', () => {
    expect([0, 1, 2, 22, 23, 2.5].map(isAArch64EdgeKind)).toEqual([false, false, true, true, false, false]);
  });
});
