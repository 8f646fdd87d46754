import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLlvmTool } from '../../orc-jitlink/src/llvm-tools.js';

/** Options for {@link assembleAArch64}. */
export interface AssembleOptions {
  /** Target triple; defaults to little-endian AArch64 Linux. */
  triple?: string;
  /** Extra `llvm-mc` arguments. */
  extraArgs?: string[];
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'orc-ts-fixture-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assembles AArch64 assembly text into a relocatable ELF object with `llvm-mc`. */
export function assembleAArch64(source: string, options: AssembleOptions = {}): Uint8Array {
  return withTempDir((dir) => {
    const input = join(dir, 'input.s');
    const output = join(dir, 'output.o');
    writeFileSync(input, source);
    execFileSync(findLlvmTool('llvm-mc'), [
      `-triple=${options.triple ?? 'aarch64-unknown-linux-gnu'}`,
      '-filetype=obj',
      ...(options.extraArgs ?? []),
      '-o',
      output,
      input,
    ]);
    return new Uint8Array(readFileSync(output));
  });
}

/** Compiles LLVM IR text into a relocatable AArch64 ELF object with `llc` (extra arguments such as `-relocation-model=pic` allowed). */
export function compileIRToAArch64(ir: string, extraArgs: string[] = []): Uint8Array {
  return withTempDir((dir) => {
    const input = join(dir, 'input.ll');
    const output = join(dir, 'output.o');
    writeFileSync(input, ir);
    execFileSync(findLlvmTool('llc'), ['-mtriple=aarch64-unknown-linux-gnu', '-filetype=obj', ...extraArgs, '-o', output, input]);
    return new Uint8Array(readFileSync(output));
  });
}
