/**
 * Thrown at boot when {@link PathorsModuleOptions} cannot work; the message names the option and the fix.
 */
export class PathorsConfigurationError extends Error {
  override readonly name = 'PathorsConfigurationError';
}
