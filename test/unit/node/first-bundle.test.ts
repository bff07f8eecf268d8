import {
  BUNDLE_PAYLOAD_TYPE,
  BootstrapBundleV2,
  FirstBundleResult,
  acceptFirstBundle,
  bundleKeyPin,
} from '../../../lib/node';
import { dsseEnvelopeFor, envelopeFor, makeBundle, makeBundleV2, makeTrustMaterial } from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

const NOW = new Date('2026-02-01T00:00:00Z');
const GRACE_END = '2026-02-10T00:00:00Z';
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const keys = bundles.bundleKeySet([1, 'grace', GRACE_END], [2, 'active'], [3, 'next']);
const reasonOf = (r: FirstBundleResult) => (r.ok ? 'ok' : r.reason);

function bundle(bundleKeys = keys): BootstrapBundleV2 {
  return makeBundleV2({
    verifiers: tasks.set([1, 'active']),
    bundleKeys,
    roots: [{ cert: m.rootOld, state: 'current' }],
    nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
    sequence: 4,
  });
}

const pin = (version: number) => bundleKeyPin(bundles.publicKeyB64(version));
const signedBy = (...versions: number[]) =>
  dsseEnvelopeFor(
    bundle(),
    versions.map((version) => ({ signer: bundles, version })),
  );

describe('acceptFirstBundle (enrolment under a bundle key pin)', () => {
  test('GIVEN the pin of the key that signed WHEN the first bundle arrives THEN it is accepted', () => {
    const r = acceptFirstBundle(signedBy(2), pin(2), NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.bundle).toEqual(bundle());
    expect(r.signer).toEqual({ version: 2, kid: bundles.kid(2), state: 'active' });
    expect(r.signerKind).toBe('bundle-key');
    expect(
      acceptFirstBundle(JSON.stringify(signedBy(2)), pin(2).toUpperCase().replace('SHA256:', 'sha256:'), NOW).ok,
    ).toBe(true);
  });

  test('GIVEN the pin of a pre-published next key, or of a grace key before until WHEN it signed THEN it is accepted', () => {
    expect(acceptFirstBundle(signedBy(3), pin(3), NOW).ok).toBe(true);
    expect(acceptFirstBundle(signedBy(1), pin(1), NOW).ok).toBe(true);
    expect(reasonOf(acceptFirstBundle(signedBy(1), pin(1), new Date(GRACE_END)))).toBe('grace-expired');
  });

  test('GIVEN a pin of no bundle key in the payload WHEN the first bundle arrives THEN pin-mismatch', () => {
    expect(reasonOf(acceptFirstBundle(signedBy(2), bundleKeyPin(tasks.publicKeyB64(1)), NOW))).toBe('pin-mismatch');
    expect(reasonOf(acceptFirstBundle(signedBy(2), `sha256:${'0'.repeat(64)}`, NOW))).toBe('pin-mismatch');
  });

  test('GIVEN the pinned key is in the payload but another key signed WHEN the first bundle arrives THEN pin-mismatch', () => {
    const r = acceptFirstBundle(signedBy(2), pin(3), NOW);
    expect(reasonOf(r)).toBe('pin-mismatch');
    expect(r.ok ? '' : r.detail).toMatch(/did not sign/);
  });

  test('GIVEN an attacker who copies the pinned public key into a payload signed by their own key WHEN it arrives THEN it is refused', () => {
    const attacker = new TestSigner(BUNDLE_KEY_NAME).adopt(2, bundles.pair(2));
    const forgedKeys = attacker.bundleKeySet([2, 'active'], [3, 'next']);
    // the attacker's v3 is their own key; they sign with it and name the pinned kid too
    const env = dsseEnvelopeFor(bundle(forgedKeys), [
      { signer: attacker, version: 3 },
      { signer: attacker, version: 3, keyid: bundles.kid(2) },
    ]);
    expect(reasonOf(acceptFirstBundle(env, pin(2), NOW))).toBe('bad-signature');
  });

  test('GIVEN a signature under the pinned key over another payload WHEN the payload is swapped THEN bad-signature', () => {
    const env = signedBy(2);
    const other = { ...bundle(), sequence: 99 };
    const swapped = { ...env, payload: Buffer.from(JSON.stringify(other)).toString('base64') };
    expect(reasonOf(acceptFirstBundle(swapped, pin(2), NOW))).toBe('bad-signature');
  });

  test('GIVEN a malformed pin WHEN the first bundle arrives THEN invalid-pin', () => {
    for (const bad of ['', 'sha256:abc', `sha1:${'0'.repeat(64)}`, `sha256:${'g'.repeat(64)}`, 42]) {
      expect(reasonOf(acceptFirstBundle(signedBy(2), bad as string, NOW))).toBe('invalid-pin');
    }
  });

  test('GIVEN a v1 envelope WHEN offered as a first bundle THEN wrong-payload-type', () => {
    const v1 = makeBundle({
      verifiers: tasks.set([1, 'active']),
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    const env = envelopeFor(v1, tasks, 1);
    expect(env.payloadType).toBe(BUNDLE_PAYLOAD_TYPE);
    expect(reasonOf(acceptFirstBundle(env, pin(2), NOW))).toBe('wrong-payload-type');
  });

  test('GIVEN a payload that is not JSON, or has no valid bundle keys, or is not a valid bundle WHEN it arrives THEN it is refused', () => {
    expect(
      reasonOf(acceptFirstBundle(dsseEnvelopeFor('not json', [{ signer: bundles, version: 2 }]), pin(2), NOW)),
    ).toBe('invalid-payload');
    const noKeys = dsseEnvelopeFor('{"bundle_keys":{"set":{}}}', [{ signer: bundles, version: 2 }]);
    expect(reasonOf(acceptFirstBundle(noKeys, pin(2), NOW))).toBe('invalid-bundle');
    const broken = { ...bundle(), environment: 'Not Valid' };
    const env = dsseEnvelopeFor(JSON.stringify(broken), [{ signer: bundles, version: 2 }]);
    expect(reasonOf(acceptFirstBundle(env, pin(2), NOW))).toBe('invalid-bundle');
  });

  test('GIVEN a malformed envelope WHEN it arrives THEN malformed-envelope', () => {
    expect(reasonOf(acceptFirstBundle('{', pin(2), NOW))).toBe('malformed-envelope');
  });
});
