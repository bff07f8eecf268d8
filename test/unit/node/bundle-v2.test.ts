import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_SCHEMA_V2,
  BootstrapBundleV2,
  BundleVerification,
  NodeTrustError,
  NodeTrustErrorCode as Code,
  materializeBundle,
  renderBundleKeySet,
  renderBundlePayload,
  renderVerifierSet,
  spkiPin,
  validateBundle,
  verifyBundle,
} from '../../../lib/node';
import {
  TEST_EXPIRES,
  dsseEnvelopeFor,
  envelopeFor,
  makeBundle,
  makeBundleV2,
  makeTrustMaterial,
} from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

const NOW = new Date('2026-02-01T00:00:00Z');
const GRACE_END = '2026-02-10T00:00:00Z';
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const taskSet = tasks.set([1, 'active']);
const keySet = bundles.bundleKeySet([1, 'grace', GRACE_END], [2, 'active'], [3, 'next']);

function bundleV2(overrides: Partial<Parameters<typeof makeBundleV2>[0]> = {}): BootstrapBundleV2 {
  return makeBundleV2({
    verifiers: taskSet,
    bundleKeys: keySet,
    roots: [{ cert: m.rootOld, state: 'current' }],
    nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
    sequence: 3,
    ...overrides,
  });
}

const editable = (): any => JSON.parse(JSON.stringify(bundleV2()));
const reasonOf = (r: BundleVerification) => (r.ok ? 'ok' : r.reason);

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof NodeTrustError) return e.code;
    throw e;
  }
}

describe('validateBundle: format v2', () => {
  test('GIVEN a v2 bundle WHEN validated THEN it comes back deeply frozen with its bundle keys', () => {
    const b = validateBundle(editable());
    expect(b).toEqual(bundleV2());
    expect(b.schema).toBe(BUNDLE_SCHEMA_V2);
    expect(Object.isFrozen((b as BootstrapBundleV2).bundle_keys.set.keys[0])).toBe(true);
  });

  test('GIVEN a v2 bundle WHEN its payload is rendered THEN keys are sorted at every level, compact, as jsonencode renders it', () => {
    const text = renderBundlePayload(bundleV2());
    expect(text.startsWith(`{"bundle_keys":{"set":${renderBundleKeySet(keySet)}},"control_plane":{"url":`)).toBe(true);
    const order = ['bundle_keys', 'control_plane', 'env', 'environment', 'freshness', 'node_cert_trust'];
    const positions = [...order, 'public_https_trust', 'revoked', 'schema', 'sequence', 'task_verifiers'].map((k) =>
      text.indexOf(`"${k}":`),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain(`"freshness":{"expires":"${TEST_EXPIRES}","refresh_hint_seconds":3600},"node_cert_trust"`);
    expect(text).toContain('"revoked":{"bundle_key_versions":[],"root_pins":[],"task_key_versions":[]},"schema"');
    expect(text).toContain(
      `"task_verifiers":{"path":"/etc/gpuaas/trust/task-signing-pubkeys.json","set":${renderVerifierSet(taskSet)}}}`,
    );
    expect(JSON.parse(text)).toEqual(bundleV2());
    // the same bundle with its fields in any order renders the same bytes
    const b = editable();
    const shuffled = Object.fromEntries(Object.entries(b).reverse());
    shuffled.freshness = { refresh_hint_seconds: 3600, expires: TEST_EXPIRES };
    shuffled.revoked = { task_key_versions: [], root_pins: [], bundle_key_versions: [] };
    expect(renderBundlePayload(shuffled as never)).toBe(text);
  });

  test('GIVEN a v2 bundle with revocations WHEN rendered THEN the lists keep their order inside the sorted keys', () => {
    const pin = `sha256:${'ab'.repeat(32)}`;
    const b = bundleV2({ revoked: { task_key_versions: [3, 7], bundle_key_versions: [9], root_pins: [pin] } });
    expect(renderBundlePayload(b)).toContain(
      `"revoked":{"bundle_key_versions":[9],"root_pins":["${pin}"],"task_key_versions":[3,7]}`,
    );
    const v = validateBundle(b) as BootstrapBundleV2;
    expect(v.revoked).toEqual({ task_key_versions: [3, 7], bundle_key_versions: [9], root_pins: [pin] });
    expect(Object.isFrozen(v.revoked.root_pins)).toBe(true);
    // the caller's lists are copied, not frozen
    expect(Object.isFrozen(b.revoked.root_pins)).toBe(false);
  });

  test('GIVEN a v1 bundle WHEN its payload is rendered THEN it keeps the v1 field order', () => {
    const v1 = makeBundle({
      verifiers: taskSet,
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    expect(
      renderBundlePayload(v1).startsWith('{"schema":"cdktf-platform-trust/bootstrap-bundle/v1","environment"'),
    ).toBe(true);
  });

  test.each<[string, (b: any) => void, Code, RegExp]>([
    ['no bundle_keys', (b) => delete b.bundle_keys, Code.INVALID_FIELD, /bundle_keys: is missing/],
    ['an extra field in bundle_keys', (b) => (b.bundle_keys.path = '/etc/x.json'), Code.INVALID_FIELD, /unknown field/],
    [
      'bundle_keys in a v1 bundle',
      (b) => (b.schema = 'cdktf-platform-trust/bootstrap-bundle/v1'),
      Code.INVALID_FIELD,
      /bundle_keys/,
    ],
    ['another schema id', (b) => (b.schema = 'cdktf-platform-trust/bootstrap-bundle/v3'), Code.INVALID_FIELD, /schema/],
    [
      'a task verifier set as bundle keys',
      (b) => (b.bundle_keys.set = JSON.parse(renderVerifierSet(tasks.set([5, 'active'])))),
      Code.WRONG_KEY_KIND,
      /bundle_keys\.set\.format/,
    ],
    [
      'a bundle key set as task verifiers',
      (b) => {
        b.task_verifiers.set = JSON.parse(renderBundleKeySet(tasks.bundleKeySet([1, 'active'])));
        b.env.GPUAAS_TASK_SIGNING_PUBKEYS = renderBundleKeySet(tasks.bundleKeySet([1, 'active']));
      },
      Code.WRONG_KEY_KIND,
      /task_verifiers\.set\.format/,
    ],
    [
      'bundle keys named as the task key',
      (b) => (b.bundle_keys.set = tasks.bundleKeySet([2, 'active'])),
      Code.KEY_REUSE,
      /bundle_keys\.set\.key: .*the task signing key/,
    ],
    [
      'a task public key among the bundle keys (same key for tasks and bundles)',
      (b) => {
        const reused = new TestSigner(BUNDLE_KEY_NAME).adopt(2, bundles.pair(2)).adopt(9, tasks.pair(1));
        b.bundle_keys.set = reused.bundleKeySet([2, 'active'], [9, 'next']);
      },
      Code.KEY_REUSE,
      /keys\[1\]\.public_key: is also the public key of task verifier gpuaas-task-signing:v1:/,
    ],
    [
      'bundle keys without an active entry',
      (b) => (b.bundle_keys.set.keys[1].state = 'next'),
      Code.INVALID_VERSIONS,
      /active/,
    ],
    ['a secret in bundle_keys', (b) => (b.bundle_keys.token = 'x'), Code.SECRET_MATERIAL, /credential/],
    ['no freshness', (b) => delete b.freshness, Code.INVALID_FIELD, /bundle\.freshness: is missing/],
    ['no revoked', (b) => delete b.revoked, Code.INVALID_FIELD, /bundle\.revoked: is missing/],
    [
      'freshness in a v1 bundle',
      (b) => {
        b.schema = 'cdktf-platform-trust/bootstrap-bundle/v1';
        delete b.bundle_keys;
      },
      Code.INVALID_FIELD,
      /bundle\.freshness: unknown field/,
    ],
    [
      'an extra field in freshness',
      (b) => (b.freshness.not_before = TEST_EXPIRES),
      Code.INVALID_FIELD,
      /freshness\.not_before: unknown field/,
    ],
    ['no expires', (b) => delete b.freshness.expires, Code.INVALID_FIELD, /freshness\.expires: is missing/],
    [
      'an expiry with an offset',
      (b) => (b.freshness.expires = '2030-01-01T00:00:00+01:00'),
      Code.INVALID_DATE,
      /freshness\.expires: must be ISO 8601 UTC.*Received: "2030-01-01T00:00:00\+01:00"/,
    ],
    [
      'an expiry that is no date',
      (b) => (b.freshness.expires = '2026-02-30T00:00:00Z'),
      Code.INVALID_DATE,
      /freshness\.expires/,
    ],
    [
      'a refresh hint of 0',
      (b) => (b.freshness.refresh_hint_seconds = 0),
      Code.INVALID_FIELD,
      /refresh_hint_seconds: must be a whole number of seconds from 1 to 604800.*Received: 0\./,
    ],
    [
      'a refresh hint over a week',
      (b) => (b.freshness.refresh_hint_seconds = 604801),
      Code.INVALID_FIELD,
      /refresh_hint_seconds/,
    ],
    [
      'a fractional refresh hint',
      (b) => (b.freshness.refresh_hint_seconds = 1.5),
      Code.INVALID_FIELD,
      /refresh_hint_seconds/,
    ],
    [
      'a refresh hint as text',
      (b) => (b.freshness.refresh_hint_seconds = '3600'),
      Code.INVALID_FIELD,
      /refresh_hint_seconds/,
    ],
    ['a missing revoked list', (b) => delete b.revoked.root_pins, Code.INVALID_FIELD, /revoked\.root_pins: is missing/],
    ['an extra field in revoked', (b) => (b.revoked.kids = []), Code.INVALID_FIELD, /revoked\.kids: unknown field/],
    [
      'revoked versions out of order',
      (b) => (b.revoked.task_key_versions = [3, 2]),
      Code.INVALID_VERSIONS,
      /revoked\.task_key_versions\[1\]: versions must be ascending and unique. Received: 2\./,
    ],
    [
      'a revoked version twice',
      (b) => (b.revoked.bundle_key_versions = [5, 5]),
      Code.INVALID_VERSIONS,
      /revoked\.bundle_key_versions\[1\]/,
    ],
    [
      'a revoked version 0',
      (b) => (b.revoked.task_key_versions = [0]),
      Code.INVALID_VERSIONS,
      /task_key_versions\[0\]: is not a key version/,
    ],
    [
      'revoked versions that are not a list',
      (b) => (b.revoked.bundle_key_versions = 4),
      Code.INVALID_VERSIONS,
      /bundle_key_versions: must be a list/,
    ],
    [
      'an upper-case revoked pin',
      (b) => (b.revoked.root_pins = [`sha256:${'AB'.repeat(32)}`]),
      Code.INVALID_FIELD,
      /root_pins\[0\]: must be a pin/,
    ],
    ['a short revoked pin', (b) => (b.revoked.root_pins = ['sha256:abc']), Code.INVALID_FIELD, /root_pins\[0\]/],
    [
      'unsorted revoked pins',
      (b) => (b.revoked.root_pins = [`sha256:${'b'.repeat(64)}`, `sha256:${'a'.repeat(64)}`]),
      Code.INVALID_FIELD,
      /root_pins\[1\]: pins must be sorted and unique/,
    ],
    [
      'a revoked task key version still active',
      (b) => (b.revoked.task_key_versions = [1]),
      Code.INVALID_FIELD,
      /task_key_versions: task key version 1 is revoked but still in the task verifier set.*Fix: drop the revoked item/,
    ],
    [
      'a revoked bundle key version still in grace',
      (b) => (b.revoked.bundle_key_versions = [1]),
      Code.INVALID_FIELD,
      /bundle key version 1 is revoked but still in the bundle key set/,
    ],
    [
      'a revoked bundle key version pre-published',
      (b) => (b.revoked.bundle_key_versions = [3]),
      Code.INVALID_FIELD,
      /bundle key version 3 is revoked/,
    ],
    [
      'a revoked pin that is a root',
      (b) => (b.revoked.root_pins = [spkiPin(m.rootOld.pem)]),
      Code.INVALID_FIELD,
      /root sha256:[0-9a-f]{64} is revoked but still a public HTTPS root/,
    ],
    [
      'an empty user in the URL',
      (b) => (b.control_plane.url = 'https://@control.example'),
      Code.SECRET_MATERIAL,
      /credentials/,
    ],
  ])('GIVEN a v2 bundle with %s WHEN validated THEN it is refused', (_, edit, code, detail) => {
    const b = editable();
    edit(b);
    expect(codeOf(() => validateBundle(b))).toBe(code);
    expect(() => validateBundle(b)).toThrow(detail);
  });
});

describe.each(['node', 'noble'] as const)('verifyBundle: v2 envelopes (engine %s)', (engine) => {
  const verify = (env: unknown, trusted: unknown = keySet, now = NOW) =>
    verifyBundle(env as never, trusted as never, now, { engine });

  test('GIVEN a v2 bundle signed by the active, next or grace bundle key WHEN verified THEN it is accepted', () => {
    for (const version of [2, 3, 1]) {
      const r = verify(dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version }]));
      if (!r.ok) throw new Error(r.detail);
      expect(r.bundle).toEqual(bundleV2());
      expect(r.signer).toEqual({ version, kid: bundles.kid(version), state: keySet.keys[version - 1].state });
      expect(r.signerKind).toBe('bundle-key');
    }
    expect(verify(dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 2 }]), renderBundleKeySet(keySet)).ok).toBe(
      true,
    );
  });

  test('GIVEN a grace bundle key WHEN its until has passed THEN grace-expired', () => {
    const env = dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 1 }]);
    expect(reasonOf(verify(env, keySet, new Date(GRACE_END)))).toBe('grace-expired');
  });

  test('GIVEN a v2 envelope WHEN the trusted set is a task verifier set THEN wrong-key-kind', () => {
    const env = dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 2 }]);
    expect(reasonOf(verify(env, taskSet))).toBe('wrong-key-kind');
    expect(reasonOf(verify(env, renderVerifierSet(taskSet)))).toBe('wrong-key-kind');
  });

  test('GIVEN a v1 envelope WHEN the trusted set is a bundle key set THEN wrong-key-kind', () => {
    const v1 = makeBundle({
      verifiers: taskSet,
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    expect(reasonOf(verify(envelopeFor(v1, tasks, 1), keySet))).toBe('wrong-key-kind');
  });

  test('GIVEN a keyid that is no kid of the trusted set WHEN verified THEN unknown-key', () => {
    const retired = new TestSigner(BUNDLE_KEY_NAME);
    expect(reasonOf(verify(dsseEnvelopeFor(bundleV2(), [{ signer: retired, version: 2 }])))).toBe('unknown-key');
    expect(reasonOf(verify(dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 4 }])))).toBe('unknown-key');
  });

  test('GIVEN a Vault transit string as a DSSE sig WHEN verified THEN malformed-signature', () => {
    const env = dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 2, vaultPrefix: true }]);
    expect(reasonOf(verify(env))).toBe('malformed-signature');
  });

  test('GIVEN a signature by another key under a trusted keyid WHEN verified THEN bad-signature', () => {
    const env = dsseEnvelopeFor(bundleV2(), [{ signer: tasks, version: 1, keyid: bundles.kid(2) }]);
    expect(reasonOf(verify(env))).toBe('bad-signature');
  });

  test('GIVEN a signature over another payload type WHEN verified THEN bad-signature', () => {
    const env = dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 2 }], { signedType: BUNDLE_PAYLOAD_TYPE });
    expect(reasonOf(verify(env))).toBe('bad-signature');
  });

  test('GIVEN a v2 envelope carrying a v1 bundle WHEN verified THEN invalid-bundle', () => {
    const v1 = makeBundle({
      verifiers: taskSet,
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    const r = verify(dsseEnvelopeFor(v1, [{ signer: bundles, version: 2 }]));
    expect(reasonOf(r)).toBe('invalid-bundle');
    expect(r.ok ? '' : r.detail).toMatch(/schema/);
  });

  test('GIVEN a signed v2 payload holding a Vault token WHEN verified THEN secret-material', () => {
    const leaky = { ...bundleV2(), control_plane: { url: `https://cp.example/?t=hvs.${'A'.repeat(24)}` } };
    expect(reasonOf(verify(dsseEnvelopeFor(leaky, [{ signer: bundles, version: 2 }])))).toBe('secret-material');
  });

  test('GIVEN an unknown payload type WHEN verified THEN wrong-payload-type', () => {
    const env = dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 2 }], { payloadType: 'application/json' });
    expect(reasonOf(verify(env))).toBe('wrong-payload-type');
  });

  test('GIVEN a bundle key set that does not validate WHEN verifying THEN invalid-verifier-set', () => {
    expect(reasonOf(verify(dsseEnvelopeFor(bundleV2(), [{ signer: bundles, version: 2 }]), '{}'))).toBe(
      'invalid-verifier-set',
    );
  });
});

describe('materializeBundle: format v2', () => {
  test('GIVEN a verified v2 bundle WHEN materialized THEN the same three files are written, and no bundle key file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-v2-'));
    try {
      const written = materializeBundle(bundleV2(), dir);
      expect(fs.readFileSync(written.taskVerifiers, 'utf8')).toBe(renderVerifierSet(taskSet));
      expect(fs.readFileSync(written.publicHttpsBundle, 'utf8')).toBe(`${m.rootOld.pem.trim()}\n`);
      const files = fs.readdirSync(path.join(dir, 'etc', 'gpuaas', 'trust')).sort();
      expect(files).toEqual(['control-plane-ca.pem', 'node-cert-ca.pem', 'task-signing-pubkeys.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
