/**
 * Errors and message texts of the `jitlink-check` checker, worded as LLVM's RuntimeDyldChecker and llvm-jitlink
 * word them so that test expectations written against LLVM read the same here.
 */
import { tokenForError } from './scanner.js';

/**
 * Thrown by a {@link CheckerEnvironment} lookup that fails (unknown file, section, stub or GOT entry). The checker
 * reports the message after LLVM's `RTDyldChecker: ` banner.
 */
export class CheckerLookupError extends Error {
  /** @param message the LLVM-worded reason, e.g. from {@link checkerLookupMessages}. */
  constructor(message: string) {
    super(message);
    this.name = 'CheckerLookupError';
  }
}

/** Thrown by an {@link InstructionDecoder} for bytes it cannot decode. */
export class InstructionDecodeError extends Error {
  /** @param message why the bytes could not be decoded. */
  constructor(message: string) {
    super(message);
    this.name = 'InstructionDecodeError';
  }
}

/** llvm-jitlink's texts for failed `section_addr` / `stub_addr` / `got_addr` lookups. */
export const checkerLookupMessages = {
  /** No object file was registered under this name. */
  fileNotRecognized: (fileName: string): string => `file "${fileName}" not recognized`,
  /** The file has no section of that name. */
  noSection: (fileName: string, sectionName: string): string =>
    `no section "${sectionName}" registered for file "${fileName}"`,
  /** The file has no stub for that target. */
  noStub: (fileName: string, targetName: string): string =>
    `no stub for "${targetName}" registered for file "${fileName}"`,
  /** The file has no GOT entry for that target. */
  noGotEntry: (fileName: string, targetName: string): string =>
    `no GOT entry for "${targetName}" registered for file "${fileName}"`,
  /** Several stubs exist for the target and none has a kind matching the filter. */
  noStubMatchesFilter: (fileName: string, targetName: string, stubCount: number, filter: string, kinds: string[]): string =>
    `"${targetName}" has ${stubCount} stubs in file "${fileName}", but none of them matches the stub-kind filter ` +
    `"${filter}" (all encountered kinds are ${formatKinds(kinds)}).`,
  /** More than one stub of the target matches the filter. */
  ambiguousStubFilter: (fileName: string, targetName: string, matchCount: number, filter: string, kinds: string[]): string =>
    `"${targetName}" has ${matchCount} candidate stubs in file "${fileName}". Please refine stub-kind filter ` +
    `"${filter}" for disambiguation (encountered kinds are ${formatKinds(kinds)}).`,
} as const;

function formatKinds(kinds: string[]): string {
  return kinds.map((k) => `"${k === '' ? '<unknown>' : k}"`).join(', ');
}

/** The evaluator's messages, in RuntimeDyldChecker's words. */
export const evaluationMessages = {
  /**
   * `Encountered unexpected token '<tok>'[ while parsing subexpression '<sub>'][ <detail>]`, where the token is
   * read from `tokenStart` the way LLVM's `getTokenForError` does.
   */
  unexpectedToken(tokenStart: string, subExpr: string, detail: string): string {
    let message = `Encountered unexpected token '${tokenForError(tokenStart)}`;
    if (subExpr !== '') message += `' while parsing subexpression '${subExpr}`;
    message += "'";
    if (detail !== '') message += ` ${detail}`;
    return message;
  },
  unexpectedEnd: 'Unexpected end of expression',
  /** An identifier that is neither a builtin nor a registered symbol. */
  unknownSymbol(name: string): string {
    let message = `No known address for symbol '${name}'`;
    // (sic: LLVM's text has two spaces before "perhaps")
    if (name.startsWith('L')) message += " (this appears to be an assembler local label -  perhaps drop the 'L'?)";
    return message;
  },
  cannotDecodeUnknownSymbol: (name: string): string => `Cannot decode unknown symbol '${name}'`,
  couldNotDecode: (name: string): string => `Couldn't decode instruction at '${name}'`,
  invalidOperandIndex: (index: bigint, name: string, count: number, printed: string): string =>
    `Invalid operand index '${index}' for instruction '${name}'. Instruction has only ${count} operands.\n` +
    `Instruction is:\n  ${printed}`,
  notAnImmediate: (index: bigint, name: string, printed: string): string =>
    `Operand '${index}' of instruction '${name}' is not an immediate.\nInstruction is:\n  ${printed}`,
  expectedOpenBrace: "Expected '{' following '*'.",
  invalidLoadSize: 'Invalid size for dereference.',
  missingCloseBrace: "Missing '}' for dereference.",
  /** Prefix LLVM's `logAllUnhandledErrors` puts before a failed environment lookup. */
  lookupBanner: 'RTDyldChecker: ',
  // The messages below have no LLVM counterpart: they report what LLVM leaves undefined (see the evaluator).
  missingEquals: (rule: string): string => `Rule '${rule}' has no '=' (rules have the form '<expr> = <expr>')`,
  invalidSlice: (high: bigint, low: bigint): string => `Invalid bit slice [${high}:${low}]: the high bit is below the low bit`,
  kindFilterOnGot: "A stub-kind filter is only supported by 'stub_addr'",
  unreadableMemory: (size: number, address: bigint, reason: string): string =>
    `Cannot read ${size} bytes at 0x${address.toString(16)}: ${reason}`,
} as const;

/** How an evaluation failure is printed (`Error evaluating expression '<rule>': <message>`). */
export function formatEvaluationError(rule: string, message: string): string {
  return `Error evaluating expression '${rule}': ${message}`;
}

/** How a false rule is printed (`Expression '<rule>' is false: 0x<lhs> != 0x<rhs>`). */
export function formatFalseRule(rule: string, lhs: bigint, rhs: bigint): string {
  return `Expression '${rule}' is false: 0x${lhs.toString(16)} != 0x${rhs.toString(16)}`;
}

/** llvm-jitlink's error for a check file with a failed rule, or without any rule. */
export function formatCheckFileFailure(fileName: string): string {
  return `Some checks in ${fileName} failed`;
}
