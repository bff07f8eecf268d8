import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { buildBundle } from '../../../lib/bootstrap/bundle-model';
import { BUNDLE_SCHEMA_V1, BootstrapBundleV1 } from '../../../lib/node/formats';
import { ROOT_A, ROOT_B } from '../pki/fixtures';
import { validate } from './mini-json-schema';
import { sampleInput } from './samples';

const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/bootstrap-bundle.v1.schema.json'), 'utf8'));

/** Deep copy with one change, for negative cases. */
function mutate(b: BootstrapBundleV1, change: (o: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(b));
  change(copy);
  return copy;
}

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

  test.each<[string, (o: any) => void]>([
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
  ])('refuses %s', (_what, change) => {
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
