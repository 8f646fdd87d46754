import { AsyncLocalStorage } from 'node:async_hooks';

/** A unit of work the session hands to its {@link TaskDispatcher}. */
export interface Task {
  /** Runs the task. An async task returns a promise that settles when it is done. */
  run(): void | Promise<void>;
  /** A short description for logs and errors. */
  describe(): string;
  /** Called instead of `run` when the dispatcher drops the task (e.g. after shutdown). */
  cancel?(): void;
  /** True for materialization tasks, which a dispatcher may cap. */
  readonly isMaterialization?: boolean;
}

/** Runs tasks: in place, on a queue, on workers... */
export interface TaskDispatcher {
  /** Hands a task over for running. */
  dispatch(task: Task): void;
  /** Stops accepting tasks and settles when every accepted task has finished. */
  shutdown(): Promise<void>;
  /**
   * Optional: called by the session when the running task starts waiting on a lookup; returns what to call when
   * the wait ends (or undefined). Lets a capping dispatcher free the slot of a materialization that waits.
   */
  beginWait?(): (() => void) | undefined;
}

/** A task that calls a function. */
export class GenericNamedTask implements Task {
  constructor(
    private readonly fn: () => void | Promise<void>,
    private readonly description: string,
  ) {}
  run(): void | Promise<void> {
    return this.fn();
  }
  describe(): string {
    return this.description;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function reportUnhandled(task: Task, error: unknown): void {
  console.error(`orc-ts: task '${task.describe()}' failed:`, error);
}

/**
 * Runs every task immediately on the calling stack (ORC's `InPlaceTaskDispatcher`): results are visible as soon as
 * the call that triggered them returns, which makes it the simplest dispatcher to reason about in tests.
 */
export class InPlaceTaskDispatcher implements TaskDispatcher {
  private shutDown = false;
  private readonly running = new Set<Promise<unknown>>();

  dispatch(task: Task): void {
    if (this.shutDown) {
      task.cancel?.();
      return;
    }
    const result = task.run();
    if (isPromiseLike(result)) {
      const p = Promise.resolve(result).catch((e: unknown) => reportUnhandled(task, e));
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    while (this.running.size) await Promise.all(this.running);
  }
}

/**
 * The running materialization, if any. One storage for every dispatcher: Node keeps each AsyncLocalStorage that was
 * ever used in a process-wide list that every new promise walks, so one per dispatcher would slow the whole process
 * down (and leak) as dispatchers come and go.
 */
const materializationContext = new AsyncLocalStorage<MaterializationContext>();

/** Options of {@link QueueingTaskDispatcher}. */
export interface QueueingTaskDispatcherOptions {
  /**
   * At most this many asynchronous materializations outstanding at once (default: unlimited). A materialization
   * started while another one is running (e.g. by a nested lookup it awaits) is not counted against the cap, and a
   * materialization waiting on a lookup gives its slot up until the lookup completes (the symbols it waits for may
   * be queued behind it), so a materializer waiting on a nested lookup cannot deadlock the queue.
   */
  maxConcurrentMaterializations?: number;
  /** How many tasks to run per turn of the event loop before yielding to I/O (default 1024). */
  batchSize?: number;
}

/**
 * Queues tasks and runs them asynchronously, a batch per turn of the event loop (the role of ORC's
 * `DynamicThreadPoolTaskDispatcher`: callers never see work done on their stack). Asynchronous materializations can
 * be capped. `whenIdle()` settles when the queue has drained, like ORC's `run_to_complete` in tests.
 */
export class QueueingTaskDispatcher implements TaskDispatcher {
  private readonly queue: Array<Task | undefined> = [];
  private head = 0;
  private readonly deferredMaterializations: Task[] = [];
  private scheduled = false;
  private shutDown = false;
  private runningMaterializations = 0;
  private outstandingAsync = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly maxMaterializations: number;
  private readonly batchSize: number;

  constructor(options: QueueingTaskDispatcherOptions = {}) {
    this.maxMaterializations = options.maxConcurrentMaterializations ?? Infinity;
    this.batchSize = options.batchSize ?? 1024;
    if (!(this.maxMaterializations >= 1)) throw new RangeError('maxConcurrentMaterializations must be at least 1');
  }

  dispatch(task: Task): void {
    if (this.shutDown) {
      task.cancel?.();
      return;
    }
    if (task.isMaterialization && materializationContext.getStore()?.owner === this) {
      // Nested materialization (dispatched from inside a running one): runs outside the cap.
      this.queue.push(new NestedTask(task));
    } else {
      this.queue.push(task);
    }
    this.schedule();
  }

  /** Number of tasks queued or running. */
  get pending(): number {
    return this.queue.length - this.head + this.deferredMaterializations.length + this.outstandingAsync;
  }

  /** Settles when no task is queued or running. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async shutdown(): Promise<void> {
    await this.whenIdle();
    this.shutDown = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    let budget = this.batchSize;
    while (budget-- > 0 && this.head < this.queue.length) {
      const task = this.queue[this.head]!;
      this.queue[this.head++] = undefined; // a task (and the responsibility it holds) must not outlive its run
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.runOne(task);
    }
    if (this.head < this.queue.length) this.schedule();
    else this.notifyIfIdle();
  }

  private runOne(task: Task): void {
    const capped = task.isMaterialization === true && !(task instanceof NestedTask);
    if (capped && this.runningMaterializations >= this.maxMaterializations) {
      this.deferredMaterializations.push(task);
      return;
    }
    if (capped) this.runningMaterializations++;
    const ctx: MaterializationContext = { owner: this, capped, holdsSlot: capped, waits: 0 };
    let result: void | Promise<void>;
    try {
      result = task.isMaterialization
        ? materializationContext.run(ctx, () => task.run())
        : materializationContext.exit(() => task.run());
    } catch (e) {
      reportUnhandled(task, e);
      result = undefined;
    }
    if (isPromiseLike(result)) {
      this.outstandingAsync++;
      Promise.resolve(result)
        .catch((e: unknown) => reportUnhandled(task, e))
        .finally(() => {
          this.outstandingAsync--;
          if (capped) this.finishMaterialization(ctx);
          this.notifyIfIdle();
        });
    } else if (capped) {
      this.finishMaterialization(ctx);
    }
  }

  /**
   * A capped materialization that waits on a lookup gives its slot up until the lookup completes, so that the
   * materializations it waits for can run even if they are queued behind it; it then takes a slot back (briefly
   * exceeding the cap, as nested materializations do).
   */
  beginWait(): (() => void) | undefined {
    const ctx = materializationContext.getStore();
    if (!ctx?.capped || ctx.owner !== this) return undefined;
    if (ctx.waits++ === 0 && ctx.holdsSlot) {
      ctx.holdsSlot = false;
      this.releaseSlot();
    }
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--ctx.waits === 0 && ctx.capped && !ctx.holdsSlot) {
        ctx.holdsSlot = true;
        this.runningMaterializations++;
      }
    };
  }

  private finishMaterialization(ctx: MaterializationContext): void {
    ctx.capped = false;
    if (!ctx.holdsSlot) return;
    ctx.holdsSlot = false;
    this.releaseSlot();
  }

  private releaseSlot(): void {
    this.runningMaterializations--;
    const next = this.deferredMaterializations.shift();
    if (next) {
      this.queue.push(next);
      this.schedule();
    }
  }

  private notifyIfIdle(): void {
    if (this.pending !== 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** The async context of a running materialization task. */
interface MaterializationContext {
  /** The dispatcher running it. */
  owner: QueueingTaskDispatcher;
  /** Counted against the cap: a top-level materialization that has not finished. */
  capped: boolean;
  /** Holds one of the cap's slots right now. */
  holdsSlot: boolean;
  /** Lookups it is waiting on. */
  waits: number;
}

/** A materialization dispatched from inside a running one; it runs outside the dispatcher's cap. */
class NestedTask implements Task {
  readonly isMaterialization = true;
  constructor(private readonly inner: Task) {}
  run(): void | Promise<void> {
    return this.inner.run();
  }
  describe(): string {
    return this.inner.describe();
  }
  cancel(): void {
    this.inner.cancel?.();
  }
}
