import { PathorsDelivery } from './pathors-delivery.js';
import type { MaybePromise } from './steps.util.js';

/** Runs one decorated handler for the dispatch in progress and records its outcome; a promise while it runs on. */
export type PathorsHandlerRunner = (
  instance: object,
  method: (...args: unknown[]) => unknown,
  methodName: string,
  handlerId: string,
  args: unknown[],
) => MaybePromise<void>;

/**
 * The delivery one dispatch hands to its handlers: a {@link PathorsDelivery} that also carries the dispatch's runner,
 * in a private field that handlers, `JSON.stringify` and `console.log` do not see.
 */
export class DispatchedDelivery extends PathorsDelivery {
  readonly #runner: PathorsHandlerRunner;

  constructor(delivery: PathorsDelivery, runner: PathorsHandlerRunner) {
    super(delivery);
    this.#runner = runner;
  }

  /** The runner of the dispatch a handler was called from, or undefined when user code called it directly. */
  static runnerOf(delivery: unknown): PathorsHandlerRunner | undefined {
    return delivery instanceof DispatchedDelivery ? delivery.#runner : undefined;
  }
}
// Printed as what it is to handlers: their delivery.
Object.defineProperty(DispatchedDelivery, 'name', { value: PathorsDelivery.name });
