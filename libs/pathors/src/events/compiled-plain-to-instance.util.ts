import {
  plainToInstance,
  TransformationType,
  type TransformMetadata,
  type TypeMetadata,
} from 'class-transformer';
// @ts-expect-error class-transformer ships the types of this file in types/storage.d.ts, not beside it.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import { getMetadataStorage as getValidationMetadataStorage } from 'class-validator';

const storage = defaultMetadataStorage as MetadataStorage;

const PLAIN_TO_CLASS = TransformationType.PLAIN_TO_CLASS;
/** What class-transformer passes to `@Transform` functions as `options` (its defaults, implicit conversion off). */
const TRANSFORM_OPTIONS = Object.freeze({
  enableCircularCheck: false,
  enableImplicitConversion: false,
  excludeExtraneousValues: false,
  excludePrefixes: undefined,
  exposeDefaultValues: false,
  exposeUnsetFields: true,
  groups: undefined,
  ignoreDecorators: false,
  strategy: undefined,
  targetMaps: undefined,
  version: undefined,
});
/** Keys remembered per class; further (hostile, random) keys are looked up each time, so memory stays bounded. */
const MAX_REMEMBERED_KEYS = 128;

type Constructor = new () => object;

/** Thrown when a value needs a class-transformer feature the compiled path does not replicate. */
class NeedsClassTransformer extends Error {}

/** What class-transformer decides about one property of one class, looked up once. */
interface PropertyPlan {
  readonly type?: TypeMetadata;
  readonly transforms: readonly TransformMetadata[];
  /** False for a getter without setter or a method of the class: never overwritten from the payload. */
  readonly assignable: boolean;
}

/**
 * class-transformer's check before it assigns `key` on a new instance: the key must not be a getter without setter of
 * the class's own prototype, nor hold a function on the new instance (a method, own or inherited).
 */
function isAssignable(instance: object, key: string): boolean {
  const prototype = (instance.constructor as Constructor).prototype as object;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
  return !((descriptor && !descriptor.set) || (instance as Record<string, unknown>)[key] instanceof Function);
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

type Instantiate = (source: Record<string, unknown>) => object;

/** The per-class lookups of class-transformer's `plainToInstance`, remembered, and the class's compiled copy. */
class ClassPlan {
  private readonly properties = new Map<string, PropertyPlan>();
  /** A fresh instance, for the per-key checks that depend on what the constructor and prototype define. */
  private readonly probe: object;
  private compiled?: Instantiate;

  constructor(readonly target: Constructor) {
    this.probe = new target();
  }

  /** A new instance of the class from a plain object: `transform` for this class, compiled on first use. */
  instantiate(source: Record<string, unknown>): object {
    return (this.compiled ??= compileInstantiate(this))(source);
  }

  property(key: string): PropertyPlan {
    const known = this.properties.get(key);
    if (known) return known;
    const plan: PropertyPlan = {
      type: storage.findTypeMetadata(this.target, key),
      // Default options: no version, no groups, so only transforms without groups apply (as class-transformer does).
      transforms: storage
        .findTransformMetadatas(this.target, key, PLAIN_TO_CLASS)
        .filter((metadata) => !metadata.options?.groups?.length),
      assignable: isAssignable(this.probe, key),
    };
    if (plan.type && (plan.type.options?.discriminator || plan.type.reflectedType === Map))
      throw new NeedsClassTransformer();
    if (this.properties.size < MAX_REMEMBERED_KEYS) this.properties.set(key, plan);
    return plan;
  }
}

const plans = new WeakMap<Constructor, ClassPlan | null>();

function planOf(target: Constructor): ClassPlan {
  let plan = plans.get(target);
  if (plan === undefined) {
    const decorated =
      storage.getStrategy(target) !== 'none' ||
      storage.getExposedMetadatas(target).length > 0 ||
      storage.getExcludedMetadatas(target).length > 0;
    plan = decorated ? null : new ClassPlan(target);
    plans.set(target, plan);
  }
  if (plan === null) throw new NeedsClassTransformer();
  return plan;
}

const CONVERTED_TYPES: ReadonlySet<unknown> = new Set([String, Number, Boolean, Date, Buffer]);

/** class-transformer's `instantiateArrayType`, for arrays only. */
function newArray(arrayType: unknown): unknown[] {
  if (typeof arrayType !== 'function') return [];
  const array: unknown = new (arrayType as Constructor)();
  if (array instanceof Set || array instanceof Map) throw new NeedsClassTransformer();
  return typeof array === 'object' && array !== null && 'push' in array ? (array as unknown[]) : [];
}

/**
 * class-transformer's `TransformOperationExecutor.transform` for plain-to-class with default options, restricted to
 * what `JSON.parse` produces (plain objects, arrays, strings, numbers, booleans, null) and to classes using `@Type` and
 * `@Transform` only. Step for step the same decisions, with every metadata lookup done once per class and key.
 */
function transform(value: unknown, targetType: unknown, arrayType: unknown): unknown {
  if (Array.isArray(value)) {
    const array = newArray(arrayType);
    for (const item of value) array.push(transform(item, targetType, undefined));
    return array;
  }
  if (CONVERTED_TYPES.has(targetType)) throw new NeedsClassTransformer();
  if (typeof value !== 'object' || value === null) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new NeedsClassTransformer();

  const source = value as Record<string, unknown>;
  if (typeof targetType === 'function') return planOf(targetType as Constructor).instantiate(source);
  const result: Record<string, unknown> = {};
  for (const key in source) if (hasOwn(source, key)) assignKey(undefined, result, source, key);
  return result;
}

/** One key of `source` onto `result`, as class-transformer assigns it: the loop body of its `transform`. */
function assignKey(
  plan: ClassPlan | undefined,
  result: Record<string, unknown>,
  source: Record<string, unknown>,
  key: string,
): void {
  if (key === '__proto__' || key === 'constructor') return;
  const child = source[key];
  const property = plan?.property(key);
  // Getters without setters and methods are never overwritten from the payload: decided once per class and key; on
  // a plain object only a key that Object.prototype itself has can be one.
  if (property ? !property.assignable : hasOwn(Object.prototype, key) && !isAssignable(result, key)) return;
  const typeMetadata = property?.type;
  const type = typeMetadata
    ? typeMetadata.typeFunction
      ? typeMetadata.typeFunction({ newObject: result, object: source, property: key })
      : typeMetadata.reflectedType
    : undefined;

  // A JSON primitive without a declared type is kept as it is (what `transform` would return for it).
  let final =
    type === undefined && (typeof child !== 'object' || child === null)
      ? child
      : transform(child, type, Array.isArray(child) ? typeMetadata?.reflectedType : undefined);
  for (const metadata of property?.transforms ?? []) {
    final = metadata.transformFn({
      value: final,
      key,
      obj: source,
      type: PLAIN_TO_CLASS,
      options: TRANSFORM_OPTIONS,
    });
  }
  result[key] = final;
}

/** The plan of a documented property, or undefined when it needs class-transformer (left to `assignKey`). */
function documentedProperty(plan: ClassPlan, key: string): PropertyPlan | undefined {
  try {
    return plan.property(key);
  } catch (error) {
    if (error instanceof NeedsClassTransformer) return undefined;
    throw error;
  }
}

/**
 * Generates `plan`'s instantiation: the `assignKey` loop with one `case` per documented property (those class-validator
 * knows), whose reads, writes and metadata calls are each at a site of their own, so they stay monomorphic. Any other
 * key takes `assignKey`. The code holds property names as string literals (`JSON.stringify`) and references to the
 * plan's metadata (`r[i]`), never payload data.
 */
function compileInstantiate(plan: ClassPlan): Instantiate {
  const refs: unknown[] = [plan.target, plan, assignKey, transform, PLAIN_TO_CLASS, TRANSFORM_OPTIONS];
  const ref = (value: unknown): string => `r${refs.push(value) - 1}`;
  const names = new Set(
    getValidationMetadataStorage()
      .getTargetValidationMetadatas(plan.target, '', false, false, undefined)
      .map((metadata) => metadata.propertyName),
  );
  const cases: string[] = [];
  for (const name of names) {
    if (name === '__proto__' || name === 'constructor') continue;
    const property = documentedProperty(plan, name);
    if (!property) continue;
    const key = JSON.stringify(name);
    if (!property.assignable) {
      cases.push(`case ${key}: break;`);
      continue;
    }
    const body = [`const c = source[${key}];`];
    const typeMetadata = property.type;
    if (!typeMetadata) {
      body.push(`let f = typeof c !== 'object' || c === null ? c : r3(c, undefined, undefined);`);
    } else {
      const t = ref(typeMetadata);
      body.push(
        typeof typeMetadata.typeFunction === 'function'
          ? `const t = ${t}.typeFunction({ newObject: result, object: source, property: ${key} });`
          : `const t = ${t}.reflectedType;`,
        `let f = t === undefined && (typeof c !== 'object' || c === null) ? c : ` +
          `r3(c, t, Array.isArray(c) ? ${t}.reflectedType : undefined);`,
      );
    }
    for (const metadata of property.transforms) {
      body.push(
        `f = ${ref(metadata)}.transformFn({ value: f, key: ${key}, obj: source, type: r4, options: r5 });`,
      );
    }
    body.push(`result[${key}] = f;`, 'break;');
    cases.push(`case ${key}: {`, ...body, '}');
  }
  const source = [
    `const [${refs.map((_, index) => `r${index}`).join(', ')}] = refs;`,
    'return function instantiate(source) {',
    'const result = new r0();',
    // Object.keys' own enumerable keys, in its order, without its array: V8 turns this hasOwnProperty.call on the
    // for-in variable into a check of the object's enumeration cache.
    'for (const key in source) {',
    'if (!Object.prototype.hasOwnProperty.call(source, key)) continue;',
    'switch (key) {',
    ...cases,
    'default: r2(r1, result, source, key);',
    '}',
    '}',
    'return result;',
    '};',
  ].join('\n');
  // Generated from metadata only (see above): no payload value ever reaches the source text.
  const factory = new Function('refs', source) as (refs: unknown[]) => Instantiate;
  return factory(refs);
}

/**
 * The same instance as `plainToInstance(target, payload, { enableImplicitConversion: false })`, several times faster:
 * what class-transformer looks up in its metadata for each key of each object is looked up once per class. Payloads or
 * classes outside what the compiled path replicates (discriminators, `@Expose`/`@Exclude`, converted primitive types,
 * values not made by `JSON.parse`) go to class-transformer itself.
 */
export function compiledPlainToInstance<T extends object>(
  target: new () => T,
  payload: Record<string, unknown>,
): T {
  try {
    return transform(payload, target, undefined) as T;
  } catch (error) {
    if (!(error instanceof NeedsClassTransformer)) throw error;
    return plainToInstance(target, payload, { enableImplicitConversion: false });
  }
}
