import { OrcError } from './errors.js';
import { formatAddress, type ExecutorAddr } from './executor-symbol-def.js';

/** Handles a wrapper call from the executor: serialized arguments in, serialized result out. */
export type JITDispatchHandler = (argument: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * JIT-dispatch handlers by tag address: the executor's `__orc_rt_jit_dispatch(ctx, tag, args)` reaches the handler
 * registered for `tag`.
 */
export class JITDispatchHandlerRegistry {
  private readonly handlers = new Map<ExecutorAddr, { name: string; handler: JITDispatchHandler }>();

  /** Registers `handler` for the tag at `tagAddress`; a tag takes one handler. */
  register(tagAddress: ExecutorAddr, name: string, handler: JITDispatchHandler): void {
    const existing = this.handlers.get(tagAddress);
    if (existing) {
      throw new OrcError(`JIT dispatch tag ${formatAddress(tagAddress)} (${name}) already has a handler (${existing.name})`);
    }
    this.handlers.set(tagAddress, { name, handler });
  }

  /** Registers every `[tagAddress, name, handler]`, or none of them if any tag is taken or given twice. */
  registerAll(entries: ReadonlyArray<readonly [ExecutorAddr, string, JITDispatchHandler]>): void {
    const staged = new JITDispatchHandlerRegistry();
    for (const [tagAddress, name, handler] of entries) {
      const existing = this.handlers.get(tagAddress);
      if (existing) {
        throw new OrcError(`JIT dispatch tag ${formatAddress(tagAddress)} (${name}) already has a handler (${existing.name})`);
      }
      staged.register(tagAddress, name, handler);
    }
    for (const [tagAddress, entry] of staged.handlers) this.handlers.set(tagAddress, entry);
  }

  /** Runs the handler for `tagAddress`. Rejects if there is none. */
  async run(tagAddress: ExecutorAddr, argument: Uint8Array): Promise<Uint8Array> {
    const entry = this.handlers.get(tagAddress);
    if (!entry) throw new OrcError(`No JIT dispatch handler for tag ${formatAddress(tagAddress)}`);
    return entry.handler(argument);
  }

  /** True when a handler is registered for `tagAddress`. */
  has(tagAddress: ExecutorAddr): boolean {
    return this.handlers.has(tagAddress);
  }
}
