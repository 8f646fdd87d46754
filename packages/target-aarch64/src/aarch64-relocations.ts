/**
 * ELF/AArch64 relocation types: their names, the edge kind each supported one becomes, and the graph-build
 * validation of the instruction it patches (LLVM's `ELFLinkGraphBuilder_aarch64`).
 *
 * Decisions:
 * - Unsupported relocations fail with LLVM's text `Unsupported aarch64 relocation:<decimal>: <name>`, where the
 *   name is `llvm::object::getELFRelocationTypeName`'s: `R_AARCH64_<NAME>` for every relocation the AArch64 ELF
 *   ABI (and LLVM) defines, and `Unknown` for any other number (exactly LLVM's spelling).
 * - TLS descriptors are not supported by orc-ts (no TLS runtime). LLVM maps TLSDESC_ADR_PAGE21 (562),
 *   TLSDESC_LD64_LO12 (563) and TLSDESC_ADD_LO12 (564) to TLS-descriptor edges and silently drops
 *   TLSDESC_CALL (569); we reject every `R_AARCH64_TLSDESC_*` relocation (0x230-0x239), including 569, with
 *   `Unsupported aarch64 relocation:562: R_AARCH64_TLSDESC_ADR_PAGE21 (TLS descriptors are not supported by
 *   orc-ts)`. An object is thus rejected at its first TLS-descriptor relocation, and accepting 569 alone (which
 *   would only be sound if the others were handled) never happens.
 * @module
 */
import { AArch64EdgeKind } from './aarch64-edge-kinds.js';
import {
  getMoveWide16Shift,
  getPageOffset12Shift,
  isADR,
  isCompAndBranchImm19,
  isCondBranchImm19,
  isLDRLiteral,
  isLoadStoreImm12,
  isMoveWideImm16,
  isTestAndBranchImm14,
} from './aarch64-instructions.js';

/** A supported ELF relocation type and what it becomes. */
export interface AArch64RelocationInfo {
  /** The ELF relocation number (`ELF64_R_TYPE(r_info)`). */
  readonly type: number;
  /** Its name, e.g. `R_AARCH64_CALL26`. */
  readonly name: string;
  /** The edge kind created for it. */
  readonly edgeKind: AArch64EdgeKind;
  /**
   * Graph-build check of the (little-endian) instruction word at the relocation's offset, when the relocation
   * constrains the instruction. Returns true when the word is acceptable.
   */
  readonly validate?: (instructionWord: number) => boolean;
  /** The error text when {@link AArch64RelocationInfo.validate} rejects the word (LLVM's text). */
  readonly validationMessage?: string;
}

/** Base class of the relocation-mapping errors. */
export class AArch64RelocationError extends Error {
  /**
   * @param type - the ELF relocation number
   * @param relocationName - its name (`R_AARCH64_...` or `Unknown`)
   * @param message - the full message
   */
  constructor(
    readonly type: number,
    readonly relocationName: string,
    message: string,
  ) {
    super(message);
    this.name = 'AArch64RelocationError';
  }
}

/** A relocation type orc-ts does not handle: `Unsupported aarch64 relocation:<n>: <name>[ (<why>)]`. */
export class UnsupportedRelocationError extends AArch64RelocationError {
  /**
   * @param type - the ELF relocation number
   * @param relocationName - its name
   * @param reason - an optional explanation appended in parentheses
   */
  constructor(type: number, relocationName: string, reason?: string) {
    super(type, relocationName, `Unsupported aarch64 relocation:${type}: ${relocationName}${reason ? ` (${reason})` : ''}`);
    this.name = 'UnsupportedRelocationError';
  }
}

/** A supported relocation applied to an instruction it cannot patch (LLVM's graph-build validation). */
export class InvalidRelocationTargetError extends AArch64RelocationError {
  /**
   * @param type - the ELF relocation number
   * @param relocationName - its name
   * @param instructionWord - the rejected instruction word
   * @param message - LLVM's text, e.g. `R_AARCH64_TSTBR14 target is not a test and branch instruction`
   */
  constructor(
    type: number,
    relocationName: string,
    readonly instructionWord: number,
    message: string,
  ) {
    super(type, relocationName, message);
    this.name = 'InvalidRelocationTargetError';
  }
}

/** Names of the ELF relocation types of AArch64 (LLVM's `ELFRelocs/AArch64.def`, LP64 and ILP32). */
const RELOCATION_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [0x000, 'NONE'],
  [0x101, 'ABS64'], [0x102, 'ABS32'], [0x103, 'ABS16'], [0x104, 'PREL64'], [0x105, 'PREL32'], [0x106, 'PREL16'],
  [0x107, 'MOVW_UABS_G0'], [0x108, 'MOVW_UABS_G0_NC'], [0x109, 'MOVW_UABS_G1'], [0x10a, 'MOVW_UABS_G1_NC'],
  [0x10b, 'MOVW_UABS_G2'], [0x10c, 'MOVW_UABS_G2_NC'], [0x10d, 'MOVW_UABS_G3'], [0x10e, 'MOVW_SABS_G0'],
  [0x10f, 'MOVW_SABS_G1'], [0x110, 'MOVW_SABS_G2'], [0x111, 'LD_PREL_LO19'], [0x112, 'ADR_PREL_LO21'],
  [0x113, 'ADR_PREL_PG_HI21'], [0x114, 'ADR_PREL_PG_HI21_NC'], [0x115, 'ADD_ABS_LO12_NC'],
  [0x116, 'LDST8_ABS_LO12_NC'], [0x117, 'TSTBR14'], [0x118, 'CONDBR19'], [0x11a, 'JUMP26'], [0x11b, 'CALL26'],
  [0x11c, 'LDST16_ABS_LO12_NC'], [0x11d, 'LDST32_ABS_LO12_NC'], [0x11e, 'LDST64_ABS_LO12_NC'],
  [0x11f, 'MOVW_PREL_G0'], [0x120, 'MOVW_PREL_G0_NC'], [0x121, 'MOVW_PREL_G1'], [0x122, 'MOVW_PREL_G1_NC'],
  [0x123, 'MOVW_PREL_G2'], [0x124, 'MOVW_PREL_G2_NC'], [0x125, 'MOVW_PREL_G3'], [0x12b, 'LDST128_ABS_LO12_NC'],
  [0x12c, 'MOVW_GOTOFF_G0'], [0x12d, 'MOVW_GOTOFF_G0_NC'], [0x12e, 'MOVW_GOTOFF_G1'], [0x12f, 'MOVW_GOTOFF_G1_NC'],
  [0x130, 'MOVW_GOTOFF_G2'], [0x131, 'MOVW_GOTOFF_G2_NC'], [0x132, 'MOVW_GOTOFF_G3'], [0x133, 'GOTREL64'],
  [0x134, 'GOTREL32'], [0x135, 'GOT_LD_PREL19'], [0x136, 'LD64_GOTOFF_LO15'], [0x137, 'ADR_GOT_PAGE'],
  [0x138, 'LD64_GOT_LO12_NC'], [0x139, 'LD64_GOTPAGE_LO15'], [0x13a, 'PLT32'], [0x13b, 'GOTPCREL32'],
  [0x13c, 'PATCHINST'], [0x13d, 'FUNCINIT64'],
  [0x200, 'TLSGD_ADR_PREL21'], [0x201, 'TLSGD_ADR_PAGE21'], [0x202, 'TLSGD_ADD_LO12_NC'], [0x203, 'TLSGD_MOVW_G1'],
  [0x204, 'TLSGD_MOVW_G0_NC'], [0x205, 'TLSLD_ADR_PREL21'], [0x206, 'TLSLD_ADR_PAGE21'], [0x207, 'TLSLD_ADD_LO12_NC'],
  [0x208, 'TLSLD_MOVW_G1'], [0x209, 'TLSLD_MOVW_G0_NC'], [0x20a, 'TLSLD_LD_PREL19'], [0x20b, 'TLSLD_MOVW_DTPREL_G2'],
  [0x20c, 'TLSLD_MOVW_DTPREL_G1'], [0x20d, 'TLSLD_MOVW_DTPREL_G1_NC'], [0x20e, 'TLSLD_MOVW_DTPREL_G0'],
  [0x20f, 'TLSLD_MOVW_DTPREL_G0_NC'], [0x210, 'TLSLD_ADD_DTPREL_HI12'], [0x211, 'TLSLD_ADD_DTPREL_LO12'],
  [0x212, 'TLSLD_ADD_DTPREL_LO12_NC'], [0x213, 'TLSLD_LDST8_DTPREL_LO12'], [0x214, 'TLSLD_LDST8_DTPREL_LO12_NC'],
  [0x215, 'TLSLD_LDST16_DTPREL_LO12'], [0x216, 'TLSLD_LDST16_DTPREL_LO12_NC'], [0x217, 'TLSLD_LDST32_DTPREL_LO12'],
  [0x218, 'TLSLD_LDST32_DTPREL_LO12_NC'], [0x219, 'TLSLD_LDST64_DTPREL_LO12'], [0x21a, 'TLSLD_LDST64_DTPREL_LO12_NC'],
  [0x21b, 'TLSIE_MOVW_GOTTPREL_G1'], [0x21c, 'TLSIE_MOVW_GOTTPREL_G0_NC'], [0x21d, 'TLSIE_ADR_GOTTPREL_PAGE21'],
  [0x21e, 'TLSIE_LD64_GOTTPREL_LO12_NC'], [0x21f, 'TLSIE_LD_GOTTPREL_PREL19'], [0x220, 'TLSLE_MOVW_TPREL_G2'],
  [0x221, 'TLSLE_MOVW_TPREL_G1'], [0x222, 'TLSLE_MOVW_TPREL_G1_NC'], [0x223, 'TLSLE_MOVW_TPREL_G0'],
  [0x224, 'TLSLE_MOVW_TPREL_G0_NC'], [0x225, 'TLSLE_ADD_TPREL_HI12'], [0x226, 'TLSLE_ADD_TPREL_LO12'],
  [0x227, 'TLSLE_ADD_TPREL_LO12_NC'], [0x228, 'TLSLE_LDST8_TPREL_LO12'], [0x229, 'TLSLE_LDST8_TPREL_LO12_NC'],
  [0x22a, 'TLSLE_LDST16_TPREL_LO12'], [0x22b, 'TLSLE_LDST16_TPREL_LO12_NC'], [0x22c, 'TLSLE_LDST32_TPREL_LO12'],
  [0x22d, 'TLSLE_LDST32_TPREL_LO12_NC'], [0x22e, 'TLSLE_LDST64_TPREL_LO12'], [0x22f, 'TLSLE_LDST64_TPREL_LO12_NC'],
  [0x230, 'TLSDESC_LD_PREL19'], [0x231, 'TLSDESC_ADR_PREL21'], [0x232, 'TLSDESC_ADR_PAGE21'],
  [0x233, 'TLSDESC_LD64_LO12'], [0x234, 'TLSDESC_ADD_LO12'], [0x235, 'TLSDESC_OFF_G1'], [0x236, 'TLSDESC_OFF_G0_NC'],
  [0x237, 'TLSDESC_LDR'], [0x238, 'TLSDESC_ADD'], [0x239, 'TLSDESC_CALL'], [0x23a, 'TLSLE_LDST128_TPREL_LO12'],
  [0x23b, 'TLSLE_LDST128_TPREL_LO12_NC'], [0x23c, 'TLSLD_LDST128_DTPREL_LO12'], [0x23d, 'TLSLD_LDST128_DTPREL_LO12_NC'],
  [0x244, 'AUTH_ABS64'], [0x245, 'AUTH_MOVW_GOTOFF_G0'], [0x246, 'AUTH_MOVW_GOTOFF_G0_NC'],
  [0x247, 'AUTH_MOVW_GOTOFF_G1'], [0x248, 'AUTH_MOVW_GOTOFF_G1_NC'], [0x249, 'AUTH_MOVW_GOTOFF_G2'],
  [0x24a, 'AUTH_MOVW_GOTOFF_G2_NC'], [0x24b, 'AUTH_MOVW_GOTOFF_G3'], [0x24c, 'AUTH_GOT_LD_PREL19'],
  [0x24d, 'AUTH_LD64_GOTOFF_LO15'], [0x24e, 'AUTH_ADR_GOT_PAGE'], [0x24f, 'AUTH_LD64_GOT_LO12_NC'],
  [0x250, 'AUTH_LD64_GOTPAGE_LO15'], [0x251, 'AUTH_GOT_ADD_LO12_NC'], [0x252, 'AUTH_GOT_ADR_PREL_LO21'],
  [0x253, 'AUTH_TLSDESC_ADR_PAGE21'], [0x254, 'AUTH_TLSDESC_LD64_LO12'], [0x255, 'AUTH_TLSDESC_ADD_LO12'],
  [0x400, 'COPY'], [0x401, 'GLOB_DAT'], [0x402, 'JUMP_SLOT'], [0x403, 'RELATIVE'], [0x404, 'TLS_DTPMOD64'],
  [0x405, 'TLS_DTPREL64'], [0x406, 'TLS_TPREL64'], [0x407, 'TLSDESC'], [0x408, 'IRELATIVE'],
  [0x411, 'AUTH_RELATIVE'], [0x412, 'AUTH_GLOB_DAT'], [0x413, 'AUTH_TLSDESC'], [0x414, 'AUTH_IRELATIVE'],
  // ILP32 (P32) relocations share the number space.
  [0x001, 'P32_ABS32'], [0x002, 'P32_ABS16'], [0x003, 'P32_PREL32'], [0x004, 'P32_PREL16'],
  [0x005, 'P32_MOVW_UABS_G0'], [0x006, 'P32_MOVW_UABS_G0_NC'], [0x007, 'P32_MOVW_UABS_G1'], [0x008, 'P32_MOVW_SABS_G0'],
  [0x009, 'P32_LD_PREL_LO19'], [0x00a, 'P32_ADR_PREL_LO21'], [0x00b, 'P32_ADR_PREL_PG_HI21'],
  [0x00c, 'P32_ADD_ABS_LO12_NC'], [0x00d, 'P32_LDST8_ABS_LO12_NC'], [0x00e, 'P32_LDST16_ABS_LO12_NC'],
  [0x00f, 'P32_LDST32_ABS_LO12_NC'], [0x010, 'P32_LDST64_ABS_LO12_NC'], [0x011, 'P32_LDST128_ABS_LO12_NC'],
  [0x012, 'P32_TSTBR14'], [0x013, 'P32_CONDBR19'], [0x014, 'P32_JUMP26'], [0x015, 'P32_CALL26'],
  [0x016, 'P32_MOVW_PREL_G0'], [0x017, 'P32_MOVW_PREL_G0_NC'], [0x018, 'P32_MOVW_PREL_G1'], [0x019, 'P32_GOT_LD_PREL19'],
  [0x01a, 'P32_ADR_GOT_PAGE'], [0x01b, 'P32_LD32_GOT_LO12_NC'], [0x01c, 'P32_LD32_GOTPAGE_LO14'], [0x01d, 'P32_PLT32'],
  [0x050, 'P32_TLSGD_ADR_PREL21'], [0x051, 'P32_TLSGD_ADR_PAGE21'], [0x052, 'P32_TLSGD_ADD_LO12_NC'],
  [0x053, 'P32_TLSLD_ADR_PREL21'], [0x054, 'P32_TLSLD_ADR_PAGE21'], [0x055, 'P32_TLSLD_ADD_LO12_NC'],
  [0x056, 'P32_TLSLD_LD_PREL19'], [0x057, 'P32_TLSLD_MOVW_DTPREL_G1'], [0x058, 'P32_TLSLD_MOVW_DTPREL_G0'],
  [0x059, 'P32_TLSLD_MOVW_DTPREL_G0_NC'], [0x05a, 'P32_TLSLD_ADD_DTPREL_HI12'], [0x05b, 'P32_TLSLD_ADD_DTPREL_LO12'],
  [0x05c, 'P32_TLSLD_ADD_DTPREL_LO12_NC'], [0x05d, 'P32_TLSLD_LDST8_DTPREL_LO12'],
  [0x05e, 'P32_TLSLD_LDST8_DTPREL_LO12_NC'], [0x05f, 'P32_TLSLD_LDST16_DTPREL_LO12'],
  [0x060, 'P32_TLSLD_LDST16_DTPREL_LO12_NC'], [0x061, 'P32_TLSLD_LDST32_DTPREL_LO12'],
  [0x062, 'P32_TLSLD_LDST32_DTPREL_LO12_NC'], [0x063, 'P32_TLSLD_LDST64_DTPREL_LO12'],
  [0x064, 'P32_TLSLD_LDST64_DTPREL_LO12_NC'], [0x065, 'P32_TLSLD_LDST128_DTPREL_LO12'],
  [0x066, 'P32_TLSLD_LDST128_DTPREL_LO12_NC'], [0x067, 'P32_TLSIE_ADR_GOTTPREL_PAGE21'],
  [0x068, 'P32_TLSIE_LD32_GOTTPREL_LO12_NC'], [0x069, 'P32_TLSIE_LD_GOTTPREL_PREL19'],
  [0x06a, 'P32_TLSLE_MOVW_TPREL_G1'], [0x06b, 'P32_TLSLE_MOVW_TPREL_G0'], [0x06c, 'P32_TLSLE_MOVW_TPREL_G0_NC'],
  [0x06d, 'P32_TLSLE_ADD_TPREL_HI12'], [0x06e, 'P32_TLSLE_ADD_TPREL_LO12'], [0x06f, 'P32_TLSLE_ADD_TPREL_LO12_NC'],
  [0x070, 'P32_TLSLE_LDST8_TPREL_LO12'], [0x071, 'P32_TLSLE_LDST8_TPREL_LO12_NC'], [0x072, 'P32_TLSLE_LDST16_TPREL_LO12'],
  [0x073, 'P32_TLSLE_LDST16_TPREL_LO12_NC'], [0x074, 'P32_TLSLE_LDST32_TPREL_LO12'],
  [0x075, 'P32_TLSLE_LDST32_TPREL_LO12_NC'], [0x076, 'P32_TLSLE_LDST64_TPREL_LO12'],
  [0x077, 'P32_TLSLE_LDST64_TPREL_LO12_NC'], [0x078, 'P32_TLSLE_LDST128_TPREL_LO12'],
  [0x079, 'P32_TLSLE_LDST128_TPREL_LO12_NC'], [0x07a, 'P32_TLSDESC_LD_PREL19'], [0x07b, 'P32_TLSDESC_ADR_PREL21'],
  [0x07c, 'P32_TLSDESC_ADR_PAGE21'], [0x07d, 'P32_TLSDESC_LD32_LO12'], [0x07e, 'P32_TLSDESC_ADD_LO12'],
  [0x07f, 'P32_TLSDESC_CALL'], [0x0b4, 'P32_COPY'], [0x0b5, 'P32_GLOB_DAT'], [0x0b6, 'P32_JUMP_SLOT'],
  [0x0b7, 'P32_RELATIVE'], [0x0b8, 'P32_TLS_DTPREL'], [0x0b9, 'P32_TLS_DTPMOD'], [0x0ba, 'P32_TLS_TPREL'],
  [0x0bb, 'P32_TLSDESC'], [0x0bc, 'P32_IRELATIVE'],
].map(([type, name]) => [type as number, `R_AARCH64_${name as string}`]));

/**
 * The name of an AArch64 ELF relocation type as LLVM prints it (`R_AARCH64_CALL26`), or `Unknown` for a number
 * the ABI does not define.
 */
export function getAArch64RelocationName(type: number): string {
  return RELOCATION_NAMES.get(type) ?? 'Unknown';
}

/** The `R_AARCH64_TLSDESC_*` family (0x230-0x239): rejected, see the module documentation. */
const TLSDESC_FIRST = 0x230;
const TLSDESC_LAST = 0x239;
const TLSDESC_REASON = 'TLS descriptors are not supported by orc-ts';

function loadStoreValidator(shift: number): (word: number) => boolean {
  return (word) => isLoadStoreImm12(word) && getPageOffset12Shift(word) === shift;
}

function moveWideValidator(shift: number): (word: number) => boolean {
  return (word) => isMoveWideImm16(word) && getMoveWide16Shift(word) === shift;
}

function info(
  type: number,
  edgeKind: AArch64EdgeKind,
  validate?: (word: number) => boolean,
  what?: string,
): AArch64RelocationInfo {
  const name = getAArch64RelocationName(type);
  return Object.freeze(
    validate === undefined
      ? { type, name, edgeKind }
      : { type, name, edgeKind, validate, validationMessage: `${name} target is not ${what} instruction` },
  );
}

const K = AArch64EdgeKind;

/** The relocations orc-ts maps to edges (table 1.1 of the JITLink reference, minus TLS descriptors). */
export const AARCH64_SUPPORTED_RELOCATIONS: ReadonlyMap<number, AArch64RelocationInfo> = new Map(
  [
    info(257, K.Pointer64), // ABS64
    info(258, K.Pointer32), // ABS32
    info(260, K.Delta64), // PREL64
    info(261, K.Delta32), // PREL32
    info(264, K.MoveWide16, moveWideValidator(0), 'a MOVK/MOVZ (imm16, LSL #0)'),
    info(266, K.MoveWide16, moveWideValidator(16), 'a MOVK/MOVZ (imm16, LSL #16)'),
    info(268, K.MoveWide16, moveWideValidator(32), 'a MOVK/MOVZ (imm16, LSL #32)'),
    info(269, K.MoveWide16, moveWideValidator(48), 'a MOVK/MOVZ (imm16, LSL #48)'),
    info(274, K.ADRLiteral21, isADR, 'an ADR'),
    info(275, K.Page21), // ADR_PREL_PG_HI21
    info(277, K.PageOffset12), // ADD_ABS_LO12_NC
    info(278, K.PageOffset12, loadStoreValidator(0), 'a LDRB/STRB (imm12)'),
    info(284, K.PageOffset12, loadStoreValidator(1), 'a LDRH/STRH (imm12)'),
    info(285, K.PageOffset12, loadStoreValidator(2), 'a LDR/STR (imm12, 32 bit)'),
    info(286, K.PageOffset12, loadStoreValidator(3), 'a LDR/STR (imm12, 64 bit)'),
    info(299, K.PageOffset12, loadStoreValidator(4), 'a LDR/STR (imm12, 128 bit)'),
    info(279, K.TestAndBranch14PCRel, isTestAndBranchImm14, 'a test and branch'),
    info(280, K.CondBranch19PCRel, (w) => isCondBranchImm19(w) || isCompAndBranchImm19(w), 'a conditional branch'),
    info(282, K.Branch26PCRel), // JUMP26
    info(283, K.Branch26PCRel), // CALL26
    info(311, K.RequestGOTAndTransformToPage21), // ADR_GOT_PAGE
    info(312, K.RequestGOTAndTransformToPageOffset12), // LD64_GOT_LO12_NC
    info(313, K.RequestGOTAndTransformToPageOffset15), // LD64_GOTPAGE_LO15
    // LLVM's message names this relocation R_AARCH64_LDR_PREL_LO19 (sic; the ABI name is LD_PREL_LO19).
    Object.freeze<AArch64RelocationInfo>({
      type: 273,
      name: 'R_AARCH64_LD_PREL_LO19',
      edgeKind: K.LDRLiteral19,
      validate: isLDRLiteral,
      validationMessage: 'R_AARCH64_LDR_PREL_LO19 target is not an LDR Literal instruction',
    }),
  ]
    .map((r) => [r.type, r] as const),
);

/** True when the relocation needs the instruction word at its offset to be validated by `mapElfRelocation`. */
export function relocationNeedsInstructionWord(type: number): boolean {
  return AARCH64_SUPPORTED_RELOCATIONS.get(type)?.validate !== undefined;
}

/**
 * Maps an ELF/AArch64 relocation to the edge kind of the edge the graph builder creates for it, validating the
 * patched instruction as LLVM does.
 *
 * @param type - the relocation number (`ELF64_R_TYPE(r_info)`)
 * @param instructionWord - the little-endian 32-bit word at `r_offset`; required exactly when
 *   {@link relocationNeedsInstructionWord} is true (ignored otherwise)
 * @returns the edge kind
 * @throws {@link UnsupportedRelocationError} for relocations orc-ts does not handle;
 *   {@link InvalidRelocationTargetError} when the instruction fails validation; a `TypeError` when a needed
 *   instruction word is missing (a caller bug).
 */
export function mapElfRelocation(type: number, instructionWord?: number): AArch64EdgeKind {
  const reloc = AARCH64_SUPPORTED_RELOCATIONS.get(type);
  if (reloc === undefined) {
    const name = getAArch64RelocationName(type);
    throw new UnsupportedRelocationError(type, name, type >= TLSDESC_FIRST && type <= TLSDESC_LAST ? TLSDESC_REASON : undefined);
  }
  if (reloc.validate !== undefined) {
    if (instructionWord === undefined) throw new TypeError(`mapElfRelocation: ${reloc.name} needs the instruction word at the fixup`);
    if (!reloc.validate(instructionWord))
      throw new InvalidRelocationTargetError(type, reloc.name, instructionWord, reloc.validationMessage!);
  }
  return reloc.edgeKind;
}
