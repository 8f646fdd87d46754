import {
  MemProt,
  OrcError,
  formatAddress,
  type ExecutorAddr,
  type ExecutorFinalizeRequest,
  type ExecutorMemoryAccess,
  type ExecutorMemoryManager,
  type ExecutorMemoryWrite,
  type ExecutorProcessControl,
} from '@orc-ts/core';

/** Options of {@link MemoryOnlyExecutorProcessControl}. */
export interface MemoryOnlyExecutorOptions {
  /** Base of the slab memory is reserved from (default 0x10_0000_0000: far above low absolute addresses). */
  slabAddress?: bigint;
  /** Slab capacity in bytes (default 4 GiB). Reservations beyond it fail. */
  slabSize?: bigint;
  /** Page size (default 4096; a power of two). */
  pageSize?: number;
  /** Reported target triple (default `aarch64-unknown-linux-gnu`). */
  targetTriple?: string;
  /** Bootstrap symbols to report. */
  bootstrapSymbols?: ReadonlyMap<string, bigint>;
}

/** Thrown by {@link MemoryOnlyExecutorProcessControl} for calls: it has memory but no CPU. */
export class ExecutorCannotRunCode extends OrcError {
  constructor(what: string) {
    super(`the memory-only executor cannot run code (${what}); link with -noexec or use an executing executor`);
  }
}

interface Region {
  base: bigint;
  bytes: Uint8Array;
  prot: MemProt;
}

/**
 * An executor with memory but no CPU (for `-noexec` links and checks): reservations come from one slab by bumping
 * a pointer, so addresses are deterministic (`-slab-address`, `-slab-allocate`, `-slab-page-size`), and finalized
 * memory can be read back.
 */
export class MemoryOnlyExecutorProcessControl implements ExecutorProcessControl {
  readonly targetTriple: string;
  readonly pageSize: number;
  readonly memoryAccess: ExecutorMemoryAccess;
  readonly memoryManager: ExecutorMemoryManager;
  private readonly slabBase: bigint;
  private readonly slabEnd: bigint;
  private next: bigint;
  private readonly reservations = new Map<bigint, bigint>();
  private readonly regions: Region[] = [];
  private readonly bootstrap: ReadonlyMap<string, bigint>;

  constructor(options: MemoryOnlyExecutorOptions = {}) {
    this.pageSize = options.pageSize ?? 4096;
    if (!(this.pageSize > 0 && (this.pageSize & (this.pageSize - 1)) === 0)) throw new OrcError(`page size ${this.pageSize} is not a power of two`);
    this.slabBase = options.slabAddress ?? 0x10_0000_0000n;
    if (this.slabBase % BigInt(this.pageSize) !== 0n) throw new OrcError(`slab address ${formatAddress(this.slabBase)} is not page aligned`);
    this.slabEnd = this.slabBase + (options.slabSize ?? 0x1_0000_0000n);
    this.next = this.slabBase;
    this.targetTriple = options.targetTriple ?? 'aarch64-unknown-linux-gnu';
    this.bootstrap = options.bootstrapSymbols ?? new Map();
    this.memoryAccess = {
      readBytes: async (address, size) => this.read(address, size),
      writeBytes: async (writes) => this.write(writes),
    };
    this.memoryManager = {
      pageSize: this.pageSize,
      reserve: async (size) => this.reserve(size),
      initialize: async (request) => this.initialize(request),
      deinitialize: async (handles) => this.deinitialize(handles),
      release: async (bases) => this.release(bases),
    };
  }

  getBootstrapSymbols(): ReadonlyMap<string, bigint> {
    return this.bootstrap;
  }

  /** Bytes currently reserved from the slab. */
  get reservedBytes(): bigint {
    let total = 0n;
    for (const size of this.reservations.values()) total += size;
    return total;
  }

  /** Reads finalized memory synchronously (for checkers and tests). */
  read(address: ExecutorAddr, size: number): Uint8Array {
    const r = this.regionAt(address, size);
    const off = Number(address - r.base);
    return r.bytes.slice(off, off + size);
  }

  private write(writes: readonly ExecutorMemoryWrite[]): void {
    for (const w of writes) {
      const r = this.regionAt(w.address, w.bytes.length);
      r.bytes.set(w.bytes, Number(w.address - r.base));
    }
  }

  private regionAt(address: ExecutorAddr, size: number): Region {
    for (const r of this.regions) {
      if (address >= r.base && address + BigInt(size) <= r.base + BigInt(r.bytes.length)) return r;
    }
    throw new OrcError(`memory-only executor: ${size} bytes at ${formatAddress(address)} are not in finalized memory`);
  }

  private reserve(size: bigint): ExecutorAddr {
    const page = BigInt(this.pageSize);
    const rounded = ((size + page - 1n) / page) * page;
    if (this.next + rounded > this.slabEnd) {
      throw new OrcError(
        `slab exhausted: cannot reserve ${rounded} bytes at ${formatAddress(this.next)} (slab ${formatAddress(this.slabBase)}-${formatAddress(this.slabEnd)})`,
      );
    }
    const base = this.next;
    this.next += rounded;
    this.reservations.set(base, rounded);
    return base;
  }

  private initialize(request: ExecutorFinalizeRequest): ExecutorAddr {
    if (request.actions.length) throw new ExecutorCannotRunCode('finalize actions');
    for (const s of request.segments) {
      const bytes = new Uint8Array(Number(s.size));
      bytes.set(s.content);
      this.regions.push({ base: s.address, bytes, prot: s.prot });
    }
    return request.segments[0]?.address ?? 0n;
  }

  private deinitialize(handles: readonly ExecutorAddr[]): void {
    // The reservations holding the handles (a handle is usually a reservation's base: looked up directly), then one
    // pass over the regions for all of them: linear, where a scan and a splice per handle would be quadratic.
    const ranges: Array<{ base: bigint; end: bigint }> = [];
    for (const h of handles) {
      let base: bigint | undefined = this.reservations.has(h) ? h : undefined;
      if (base === undefined) {
        for (const [b, size] of this.reservations) {
          if (h >= b && h < b + size) {
            base = b;
            break;
          }
        }
      }
      if (base !== undefined) ranges.push({ base, end: base + this.reservations.get(base)! });
    }
    if (ranges.length === 0) return;
    ranges.sort((x, y) => (x.base < y.base ? -1 : x.base > y.base ? 1 : 0));
    const inRange = (a: bigint): boolean => {
      let lo = 0;
      let hi = ranges.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = ranges[mid]!;
        if (a < r.base) hi = mid - 1;
        else if (a >= r.end) lo = mid + 1;
        else return true;
      }
      return false;
    };
    const regions = this.regions;
    let kept = 0;
    for (const r of regions) if (!inRange(r.base)) regions[kept++] = r;
    regions.length = kept;
  }

  private release(bases: readonly ExecutorAddr[]): void {
    for (const b of bases) {
      if (!this.reservations.delete(b)) throw new OrcError(`release of unknown reservation ${formatAddress(b)}`);
      this.deinitialize([b]);
    }
  }

  async runAsMain(): Promise<number> {
    throw new ExecutorCannotRunCode('runAsMain');
  }
  async runAsVoidFunction(): Promise<void> {
    throw new ExecutorCannotRunCode('runAsVoidFunction');
  }
  async runAsIntFunction(): Promise<number> {
    throw new ExecutorCannotRunCode('runAsIntFunction');
  }
  async callWrapper(): Promise<Uint8Array> {
    throw new ExecutorCannotRunCode('callWrapper');
  }
  async disconnect(): Promise<void> {}
}
