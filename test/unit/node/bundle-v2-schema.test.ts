import { NodeTrustError, spkiPin, validateBundle } from '../../../lib/node';
import { MAX_REFRESH_HINT_SECONDS } from '../../../lib/kernel/formats';
import { bundleSchema, validate } from '../bootstrap/json-schema';
import { makeBundleV2, makeTrustMaterial } from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

// The v2 JSON Schema and validateBundle agree on freshness and revocations: what the node accepts the schema
// accepts, and what the schema refuses the node refuses; the rules the schema cannot express are the node's alone.

const schema = bundleSchema('bootstrap-bundle.v2.schema.json');
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);

const sample = makeBundleV2({
  verifiers: tasks.set([3, 'active']),
  bundleKeys: bundles.bundleKeySet([2, 'active']),
  roots: [{ cert: m.rootNew, state: 'current' }],
  nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
  freshness: { expires: '2026-04-30T00:00:00.123456789Z', refresh_hint_seconds: 600 },
  revoked: { task_key_versions: [1, 2], bundle_key_versions: [1], root_pins: [spkiPin(m.rootOld.pem)] },
});
const copy = (): any => JSON.parse(JSON.stringify(sample));
const nodeAccepts = (b: unknown) => {
  try {
    validateBundle(b);
    return true;
  } catch (e) {
    if (e instanceof NodeTrustError) return false;
    throw e;
  }
};

test('GIVEN a v2 bundle with freshness and revocations WHEN checked THEN both the schema and the node accept it', () => {
  expect(validate(schema, copy())).toEqual([]);
  expect(nodeAccepts(copy())).toBe(true);
  expect(schema.required).toEqual(expect.arrayContaining(['freshness', 'revoked']));
  expect(schema.properties.freshness.properties.refresh_hint_seconds.maximum).toBe(MAX_REFRESH_HINT_SECONDS);
});

test.each<[string, (b: any) => void]>([
  ['no freshness', (b) => delete b.freshness],
  ['no revoked', (b) => delete b.revoked],
  ['no expires', (b) => delete b.freshness.expires],
  ['an extra freshness field', (b) => (b.freshness.not_before = '2026-01-01T00:00:00Z')],
  ['an expiry with an offset', (b) => (b.freshness.expires = '2026-04-30T00:00:00+02:00')],
  ['a refresh hint of 0', (b) => (b.freshness.refresh_hint_seconds = 0)],
  ['a refresh hint over a week', (b) => (b.freshness.refresh_hint_seconds = MAX_REFRESH_HINT_SECONDS + 1)],
  ['a fractional refresh hint', (b) => (b.freshness.refresh_hint_seconds = 0.5)],
  ['no root_pins', (b) => delete b.revoked.root_pins],
  ['an extra revoked field', (b) => (b.revoked.kids = [])],
  ['a revoked version 0', (b) => (b.revoked.task_key_versions = [0])],
  ['a revoked version as text', (b) => (b.revoked.bundle_key_versions = ['1'])],
  ['a repeated revoked version', (b) => (b.revoked.task_key_versions = [1, 1])],
  ['an upper-case pin', (b) => (b.revoked.root_pins = [b.revoked.root_pins[0].toUpperCase()])],
  ['a repeated pin', (b) => (b.revoked.root_pins = [b.revoked.root_pins[0], b.revoked.root_pins[0]])],
])('GIVEN %s WHEN checked THEN the schema and the node both refuse it', (_, edit) => {
  const b = copy();
  edit(b);
  expect(validate(schema, b)).not.toEqual([]);
  expect(nodeAccepts(b)).toBe(false);
});

test.each<[string, (b: any) => void]>([
  ['descending revoked versions', (b) => (b.revoked.task_key_versions = [2, 1])],
  ['unsorted pins', (b) => b.revoked.root_pins.unshift(`sha256:${'f'.repeat(64)}`)],
  ['a revoked task key version still active', (b) => (b.revoked.task_key_versions = [3])],
  ['a revoked bundle key version still active', (b) => (b.revoked.bundle_key_versions = [2])],
  ['a revoked pin that is a root', (b) => (b.revoked.root_pins = [spkiPin(m.rootNew.pem)])],
  ['an expiry on a day that does not exist', (b) => (b.freshness.expires = '2026-02-30T00:00:00Z')],
])(
  'GIVEN %s (a rule named in the schema description) WHEN checked THEN the node refuses what the schema lets through',
  (_, edit) => {
    const b = copy();
    edit(b);
    expect(validate(schema, b)).toEqual([]);
    expect(nodeAccepts(b)).toBe(false);
  },
);
