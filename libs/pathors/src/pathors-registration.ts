import type { ModuleRef } from '@nestjs/core';

/** The name of the unnamed `PathorsModule` registration. */
export const DEFAULT_PATHORS_REGISTRATION = 'default';

/** Value of every registration's own name, found across the app with `ModuleRef.get(…, { each: true })`. Internal. */
export const PATHORS_REGISTRATION_NAME = Symbol('PATHORS_REGISTRATION_NAME');

/** What a registration provides under a token of its own (see {@link registrationToken}). */
export type PathorsRegistrationRole = 'options' | 'api-client' | 'sessions' | 'chat' | 'calls' | 'agent';

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
