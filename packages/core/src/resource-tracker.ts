import type { JITDylib } from './jit-dylib.js';

/** The identity of a resource tracker, as resource managers see it. */
export type ResourceKey = number;

let nextKey = 1;

/**
 * Tracks the resources (symbols, executor memory...) added to a JITDylib under it, so that they can be removed
 * together (`remove`) or handed to another tracker (`transferTo`). Each JITDylib has a default tracker that owns
 * everything added without an explicit one.
 */
export class ResourceTracker {
  private defunct = false;
  private readonly key: ResourceKey = nextKey++;

  /** @internal Trackers are created by `JITDylib.createResourceTracker`. */
  constructor(private readonly jd: JITDylib) {}

  /** The JITDylib this tracker belongs to. */
  getJITDylib(): JITDylib {
    return this.jd;
  }

  /** The key resource managers file this tracker's resources under. */
  getKey(): ResourceKey {
    return this.key;
  }

  /** True once the tracker has been removed or transferred; it can then no longer be used. */
  isDefunct(): boolean {
    return this.defunct;
  }

  /** @internal */
  markDefunct(): void {
    this.defunct = true;
  }

  /**
   * Removes every symbol and resource tracked here: in-flight symbols fail (and so do their dependants), resource
   * managers release their resources. Settles with the joined errors of the resource managers, if any.
   */
  remove(): Promise<void> {
    return this.jd.getExecutionSession().removeResourceTracker(this);
  }

  /** Moves everything tracked here to `dst` (same JITDylib); this tracker becomes defunct unless `dst` is itself. */
  transferTo(dst: ResourceTracker): void {
    this.jd.getExecutionSession().transferResourceTracker(dst, this);
  }

  /**
   * Gives up this handle. As when ORC drops its last handle to a live tracker, the resources move to the JITDylib's
   * default tracker: the code stays; only the ability to remove it separately goes.
   */
  release(): void {
    if (this.defunct) return;
    const dflt = this.jd.getDefaultResourceTracker();
    if (dflt !== this) this.transferTo(dflt);
  }
}

/** Something that keeps resources per tracker (e.g. executor memory) and releases them when asked. */
export interface ResourceManager {
  /** Releases everything recorded under `key` in `jd`. May fail; errors are joined and reported by `remove`. */
  handleRemoveResources(jd: JITDylib, key: ResourceKey): void | Promise<void>;
  /** Moves everything recorded under `srcKey` to `dstKey`. Must not fail. */
  handleTransferResources(jd: JITDylib, dstKey: ResourceKey, srcKey: ResourceKey): void;
}
