import { describe, expect, it } from 'vitest';
import {
  ExpressionEvaluator,
  applyBinaryOperator,
  printDecodedInstruction,
  sliceBits,
  type CheckerEnvironment,
  type RuleEvaluation,
} from '@orc-ts/object-linking-layer';
import { fakeEnvironment, toyDecoder, u64, words, type FakeProgram, type FakeStats } from './fake-environment.js';

const MAIN = 0x7fff00001000n;
const DATA = 0x7fff00002000n;
const ZF = 0x7fff00003000n;
const GOT = 0x7fff00004000n;
const STUB = 0x7fff00005000n;

const program: FakeProgram = {
  symbols: {
    // IMM 12 (operands [X0, 12, -12]), then REGS (operands [X1, SP])
    main: { address: MAIN, bytes: words(0x1000000c, 0x20000000) },
    data: { address: DATA, bytes: [...u64(0x1122334455667788n), ...u64(MAIN)] },
    zf: { address: ZF, zeroFill: 16 },
    empty: { address: MAIN + 8n, bytes: [] },
    thumbish: { address: 0x9000n, bytes: words(0x10000001), targetFlags: 4 },
    bad: { address: 0xa000n, bytes: words(0xffffffff) },
    ext: { address: 0xdeadbeefn },
    // address 0x2000 is what `*{4}data[15:0]` loads from: the slice applies to the address
  },
  files: {
    'prog.o': { sections: { '.text': MAIN, $__GOT: GOT }, got: { ext: GOT }, stubs: { ext: [STUB] } },
  },
  memory: [[GOT, u64(0xdeadbeefn)]],
};

function evaluator(p: FakeProgram = program, stats?: FakeStats): ExpressionEvaluator {
  return new ExpressionEvaluator(fakeEnvironment(p, stats), toyDecoder);
}

const ev = evaluator();

function messageOf(rule: string, e: ExpressionEvaluator = ev): string | undefined {
  const r = e.evaluateRule(rule);
  return r.status === 'passed' ? undefined : r.message;
}

function value(expr: string, e: ExpressionEvaluator = ev): bigint {
  const r = e.evaluateExpression(expr);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('rules', () => {
  it('passes when both sides are equal and reports both values', () => {
    expect(ev.evaluateRule('main = 0x7fff00001000')).toEqual({ status: 'passed', expression: 'main = 0x7fff00001000', lhs: MAIN, rhs: MAIN });
  });

  it("reports a false rule in LLVM's words, quoting the trimmed rule", () => {
    const r = ev.evaluateRule('   main + 4 = main  ');
    expect(r).toEqual({
      status: 'false',
      expression: 'main + 4 = main',
      lhs: MAIN + 4n,
      rhs: MAIN,
      message: "Expression 'main + 4 = main' is false: 0x7fff00001004 != 0x7fff00001000",
    });
  });

  it('splits at the first =, so == leaves a stray = on the right', () => {
    expect(messageOf('1 ==1')).toBe(
      "Error evaluating expression '1 ==1': Encountered unexpected token '=' while parsing subexpression '=1' expected '(', '*', identifier, or number",
    );
    // the left side is evaluated first, so its error wins
    expect(messageOf('a == b')).toBe("Error evaluating expression 'a == b': No known address for symbol 'a'");
  });

  it('rejects a rule without = (LLVM compares the expression with itself and passes it)', () => {
    const r = ev.evaluateRule('main');
    expect(r.status).toBe('error');
    expect(r.status === 'error' && r.reason).toBe("Rule 'main' has no '=' (rules have the form '<expr> = <expr>')");
    // but a left side that does not evaluate reports that first, as LLVM would
    expect(messageOf('nope')).toBe("Error evaluating expression 'nope': No known address for symbol 'nope'");
  });

  it('reports empty sides as an unexpected end', () => {
    expect(messageOf('    ')).toBe("Error evaluating expression '': Unexpected end of expression");
    expect(messageOf('= 1')).toBe("Error evaluating expression '= 1': Unexpected end of expression");
    expect(messageOf('1 =')).toBe("Error evaluating expression '1 =': Unexpected end of expression");
  });

  it('reports trailing text after a complete side', () => {
    expect(messageOf('1)=1')).toBe("Error evaluating expression '1)=1': Encountered unexpected token ')' while parsing subexpression '1)'");
    expect(messageOf('main ^ 1 = 0')).toBe(
      "Error evaluating expression 'main ^ 1 = 0': Encountered unexpected token '^' while parsing subexpression 'main ^ 1'",
    );
    expect(messageOf('#x = 1')).toBe(
      "Error evaluating expression '#x = 1': Encountered unexpected token '#' while parsing subexpression '#x' expected '(', '*', identifier, or number",
    );
    expect(messageOf('0X10 = 16')).toBe(
      "Error evaluating expression '0X10 = 16': Encountered unexpected token 'X10' while parsing subexpression '0X10'",
    );
  });
});

describe('operators: one precedence level, left to right', () => {
  it.each([
    ['1+2&2', 2n], // C would give 3
    ['6&3+1', 3n], // C would give 4
    ['1<<2+1', 5n], // C would give 8
    ['8-2-1', 5n],
    ['6&(3+1)', 4n],
    ['1+(2&2)', 3n],
    ['0xf0|0x0f&0x3c', 0x3cn],
    ['main+4&0xff', 4n],
    ['main - 0x1000-0x10', MAIN - 0x1010n],
  ])('%s = %s', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it('wraps like uint64_t', () => {
    expect(value('0-1')).toBe(0xffffffffffffffffn);
    expect(value('0xffffffffffffffff+1')).toBe(0n);
    expect(value('1<<63')).toBe(0x8000000000000000n);
    expect(value('0x8000000000000000>>63')).toBe(1n);
    expect(value('0x8000000000000001<<1')).toBe(2n);
  });

  it('defines shifts by 64 or more as 0 (undefined behaviour in LLVM)', () => {
    expect(value('1<<64')).toBe(0n);
    expect(value('0xffffffffffffffff>>64')).toBe(0n);
    expect(value('1<<100')).toBe(0n);
    expect(applyBinaryOperator('<<', 1n, 63n)).toBe(1n << 63n);
  });

  it('does not skip whitespace after a number', () => {
    expect(messageOf('4 + main = main')).toBe(
      "Error evaluating expression '4 + main = main': Encountered unexpected token ' ' while parsing subexpression '4 + main'",
    );
    expect(messageOf('(main - 4 ) = main')).toBe(
      "Error evaluating expression '(main - 4 ) = main': Encountered unexpected token ' ' while parsing subexpression '(main - 4 )' expected ')'",
    );
    expect(messageOf('main - 1 - 1 = main - 2')).toBe(
      "Error evaluating expression 'main - 1 - 1 = main - 2': Encountered unexpected token ' ' while parsing subexpression 'main - 1 - 1'",
    );
    expect(messageOf('1 + = 1')).toBe("Error evaluating expression '1 + = 1': Encountered unexpected token ' ' while parsing subexpression '1 +'");
  });

  it('reports an unclosed parenthesis', () => {
    expect(messageOf('(1')).toBe("Error evaluating expression '(1': Encountered unexpected token '' while parsing subexpression '(1' expected ')'");
  });
});

describe('numbers', () => {
  it('reads decimal, hexadecimal, and (LLVM quirk) octal with a leading 0', () => {
    expect(value('0')).toBe(0n);
    expect(value('42')).toBe(42n);
    expect(value('0x2A')).toBe(42n);
    expect(value('0xffffffffffffffff')).toBe(0xffffffffffffffffn);
    expect(value('010')).toBe(8n);
    expect(ev.evaluateRule('010 = 8').status).toBe('passed');
  });

  it('rejects literals LLVM leaves undefined', () => {
    expect(messageOf('09 = 8')).toBe(
      "Error evaluating expression '09 = 8': Invalid numeric literal '09': a leading '0' makes it octal, and 8 and 9 are not octal digits",
    );
    expect(messageOf('0x = 0')).toBe("Error evaluating expression '0x = 0': Invalid numeric literal '0x': '0x' must be followed by hex digits");
    expect(messageOf('0x10000000000000000 = 0')).toBe(
      "Error evaluating expression '0x10000000000000000 = 0': Invalid numeric literal '0x10000000000000000': the value does not fit in 64 bits",
    );
    expect(messageOf('18446744073709551616 = 0')).toContain('does not fit in 64 bits');
    expect(value('18446744073709551615')).toBe(0xffffffffffffffffn);
  });
});

describe('symbols', () => {
  it('evaluates a symbol to its target address, skipping whitespace after the name', () => {
    expect(value('main')).toBe(MAIN);
    expect(value('ext')).toBe(0xdeadbeefn);
    expect(value('main   +8')).toBe(MAIN + 8n);
  });

  it("reports unknown symbols, with LLVM's hint for L-prefixed names", () => {
    expect(messageOf('foo = 1')).toBe("Error evaluating expression 'foo = 1': No known address for symbol 'foo'");
    expect(messageOf('_foo = 0')).toBe("Error evaluating expression '_foo = 0': No known address for symbol '_foo'");
    expect(messageOf('Lfoo = 1')).toBe(
      "Error evaluating expression 'Lfoo = 1': No known address for symbol 'Lfoo' (this appears to be an assembler local label -  perhaps drop the 'L'?)",
    );
  });

  it('accepts the symbol characters : . $ _ and digits after the first character', () => {
    const e = evaluator({ symbols: { 'a.b$c:d_1': { address: 7n }, _start: { address: 9n } } });
    expect(value('a.b$c:d_1+_start', e)).toBe(16n);
  });
});

describe('bit slices', () => {
  it.each([
    ['0xff[3:0]', 0xfn],
    ['0xff[7:4]', 0xfn],
    ['0x8000000000000000[63:63]', 1n],
    ['main[11:0]', 0n],
    ['main[47:12]', 0x7fff00001n],
    ['0xffffffffffffffff[64:12]', 0xfffffffffffffn],
    ['1[70:64]', 0n],
    ['(main+0x10)[7:4]', 1n],
    ['main [15:12]', 1n],
  ])('%s = %s', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it('keeps all 64 bits for a 64-bit-wide slice (LLVM computes 1 << 64 and gets 0 on x86)', () => {
    expect(value('0xffffffffffffffff[63:0]')).toBe(0xffffffffffffffffn);
    expect(sliceBits(0x1234n, 80n, 0n)).toBe(0x1234n);
  });

  it('binds to the nearest simple expression', () => {
    expect(value('0xff0+0xf[3:0]')).toBe(0xfffn);
    expect(value('(0xff0+0xf)[3:0]')).toBe(0xfn);
  });

  it('reports malformed slices', () => {
    expect(messageOf('main[3 :0] = 0')).toBe(
      "Error evaluating expression 'main[3 :0] = 0': Encountered unexpected token ' ' while parsing subexpression ' :0]' expected ':'",
    );
    expect(messageOf('main[3: 0 ] = 0')).toBe(
      "Error evaluating expression 'main[3: 0 ] = 0': Encountered unexpected token ' ' while parsing subexpression ' ]' expected ']'",
    );
    expect(messageOf('main[3:0 = 0')).toBe("Error evaluating expression 'main[3:0 = 0': Encountered unexpected token '' expected ']'");
    expect(messageOf('main[x:0] = 0')).toBe(
      "Error evaluating expression 'main[x:0] = 0': Encountered unexpected token 'x:0' while parsing subexpression 'x:0]' expected number",
    );
    expect(messageOf('main[3;0] = 0')).toBe(
      "Error evaluating expression 'main[3;0] = 0': Encountered unexpected token ';' while parsing subexpression ';0]' expected ':'",
    );
    expect(messageOf('1[0:3] = 0')).toBe("Error evaluating expression '1[0:3] = 0': Invalid bit slice [0:3]: the high bit is below the low bit");
  });
});

describe('loads', () => {
  it('reads 1, 2, 4 and 8 bytes in the target byte order', () => {
    expect(value('*{8}data')).toBe(0x1122334455667788n);
    expect(value('*{4}data')).toBe(0x55667788n);
    expect(value('*{2}data')).toBe(0x7788n);
    expect(value('*{1}data')).toBe(0x88n);
    expect(value('*{ 4}data')).toBe(0x55667788n);
    expect(value('* {4}  data')).toBe(0x55667788n);
    const be = evaluator({ ...program, endianness: 'big', symbols: { data: { address: DATA, bytes: u64(0x1122334455667788n, 'big') } } });
    expect(value('*{8}data', be)).toBe(0x1122334455667788n);
    expect(value('*{4}data', be)).toBe(0x11223344n);
  });

  it('takes the whole rest of the expression as the address', () => {
    // loads from data + 8, which holds main's address
    expect(value('*{8}data + 8')).toBe(MAIN);
    expect(value('(*{8}data) + 8')).toBe(0x1122334455667790n);
    expect(value('(*{4}data)[15:0]')).toBe(0x7788n);
    // the slice applies to the address: data[15:0] = 0x2000, which is not mapped
    expect(messageOf('*{4}data[15:0] = 0x7788')).toBe(
      "Error evaluating expression '*{4}data[15:0] = 0x7788': Cannot read 4 bytes at 0x2000: address 0x2000 is not mapped",
    );
    expect(value('*{8}((*{8}(data+8))-main+data)')).toBe(0x1122334455667788n);
    // without the inner parentheses the inner load's address is (data+8)-main+data = zf + 8, which reads 0
    expect(value('*{8}(*{8}(data+8)-main+data)')).toBe(0n);
  });

  it('reads 0 from address 0 without touching memory', () => {
    const stats = { reads: 0 };
    const e = evaluator(program, stats);
    expect(e.evaluateRule('*{8}(main - main) = 0').status).toBe('passed');
    expect(stats.reads).toBe(0);
    expect(e.evaluateRule('*{8}data = 0x1122334455667788').status).toBe('passed');
    expect(stats.reads).toBe(1);
  });

  it('reads zero-fill symbols as zeros, at any offset', () => {
    expect(value('*{8}zf')).toBe(0n);
    expect(value('*{8}(zf + 8)')).toBe(0n);
  });

  it('loads through builtins', () => {
    expect(value('*{8}(got_addr(prog.o, ext))')).toBe(0xdeadbeefn);
    expect(value('*{8}got_addr(prog.o, ext)')).toBe(0xdeadbeefn);
    expect(ev.evaluateRule('*{8}(got_addr(prog.o, ext)) = ext').status).toBe('passed');
  });

  it('reports malformed loads', () => {
    expect(messageOf('*{9}main = 0')).toBe("Error evaluating expression '*{9}main = 0': Invalid size for dereference.");
    expect(messageOf('*{0}main = 0')).toBe("Error evaluating expression '*{0}main = 0': Invalid size for dereference.");
    // LLVM accepts 3, 5, 6 and 7 and then crashes
    for (const size of [3, 5, 6, 7]) expect(messageOf(`*{${size}}main = 0`)).toBe(`Error evaluating expression '*{${size}}main = 0': Invalid size for dereference.`);
    expect(messageOf('*{4 }main = 1')).toBe("Error evaluating expression '*{4 }main = 1': Missing '}' for dereference.");
    expect(messageOf('*{4main = 0')).toBe("Error evaluating expression '*{4main = 0': Missing '}' for dereference.");
    expect(messageOf('*4main = 0')).toBe("Error evaluating expression '*4main = 0': Expected '{' following '*'.");
    expect(messageOf('*{x}main = 0')).toBe(
      "Error evaluating expression '*{x}main = 0': Encountered unexpected token 'x' while parsing subexpression 'x}main' expected number",
    );
    expect(messageOf('*{8}nope = 0')).toBe("Error evaluating expression '*{8}nope = 0': No known address for symbol 'nope'");
  });
});

describe('decode_operand', () => {
  it('returns immediate operands as unsigned 64-bit values', () => {
    expect(value('decode_operand(main, 1)')).toBe(12n);
    expect(value('decode_operand(main,1)')).toBe(12n);
    // signed immediates come back sign-extended
    expect(value('decode_operand(main, 2)')).toBe(0xfffffffffffffff4n);
    expect(value('decode_operand(main, 2)[7:0]')).toBe(0xf4n);
    expect(value('decode_operand(main, 1) + 4')).toBe(16n);
  });

  it('decodes at an offset into the symbol', () => {
    expect(messageOf('decode_operand(main + 4, 1) = 0')).toBe(
      "Error evaluating expression 'decode_operand(main + 4, 1) = 0': Operand '1' of instruction 'main' is not an immediate.\n" +
        'Instruction is:\n  <MCInst REGS <MCOperand Reg:X1> <MCOperand Reg:SP>>',
    );
  });

  it('reports registers, bad indices, and undecodable symbols', () => {
    expect(messageOf('decode_operand(main, 0) = 0')).toBe(
      "Error evaluating expression 'decode_operand(main, 0) = 0': Operand '0' of instruction 'main' is not an immediate.\n" +
        'Instruction is:\n  <MCInst IMM <MCOperand Reg:X0> <MCOperand Imm:12> <MCOperand Imm:-12>>',
    );
    expect(messageOf('decode_operand(main, 9) = 0')).toBe(
      "Error evaluating expression 'decode_operand(main, 9) = 0': Invalid operand index '9' for instruction 'main'. Instruction has only 3 operands.\n" +
        'Instruction is:\n  <MCInst IMM <MCOperand Reg:X0> <MCOperand Imm:12> <MCOperand Imm:-12>>',
    );
    expect(messageOf('decode_operand(nope, 2) = 12')).toBe("Error evaluating expression 'decode_operand(nope, 2) = 12': Cannot decode unknown symbol 'nope'");
    expect(messageOf('decode_operand(bad, 0) = 0')).toBe("Error evaluating expression 'decode_operand(bad, 0) = 0': Couldn't decode instruction at 'bad'");
    // zero-size symbols, symbols without content, offsets at or past the end
    for (const rule of ['decode_operand(empty, 0) = 0', 'decode_operand(ext, 0) = 0', 'decode_operand(main + 8, 0) = 0', 'decode_operand(main + 12, 0) = 0']) {
      const sym = rule.slice('decode_operand('.length).split(/[ ,]/)[0];
      expect(messageOf(rule)).toBe(`Error evaluating expression '${rule}': Couldn't decode instruction at '${sym}'`);
    }
  });

  it('keeps why decoding failed as detail', () => {
    expect(ev.evaluateRule('decode_operand(bad, 0) = 0')).toMatchObject({ status: 'error', detail: 'unknown word 0xffffffff' });
    expect(ev.evaluateRule('decode_operand(main + 12, 0) = 0')).toMatchObject({ detail: "offset 12 is past the end of the symbol's 8 bytes" });
    const noDecoder = new ExpressionEvaluator(fakeEnvironment(program));
    expect(noDecoder.evaluateRule('decode_operand(main, 1) = 12')).toMatchObject({
      status: 'error',
      reason: "Couldn't decode instruction at 'main'",
      detail: 'no instruction decoder was configured for the checker',
    });
  });

  it('reports malformed calls', () => {
    const cases: Array<[string, string]> = [
      ['decode_operand main = 1', "Encountered unexpected token 'main' while parsing subexpression 'main' expected '('"],
      ['decode_operand(main 1) = 1', "Encountered unexpected token '1' while parsing subexpression '1)' expected ','"],
      ['decode_operand(main, x) = 1', "Encountered unexpected token 'x' while parsing subexpression 'x)' expected number"],
      ['decode_operand(main, 2 = 12', "Encountered unexpected token '' expected ')'"],
      ['decode_operand( main , 2 ) = 12', "Encountered unexpected token ' ' while parsing subexpression ' )' expected ')'"],
      ['decode_operand(main - 4, 0) = 0', "Encountered unexpected token '4' while parsing subexpression '4, 0)' expected '+' for offset or ',' if no offset"],
      ['decode_operand(main', "Encountered unexpected token '' expected ','"],
      // LLVM ignores a bad offset and then complains about a missing ','; we report the offset
      ['decode_operand(main + x, 0) = 0', "Encountered unexpected token 'x' while parsing subexpression 'x, 0)' expected number"],
      ['decode_operand(main + 09, 0) = 0', "Invalid numeric literal '09': a leading '0' makes it octal, and 8 and 9 are not octal digits"],
    ];
    for (const [rule, reason] of cases) expect(messageOf(rule)).toBe(`Error evaluating expression '${rule}': ${reason}`);
  });
});

describe('next_pc', () => {
  it('is the address after the instruction at the symbol, plus the decoder-supplied adjustment', () => {
    expect(value('next_pc(main)')).toBe(MAIN + 4n);
    expect(ev.evaluateRule('next_pc(main) = main + 4').status).toBe('passed');
    expect(value('next_pc(thumbish)')).toBe(0x9000n + 4n + 4n);
  });

  it('reports errors', () => {
    expect(messageOf('next_pc(nope) = 0')).toBe("Error evaluating expression 'next_pc(nope) = 0': Cannot decode unknown symbol 'nope'");
    expect(messageOf('next_pc(main = 0')).toBe("Error evaluating expression 'next_pc(main = 0': Encountered unexpected token '' expected ')'");
    expect(messageOf('next_pc main')).toBe(
      "Error evaluating expression 'next_pc main': Encountered unexpected token 'main' while parsing subexpression 'main' expected '('",
    );
    expect(messageOf('next_pc(empty) = 0')).toBe("Error evaluating expression 'next_pc(empty) = 0': Couldn't decode instruction at 'empty'");
  });
});

describe('stub_addr, got_addr, section_addr', () => {
  it('look up addresses per file, trimming file and section names', () => {
    expect(value('stub_addr(prog.o, ext)')).toBe(STUB);
    expect(value('stub_addr( prog.o , ext )')).toBe(STUB);
    expect(value('got_addr(prog.o, ext)')).toBe(GOT);
    expect(value('section_addr(prog.o, $__GOT)')).toBe(GOT);
    expect(value('section_addr( prog.o ,  .text  )')).toBe(MAIN);
    expect(value('section_addr(prog.o, $__GOT) & 0xfffffffffffff000')).toBe(GOT);
    expect(value('(stub_addr(prog.o, ext) - main)[27:2]')).toBe((STUB - MAIN) >> 2n);
  });

  it('pass the stub-kind filter through', () => {
    const seen: string[] = [];
    const base = fakeEnvironment(program);
    const env: CheckerEnvironment = {
      isSymbolValid: (n) => base.isSymbolValid(n),
      getSymbolInfo: (n) => base.getSymbolInfo(n),
      getSectionInfo: (f, s) => base.getSectionInfo(f, s),
      getGotInfo: (f, s) => base.getGotInfo(f, s),
      readMemory: (a, s) => base.readMemory(a, s),
      getStubInfo: (f, t, k) => {
        seen.push(`${f}|${t}|${k}`);
        return { address: 1n };
      },
    };
    const e = new ExpressionEvaluator(env);
    expect(value('stub_addr(prog.o, ext, thumb.* )', e)).toBe(1n);
    expect(value('stub_addr(prog.o, ext)', e)).toBe(1n);
    expect(seen).toEqual(['prog.o|ext|thumb.* ', 'prog.o|ext|']);
  });

  it("report failed lookups after LLVM's banner", () => {
    expect(messageOf('stub_addr(prog.o, foo) = 0')).toBe(
      'Error evaluating expression \'stub_addr(prog.o, foo) = 0\': RTDyldChecker: no stub for "foo" registered for file "prog.o"',
    );
    expect(messageOf('got_addr(x.o, foo) = 0')).toBe('Error evaluating expression \'got_addr(x.o, foo) = 0\': RTDyldChecker: file "x.o" not recognized');
    expect(messageOf('got_addr(prog.o, main) = 0')).toBe(
      'Error evaluating expression \'got_addr(prog.o, main) = 0\': RTDyldChecker: no GOT entry for "main" registered for file "prog.o"',
    );
    expect(messageOf('section_addr(prog.o, .data) = main')).toBe(
      'Error evaluating expression \'section_addr(prog.o, .data) = main\': RTDyldChecker: no section ".data" registered for file "prog.o"',
    );
  });

  it('report malformed calls', () => {
    const cases: Array<[string, string]> = [
      ['got_addr(prog.o foo) = 0', "Encountered unexpected token '' while parsing subexpression '(prog.o foo)' expected ','"],
      ['got_addr(prog.o, foo', "Encountered unexpected token '' while parsing subexpression '(prog.o, foo' expected ')'"],
      ['got_addr prog.o', "Encountered unexpected token 'prog.o' while parsing subexpression 'prog.o' expected '('"],
      ['stub_addr(prog.o, ext, x = 0', "Encountered unexpected token '' while parsing subexpression '(prog.o, ext, x' expected ')'"],
      ['section_addr(prog.o, .text = 0', "Encountered unexpected token '' while parsing subexpression '(prog.o, .text' expected ')'"],
      ['section_addr prog.o = 0', "Encountered unexpected token 'prog.o' while parsing subexpression 'prog.o' expected '('"],
      ['section_addr(prog.o) = 0', "Encountered unexpected token '' while parsing subexpression '(prog.o)' expected ','"],
      ['got_addr(prog.o, ext, x) = 0', "A stub-kind filter is only supported by 'stub_addr'"],
    ];
    for (const [rule, reason] of cases) expect(messageOf(rule)).toBe(`Error evaluating expression '${rule}': ${reason}`);
  });
});

describe('printDecodedInstruction', () => {
  it("renders like MCInst::dump_pretty, with register names instead of LLVM's numbers", () => {
    expect(printDecodedInstruction({ size: 4, opcode: 'BL', mnemonic: 'bl', operands: [-3n] })).toBe('<MCInst BL <MCOperand Imm:-3>>');
    expect(printDecodedInstruction({ size: 4, opcode: 'XPACLRI', mnemonic: 'xpaclri', operands: [] })).toBe('<MCInst XPACLRI>');
  });
});

describe('rule outcome shapes', () => {
  it('gives error outcomes a reason and no values', () => {
    const r: RuleEvaluation = ev.evaluateRule('foo = 1');
    expect(r).toEqual({
      status: 'error',
      expression: 'foo = 1',
      reason: "No known address for symbol 'foo'",
      message: "Error evaluating expression 'foo = 1': No known address for symbol 'foo'",
    });
  });
});
