import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { instanceCachingFactory } from 'tsyringe';
import { ExecutionSession, type ErrorReporter } from './execution-session.js';
import type { ExecutorProcessControl } from './executor-process-control.js';
import type { Platform } from './platform.js';
import type { ResourceManager } from './resource-tracker.js';
import { InPlaceTaskDispatcher, QueueingTaskDispatcher, type TaskDispatcher } from './task-dispatch.js';

/** Token of the executor a JIT uses. */
export const ExecutorProcessControlToken: InjectionToken<ExecutorProcessControl> = Symbol.for('orc-ts:ExecutorProcessControl');
/** Token of the session's task dispatcher. */
export const TaskDispatcherToken: InjectionToken<TaskDispatcher> = Symbol.for('orc-ts:TaskDispatcher');
/** Token of the session's error reporter. */
export const ErrorReporterToken: InjectionToken<ErrorReporter> = Symbol.for('orc-ts:ErrorReporter');
/** Token of the session's platform (optional). */
export const PlatformToken: InjectionToken<Platform> = Symbol.for('orc-ts:Platform');
/** Multi-registration token: resource managers registered with the session when it is created. */
export const ResourceManagerToken: InjectionToken<ResourceManager> = Symbol.for('orc-ts:ResourceManager');
/** Token of the {@link ExecutionSession} (also resolvable by its class). */
export const ExecutionSessionToken: InjectionToken<ExecutionSession> = ExecutionSession;

/** Options of {@link registerCore}. */
export interface RegisterCoreOptions {
  /** `inPlace` (default) or `queueing` dispatch, or a dispatcher instance. */
  dispatcher?: 'inPlace' | 'queueing' | TaskDispatcher;
  /** For the queueing dispatcher: cap on concurrent asynchronous materializations. */
  maxConcurrentMaterializations?: number;
}

function optional<T>(c: DependencyContainer, token: InjectionToken<T>): T | undefined {
  return c.isRegistered(token, true) ? c.resolve(token) : undefined;
}

/**
 * Registers the core's defaults in `container` (use one child container per JIT): a task dispatcher, and the
 * {@link ExecutionSession} as a per-container singleton built from whatever executor, dispatcher, error reporter,
 * platform and resource managers are registered when it is first resolved. Registrations made before calling this
 * (or after, before resolving) win over the defaults.
 */
export function registerCore(container: DependencyContainer, options: RegisterCoreOptions = {}): void {
  if (!container.isRegistered(TaskDispatcherToken)) {
    const d = options.dispatcher ?? 'inPlace';
    container.register(TaskDispatcherToken, {
      useFactory: instanceCachingFactory<TaskDispatcher>(() =>
        typeof d === 'object'
          ? d
          : d === 'queueing'
            ? new QueueingTaskDispatcher({ maxConcurrentMaterializations: options.maxConcurrentMaterializations })
            : new InPlaceTaskDispatcher(),
      ),
    });
  }
  container.register(ExecutionSession, {
    useFactory: instanceCachingFactory<ExecutionSession>((c) => {
      const es = new ExecutionSession({
        executorProcessControl: optional(c, ExecutorProcessControlToken),
        dispatcher: c.resolve(TaskDispatcherToken),
        errorReporter: optional(c, ErrorReporterToken),
      });
      const platform = optional(c, PlatformToken);
      if (platform) es.setPlatform(platform);
      if (c.isRegistered(ResourceManagerToken, true)) for (const rm of c.resolveAll(ResourceManagerToken)) es.registerResourceManager(rm);
      return es;
    }),
  });
}
