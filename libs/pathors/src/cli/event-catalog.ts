import type { PathorsDialect } from '../events/pathors-event.map.js';
import { PATHORS_EVENT_BUILDERS, type PathorsPayload } from '../testing/event-builders.js';
import { usageError } from './cli-exit-codes.js';

/** Every triggerable `name (dialect)`, for `--help` and error messages. */
export const describeTriggerableEvents = (): string =>
  (Object.keys(PATHORS_EVENT_BUILDERS) as PathorsDialect[])
    .map((dialect) => `${dialect}: ${Object.keys(PATHORS_EVENT_BUILDERS[dialect]).join(', ')}`)
    .join('\n');

/**
 * Builds the payload of `event`. Without `dialect`, the dialect that has the event (lifecycle for `session.ended`,
 * which both have).
 */
export function buildTriggerPayload(
  event: string,
  dialect?: PathorsDialect,
): { payload: PathorsPayload; dialect: PathorsDialect } {
  const dialects = dialect ? [dialect] : (['lifecycle', 'platform'] as const);
  for (const candidate of dialects) {
    const build = PATHORS_EVENT_BUILDERS[candidate][event];
    if (build) return { payload: build(), dialect: candidate };
  }
  const where = dialect ? ` in the ${dialect} dialect` : '';
  throw usageError(`Unknown event "${event}"${where}. Events:\n${describeTriggerableEvents()}`);
}

const parseValue = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Applies `--set key=value` (dotted keys reach nested fields; a value is parsed as JSON when it is valid JSON, so
 * `callDuration=0` is a number and `'sessionId="42"'` a string) and `--unset key` to a payload, in place.
 */
export function applyFieldEdits(
  payload: PathorsPayload,
  sets: readonly string[],
  unsets: readonly string[],
): void {
  const walk = (path: string, create: boolean): [Record<string, unknown>, string] | undefined => {
    const keys = path.split('.');
    if (
      keys.some((key) => key === '' || key === '__proto__' || key === 'constructor' || key === 'prototype')
    ) {
      throw usageError(`Invalid field path "${path}"`);
    }
    let target: Record<string, unknown> = payload;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        if (!create) return undefined;
        target[key] = {};
      }
      target = target[key] as Record<string, unknown>;
    }
    return [target, keys[keys.length - 1]];
  };
  for (const assignment of sets) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw usageError(`--set expects key=value, got "${assignment}"`);
    const [target, key] = walk(assignment.slice(0, equals), true)!;
    target[key] = parseValue(assignment.slice(equals + 1));
  }
  for (const path of unsets) {
    const found = walk(path, false);
    if (found) delete found[0][found[1]];
  }
}
