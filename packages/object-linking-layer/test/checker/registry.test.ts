import { describe, expect, it } from 'vitest';
import { CheckerLookupError, CheckerRegistry, checkerLookupMessages, type CheckerMemoryRegion } from '@orc-ts/object-linking-layer';

function registry(detectStubKind?: (stub: CheckerMemoryRegion) => string): CheckerRegistry {
  return new CheckerRegistry({
    readMemory: (address, size) => address + BigInt(size),
    ...(detectStubKind ? { detectStubKind } : {}),
  });
}

function lookupError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CheckerLookupError);
    return (err as Error).message;
  }
  throw new Error('expected a lookup error');
}

describe('CheckerRegistry', () => {
  it('registers symbols by name', () => {
    const r = registry();
    r.registerSymbol('main', { address: 0x1000n });
    r.registerSymbol('data', { address: 0x2000n, isZeroFill: true });
    expect(r.isSymbolValid('main')).toBe(true);
    expect(r.isSymbolValid('nope')).toBe(false);
    expect(r.getSymbolInfo('data')).toEqual({ address: 0x2000n, isZeroFill: true });
    expect(r.symbolNames()).toEqual(['main', 'data']);
    r.registerSymbol('main', { address: 0x3000n });
    expect(r.getSymbolInfo('main').address).toBe(0x3000n);
    expect(lookupError(() => r.getSymbolInfo('nope'))).toBe('Can not get symbol info: symbol nope not found');
  });

  it("looks up sections, GOT entries and stubs per file with llvm-jitlink's messages", () => {
    const r = registry();
    r.registerSection('a.o', '.text', { address: 0x1000n });
    r.registerGotEntry('a.o', 'ext', { address: 0x2000n });
    r.registerStub('a.o', 'ext', { address: 0x3000n });
    r.registerFile('b.o');
    expect(r.hasFile('a.o') && r.hasFile('b.o') && !r.hasFile('c.o')).toBe(true);
    expect(r.getSectionInfo('a.o', '.text').address).toBe(0x1000n);
    expect(r.getGotInfo('a.o', 'ext').address).toBe(0x2000n);
    expect(r.getStubInfo('a.o', 'ext', '').address).toBe(0x3000n);

    expect(lookupError(() => r.getSectionInfo('c.o', '.text'))).toBe('file "c.o" not recognized');
    expect(lookupError(() => r.getSectionInfo('b.o', '.text'))).toBe('no section ".text" registered for file "b.o"');
    expect(lookupError(() => r.getGotInfo('b.o', 'ext'))).toBe('no GOT entry for "ext" registered for file "b.o"');
    expect(lookupError(() => r.getStubInfo('b.o', 'ext', ''))).toBe('no stub for "ext" registered for file "b.o"');
    expect(lookupError(() => r.getStubInfo('c.o', 'ext', ''))).toBe(checkerLookupMessages.fileNotRecognized('c.o'));
  });

  it('selects among several stubs with the kind filter, as findStubInfo does', () => {
    const kinds = new Map<bigint, string>([
      [0x300n, 'armv7_abs_le'],
      [0x100n, 'thumbv7_abs_le'],
      [0x200n, ''],
    ]);
    const r = registry((stub) => kinds.get(stub.address)!);
    for (const address of [0x300n, 0x100n, 0x200n]) r.registerStub('a.o', 'f', { address });
    r.registerStub('a.o', 'g', { address: 0x400n });

    expect(r.getStubInfo('a.o', 'f', 'armv7').address).toBe(0x300n);
    expect(r.getStubInfo('a.o', 'f', '^thumb').address).toBe(0x100n);
    // a single stub and no filter needs no kind detection; with a filter the kind must match
    expect(r.getStubInfo('a.o', 'g', '').address).toBe(0x400n);
    expect(lookupError(() => r.getStubInfo('a.o', 'g', 'arm'))).toBe(
      '"g" has 1 stubs in file "a.o", but none of them matches the stub-kind filter "arm" (all encountered kinds are "<unknown>").',
    );
    // kinds are listed in ascending stub address order
    expect(lookupError(() => r.getStubInfo('a.o', 'f', ''))).toBe(
      '"f" has 3 candidate stubs in file "a.o". Please refine stub-kind filter "" for disambiguation ' +
        '(encountered kinds are "thumbv7_abs_le", "<unknown>", "armv7_abs_le").',
    );
    expect(lookupError(() => r.getStubInfo('a.o', 'f', 'v7'))).toBe(
      '"f" has 2 candidate stubs in file "a.o". Please refine stub-kind filter "v7" for disambiguation ' +
        '(encountered kinds are "thumbv7_abs_le", "<unknown>", "armv7_abs_le").',
    );
    expect(lookupError(() => r.getStubInfo('a.o', 'f', 'x86'))).toBe(
      '"f" has 3 stubs in file "a.o", but none of them matches the stub-kind filter "x86" ' +
        '(all encountered kinds are "thumbv7_abs_le", "<unknown>", "armv7_abs_le").',
    );
    expect(lookupError(() => r.getStubInfo('a.o', 'f', '('))).toMatch(/^invalid stub-kind filter "\(": /);
  });

  it('delegates memory reads', () => {
    expect(registry().readMemory(0x10n, 4)).toBe(0x14n);
  });
});
