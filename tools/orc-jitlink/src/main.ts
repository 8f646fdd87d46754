import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  absoluteSymbols,
  FailedToMaterialize,
  JITDylibLookupFlags,
  JITSymbolFlags,
  type DefinitionGenerator,
  type SymbolMap,
} from '@orc-ts/core';
import { formatCheckResults, RuleChecker, summarizeCheckResults, type CheckFileResult } from '@orc-ts/object-linking-layer';
import { AArch64OperandDecoder } from '@orc-ts/target-aarch64';
import { createLinkSession } from './link-session.js';
import { assembleFile, compileIRFile } from './llvm-tools.js';
import { HELP, parseOptions, UsageError } from './options.js';
import { formatAddressRows } from './reports.js';

/** Where orc-jitlink writes; the CLI uses the process streams, tests capture them. */
export interface ToolIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: ToolIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** The tool's version string. */
export const VERSION = 'orc-jitlink (orc-ts) 0.1.0';

function message(e: unknown): string {
  if (e instanceof AggregateError) return e.errors.map(message).join('\n');
  return e instanceof Error ? e.message : String(e);
}

function loadInput(path: string): Uint8Array {
  const ext = extname(path).toLowerCase();
  if (ext === '.s' || ext === '.S') return assembleFile(path);
  if (ext === '.ll') return compileIRFile(path);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read input '${path}': ${(e as NodeJS.ErrnoException).code ?? message(e)}`);
  }
}

/** The name a linked input goes by (in checks and reports): assembled and compiled inputs become `<stem>.o`. */
function objectName(path: string): string {
  const ext = extname(path);
  return ext === '.s' || ext === '.S' || ext === '.ll' ? `${basename(path, ext)}.o` : basename(path);
}

/** Defines any still-unresolved symbol as absolute 0 (`-phony-externals`). */
class PhonyExternalsGenerator implements DefinitionGenerator {
  tryToGenerate(_ls: unknown, _kind: unknown, jd: import('@orc-ts/core').JITDylib, _f: unknown, set: import('@orc-ts/core').SymbolLookupSet): void {
    const defs: SymbolMap = new Map();
    for (const name of set.getSymbolNames()) defs.set(name, { address: 0n, flags: JITSymbolFlags.Exported });
    if (defs.size) jd.define(absoluteSymbols(defs));
  }
}

/**
 * Runs orc-jitlink with `argv` (without the program name). Returns the exit status: 0 on success, 1 on any error
 * (printed as `orc-jitlink error: <message>`) or failed check.
 */
export async function main(argv: readonly string[], io: ToolIO = processIO): Promise<number> {
  const times: Array<[string, number]> = [];
  const timed = async <T>(what: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      times.push([what, performance.now() - t0]);
    }
  };
  let session: ReturnType<typeof createLinkSession> | undefined;
  try {
    const options = parseOptions(argv);
    if (options.help) {
      io.out(HELP);
      return 0;
    }
    if (options.version) {
      io.out(`${VERSION}\n`);
      return 0;
    }
    if (options.inputs.length === 0) throw new UsageError('no input files (see --help)');
    if (!options.noExec) throw new UsageError('executing linked programs is not available yet in this build; pass -noexec');
    if (options.inputs.some((i) => i.lazy)) throw new UsageError('-lazy is not available yet in this build');

    const s = (session = createLinkSession(options));
    const jd = s.es.createJITDylib('main');
    const inputs = await timed('load inputs', () => options.inputs.map((i) => ({ name: objectName(i.path), bytes: loadInput(i.path) })));
    if (options.absolutes.size) {
      const defs: SymbolMap = new Map();
      for (const [name, address] of options.absolutes) {
        defs.set(name, { address, flags: JITSymbolFlags.Exported });
        s.checker.registerSymbol(name, { address }); // rules may name -abs symbols, as in llvm-jitlink
      }
      jd.define(absoluteSymbols(defs));
    }
    for (const input of inputs) s.layer.add(jd, input.bytes, input.name);
    if (options.phonyExternals) {
      const phony = s.es.createJITDylib('<phony externals>');
      phony.addGenerator(new PhonyExternalsGenerator());
      jd.addToLinkOrder(phony);
    }

    await timed('link', async () => {
      try {
        await s.es.lookup([[jd, JITDylibLookupFlags.MatchAllSymbols]], jd.getSymbolNames());
      } catch (e) {
        // The session reported the root cause of a failed link; prefer it over the generic FailedToMaterialize.
        const causes = s.observations.errors.filter((x) => !(x instanceof FailedToMaterialize));
        throw causes.length ? causes[0] : e;
      }
    });

    if (options.showLinkedFiles) for (const g of s.observations.linkedGraphs) io.out(`Linking ${g}\n`);
    if (options.showGraph) for (const d of s.observations.graphDumps) io.out(`${d}\n`);
    if (options.showAddrs) io.out(`${formatAddressRows(s.observations.addresses)}\n`);
    if (options.showSizes) {
      io.out(`Total size of all blocks before pruning: ${s.observations.sizeBeforePruning}\n`);
      io.out(`Total size of all blocks after fixups: ${s.observations.sizeAfterFixups}\n`);
    }
    if (options.showStats) io.out(`Graphs linked: ${s.observations.linkedGraphs.length}\n`);

    let failed = false;
    if (options.checkFiles.length) {
      const results: CheckFileResult[] = await timed('check', () => {
        const checker = new RuleChecker({ environment: s.checker, decoder: new AArch64OperandDecoder(), checkName: options.checkName });
        return options.checkFiles.map((f) => {
          try {
            return checker.checkFile(f);
          } catch (e) {
            throw new UsageError(`cannot read check file '${f}': ${(e as NodeJS.ErrnoException).code ?? message(e)}`);
          }
        });
      });
      const summary = summarizeCheckResults(results);
      for (const line of formatCheckResults(results)) io.err(`${line}\n`);
      failed = !summary.allPassed;
    }
    if (options.showTimes) for (const [what, ms] of times) io.out(`${what.padEnd(12)} ${ms.toFixed(2)} ms\n`);
    await s.es.endSession();
    return failed ? 1 : 0;
  } catch (e) {
    io.err(`orc-jitlink error: ${message(e)}\n`);
    await session?.es.endSession().catch(() => undefined);
    return 1;
  }
}
