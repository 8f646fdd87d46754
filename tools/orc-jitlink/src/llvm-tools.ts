import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const found = new Map<string, string>();

/** The path of an LLVM 14 tool (`llvm-mc`, `llc`, ...): the unversioned name, `<tool>-14`, or LLVM 14's bin dir. */
export function findLlvmTool(tool: string): string {
  const hit = found.get(tool);
  if (hit) return hit;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [...dirs.map((d) => join(d, tool)), ...dirs.map((d) => join(d, `${tool}-14`)), `/usr/lib/llvm-14/bin/${tool}`];
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`LLVM tool '${tool}' not found (looked for ${tool}, ${tool}-14 and /usr/lib/llvm-14/bin/${tool}); run 'bash tools/setup'`);
  found.set(tool, path);
  return path;
}

function runToObject(tool: string, args: (output: string) => string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'orc-jitlink-'));
  try {
    const output = join(dir, 'out.o');
    try {
      execFileSync(findLlvmTool(tool), args(output), { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`${tool} failed${stderr ? `:\n${stderr}` : ''}`);
    }
    return new Uint8Array(readFileSync(output));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assembles an AArch64 assembly file with `llvm-mc -triple=aarch64-unknown-linux-gnu -filetype=obj`. */
export function assembleFile(path: string, triple = 'aarch64-unknown-linux-gnu'): Uint8Array {
  return runToObject('llvm-mc', (out) => [`-triple=${triple}`, '-filetype=obj', '-o', out, path]);
}

/**
 * Compiles an LLVM IR file with `llc -mtriple=aarch64-unknown-linux-gnu -filetype=obj` (with `-opaque-pointers`
 * when the IR uses `ptr`, which LLVM 14 needs).
 */
export function compileIRFile(path: string, extraArgs: readonly string[] = []): Uint8Array {
  const opaque = /\bptr\b/.test(readFileSync(path, 'utf8')) ? ['-opaque-pointers'] : [];
  return runToObject('llc', (out) => ['-mtriple=aarch64-unknown-linux-gnu', '-filetype=obj', ...opaque, ...extraArgs, '-o', out, path]);
}
