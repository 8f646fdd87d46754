/** Parsed `orc-jitlink` command line. Option spellings follow llvm-jitlink's. */
export interface JITLinkOptions {
  /** Input files, in order, each with whether it was preceded by `-lazy`. */
  inputs: Array<{ path: string; lazy: boolean }>;
  /** Link only; do not run. */
  noExec: boolean;
  /** `jitlink-check` rule files. */
  checkFiles: string[];
  /** Rule prefix name (`jitlink-check`). */
  checkName: string;
  /** Absolute symbol definitions `name=address`. */
  absolutes: Map<string, bigint>;
  /** Entry point (`main`). */
  entry: string;
  showAddrs: boolean;
  showGraph: boolean;
  showLinkedFiles: boolean;
  showTimes: boolean;
  showSizes: boolean;
  showStats: boolean;
  /** Slab base address (`-slab-address`). */
  slabAddress: bigint | undefined;
  /** Slab size in bytes (`-slab-allocate`). */
  slabSize: bigint | undefined;
  /** Slab page size (`-slab-page-size`). */
  slabPageSize: number | undefined;
  /** Resolve unresolved externals to 0. */
  phonyExternals: boolean;
  /** Stop a running program after this many seconds. */
  timeoutSeconds: number | undefined;
  /** Arguments after `--`, passed to the program. */
  programArgs: string[];
  help: boolean;
  version: boolean;
}

/** A command-line error; the tool prints it as `orc-jitlink error: <message>`. */
export class UsageError extends Error {}

const FLAGS: Record<string, keyof JITLinkOptions> = {
  noexec: 'noExec',
  'show-addrs': 'showAddrs',
  'show-graph': 'showGraph',
  'show-graphs': 'showGraph',
  'show-linked-files': 'showLinkedFiles',
  'show-times': 'showTimes',
  'show-sizes': 'showSizes',
  stats: 'showStats',
  'phony-externals': 'phonyExternals',
  help: 'help',
  h: 'help',
  version: 'version',
};

const VALUED = new Set([
  'check',
  'check-name',
  'abs',
  'define-abs',
  'entry',
  'slab-address',
  'slab-allocate',
  'slab-page-size',
  'timeout',
]);

/** Parses an integer in decimal or `0x` hex into a bigint. */
export function parseAddress(text: string, what: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new UsageError(`invalid ${what} '${text}'`);
  return BigInt(t);
}

/** Parses a size such as `64Kb`, `1Mb`, `4096`, `2Gb` (llvm-jitlink's `-slab-allocate` syntax). */
export function parseSize(text: string): bigint {
  const m = /^\s*(0x[0-9a-fA-F]+|[0-9]+)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`invalid size '${text}' (expected e.g. 4096, 64Kb, 1Mb or 2Gb)`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const scale = unit === 'kb' ? 1024n : unit === 'mb' ? 1024n * 1024n : unit === 'gb' ? 1024n ** 3n : 1n;
  return BigInt(m[1]!) * scale;
}

/** Parses `orc-jitlink` arguments (single or double dashes, `-name value` or `-name=value`). */
export function parseOptions(argv: readonly string[]): JITLinkOptions {
  const o: JITLinkOptions = {
    inputs: [],
    noExec: false,
    checkFiles: [],
    checkName: 'jitlink-check',
    absolutes: new Map(),
    entry: 'main',
    showAddrs: false,
    showGraph: false,
    showLinkedFiles: false,
    showTimes: false,
    showSizes: false,
    showStats: false,
    slabAddress: undefined,
    slabSize: undefined,
    slabPageSize: undefined,
    phonyExternals: false,
    timeoutSeconds: undefined,
    programArgs: [],
    help: false,
    version: false,
  };
  let lazyNext = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      o.programArgs = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      o.inputs.push({ path: arg, lazy: lazyNext });
      lazyNext = false;
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    if (name === 'lazy') {
      lazyNext = true;
      continue;
    }
    const flag = FLAGS[name];
    if (flag) {
      const value = inline === undefined ? true : !/^(false|0)$/i.test(inline);
      (o as unknown as Record<string, unknown>)[flag] = value;
      continue;
    }
    if (!VALUED.has(name)) throw new UsageError(`unknown option '${arg}' (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option '${arg}' needs a value`);
    switch (name) {
      case 'check':
        o.checkFiles.push(value);
        break;
      case 'check-name':
        o.checkName = value;
        break;
      case 'abs':
      case 'define-abs': {
        const at = value.indexOf('=');
        if (at <= 0) throw new UsageError(`invalid -${name} '${value}' (expected name=address)`);
        o.absolutes.set(value.slice(0, at), parseAddress(value.slice(at + 1), `address for ${value.slice(0, at)}`));
        break;
      }
      case 'entry':
        o.entry = value;
        break;
      case 'slab-address':
        o.slabAddress = parseAddress(value, 'slab address');
        break;
      case 'slab-allocate':
        o.slabSize = parseSize(value);
        break;
      case 'slab-page-size': {
        const n = Number(parseAddress(value, 'slab page size'));
        if (n <= 0 || (n & (n - 1)) !== 0) throw new UsageError(`slab page size ${value} is not a power of two`);
        o.slabPageSize = n;
        break;
      }
      case 'timeout': {
        const s = Number(value);
        if (!(s > 0)) throw new UsageError(`invalid timeout '${value}' (seconds, > 0)`);
        o.timeoutSeconds = s;
        break;
      }
    }
  }
  if (lazyNext) throw new UsageError("'-lazy' must be followed by an input file");
  if ((o.slabAddress !== undefined || o.slabPageSize !== undefined) && o.slabSize === undefined) {
    throw new UsageError('-slab-address and -slab-page-size require -slab-allocate');
  }
  if (o.slabSize !== undefined && !o.noExec) {
    // llvm-jitlink only allows slab allocation with -noexec; so do we, until an executing slab exists.
    throw new UsageError('-slab-allocate requires -noexec');
  }
  return o;
}

/** The `--help` text. */
export const HELP = `OVERVIEW: orc-jitlink: link relocatable AArch64 ELF objects with orc-ts (the counterpart of llvm-jitlink)

USAGE: orc-jitlink [options] <input files> [-- program arguments]

Inputs: .o (relocatable ELF), .s (assembled with llvm-mc), .ll (compiled with llc).

OPTIONS (single or double dash; '-name value' or '-name=value'):
  -noexec                 Link only, do not run
  -check <file>           Run the jitlink-check rules in <file> after linking (repeatable)
  -check-name <name>      Rule prefix name (default: jitlink-check)
  -abs <name>=<addr>      Define an absolute symbol (also -define-abs; repeatable)
  -entry <name>           Entry point (default: main)
  -lazy <file>            Add the next input lazily
  -phony-externals        Resolve otherwise unresolved externals to 0
  -show-addrs             Print the address of every linked symbol and section
  -show-graph             Print each link graph after fixups
  -show-linked-files      Print 'Linking <graph>' for every graph linked
  -show-sizes             Print the sizes of linked blocks
  -show-times             Print how long each phase took
  -stats                  Print counts of graphs linked
  -slab-allocate <size>   Allocate from a slab of <size> (e.g. 64Kb; requires -noexec)
  -slab-address <addr>    Base address of the slab (requires -slab-allocate)
  -slab-page-size <n>     Page size of the slab (requires -slab-allocate)
  -timeout <seconds>      Stop a running program after <seconds>
  --help, --version
`;
