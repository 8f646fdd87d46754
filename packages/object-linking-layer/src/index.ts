/**
 * @orc-ts/object-linking-layer: the JITLink equivalent and the ObjectLinkingLayer.
 *
 * The package is laid out but its API arrives with the linking work; nothing is exported yet.
 * @packageDocumentation
 */
export {};
