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
  readonly defined: readonly ConstraintCheck[];
  readonly custom: readonly ConstraintCheck[];
  readonly nested: readonly ValidationMetadata[];
}

/** The validation metadata of one class, grouped the way class-validator's executor groups it on every call. */
interface ValidationPlan {
  /** No metadata at all: under `forbidUnknownValues` the value is rejected. */
  readonly unknown: boolean;
  readonly properties: readonly PropertyChecks[];
}

const plans = new Map<Target, Map<string | undefined, ValidationPlan | null>>();

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
      defined: checks(ofType(all, ValidationTypes.IS_DEFINED)),
      custom: checks(ofType(rest, ValidationTypes.CUSTOM_VALIDATION)),
      nested: ofType(rest, ValidationTypes.NESTED_VALIDATION),
    });
  }
  return { unknown: metadatas.length === 0, properties };
}

function planOf(target: Target, schema: string | undefined): ValidationPlan | null {
  let bySchema = plans.get(target);
  if (!bySchema) plans.set(target, (bySchema = new Map()));
  let plan = bySchema.get(schema);
  if (plan === undefined) bySchema.set(schema, (plan = buildPlan(target, schema)));
  return plan;
}

const isPromise = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const isCollection = (value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> =>
  Array.isArray(value) || value instanceof Set || value instanceof Map;

const passes = (result: unknown): boolean => Boolean(result) && !isPromise(result);

function constraintsHold(object: object, value: unknown, checks: readonly ConstraintCheck[]): boolean {
  for (const { metadata, constraints, args } of checks) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    args.object = object;
    args.value = value;
    if (metadata.each && isCollection(value)) {
      for (const item of value instanceof Map ? value.values() : value) {
        for (const constraint of constraints)
          if (!passes(constraint.instance.validate(item, args))) return false;
      }
    } else {
      for (const constraint of constraints)
        if (!passes(constraint.instance.validate(value, args))) return false;
    }
  }
  return true;
}

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

function holds(object: object, schema: string | undefined): boolean {
  const plan = planOf(object.constructor, schema);
  if (!plan || plan.unknown) return false;
  const record = object as Record<string, unknown>;
  for (const property of plan.properties) {
    const value = record[property.name];
    let canValidate = true;
    // Every condition runs, as in class-validator (a condition may have side effects).
    for (const condition of property.conditions) {
      canValidate =
        (condition.constraints[0] as (o: object, v: unknown) => boolean)(object, value) && canValidate;
    }
    if (!canValidate) continue;
    if (!constraintsHold(object, value, property.defined)) return false;
    if (!constraintsHold(object, value, property.custom)) return false;
    if (!nestedHold(value, property.nested)) return false;
  }
  return true;
}

/**
 * Whether `validateSync(object, { forbidUnknownValues: true })` would find nothing wrong, decided by the same constraint
 * functions in the same order, with class-validator's metadata grouped once per class instead of on every call. `true`
 * only when sure; `false` means "invalid or not sure": run `validateSync` for the verdict and its messages.
 */
export function passesCompiledValidation(object: object): boolean {
  return holds(object, undefined);
}
