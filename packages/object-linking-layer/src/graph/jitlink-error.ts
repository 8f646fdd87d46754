import { OrcError } from '@orc-ts/core';

/** An error linking a graph: malformed input, unsupported relocations, out-of-range fixups... */
export class JITLinkError extends OrcError {}
