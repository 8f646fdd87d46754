/**
 * Constants of the Unicorn 2.0.1 C API (`unicorn.h`, `arm64.h`) as used by the AArch64 binding.
 *
 * Every number here was taken from the 2.0.1 headers (Debian's `libunicorn-dev` 2.0.1.post1, compiled and printed)
 * and the register numbering is cross-checked at run time by `test/unicorn/unicorn-registers.test.ts`, which moves
 * values between each register id and instructions that use the register. The ARM64 register enum was renumbered
 * between Unicorn releases (1.x and 2.1 differ from 2.0.1), so never copy ids from another version.
 * @module
 */

/** `UC_ARCH_ARM64`: the architecture argument of `uc_open` for AArch64. */
export const UC_ARCH_ARM64 = 2;
/** `UC_MODE_LITTLE_ENDIAN` (the default byte order). */
export const UC_MODE_LITTLE_ENDIAN = 0;
/** `UC_MODE_ARM` (0; for ARM64 only the endianness bit of the mode matters). */
export const UC_MODE_ARM = 0;

/** `UC_SECOND_SCALE`: `uc_emu_start`'s timeout unit is the microsecond. */
export const UC_SECOND_SCALE = 1_000_000;

/** Memory protections (`uc_prot`). */
export const UC_PROT_NONE = 0;
/** Readable. */
export const UC_PROT_READ = 1;
/** Writable. */
export const UC_PROT_WRITE = 2;
/** Executable. */
export const UC_PROT_EXEC = 4;
/** Readable, writable and executable. */
export const UC_PROT_ALL = 7;

/** Formats a protection mask the way error messages show it: `RWX`, `RX`, `R`, ..., or `NONE`. */
export function formatProt(prot: number): string {
  if ((prot & ~UC_PROT_ALL) !== 0) return `0x${prot.toString(16)}`;
  const text = `${prot & UC_PROT_READ ? 'R' : ''}${prot & UC_PROT_WRITE ? 'W' : ''}${prot & UC_PROT_EXEC ? 'X' : ''}`;
  return text === '' ? 'NONE' : text;
}

/** Hook types (`uc_hook_type`), bit flags for `uc_hook_add`. */
export const UC_HOOK_INTR = 1 << 0;
/** `UC_HOOK_INSN`: specific instructions (x86 in/out/syscall, ARM64 mrs/msr/sys). */
export const UC_HOOK_INSN = 1 << 1;
/** `UC_HOOK_CODE`: every instruction in the hook's range. */
export const UC_HOOK_CODE = 1 << 2;
/** `UC_HOOK_BLOCK`: every translated basic block starting in the hook's range. */
export const UC_HOOK_BLOCK = 1 << 3;
/** `UC_HOOK_MEM_READ_UNMAPPED`. */
export const UC_HOOK_MEM_READ_UNMAPPED = 1 << 4;
/** `UC_HOOK_MEM_WRITE_UNMAPPED`. */
export const UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5;
/** `UC_HOOK_MEM_FETCH_UNMAPPED`. */
export const UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
/** `UC_HOOK_MEM_READ_PROT`. */
export const UC_HOOK_MEM_READ_PROT = 1 << 7;
/** `UC_HOOK_MEM_WRITE_PROT`. */
export const UC_HOOK_MEM_WRITE_PROT = 1 << 8;
/** `UC_HOOK_MEM_FETCH_PROT`. */
export const UC_HOOK_MEM_FETCH_PROT = 1 << 9;
/** `UC_HOOK_MEM_READ`: successful reads. */
export const UC_HOOK_MEM_READ = 1 << 10;
/** `UC_HOOK_MEM_WRITE`: successful writes. */
export const UC_HOOK_MEM_WRITE = 1 << 11;
/** `UC_HOOK_MEM_FETCH`: successful fetches. */
export const UC_HOOK_MEM_FETCH = 1 << 12;
/** `UC_HOOK_MEM_READ_AFTER`: successful reads, after the value is known. */
export const UC_HOOK_MEM_READ_AFTER = 1 << 13;
/**
 * `UC_HOOK_INSN_INVALID`. Note: in 2.0.1 an undefined AArch64 instruction does not reach this hook; it raises
 * exception {@link ARM64_EXCP_UDEF} through `UC_HOOK_INTR` instead (see `UnicornEngine`).
 */
export const UC_HOOK_INSN_INVALID = 1 << 14;
/** `UC_HOOK_EDGE_GENERATED`. */
export const UC_HOOK_EDGE_GENERATED = 1 << 15;
/** `UC_HOOK_TCG_OPCODE`. */
export const UC_HOOK_TCG_OPCODE = 1 << 16;
/** `UC_HOOK_MEM_UNMAPPED`: any access to unmapped memory. */
export const UC_HOOK_MEM_UNMAPPED = UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED | UC_HOOK_MEM_FETCH_UNMAPPED;
/** `UC_HOOK_MEM_PROT`: any access that the mapping's protection forbids. */
export const UC_HOOK_MEM_PROT = UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT;
/** `UC_HOOK_MEM_INVALID`: unmapped or protection-violating accesses. */
export const UC_HOOK_MEM_INVALID = UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT;

/** Memory access types (`uc_mem_type`) passed to memory hooks. */
export const UC_MEM_READ = 16;
/** Successful write. */
export const UC_MEM_WRITE = 17;
/** Successful fetch. */
export const UC_MEM_FETCH = 18;
/** Read of unmapped memory. */
export const UC_MEM_READ_UNMAPPED = 19;
/** Write to unmapped memory. */
export const UC_MEM_WRITE_UNMAPPED = 20;
/** Fetch from unmapped memory. */
export const UC_MEM_FETCH_UNMAPPED = 21;
/** Write to mapped memory without write permission. */
export const UC_MEM_WRITE_PROT = 22;
/** Read of mapped memory without read permission. */
export const UC_MEM_READ_PROT = 23;
/** Fetch from mapped memory without execute permission. */
export const UC_MEM_FETCH_PROT = 24;
/** Successful read, reported after the value is known. */
export const UC_MEM_READ_AFTER = 25;

const MEM_TYPE_NAMES: Record<number, string> = {
  [UC_MEM_READ]: 'UC_MEM_READ',
  [UC_MEM_WRITE]: 'UC_MEM_WRITE',
  [UC_MEM_FETCH]: 'UC_MEM_FETCH',
  [UC_MEM_READ_UNMAPPED]: 'UC_MEM_READ_UNMAPPED',
  [UC_MEM_WRITE_UNMAPPED]: 'UC_MEM_WRITE_UNMAPPED',
  [UC_MEM_FETCH_UNMAPPED]: 'UC_MEM_FETCH_UNMAPPED',
  [UC_MEM_WRITE_PROT]: 'UC_MEM_WRITE_PROT',
  [UC_MEM_READ_PROT]: 'UC_MEM_READ_PROT',
  [UC_MEM_FETCH_PROT]: 'UC_MEM_FETCH_PROT',
  [UC_MEM_READ_AFTER]: 'UC_MEM_READ_AFTER',
};

/** The `UC_MEM_*` name of a memory access type, or `UC_MEM_<n>` for an unknown one. */
export function ucMemTypeName(type: number): string {
  return MEM_TYPE_NAMES[type] ?? `UC_MEM_${type}`;
}

/** `uc_query` query types. */
export const UC_QUERY_MODE = 1;
/** Page size of the engine. */
export const UC_QUERY_PAGE_SIZE = 2;
/** Architecture of the engine. */
export const UC_QUERY_ARCH = 3;
/** Whether the last `uc_emu_start` ended because its timeout expired (result 1). */
export const UC_QUERY_TIMEOUT = 4;

/** `uc_ctl` direction: no data. */
export const UC_CTL_IO_NONE = 0;
/** `uc_ctl` direction: the caller passes values in. */
export const UC_CTL_IO_WRITE = 1;
/** `uc_ctl` direction: the caller receives values. */
export const UC_CTL_IO_READ = 2;
/** `uc_ctl` direction: both. */
export const UC_CTL_IO_READ_WRITE = 3;

/** `uc_control_type` numbers (the low 16 bits of a `uc_ctl` control word). */
export const UC_CTL_UC_MODE = 0;
/** Page size. */
export const UC_CTL_UC_PAGE_SIZE = 1;
/** Architecture. */
export const UC_CTL_UC_ARCH = 2;
/** Timeout of the current run. */
export const UC_CTL_UC_TIMEOUT = 3;
/** Enable/disable the multiple-exits mechanism. */
export const UC_CTL_UC_USE_EXITS = 4;
/** Number of exits. */
export const UC_CTL_UC_EXITS_CNT = 5;
/** The exits. */
export const UC_CTL_UC_EXITS = 6;
/** CPU model (before first use). */
export const UC_CTL_CPU_MODEL = 7;
/** Translate a block and report it. */
export const UC_CTL_TB_REQUEST_CACHE = 8;
/** Drop translated blocks overlapping `[begin, end)` (`uc_ctl_remove_cache`). */
export const UC_CTL_TB_REMOVE_CACHE = 9;
/** Drop every translated block (`uc_ctl_flush_tlb` in 2.0.1's header, which names it wrongly). */
export const UC_CTL_TB_FLUSH = 10;

/**
 * Encodes a `uc_ctl` control word as 2.0.1's `UC_CTL(type, nr, rw)` macro does:
 * `type | (nr << 26) | (rw << 30)` (type in bits 0–15, argument count in bits 26–29, direction in bits 30–31).
 * The result is returned as an unsigned 32-bit number.
 */
export function ucCtl(type: number, argumentCount: number, direction: number): number {
  return (type | (argumentCount << 26) | (direction << 30)) >>> 0;
}

/** `UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2)` = 0x48000009, followed by two `uint64_t` arguments (begin, end). */
export const UC_CTL_REMOVE_CACHE_WORD = ucCtl(UC_CTL_TB_REMOVE_CACHE, 2, UC_CTL_IO_WRITE);
/**
 * `UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0)` = 0x4000000a. Avoid: in 2.0.1 it touches the whole 1 GiB translation buffer
 * (seconds, and 1 GiB resident afterwards); `UnicornEngine.flushCache` removes per mapping instead.
 */
export const UC_CTL_TB_FLUSH_WORD = ucCtl(UC_CTL_TB_FLUSH, 0, UC_CTL_IO_WRITE);

/** Error codes (`uc_err`). */
export const UcErr = {
  UC_ERR_OK: 0,
  UC_ERR_NOMEM: 1,
  UC_ERR_ARCH: 2,
  UC_ERR_HANDLE: 3,
  UC_ERR_MODE: 4,
  UC_ERR_VERSION: 5,
  UC_ERR_READ_UNMAPPED: 6,
  UC_ERR_WRITE_UNMAPPED: 7,
  UC_ERR_FETCH_UNMAPPED: 8,
  UC_ERR_HOOK: 9,
  UC_ERR_INSN_INVALID: 10,
  UC_ERR_MAP: 11,
  UC_ERR_WRITE_PROT: 12,
  UC_ERR_READ_PROT: 13,
  UC_ERR_FETCH_PROT: 14,
  UC_ERR_ARG: 15,
  UC_ERR_READ_UNALIGNED: 16,
  UC_ERR_WRITE_UNALIGNED: 17,
  UC_ERR_FETCH_UNALIGNED: 18,
  UC_ERR_HOOK_EXIST: 19,
  UC_ERR_RESOURCE: 20,
  UC_ERR_EXCEPTION: 21,
} as const;

/** The name of a `uc_err` code, e.g. `UC_ERR_MAP`. */
export type UcErrName = keyof typeof UcErr;

const ERR_NAMES: string[] = [];
for (const [name, code] of Object.entries(UcErr)) ERR_NAMES[code] = name;

/** The `UC_ERR_*` name of an error code, or `UC_ERR_<n>` for a code 2.0.1 does not define. */
export function ucErrName(code: number): string {
  return ERR_NAMES[code] ?? `UC_ERR_${code}`;
}

/**
 * QEMU's AArch64 exception numbers as Unicorn 2.0.1 passes them to `UC_HOOK_INTR` callbacks (`intno`); only the
 * ones whose reporting was verified are listed.
 *
 * `svc #imm` reports {@link ARM64_EXCP_SWI} with the pc already advanced past the `svc` (the immediate is not
 * reported: `ESR_EL1` reads 0; decode it from the instruction at pc − 4). Undefined instructions (`udf`, and
 * `hvc` since no EL2 is emulated) report {@link ARM64_EXCP_UDEF} with pc at the instruction; `brk` reports
 * {@link ARM64_EXCP_BKPT} with pc at the instruction. Returning from the hook without changing pc or stopping
 * re-executes those two forever.
 */
export const ARM64_EXCP_UDEF = 1;
/** Supervisor call (`svc`); pc points after the instruction. */
export const ARM64_EXCP_SWI = 2;
/** Breakpoint instruction (`brk`); pc points at the instruction. */
export const ARM64_EXCP_BKPT = 7;

/**
 * ARM64 register ids (`uc_arm64_reg`) of Unicorn **2.0.1**. X29/X30 come first (as FP/LR), X0–X28 are
 * contiguous from 199; Q and V are two names for the same 128-bit registers.
 */
export const Arm64Reg = {
  INVALID: 0,
  X29: 1,
  X30: 2,
  FP: 1,
  LR: 2,
  NZCV: 3,
  SP: 4,
  WSP: 5,
  WZR: 6,
  XZR: 7,
  B0: 8,
  D0: 40,
  H0: 72,
  Q0: 104,
  S0: 136,
  W0: 168,
  W30: 198,
  X0: 199,
  X1: 200,
  X2: 201,
  X3: 202,
  X4: 203,
  X5: 204,
  X6: 205,
  X7: 206,
  X8: 207,
  X9: 208,
  X10: 209,
  X11: 210,
  X12: 211,
  X13: 212,
  X14: 213,
  X15: 214,
  X16: 215,
  X17: 216,
  X18: 217,
  X19: 218,
  X20: 219,
  X21: 220,
  X22: 221,
  X23: 222,
  X24: 223,
  X25: 224,
  X26: 225,
  X27: 226,
  X28: 227,
  IP0: 215,
  IP1: 216,
  V0: 228,
  PC: 260,
  CPACR_EL1: 261,
  TPIDR_EL0: 262,
  TPIDRRO_EL0: 263,
  TPIDR_EL1: 264,
  PSTATE: 265,
  ELR_EL0: 266,
  ELR_EL1: 267,
  ELR_EL2: 268,
  ELR_EL3: 269,
  SP_EL0: 270,
  SP_EL1: 271,
  SP_EL2: 272,
  SP_EL3: 273,
  TTBR0_EL1: 274,
  TTBR1_EL1: 275,
  ESR_EL0: 276,
  ESR_EL1: 277,
  ESR_EL2: 278,
  ESR_EL3: 279,
  FAR_EL0: 280,
  FAR_EL1: 281,
  FAR_EL2: 282,
  FAR_EL3: 283,
  PAR_EL1: 284,
  MAIR_EL1: 285,
  VBAR_EL0: 286,
  VBAR_EL1: 287,
  VBAR_EL2: 288,
  VBAR_EL3: 289,
  CP_REG: 290,
  FPCR: 291,
  FPSR: 292,
  ENDING: 293,
} as const;

function bank(name: string, index: number, limit: number): void {
  if (!Number.isInteger(index) || index < 0 || index > limit) {
    throw new RangeError(`${name} register index ${index} out of range 0..${limit}`);
  }
}

/** Id of `x<n>` (0–30). */
export function xReg(n: number): number {
  bank('x', n, 30);
  return n === 29 ? Arm64Reg.X29 : n === 30 ? Arm64Reg.X30 : Arm64Reg.X0 + n;
}
/**
 * Id of `w<n>` (0–30), the low 32 bits of `x<n>`. Note: `uc_reg_write` of a `w` register replaces only the low
 * half of the `x` register (an instruction writing `w<n>` zero-extends).
 */
export function wReg(n: number): number {
  bank('w', n, 30);
  return Arm64Reg.W0 + n;
}
/** Id of `q<n>` (0–31), a 128-bit SIMD&FP register. */
export function qReg(n: number): number {
  bank('q', n, 31);
  return Arm64Reg.Q0 + n;
}
/** Id of `v<n>` (0–31); the same register as `q<n>`. */
export function vReg(n: number): number {
  bank('v', n, 31);
  return Arm64Reg.V0 + n;
}
/** Id of `d<n>` (0–31), the low 64 bits of `v<n>`. */
export function dReg(n: number): number {
  bank('d', n, 31);
  return Arm64Reg.D0 + n;
}
/** Id of `s<n>` (0–31), the low 32 bits of `v<n>`. */
export function sReg(n: number): number {
  bank('s', n, 31);
  return Arm64Reg.S0 + n;
}
/** Id of `h<n>` (0–31), the low 16 bits of `v<n>`. */
export function hReg(n: number): number {
  bank('h', n, 31);
  return Arm64Reg.H0 + n;
}
/** Id of `b<n>` (0–31), the low 8 bits of `v<n>`. */
export function bReg(n: number): number {
  bank('b', n, 31);
  return Arm64Reg.B0 + n;
}

/**
 * Whether a register id names a 128-bit register (`q<n>`/`v<n>`); `UnicornEngine.regRead`/`regWrite` refuse those
 * (use `readQ`/`writeQ`).
 */
export function isVectorReg(reg: number): boolean {
  return (reg >= Arm64Reg.Q0 && reg < Arm64Reg.Q0 + 32) || (reg >= Arm64Reg.V0 && reg < Arm64Reg.V0 + 32);
}
