/**
 * The published bundle schemas (schemas/*.schema.json) under ajv's draft 2020-12 validator, in strict mode: the
 * schema is checked against the 2020-12 meta-schema, and an unknown keyword, an ignored keyword or a keyword on the
 * wrong type is an error, so a schema cannot grow past what a standard validator reads. Two options differ from
 * plain strict mode: `format` stays an annotation, as draft 2020-12 defines it by default (the patterns carry the
 * grammar); and `strictRequired` is off, because ajv compiles `if`/`then` before it sees the sibling `properties`
 * and so reports `then: { required: ["until"] }` as undeclared; `undeclaredRequired` below makes that check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

export const SCHEMA_FILES = ['bootstrap-bundle.v1.schema.json', 'bootstrap-bundle.v2.schema.json'] as const;
export type SchemaFile = (typeof SCHEMA_FILES)[number];

/** A new validator with the options every schema test uses. */
export function newSchemaValidator(): Ajv2020 {
  return new Ajv2020({ strict: true, strictRequired: false, allErrors: true, validateFormats: false });
}

/** Keywords whose subschemas apply to the same value (a `required` there names the same object's properties). */
const SAME_VALUE = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else'];
/** Keywords whose subschemas apply to another value: a member, an item, or a definition. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];
const SUBSCHEMA = ['items', 'prefixItems', 'contains', 'additionalProperties', 'propertyNames'];

/**
 * Every name in a `required` that no `properties` of the same object declares, as "<schema path>: <name>". An
 * object's properties are those of its schema and of the schemas above it that apply to the same value.
 */
export function undeclaredRequired(schema: any, at = '#', declared: ReadonlySet<string> = new Set()): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((s, i) => undeclaredRequired(s, `${at}/${i}`, declared));
  const here = new Set([...declared, ...Object.keys(schema.properties ?? {})]);
  const found = (schema.required ?? []).filter((n: string) => !here.has(n)).map((n: string) => `${at}: ${n}`);
  for (const [k, sub] of Object.entries<any>(schema)) {
    if (SAME_VALUE.includes(k)) found.push(...undeclaredRequired(sub, `${at}/${k}`, here));
    else if (SCHEMA_MAPS.includes(k)) {
      for (const [name, s] of Object.entries(sub)) found.push(...undeclaredRequired(s, `${at}/${k}/${name}`));
    } else if (SUBSCHEMA.includes(k)) found.push(...undeclaredRequired(sub, `${at}/${k}`));
  }
  return found;
}

/** The text of a schema file, parsed (a new object on each call). */
export function readSchemaFile(file: SchemaFile): any {
  return JSON.parse(readFileSync(join(__dirname, '../../../schemas', file), 'utf8'));
}

const ajv = newSchemaValidator();
const loaded = new Map<SchemaFile, any>();

/** A schema file, loaded once into the shared validator. Tests read its fields; do not change the object. */
export function bundleSchema(file: SchemaFile): any {
  let schema = loaded.get(file);
  if (!schema) {
    schema = readSchemaFile(file);
    ajv.addSchema(schema);
    loaded.set(file, schema);
  }
  return schema;
}

/**
 * Validates `value` against a schema loaded by `bundleSchema`, or against one of its `$defs` when `def` is given.
 * @returns the violations, one line each (empty when `value` is valid)
 */
export function validate(schema: { $id: string }, value: unknown, def?: string): string[] {
  const ref = def === undefined ? schema.$id : `${schema.$id}#/$defs/${def}`;
  const check = ajv.getSchema(ref);
  if (!check) throw new Error(`no schema ${ref}: load it with bundleSchema() first`);
  if (check(value)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}
