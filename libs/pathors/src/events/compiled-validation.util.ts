import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import type { ConstraintMetadata } from 'class-validator/types/metadata/ConstraintMetadata.js';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';

/** A class, as `object.constructor` gives it. */
type Target = object['constructor'];

interface ConstraintCheck {
  readonly metadata: ValidationMetadata;
  readonly constraints: readonly ConstraintMetadata[];
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
      constraints: storage.getTargetValidatorConstraints(metadata.constraintCls),
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

function constraintsHold(
  object: object,
  targetName: string,
  value: unknown,
  checks: readonly ConstraintCheck[],
): boolean {
  for (const { metadata, constraints } of checks) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    const args: ValidationArguments = {
      targetName,
      property: metadata.propertyName,
      object,
      value,
      constraints: metadata.constraints,
    };
    const items =
      metadata.each && isCollection(value)
        ? value instanceof Map
          ? [...value.values()]
          : [...value]
        : undefined;
    for (const constraint of constraints) {
      // validateSync ignores asynchronous constraints. A promise is not a verdict: let class-validator decide.
      if (constraint.async) continue;
      if (items === undefined) {
        if (!passes(constraint.instance.validate(value, args))) return false;
      } else if (!items.every((item) => passes(constraint.instance.validate(item, args)))) {
        return false;
      }
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
  const targetName = (object.constructor ? object.constructor.name : undefined) as string;
  for (const property of plan.properties) {
    const value = record[property.name];
    let canValidate = true;
    // Every condition runs, as in class-validator (a condition may have side effects).
    for (const condition of property.conditions) {
      canValidate =
        (condition.constraints[0] as (o: object, v: unknown) => boolean)(object, value) && canValidate;
    }
    if (!canValidate) continue;
    if (!constraintsHold(object, targetName, value, property.defined)) return false;
    if (!constraintsHold(object, targetName, value, property.custom)) return false;
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
