/**
 * Test-only helpers shared by the orc-ts packages (never published; consumed through vitest, which compiles
 * TypeScript on the fly).
 * @packageDocumentation
 */
// The tool lookup is orc-jitlink's own (it assembles .s and compiles .ll inputs the same way).
export { findLlvmTool } from '../../orc-jitlink/src/llvm-tools.js';
export { assembleAArch64, compileIRToAArch64, type AssembleOptions } from './fixtures.js';
export { Rng } from './rng.js';
