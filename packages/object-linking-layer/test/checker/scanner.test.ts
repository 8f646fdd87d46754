import { describe, expect, it } from 'vitest';
import {
  convertNumberString,
  ltrim,
  rtrim,
  scanBinaryOperator,
  scanNumberString,
  scanSymbol,
  tokenForError,
  trim,
} from '../../src/checker/scanner.js';

describe('scanner', () => {
  it('trims the six C whitespace characters only', () => {
    expect(ltrim(' \t\n\v\f\rx \u00a0')).toBe('x \u00a0');
    expect(rtrim('\u00a0x \t\n\v\f\r')).toBe('\u00a0x');
    expect(trim('  a b  ')).toBe('a b');
    expect(ltrim('abc')).toBe('abc');
  });

  it('reads symbols from [0-9A-Za-z:_.$] and skips whitespace after them', () => {
    expect(scanSymbol('foo.bar$1:_x  + 4')).toEqual(['foo.bar$1:_x', '+ 4']);
    expect(scanSymbol('+x')).toEqual(['', '+x']);
    expect(scanSymbol('a-b')).toEqual(['a', '-b']);
  });

  it('reads numbers without skipping whitespace after them', () => {
    expect(scanNumberString('0x1fG')).toEqual(['0x1f', 'G']);
    expect(scanNumberString('0X1f')).toEqual(['0', 'X1f']);
    expect(scanNumberString('123 + 4')).toEqual(['123', ' + 4']);
    expect(scanNumberString('0x')).toEqual(['0x', '']);
    expect(scanNumberString('x')).toEqual(['', 'x']);
  });

  it('reads operators and skips whitespace after them only', () => {
    expect(scanBinaryOperator('<<  3')).toEqual(['<<', '3']);
    expect(scanBinaryOperator('>>3')).toEqual(['>>', '3']);
    for (const op of ['+', '-', '&', '|'] as const) expect(scanBinaryOperator(`${op} x`)).toEqual([op, 'x']);
    expect(scanBinaryOperator(' + x')).toEqual([undefined, ' + x']);
    expect(scanBinaryOperator('^x')).toEqual([undefined, '^x']);
    expect(scanBinaryOperator('<x')).toEqual([undefined, '<x']);
    expect(scanBinaryOperator('')).toEqual([undefined, '']);
  });

  it("names the unexpected token as LLVM's getTokenForError does", () => {
    expect(tokenForError('')).toBe('');
    expect(tokenForError('foo.o, bar)')).toBe('foo.o');
    expect(tokenForError('12ab')).toBe('12');
    expect(tokenForError('<<1')).toBe('<<');
    expect(tokenForError('_x')).toBe('_');
    expect(tokenForError(' x')).toBe(' ');
    expect(tokenForError('\u{1f600}x')).toBe('\u{1f600}');
  });

  it('converts numbers like getAsInteger(0): hex, octal after a leading 0, decimal', () => {
    expect(convertNumberString('0')).toEqual({ value: 0n });
    expect(convertNumberString('0x0')).toEqual({ value: 0n });
    expect(convertNumberString('0xDEADbeef')).toEqual({ value: 0xdeadbeefn });
    expect(convertNumberString('0777')).toEqual({ value: 0o777n });
    expect(convertNumberString('00')).toEqual({ value: 0n });
    expect(convertNumberString('1234')).toEqual({ value: 1234n });
    expect(convertNumberString('01777777777777777777777')).toEqual({ value: (1n << 64n) - 1n });
    expect(convertNumberString('02000000000000000000000')).toHaveProperty('error');
    expect(convertNumberString('0x')).toHaveProperty('error');
    expect(convertNumberString('08')).toHaveProperty('error');
  });
});
