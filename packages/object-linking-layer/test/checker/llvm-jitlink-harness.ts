/**
 * Runs the real `llvm-jitlink` (LLVM 14 here) on an object and a check file and turns what it reports into
 * data a test can compare with our checker: the failure messages, the exit status, and the registered addresses
 * it prints with `-show-addrs`.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAArch64, findLlvmTool } from '@orc-ts/test-support';

/** A symbol as `-show-addrs` lists it. */
export interface ShownSymbol {
  address: bigint;
  size: number;
  zeroFill: boolean;
}

/** What one llvm-jitlink run reported. */
export interface JitlinkRun {
  status: number | null;
  /** Diagnostics, one entry per message (multi-line messages joined with `\n`), without the final summary line. */
  messages: string[];
  /** The `Some checks in <file> failed` line's file, when printed. */
  failedFile?: string;
  symbols: Map<string, ShownSymbol>;
  sections: Map<string, Map<string, ShownSymbol>>;
  stderr: string;
}

let absFlag: string | undefined;

/** The spelling of llvm-jitlink's absolute-symbol option (`-abs` today, `-define-abs` in LLVM 14). */
function absoluteSymbolFlag(): string {
  if (absFlag === undefined) {
    const help = execFileSync(findLlvmTool('llvm-jitlink'), ['--help'], { encoding: 'utf8' });
    absFlag = /--abs=/.test(help) ? '-abs' : '-define-abs';
  }
  return absFlag;
}

function parseShown(line: string): [string, ShownSymbol] | undefined {
  const m = /^\s*(?:Section )?"(.*)"(?::)? target addr = 0x([0-9a-f]+), content: 0x([0-9a-f]+) -- 0x[0-9a-f]+ \((\d+) bytes\)/.exec(line);
  if (!m) return undefined;
  return [m[1]!, { address: BigInt(`0x${m[2]}`), size: Number(m[4]), zeroFill: m[3] === '0' && Number(m[4]) > 0 }];
}

/**
 * Assembles `source`, writes `checks`, and runs `llvm-jitlink -noexec -show-addrs -check` with a fixed slab
 * address. The object file is called `objName`.
 */
export function runLlvmJitlink(options: {
  source: string;
  checks: string;
  objName?: string;
  absolute?: Record<string, bigint>;
  extraArgs?: string[];
}): JitlinkRun {
  const dir = mkdtempSync(join(tmpdir(), 'orc-ts-jitlink-'));
  try {
    const objName = options.objName ?? 'obj.o';
    const obj = join(dir, objName);
    const checkFile = join(dir, 'checks.txt');
    writeFileSync(obj, assembleAArch64(options.source));
    writeFileSync(checkFile, options.checks);
    const abs = Object.entries(options.absolute ?? {}).flatMap(([name, addr]) => [absoluteSymbolFlag(), `${name}=0x${addr.toString(16)}`]);
    const args = [
      '-noexec',
      '-show-addrs',
      '-slab-allocate',
      '64Kb',
      '-slab-address',
      '0x7fff00000000',
      '-slab-page-size',
      '4096',
      ...abs,
      ...(options.extraArgs ?? []),
      '-check',
      checkFile,
      obj,
    ];
    const result = spawnSync(findLlvmTool('llvm-jitlink'), args, { encoding: 'utf8', cwd: dir });

    const symbols = new Map<string, ShownSymbol>();
    const sections = new Map<string, Map<string, ShownSymbol>>();
    let currentFile: Map<string, ShownSymbol> | undefined;
    for (const line of result.stdout.split('\n')) {
      const file = /^File "(.*)":$/.exec(line);
      if (file) {
        currentFile = new Map();
        sections.set(file[1]!, currentFile);
        continue;
      }
      const shown = parseShown(line);
      if (!shown) continue;
      if (line.trimStart().startsWith('Section ')) currentFile?.set(shown[0], shown[1]);
      else symbols.set(shown[0], shown[1]);
    }

    // Each diagnostic starts with "Error evaluating" or "Expression"; continuation lines (an instruction dump)
    // belong to the previous one. Lookup errors end with an extra blank line (logAllUnhandledErrors).
    const messages: string[] = [];
    let failedFile: string | undefined;
    for (const line of result.stderr.split('\n')) {
      if (line === '') continue;
      const failed = /: Some checks in (.*) failed$/.exec(line);
      if (failed) {
        failedFile = failed[1]!;
        continue;
      }
      if (line.startsWith('Error evaluating expression') || line.startsWith('Expression ')) messages.push(line);
      else if (messages.length > 0) messages[messages.length - 1] += `\n${line}`;
      else messages.push(line);
    }
    return failedFile === undefined
      ? { status: result.status, messages, symbols, sections, stderr: result.stderr }
      : { status: result.status, messages, failedFile: failedFile.replace(`${dir}/`, ''), symbols, sections, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
