/**
 * Test-only helpers shared by the orc-ts packages (never published; consumed through vitest, which compiles
 * TypeScript on the fly).
 * @packageDocumentation
 */
export { findLlvmTool, LlvmToolNotFound } from './llvm-tools.js';
export { assembleAArch64, compileIRToAArch64, type AssembleOptions } from './fixtures.js';
