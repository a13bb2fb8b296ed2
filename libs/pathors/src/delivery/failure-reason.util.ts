/** What a failure says, for a log line: an error's message, or the thrown value as text. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
