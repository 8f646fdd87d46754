import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Thrown when an LLVM tool cannot be found; `tools/setup` installs them. */
export class LlvmToolNotFound extends Error {
  constructor(readonly tool: string) {
    super(`LLVM tool '${tool}' not found (looked for ${tool}, ${tool}-14 and /usr/lib/llvm-14/bin/${tool}); run 'bash tools/setup'`);
    this.name = 'LlvmToolNotFound';
  }
}

const cache = new Map<string, string>();

/** Returns the path of an LLVM 14 tool (`llvm-mc`, `llc`, `llvm-objdump`, ...), preferring the unversioned name. */
export function findLlvmTool(tool: string): string {
  const hit = cache.get(tool);
  if (hit) return hit;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [...dirs.map((d) => join(d, tool)), ...dirs.map((d) => join(d, `${tool}-14`)), `/usr/lib/llvm-14/bin/${tool}`];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new LlvmToolNotFound(tool);
  cache.set(tool, found);
  return found;
}
