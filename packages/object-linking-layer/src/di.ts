import { ExecutionSession } from '@orc-ts/core';
import { instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { ElfObjectFormat } from './elf-graph/elf-object-format.js';
import { ExecutorJITLinkMemoryManager, type JITLinkMemoryManager } from './graph/jitlink-memory-manager.js';
import type { LinkTarget } from './graph/link-target.js';
import { LinkTargetRegistry } from './graph/link-target-registry.js';
import type { ObjectFileFormat } from './layer/object-file-format.js';
import { LinkedSymbolMap } from './layer/linked-symbol-map.js';
import { ObjectLinkingLayer } from './layer/object-linking-layer.js';
import type { ObjectLinkingLayerPlugin } from './layer/object-linking-layer-plugin.js';

/** Multi-registration token: link targets (one per machine). Targets register themselves with it. */
export const LinkTargetToken: InjectionToken<LinkTarget> = Symbol.for('orc-ts:LinkTarget');
/** Multi-registration token: {@link ObjectLinkingLayer} plugins, run in ascending `priority`. */
export const ObjectLinkingLayerPluginToken: InjectionToken<ObjectLinkingLayerPlugin> = Symbol.for('orc-ts:ObjectLinkingLayerPlugin');
/** Token of the memory manager (default: one contiguous executor reservation per graph). */
export const JITLinkMemoryManagerToken: InjectionToken<JITLinkMemoryManager> = Symbol.for('orc-ts:JITLinkMemoryManager');
/** Token of the object file format read by `ObjectLinkingLayer.add` (default: ELF). */
export const ObjectFileFormatToken: InjectionToken<ObjectFileFormat> = Symbol.for('orc-ts:ObjectFileFormat');
/** Token of the {@link ObjectLinkingLayer} (also resolvable by its class). */
export const ObjectLinkingLayerToken: InjectionToken<ObjectLinkingLayer> = ObjectLinkingLayer;

function all<T>(c: DependencyContainer, token: InjectionToken<T>): T[] {
  return c.isRegistered(token, true) ? c.resolveAll(token) : [];
}

/** Options of {@link registerObjectLinkingLayer}. */
export interface RegisterObjectLinkingLayerOptions {
  /**
   * Install a {@link LinkedSymbolMap} so the session can name the linked symbol an executor address falls in (fault
   * reports). Default true.
   */
  symbolizeAddresses?: boolean;
}

/**
 * Registers the linker's defaults in `container` (after `registerCore`): the {@link ObjectLinkingLayer} as a
 * per-container singleton built on the session, with every registered link target and plugin, the registered (or
 * default) memory manager and object format, and (unless disabled) a {@link LinkedSymbolMap}. Override any piece by
 * registering its token.
 */
export function registerObjectLinkingLayer(container: DependencyContainer, options: RegisterObjectLinkingLayerOptions = {}): void {
  container.register(ObjectLinkingLayer, {
    useFactory: instanceCachingFactory<ObjectLinkingLayer>((c) => {
      const es = c.resolve(ExecutionSession);
      const memoryManager = c.isRegistered(JITLinkMemoryManagerToken, true)
        ? c.resolve(JITLinkMemoryManagerToken)
        : new ExecutorJITLinkMemoryManager(es.getExecutorProcessControl().memoryManager);
      const format = c.isRegistered(ObjectFileFormatToken, true) ? c.resolve(ObjectFileFormatToken) : new ElfObjectFormat();
      const layer = new ObjectLinkingLayer(es, memoryManager, new LinkTargetRegistry(all(c, LinkTargetToken)), format);
      if (options.symbolizeAddresses !== false) layer.addPlugin(new LinkedSymbolMap(es));
      for (const p of all(c, ObjectLinkingLayerPluginToken)) layer.addPlugin(p);
      return layer;
    }),
  });
}
