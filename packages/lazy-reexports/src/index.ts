/**
 * @orc-ts/lazy-reexports: LazyReexportsManager, redirectable symbols and reentry trampolines.
 *
 * The package is laid out but its API arrives with the lazy-compilation work; nothing is exported yet.
 * @packageDocumentation
 */
export {};
