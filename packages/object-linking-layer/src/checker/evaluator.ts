/**
 * The `jitlink-check` expression evaluator: a single-pass recursive-descent parser that evaluates as it parses,
 * exactly as LLVM's `RuntimeDyldCheckerExprEval` does.
 *
 * Parsing and evaluation are deliberately interleaved: LLVM stops at the first problem in reading order, whether
 * it is a syntax error or a failed lookup (`decode_operand(nope, x)` reports the unknown symbol, not the bad index),
 * and tests match those messages.
 *
 * The language (all values are unsigned 64-bit):
 * ```
 * rule    := expr '=' expr                  split at the FIRST '='
 * expr    := simple { binop simple }        ALL operators have the same precedence, left to right
 * binop   := '+' | '-' | '&' | '|' | '<<' | '>>'
 * simple  := primary [ '[' num ':' num ']' ]
 * primary := '(' expr ')' | '*' '{' num '}' expr | builtin | symbol | num
 * ```
 * Quirks kept on purpose (tests are written against them):
 * - `a + b & c` is `(a + b) & c` and `a & b + c` is `(a & b) + c`: no precedence, only parentheses.
 * - A load's address is the whole rest of the expression: `*{8}a + 4` loads from `a + 4`, and in `*{4}x[15:0]` the
 *   slice applies to the address.
 * - Whitespace is not skipped after a number: `x + 4` parses, `4 + x` and `(x - 4 )` do not.
 * - A leading zero makes a number octal (`010` is 8), as `StringRef::getAsInteger` with radix 0 does.
 *
 * Where LLVM's behaviour is undefined we define it (and say so in the messages of `errors.ts`):
 * - a rule without '=' is an error (LLVM compares the expression with itself, so it always passes);
 * - shifts by 64 or more give 0; a slice of 64 or more bits keeps all bits (LLVM computes `1 << 64`);
 * - a slice whose high bit is below its low bit, a malformed or out-of-range number, and a load size of 3, 5, 6
 *   or 7 are errors (LLVM uses garbage values or reaches `llvm_unreachable`);
 * - an invalid number as `decode_operand`'s offset is reported (LLVM ignores the error and reports a missing ',');
 * - `got_addr` with a third (stub-kind) argument is an error (an assertion in LLVM);
 * - unreadable memory is reported instead of crashing.
 */
import type { CheckerEnvironment, DecodedInstruction, InstructionDecoder } from './environment.js';
import { evaluationMessages as msg, formatEvaluationError, formatFalseRule } from './errors.js';
import {
  type BinaryOperator,
  convertNumberString,
  isAlpha,
  isDigit,
  ltrim,
  rtrim,
  scanBinaryOperator,
  scanNumberString,
  scanSymbol,
  trim,
} from './scanner.js';

/** The value of an expression, or why it could not be evaluated. */
export type ExpressionResult =
  | { readonly ok: true; readonly value: bigint }
  | { readonly ok: false; readonly error: string; readonly detail?: string };

/** The outcome of evaluating one rule. */
export type RuleEvaluation =
  | { readonly status: 'passed'; readonly expression: string; readonly lhs: bigint; readonly rhs: bigint }
  | {
      readonly status: 'false';
      readonly expression: string;
      readonly lhs: bigint;
      readonly rhs: bigint;
      /** `Expression '<rule>' is false: 0x<lhs> != 0x<rhs>` */
      readonly message: string;
    }
  | {
      readonly status: 'error';
      readonly expression: string;
      /** `Error evaluating expression '<rule>': <reason>` */
      readonly message: string;
      /** The reason alone. */
      readonly reason: string;
      /** Extra information LLVM does not print (e.g. why the decoder rejected the bytes). */
      readonly detail?: string;
    };

type Failure = ExpressionResult & { readonly ok: false };
type Step = readonly [ExpressionResult, string];

const U64_MASK = (1n << 64n) - 1n;

function ok(value: bigint): ExpressionResult {
  return { ok: true, value };
}

function fail(error: string, detail?: string): Failure {
  return detail === undefined ? { ok: false, error } : { ok: false, error, detail };
}

function errorMessageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Applies a binary operator with C++ `uint64_t` semantics (shifts of 64 or more give 0). */
export function applyBinaryOperator(op: BinaryOperator, lhs: bigint, rhs: bigint): bigint {
  switch (op) {
    case '+':
      return (lhs + rhs) & U64_MASK;
    case '-':
      return (lhs - rhs) & U64_MASK;
    case '&':
      return lhs & rhs;
    case '|':
      return lhs | rhs;
    case '<<':
      return rhs >= 64n ? 0n : (lhs << rhs) & U64_MASK;
    case '>>':
      return rhs >= 64n ? 0n : lhs >> rhs;
  }
}

/** `value[high:low]`: bits high..low inclusive, shifted down to bit 0. */
export function sliceBits(value: bigint, high: bigint, low: bigint): bigint {
  const width = high - low + 1n;
  const mask = width >= 64n ? U64_MASK : (1n << width) - 1n;
  const shifted = low >= 64n ? 0n : value >> low;
  return shifted & mask;
}

/** Renders a decoded instruction the way LLVM's `MCInst::dump_pretty` does (with register names, no opcode number). */
export function printDecodedInstruction(inst: DecodedInstruction): string {
  const operands = inst.operands.map((op) => (typeof op === 'bigint' ? ` <MCOperand Imm:${op}>` : ` <MCOperand Reg:${op.reg}>`));
  return `<MCInst ${inst.opcode}${operands.join('')}>`;
}

/**
 * Evaluates `jitlink-check` rules and expressions against a {@link CheckerEnvironment}.
 */
export class ExpressionEvaluator {
  /**
   * @param environment the linked program.
   * @param decoder the target's disassembler; without one `decode_operand` and `next_pc` cannot decode anything.
   */
  constructor(
    private readonly environment: CheckerEnvironment,
    private readonly decoder?: InstructionDecoder,
  ) {}

  /**
   * Evaluates one rule, `<expr> = <expr>` (RuntimeDyldChecker's `check`). The rule text is trimmed first and
   * messages quote the trimmed text.
   */
  evaluateRule(rule: string): RuleEvaluation {
    const expression = trim(rule);
    const eqIndex = expression.indexOf('=');

    const lhsExpr = rtrim(eqIndex < 0 ? expression : expression.slice(0, eqIndex));
    const lhs = this.evaluateSide(lhsExpr);
    if (!lhs.ok) return this.errorOutcome(expression, lhs);
    if (eqIndex < 0) return this.errorOutcome(expression, fail(msg.missingEquals(expression)));

    const rhsExpr = ltrim(expression.slice(eqIndex + 1));
    const rhs = this.evaluateSide(rhsExpr);
    if (!rhs.ok) return this.errorOutcome(expression, rhs);

    if (lhs.value !== rhs.value) {
      return { status: 'false', expression, lhs: lhs.value, rhs: rhs.value, message: formatFalseRule(expression, lhs.value, rhs.value) };
    }
    return { status: 'passed', expression, lhs: lhs.value, rhs: rhs.value };
  }

  /** Evaluates a standalone expression (one side of a rule); the text is trimmed first. */
  evaluateExpression(text: string): ExpressionResult {
    return this.evaluateSide(trim(text));
  }

  private errorOutcome(expression: string, result: Failure): RuleEvaluation {
    const base = { status: 'error' as const, expression, message: formatEvaluationError(expression, result.error), reason: result.error };
    return result.detail === undefined ? base : { ...base, detail: result.detail };
  }

  private evaluateSide(text: string): ExpressionResult {
    const [result, rest] = this.complex(this.simple(text));
    if (!result.ok) return result;
    if (rest !== '') return fail(msg.unexpectedToken(rest, text, ''));
    return result;
  }

  /** A "simple" expression: anything but an unparenthesized binary expression, optionally sliced. */
  private simple(text: string): Step {
    if (text === '') return [fail(msg.unexpectedEnd), ''];
    const first = text[0];
    let step: Step;
    if (first === '(') step = this.parens(text);
    else if (first === '*') step = this.load(text);
    else if (isAlpha(first) || first === '_') step = this.identifier(text);
    else if (isDigit(first)) step = this.number(text);
    else return [fail(msg.unexpectedToken(text, text, "expected '(', '*', identifier, or number")), ''];

    if (!step[0].ok) return step;
    if (step[1].startsWith('[')) return this.slice(step);
    return step;
  }

  /** Folds `{ binop simple }` onto an already evaluated left operand, left to right. */
  private complex(start: Step): Step {
    let [lhs, rest] = start;
    for (;;) {
      if (!lhs.ok || rest === '') return [lhs, rest];
      const [op, afterOp] = scanBinaryOperator(rest);
      if (op === undefined) return [lhs, rest];
      const [rhs, afterRhs] = this.simple(afterOp);
      if (!rhs.ok) return [rhs, afterRhs];
      lhs = ok(applyBinaryOperator(op, lhs.value, rhs.value));
      rest = afterRhs;
    }
  }

  private parens(text: string): Step {
    const [inner, rest] = this.complex(this.simple(ltrim(text.slice(1))));
    if (!inner.ok) return [inner, ''];
    if (!rest.startsWith(')')) return [fail(msg.unexpectedToken(rest, text, "expected ')'")), ''];
    return [inner, ltrim(rest.slice(1))];
  }

  private number(text: string): Step {
    const [digits, rest] = scanNumberString(text);
    if (digits === '' || !isDigit(digits[0])) return [fail(msg.unexpectedToken(rest, rest, 'expected number')), ''];
    const converted = convertNumberString(digits);
    if ('error' in converted) return [fail(converted.error), ''];
    return [ok(converted.value), rest];
  }

  private load(text: string): Step {
    let rest = ltrim(text.slice(1));
    if (!rest.startsWith('{')) return [fail(msg.expectedOpenBrace), ''];
    rest = ltrim(rest.slice(1));
    const [size, afterSize] = this.number(rest);
    if (!size.ok) return [size, afterSize];
    // LLVM accepts 1..8 here and then reaches llvm_unreachable for 3, 5, 6 and 7.
    if (size.value !== 1n && size.value !== 2n && size.value !== 4n && size.value !== 8n) return [fail(msg.invalidLoadSize), ''];
    if (!afterSize.startsWith('}')) return [fail(msg.missingCloseBrace), ''];
    rest = ltrim(afterSize.slice(1));

    const [address, afterAddress] = this.complex(this.simple(rest));
    if (!address.ok) return [address, ''];
    // LLVM: a null content pointer means a zero-fill symbol, whose loads read 0.
    if (address.value === 0n) return [ok(0n), afterAddress];
    const byteCount = Number(size.value);
    try {
      const value = this.environment.readMemory(address.value, byteCount);
      return [ok(value & U64_MASK), afterAddress];
    } catch (err) {
      return [fail(msg.unreadableMemory(byteCount, address.value, errorMessageOf(err))), ''];
    }
  }

  private slice(start: Step): Step {
    const [value, text] = start;
    if (!value.ok) return start;
    let rest = ltrim(text.slice(1));
    const [high, afterHigh] = this.number(rest);
    if (!high.ok) return [high, afterHigh];
    if (!afterHigh.startsWith(':')) return [fail(msg.unexpectedToken(afterHigh, afterHigh, "expected ':'")), ''];
    rest = ltrim(afterHigh.slice(1));
    const [low, afterLow] = this.number(rest);
    if (!low.ok) return [low, afterLow];
    if (!afterLow.startsWith(']')) return [fail(msg.unexpectedToken(afterLow, afterLow, "expected ']'")), ''];
    rest = ltrim(afterLow.slice(1));
    if (high.value < low.value) return [fail(msg.invalidSlice(high.value, low.value)), ''];
    return [ok(sliceBits(value.value, high.value, low.value)), rest];
  }

  private identifier(text: string): Step {
    const [name, rest] = scanSymbol(text);
    switch (name) {
      case 'decode_operand':
        return this.decodeOperand(rest);
      case 'next_pc':
        return this.nextPc(rest);
      case 'stub_addr':
        return this.stubOrGotAddress(rest, true);
      case 'got_addr':
        return this.stubOrGotAddress(rest, false);
      case 'section_addr':
        return this.sectionAddress(rest);
    }
    if (!this.environment.isSymbolValid(name)) return [fail(msg.unknownSymbol(name)), ''];
    return [ok(this.environment.getSymbolInfo(name).address & U64_MASK), rest];
  }

  /** Decodes the instruction at `symbol + offset`; `undefined` plus a reason when that is impossible. */
  private decodeAt(symbol: string, offset: bigint): { inst?: DecodedInstruction; detail: string } {
    if (this.decoder === undefined) return { detail: 'no instruction decoder was configured for the checker' };
    const info = this.environment.getSymbolInfo(symbol);
    const content = info.content ?? new Uint8Array(0);
    if (offset > BigInt(content.length)) {
      return { detail: `offset ${offset} is past the end of the symbol's ${content.length} bytes` };
    }
    const bytes = content.subarray(Number(offset));
    try {
      const inst = this.decoder.decode(bytes, (info.address + offset) & U64_MASK, info.targetFlags);
      if (inst.size > bytes.length) {
        return { detail: `the ${inst.size}-byte instruction extends past the symbol's ${content.length} bytes` };
      }
      return { inst, detail: '' };
    } catch (err) {
      return { detail: errorMessageOf(err) };
    }
  }

  private decodeOperand(text: string): Step {
    if (!text.startsWith('(')) return [fail(msg.unexpectedToken(text, text, "expected '('")), ''];
    const [symbol, afterSymbol] = scanSymbol(ltrim(text.slice(1)));
    if (!this.environment.isSymbolValid(symbol)) return [fail(msg.cannotDecodeUnknownSymbol(symbol)), ''];

    let offset = 0n;
    const [op, afterOp] = scanBinaryOperator(afterSymbol);
    let rest = afterOp;
    if (op === '+') {
      const [offsetResult, afterOffset] = this.number(rest);
      if (!offsetResult.ok) return [offsetResult, ''];
      offset = offsetResult.value;
      rest = afterOffset;
    } else if (op !== undefined) {
      return [fail(msg.unexpectedToken(rest, rest, "expected '+' for offset or ',' if no offset")), ''];
    }

    if (!rest.startsWith(',')) return [fail(msg.unexpectedToken(rest, rest, "expected ','")), ''];
    rest = ltrim(rest.slice(1));
    const [index, afterIndex] = this.number(rest);
    if (!index.ok) return [index, ''];
    if (!afterIndex.startsWith(')')) return [fail(msg.unexpectedToken(afterIndex, afterIndex, "expected ')'")), ''];
    rest = ltrim(afterIndex.slice(1));

    const { inst, detail } = this.decodeAt(symbol, offset);
    if (inst === undefined) return [fail(msg.couldNotDecode(symbol), detail), ''];

    if (index.value >= BigInt(inst.operands.length)) {
      return [fail(msg.invalidOperandIndex(index.value, symbol, inst.operands.length, printDecodedInstruction(inst))), ''];
    }
    const operand = inst.operands[Number(index.value)]!;
    if (typeof operand !== 'bigint') return [fail(msg.notAnImmediate(index.value, symbol, printDecodedInstruction(inst))), ''];
    return [ok(operand & U64_MASK), rest];
  }

  private nextPc(text: string): Step {
    if (!text.startsWith('(')) return [fail(msg.unexpectedToken(text, text, "expected '('")), ''];
    const [symbol, afterSymbol] = scanSymbol(ltrim(text.slice(1)));
    if (!this.environment.isSymbolValid(symbol)) return [fail(msg.cannotDecodeUnknownSymbol(symbol)), ''];
    if (!afterSymbol.startsWith(')')) return [fail(msg.unexpectedToken(afterSymbol, afterSymbol, "expected ')'")), ''];
    const rest = ltrim(afterSymbol.slice(1));

    const { inst, detail } = this.decodeAt(symbol, 0n);
    if (inst === undefined) return [fail(msg.couldNotDecode(symbol), detail), ''];
    const address = this.environment.getSymbolInfo(symbol).address;
    return [ok((address + BigInt(inst.size) + BigInt(inst.nextPcAdjustment ?? 0)) & U64_MASK), rest];
  }

  private stubOrGotAddress(text: string, isStub: boolean): Step {
    if (!text.startsWith('(')) return [fail(msg.unexpectedToken(text, text, "expected '('")), ''];
    let rest = ltrim(text.slice(1));

    // The file name is everything up to the first ',' (it may contain characters symbols cannot).
    const comma = rest.indexOf(',');
    const fileName = rtrim(comma < 0 ? rest : rest.slice(0, comma));
    rest = ltrim(comma < 0 ? '' : rest.slice(comma));
    if (!rest.startsWith(',')) return [fail(msg.unexpectedToken(rest, text, "expected ','")), ''];
    rest = ltrim(rest.slice(1));

    const [symbol, afterSymbol] = scanSymbol(rest);
    rest = afterSymbol;

    // Optional stub-kind filter: raw text up to the first ')'.
    let kindFilter = '';
    const hasFilter = rest.startsWith(',');
    if (hasFilter) {
      rest = ltrim(rest.slice(1));
      const close = rest.indexOf(')');
      kindFilter = close < 0 ? rest : rest.slice(0, close);
      rest = close < 0 ? '' : rest.slice(close);
    }
    if (!rest.startsWith(')')) return [fail(msg.unexpectedToken(rest, text, "expected ')'")), ''];
    rest = ltrim(rest.slice(1));
    if (hasFilter && !isStub) return [fail(msg.kindFilterOnGot), ''];

    try {
      const region = isStub
        ? this.environment.getStubInfo(fileName, symbol, kindFilter)
        : this.environment.getGotInfo(fileName, symbol);
      return [ok(region.address & U64_MASK), rest];
    } catch (err) {
      return [fail(msg.lookupBanner + errorMessageOf(err)), ''];
    }
  }

  private sectionAddress(text: string): Step {
    if (!text.startsWith('(')) return [fail(msg.unexpectedToken(text, text, "expected '('")), ''];
    let rest = ltrim(text.slice(1));

    const comma = rest.indexOf(',');
    const fileName = rtrim(comma < 0 ? rest : rest.slice(0, comma));
    rest = ltrim(comma < 0 ? '' : rest.slice(comma));
    if (!rest.startsWith(',')) return [fail(msg.unexpectedToken(rest, text, "expected ','")), ''];
    rest = ltrim(rest.slice(1));

    const close = rest.indexOf(')');
    const sectionName = rtrim(close < 0 ? rest : rest.slice(0, close));
    rest = ltrim(close < 0 ? '' : rest.slice(close));
    if (!rest.startsWith(')')) return [fail(msg.unexpectedToken(rest, text, "expected ')'")), ''];
    rest = ltrim(rest.slice(1));

    try {
      return [ok(this.environment.getSectionInfo(fileName, sectionName).address & U64_MASK), rest];
    } catch (err) {
      return [fail(msg.lookupBanner + errorMessageOf(err)), ''];
    }
  }
}
