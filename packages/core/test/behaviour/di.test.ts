/**
 * `registerCore(container)`: one session per (child) container, built from what is registered there; nothing in
 * tsyringe's global container.
 */
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { container as globalContainer, type InjectionToken } from 'tsyringe';
import {
  ErrorReporterToken,
  ExecutionSession,
  ExecutionSessionToken,
  ExecutorProcessControlToken,
  InPlaceTaskDispatcher,
  PlatformToken,
  QueueingTaskDispatcher,
  ResourceManagerToken,
  SimpleMaterializationUnit,
  TaskDispatcherToken,
  absoluteSymbols,
  registerCore,
  type ExecutorProcessControl,
  type JITDylib,
  type MaterializationUnit,
  type Platform,
  type ResourceKey,
  type ResourceManager,
  type ResourceTracker,
} from '@orc-ts/core';
import { X, turns, withinSafetyNet } from './helpers.js';

const allTokens: ReadonlyArray<InjectionToken<unknown>> = [
  ExecutionSessionToken,
  ExecutionSession,
  TaskDispatcherToken,
  ErrorReporterToken,
  ExecutorProcessControlToken,
  PlatformToken,
  ResourceManagerToken,
];

function fakeExecutor(bootstrap: ReadonlyMap<string, bigint>): ExecutorProcessControl {
  const unused = (): never => {
    throw new Error('not used');
  };
  return {
    targetTriple: 'aarch64-unknown-linux-gnu',
    pageSize: 4096,
    memoryAccess: { readBytes: unused, writeBytes: unused },
    memoryManager: { pageSize: 4096, reserve: unused, initialize: unused, deinitialize: unused, release: unused },
    getBootstrapSymbols: () => bootstrap,
    runAsMain: unused,
    runAsVoidFunction: unused,
    runAsIntFunction: unused,
    callWrapper: unused,
    disconnect: async () => {},
  };
}

describe('registerCore', () => {
  it('resolves one ExecutionSession per container, a different one per container', () => {
    const c1 = globalContainer.createChildContainer();
    const c2 = globalContainer.createChildContainer();
    registerCore(c1);
    registerCore(c2);
    const es1 = c1.resolve(ExecutionSession);
    expect(es1).toBeInstanceOf(ExecutionSession);
    expect(c1.resolve(ExecutionSession)).toBe(es1);
    expect(c1.resolve(ExecutionSessionToken)).toBe(es1);
    const es2 = c2.resolve(ExecutionSessionToken);
    expect(es2).toBeInstanceOf(ExecutionSession);
    expect(es2).not.toBe(es1);
    expect(c2.resolve(ExecutionSession)).toBe(es2);
    // Each session has its own dispatcher, the default in-place one.
    expect(es1.getDispatcher()).toBeInstanceOf(InPlaceTaskDispatcher);
    expect(es1.getDispatcher()).not.toBe(es2.getDispatcher());
    expect(c1.resolve(TaskDispatcherToken)).toBe(es1.getDispatcher());
    expect(es1.hasExecutorProcessControl()).toBe(false);
  });

  it('registers nothing in the global container', () => {
    const child = globalContainer.createChildContainer();
    registerCore(child, { dispatcher: 'queueing' });
    child.resolve(ExecutionSession);
    for (const token of allTokens) expect(globalContainer.isRegistered(token, true)).toBe(false);
    expect(child.isRegistered(ExecutionSession)).toBe(true);
    expect(child.isRegistered(TaskDispatcherToken)).toBe(true);
  });

  it('picks up a registered executor, error reporter, platform and resource managers', async () => {
    const c = globalContainer.createChildContainer();
    const reported: unknown[] = [];
    const removed: string[] = [];
    const rm = (tag: string): ResourceManager => ({
      handleRemoveResources: (_jd: JITDylib, key: ResourceKey) => {
        removed.push(`${tag}:${key}`);
      },
      handleTransferResources: () => {},
    });
    const platformCalls: string[] = [];
    const platform: Platform = {
      setupJITDylib: (jd: JITDylib) => {
        platformCalls.push(`setup ${jd.getName()}`);
      },
      teardownJITDylib: (jd: JITDylib) => {
        platformCalls.push(`teardown ${jd.getName()}`);
      },
      notifyAdding: (_rt: ResourceTracker, mu: MaterializationUnit) => {
        platformCalls.push(`adding ${[...mu.getSymbols().keys()].join(',')}`);
      },
      notifyRemoving: () => {},
    };
    const epc = fakeExecutor(new Map([['__orc_rt_jit_dispatch', 0x7000n]]));
    c.register(ExecutorProcessControlToken, { useValue: epc });
    c.register(ErrorReporterToken, { useValue: (e: unknown) => reported.push(e) });
    c.register(PlatformToken, { useValue: platform });
    c.register(ResourceManagerToken, { useValue: rm('rm1') });
    c.register(ResourceManagerToken, { useValue: rm('rm2') });
    registerCore(c);
    const es = c.resolve(ExecutionSession);

    expect(es.getExecutorProcessControl()).toBe(epc);
    const bootstrap = es.getJITDylibByName('<bootstrap>')!;
    expect((await es.lookup(bootstrap, '__orc_rt_jit_dispatch')).address).toBe(0x7000n);
    expect(es.getPlatform()).toBe(platform);

    const boom = new Error('reported');
    es.reportError(boom);
    expect(reported).toEqual([boom]);

    const jd = es.createJITDylib('main');
    jd.define(absoluteSymbols(new Map([['foo', { address: 1n, flags: X }]])));
    // The platform is installed once the session exists, after the executor's bootstrap symbols were defined.
    expect(platformCalls).toEqual(['setup main', 'adding foo']);
    const key = jd.getDefaultResourceTracker().getKey();
    await jd.getDefaultResourceTracker().remove();
    // Managers hear about removals newest first.
    expect(removed).toEqual([`rm2:${key}`, `rm1:${key}`]);
  });

  it('registrations made after registerCore but before the first resolve win', () => {
    const c = globalContainer.createChildContainer();
    registerCore(c);
    const reported: unknown[] = [];
    c.register(ErrorReporterToken, { useValue: (e: unknown) => reported.push(e) });
    const es = c.resolve(ExecutionSession);
    es.reportError('late');
    expect(reported).toEqual(['late']);
  });

  it("dispatcher: 'queueing' gives the session a queueing dispatcher that runs materializations", async () => {
    const c = globalContainer.createChildContainer();
    registerCore(c, { dispatcher: 'queueing', maxConcurrentMaterializations: 1 });
    const es = c.resolve(ExecutionSession);
    const d = es.getDispatcher();
    expect(d).toBeInstanceOf(QueueingTaskDispatcher);
    expect(c.resolve(TaskDispatcherToken)).toBe(d);

    const jd = es.createJITDylib('main');
    let running = 0;
    let maxRunning = 0;
    for (const n of ['a', 'b', 'c']) {
      jd.define(
        new SimpleMaterializationUnit(new Map([[n, X]]), {
          materialize: async (mr) => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            await turns(1);
            running--;
            mr.notifyResolved(new Map([[n, { address: 0x10n, flags: X }]]));
            mr.notifyEmitted();
          },
        }),
      );
    }
    const p = es.lookup(jd, ['a', 'b', 'c']);
    let settledSynchronously = false;
    void p.then(() => (settledSynchronously = true));
    expect(settledSynchronously).toBe(false);
    expect((await withinSafetyNet(p, 'queueing lookup hung')).size).toBe(3);
    expect(maxRunning).toBe(1); // the cap was passed through
  });

  it('a dispatcher instance, or one registered beforehand, is used as is', () => {
    const mine = new QueueingTaskDispatcher();
    const c1 = globalContainer.createChildContainer();
    registerCore(c1, { dispatcher: mine });
    expect(c1.resolve(ExecutionSession).getDispatcher()).toBe(mine);

    const pre = new InPlaceTaskDispatcher();
    const c2 = globalContainer.createChildContainer();
    c2.register(TaskDispatcherToken, { useValue: pre });
    registerCore(c2, { dispatcher: 'queueing' });
    expect(c2.resolve(ExecutionSession).getDispatcher()).toBe(pre);
  });

  it('child containers of a JIT container share its session; siblings do not', () => {
    const jit = globalContainer.createChildContainer();
    registerCore(jit);
    const es = jit.resolve(ExecutionSession);
    expect(jit.createChildContainer().resolve(ExecutionSession)).toBe(es);
    const other = globalContainer.createChildContainer();
    registerCore(other);
    expect(other.resolve(ExecutionSession)).not.toBe(es);
  });
});
