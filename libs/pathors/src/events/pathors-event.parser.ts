import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { PATHORS_EVENT_CLASSES, type PathorsDialect, type PathorsEvent } from './pathors-event.map.js';
import { findUnknownPathorsValues, type PathorsUnknownValue } from './pathors-value.js';
import { UnknownPathorsEvent } from './unknown-pathors.event.js';

/** One reason a payload was rejected: the field path (dotted, `''` for the body itself) and why. */
export interface PathorsEventIssue {
  readonly path: string;
  readonly reason: string;
}

/** A payload that became a known, validated event instance. */
export interface ParsedKnownEvent {
  readonly kind: 'known';
  readonly name: string;
  readonly dialect: PathorsDialect;
  readonly event: PathorsEvent;
  /** Vendor enum values this version does not list (accepted as strings), with their paths; usually empty. */
  readonly unknownValues: readonly PathorsUnknownValue[];
}

/** A payload whose discriminator names an event this version does not know. */
export interface ParsedUnknownEvent {
  readonly kind: 'unknown';
  readonly name: string;
  readonly dialect: PathorsDialect;
  readonly event: UnknownPathorsEvent;
}

/** A payload that was rejected, with every reason. */
export interface RejectedPayload {
  readonly kind: 'invalid';
  readonly issues: readonly PathorsEventIssue[];
}

/** What {@link parsePathorsEvent} makes of a payload. */
export type ParsedPathorsPayload = ParsedKnownEvent | ParsedUnknownEvent | RejectedPayload;

/** Deepest nesting accepted in a payload; Pathors' payloads nest three levels at most. */
export const MAX_PAYLOAD_DEPTH = 32;

const invalid = (path: string, reason: string): RejectedPayload => ({
  kind: 'invalid',
  issues: [{ path, reason }],
});

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Finds what must never reach class-transformer: `__proto__` keys (they would replace an instance's prototype),
 * `constructor` keys whatever their value (class-transformer reads a nested object's `constructor` as its class and
 * throws on anything else, a 500 the sender would retry forever) and nesting deeper than {@link MAX_PAYLOAD_DEPTH}.
 * The walk stops descending at that depth, so a hostile depth cannot overflow the stack; a path is built only for the
 * issue found.
 */
export function findUnsafePayloadShape(payload: unknown): PathorsEventIssue | undefined {
  return typeof payload === 'object' && payload !== null ? unsafeShapeIn(payload, 0) : undefined;
}

function unsafeShapeIn(value: object, depth: number): PathorsEventIssue | undefined {
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'constructor') return { path: key, reason: 'forbidden key' };
    const child = (value as Record<string, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    const issue =
      depth === MAX_PAYLOAD_DEPTH
        ? { path: '', reason: `nesting deeper than ${MAX_PAYLOAD_DEPTH} levels` }
        : unsafeShapeIn(child, depth + 1);
    if (issue) return { path: issue.path === '' ? key : `${key}.${issue.path}`, reason: issue.reason };
  }
  return undefined;
}

const flattenErrors = (errors: readonly ValidationError[], parent = ''): PathorsEventIssue[] =>
  errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ path, reason }));
    return [...own, ...flattenErrors(error.children ?? [], path)];
  });

/**
 * Turns a parsed JSON body into an instance of its event class, validated with the module's own settings (the host's
 * global ValidationPipe does not apply). Documented fields are strict on their JSON type and presence, but a vendor
 * enum field takes any string: a value this version does not list is accepted and reported in `unknownValues`. An
 * optional field sent as `null` counts as absent. Unknown extra fields are kept on the instance. The discriminator
 * picks the dialect: `event` (lifecycle) or `eventType` (platform).
 */
export function parsePathorsEvent(payload: unknown): ParsedPathorsPayload {
  if (!isPlainObject(payload)) return invalid('', 'body must be a JSON object');
  const unsafe = findUnsafePayloadShape(payload);
  if (unsafe) return { kind: 'invalid', issues: [unsafe] };

  const hasEvent = payload.event !== undefined;
  const hasEventType = payload.eventType !== undefined;
  if (hasEvent && hasEventType) {
    return invalid(
      '',
      'body has both "event" and "eventType"; a Pathors event carries exactly one discriminator',
    );
  }
  if (!hasEvent && !hasEventType) {
    return invalid('event', 'body has no "event" (lifecycle) or "eventType" (platform) discriminator');
  }
  const dialect: PathorsDialect = hasEvent ? 'lifecycle' : 'platform';
  const discriminator = hasEvent ? 'event' : 'eventType';
  const name = payload[discriminator];
  if (typeof name !== 'string' || name.trim() === '') {
    return invalid(discriminator, `${discriminator} must be a non-empty string`);
  }

  const eventClass = PATHORS_EVENT_CLASSES[dialect].get(name);
  if (!eventClass) {
    const event = Object.assign(new UnknownPathorsEvent(), payload);
    Object.defineProperties(event, {
      name: { value: name, enumerable: false },
      dialect: { value: dialect, enumerable: false },
    });
    return { kind: 'unknown', name, dialect, event };
  }

  // exposeUnsetFields: false, so an optional field sent as null (transformed to undefined) is left off the instance.
  const event = plainToInstance(eventClass, payload, {
    enableImplicitConversion: false,
    exposeUnsetFields: false,
  });
  const errors = validateSync(event, {
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) return { kind: 'invalid', issues: flattenErrors(errors) };
  return { kind: 'known', name, dialect, event, unknownValues: findUnknownPathorsValues(event) };
}
