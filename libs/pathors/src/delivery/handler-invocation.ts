/** Runs one decorated handler for the dispatch in progress and records its outcome. */
export type PathorsHandlerRunner = (
  instance: object,
  method: (...args: unknown[]) => unknown,
  methodName: string,
  handlerId: string,
  args: unknown[],
) => Promise<void>;

/** Where the dispatcher leaves its runner on the delivery object it passes to handlers. */
export const HANDLER_RUNNER = Symbol('nestjs-pathors:handler-runner');

/** The runner of the dispatch a handler was called from, or undefined when user code called it directly. */
export const runnerOf = (delivery: unknown): PathorsHandlerRunner | undefined =>
  typeof delivery === 'object' && delivery !== null
    ? (delivery as { [HANDLER_RUNNER]?: PathorsHandlerRunner })[HANDLER_RUNNER]
    : undefined;
