import { buildMessage, getMetadataStorage, ValidateBy } from 'class-validator';

/** Name of the constraint {@link IsPathorsValue} registers with class-validator; the OpenAPI schemas read it. */
export const IS_PATHORS_VALUE = 'isPathorsValue';

/**
 * A value of a vendor enum: one of the `Known` values this version of the module lists, or any other string, as
 * Pathors adds values without notice. Editors complete the known values; to narrow to them (for an exhaustive
 * `switch`), test with {@link isKnownPathorsValue} first.
 *
 * @example
 * ```ts
 * type Status = PathorsValue<'busy' | 'voicemail'>; // 'busy' | 'voicemail' | (any other string)
 * ```
 */
export type PathorsValue<Known extends string> = Known | (string & {});

/** A value of a vendor enum field this version of the module does not list, as it arrived in an event. */
export interface PathorsUnknownValue {
  /** Dotted path of the field in the payload, e.g. `callStatus` or `analysis.sentiment.conversation.sentiment`. */
  readonly path: string;
  /** The value as sent. */
  readonly value: string;
}

/**
 * Whether `value` is one of the `known` values; narrows it to them.
 *
 * @example
 * ```ts
 * if (isKnownPathorsValue(PATHORS_CALL_STATUSES, event.callStatus)) {
 *   switch (event.callStatus) { case 'busy': … } // event.callStatus: PathorsCallStatus
 * }
 * ```
 */
export function isKnownPathorsValue<const Known extends string>(
  known: readonly Known[],
  value: unknown,
): value is Known {
  return typeof value === 'string' && (known as readonly string[]).includes(value);
}

/**
 * Marks a field whose value is one of a vendor's enum values: any string is valid (a value Pathors added after this
 * version is accepted and reported on the delivery, see `PathorsDelivery.unknownValues`); anything else is refused.
 * `known` lists the values this version knows.
 */
export function IsPathorsValue(known: readonly string[]): PropertyDecorator {
  return ValidateBy({
    name: IS_PATHORS_VALUE,
    constraints: [known],
    validator: {
      validate: (value: unknown) => typeof value === 'string',
      defaultMessage: buildMessage(() => '$property must be a string'),
    },
  });
}

/** Where a class's vendor enum fields are: its own, with their known values, and the nested blocks to look into. */
interface PathorsValueFields {
  readonly values: ReadonlyArray<{ readonly property: string; readonly known: ReadonlySet<string> }>;
  readonly nested: readonly string[];
}

/** An event or nested block class. */
type BlockClass = abstract new (...args: never[]) => object;

// class-validator's ValidationTypes.NESTED_VALIDATION: @ValidateNested().
const NESTED = 'nestedValidation';
// One entry per event or block class, made on first use: the map holds at most as many entries as there are classes.
const fieldsByClass = new Map<BlockClass, PathorsValueFields>();
const NONE: readonly PathorsUnknownValue[] = Object.freeze([]);

function valueFieldsOf(type: BlockClass): PathorsValueFields {
  let fields = fieldsByClass.get(type);
  if (fields) return fields;
  const values: Array<PathorsValueFields['values'][number]> = [];
  const nested: string[] = [];
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    if (metadata.name === IS_PATHORS_VALUE) {
      values.push({
        property: metadata.propertyName,
        known: new Set(metadata.constraints[0] as readonly string[]),
      });
    } else if (metadata.type === NESTED) {
      nested.push(metadata.propertyName);
    }
  }
  fields = { values, nested: [...new Set(nested)] };
  fieldsByClass.set(type, fields);
  return fields;
}

function collectUnknownValues(block: object, parent: string, found: PathorsUnknownValue[]): void {
  const fields = valueFieldsOf(block.constructor as BlockClass);
  const record = block as Record<string, unknown>;
  for (const { property, known } of fields.values) {
    const value = record[property];
    if (typeof value === 'string' && !known.has(value)) {
      found.push({ path: parent === '' ? property : `${parent}.${property}`, value });
    }
  }
  for (const property of fields.nested) {
    const child = record[property];
    if (typeof child !== 'object' || child === null) continue;
    const path = parent === '' ? property : `${parent}.${property}`;
    if (Array.isArray(child)) {
      child.forEach((item: unknown, index) => {
        if (typeof item === 'object' && item !== null) collectUnknownValues(item, `${path}.${index}`, found);
      });
    } else {
      collectUnknownValues(child, path, found);
    }
  }
}

/**
 * Every {@link IsPathorsValue} field of a validated event instance (nested blocks included) whose value is not one of
 * the values this version knows, with its dotted path; an empty, frozen list when there is none.
 */
export function findUnknownPathorsValues(event: object): readonly PathorsUnknownValue[] {
  const found: PathorsUnknownValue[] = [];
  collectUnknownValues(event, '', found);
  return found.length === 0 ? NONE : found;
}
