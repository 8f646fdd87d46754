/**
 * `UnicornEngine`: one AArch64 `uc_engine *` with a typed, checked API (bigint addresses, `Uint8Array` bytes,
 * every `uc_err` turned into a {@link UnicornError}).
 *
 * ## Unicorn 2.0.1 behaviour this class relies on or works around (each verified by `test/unicorn/`)
 * - **Hooks run synchronously** on the JS thread inside `uc_emu_start`; a hook may read and write registers and
 *   memory and call {@link UnicornEngine.stop}. The pattern for an *asynchronous* host call: in the hook, record
 *   the request and call `stop()`; `start()` returns `{ reason: 'stopped', pc }`; do the async work; write the
 *   result registers; resume with `start(pc, until)`.
 * - **Exceptions in hooks**: left to koffi, an exception escaping a callback makes koffi return 0 to C, skip
 *   every later JS callback of that native call, and rethrow when `uc_emu_start` returns — while emulation goes
 *   on without its hooks. So every callback here runs inside a guard that records the first exception, calls
 *   `uc_emu_stop` and returns a safe value; `start()` rethrows it unchanged.
 * - **`svc #imm`** raises `UC_HOOK_INTR` with `intno` 2 ({@link ARM64_EXCP_SWI}) and pc already *after* the `svc`;
 *   the immediate is reported nowhere (`ESR_EL1` reads 0), so it is decoded from the instruction at pc − 4
 *   ({@link InterruptEvent.svcImmediate}). Returning from the hook (or resuming at that pc) continues after it.
 * - **Undefined instructions** (`udf`, and `hvc`: no EL2 is emulated) never reach `UC_HOOK_INSN_INVALID`: they
 *   raise `UC_HOOK_INTR` with `intno` 1 ({@link ARM64_EXCP_UDEF}) and pc *at* the instruction, and a hook that
 *   returns without moving pc or stopping makes the CPU retry it forever; with no `UC_HOOK_INTR` at all
 *   `uc_emu_start` fails with `UC_ERR_EXCEPTION`. This class always installs its own interrupt hook and turns
 *   `intno` 1 into a {@link UnicornFault} of kind `invalid-instruction`, code `UC_ERR_INSN_INVALID`, exact pc
 *   (unless an {@link UnicornEngine.onInvalidInstruction} handler moves pc). `brk` reports `intno` 7 with pc at
 *   the `brk`; any interrupt no handler consumed ends the run with an `exception` fault.
 * - **Memory faults** (unmapped or protection-violating read, write, fetch) stop emulation with the matching
 *   `UC_ERR_*`; the invalid-memory hook supplies the address, size and value. For data accesses, the pc 2.0.1
 *   leaves is the *start of the translated block* holding the faulting instruction (the block's earlier
 *   instructions did take effect) unless a per-instruction hook covers it — as Unicorn's instruction counter
 *   (`count`, {@link StartOptions.precisePc}) does — and then it is exact. A fetch fault reports its target as pc.
 *   {@link UnicornFault.pcPrecise} tells which.
 * - **Budgets**: `count` runs exactly that many instructions (pc is then the next one to run); Unicorn implements
 *   it as a native code hook on every instruction (~3.5× slower emulation). `timeout` (µs) is a helper thread
 *   calling `uc_emu_stop`; `uc_query(UC_QUERY_TIMEOUT)` then reports 1. Neither is an error: `start()` returns
 *   `reason: 'count' | 'timeout'` with `budgetExhausted: true`.
 * - **Translations are cached and not kept coherent with `uc_*` calls**:
 *   - `uc_mem_write` does **not** invalidate translated code: rewritten code that already ran keeps executing its
 *     old translation until {@link UnicornEngine.removeCache}. (Rewrites can *look* effective because 2.0.1 drops
 *     the block holding the previous run's `until` after each run.) Guest stores into code are detected; only the
 *     block doing the store finishes with its old translation.
 *   - `uc_mem_unmap` + `uc_mem_map` + write at the same address runs the *old* code, and `uc_mem_protect` that
 *     removes execute permission does not stop translated code from running: {@link UnicornEngine.memUnmap} and
 *     {@link UnicornEngine.memProtect} therefore drop the range's translations.
 *   - `uc_ctl_remove_cache(begin, end)` only reaches the mapping that holds `begin`:
 *     {@link UnicornEngine.removeCache} issues one call per overlapped mapping.
 *   - Hooks are compiled into translations: a code/block hook, or the counter of a first `count` run, is not
 *     called from code translated before it existed. `start()` drops all translations in those cases.
 *   - `until` is compiled in too: a block translated while its address was not the run's `until` runs past a
 *     later run's `until` (a cached loop never ends). `start()` drops the blocks holding `until` when it differs
 *     from the previous run's ({@link StartOptions.flushUntilBlock}).
 *   - `UC_CTL_TB_FLUSH` (and the flush 2.0.1 does itself when a counted run is followed by an uncounted one)
 *     touches the engine's whole 1 GiB translation buffer: seconds the first time, 70 ms later, and 1 GiB
 *     resident afterwards. This class never triggers it: it drops translations per mapping (about 25 ms per GiB
 *     mapped) and keeps the counter on once a run used it.
 * @module
 */
import koffi from 'koffi';
import { loadUnicorn, type UcCallbackPointer, type UcHandle, type UnicornLibrary } from './unicorn-library.js';
import {
  ARM64_EXCP_SWI,
  ARM64_EXCP_UDEF,
  Arm64Reg,
  UC_ARCH_ARM64,
  UC_CTL_REMOVE_CACHE_WORD,
  UC_HOOK_BLOCK,
  UC_HOOK_CODE,
  UC_HOOK_INSN_INVALID,
  UC_HOOK_INTR,
  UC_HOOK_MEM_INVALID,
  UC_MEM_FETCH_PROT,
  UC_MEM_FETCH_UNMAPPED,
  UC_MEM_READ_PROT,
  UC_MEM_READ_UNMAPPED,
  UC_MEM_WRITE_PROT,
  UC_MEM_WRITE_UNMAPPED,
  UC_MODE_LITTLE_ENDIAN,
  UC_QUERY_TIMEOUT,
  UcErr,
  formatProt,
  isVectorReg,
  ucErrName,
} from './unicorn-constants.js';

const U64_MAX = (1n << 64n) - 1n;

function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

/** A failed `uc_*` call: the operation with its arguments, the `uc_err` code, its name and `uc_strerror` text. */
export class UnicornError extends Error {
  /** The `uc_err` code. */
  readonly code: number;
  /** The code's `UC_ERR_*` name. */
  readonly codeName: string;
  /** Unicorn's description of the code (`uc_strerror` without its trailing name) or the binding's own text. */
  readonly description: string;
  /** The C function, e.g. `uc_mem_map`. */
  readonly operation: string;
  /** The arguments as shown in the message, e.g. `0x1000, 0x2000, RWX`. */
  readonly args: string;

  constructor(operation: string, args: string, code: number, description: string, detail?: string) {
    const codeName = ucErrName(code);
    super(`${operation}(${args}): ${codeName} (${description})${detail ? ` ${detail}` : ''}`);
    this.name = 'UnicornError';
    this.code = code;
    this.codeName = codeName;
    this.description = description;
    this.operation = operation;
    this.args = args;
  }
}

/** What went wrong when emulation stopped with a fault. */
export type FaultKind =
  | 'read-unmapped'
  | 'write-unmapped'
  | 'fetch-unmapped'
  | 'read-protected'
  | 'write-protected'
  | 'fetch-protected'
  | 'invalid-instruction'
  | 'exception'
  | 'unaligned'
  | 'other';

/** Details of a {@link UnicornFault}. */
export interface FaultInfo {
  /** The kind of fault. */
  readonly kind: FaultKind;
  /** The pc when emulation stopped (see {@link UnicornFault.pcPrecise}). */
  readonly pc: bigint;
  /** Whether {@link FaultInfo.pc} is the faulting instruction itself rather than the start of its block. */
  readonly pcPrecise: boolean;
  /** For memory faults: the faulting data or fetch address. */
  readonly address?: bigint;
  /** For memory faults: the access size in bytes. */
  readonly size?: number;
  /** For faulting writes: the value being written. */
  readonly value?: bigint;
  /** For `exception` faults: the `UC_HOOK_INTR` number nobody handled. */
  readonly intno?: number;
}

/**
 * Emulation stopped on a fault: a memory access that is unmapped or forbidden by the mapping's protection, an
 * undefined instruction (code `UC_ERR_INSN_INVALID`), or a CPU exception nobody handled (`UC_ERR_EXCEPTION`).
 */
export class UnicornFault extends UnicornError implements FaultInfo {
  /** The kind of fault. */
  readonly kind: FaultKind;
  /** The pc when emulation stopped. */
  readonly pc: bigint;
  /**
   * True when {@link UnicornFault.pc} is the faulting instruction. False for data-access faults in a run without a
   * per-instruction hook: 2.0.1 then leaves pc at the start of the translated block that contains the faulting
   * instruction (pass `count` or `precisePc` to {@link UnicornEngine.start} for an exact pc).
   */
  readonly pcPrecise: boolean;
  /** The faulting address of a memory fault. */
  readonly address?: bigint;
  /** The access size of a memory fault. */
  readonly size?: number;
  /** The value a faulting write was storing. */
  readonly value?: bigint;
  /** The unhandled interrupt number of an `exception` fault. */
  readonly intno?: number;

  constructor(operation: string, args: string, code: number, description: string, info: FaultInfo) {
    let detail = `— ${info.kind}`;
    if (info.address !== undefined) {
      detail += ` at ${hex(info.address)}${info.size !== undefined ? ` (${info.size} bytes)` : ''}`;
    }
    if (info.intno !== undefined) detail += ` (intno ${info.intno})`;
    detail += `, pc ${hex(info.pc)}${info.pcPrecise ? '' : ' (start of the faulting block)'}`;
    super(operation, args, code, description, detail);
    this.name = 'UnicornFault';
    this.kind = info.kind;
    this.pc = info.pc;
    this.pcPrecise = info.pcPrecise;
    if (info.address !== undefined) this.address = info.address;
    if (info.size !== undefined) this.size = info.size;
    if (info.value !== undefined) this.value = info.value;
    if (info.intno !== undefined) this.intno = info.intno;
  }
}

/** Options of {@link UnicornEngine.start}. */
export interface StartOptions {
  /**
   * Stop after this many microseconds (0 or absent: no limit). Unicorn starts a timer thread for each such run,
   * which costs about 0.25 ms per `start()` (measured) — too much for every host-call resume; prefer `count`.
   */
  readonly timeoutMicros?: number | bigint;
  /**
   * Stop after exactly this many instructions (0 or absent: no limit). Makes fault pcs exact; installs Unicorn's
   * counter for this and every later run of the engine (see {@link UnicornEngine.start}).
   */
  readonly count?: number | bigint;
  /**
   * Make data-fault pcs exact by running with Unicorn's instruction counter on (an unlimited `count`), at the
   * counter's cost (about 3.5× slower emulation). Once a run of an engine used a count, later runs keep the
   * counter on (see {@link UnicornEngine.start}).
   */
  readonly precisePc?: boolean;
  /**
   * Drop translated blocks that contain `until` before running (default true), so that a block translated
   * while `until` was ordinary code cannot run past it (see the module notes).
   */
  readonly flushUntilBlock?: boolean;
}

/** Why a run ended without a fault. */
export type StopReason = 'until' | 'stopped' | 'count' | 'timeout';

/** The outcome of {@link UnicornEngine.start}. */
export interface RunResult {
  /**
   * `until`: pc reached `until`; `stopped`: {@link UnicornEngine.stop} (or `close()`) was called; `count` / `timeout`:
   * the instruction or time budget ran out first.
   */
  readonly reason: StopReason;
  /** The pc after the run: where a later `start()` resumes. */
  readonly pc: bigint;
  /** True when the run ended because a budget (`count` or `timeout`) was exhausted. */
  readonly budgetExhausted: boolean;
}

/**
 * Passed to {@link UnicornEngine.onInterrupt} handlers. `pc` is the pc when the interrupt was raised (handlers
 * may move the real pc); `svcImmediate` is decoded on first use.
 */
export interface InterruptEvent {
  /** The interrupt number (2 = `svc`, 7 = `brk`; see `ARM64_EXCP_*`). */
  readonly intno: number;
  /** The pc at the hook: after the instruction for `svc`, at it for `brk`. */
  readonly pc: bigint;
  /** For `svc #imm`: the 16-bit immediate, decoded from the instruction at pc − 4 (2.0.1 does not report it). */
  readonly svcImmediate: number | undefined;
}

class LazyInterruptEvent implements InterruptEvent {
  private immediateRead = false;
  private cachedImmediate: number | undefined;

  constructor(
    private readonly engine: UnicornEngine,
    readonly intno: number,
    readonly pc: bigint,
  ) {}

  get svcImmediate(): number | undefined {
    if (!this.immediateRead) {
      this.immediateRead = true;
      this.cachedImmediate = this.intno === ARM64_EXCP_SWI ? this.engine['svcImmediateBefore'](this.pc) : undefined;
    }
    return this.cachedImmediate;
  }
}

/** Passed to {@link UnicornEngine.onInvalidMemory} handlers. */
export interface InvalidMemoryAccess {
  /** The kind of access. */
  readonly kind: Exclude<FaultKind, 'invalid-instruction' | 'exception' | 'unaligned' | 'other'>;
  /** The `UC_MEM_*` access type. */
  readonly type: number;
  /** The faulting address. */
  readonly address: bigint;
  /** The access size in bytes. */
  readonly size: number;
  /** For writes: the value being stored, zero-extended from the access size (0 for reads and fetches). */
  readonly value: bigint;
}

/** Passed to {@link UnicornEngine.onInvalidInstruction} handlers. */
export interface InvalidInstructionEvent {
  /** The address of the undefined instruction. */
  readonly pc: bigint;
  /** The instruction word at pc, if that memory is readable. */
  readonly instruction: number | undefined;
}

/** The kinds of hook an engine can hold. */
export type HookKind = 'interrupt' | 'code' | 'block' | 'invalid-memory' | 'invalid-instruction';

/** A registered hook, to pass to {@link UnicornEngine.removeHook}. */
export interface UnicornHook {
  /** Process-unique hook id. */
  readonly id: number;
  /** What the hook observes. */
  readonly kind: HookKind;
}

type Listener<T> = { readonly id: number; readonly fn: T };

/** What a native callback's `user_data` id leads to. */
type CallbackTarget =
  | { readonly engine: UnicornEngine; readonly kind: 'engine-intr' | 'engine-mem' | 'engine-insn' }
  | { readonly engine: UnicornEngine; readonly kind: 'code'; readonly fn: (address: bigint, size: number) => void };

// One registered koffi callback per hook prototype and loaded library, shared by the library's open engines: a
// native hook carries a numeric id as `user_data` and the trampoline looks the target up here. Closing an engine
// deletes its ids, so a late call (there should be none) finds nothing and returns a harmless value; the koffi
// callbacks (4 per library, however many engines and hooks) are unregistered when the library's last engine
// closes.
const targets = new Map<number, CallbackTarget>();
let nextId = 1;

interface Trampolines {
  readonly intr: UcCallbackPointer;
  readonly code: UcCallbackPointer;
  readonly mem: UcCallbackPointer;
  readonly insn: UcCallbackPointer;
  /** Open engines using these trampolines. */
  users: number;
}
const trampolineCache = new Map<UnicornLibrary, Trampolines>();

function releaseTrampolines(library: UnicornLibrary): void {
  const t = trampolineCache.get(library);
  if (!t || --t.users > 0) return;
  trampolineCache.delete(library);
  for (const callback of [t.intr, t.code, t.mem, t.insn]) koffi.unregister(callback);
}

function toBigInt(value: number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

function trampolinesFor(library: UnicornLibrary): Trampolines {
  let t = trampolineCache.get(library);
  if (t) return t;
  const types = library.callbackTypes;
  t = {
    intr: koffi.register((_uc: unknown, intno: number, ud: number | bigint) => {
      const target = targets.get(Number(ud));
      if (!target) return;
      target.engine['guard'](() => target.engine['handleInterrupt'](intno >>> 0), undefined);
    }, types.intr),
    code: koffi.register((_uc: unknown, address: number | bigint, size: number, ud: number | bigint) => {
      const target = targets.get(Number(ud));
      if (!target || target.kind !== 'code') return;
      target.engine['guard'](() => target.fn(toBigInt(address), size >>> 0), undefined);
    }, types.code),
    mem: koffi.register(
      (
        _uc: unknown,
        type: number,
        address: number | bigint,
        size: number,
        value: number | bigint,
        ud: number | bigint,
      ) => {
        const target = targets.get(Number(ud));
        if (!target) return false;
        return target.engine['guard'](
          () => target.engine['handleInvalidMemory'](type, toBigInt(address), size, toBigInt(value)),
          false,
        );
      },
      types.memInvalid,
    ),
    insn: koffi.register((_uc: unknown, ud: number | bigint) => {
      const target = targets.get(Number(ud));
      if (!target) return false;
      return target.engine['guard'](() => target.engine['handleInsnInvalidHook'](), false);
    }, types.insnInvalid),
    users: 0,
  };
  trampolineCache.set(library, t);
  return t;
}

const MEM_KIND: Record<number, InvalidMemoryAccess['kind']> = {
  [UC_MEM_READ_UNMAPPED]: 'read-unmapped',
  [UC_MEM_WRITE_UNMAPPED]: 'write-unmapped',
  [UC_MEM_FETCH_UNMAPPED]: 'fetch-unmapped',
  [UC_MEM_READ_PROT]: 'read-protected',
  [UC_MEM_WRITE_PROT]: 'write-protected',
  [UC_MEM_FETCH_PROT]: 'fetch-protected',
};

const ERR_KIND: Record<number, FaultKind> = {
  [UcErr.UC_ERR_READ_UNMAPPED]: 'read-unmapped',
  [UcErr.UC_ERR_WRITE_UNMAPPED]: 'write-unmapped',
  [UcErr.UC_ERR_FETCH_UNMAPPED]: 'fetch-unmapped',
  [UcErr.UC_ERR_READ_PROT]: 'read-protected',
  [UcErr.UC_ERR_WRITE_PROT]: 'write-protected',
  [UcErr.UC_ERR_FETCH_PROT]: 'fetch-protected',
  [UcErr.UC_ERR_INSN_INVALID]: 'invalid-instruction',
  [UcErr.UC_ERR_EXCEPTION]: 'exception',
  [UcErr.UC_ERR_READ_UNALIGNED]: 'unaligned',
  [UcErr.UC_ERR_WRITE_UNALIGNED]: 'unaligned',
  [UcErr.UC_ERR_FETCH_UNALIGNED]: 'unaligned',
};

interface PendingFault {
  readonly code: number;
  readonly description: string;
  readonly kind: FaultKind;
  readonly pc: bigint;
  readonly intno?: number;
}

/** A mapped region as {@link UnicornEngine.memRegions} reports it. */
export interface MemRegion {
  /** First address. */
  readonly begin: bigint;
  /** Last address (inclusive). */
  readonly end: bigint;
  /** `UC_PROT_*` mask. */
  readonly perms: number;
}

/** `sizeof(uc_mem_region)`: two `uint64_t` and a `uint32_t`, padded to 8. */
const MEM_REGION_SIZE = 24;

/** Options of the {@link UnicornEngine} constructor. */
export interface UnicornEngineOptions {
  /** The library to use; defaults to {@link loadUnicorn}'s. */
  readonly library?: UnicornLibrary;
}

/**
 * One Unicorn AArch64 CPU with its memory. Create, map memory, write code, `start()`, and `close()` when done
 * (`close()` is idempotent and releases every hook, so nothing is called back afterwards). Not reentrant: hooks
 * may use every method except `start()`; `close()` from a hook takes effect when the run returns.
 */
export class UnicornEngine {
  /** The loaded library this engine uses. */
  readonly library: UnicornLibrary;
  private readonly native: UnicornLibrary['native'];
  private handle: UcHandle | null;
  private readonly scratch = new BigUint64Array(2);
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);
  private readonly hookOut = new BigUint64Array(1);
  private batchBlock: unknown = null;
  private batchView: BigUint64Array | null = null;
  private batchPointers: BigUint64Array | null = null;
  private batchIds: Int32Array | null = null;
  private batchCapacity = 0;

  private readonly ownIds: number[] = [];
  private readonly nativeHooks = new Map<number, bigint>();
  private readonly hookKinds = new Map<number, HookKind>();
  private interruptHandlers: Listener<(event: InterruptEvent) => void>[] = [];
  private memoryHandlers: Listener<(access: InvalidMemoryAccess) => boolean>[] = [];
  private instructionHandlers: Listener<(event: InvalidInstructionEvent) => boolean>[] = [];

  private running = false;
  private stopRequested = false;
  private closeRequested = false;
  private countActive = false;
  /** The `until` of the previous run; translations containing it are exits already (see start()). */
  private lastUntil: bigint | undefined;
  /** Whether Unicorn's instruction-count hook is installed (it is while runs pass a non-zero count). */
  private countHookInstalled = false;
  /** Set when translations made so far lack a newly added code/block hook; start() flushes. */
  private translationsLackHooks = false;
  private hookError: { error: unknown } | undefined;
  private pendingFault: PendingFault | undefined;
  private lastInvalidMemory: InvalidMemoryAccess | undefined;

  /**
   * Opens a little-endian AArch64 engine.
   * @throws UnicornUnavailable when libunicorn cannot be loaded; UnicornError when `uc_open` fails.
   */
  constructor(options: UnicornEngineOptions = {}) {
    this.library = options.library ?? loadUnicorn();
    this.native = this.library.native;
    const out: [UcHandle | null] = [null];
    const err = this.native.uc_open(UC_ARCH_ARM64, UC_MODE_LITTLE_ENDIAN, out);
    if (err !== UcErr.UC_ERR_OK || !out[0]) {
      throw new UnicornError('uc_open', 'UC_ARCH_ARM64, UC_MODE_LITTLE_ENDIAN', err, this.library.strerror(err));
    }
    this.handle = out[0];
    const t = trampolinesFor(this.library);
    t.users++;
    try {
      this.addInternalHook(UC_HOOK_INTR, t.intr, 'engine-intr');
      this.addInternalHook(UC_HOOK_MEM_INVALID, t.mem, 'engine-mem');
      // Never called for AArch64 by 2.0.1 (undefined instructions arrive as interrupt 1); kept for later versions.
      this.addInternalHook(UC_HOOK_INSN_INVALID, t.insn, 'engine-insn');
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Diagnostics: hook targets reachable from native callbacks (3 per open engine plus its code/block hooks), and
   * koffi callbacks registered (4 per library with open engines). Both are 0 once every engine is closed.
   */
  static liveCallbacks(): { readonly targets: number; readonly koffiCallbacks: number } {
    return { targets: targets.size, koffiCallbacks: trampolineCache.size * 4 };
  }

  /** True once {@link UnicornEngine.close} has released the engine. */
  get closed(): boolean {
    return this.handle === null;
  }

  /** True while {@link UnicornEngine.start} is emulating (i.e. when called from a hook). */
  get isRunning(): boolean {
    return this.running;
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  private h(operation: string, args: () => string): UcHandle {
    if (this.handle === null) {
      throw new UnicornError(operation, args(), UcErr.UC_ERR_HANDLE, 'the engine is closed');
    }
    return this.handle;
  }

  private check(err: number, operation: string, args: () => string): void {
    if (err !== UcErr.UC_ERR_OK) throw new UnicornError(operation, args(), err, this.library.strerror(err));
  }

  private addInternalHook(
    type: number,
    callback: UcCallbackPointer,
    kind: 'engine-intr' | 'engine-mem' | 'engine-insn',
  ): void {
    const id = nextId++;
    targets.set(id, { engine: this, kind });
    this.ownIds.push(id);
    const err = this.native.uc_hook_add(this.handle!, this.hookOut, type, callback, id, 1n, 0n);
    this.check(err, 'uc_hook_add', () => `${hex(type)}, 1, 0`);
  }

  /** Runs a hook body; an exception is recorded, emulation stopped, and `start()` rethrows it. */
  private guard<T>(body: () => T, onError: T): T {
    try {
      return body();
    } catch (error) {
      if (!this.hookError) this.hookError = { error };
      if (this.handle !== null) this.native.uc_emu_stop(this.handle);
      return onError;
    }
  }

  private faultStop(fault: PendingFault): void {
    if (!this.pendingFault) this.pendingFault = fault;
    if (this.handle !== null) this.native.uc_emu_stop(this.handle);
  }

  private readWord(address: bigint): number | undefined {
    if (this.handle === null || address < 0n) return undefined;
    const bytes = new Uint8Array(4);
    if (this.native.uc_mem_read(this.handle, address, bytes, 4) !== UcErr.UC_ERR_OK) return undefined;
    return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  }

  private handleInterrupt(intno: number): void {
    const pc = this.regRead(Arm64Reg.PC);
    if (intno === ARM64_EXCP_SWI && this.interruptHandlers.length > 0) {
      // The hot path of host calls: the immediate is read only if a handler asks for it.
      const event = new LazyInterruptEvent(this, intno, pc);
      for (const listener of [...this.interruptHandlers]) listener.fn(event);
      return;
    }
    if (intno === ARM64_EXCP_UDEF) {
      if (!this.offerInvalidInstruction(pc)) {
        this.faultStop({
          code: UcErr.UC_ERR_INSN_INVALID,
          description: this.library.strerror(UcErr.UC_ERR_INSN_INVALID),
          kind: 'invalid-instruction',
          pc,
        });
      }
      return;
    }
    const unhandled = (): void =>
      this.faultStop({
        code: UcErr.UC_ERR_EXCEPTION,
        description: this.library.strerror(UcErr.UC_ERR_EXCEPTION),
        kind: 'exception',
        pc,
        intno,
      });
    if (this.interruptHandlers.length === 0) {
      unhandled();
      return;
    }
    const event = new LazyInterruptEvent(this, intno, pc);
    for (const listener of [...this.interruptHandlers]) listener.fn(event);
    // Anything but svc leaves pc at the raising instruction: returning would retry it forever.
    if (!this.stopRequested && !this.closeRequested && this.regRead(Arm64Reg.PC) === pc) unhandled();
  }

  /** The `svc` immediate of the instruction before `pc`, if it is an `svc`. */
  private svcImmediateBefore(pc: bigint): number | undefined {
    const word = this.readWord(pc - 4n);
    // SVC: 1101 0100 000 imm16 000 01
    return word !== undefined && (word & 0xffe0001f) >>> 0 === 0xd4000001 ? (word >>> 5) & 0xffff : undefined;
  }

  private offerInvalidInstruction(pc: bigint): boolean {
    if (this.instructionHandlers.length === 0) return false;
    const event: InvalidInstructionEvent = { pc, instruction: this.readWord(pc) };
    for (const listener of [...this.instructionHandlers]) {
      if (listener.fn(event)) {
        if (this.handle === null) return true;
        // Handled only if the handler moved pc or stopped; otherwise the CPU would retry the instruction forever.
        if (this.stopRequested || this.closeRequested || this.regRead(Arm64Reg.PC) !== pc) return true;
      }
    }
    return false;
  }

  private handleInsnInvalidHook(): boolean {
    const pc = this.regRead(Arm64Reg.PC);
    return this.offerInvalidInstruction(pc);
  }

  private handleInvalidMemory(type: number, address: bigint, size: number, value: bigint): boolean {
    const kind = MEM_KIND[type];
    if (kind === undefined) return false;
    const bits = size >= 1 && size <= 8 ? size * 8 : 64;
    const access: InvalidMemoryAccess = { kind, type, address, size, value: BigInt.asUintN(bits, value) };
    for (const listener of [...this.memoryHandlers]) {
      if (listener.fn(access)) return true;
    }
    this.lastInvalidMemory = access;
    return false;
  }

  private ensureBatch(count: number): void {
    if (this.batchCapacity >= count) return;
    if (this.batchBlock !== null) koffi.free(this.batchBlock);
    const capacity = Math.max(count, 32);
    this.batchBlock = koffi.alloc('uint64_t', capacity);
    this.batchView = new BigUint64Array(koffi.view(this.batchBlock, capacity * 8));
    const base = koffi.address(this.batchBlock);
    this.batchPointers = BigUint64Array.from({ length: capacity }, (_, i) => base + BigInt(i * 8));
    this.batchIds = new Int32Array(capacity);
    this.batchCapacity = capacity;
  }

  private checkScalar(operation: string, reg: number): void {
    if (isVectorReg(reg) || reg === Arm64Reg.CP_REG) {
      throw new RangeError(
        `${operation}: register ${reg} is not a 64-bit register (use readQ/writeQ for q/v registers)`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------- memory

  /** Maps `[address, address + size)` with protection `prot` (`UC_PROT_*`); both must be 4 KiB aligned. */
  memMap(address: bigint, size: number | bigint, prot: number): void {
    const args = () => `${hex(address)}, ${hex(size)}, ${formatProt(prot)}`;
    this.check(this.native.uc_mem_map(this.h('uc_mem_map', args), address, toBigInt(size), prot), 'uc_mem_map', args);
  }

  /**
   * Unmaps `[address, address + size)` (4 KiB aligned; may cover parts of mappings). Translations of the range are
   * dropped first: 2.0.1 would otherwise run the old code again once memory is mapped there anew.
   */
  memUnmap(address: bigint, size: number | bigint): void {
    const args = () => `${hex(address)}, ${hex(size)}`;
    const handle = this.h('uc_mem_unmap', args);
    const length = toBigInt(size);
    if (length > 0n) this.removeCache(address, address + length);
    this.check(this.native.uc_mem_unmap(handle, address, length), 'uc_mem_unmap', args);
  }

  /**
   * Changes the protection of `[address, address + size)` (4 KiB aligned, fully mapped), then drops the range's
   * translations: 2.0.1 keeps running translated code from a page whose execute permission was removed.
   */
  memProtect(address: bigint, size: number | bigint, prot: number): void {
    const args = () => `${hex(address)}, ${hex(size)}, ${formatProt(prot)}`;
    const handle = this.h('uc_mem_protect', args);
    const length = toBigInt(size);
    this.check(this.native.uc_mem_protect(handle, address, length, prot), 'uc_mem_protect', args);
    if (length > 0n) this.removeCache(address, address + length);
  }

  /** The mapped regions (`uc_mem_regions`), sorted by address; `end` is inclusive. */
  memRegions(): MemRegion[] {
    const handle = this.h('uc_mem_regions', () => '');
    const out: [unknown] = [null];
    const count = new Uint32Array(1);
    this.check(this.native.uc_mem_regions(handle, out, count), 'uc_mem_regions', () => '');
    const pointer = out[0];
    if (pointer === null || pointer === undefined) return [];
    try {
      const n = count[0]!;
      if (n === 0) return [];
      const view = new DataView(koffi.view(pointer, n * MEM_REGION_SIZE));
      const regions: MemRegion[] = [];
      for (let i = 0; i < n; i++) {
        const base = i * MEM_REGION_SIZE;
        regions.push({
          begin: view.getBigUint64(base, true),
          end: view.getBigUint64(base + 8, true),
          perms: view.getUint32(base + 16, true),
        });
      }
      return regions.sort((a, b) => (a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : 0));
    } finally {
      this.native.uc_free(pointer);
    }
  }

  /**
   * Writes `bytes` at `address` (ignoring protections, as a debugger would). Does **not** invalidate translated
   * code: call {@link UnicornEngine.removeCache} for code that may already have run.
   */
  memWrite(address: bigint, bytes: Uint8Array): void {
    const args = () => `${hex(address)}, <${bytes.length} bytes>`;
    const handle = this.h('uc_mem_write', args);
    if (bytes.length === 0) return;
    this.check(this.native.uc_mem_write(handle, address, bytes, bytes.length), 'uc_mem_write', args);
  }

  /** Reads `size` bytes at `address` (ignoring protections). */
  memRead(address: bigint, size: number): Uint8Array {
    const target = new Uint8Array(size);
    this.memReadInto(address, target);
    return target;
  }

  /** Reads `target.length` bytes at `address` into `target`. */
  memReadInto(address: bigint, target: Uint8Array): void {
    const args = () => `${hex(address)}, ${hex(target.length)}`;
    const handle = this.h('uc_mem_read', args);
    if (target.length === 0) return;
    this.check(this.native.uc_mem_read(handle, address, target, target.length), 'uc_mem_read', args);
  }

  // ---------------------------------------------------------------------------------------------- registers

  /**
   * Reads a register of up to 64 bits (x, w, sp, pc, nzcv, d, s, h, b, system registers) as an unsigned value.
   * Narrow registers read zero-extended. Use {@link UnicornEngine.readQ} for `q`/`v` registers.
   */
  regRead(reg: number): bigint {
    this.checkScalar('uc_reg_read', reg);
    const args = () => `${reg}`;
    const handle = this.h('uc_reg_read', args);
    this.scratch[0] = 0n;
    this.scratch[1] = 0n;
    this.check(this.native.uc_reg_read(handle, reg, this.scratch), 'uc_reg_read', args);
    return this.scratch[0]!;
  }

  /** Writes a register of up to 64 bits; narrow registers take the low bits of `value`. */
  regWrite(reg: number, value: bigint): void {
    this.checkScalar('uc_reg_write', reg);
    const args = () => `${reg}, ${hex(BigInt.asUintN(64, value))}`;
    const handle = this.h('uc_reg_write', args);
    this.scratch[0] = BigInt.asUintN(64, value);
    this.scratch[1] = 0n;
    this.check(this.native.uc_reg_write(handle, reg, this.scratch), 'uc_reg_write', args);
  }

  /**
   * Reads several registers of up to 64 bits with one `uc_reg_read_batch` call (about 10× cheaper than separate
   * reads for the 31 general registers).
   */
  regReadBatch(regs: readonly number[]): bigint[] {
    const args = () => `[${regs.join(', ')}]`;
    const handle = this.h('uc_reg_read_batch', args);
    const n = regs.length;
    if (n === 0) return [];
    this.ensureBatch(n);
    const view = this.batchView!;
    const ids = this.batchIds!;
    for (let i = 0; i < n; i++) {
      const reg = regs[i]!;
      this.checkScalar('uc_reg_read_batch', reg);
      ids[i] = reg;
      view[i] = 0n;
    }
    this.check(this.native.uc_reg_read_batch(handle, ids, this.batchPointers!, n), 'uc_reg_read_batch', args);
    const values = new Array<bigint>(n);
    for (let i = 0; i < n; i++) values[i] = view[i]!;
    return values;
  }

  /** Writes several registers of up to 64 bits with one `uc_reg_write_batch` call. */
  regWriteBatch(regs: readonly number[], values: readonly bigint[]): void {
    const args = () => `[${regs.join(', ')}]`;
    const handle = this.h('uc_reg_write_batch', args);
    if (regs.length !== values.length) throw new RangeError('regWriteBatch: regs and values differ in length');
    const n = regs.length;
    if (n === 0) return;
    this.ensureBatch(n);
    const view = this.batchView!;
    const ids = this.batchIds!;
    for (let i = 0; i < n; i++) {
      const reg = regs[i]!;
      this.checkScalar('uc_reg_write_batch', reg);
      ids[i] = reg;
      view[i] = BigInt.asUintN(64, values[i]!);
    }
    this.check(this.native.uc_reg_write_batch(handle, ids, this.batchPointers!, n), 'uc_reg_write_batch', args);
  }

  /** Reads a 128-bit `q<n>`/`v<n>` register as 16 little-endian bytes (byte 0 = bits 0–7 of lane 0). */
  readQ(reg: number): Uint8Array {
    if (!isVectorReg(reg)) throw new RangeError(`readQ: register ${reg} is not a q/v register`);
    const args = () => `${reg}`;
    const handle = this.h('uc_reg_read', args);
    this.scratch.fill(0n);
    this.check(this.native.uc_reg_read(handle, reg, this.scratch), 'uc_reg_read', args);
    return this.scratchBytes.slice();
  }

  /** Writes a 128-bit `q<n>`/`v<n>` register from 16 little-endian bytes. */
  writeQ(reg: number, bytes: Uint8Array): void {
    if (!isVectorReg(reg)) throw new RangeError(`writeQ: register ${reg} is not a q/v register`);
    if (bytes.length !== 16) throw new RangeError(`writeQ: expected 16 bytes, got ${bytes.length}`);
    const args = () => `${reg}, <16 bytes>`;
    const handle = this.h('uc_reg_write', args);
    this.scratchBytes.set(bytes);
    this.check(this.native.uc_reg_write(handle, reg, this.scratch), 'uc_reg_write', args);
  }

  // ---------------------------------------------------------------------------------------------- running

  /**
   * Emulates from `begin` until pc reaches `until`, a hook calls {@link UnicornEngine.stop}, a budget runs out, or
   * a fault occurs. Returns how the run ended; throws a {@link UnicornFault} on faults, and rethrows (unchanged)
   * the first exception a hook threw (the run is stopped at that point).
   *
   * Cache upkeep done here: translations containing `until` are dropped first (see
   * {@link StartOptions.flushUntilBlock}); after a code/block hook was added, or when the instruction counter is
   * first needed, all translations are dropped (hooks are compiled into translations). Once a run used `count` or
   * `precisePc`, later runs of this engine keep Unicorn's counter on with an unlimited count — uncounted runs
   * would make 2.0.1 remove the counter and flush its whole translation cache (70 ms to seconds) — so they run
   * about 3.5× slower and always report exact fault pcs.
   */
  start(begin: bigint, until: bigint, options: StartOptions = {}): RunResult {
    const timeout = toBigInt(options.timeoutMicros ?? 0);
    const count = toBigInt(options.count ?? 0);
    const args = () =>
      `${hex(begin)}, ${hex(until)}, ${timeout}, ${count !== 0n ? count : options.precisePc ? 'unlimited' : 0}`;
    const handle = this.h('uc_emu_start', args);
    if (this.running) {
      throw new UnicornError('uc_emu_start', args(), UcErr.UC_ERR_ARG, 'start() called from a hook of the same engine');
    }
    if (timeout < 0n || count < 0n) throw new RangeError('start: negative budget');
    // Once Unicorn's counter hook is installed it stays: an uncounted run would make 2.0.1 remove it and flush
    // the whole translation cache, which costs 70 ms to seconds; an unlimited count costs only speed.
    const nativeCount =
      count !== 0n ? count : options.precisePc || this.countHookInstalled ? U64_MAX : 0n;
    // Hooks, including the counter, are compiled into translations: code translated before a hook existed never
    // calls it (verified with 2.0.1), so drop the translations of every mapping once.
    if (this.translationsLackHooks || (nativeCount !== 0n && !this.countHookInstalled)) {
      this.dropAllTranslations();
      this.translationsLackHooks = false;
    }
    this.countHookInstalled = nativeCount !== 0n;
    // A previous run with the same `until` already translated it as an exit, so the drop is only needed when
    // `until` changes (which also keeps the common resume-to-the-same-sentinel loop one native call cheaper).
    if (options.flushUntilBlock !== false && until !== this.lastUntil && until < U64_MAX) {
      const err = this.native.uc_ctl(handle, UC_CTL_REMOVE_CACHE_WORD, 'uint64_t', until, 'uint64_t', until + 1n);
      this.check(err, 'uc_ctl_remove_cache', () => `${hex(until)}, ${hex(until + 1n)}`);
    }
    this.stopRequested = false;
    this.hookError = undefined;
    this.pendingFault = undefined;
    this.lastInvalidMemory = undefined;
    this.countActive = nativeCount !== 0n;
    this.lastUntil = until;
    this.running = true;
    let err: number;
    try {
      err = this.native.uc_emu_start(handle, begin, until, timeout, nativeCount);
    } finally {
      this.running = false;
    }
    const { hookError, fault, memory, stopped } = this.takeRunState();

    const pc = this.regRead(Arm64Reg.PC);
    let timedOut = false;
    if (timeout !== 0n && err === UcErr.UC_ERR_OK) {
      this.scratch[0] = 0n;
      this.check(this.native.uc_query(handle, UC_QUERY_TIMEOUT, this.scratch), 'uc_query', () => 'UC_QUERY_TIMEOUT');
      timedOut = this.scratch[0] !== 0n;
    }
    if (this.closeRequested) this.close();
    if (hookError) throw hookError.error;
    if (fault) {
      throw new UnicornFault('uc_emu_start', args(), fault.code, fault.description, {
        kind: fault.kind,
        pc: fault.pc,
        pcPrecise: true,
        ...(fault.intno !== undefined ? { intno: fault.intno } : {}),
      });
    }
    if (err !== UcErr.UC_ERR_OK) throw this.faultFromError(err, args(), pc, memory);
    if (stopped || this.closed) return { reason: 'stopped', pc, budgetExhausted: false };
    if (timedOut) return { reason: 'timeout', pc, budgetExhausted: true };
    if (pc === until) return { reason: 'until', pc, budgetExhausted: false };
    if (count !== 0n) return { reason: 'count', pc, budgetExhausted: true };
    return { reason: 'stopped', pc, budgetExhausted: false };
  }

  /** Collects and clears what the hooks recorded during a run (a method, so TS does not narrow the fields). */
  private takeRunState(): {
    hookError: { error: unknown } | undefined;
    fault: PendingFault | undefined;
    memory: InvalidMemoryAccess | undefined;
    stopped: boolean;
  } {
    const state = {
      hookError: this.hookError,
      fault: this.pendingFault,
      memory: this.lastInvalidMemory,
      stopped: this.stopRequested,
    };
    this.hookError = undefined;
    this.pendingFault = undefined;
    this.lastInvalidMemory = undefined;
    this.stopRequested = false;
    return state;
  }

  private faultFromError(err: number, args: string, pc: bigint, memory: InvalidMemoryAccess | undefined): UnicornFault {
    const kind = ERR_KIND[err] ?? 'other';
    const isMemory = kind.endsWith('-unmapped') || kind.endsWith('-protected');
    const isFetch = kind.startsWith('fetch-');
    const info: FaultInfo = {
      kind,
      pc,
      pcPrecise: !isMemory || isFetch || this.countActive,
      ...(memory && memory.kind === kind
        ? { address: memory.address, size: memory.size, ...(kind.startsWith('write-') ? { value: memory.value } : {}) }
        : isFetch
          ? { address: pc }
          : {}),
    };
    return new UnicornFault('uc_emu_start', args, err, this.library.strerror(err), info);
  }

  /**
   * Stops the current run (from a hook, or any time during `start()`); `start()` then returns
   * `{ reason: 'stopped', pc }` with pc at the next instruction to execute. Does nothing when not running.
   */
  stop(): void {
    if (!this.running || this.handle === null) return;
    this.stopRequested = true;
    this.check(this.native.uc_emu_stop(this.handle), 'uc_emu_stop', () => '');
  }

  // ---------------------------------------------------------------------------------------------- hooks

  private listener<T>(kind: HookKind, list: Listener<T>[], fn: T): UnicornHook {
    this.h('uc_hook_add', () => kind);
    const id = nextId++;
    list.push({ id, fn });
    this.hookKinds.set(id, kind);
    return { id, kind };
  }

  /**
   * Calls `handler` for every CPU interrupt other than an undefined instruction: `svc` (with its immediate), `brk`,
   * and so on. For `svc` pc is already past the instruction, so returning continues the program; for the other
   * interrupts a handler must move pc or call `stop()`, or the run ends with an `exception` fault. Without any
   * handler every interrupt ends the run with an `exception` fault.
   */
  onInterrupt(handler: (event: InterruptEvent) => void): UnicornHook {
    return this.listener('interrupt', this.interruptHandlers, handler);
  }

  /**
   * Calls `handler` before each instruction whose address lies in `[begin, end]` (inclusive, as Unicorn's hook
   * ranges are; `begin > end` means everywhere). Each call crosses into JS, so keep ranges small.
   *
   * 2.0.1 only calls hooks from code translated after they were added, so the next `start()` drops all
   * translations (about 25 ms per GiB mapped); a hook added from inside a hook therefore sees already-translated
   * code from the next `start()` on.
   */
  onCode(begin: bigint, end: bigint, handler: (address: bigint, size: number) => void): UnicornHook {
    return this.nativeHook('code', UC_HOOK_CODE, begin, end, handler);
  }

  /**
   * Calls `handler` at the start of each translated block whose address lies in `[begin, end]` (inclusive); like
   * {@link UnicornEngine.onCode}, effective for already-translated code from the next `start()`.
   */
  onBlock(begin: bigint, end: bigint, handler: (address: bigint, size: number) => void): UnicornHook {
    return this.nativeHook('block', UC_HOOK_BLOCK, begin, end, handler);
  }

  private nativeHook(
    kind: 'code' | 'block',
    type: number,
    begin: bigint,
    end: bigint,
    fn: (address: bigint, size: number) => void,
  ): UnicornHook {
    const args = () => `${kind === 'code' ? 'UC_HOOK_CODE' : 'UC_HOOK_BLOCK'}, ${hex(begin)}, ${hex(end)}`;
    const handle = this.h('uc_hook_add', args);
    const id = nextId++;
    targets.set(id, { engine: this, kind: 'code', fn });
    const err = this.native.uc_hook_add(handle, this.hookOut, type, trampolinesFor(this.library).code, id, begin, end);
    if (err !== UcErr.UC_ERR_OK) {
      targets.delete(id);
      this.check(err, 'uc_hook_add', args);
    }
    this.nativeHooks.set(id, this.hookOut[0]!);
    this.ownIds.push(id);
    this.hookKinds.set(id, kind);
    this.translationsLackHooks = true;
    return { id, kind };
  }

  /**
   * Calls `handler` for each access to unmapped or protected memory. Returning true continues the access (the
   * handler must have mapped or re-protected the memory first); returning false from every handler stops the run
   * with a {@link UnicornFault} carrying the access.
   */
  onInvalidMemory(handler: (access: InvalidMemoryAccess) => boolean): UnicornHook {
    return this.listener('invalid-memory', this.memoryHandlers, handler);
  }

  /**
   * Calls `handler` for an undefined instruction. Returning true means handled: the handler must have moved pc
   * (e.g. past the instruction) or called `stop()`; otherwise, or when every handler returns false, the run ends
   * with an `invalid-instruction` fault (`UC_ERR_INSN_INVALID`).
   */
  onInvalidInstruction(handler: (event: InvalidInstructionEvent) => boolean): UnicornHook {
    return this.listener('invalid-instruction', this.instructionHandlers, handler);
  }

  /** Removes a hook of this engine (also from within a hook). Removing it again, or after `close()`, does nothing. */
  removeHook(hook: UnicornHook): void {
    if (!this.hookKinds.delete(hook.id)) return;
    const native = this.nativeHooks.get(hook.id);
    if (native !== undefined) {
      this.nativeHooks.delete(hook.id);
      targets.delete(hook.id);
      const index = this.ownIds.indexOf(hook.id);
      if (index >= 0) this.ownIds.splice(index, 1);
      if (this.handle !== null) {
        this.check(this.native.uc_hook_del(this.handle, native), 'uc_hook_del', () => `${native}`);
      }
      return;
    }
    this.interruptHandlers = this.interruptHandlers.filter((l) => l.id !== hook.id);
    this.memoryHandlers = this.memoryHandlers.filter((l) => l.id !== hook.id);
    this.instructionHandlers = this.instructionHandlers.filter((l) => l.id !== hook.id);
  }

  // ---------------------------------------------------------------------------------------------- cache

  /**
   * Drops the translated blocks overlapping `[begin, end)` (`uc_ctl_remove_cache`), so the next execution of that
   * code translates what memory holds now. Needed after rewriting code that may have run: neither
   * {@link UnicornEngine.memWrite} nor `uc_mem_write` invalidates translations in 2.0.1.
   */
  removeCache(begin: bigint, end: bigint): void {
    const args = () => `${hex(begin)}, ${hex(end)}`;
    const handle = this.h('uc_ctl_remove_cache', args);
    if (end <= begin) {
      throw new UnicornError('uc_ctl_remove_cache', args(), UcErr.UC_ERR_ARG, this.library.strerror(UcErr.UC_ERR_ARG));
    }
    // 2.0.1 turns `begin` into an offset in its RAM blocks and invalidates `end - begin` bytes from there, so
    // one call only reaches the mapping that holds `begin` (verified): issue one call per overlapped mapping.
    for (const region of this.memRegions()) {
      const from = region.begin > begin ? region.begin : begin;
      const to = region.end + 1n < end ? region.end + 1n : end;
      if (from >= to) continue;
      this.check(
        this.native.uc_ctl(handle, UC_CTL_REMOVE_CACHE_WORD, 'uint64_t', from, 'uint64_t', to),
        'uc_ctl_remove_cache',
        () => `${hex(from)}, ${hex(to)}`,
      );
    }
  }

  /**
   * Drops the translations of all mapped memory: {@link UnicornEngine.removeCache} over every mapping (about
   * 25 ms per GiB mapped). Deliberately not `UC_CTL_TB_FLUSH`: in 2.0.1 that touches the engine's whole 1 GiB
   * translation buffer, taking seconds the first time and leaving 1 GiB resident (measured).
   */
  flushCache(): void {
    this.h('uc_ctl_remove_cache', () => '<all mappings>');
    this.dropAllTranslations();
  }

  /** Drops the translations of every mapping, one `uc_ctl_remove_cache` per region (much cheaper than a flush). */
  private dropAllTranslations(): void {
    const handle = this.handle!;
    for (const region of this.memRegions()) {
      const end = region.end + 1n;
      this.check(
        this.native.uc_ctl(handle, UC_CTL_REMOVE_CACHE_WORD, 'uint64_t', region.begin, 'uint64_t', end),
        'uc_ctl_remove_cache',
        () => `${hex(region.begin)}, ${hex(end)}`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------- closing

  /**
   * Releases the engine: forgets every hook (so no callback reaches JS afterwards), frees native scratch memory
   * and calls `uc_close`. Idempotent. Called from a hook, it stops the run and closes when `start()` returns.
   */
  close(): void {
    if (this.handle === null) return;
    if (this.running) {
      this.closeRequested = true;
      this.native.uc_emu_stop(this.handle);
      return;
    }
    for (const id of this.ownIds) targets.delete(id);
    this.ownIds.length = 0;
    this.nativeHooks.clear();
    this.hookKinds.clear();
    this.interruptHandlers = [];
    this.memoryHandlers = [];
    this.instructionHandlers = [];
    if (this.batchBlock !== null) {
      koffi.free(this.batchBlock);
      this.batchBlock = null;
      this.batchView = null;
      this.batchPointers = null;
      this.batchIds = null;
      this.batchCapacity = 0;
    }
    const handle = this.handle;
    this.handle = null;
    this.closeRequested = false;
    const err = this.native.uc_close(handle);
    releaseTrampolines(this.library);
    this.check(err, 'uc_close', () => '');
  }
}
