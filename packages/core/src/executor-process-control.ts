import type { ExecutorAddr } from './executor-symbol-def.js';
import type { SymbolizedAddress } from './executor-fault.js';
import type { MemProt } from './memory-prot.js';

/** A write of bytes to executor memory. */
export interface ExecutorMemoryWrite {
  /** Where to write. */
  address: ExecutorAddr;
  /** What to write. */
  bytes: Uint8Array;
}

/** Reading and writing executor memory (ORC's `MemoryAccess`). */
export interface ExecutorMemoryAccess {
  /** Reads `size` bytes at `address`. */
  readBytes(address: ExecutorAddr, size: number): Promise<Uint8Array>;
  /** Performs the writes in order. */
  writeBytes(writes: readonly ExecutorMemoryWrite[]): Promise<void>;
}

/** A call of a wrapper function in the executor, made as part of finalizing or deallocating memory. */
export interface ExecutorWrapperCall {
  /** The wrapper function's address. */
  function: ExecutorAddr;
  /** Its serialized argument buffer. */
  argument: Uint8Array;
}

/** A finalize action and its optional deallocation counterpart (e.g. register / deregister eh-frames). */
export interface ExecutorAllocationAction {
  /** Run when the memory is finalized. */
  finalize: ExecutorWrapperCall;
  /** Run when the memory is deallocated. */
  deallocate?: ExecutorWrapperCall;
}

/** One segment of a finalize request: a range with its final protections and its initial content. */
export interface ExecutorSegment {
  /** Start address (page aligned). */
  address: ExecutorAddr;
  /** Size in bytes (a multiple of the page size). */
  size: bigint;
  /** Final protections. */
  prot: MemProt;
  /** Bytes to write at the start of the segment; the rest is zero-filled. */
  content: Uint8Array;
}

/** Finalizing an allocation: write its segments, apply protections, run its actions. */
export interface ExecutorFinalizeRequest {
  /** The segments. */
  segments: readonly ExecutorSegment[];
  /** Actions to run after the segments are in place. */
  actions: readonly ExecutorAllocationAction[];
}

/**
 * Reserving, finalizing and releasing executor memory (ORC's `MemoryMapper`, the executor side of a JITLink memory
 * manager). Reservations are contiguous so that PC-relative code within one stays in range.
 */
export interface ExecutorMemoryManager {
  /** The executor's page size. */
  readonly pageSize: number;
  /** Reserves `size` bytes (rounded up to pages); returns the reservation's base address. */
  reserve(size: bigint): Promise<ExecutorAddr>;
  /** Finalizes part of a reservation; returns a handle for deinitializing it later. */
  initialize(request: ExecutorFinalizeRequest): Promise<ExecutorAddr>;
  /** Runs the deallocation actions of finalized allocations (by handle) and makes their memory inaccessible. */
  deinitialize(handles: readonly ExecutorAddr[]): Promise<void>;
  /** Returns reservations (by base address) to the executor. */
  release(bases: readonly ExecutorAddr[]): Promise<void>;
}

/**
 * What an executor may ask of the session that owns it (ORC's EPC back-reference to its `ExecutionSession`): run
 * JIT-dispatch handlers for wrapper calls made by executor code, and name the symbol an address falls in.
 */
export interface ExecutorSessionLink {
  /** Runs the handler registered for `tagAddress` (see `ExecutionSession.runJITDispatchHandler`). */
  runJITDispatchHandler(tagAddress: ExecutorAddr, argument: Uint8Array): Promise<Uint8Array>;
  /** The symbol `address` falls in, if any registered symbolizer knows it. */
  symbolizeAddress(address: ExecutorAddr): SymbolizedAddress | undefined;
}

/**
 * The target process as the JIT sees it (ORC's `ExecutorProcessControl`): memory, calls, and the bootstrap symbols
 * the executor provides. Implementations: a memory-only executor for linking without running, and a Unicorn-backed
 * AArch64 executor (in `@orc-ts/target-aarch64`).
 */
export interface ExecutorProcessControl {
  /** The executor's target triple, e.g. `aarch64-unknown-linux-gnu`. */
  readonly targetTriple: string;
  /** The executor's page size. */
  readonly pageSize: number;
  /** Memory reads and writes. */
  readonly memoryAccess: ExecutorMemoryAccess;
  /** Memory reservation and finalization. */
  readonly memoryManager: ExecutorMemoryManager;
  /** Symbols the executor provides from the start (e.g. `__orc_rt_jit_dispatch`), defined in `<bootstrap>`. */
  getBootstrapSymbols(): ReadonlyMap<string, ExecutorAddr>;
  /** Calls `int main(int argc, char **argv)` at `mainAddress` with `args` (argv[0] included); returns its result. */
  runAsMain(mainAddress: ExecutorAddr, args: readonly string[]): Promise<number>;
  /** Calls `void fn(void)` at `address`. */
  runAsVoidFunction(address: ExecutorAddr): Promise<void>;
  /** Calls `int fn(int)` at `address`. */
  runAsIntFunction(address: ExecutorAddr, arg: number): Promise<number>;
  /** Calls the wrapper function at `address` with a serialized argument buffer; returns the serialized result. */
  callWrapper(address: ExecutorAddr, argument: Uint8Array): Promise<Uint8Array>;
  /**
   * Called once by the `ExecutionSession` created with this executor, so that executor code can reach the session
   * (JIT dispatch) and faults can be symbolized. Optional: executors that run no code need not implement it.
   */
  attachSession?(session: ExecutorSessionLink): void;
  /** Disconnects from the executor; nothing may be called afterwards. */
  disconnect(): Promise<void>;
}
