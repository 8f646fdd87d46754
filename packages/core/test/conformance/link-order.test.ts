/** Conformance §10 items 2 and 44–46: link orders and their depth-first traversal. */
import { describe, expect, it } from 'vitest';
import { ExecutionSession, JITDylib, JITDylibLookupFlags, makeJITDylibSearchOrder } from '@orc-ts/core';
import { makeFixture } from './fixture.js';

const { MatchAllSymbols, MatchExportedSymbolsOnly } = JITDylibLookupFlags;

function names(jds: readonly JITDylib[]): string[] {
  return jds.map((jd) => jd.getName());
}

describe('link order', () => {
  it('#2 JITDylibAddToLinkOrder: appending JD2 gives [JD, JD2]; appending [JD2, JD3] adds only JD3', () => {
    const { es, jd } = makeFixture();
    const jd2 = es.createBareJITDylib('JD2');
    const jd3 = es.createBareJITDylib('JD3');
    expect(jd.getLinkOrder()).toEqual([[jd, MatchAllSymbols]]);

    jd.addToLinkOrder(jd2);
    expect(jd.getLinkOrder()).toEqual([
      [jd, MatchAllSymbols],
      [jd2, MatchExportedSymbolsOnly],
    ]);

    jd.addToLinkOrder(makeJITDylibSearchOrder([jd2, jd3]));
    const order = jd.getLinkOrder();
    expect(order.map(([j]) => j)).toEqual([jd, jd2, jd3]);
    expect(order.map(([, f]) => f)).toEqual([MatchAllSymbols, MatchExportedSymbolsOnly, MatchExportedSymbolsOnly]);
  });

  describe('getDFSLinkOrder', () => {
    function libs(es: ExecutionSession, ...ids: string[]): Record<string, JITDylib> {
      return Object.fromEntries(ids.map((id) => [id, es.createBareJITDylib(id)]));
    }

    it('#44 GetDFSLinkOrderTree: A→{B,C}, B→{D,E}, C→{F} is walked in pre-order, each root adding what is new', async () => {
      const es = new ExecutionSession();
      const { A, B, C, D, E, F } = libs(es, 'A', 'B', 'C', 'D', 'E', 'F');
      A!.setLinkOrder(makeJITDylibSearchOrder([B!, C!]));
      B!.setLinkOrder(makeJITDylibSearchOrder([D!, E!]));
      C!.setLinkOrder(makeJITDylibSearchOrder([F!]));

      expect(names(JITDylib.getDFSLinkOrder([B!]))).toEqual(['B', 'D', 'E']);
      expect(names(JITDylib.getDFSLinkOrder([A!]))).toEqual(['A', 'B', 'D', 'E', 'C', 'F']);
      expect(names(A!.getDFSLinkOrder())).toEqual(['A', 'B', 'D', 'E', 'C', 'F']);
      expect(names(JITDylib.getDFSLinkOrder([A!, B!]))).toEqual(['A', 'B', 'D', 'E', 'C', 'F']);
      expect(names(JITDylib.getDFSLinkOrder([B!, A!]))).toEqual(['B', 'D', 'E', 'A', 'C', 'F']);
      expect(names(A!.getReverseDFSLinkOrder())).toEqual(['F', 'C', 'E', 'D', 'B', 'A']);
      await es.endSession();
    });

    it('#45 GetDFSLinkOrderDiamond: A→{B,C}, B→D, C→D lists D once, under B', async () => {
      const es = new ExecutionSession();
      const { A, B, C, D } = libs(es, 'A', 'B', 'C', 'D');
      A!.setLinkOrder(makeJITDylibSearchOrder([B!, C!]));
      B!.setLinkOrder(makeJITDylibSearchOrder([D!]));
      C!.setLinkOrder(makeJITDylibSearchOrder([D!]));

      expect(names(JITDylib.getDFSLinkOrder([A!]))).toEqual(['A', 'B', 'D', 'C']);
      await es.endSession();
    });

    it('#46 GetDFSLinkOrderCycle: A→B→C→A terminates and starts at the root', async () => {
      const es = new ExecutionSession();
      const { A, B, C } = libs(es, 'A', 'B', 'C');
      A!.setLinkOrder(makeJITDylibSearchOrder([B!]));
      B!.setLinkOrder(makeJITDylibSearchOrder([C!]));
      C!.setLinkOrder(makeJITDylibSearchOrder([A!]));

      expect(names(JITDylib.getDFSLinkOrder([A!]))).toEqual(['A', 'B', 'C']);
      expect(names(JITDylib.getDFSLinkOrder([B!]))).toEqual(['B', 'C', 'A']);
      expect(names(JITDylib.getDFSLinkOrder([C!]))).toEqual(['C', 'A', 'B']);
      await es.endSession();
    });
  });
});
