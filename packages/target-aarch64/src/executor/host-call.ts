import type { ExecutorAddr, ExecutorFault, ExecutorFaultKind } from '@orc-ts/core';

/**
 * Reads the arguments of a host call in AAPCS64 order (Linux variant, also for variadic arguments): integer and
 * pointer arguments from x0–x7, floating-point ones from v0–v7, each class falling back to 8-byte stack slots
 * (starting at the caller's `sp`) once its registers are used up.
 */
export interface ArgumentCursor {
  /** The next integer or pointer argument (64 bits, unsigned; narrow it yourself). */
  nextInt(): bigint;
  /** The next `double` argument. */
  nextDouble(): number;
  /** The next `float` argument (a fixed-argument float; variadic floats arrive promoted to double). */
  nextFloat(): number;
}

/** Synchronous access to executor memory from inside a host call. */
export interface HostMemory {
  /** Reads `size` bytes; throws an `ExecutorFault` (`read-unmapped`) if any byte is unmapped. */
  read(address: ExecutorAddr, size: number): Uint8Array;
  /** Writes bytes, ignoring page protections (the host is privileged); throws if unmapped. */
  write(address: ExecutorAddr, bytes: Uint8Array): void;
  /** Reads a NUL-terminated byte string (without the NUL); `limit` caps its length (default 1 MiB). */
  readCString(address: ExecutorAddr, limit?: number): Uint8Array;
  /** Little-endian 64-bit load. */
  readU64(address: ExecutorAddr): bigint;
  /** Little-endian 64-bit store. */
  writeU64(address: ExecutorAddr, value: bigint): void;
}

/** What a host function sees of the call that reached it. */
export interface HostCallContext {
  /** The host function's name (as registered). */
  readonly name: string;
  /** Address of the gate that was called. */
  readonly gate: ExecutorAddr;
  /** The caller's return address (x30): where execution continues after the call. */
  readonly returnAddress: ExecutorAddr;
  /** A fresh cursor over this call's arguments (call again to start over). */
  arguments(): ArgumentCursor;
  /** Raw register access for unusual conventions: x0–x30 by number. */
  x(index: number): bigint;
  /** d0–d31 by number. */
  d(index: number): number;
  /** Executor memory. */
  readonly memory: HostMemory;
  /**
   * Builds (does not throw) an `ExecutorFault` located at the call site (pc = return address − 4, with its symbol),
   * e.g. `throw context.fault('heap', 'double free', pointer)`.
   */
  fault(kind: ExecutorFaultKind, detail: string, address?: ExecutorAddr): ExecutorFault;
}

/**
 * What a host function returns: nothing (`void` functions), an integer / pointer for x0 (a `bigint`; negative
 * values are stored two's-complement), or `{ double }` for d0.
 */
export type HostCallResult = void | bigint | { readonly double: number };

/**
 * A function of the host that JIT'd code calls through a gate. Returning a promise makes the call asynchronous: the
 * executor stops emulation, awaits it (other executor calls may run meanwhile), writes the result and resumes the
 * caller. Throwing (or rejecting) abandons the whole executor call with that error (e.g. `ProgramExit`, or an
 * `ExecutorFault` that the executor completes with the caller's pc and symbol).
 */
export type HostFunction = (context: HostCallContext) => HostCallResult | Promise<HostCallResult>;

/** Registers host functions with an executor, each reachable at a gate address in executor memory. */
export interface HostFunctionRegistry {
  /**
   * Returns the gate address for `name`, creating the gate on first use. Defining a name twice is an error unless
   * it is the same function.
   */
  defineHostFunction(name: string, fn: HostFunction): ExecutorAddr;
  /** The gate address of an already defined host function. */
  getHostFunctionAddress(name: string): ExecutorAddr | undefined;
}
