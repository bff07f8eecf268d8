// The standalone schemas of the task verifier set, the bundle key set and the bundle v2 envelope (schemas/): valid
// draft 2020-12, compiled in ajv's strict mode, the key set definitions identical to the bundle v2 schema's, and
// checked against the real values of the committed conformance vectors (generated from real applies).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newSchemaValidator, undeclaredRequired } from '../bootstrap/json-schema';
import { Vector, readVectorFiles } from './vectors';

const STANDALONE = [
  'task-verifier-set.v1.schema.json',
  'bundle-key-set.v1.schema.json',
  'bootstrap-envelope.v2.schema.json',
] as const;

function readSchema(file: string): any {
  return JSON.parse(readFileSync(join(__dirname, '../../../schemas', file), 'utf8'));
}

const ajv = newSchemaValidator();
for (const file of [...STANDALONE, 'bootstrap-bundle.v2.schema.json']) ajv.addSchema(readSchema(file));
function errors(id: string, value: unknown): string[] {
  const check = ajv.getSchema(id)!;
  return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
const TASK = 'gpuaas-task-signing-pubkeys/v1';
const BUNDLE_KEYS = 'cdktf-platform-trust/bundle-keys/v1';
const ENVELOPE = 'cdktf-platform-trust/bootstrap-envelope/v2';
const BUNDLE = 'cdktf-platform-trust/bootstrap-bundle/v2';

const vectors: Vector[] = [...readVectorFiles().values()].flatMap((f) => f.vectors);
const accepted = (kind: string) => vectors.filter((v) => v.kind === kind && v.expected.ok);
const bundles = accepted('bundle').map((v) => v.input.bundle);
/** Every envelope a node accepted in a vector (verified, first bundle, update, a step of a sequence). */
const envelopes = [
  ...['verify-bundle', 'first-bundle', 'bundle-update'].flatMap((k) => accepted(k).map((v) => v.input.envelope)),
  ...accepted('update-sequence').flatMap((v) => v.input.steps.map((s: any) => s.envelope)),
];

describe.each(STANDALONE.map((f) => [f]))('GIVEN schemas/%s', (file) => {
  test('THEN it is a draft 2020-12 schema that compiles in strict mode, every required name declared', () => {
    const schema = readSchema(file);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(newSchemaValidator().validateSchema(schema)).toBe(true);
    expect(() => newSchemaValidator().compile(schema)).not.toThrow();
    expect(undeclaredRequired(schema)).toEqual([]);
  });

  test('WHEN a keyword is misspelled THEN strict mode refuses it', () => {
    const schema = readSchema(file);
    schema.maxPropertiez = 3;
    expect(() => newSchemaValidator().compile(schema)).toThrow(/unknown keyword: "maxPropertiez"/);
  });
});

describe('GIVEN the key set schemas', () => {
  test('THEN their definitions are the bundle v2 schema definitions, word for word', () => {
    const defs = readSchema('bootstrap-bundle.v2.schema.json').$defs;
    for (const file of ['task-verifier-set.v1.schema.json', 'bundle-key-set.v1.schema.json']) {
      const own = readSchema(file).$defs;
      expect(Object.keys(own).sort()).toEqual(['isoUtc', 'keyEntry', 'keySet']);
      for (const name of Object.keys(own)) expect([file, name, own[name]]).toEqual([file, name, defs[name]]);
    }
  });

  test('WHEN the real sets of the vectors are checked THEN each validates against its own kind only', () => {
    const taskSets = accepted('verifier-set').map((v) => JSON.parse(v.input.text));
    const keySets = accepted('bundle-key-set').map((v) => JSON.parse(v.input.text));
    expect(taskSets.length).toBeGreaterThanOrEqual(4);
    expect(keySets.length).toBeGreaterThanOrEqual(1);
    for (const b of bundles) {
      taskSets.push(b.task_verifiers.set);
      keySets.push(b.bundle_keys.set);
    }
    for (const s of taskSets) {
      expect(errors(TASK, s)).toEqual([]);
      expect(errors(BUNDLE_KEYS, s)).toEqual(['/format: must be equal to constant']);
    }
    for (const s of keySets) {
      expect(errors(BUNDLE_KEYS, s)).toEqual([]);
      expect(errors(TASK, s)).toEqual(['/format: must be equal to constant']);
    }
  });

  test('WHEN a set breaks a rule the schema expresses THEN the schema refuses it, as the node side does', () => {
    const refusedBoth = vectors.filter((v) => v.kind === 'verifier-set' && !v.expected.ok);
    const expressible = [
      'unknown-field',
      'alg',
      'empty',
      'two-active',
      'grace-without-until',
      'until-on-active',
      'key-base64',
      'state',
    ];
    for (const id of expressible) {
      const v = refusedBoth.find((x) => x.id === `verifier-set/${id}`)!;
      expect([id, errors(TASK, JSON.parse(v.input.text)).length > 0]).toEqual([id, true]);
    }
  });
});

describe('GIVEN the envelope schema', () => {
  test('WHEN every envelope a node accepts in the vectors is checked THEN it validates, and its payload is a bundle v2', () => {
    expect(envelopes.length).toBeGreaterThan(20);
    for (const e of envelopes) {
      expect(errors(ENVELOPE, e)).toEqual([]);
      expect(errors(BUNDLE, JSON.parse(Buffer.from(e.payload, 'base64').toString('utf8')))).toEqual([]);
    }
    for (const b of bundles) expect(errors(BUNDLE, b)).toEqual([]);
  });

  test('WHEN an envelope the node refuses as malformed is checked THEN the schema refuses it too', () => {
    const malformed = vectors.filter(
      (v) =>
        !v.expected.ok &&
        ['malformed-envelope', 'malformed-signature', 'wrong-payload-type'].includes(v.expected.reason!),
    );
    expect(malformed.length).toBeGreaterThanOrEqual(8);
    for (const v of malformed) expect([v.id, errors(ENVELOPE, v.input.envelope).length > 0]).toEqual([v.id, true]);
  });
});
