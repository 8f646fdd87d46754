import type { JITDylib, MaterializationResponsibility, ResourceKey } from '@orc-ts/core';
import type { InFlightAllocation } from '../graph/jitlink-memory-manager.js';
import type { LinkGraph } from '../graph/link-graph.js';
import type { PassConfiguration } from '../graph/pass-configuration.js';

/**
 * Extends the {@link ObjectLinkingLayer}: adds passes to every link and hears about emitted, failed, removed and
 * transferred resources (ORC's `ObjectLinkingLayer::Plugin`).
 */
export interface ObjectLinkingLayerPlugin {
  /** Plugins run in ascending priority (default 0); ties keep registration order. */
  readonly priority?: number;
  /** Adds passes for the link of `graph` on behalf of `mr`. */
  modifyPassConfig?(mr: MaterializationResponsibility, graph: LinkGraph, config: PassConfiguration): void;
  /** Called with the allocation before finalization (e.g. to add finalize actions). */
  notifyAllocated?(mr: MaterializationResponsibility, graph: LinkGraph, allocation: InFlightAllocation): void;
  /** Called once the graph's memory is finalized, before its symbols are emitted. May fail the link. */
  notifyEmitted?(mr: MaterializationResponsibility, graph: LinkGraph): void | Promise<void>;
  /** Called when a link fails. */
  notifyFailed?(mr: MaterializationResponsibility, error: unknown): void;
  /** Called when the resources of `key` in `jd` are removed. */
  notifyRemovingResources?(jd: JITDylib, key: ResourceKey): void | Promise<void>;
  /** Called when the resources of `srcKey` move to `dstKey`. */
  notifyTransferringResources?(jd: JITDylib, dstKey: ResourceKey, srcKey: ResourceKey): void;
}
