/**
 * Running `jitlink-check` rules: one rule, a whole check file, and summaries of the results.
 */
import { readFileSync } from 'node:fs';
import type { CheckerEnvironment, InstructionDecoder } from './environment.js';
import { formatCheckFileFailure, formatEvaluationError } from './errors.js';
import { ExpressionEvaluator, type RuleEvaluation } from './evaluator.js';
import { DEFAULT_CHECK_NAME, extractRules, rulePrefixFor } from './rule-file.js';
import { trim } from './scanner.js';

/** Options of a {@link RuleChecker}. */
export interface RuleCheckerOptions {
  /** The linked program. */
  readonly environment: CheckerEnvironment;
  /** The target's disassembler, for `decode_operand` and `next_pc`. */
  readonly decoder?: InstructionDecoder;
  /** llvm-jitlink's `-check-name` (default `jitlink-check`): rule lines start with `# <checkName>:`. */
  readonly checkName?: string;
}

/** The outcome of one rule. */
export interface RuleOutcome {
  /** The check file the rule came from (as given to {@link RuleChecker.checkBuffer}); `''` for a lone rule. */
  readonly file: string;
  /** 1-based line of the rule's first line in the file (0 for a lone rule). */
  readonly line: number;
  /** 1-based line of the rule's last line (after `\` continuations). */
  readonly endLine: number;
  /** The rule as evaluated: continuations joined, trimmed. */
  readonly expression: string;
  /** Whether the rule held. */
  readonly passed: boolean;
  /** `passed`, `false` (both sides evaluated, values differ) or `error` (could not be evaluated). */
  readonly status: RuleEvaluation['status'];
  /** For a failed rule, the text llvm-jitlink prints (`Expression '...' is false: ...` / `Error evaluating ...`). */
  readonly message?: string;
  /** Value of the left side, when it was evaluated. */
  readonly lhs?: bigint;
  /** Value of the right side, when it was evaluated. */
  readonly rhs?: bigint;
  /** Extra information LLVM does not print (e.g. why an instruction could not be decoded). */
  readonly detail?: string;
}

/** The outcome of a check file. */
export interface CheckFileResult {
  /** The file name as given. */
  readonly file: string;
  /** Every rule in file order. */
  readonly outcomes: readonly RuleOutcome[];
  /** True when the file has at least one rule and every rule passed (LLVM fails a file without rules). */
  readonly passed: boolean;
  /** When not passed: llvm-jitlink's `Some checks in <file> failed`. */
  readonly failure?: string;
}

/** Totals over several check files. */
export interface CheckSummary {
  /** Number of check files. */
  readonly files: number;
  /** Number of rules. */
  readonly rules: number;
  /** Rules that held. */
  readonly passedRules: number;
  /** Rules that were false or could not be evaluated. */
  readonly failedRules: number;
  /** Files that failed (including files without rules). */
  readonly failedFiles: readonly string[];
  /** True when every file passed. */
  readonly allPassed: boolean;
  /** The failed rules, in order. */
  readonly failures: readonly RuleOutcome[];
}

function toOutcome(evaluation: RuleEvaluation, file: string, line: number, endLine: number): RuleOutcome {
  const base = { file, line, endLine, expression: evaluation.expression, status: evaluation.status };
  switch (evaluation.status) {
    case 'passed':
      return { ...base, passed: true, lhs: evaluation.lhs, rhs: evaluation.rhs };
    case 'false':
      return { ...base, passed: false, message: evaluation.message, lhs: evaluation.lhs, rhs: evaluation.rhs };
    case 'error':
      return evaluation.detail === undefined
        ? { ...base, passed: false, message: evaluation.message }
        : { ...base, passed: false, message: evaluation.message, detail: evaluation.detail };
  }
}

/**
 * The `jitlink-check` checker (LLVM's RuntimeDyldChecker as llvm-jitlink drives it).
 *
 * ```ts
 * const checker = new RuleChecker({ environment, decoder: new AArch64OperandDecoder() });
 * const result = checker.checkFile('ELF_relocations.s');
 * for (const o of result.outcomes) if (!o.passed) console.error(o.message);
 * if (!result.passed) console.error(result.failure);
 * ```
 */
export class RuleChecker {
  private readonly evaluator: ExpressionEvaluator;
  private readonly rulePrefix: string;

  /** @param options the environment, decoder and check name. */
  constructor(options: RuleCheckerOptions) {
    this.evaluator = new ExpressionEvaluator(options.environment, options.decoder);
    this.rulePrefix = rulePrefixFor(options.checkName ?? DEFAULT_CHECK_NAME);
  }

  /** The evaluator behind the checker, for evaluating standalone expressions. */
  get expressionEvaluator(): ExpressionEvaluator {
    return this.evaluator;
  }

  /** Evaluates one rule (`<expr> = <expr>`). */
  check(rule: string): RuleOutcome {
    return toOutcome(this.evaluator.evaluateRule(rule), '', 0, 0);
  }

  /**
   * Finds and evaluates every rule of a check file's contents (`checkAllRulesInBuffer`).
   * @param file the name reported in outcomes and in the failure text.
   * @param text the file's contents.
   */
  checkBuffer(file: string, text: string | Uint8Array): CheckFileResult {
    const outcomes: RuleOutcome[] = [];
    for (const rule of extractRules(text, this.rulePrefix)) {
      if (rule.unterminated) {
        const expression = trim(rule.text);
        const reason = "the rule's last line ends with a '\\' continuation, but no rule line follows before the end of the file";
        outcomes.push({
          file,
          line: rule.line,
          endLine: rule.endLine,
          expression,
          passed: false,
          status: 'error',
          message: formatEvaluationError(expression, reason),
        });
        continue;
      }
      outcomes.push(toOutcome(this.evaluator.evaluateRule(rule.text), file, rule.line, rule.endLine));
    }
    const passed = outcomes.length > 0 && outcomes.every((o) => o.passed);
    return passed ? { file, outcomes, passed } : { file, outcomes, passed, failure: formatCheckFileFailure(file) };
  }

  /** Reads a check file from disk and checks it; the path as given is the file name reported. */
  checkFile(path: string): CheckFileResult {
    return this.checkBuffer(path, readFileSync(path));
  }
}

/** Adds up the results of several check files. */
export function summarizeCheckResults(results: readonly CheckFileResult[]): CheckSummary {
  const failures = results.flatMap((r) => r.outcomes.filter((o) => !o.passed));
  const rules = results.reduce((n, r) => n + r.outcomes.length, 0);
  const failedFiles = results.filter((r) => !r.passed).map((r) => r.file);
  return {
    files: results.length,
    rules,
    passedRules: rules - failures.length,
    failedRules: failures.length,
    failedFiles,
    allPassed: failedFiles.length === 0,
    failures,
  };
}

/**
 * The diagnostics llvm-jitlink prints for check results: each failed rule's message in order, then
 * `Some checks in <file> failed` for each failed file. Empty when everything passed.
 */
export function formatCheckResults(results: readonly CheckFileResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    for (const outcome of result.outcomes) if (outcome.message !== undefined) lines.push(outcome.message);
    if (result.failure !== undefined) lines.push(result.failure);
  }
  return lines;
}
