/**
 * The `jitlink-check` rule language of llvm-jitlink (LLVM's RuntimeDyldChecker): rule extraction from check files,
 * the expression evaluator, and the interfaces through which it sees the linked program and the target's
 * disassembler.
 * @module
 */
export {
  type CheckerByteOrder,
  type CheckerMemoryRegion,
  type CheckerEnvironment,
  type DecodedOperand,
  type DecodedInstruction,
  type InstructionDecoder,
  isRegisterOperand,
  readUnsignedInteger,
} from './environment.js';
export {
  CheckerLookupError,
  InstructionDecodeError,
  checkerLookupMessages,
  evaluationMessages,
  formatEvaluationError,
  formatFalseRule,
  formatCheckFileFailure,
} from './errors.js';
export {
  type ExpressionResult,
  type RuleEvaluation,
  ExpressionEvaluator,
  applyBinaryOperator,
  sliceBits,
  printDecodedInstruction,
} from './evaluator.js';
export { type ExtractedRule, DEFAULT_CHECK_NAME, rulePrefixFor, extractRules } from './rule-file.js';
export {
  type RuleCheckerOptions,
  type RuleOutcome,
  type CheckFileResult,
  type CheckSummary,
  RuleChecker,
  summarizeCheckResults,
  formatCheckResults,
} from './checker.js';
export { type CheckerRegistryOptions, CheckerRegistry } from './registry.js';
