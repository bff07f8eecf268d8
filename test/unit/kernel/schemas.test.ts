// The JSON Schemas in schemas/ and the kernel's declarations agree: ids, enums, and the grammars of times, paths
// and key versions, checked on the same samples.
import {
  BUNDLE_KEYS_FORMAT_V1,
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  KEY_STATES,
  PUBKEYS_FORMAT_V1,
  ROOT_STATES,
} from '../../../lib/kernel/formats';
import { parseIsoUtc } from '../../../lib/kernel/iso-time';
import { MAX_KEY_VERSION } from '../../../lib/kernel/key-set';
import { filePathProblems } from '../../../lib/kernel/paths';
import { bundleSchema, validate } from '../bootstrap/json-schema';

const V1 = bundleSchema('bootstrap-bundle.v1.schema.json');
const V2 = bundleSchema('bootstrap-bundle.v2.schema.json');
/** Validates `value` against one definition of a schema. */
const against = (schema: any, def: string, value: unknown) => validate(schema, value, def);

describe('GIVEN the bundle schemas THEN their ids and enums are the kernel declarations', () => {
  test('schema ids and key set formats', () => {
    expect(V1.properties.schema.const).toBe(BUNDLE_SCHEMA_V1);
    expect(V2.properties.schema.const).toBe(BUNDLE_SCHEMA_V2);
    expect(V1.$defs.verifierSet.properties.format.const).toBe(PUBKEYS_FORMAT_V1);
    expect(V2.$defs.verifierSet.properties.format.const).toBe(PUBKEYS_FORMAT_V1);
    expect(V2.$defs.bundleKeySet.properties.format.const).toBe(BUNDLE_KEYS_FORMAT_V1);
  });

  test('states and version bounds', () => {
    expect([...V2.$defs.keyEntry.properties.state.enum].sort()).toEqual([...KEY_STATES].sort());
    expect([...V2.$defs.trustRoot.properties.state.enum].sort()).toEqual([...ROOT_STATES].sort());
    expect(V2.$defs.keyEntry.properties.version.maximum).toBe(MAX_KEY_VERSION);
  });
});

// The v2 schema states the kernel's grammars exactly. The v1 schema (the legacy contract) differs both ways: it is
// stricter on times (1 to 3 fraction digits) and on paths (no whitespace or '"'), and looser on paths (control
// characters, no length limit), which nodes refuse in v1 bundles too; pinned below so a change is seen.
test('the v1 schema differs from the kernel where known, and only there', () => {
  expect(against(V1, 'isoUtc', '2026-01-31T00:00:00.1234Z')).not.toEqual([]);
  expect(against(V1, 'absolutePath', '/etc/with space.pem')).not.toEqual([]);
  expect(against(V1, 'absolutePath', '/etc/x\u0001.pem')).toEqual([]);
  expect(filePathProblems('/etc/x\u0001.pem', 'p')).not.toEqual([]);
});

describe.each([['v2', V2]])('GIVEN schema %s THEN its grammars agree with the kernel on samples', (_, schema) => {
  const agree = (schemaOk: boolean, kernelOk: boolean) => expect(schemaOk).toBe(kernelOk);
  test.each([
    '2026-01-31T00:00:00Z',
    '2026-01-31T00:00:00.5Z',
    '2026-01-31T00:00:00.123456789Z',
    '2026-01-31T00:00:00.1234567890Z',
    '2026-01-31T00:00:00+01:00',
    '2026-01-31',
    '2026-01-31t00:00:00z',
  ])('time %p', (t) => {
    agree(against(schema, 'isoUtc', t).length === 0, parseIsoUtc(t) !== undefined);
  });

  test.each([
    '/etc/gpuaas/trust/ca.pem',
    '/a',
    '/',
    'etc/x.pem',
    '/etc/../x.pem',
    '/etc/./x.pem',
    '/etc//x.pem',
    '/etc/x/',
    '/etc/x\u0001.pem',
    '/etc/x\\y.pem',
    '/etc/with space.pem',
    `/${'a'.repeat(1024)}`,
  ])('file path %p', (p) => {
    agree(against(schema, 'absolutePath', p).length === 0, filePathProblems(p, 'p').length === 0);
  });
});
