/**
 * @orc-ts/orc-runtime: the executor-side ORC runtime (AArch64 assembly) and the ELF platform.
 *
 * The package is laid out but its API arrives with the execution work; nothing is exported yet.
 * @packageDocumentation
 */
export {};
