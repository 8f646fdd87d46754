/**
 * orc-jitlink: the orc-ts counterpart of llvm-jitlink, as a library (`main`) and a command (`bin/orc-jitlink.mjs`).
 * @packageDocumentation
 */
export { main, VERSION, type ToolIO } from './main.js';
export { parseOptions, parseAddress, parseSize, UsageError, HELP, type JITLinkOptions } from './options.js';
export { createLinkSession, type LinkSession, type LinkObservations } from './link-session.js';
export { createCheckerPlugin } from './checker-plugin.js';
export { assembleFile, compileIRFile, findLlvmTool } from './llvm-tools.js';
