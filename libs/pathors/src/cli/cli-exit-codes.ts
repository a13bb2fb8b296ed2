/**
 * Exit codes of the `nestjs-pathors` CLI; scripts can rely on them.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success: every delivery answered 2xx; `verify`: the request authenticates |
 * | 1 | the endpoint answered at least one non-2xx status |
 * | 2 | usage error: unknown command or option, bad value, unreadable or malformed input file |
 * | 3 | the endpoint could not be reached (connection refused, DNS, timeout) |
 * | 4 | `verify`: the request does not authenticate |
 */
export const CLI_EXIT = {
  ok: 0,
  nonSuccessStatus: 1,
  usage: 2,
  unreachable: 3,
  notAuthentic: 4,
} as const;

/** One of {@link CLI_EXIT}'s values. */
export type CliExitCode = (typeof CLI_EXIT)[keyof typeof CLI_EXIT];

/** What each exit code means, as every command's `--help` prints it. */
export const CLI_EXIT_MEANINGS: Readonly<Record<CliExitCode, string>> = {
  0: 'success (every delivery answered 2xx; verify: the request authenticates)',
  1: 'the endpoint answered at least one non-2xx status',
  2: 'usage error (unknown command or option, bad value, unreadable or malformed input file, missing credential)',
  3: 'the endpoint could not be reached (connection refused, DNS, timeout)',
  4: 'verify: the request does not authenticate',
};

/** A failure the CLI reports as one line on stderr and turns into its exit code. */
export class PathorsCliError extends Error {
  /** `message` is printed after `error`; `exitCode` ends the process. */
  constructor(
    message: string,
    readonly exitCode: CliExitCode,
  ) {
    super(message);
    this.name = 'PathorsCliError';
  }
}

/** A usage error (exit code 2) whose message says what to fix. */
export const usageError = (message: string): PathorsCliError => new PathorsCliError(message, CLI_EXIT.usage);
