/** Memory protections of executor memory: a bitmask of read, write and execute. */
export enum MemProt {
  /** No access. */
  None = 0,
  /** Readable. */
  Read = 1,
  /** Writable. */
  Write = 2,
  /** Executable. */
  Exec = 4,
}

/** Renders protections as `rwx` with dashes, e.g. `r-x`. */
export function formatMemProt(prot: MemProt): string {
  return `${prot & MemProt.Read ? 'r' : '-'}${prot & MemProt.Write ? 'w' : '-'}${prot & MemProt.Exec ? 'x' : '-'}`;
}
