/**
 * Thrown at boot when {@link PathorsModuleOptions} cannot work; the message names the option and the fix.
 */
export class PathorsConfigurationError extends Error {
  override readonly name = 'PathorsConfigurationError';
}

/**
 * Throw it from an `@OnPathorsEvent()` handler for an event that will never succeed, whatever the retries (an
 * unknown customer, a business rule). The event is recorded as failed for good and answered 2xx, so Pathors stops
 * retrying; with a durable inbox it goes straight to the dead letters with this message as its reason. Every other
 * error is retried.
 *
 * @example
 * ```ts
 * @OnPathorsEvent('call.ended')
 * async record(event: CallEndedEvent) {
 *   const customer = await this.customers.findBySession(event.sessionId);
 *   if (!customer) throw new PathorsPermanentError(`no customer for session ${event.sessionId}`);
 * }
 * ```
 */
export class PathorsPermanentError extends Error {
  override readonly name = 'PathorsPermanentError';
}
