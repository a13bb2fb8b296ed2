import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { IS_PATHORS_VALUE } from '../events/pathors-value.js';

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];
type Class = abstract new (...args: never[]) => unknown;

// class-validator's ValidationTypes: @IsOptional() / @ValidateIf(), and @ValidateNested().
const CONDITIONAL = 'conditionalValidation';
const NESTED = 'nestedValidation';

/** `#/components/schemas/<name>`, the reference of a generated schema. */
export const schemaRef = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

/**
 * What one class-validator decorator says about a value, in JSON Schema terms. Unknown decorators add nothing: the
 * schema then describes less than the validation checks, never more.
 */
function applyConstraint(schema: SchemaObject, metadata: ValidationMetadata): void {
  const [constraint] = (metadata.constraints ?? []) as unknown[];
  switch (metadata.name) {
    case 'equals':
      schema.enum = [constraint];
      schema.type ??= typeof constraint === 'number' ? 'number' : 'string';
      break;
    case 'isIn': {
      const values = constraint as unknown[];
      schema.enum = [...values];
      if (values.every((value) => typeof value === 'string')) schema.type = 'string';
      break;
    }
    case IS_PATHORS_VALUE: {
      // A vendor enum is open: any string is accepted, so the known values are examples, not a closed `enum`.
      const known = constraint as readonly string[];
      schema.type = 'string';
      schema.examples = [...known];
      schema.description =
        `Known values: ${known.map((value) => `\`${value}\``).join(', ')}. ` +
        'Pathors may add others; any string is accepted.';
      break;
    }
    case 'isString':
      schema.type = 'string';
      break;
    case 'isNotEmpty':
      schema.minLength = 1;
      break;
    case 'isInt':
      schema.type = 'integer';
      break;
    case 'isNumber':
      schema.type ??= 'number';
      break;
    case 'min':
      schema.minimum = constraint as number;
      break;
    case 'max':
      schema.maximum = constraint as number;
      break;
    case 'isObject':
      schema.type = 'object';
      schema.additionalProperties = true;
      break;
    case 'isUuid':
      schema.type = 'string';
      schema.format = 'uuid';
      break;
    case 'isUrl':
      schema.type = 'string';
      schema.format = 'uri';
      break;
    case 'isDate':
      // Timestamps travel as ISO 8601 strings; the event instance holds a Date.
      schema.type = 'string';
      schema.format = 'date-time';
      break;
    case 'isArray':
      schema.type = 'array';
      break;
  }
}

/**
 * Builds JSON Schemas (OpenAPI flavour) of event classes from the class-validator metadata they are validated with,
 * so the documented schema and the webhook's validation cannot drift apart. Nested blocks (`@ValidateNested()`)
 * become schemas of their own, referenced by name; a property is required unless it is `@IsOptional()` or
 * `@ValidateIf()`. Extra fields are allowed, as the webhook tolerates them.
 */
export class PathorsEventSchemaFactory {
  private readonly schemas: Record<string, SchemaObject> = {};

  /** Every schema built so far, keyed by class name (nested classes included). */
  get all(): Readonly<Record<string, SchemaObject>> {
    return this.schemas;
  }

  /** Builds the schema of `type` (once) and returns its reference. */
  add(type: Class, description?: string): ReferenceObject {
    const name = type.name;
    if (this.schemas[name]) return schemaRef(name);
    const schema: SchemaObject = { type: 'object', properties: {}, additionalProperties: true };
    if (description) schema.description = description;
    this.schemas[name] = schema; // registered first, so a self-referencing class terminates

    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const metadata of getMetadataStorage().getTargetValidationMetadatas(
      type as Class & (new () => unknown),
      '',
      true,
      false,
    )) {
      byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
    }
    const required: string[] = [];
    for (const [property, metadatas] of byProperty) {
      schema.properties![property] = this.propertySchema(type, property, metadatas);
      if (!metadatas.some((metadata) => metadata.type === CONDITIONAL)) required.push(property);
    }
    if (required.length > 0) schema.required = required;
    return schemaRef(name);
  }

  private propertySchema(
    owner: Class,
    property: string,
    metadatas: readonly ValidationMetadata[],
  ): SchemaObject | ReferenceObject {
    if (metadatas.some((metadata) => metadata.type === NESTED)) {
      // The nested class comes from the property's emitted design type (class-transformer's @Type() names it too).
      const designType = Reflect.getMetadata('design:type', owner.prototype as object, property) as
        Class | undefined;
      if (designType && designType !== Object && designType !== Array) return this.add(designType);
    }
    const schema: SchemaObject = {};
    const items: SchemaObject = {};
    for (const metadata of metadatas) {
      if (metadata.type === CONDITIONAL || metadata.type === NESTED) continue;
      applyConstraint(metadata.each ? items : schema, metadata);
    }
    if (Object.keys(items).length > 0) {
      schema.type = 'array';
      schema.items = items;
    }
    return schema;
  }
}
