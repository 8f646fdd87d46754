/**
 * JITLink's eh-frame passes, generic over targets: split `.eh_frame` into one block per CFI record, add the edges
 * and keep-alive links that make dead-stripping and fixups handle the records, and null-terminate the section.
 * @module
 */
export { DWARFRecordSectionSplitter } from './dwarf-record-section-splitter.js';
export { EHFrameEdgeFixer, type EHFrameEdgeKinds } from './eh-frame-edge-fixer.js';
export { EHFrameNullTerminator } from './eh-frame-null-terminator.js';
export { EHFrameError } from './eh-frame-error.js';
export { DW_EH_PE, describePointerEncoding, encodedPointerSize, isSupportedPointerEncoding } from './dwarf-eh-pointer-encoding.js';
