import type { ModuleRef } from '@nestjs/core';
import { PathorsConfigurationError } from './pathors.errors.js';

/** The name of the unnamed `PathorsModule` registration. */
export const DEFAULT_PATHORS_REGISTRATION = 'default';

/** Value of every registration's own name, found across the app with `ModuleRef.get(…, { each: true })`. Internal. */
export const PATHORS_REGISTRATION_NAME = Symbol('PATHORS_REGISTRATION_NAME');

/**
 * What a registration provides under a token of its own (see {@link registrationToken}); `simulator` is the testing
 * kit's.
 */
export type PathorsRegistrationRole =
  | 'options'
  | 'api-client'
  | 'sessions'
  | 'chat'
  | 'calls'
  | 'agent'
  | 'store'
  | 'inbox'
  | 'dead-letters'
  | 'simulator';

/** The app-wide token of one provider of one registration, so two registrations never resolve to each other's. */
export const registrationToken = (registration: string, role: PathorsRegistrationRole): string =>
  `nestjs-pathors:${registration}:${role}`;

/** The names of every `PathorsModule` registration of the app, in registration order. */
export function registeredNames(moduleRef: Pick<ModuleRef, 'get'>): string[] {
  try {
    return moduleRef.get<string>(PATHORS_REGISTRATION_NAME, { strict: false, each: true });
  } catch {
    // Nest throws when no module provides the token: the app has no registration at all.
    return [];
  }
}

/** `"sales", "support"`: the registered names for an error message. */
export const listNames = (names: readonly string[]): string =>
  names.length === 0 ? 'none' : names.map((name) => `"${name}"`).join(', ');

/**
 * Throws a {@link PathorsConfigurationError} naming the registered names when the app has no registration named
 * `registration`.
 */
export function requireRegistration(moduleRef: Pick<ModuleRef, 'get'>, registration: string): void {
  const names = registeredNames(moduleRef);
  if (!names.includes(registration)) {
    throw new PathorsConfigurationError(
      `No PathorsModule registration named "${registration}". Registered: ${listNames(names)}. ` +
        'Name a registration with PathorsModule.forRoot({ name }) or forRootAsync({ name, … }).',
    );
  }
}
