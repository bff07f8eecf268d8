/**
 * A small JSON Schema (draft 2020-12) checker for the keywords that schemas/bootstrap-bundle.v1.schema.json and
 * schemas/bootstrap-bundle.v2.schema.json use, so the schema can be tested without a validator dependency. It refuses any keyword it does not know,
 * so the schema cannot silently grow past what this test checks.
 */
type Schema = Record<string, any>;

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'contains',
  'minContains',
  'maxContains',
  'if',
  'then',
  'else',
  'not',
  'allOf',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Returns the list of violations (empty when `value` is valid). */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  run(root, root, value, '$', errors);
  return errors;
}

function matches(root: Schema, schema: Schema, v: unknown): boolean {
  const errors: string[] = [];
  run(root, schema, v, '$', errors);
  return errors.length === 0;
}

function run(root: Schema, schema: Schema, v: unknown, at: string, errors: string[]): void {
  for (const k of Object.keys(schema)) {
    if (!KNOWN.has(k)) throw new Error(`mini-json-schema does not support keyword ${k} (at ${at})`);
  }
  if (schema.$ref) {
    const m = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
    if (!m || !root.$defs?.[m[1]]) throw new Error(`unresolvable $ref ${schema.$ref}`);
    run(root, root.$defs[m[1]], v, at, errors);
  }
  const t = typeOf(v);
  if (schema.type && !(schema.type === t || (schema.type === 'number' && t === 'integer'))) {
    errors.push(`${at}: expected ${schema.type}, got ${t}`);
    return;
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v)) errors.push(`${at}: not the const`);
  if (schema.enum && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v))) {
    errors.push(`${at}: not in enum`);
  }
  if (typeof v === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) errors.push(`${at}: does not match pattern`);
    if (schema.minLength !== undefined && [...v].length < schema.minLength) errors.push(`${at}: too short`);
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) errors.push(`${at}: too long`);
  }
  if (typeof v === 'number' && schema.minimum !== undefined && v < schema.minimum) errors.push(`${at}: below minimum`);
  if (typeof v === 'number' && schema.maximum !== undefined && v > schema.maximum) errors.push(`${at}: above maximum`);
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errors.push(`${at}: too few items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errors.push(`${at}: too many items`);
    if (schema.items) v.forEach((item, i) => run(root, schema.items, item, `${at}[${i}]`, errors));
    if (schema.contains) {
      const n = v.filter((item) => matches(root, schema.contains, item)).length;
      if (n < (schema.minContains ?? 1)) errors.push(`${at}: contains too few matches`);
      if (schema.maxContains !== undefined && n > schema.maxContains) errors.push(`${at}: contains too many matches`);
    }
  }
  if (t === 'object') {
    const obj = v as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${at}: missing ${r}`);
    for (const [k, sub] of Object.entries<Schema>(schema.properties ?? {})) {
      if (k in obj) run(root, sub, obj[k], `${at}.${k}`, errors);
    }
    if (schema.additionalProperties === false) {
      for (const k of Object.keys(obj)) {
        if (!(k in (schema.properties ?? {}))) errors.push(`${at}: unexpected property ${k}`);
      }
    }
  }
  if (schema.if) {
    const branch = matches(root, schema.if, v) ? schema.then : schema.else;
    if (branch) run(root, branch, v, at, errors);
  }
  for (const sub of schema.allOf ?? []) run(root, sub, v, at, errors);
  if (schema.not && matches(root, schema.not, v)) errors.push(`${at}: matches a "not" schema`);
}
