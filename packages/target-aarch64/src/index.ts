/**
 * @orc-ts/target-aarch64: AArch64 relocations, stubs, trampolines and the Unicorn executor.
 *
 * The AArch64 link target (relocation mapping, fixups, GOT/PLT, relaxation), stub and trampoline templates, the
 * AArch64 operand decoder for `jitlink-check`, and the Unicorn-backed executor.
 * @packageDocumentation
 */
import 'reflect-metadata';

// link target
export { registerAArch64Target } from './di.js';
export { AArch64LinkTarget } from './aarch64-link-target.js';
export { buildGOTAndStubs } from './aarch64-table-managers.js';
export { defineGlobalOffsetTable, getGlobalOffsetTableAddress, optimizeGOTAndStubs } from './aarch64-got-plt-optimization.js';
// branch range extension
export {
  BranchRangeExtension,
  checkBranchRanges,
  extendBranchRanges,
  getBranchRangeExtensionReport,
  getBranchVeneers,
  isBranchVeneer,
  type BranchRangeExtensionOptions,
  type BranchRangeExtensionReport,
  type BranchVeneer,
  type BranchVeneerPlacement,
} from './aarch64-branch-range-extension.js';
export { LAYOUT_ESTIMATE_PAGE_SIZE, estimateGraphLayout, type GraphLayoutEstimate } from './aarch64-branch-range-layout.js';
// relocations, fixups and stubs
export {
  AArch64EdgeKind,
  EDGE_KIND_INVALID,
  EDGE_KIND_KEEP_ALIVE,
  FIRST_RELOCATION_EDGE_KIND,
  LAST_AARCH64_EDGE_KIND,
  getEdgeKindName,
  isAArch64EdgeKind,
} from './aarch64-edge-kinds.js';
export {
  AARCH64_SUPPORTED_RELOCATIONS,
  AArch64RelocationError,
  InvalidRelocationTargetError,
  UnsupportedRelocationError,
  getAArch64RelocationName,
  mapElfRelocation,
  relocationNeedsInstructionWord,
  type AArch64RelocationInfo,
} from './aarch64-relocations.js';
export {
  NOP,
  encodeADDImm64,
  encodeADR,
  encodeADRP,
  encodeB,
  encodeBL,
  encodeBLR,
  encodeBR,
  encodeLDRLiteral,
  encodeLDRUnsignedImm,
  encodeMOVK,
  encodeMOVZ,
  encodeRET,
  encodeSTPPreIndex64,
  getMoveWide16Shift,
  getPageOffset12Shift,
  getRd,
  getRn,
  getRt,
  isADDImm,
  isADR,
  isADRP,
  isBL,
  isBranchImm26,
  isCompAndBranchImm19,
  isCondBranchImm19,
  isLDR64UnsignedImm,
  isLDRLiteral,
  isLoadStoreImm12,
  isMoveWideImm16,
  isTestAndBranchImm14,
} from './aarch64-instructions.js';
export { FixupError, type FixupErrorReason } from './aarch64-fixup-error.js';
export { applyFixup, type FixupSite } from './aarch64-fixups.js';
export {
  BRANCH26_MAX_DISPLACEMENT,
  BRANCH26_MIN_DISPLACEMENT,
  NULL_POINTER,
  POINTER_JUMP_STUB,
  POINTER_JUMP_STUB_PLACEHOLDER_ADDRESS,
  POINTER_PLACEHOLDER_ADDRESS,
  POINTER_SIZE,
  REENTRY_TRAMPOLINE,
  STUB_SCRATCH_REGISTER,
  branchVeneer,
  branchVeneerSize,
  createBlockContent,
  isBranch26InRange,
  pointerTo,
  selectBranchVeneer,
  type BlockTemplate,
  type BranchVeneerForm,
  type EdgeTemplate,
} from './aarch64-stubs.js';
export {
  GLOBAL_OFFSET_TABLE_SYMBOL_NAME,
  GOT_ENTRY,
  GOT_SECTION_NAME,
  PLT_STUB,
  STUBS_SECTION_NAME,
  canBypassStub,
  getGOTTransformedKind,
  needsPLTStub,
  relaxGOTLoad,
  type GOTLoadRelaxation,
} from './aarch64-got-plt.js';
// operand decoding
export { AArch64OperandDecoder, AARCH64_DECODED_OPCODES, decodeAArch64Instruction } from './aarch64-operand-decoder.js';
// unicorn
export * from './unicorn/index.js';
