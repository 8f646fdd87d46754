/**
 * @orc-ts/examples: LLJIT, LLLazyJIT and runnable examples composed from the orc-ts packages.
 *
 * The package is laid out but its API arrives with the LLJIT work; nothing is exported yet.
 * @packageDocumentation
 */
export {};
