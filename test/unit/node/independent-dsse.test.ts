import { generateKeyPairSync, sign } from 'node:crypto';
import { dsse } from '@sigstore/core';
import { BUNDLE_PAYLOAD_TYPE_V2, BootstrapBundleV2, DsseEnvelope, pae, verifyBundle } from '../../../lib/node';
import { dsseEnvelopeFor, makeBundleV2, makeTrustMaterial } from './helpers/bundles';
import { verifyDsseIndependently } from './helpers/independent-dsse';
import { BUNDLE_KEY_NAME, TestSigner, rawPublicKey } from './helpers/signer';

const NOW = new Date('2026-02-01T00:00:00Z');
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const keySet = bundles.bundleKeySet([1, 'active']);
const bundle: BootstrapBundleV2 = makeBundleV2({
  verifiers: tasks.set([1, 'active']),
  bundleKeys: keySet,
  roots: [{ cert: m.rootOld, state: 'current' }],
  nodePems: [m.nodeRoot.pem],
});

describe('independent DSSE check (@sigstore/core PAE + node:crypto Ed25519)', () => {
  test('GIVEN any payload type and body WHEN encoded THEN our PAE equals @sigstore/core preAuthEncoding', () => {
    for (const [type, body] of [
      [BUNDLE_PAYLOAD_TYPE_V2, '{"a":1}'],
      ['é', 'ü€'],
      ['', ''],
    ]) {
      expect(Buffer.from(pae(type, Buffer.from(body)))).toEqual(dsse.preAuthEncoding(type, Buffer.from(body)));
    }
  });

  test('GIVEN an envelope signed with a node:crypto Ed25519 key WHEN checked THEN both our code and the independent helper accept it', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const signer = new TestSigner(BUNDLE_KEY_NAME).adopt(1, { publicKey, privateKey });
    const env = dsseEnvelopeFor(bundle, [{ signer, version: 1 }]);
    const publicKeyB64 = rawPublicKey(publicKey).toString('base64');
    expect(verifyDsseIndependently(env, publicKeyB64, signer.kid(1))).toBe(true);
    expect(verifyBundle(env, signer.bundleKeySet([1, 'active']), NOW).ok).toBe(true);
    // made by hand, without our helpers: the same verdict
    const payload = Buffer.from(JSON.stringify(bundle));
    const sig = sign(null, dsse.preAuthEncoding(BUNDLE_PAYLOAD_TYPE_V2, payload), privateKey).toString('base64');
    const byHand: DsseEnvelope = {
      payloadType: BUNDLE_PAYLOAD_TYPE_V2,
      payload: payload.toString('base64'),
      signatures: [{ keyid: signer.kid(1), sig }],
    };
    expect(verifyDsseIndependently(byHand, publicKeyB64, signer.kid(1))).toBe(true);
    expect(verifyBundle(byHand, signer.bundleKeySet([1, 'active']), NOW).ok).toBe(true);
  });

  test('GIVEN a vault:v1:-prefixed sig WHEN checked THEN both refuse it', () => {
    const env = dsseEnvelopeFor(bundle, [{ signer: bundles, version: 1, vaultPrefix: true }]);
    expect(env.signatures[0].sig.startsWith('vault:v1:')).toBe(true);
    expect(verifyDsseIndependently(env, bundles.publicKeyB64(1), bundles.kid(1))).toBe(false);
    expect(verifyBundle(env, keySet, NOW)).toMatchObject({ ok: false, reason: 'malformed-signature' });
  });

  test('GIVEN a wrong keyid, a wrong key, another payload type or a changed payload WHEN checked THEN both refuse it', () => {
    const good = dsseEnvelopeFor(bundle, [{ signer: bundles, version: 1 }]);
    expect(verifyDsseIndependently(good, bundles.publicKeyB64(1), bundles.kid(2))).toBe(false);
    expect(verifyDsseIndependently(good, tasks.publicKeyB64(1), bundles.kid(1))).toBe(false);
    expect(verifyDsseIndependently(good, 'not a key', bundles.kid(1))).toBe(false);
    const otherType = { ...good, payloadType: 'application/json' };
    expect(verifyDsseIndependently(otherType, bundles.publicKeyB64(1), bundles.kid(1))).toBe(false);
    const changed = { ...good, payload: Buffer.from(JSON.stringify({ ...bundle, sequence: 2 })).toString('base64') };
    expect(verifyDsseIndependently(changed, bundles.publicKeyB64(1), bundles.kid(1))).toBe(false);
    expect(verifyBundle(changed, keySet, NOW)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});
