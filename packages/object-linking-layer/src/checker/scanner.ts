/**
 * Character-level lexical primitives of the `jitlink-check` expression language.
 *
 * LLVM's RuntimeDyldChecker has no separate token stream: it walks the text with a handful of `StringRef` helpers
 * (`ltrim`, `find_first_not_of`, `starts_with`). These functions are those helpers, with the same character sets,
 * so that where whitespace is (and is not) skipped matches LLVM exactly. Every function takes the text still to be
 * read and returns what it consumed plus the rest, as LLVM's `std::pair<StringRef, StringRef>` helpers do.
 */

/** The characters `StringRef::ltrim()` / `trim()` / `isSpace` treat as whitespace. */
const WHITESPACE = ' \t\n\v\f\r';

/** Characters that may continue a symbol name (`parseSymbol`'s `find_first_not_of` set). */
const SYMBOL_CHARS = /[0-9A-Za-z:_.$]/;

/** True for the six ASCII whitespace characters C's `isspace` accepts in the "C" locale. */
export function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && ch.length === 1 && WHITESPACE.includes(ch);
}

/** True for an ASCII letter (C's `isalpha`). */
export function isAlpha(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
}

/** True for an ASCII decimal digit (C's `isdigit`). */
export function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** Drops leading whitespace (`StringRef::ltrim`). */
export function ltrim(text: string): string {
  let i = 0;
  while (i < text.length && WHITESPACE.includes(text[i]!)) i++;
  return i === 0 ? text : text.slice(i);
}

/** Drops trailing whitespace (`StringRef::rtrim`). */
export function rtrim(text: string): string {
  let end = text.length;
  while (end > 0 && WHITESPACE.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Drops leading and trailing whitespace (`StringRef::trim`). */
export function trim(text: string): string {
  return ltrim(rtrim(text));
}

/**
 * Reads a symbol name: the longest prefix of letters, digits, `:`, `_`, `.` and `$` (possibly empty). Whitespace
 * after the name is skipped.
 */
export function scanSymbol(text: string): [name: string, rest: string] {
  let i = 0;
  while (i < text.length && SYMBOL_CHARS.test(text[i]!)) i++;
  return [text.slice(0, i), ltrim(text.slice(i))];
}

/**
 * Reads the characters of a number: `0x` followed by hex digits, or decimal digits. Nothing is skipped after it
 * (LLVM's quirk: `4 + x` does not parse, `x + 4` does).
 */
export function scanNumberString(text: string): [digits: string, rest: string] {
  let i: number;
  if (text.startsWith('0x')) {
    i = 2;
    while (i < text.length && /[0-9a-fA-F]/.test(text[i]!)) i++;
  } else {
    i = 0;
    while (i < text.length && isDigit(text[i])) i++;
  }
  return [text.slice(0, i), text.slice(i)];
}

/** The binary operators of the language; they all have the same precedence and associate to the left. */
export type BinaryOperator = '+' | '-' | '&' | '|' | '<<' | '>>';

/**
 * Reads a binary operator at the very start of `text` (no whitespace is skipped before it, whitespace after it is
 * skipped). Returns `undefined` and the text unchanged when there is none.
 */
export function scanBinaryOperator(text: string): [op: BinaryOperator | undefined, rest: string] {
  if (text.startsWith('<<') || text.startsWith('>>')) return [text.slice(0, 2) as BinaryOperator, ltrim(text.slice(2))];
  const ch = text[0];
  if (ch === '+' || ch === '-' || ch === '&' || ch === '|') return [ch, ltrim(text.slice(1))];
  return [undefined, text];
}

/**
 * The token LLVM names in an "unexpected token" message: a symbol if the text starts with a letter, a number
 * string if it starts with a digit, else `<<`/`>>` or a single character (empty at the end of the text).
 */
export function tokenForError(text: string): string {
  if (text === '') return '';
  if (isAlpha(text[0])) return scanSymbol(text)[0];
  if (isDigit(text[0])) return scanNumberString(text)[0];
  if (text.startsWith('<<') || text.startsWith('>>')) return text.slice(0, 2);
  return String.fromCodePoint(text.codePointAt(0)!);
}

/** The outcome of converting a number string: its value, or why it is not a valid 64-bit number. */
export type NumberConversion = { readonly value: bigint } | { readonly error: string };

const U64_MAX = (1n << 64n) - 1n;

/**
 * Converts a string produced by {@link scanNumberString} the way LLVM's `StringRef::getAsInteger(0, ...)` does:
 * `0x...` is hexadecimal, a leading `0` followed by more digits makes it **octal** (`010` is 8), otherwise decimal.
 *
 * LLVM leaves the value undefined (in practice 0 or garbage) when the conversion fails: `0x` without digits, an
 * octal literal containing 8 or 9, or a value above 2^64-1. We report those as errors instead.
 */
export function convertNumberString(digits: string): NumberConversion {
  let value: bigint;
  if (digits.startsWith('0x')) {
    if (digits.length === 2) return { error: `Invalid numeric literal '${digits}': '0x' must be followed by hex digits` };
    value = BigInt(digits);
  } else if (digits.length > 1 && digits[0] === '0') {
    if (/[89]/.test(digits)) {
      return { error: `Invalid numeric literal '${digits}': a leading '0' makes it octal, and 8 and 9 are not octal digits` };
    }
    value = BigInt(`0o${digits.slice(1)}`);
  } else {
    value = BigInt(digits);
  }
  if (value > U64_MAX) return { error: `Invalid numeric literal '${digits}': the value does not fit in 64 bits` };
  return { value };
}
