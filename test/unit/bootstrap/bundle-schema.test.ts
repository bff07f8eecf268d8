import * as fc from 'fast-check';
import { buildBundle } from '../../../lib/bootstrap/bundle-model';
import { renderBundleKeySet, renderVerifierSet, validateBundle } from '../../../lib/node';
import { BUNDLE_SCHEMA_V1, BUNDLE_SCHEMA_V2, BootstrapBundle, BootstrapBundleV2 } from '../../../lib/node/formats';
import { ROOT_A, ROOT_B } from '../pki/fixtures';
import { BUNDLE_KEY_NAME, TestSigner } from '../node/helpers/signer';
import { bundleSchema, validate } from './json-schema';
import { VERIFIER_SET, sampleInput } from './samples';

const schema = bundleSchema('bootstrap-bundle.v1.schema.json');
const schemaV2 = bundleSchema('bootstrap-bundle.v2.schema.json');

/** Deep copy with one change, for negative cases. */
function mutate(b: BootstrapBundle, change: (o: any) => void): any {
  const copy = JSON.parse(JSON.stringify(b));
  change(copy);
  return copy;
}

/** Sample mutations that both formats refuse (in the schema and in validateBundle). */
const COMMON_MUTATIONS: [string, (o: any) => void][] = [
  ['a missing field', (o) => delete o.env],
  ['an extra field', (o) => (o.vault_addr = 'https://vault.internal:8200')],
  ['an extra field in a root', (o) => (o.public_https_trust.roots[0].private_key = 'x')],
  ['another schema id', (o) => (o.schema = 'something/v2')],
  ['sequence 0', (o) => (o.sequence = 0)],
  ['a fractional sequence', (o) => (o.sequence = 1.5)],
  ['an http URL', (o) => (o.control_plane.url = 'http://control.example')],
  ['a relative path', (o) => (o.node_cert_trust.path = 'etc/x.pem')],
  ['a ".." path', (o) => (o.env.GPUAAS_CA_BUNDLE_PATH = '/etc/../x.pem')],
  ['no current root', (o) => (o.public_https_trust.roots[0].state = 'next')],
  ['two current roots', (o) => (o.public_https_trust.roots[1].state = 'current')],
  ['a previous root without until', (o) => (o.public_https_trust.roots[1].state = 'previous')],
  ['a root that is not a PEM certificate', (o) => (o.public_https_trust.roots[0].pem = 'hello')],
  ['no node-cert PEM', (o) => (o.node_cert_trust.pems = [])],
  ['a grace verifier without until', (o) => delete o.task_verifiers.set.keys[0].until],
  ['an HMAC verifier', (o) => (o.task_verifiers.set.keys[1].alg = 'hmac-sha256')],
  ['a verifier set without an active key', (o) => (o.task_verifiers.set.keys[1].state = 'next')],
  ['a bad public key', (o) => (o.task_verifiers.set.keys[1].public_key = 'abc')],
];

describe('schemas/bootstrap-bundle.v1.schema.json', () => {
  const sample = buildBundle(sampleInput());

  test('is draft 2020-12 and names the bundle schema id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(BUNDLE_SCHEMA_V1);
    expect(schema.properties.schema.const).toBe(BUNDLE_SCHEMA_V1);
  });

  test('a bundle built by the model validates', () => {
    expect(validate(schema, JSON.parse(JSON.stringify(sample)))).toEqual([]);
  });

  test('requires exactly the fields the TypeScript shape has, at every level', () => {
    const keysOf = (o: object) => Object.keys(o).sort();
    expect([...schema.required].sort()).toEqual(keysOf(sample));
    expect(keysOf(schema.properties)).toEqual(keysOf(sample));
    for (const field of ['control_plane', 'public_https_trust', 'node_cert_trust', 'task_verifiers', 'env'] as const) {
      expect([...schema.properties[field].required].sort()).toEqual(keysOf(sample[field]));
      expect(keysOf(schema.properties[field].properties)).toEqual(keysOf(sample[field]));
    }
    expect([...schema.$defs.verifierSet.required].sort()).toEqual(keysOf(sample.task_verifiers.set));
    const entryFields = keysOf(schema.$defs.verifierEntry.properties);
    for (const entry of sample.task_verifiers.set.keys) {
      for (const k of Object.keys(entry)) expect(entryFields).toContain(k);
    }
    const rootFields = keysOf(schema.$defs.trustRoot.properties);
    expect(rootFields).toEqual(['pem', 'state', 'until']);
  });

  test.each(COMMON_MUTATIONS)('refuses %s', (_what, change) => {
    expect(validate(schema, mutate(sample, change)).length).toBeGreaterThan(0);
  });

  test('a previous root with until validates', () => {
    const b = mutate(sample, (o) => {
      o.public_https_trust.roots[1].state = 'previous';
      o.public_https_trust.roots[1].until = '2027-01-31T00:00:00Z';
    });
    expect(validate(schema, b)).toEqual([]);
  });

  test('every bundle the model accepts validates (property)', () => {
    const input = fc.record({
      environment: fc.constantFrom('dev', 'staging', 'prod', 'eu-1'),
      sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      host: fc.constantFrom('control.dev.platform.internal', 'cp.example.internal'),
      dir: fc.constantFrom('/etc/gpuaas/trust', '/var/lib/gpuaas', '/opt/trust'),
      withNext: fc.boolean(),
    });
    fc.assert(
      fc.property(input, (i) => {
        const b = buildBundle(
          sampleInput({
            environment: i.environment,
            sequence: i.sequence,
            controlPlaneUrl: `https://${i.host}`,
            publicHttpsRoots: [
              { pem: ROOT_A.trim(), state: 'current' },
              ...(i.withNext ? [{ pem: ROOT_B.trim(), state: 'next' as const }] : []),
            ],
            paths: {
              publicHttpsBundle: `${i.dir}/cp.pem`,
              nodeCertBundle: `${i.dir}/nodes.pem`,
              taskVerifiers: `${i.dir}/keys.json`,
            },
          }),
        );
        expect(validate(schema, JSON.parse(JSON.stringify(b)))).toEqual([]);
      }),
    );
  });
});

describe('schemas/bootstrap-bundle.v2.schema.json', () => {
  const bundleKeys = new TestSigner(BUNDLE_KEY_NAME).bundleKeySet(
    [1, 'grace', '2027-02-01T00:00:00.123456Z'],
    [2, 'active'],
    [3, 'next'],
  );
  /** A v2 bundle from the model's v1 fields (with the canonical verifier text) plus bundle keys. */
  const v2Of = (input = sampleInput()): BootstrapBundleV2 => ({
    ...buildBundle({ ...input, pubkeysJson: renderVerifierSet(input.verifierSet) }),
    schema: BUNDLE_SCHEMA_V2,
    bundle_keys: { set: bundleKeys },
    freshness: { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 3600 },
    revoked: { task_key_versions: [], bundle_key_versions: [], root_pins: [] },
  });
  const sample = v2Of();
  /** Both validators on one value: the schema's violations, and whether validateBundle accepts it. */
  const judge = (value: unknown) => {
    let accepted = true;
    try {
      validateBundle(value);
    } catch {
      accepted = false;
    }
    return { schema: validate(schemaV2, value).length === 0, validateBundle: accepted };
  };

  test('is draft 2020-12 and names the bundle schema id and both key set formats', () => {
    expect(schemaV2.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schemaV2.$id).toBe(BUNDLE_SCHEMA_V2);
    expect(schemaV2.properties.schema.const).toBe(BUNDLE_SCHEMA_V2);
    expect(schemaV2.$defs.verifierSet.properties.format.const).toBe(JSON.parse(renderVerifierSet(VERIFIER_SET)).format);
    expect(schemaV2.$defs.bundleKeySet.properties.format.const).toBe(JSON.parse(renderBundleKeySet(bundleKeys)).format);
  });

  test('a v2 bundle that validateBundle accepts validates', () => {
    expect(judge(JSON.parse(JSON.stringify(sample)))).toEqual({ schema: true, validateBundle: true });
  });

  test('requires exactly the fields the TypeScript shape has, at every level', () => {
    const keysOf = (o: object) => Object.keys(o).sort();
    expect([...schemaV2.required].sort()).toEqual(keysOf(sample));
    expect(keysOf(schemaV2.properties)).toEqual(keysOf(sample));
    const fields = ['control_plane', 'public_https_trust', 'node_cert_trust', 'task_verifiers', 'bundle_keys', 'env'];
    for (const field of fields as (keyof BootstrapBundleV2)[]) {
      expect([...schemaV2.properties[field].required].sort()).toEqual(keysOf(sample[field] as object));
      expect(keysOf(schemaV2.properties[field].properties)).toEqual(keysOf(sample[field] as object));
    }
    expect([...schemaV2.$defs.keySet.required].sort()).toEqual(keysOf(sample.bundle_keys.set));
    expect(keysOf(schemaV2.$defs.keyEntry.properties)).toEqual(keysOf(sample.bundle_keys.set.keys[0]));
    expect(keysOf(schemaV2.$defs.trustRoot.properties)).toEqual(['pem', 'state', 'until']);
  });

  const v2Mutations: [string, (o: any) => void][] = [
    ['the v1 schema id', (o) => (o.schema = BUNDLE_SCHEMA_V1)],
    ['no bundle_keys', (o) => delete o.bundle_keys],
    ['an extra field in bundle_keys', (o) => (o.bundle_keys.path = '/etc/gpuaas/trust/bundle-keys.json')],
    [
      'a task verifier set as bundle keys',
      (o) => (o.bundle_keys.set.format = JSON.parse(renderVerifierSet(VERIFIER_SET)).format),
    ],
    ['a bundle key set as task verifiers', (o) => (o.task_verifiers.set.format = bundleKeys.format)],
    ['bundle keys without an active key', (o) => (o.bundle_keys.set.keys[1].state = 'next')],
    [
      'two next bundle keys',
      (o) => {
        delete o.bundle_keys.set.keys[0].until;
        o.bundle_keys.set.keys[0].state = 'next';
      },
    ],
    ['a grace bundle key without until', (o) => delete o.bundle_keys.set.keys[0].until],
    ['an active bundle key with until', (o) => (o.bundle_keys.set.keys[1].until = '2027-01-01T00:00:00Z')],
    ['an HMAC bundle key', (o) => (o.bundle_keys.set.keys[1].alg = 'hmac-sha256')],
    ['a bundle key that is not canonical base64', (o) => (o.bundle_keys.set.keys[1].public_key = 'abc')],
    ['a bundle key version 0', (o) => (o.bundle_keys.set.keys[0].version = 0)],
    ['a bundle key name with ":"', (o) => (o.bundle_keys.set.key = 'a:b')],
    ['33 bundle keys', (o) => (o.bundle_keys.set.keys = Array.from({ length: 33 }, () => o.bundle_keys.set.keys[1]))],
    ['an environment with upper case', (o) => (o.environment = 'Prod')],
    ['a current root with until', (o) => (o.public_https_trust.roots[0].until = '2027-01-01T00:00:00Z')],
    ['two next roots', (o) => o.public_https_trust.roots.push({ ...o.public_https_trust.roots[1] })],
    ['credentials in the URL', (o) => (o.control_plane.url = 'https://user@control.example')],
    ['a path with a control character', (o) => (o.node_cert_trust.path = '/etc/x\u0001.pem')],
  ];

  test.each([...COMMON_MUTATIONS, ...v2Mutations])('refuses %s, as validateBundle does', (_what, change) => {
    const value = mutate(sample, change);
    expect(judge(value)).toEqual({ schema: false, validateBundle: false });
  });

  test("rules JSON Schema cannot express are validateBundle's alone (documented in the schema description)", () => {
    const sameKeyName = mutate(
      sample,
      (o) => (o.bundle_keys.set = new TestSigner(VERIFIER_SET.key).bundleKeySet([1, 'active'])),
    );
    expect(judge(sameKeyName)).toEqual({ schema: true, validateBundle: false });
    expect(schemaV2.description).toContain('bundle_keys.set.key differs from task_verifiers.set.key');
  });

  test('every v2 bundle validateBundle accepts validates (property)', () => {
    const input = fc.record({
      environment: fc.constantFrom('dev', 'staging', 'prod', 'eu-1', 'a', 'z'.repeat(32)),
      sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      url: fc.constantFrom(
        'https://control.dev.platform.internal',
        'https://cp.example.internal:8443/api?x=1&y=<2>#f',
        'HTTPS://[::1]/',
      ),
      dir: fc.constantFrom('/etc/gpuaas/trust', '/var/lib/gpu aas', '/opt/trust/...', '/x'),
      withNext: fc.boolean(),
    });
    fc.assert(
      fc.property(input, (i) => {
        const b = v2Of(
          sampleInput({
            publicHttpsRoots: [
              { pem: ROOT_A.trim(), state: 'current' },
              ...(i.withNext ? [{ pem: ROOT_B.trim(), state: 'next' as const }] : []),
            ],
          }),
        );
        // validateBundle is looser than the model for URLs and paths: set them on the rendered bundle
        const edited = mutate(b, (o) => {
          Object.assign(o, { environment: i.environment, sequence: i.sequence });
          o.control_plane.url = i.url;
          o.public_https_trust.path = o.env.GPUAAS_CA_BUNDLE_PATH = `${i.dir}/cp.pem`;
          o.node_cert_trust.path = o.env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH = `${i.dir}/nodes.pem`;
          o.task_verifiers.path = `${i.dir}/keys.json`;
        });
        expect(judge(edited)).toEqual({ schema: true, validateBundle: true });
      }),
    );
  });
});
