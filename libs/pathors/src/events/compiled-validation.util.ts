import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import type { ConstraintMetadata } from 'class-validator/types/metadata/ConstraintMetadata.js';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';

/** A class, as `object.constructor` gives it. */
type Target = object['constructor'];

interface ConstraintCheck {
  readonly metadata: ValidationMetadata;
  /** The synchronous ones: `validateSync` ignores asynchronous constraints (a promise is not a verdict). */
  readonly constraints: readonly ConstraintMetadata[];
  /**
   * The arguments every constraint of this check receives, built once; `object` and `value` are set before each call.
   * Validation is synchronous and a check's arguments are done with before any nested object is validated.
   */
  readonly args: ValidationArguments;
}

interface PropertyChecks {
  readonly name: string;
  readonly conditions: readonly ValidationMetadata[];
  /** `@IsDefined` checks, then the other constraints: the order class-validator runs them in. */
  readonly checks: readonly ConstraintCheck[];
  readonly nested: readonly ValidationMetadata[];
}

/** The validation metadata of one class, grouped the way class-validator's executor groups it on every call. */
interface ValidationPlan {
  /** No metadata at all: under `forbidUnknownValues` the value is rejected. */
  readonly unknown: boolean;
  readonly properties: readonly PropertyChecks[];
}

/** A class's compiled check: `true` when every constraint holds, `false` when invalid or not sure. */
type CompiledCheck = (object: object) => boolean;

const compiledChecks = new Map<Target, Map<string | undefined, CompiledCheck>>();

const ofType = (metadatas: readonly ValidationMetadata[], type: string) =>
  metadatas.filter((m) => m.type === type);

function buildPlan(target: Target, schema: string | undefined): ValidationPlan | null {
  const storage = getMetadataStorage();
  // Same arguments as class-validator's executor with our options: no groups, `always` false, `strictGroups` false.
  const metadatas = storage.getTargetValidationMetadatas(target, schema as string, false, false, undefined);
  const grouped = storage.groupByPropertyName(metadatas);
  const checks = (list: readonly ValidationMetadata[]): ConstraintCheck[] =>
    list.map((metadata) => ({
      metadata,
      constraints: storage
        .getTargetValidatorConstraints(metadata.constraintCls)
        .filter((constraint) => !constraint.async),
      args: {
        // As class-validator: `object.constructor ? object.constructor.name : undefined`.
        targetName: (target as { name?: string } | undefined)?.name as string,
        property: metadata.propertyName,
        object: {},
        value: undefined,
        constraints: metadata.constraints,
      },
    }));
  const properties: PropertyChecks[] = [];
  for (const name of Object.keys(grouped)) {
    const all = grouped[name]!;
    const rest = all.filter(
      (m) => m.type !== ValidationTypes.IS_DEFINED && m.type !== ValidationTypes.WHITELIST,
    );
    if (ofType(rest, ValidationTypes.PROMISE_VALIDATION).length > 0) return null;
    properties.push({
      name,
      conditions: ofType(rest, ValidationTypes.CONDITIONAL_VALIDATION),
      checks: checks([
        ...ofType(all, ValidationTypes.IS_DEFINED),
        ...ofType(rest, ValidationTypes.CUSTOM_VALIDATION),
      ]),
      nested: ofType(rest, ValidationTypes.NESTED_VALIDATION),
    });
  }
  return { unknown: metadatas.length === 0, properties };
}

const isPromise = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const isCollection = (value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> =>
  Array.isArray(value) || value instanceof Set || value instanceof Map;

/** A constraint's verdict: `true`, or truthy and not a promise (a promise is not a verdict for `validateSync`). */
const passes = (result: unknown): boolean => result === true || (Boolean(result) && !isPromise(result));

function nestedHold(value: unknown, nested: readonly ValidationMetadata[]): boolean {
  if (value === undefined || nested.length === 0) return true;
  // Each item of a collection is validated as the nested value itself (an empty array passes, as in class-validator).
  if (isCollection(value))
    return [...(value instanceof Map ? value.values() : value)].every((item) => nestedHold(item, nested));
  for (const metadata of nested) {
    if (!(value instanceof Object)) return false;
    const schema = typeof metadata.target === 'string' ? metadata.target : metadata.target.name;
    if (!holds(value, schema)) return false;
  }
  return true;
}

const NEVER: CompiledCheck = () => false;

/** A JSON primitive's source text, or undefined for anything else (which is then not inlined). */
function literal(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/**
 * class-validator's own checks (0.15) as expressions, by decorator name, each exactly its function's body for the
 * constraints given; undefined where a constraint is not a plain literal, and the constraint's `validate` is called
 * instead. Inline, the check reads the value where it already is, with no call, no arguments object and no verdict
 * to re-check; the compiled-parsing property test holds every verdict to `validateSync`'s.
 */
const INLINE_CHECKS: Readonly<
  Record<string, (v: string, constraints: readonly unknown[]) => string | undefined>
> = {
  isString: (v) => `(typeof ${v} === 'string' || ${v} instanceof String)`,
  isNotEmpty: (v) => `(${v} !== '' && ${v} !== null && ${v} !== undefined)`,
  isObject: (v) =>
    `(${v} != null && (typeof ${v} === 'object' || typeof ${v} === 'function') && !Array.isArray(${v}))`,
  isArray: (v) => `Array.isArray(${v})`,
  isInt: (v) => `(typeof ${v} === 'number' && Number.isInteger(${v}))`,
  isDate: (v) => `(${v} instanceof Date && !isNaN(${v}.getTime()))`,
  equals: (v, [comparison]) => {
    const text = literal(comparison);
    return text === undefined ? undefined : `(${v} === ${text})`;
  },
  isIn: (v, [values]) => {
    if (!Array.isArray(values)) return undefined;
    const texts = values.map(literal);
    if (texts.some((text) => text === undefined)) return undefined;
    return `(${texts.map((text) => `${v} === ${text}`).join(' || ') || 'false'})`;
  },
  min: (v, [bound]) =>
    typeof bound === 'number' && Number.isFinite(bound)
      ? `(typeof ${v} === 'number' && ${v} >= ${bound})`
      : undefined,
  max: (v, [bound]) =>
    typeof bound === 'number' && Number.isFinite(bound)
      ? `(typeof ${v} === 'number' && ${v} <= ${bound})`
      : undefined,
  // With neither NaN nor Infinity allowed and no decimal-place limit, isNumber comes down to a finite number.
  isNumber: (v, [options = {}]) => {
    const { allowNaN, allowInfinity, maxDecimalPlaces } = options as Record<string, unknown>;
    return !allowNaN && !allowInfinity && maxDecimalPlaces === undefined
      ? `(typeof ${v} === 'number' && Number.isFinite(${v}))`
      : undefined;
  },
};

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/**
 * An http(s) URL whose host is a plain DNS name (ASCII labels of 1 to 63 letters, digits and inner hyphens, the last
 * not all digits), then anything but blanks and `<` `>`: case-insensitive, without the `u` flag, so that only ASCII
 * letters match `[a-z]`.
 */
const PLAIN_HTTP_URL = new RegExp(
  `^https?://(?:${HOST_LABEL}\\.)*(?![0-9]+(?:[/?#]|$))${HOST_LABEL}(?:[/?#][^\\s<>]*)?$`,
  'i',
);
/** validator's `max_allowed_length` default. */
const MAX_URL_LENGTH = 2084;

/**
 * Whether `value` is a URL that validator's `isURL` surely accepts with `require_tld: false` and every other option at
 * its default: the protocol is http or https, the host passes `isFQDN` (every label 1-63 characters of `[a-z0-9-]`, no
 * hyphen at either end, a last label that is not all digits), there is no port and no credentials, what follows the
 * host is never checked by `isURL` beyond blanks, `<` and `>`, and the length is within the default limit. Anything
 * else is left to `isURL` itself (a property test holds every `true` here to `isURL`'s verdict).
 */
export const isPlainHttpUrl = (value: unknown): boolean =>
  typeof value === 'string' && value.length <= MAX_URL_LENGTH && PLAIN_HTTP_URL.test(value);

/**
 * Cheap checks that decide "valid" for some values only, by decorator name, as expressions: when one is true the
 * constraint holds and its `validate` is not called; otherwise `validate` decides.
 */
const FAST_PATHS: Readonly<
  Record<string, (v: string, constraints: readonly unknown[]) => string | undefined>
> = {
  // require_protocol may take either value: an explicit http(s) protocol is accepted both ways.
  isUrl: (v, [options]) => {
    if (typeof options !== 'object' || options === null) return undefined;
    const others = Object.keys(options).filter((key) => key !== 'require_tld' && key !== 'require_protocol');
    const plain = (options as { require_tld?: unknown }).require_tld === false && others.length === 0;
    return plain ? `isPlainHttpUrl(${v})` : undefined;
  },
};

/** `@IsOptional()`'s condition, inline: the property is neither null nor undefined. */
const inlineCondition = (condition: ValidationMetadata, v: string): string | undefined =>
  condition.name === 'isOptional' ? `(${v} !== null && ${v} !== undefined)` : undefined;

/**
 * Generates the plan's check as straight-line code, one block per property in class-validator's order: the property
 * read, every condition, each constraint (class-validator's own as the expressions of {@link INLINE_CHECKS}, any other
 * through its `validate` with prebuilt arguments), then the nested objects. Every property access and `validate` call
 * has a site of its own, so each stays monomorphic; the code holds no payload data and no metadata text beyond the
 * literals of the inlined constraints, only references to the plan's functions and objects (`r[i]`).
 */
function compile(plan: ValidationPlan | null): CompiledCheck {
  if (!plan || plan.unknown) return NEVER;
  const refs: unknown[] = [];
  const ref = (value: unknown): string => `r${refs.push(value) - 1}`;
  const lines: string[] = [];
  for (const property of plan.properties) {
    lines.push(`v = o[${JSON.stringify(property.name)}];`);
    if (property.conditions.length > 0) {
      // Every condition runs, as in class-validator (a condition may have side effects).
      lines.push('ok = true;');
      for (const condition of property.conditions)
        lines.push(
          `ok = ${inlineCondition(condition, 'v') ?? `${ref(condition.constraints[0])}(o, v)`} && ok;`,
        );
      lines.push('if (ok) {');
    }
    for (const { metadata, constraints, args } of property.checks) {
      const inline = constraints.length === 1 ? INLINE_CHECKS[metadata.name ?? ''] : undefined;
      const expression = (value: string) => inline?.(value, metadata.constraints ?? []);
      if (metadata.validateIf) lines.push(`if (${ref(metadata)}.validateIf(o, v)) {`);
      const a = expression('v') === undefined ? ref(args) : undefined;
      if (a) lines.push(`${a}.object = o; ${a}.value = v;`);
      const fast = (value: string) =>
        constraints.length === 1
          ? FAST_PATHS[metadata.name ?? '']?.(value, metadata.constraints ?? [])
          : undefined;
      const validate = (value: string) =>
        a === undefined
          ? [`if (!${expression(value)!}) return false;`]
          : constraints.map((c) => {
              const verdict = `passes(${ref(c.instance)}.validate(${value}, ${a}))`;
              const shortcut = fast(value);
              return `if (!${shortcut === undefined ? verdict : `(${shortcut} || ${verdict})`}) return false;`;
            });
      if (metadata.each) {
        lines.push('if (isCollection(v)) {', 'for (const item of v instanceof Map ? v.values() : v) {');
        lines.push(...validate('item'), '}', '} else {', ...validate('v'), '}');
      } else {
        lines.push(...validate('v'));
      }
      if (metadata.validateIf) lines.push('}');
    }
    if (property.nested.length > 0) lines.push(`if (!nestedHold(v, ${ref(property.nested)})) return false;`);
    if (property.conditions.length > 0) lines.push('}');
  }
  const names = refs.map((_, index) => `r${index}`);
  const source = [
    `const [${names.join(', ')}] = refs;`,
    'return function compiledCheck(o) {',
    'let v, ok;',
    ...lines,
    'return true;',
    '};',
  ].join('\n');
  // Generated from metadata only (see above): no payload value ever reaches the source text.
  const factory = new Function('refs', 'passes', 'isCollection', 'nestedHold', 'isPlainHttpUrl', source) as (
    ...parts: unknown[]
  ) => CompiledCheck;
  return factory(refs, passes, isCollection, nestedHold, isPlainHttpUrl);
}

function checkOf(target: Target, schema: string | undefined): CompiledCheck {
  let bySchema = compiledChecks.get(target);
  if (!bySchema) compiledChecks.set(target, (bySchema = new Map()));
  let check = bySchema.get(schema);
  if (check === undefined) bySchema.set(schema, (check = compile(buildPlan(target, schema))));
  return check;
}

function holds(object: object, schema: string | undefined): boolean {
  return checkOf(object.constructor, schema)(object);
}

/**
 * Whether `validateSync(object, { forbidUnknownValues: true })` would find nothing wrong, decided by the same constraint
 * functions in the same order, with class-validator's metadata grouped once per class instead of on every call. `true`
 * only when sure; `false` means "invalid or not sure": run `validateSync` for the verdict and its messages.
 */
export function passesCompiledValidation(object: object): boolean {
  return holds(object, undefined);
}
