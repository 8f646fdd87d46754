import { OrcError } from './errors.js';
import { formatAddress, type ExecutorAddr } from './executor-symbol-def.js';

/** Where an executor address falls: the symbol that contains it and the offset into it. */
export interface SymbolizedAddress {
  /** The containing symbol's name. */
  readonly name: string;
  /** `address - symbolStart`. */
  readonly offset: bigint;
}

/**
 * The kinds of {@link ExecutorFault}: memory accesses to unmapped or protected memory, undefined instructions,
 * unhandled CPU exceptions, an exhausted execution budget, `abort()`, misuse of the executor heap, and failures of
 * a call into the JIT made by executor code (e.g. a lazy entry whose body could not be materialized).
 */
export type ExecutorFaultKind =
  | 'read-unmapped'
  | 'write-unmapped'
  | 'fetch-unmapped'
  | 'read-protected'
  | 'write-protected'
  | 'fetch-protected'
  | 'unaligned'
  | 'invalid-instruction'
  | 'exception'
  | 'timeout'
  | 'abort'
  | 'heap'
  | 'jit-call'
  | 'other';

const KIND_TEXT: Record<ExecutorFaultKind, string> = {
  'read-unmapped': 'read of unmapped memory',
  'write-unmapped': 'write to unmapped memory',
  'fetch-unmapped': 'jump to unmapped memory',
  'read-protected': 'read of protected memory',
  'write-protected': 'write to read-only memory',
  'fetch-protected': 'jump to non-executable memory',
  unaligned: 'unaligned access',
  'invalid-instruction': 'invalid instruction',
  exception: 'unhandled CPU exception',
  timeout: 'execution timed out',
  abort: 'abort() called',
  heap: 'heap error',
  'jit-call': 'JIT call failed',
  other: 'fault',
};

/** Details of an {@link ExecutorFault}. */
export interface ExecutorFaultInfo {
  /** What went wrong. */
  readonly kind: ExecutorFaultKind;
  /** The pc of the faulting instruction (for a call into the host: the instruction that made it). */
  readonly pc: ExecutorAddr;
  /** The faulting data or fetch address (memory faults, heap errors: the pointer at fault). */
  readonly address?: ExecutorAddr;
  /** The symbol `pc` falls in, when the session knows one. */
  readonly symbol?: SymbolizedAddress;
  /** Extra detail (e.g. `double free`, the failed lookup's message). */
  readonly detail?: string;
}

/** Renders `kind at address (pc P in sym+0xoff)` as `orc-jitlink` prints it. */
export function formatExecutorFault(info: ExecutorFaultInfo): string {
  let text = KIND_TEXT[info.kind];
  if (info.detail) text += `: ${info.detail}`;
  if (info.address !== undefined) text += ` at ${formatAddress(info.address)}`;
  const where = info.symbol ? ` in ${info.symbol.name}+0x${info.symbol.offset.toString(16)}` : '';
  return `${text} (pc ${formatAddress(info.pc)}${where})`;
}

/**
 * A fault in JIT'd code, reported the way a debugger would: kind, faulting address, pc, and the symbol + offset the
 * pc falls in. The executor stays usable after one.
 */
export class ExecutorFault extends OrcError implements ExecutorFaultInfo {
  /** What went wrong. */
  readonly kind: ExecutorFaultKind;
  /** The faulting pc. */
  readonly pc: ExecutorAddr;
  /** The faulting address, if any. */
  readonly address?: ExecutorAddr;
  /** The symbol the pc falls in, if known. */
  readonly symbol?: SymbolizedAddress;
  /** Extra detail. */
  readonly detail?: string;

  constructor(info: ExecutorFaultInfo, options?: { cause?: unknown }) {
    super(formatExecutorFault(info), options);
    this.kind = info.kind;
    this.pc = info.pc;
    if (info.address !== undefined) this.address = info.address;
    if (info.symbol !== undefined) this.symbol = info.symbol;
    if (info.detail !== undefined) this.detail = info.detail;
  }
}

/** The execution budget (time or instructions) of a call ran out; the call was abandoned. */
export class ExecutionTimeout extends ExecutorFault {
  /** The budget that ran out, as given (e.g. `2 s`, `1000000 instructions`). */
  readonly budget: string;
  constructor(info: Omit<ExecutorFaultInfo, 'kind'>, budget: string) {
    super({ ...info, kind: 'timeout', detail: info.detail ?? `budget of ${budget} exhausted` });
    this.budget = budget;
  }
}
