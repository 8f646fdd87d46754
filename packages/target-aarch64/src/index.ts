/**
 * @orc-ts/target-aarch64: AArch64 relocations, stubs, trampolines and the Unicorn executor.
 *
 * The package is laid out but its API arrives with the linking work; nothing is exported yet.
 * @packageDocumentation
 */
export {};
