/**
 * Finding the rules in a check file, as RuntimeDyldChecker's `checkAllRulesInBuffer` does.
 */
import { isSpace } from './scanner.js';

/** llvm-jitlink's default `-check-name`. */
export const DEFAULT_CHECK_NAME = 'jitlink-check';

/** The text a rule line starts with for a check name: `# <name>:` (llvm-jitlink's `"# " + CheckName + ":"`). */
export function rulePrefixFor(checkName: string = DEFAULT_CHECK_NAME): string {
  return `# ${checkName}:`;
}

/** A rule found in a check file. */
export interface ExtractedRule {
  /** The rule text: the rest of each contributing line after the prefix, continuations joined (untrimmed). */
  readonly text: string;
  /** 1-based line of the rule's first line. */
  readonly line: number;
  /** 1-based line of the rule's last line (differs from `line` for `\` continuations). */
  readonly endLine: number;
  /**
   * True for a rule whose last line ends in `\` with no rule line after it before the end of the file. LLVM drops
   * such a rule silently; we report it.
   */
  readonly unterminated?: boolean;
}

/**
 * Extracts the rules of a check file.
 *
 * Exactly LLVM's algorithm: whitespace (including blank lines and the indentation of each line) is skipped; a line
 * that then starts with `rulePrefix` contributes the rest of the line. When the text gathered so far ends with `\`
 * (which must be its very last character) the `\` is dropped and the rule continues on the next non-blank line:
 * if that line starts with the prefix its text is appended, otherwise the rule ends there. A line break is `\n`,
 * `\r` or `\r\n`. A NUL character at the start of a line ends the scan.
 * @param text the file's contents (bytes are decoded as UTF-8).
 * @param rulePrefix the rule line prefix, e.g. {@link rulePrefixFor}`('jitlink-check')`.
 */
export function extractRules(text: string | Uint8Array, rulePrefix: string = rulePrefixFor()): ExtractedRule[] {
  const buffer = typeof text === 'string' ? text : new TextDecoder().decode(text);
  const rules: ExtractedRule[] = [];
  const end = buffer.length;
  let pos = 0;
  let line = 1;

  const skipWhitespace = (): void => {
    while (pos < end && isSpace(buffer[pos])) {
      const ch = buffer[pos];
      if (ch === '\n' || (ch === '\r' && buffer[pos + 1] !== '\n')) line++;
      pos++;
    }
  };

  let pending = '';
  let pendingLine = 0;
  let pendingEndLine = 0;
  skipWhitespace();
  while (pos < end && buffer[pos] !== '\0') {
    let lineEnd = pos;
    while (lineEnd < end && buffer[lineEnd] !== '\r' && buffer[lineEnd] !== '\n') lineEnd++;
    const lineText = buffer.slice(pos, lineEnd);

    if (lineText.startsWith(rulePrefix)) {
      if (pending === '') pendingLine = line;
      pendingEndLine = line;
      pending += lineText.slice(rulePrefix.length);
    }
    if (pending !== '') {
      if (!pending.endsWith('\\')) {
        rules.push({ text: pending, line: pendingLine, endLine: pendingEndLine });
        pending = '';
      } else {
        pending = pending.slice(0, -1);
      }
    }

    pos = lineEnd;
    skipWhitespace();
  }
  if (pending !== '') rules.push({ text: pending, line: pendingLine, endLine: pendingEndLine, unterminated: true });
  return rules;
}
