/**
 * Locating and loading `libunicorn.so.2` (Debian's `libunicorn2`, version 2.0.1) through koffi, and the typed
 * declarations of the C functions the binding uses.
 *
 * Notes on the koffi declarations:
 * - Handles are plain `void *` (koffi `External` objects on the JS side); no named koffi types are declared, so
 *   loading the module twice in one process (as test runners do) cannot collide on type names.
 * - `uc_hook_add(uc, hh, type, callback, user_data, begin, end, ...)` is variadic, but `begin`/`end` are fixed
 *   `uint64_t` parameters before the ellipsis, so they are declared as such and koffi passes them in registers
 *   like any other argument; the binding never passes variadic extras (those exist for `UC_HOOK_INSN` and
 *   `UC_HOOK_TCG_OPCODE` only). `user_data` is declared `uintptr_t`, which is ABI-identical to `void *` on
 *   every 64-bit target, so a small integer id can travel through it.
 * - `uc_ctl(uc, control, ...)` is variadic; koffi's variadic calls take (type, value) pairs, so
 *   `uc_ctl_remove_cache(uc, begin, end)` is `uc_ctl(uc, 0x48000009, 'uint64_t', begin, 'uint64_t', end)`.
 * - A typed array (or a subarray of one) passed for a `void *` parameter reaches C as a pointer to its bytes,
 *   and what C writes there is in the array afterwards; the memory and register functions rely on that. Batch
 *   register calls need real native addresses (`void **`), so they use a `koffi.alloc` block instead.
 * @module
 */
import koffi from 'koffi';
import { UC_ARCH_ARM64 } from './unicorn-constants.js';

/** An opaque `uc_engine *` as koffi returns it. */
export type UcHandle = object;

/** A koffi registered callback (the value `koffi.register` returns). */
export type UcCallbackPointer = ReturnType<typeof koffi.register>;

/** The C functions of libunicorn the binding uses, as koffi exposes them (return values are `uc_err` codes). */
export interface UnicornNative {
  /** `unsigned int uc_version(unsigned int *major, unsigned int *minor)`. */
  uc_version(major: Uint32Array | null, minor: Uint32Array | null): number;
  /** `bool uc_arch_supported(uc_arch arch)`. */
  uc_arch_supported(arch: number): boolean;
  /** `uc_err uc_open(uc_arch arch, uc_mode mode, uc_engine **uc)`; the handle is stored into `out[0]`. */
  uc_open(arch: number, mode: number, out: [UcHandle | null]): number;
  /** `uc_err uc_close(uc_engine *uc)`. */
  uc_close(uc: UcHandle): number;
  /** `uc_err uc_errno(uc_engine *uc)`. */
  uc_errno(uc: UcHandle): number;
  /** `const char *uc_strerror(uc_err code)`. */
  uc_strerror(code: number): string;
  /** `uc_err uc_query(uc_engine *uc, uc_query_type type, size_t *result)`. */
  uc_query(uc: UcHandle, type: number, result: BigUint64Array): number;
  /** `uc_err uc_mem_map(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)`. */
  uc_mem_map(uc: UcHandle, address: bigint, size: bigint, perms: number): number;
  /** `uc_err uc_mem_unmap(uc_engine *uc, uint64_t address, size_t size)`. */
  uc_mem_unmap(uc: UcHandle, address: bigint, size: bigint): number;
  /** `uc_err uc_mem_protect(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)`. */
  uc_mem_protect(uc: UcHandle, address: bigint, size: bigint, perms: number): number;
  /**
   * `uc_err uc_mem_regions(uc_engine *uc, uc_mem_region **regions, uint32_t *count)`: stores a `malloc`ed array
   * of `{ uint64_t begin, end; uint32_t perms; }` (24 bytes each, `end` inclusive) into `regions[0]`, to be released
   * with `uc_free`.
   */
  uc_mem_regions(uc: UcHandle, regions: [unknown], count: Uint32Array): number;
  /** `uc_err uc_free(void *mem)`. */
  uc_free(mem: unknown): number;
  /** `uc_err uc_mem_read(uc_engine *uc, uint64_t address, void *bytes, size_t size)`. */
  uc_mem_read(uc: UcHandle, address: bigint, bytes: Uint8Array, size: number): number;
  /** `uc_err uc_mem_write(uc_engine *uc, uint64_t address, const void *bytes, size_t size)`. */
  uc_mem_write(uc: UcHandle, address: bigint, bytes: Uint8Array, size: number): number;
  /** `uc_err uc_reg_read(uc_engine *uc, int regid, void *value)`. */
  uc_reg_read(uc: UcHandle, regid: number, value: ArrayBufferView): number;
  /** `uc_err uc_reg_write(uc_engine *uc, int regid, const void *value)`. */
  uc_reg_write(uc: UcHandle, regid: number, value: ArrayBufferView): number;
  /** `uc_err uc_reg_read_batch(uc_engine *uc, int *regs, void **vals, int count)`; `vals` holds native addresses. */
  uc_reg_read_batch(uc: UcHandle, regs: Int32Array, vals: BigUint64Array, count: number): number;
  /** `uc_err uc_reg_write_batch(uc_engine *uc, int *regs, void *const *vals, int count)`. */
  uc_reg_write_batch(uc: UcHandle, regs: Int32Array, vals: BigUint64Array, count: number): number;
  /** `uc_err uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)`. */
  uc_emu_start(uc: UcHandle, begin: bigint, until: bigint, timeout: bigint, count: bigint): number;
  /** `uc_err uc_emu_stop(uc_engine *uc)`. */
  uc_emu_stop(uc: UcHandle): number;
  /**
   * `uc_err uc_hook_add(uc_engine *uc, uc_hook *hh, int type, void *callback, void *user_data, uint64_t begin,
   * uint64_t end, ...)`; the new hook's handle is stored into `hh[0]`.
   */
  uc_hook_add(
    uc: UcHandle,
    hh: BigUint64Array,
    type: number,
    callback: UcCallbackPointer,
    userData: number,
    begin: bigint,
    end: bigint,
  ): number;
  /** `uc_err uc_hook_del(uc_engine *uc, uc_hook hh)`. */
  uc_hook_del(uc: UcHandle, hh: bigint): number;
  /** `uc_err uc_ctl(uc_engine *uc, uc_control_type control, ...)`; extras are koffi (type, value) pairs. */
  uc_ctl(uc: UcHandle, control: number, ...variadic: unknown[]): number;
}

/** The koffi callback prototypes of the hook kinds the binding registers (all take a `uintptr_t` user datum). */
export interface UnicornCallbackTypes {
  /** `void (*)(uc_engine *uc, uint32_t intno, void *user_data)`. */
  readonly intr: ReturnType<typeof koffi.pointer>;
  /** `void (*)(uc_engine *uc, uint64_t address, uint32_t size, void *user_data)` (code and block hooks). */
  readonly code: ReturnType<typeof koffi.pointer>;
  /** `bool (*)(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user_data)`. */
  readonly memInvalid: ReturnType<typeof koffi.pointer>;
  /** `bool (*)(uc_engine *uc, void *user_data)`. */
  readonly insnInvalid: ReturnType<typeof koffi.pointer>;
}

/** Version of the loaded library as `uc_version` reports it (2.0.1 returns `0x020001ff`). */
export interface UnicornVersion {
  /** Major version (2). */
  readonly major: number;
  /** Minor version. */
  readonly minor: number;
  /** Patch level. */
  readonly patch: number;
  /** The raw return value of `uc_version`: `major << 24 | minor << 16 | patch << 8 | extra`. */
  readonly raw: number;
}

/** A loaded libunicorn: where it came from, its version, and its functions. */
export interface UnicornLibrary {
  /** The name or path `koffi.load` succeeded with. */
  readonly path: string;
  /** The library's version. */
  readonly version: UnicornVersion;
  /** The declared C functions. */
  readonly native: UnicornNative;
  /** Callback prototypes for `koffi.register`. */
  readonly callbackTypes: UnicornCallbackTypes;
  /** `uc_strerror(code)` without the trailing ` (UC_ERR_...)` that 2.0.1 appends to every text. */
  strerror(code: number): string;
}

/** Thrown when libunicorn cannot be loaded or is not a usable Unicorn 2 with AArch64 support. */
export class UnicornUnavailable extends Error {
  /** The library names and paths that were tried, in order, each with the reason it failed. */
  readonly attempts: readonly { readonly candidate: string; readonly reason: string }[];

  constructor(attempts: readonly { readonly candidate: string; readonly reason: string }[], detail?: string) {
    const tried = attempts.map((a) => `  ${a.candidate}: ${a.reason}`).join('\n');
    super(
      `${detail ?? 'Unicorn 2 (libunicorn.so.2) could not be loaded'}; tried:\n${tried}\n` +
        `Install it with 'apt-get install libunicorn2' (Debian/Ubuntu), or run 'bash tools/setup'.`,
    );
    this.name = 'UnicornUnavailable';
    this.attempts = attempts;
  }
}

/** The soname the binding loads first. */
export const UNICORN_SONAME = 'libunicorn.so.2';

const MULTIARCH: Record<string, string> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  ia32: 'i386-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  riscv64: 'riscv64-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
};

/**
 * The candidates {@link loadUnicorn} tries, in order: the soname (found through the dynamic loader's cache and
 * `LD_LIBRARY_PATH`), then `/usr/lib/<multiarch>/libunicorn.so.2` and `/lib/<multiarch>/libunicorn.so.2` for this
 * process's architecture.
 */
export function unicornCandidates(arch: string = process.arch): string[] {
  const triplet = MULTIARCH[arch];
  const candidates = [UNICORN_SONAME];
  if (triplet) candidates.push(`/usr/lib/${triplet}/${UNICORN_SONAME}`, `/lib/${triplet}/${UNICORN_SONAME}`);
  return candidates;
}

function declare(lib: koffi.IKoffiLib): UnicornNative {
  const f = (proto: string) => lib.func(proto);
  return {
    uc_version: f('unsigned int uc_version(void *major, void *minor)'),
    uc_arch_supported: f('bool uc_arch_supported(int arch)'),
    uc_open: f('int uc_open(int arch, int mode, _Out_ void **uc)'),
    uc_close: f('int uc_close(void *uc)'),
    uc_errno: f('int uc_errno(void *uc)'),
    uc_strerror: f('const char *uc_strerror(int code)'),
    uc_query: f('int uc_query(void *uc, int type, void *result)'),
    uc_mem_map: f('int uc_mem_map(void *uc, uint64_t address, size_t size, uint32_t perms)'),
    uc_mem_unmap: f('int uc_mem_unmap(void *uc, uint64_t address, size_t size)'),
    uc_mem_protect: f('int uc_mem_protect(void *uc, uint64_t address, size_t size, uint32_t perms)'),
    uc_mem_regions: f('int uc_mem_regions(void *uc, _Out_ void **regions, void *count)'),
    uc_free: f('int uc_free(void *mem)'),
    uc_mem_read: f('int uc_mem_read(void *uc, uint64_t address, void *bytes, size_t size)'),
    uc_mem_write: f('int uc_mem_write(void *uc, uint64_t address, void *bytes, size_t size)'),
    uc_reg_read: f('int uc_reg_read(void *uc, int regid, void *value)'),
    uc_reg_write: f('int uc_reg_write(void *uc, int regid, void *value)'),
    uc_reg_read_batch: f('int uc_reg_read_batch(void *uc, void *regs, void *vals, int count)'),
    uc_reg_write_batch: f('int uc_reg_write_batch(void *uc, void *regs, void *vals, int count)'),
    uc_emu_start: f('int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    uc_emu_stop: f('int uc_emu_stop(void *uc)'),
    uc_hook_add: f(
      'int uc_hook_add(void *uc, void *hh, int type, void *callback, uintptr_t user_data, ' +
        'uint64_t begin, uint64_t end, ...)',
    ),
    uc_hook_del: f('int uc_hook_del(void *uc, size_t hh)'),
    uc_ctl: f('int uc_ctl(void *uc, uint32_t control, ...)'),
  } as UnicornNative;
}

function declareCallbackTypes(): UnicornCallbackTypes {
  return {
    intr: koffi.pointer(koffi.proto('void', ['void *', 'uint32_t', 'uintptr_t'])),
    code: koffi.pointer(koffi.proto('void', ['void *', 'uint64_t', 'uint32_t', 'uintptr_t'])),
    memInvalid: koffi.pointer(koffi.proto('bool', ['void *', 'int', 'uint64_t', 'int', 'int64_t', 'uintptr_t'])),
    insnInvalid: koffi.pointer(koffi.proto('bool', ['void *', 'uintptr_t'])),
  };
}

let loaded: UnicornLibrary | undefined;

/**
 * Loads libunicorn once per process (later calls return the same object). Tries {@link unicornCandidates} in
 * order, or the given `candidates`; checks that the library is Unicorn 2 and supports AArch64.
 * @throws UnicornUnavailable naming every candidate tried and why it failed, with the install command.
 */
export function loadUnicorn(candidates?: readonly string[]): UnicornLibrary {
  if (loaded && !candidates) return loaded;
  const attempts: { candidate: string; reason: string }[] = [];
  for (const candidate of candidates ?? unicornCandidates()) {
    let lib: koffi.IKoffiLib;
    try {
      lib = koffi.load(candidate);
    } catch (e) {
      attempts.push({ candidate, reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    let native: UnicornNative;
    try {
      native = declare(lib);
    } catch (e) {
      attempts.push({ candidate, reason: `missing functions: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const raw = native.uc_version(null, null) >>> 0;
    const version: UnicornVersion = { major: raw >>> 24, minor: (raw >>> 16) & 0xff, patch: (raw >>> 8) & 0xff, raw };
    if (version.major !== 2) {
      attempts.push({ candidate, reason: `version 0x${raw.toString(16)} is not Unicorn 2` });
      continue;
    }
    if (!native.uc_arch_supported(UC_ARCH_ARM64)) {
      attempts.push({ candidate, reason: 'built without AArch64 support' });
      continue;
    }
    const library: UnicornLibrary = {
      path: candidate,
      version,
      native,
      callbackTypes: declareCallbackTypes(),
      strerror(code: number): string {
        return native.uc_strerror(code).replace(/\s*\(UC_ERR_[A-Z_]+\)\s*$/, '');
      },
    };
    if (!candidates) loaded = library;
    return library;
  }
  throw new UnicornUnavailable(attempts);
}
