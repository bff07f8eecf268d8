import * as fc from 'fast-check';
import {
  BootstrapBundleV2,
  acceptBundleUpdate,
  acceptFirstBundle,
  bundleKeyPin,
  validateBundle,
  verifyBundle,
} from '../../../lib/node';
import { dsseEnvelopeFor, makeBundleV2, makeTrustMaterial } from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

// Fuzz-style properties over hostile v2 envelopes: the three ways a node takes a v2 bundle (verifyBundle,
// acceptBundleUpdate, acceptFirstBundle) never throw and never accept what the trusted bundle key did not sign.

const NOW = new Date('2026-02-01T00:00:00Z');
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const attacker = new TestSigner(BUNDLE_KEY_NAME); // same key name and versions, different keys
const keys = bundles.bundleKeySet([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active'], [3, 'next']);
const m = makeTrustMaterial();
const held: BootstrapBundleV2 = makeBundleV2({
  verifiers: tasks.set([1, 'active']),
  bundleKeys: keys,
  roots: [{ cert: m.rootOld, state: 'current' }],
  nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
  sequence: 3,
});
const next: BootstrapBundleV2 = { ...held, sequence: 4 };
const good = dsseEnvelopeFor(next, [{ signer: bundles, version: 2 }]);
const goodText = JSON.stringify(good);
const pin = bundleKeyPin(bundles.publicKeyB64(2));
const RUNS = { numRuns: 300 };

/** The three entry points refuse `env`. */
function refusedEverywhere(env: unknown): void {
  expect(verifyBundle(env as never, keys, NOW).ok).toBe(false);
  expect(acceptBundleUpdate({ bundle: held }, env as never, NOW).ok).toBe(false);
  expect(acceptFirstBundle(env as never, pin, NOW).ok).toBe(false);
}

const sigs = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
  fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b).toString('base64')),
  fc.constantFrom(1, 2, 3).map((v) => `vault:v${v}:${good.signatures[0].sig}`),
);
const keyids = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(1, 2, 3, 4).map((v) => bundles.kid(v)),
);

describe('fuzz: v2 envelopes', () => {
  test('GIVEN the valid envelope WHEN checked THEN all three accept it (the baseline)', () => {
    expect(verifyBundle(good, keys, NOW).ok).toBe(true);
    expect(acceptBundleUpdate({ bundle: held }, goodText, NOW).ok).toBe(true);
    expect(acceptFirstBundle(goodText, pin, NOW).ok).toBe(true);
  });

  test('GIVEN random envelopes with the real payload WHEN checked THEN nothing throws and nothing is accepted', () => {
    const envelopes = fc.oneof(
      fc.anything(),
      fc.record({
        payloadType: fc.oneof(fc.string(), fc.constant(good.payloadType)),
        payload: fc.oneof(fc.base64String(), fc.constant(good.payload)),
        signatures: fc.array(fc.record({ keyid: keyids, sig: sigs }), { maxLength: 3 }),
      }),
    );
    fc.assert(fc.property(envelopes, refusedEverywhere), RUNS);
  });

  test('GIVEN the valid envelope with one character changed WHEN checked THEN nothing throws and nothing is accepted', () => {
    const mutated = fc
      .record({ at: fc.nat(), code: fc.integer({ min: 0, max: 0x2fff }) })
      .map(({ at, code }) => {
        const i = at % goodText.length;
        return goodText.slice(0, i) + String.fromCharCode(code) + goodText.slice(i + 1);
      })
      .filter((t) => t !== goodText);
    fc.assert(fc.property(mutated, refusedEverywhere), RUNS);
  });

  test('GIVEN bundles signed by the real key with expiries around now WHEN checked THEN each is accepted exactly while it has not expired', () => {
    const offsets = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -86_400_000, max: 86_400_000 }));
    fc.assert(
      fc.property(offsets, (offsetMs) => {
        const expires = new Date(NOW.getTime() + offsetMs).toISOString();
        const env = dsseEnvelopeFor({ ...next, freshness: { ...next.freshness, expires } }, [
          { signer: bundles, version: 2 },
        ]);
        const fresh = offsetMs > 0;
        const results = [
          verifyBundle(env, keys, NOW),
          acceptBundleUpdate({ bundle: held }, env, NOW),
          acceptFirstBundle(env, pin, NOW),
        ];
        for (const r of results) expect(r.ok ? 'ok' : r.reason).toBe(fresh ? 'ok' : 'expired');
      }),
      { numRuns: 100 },
    );
  });

  test('GIVEN edited bundles signed by an attacker under the real kids WHEN checked THEN nothing is accepted', () => {
    const edits = fc.record({
      sequence: fc.integer({ min: 1, max: 10 }),
      url: fc.constantFrom('https://evil.example', next.control_plane.url),
      version: fc.constantFrom(1, 2, 3),
      withReal: fc.boolean(),
    });
    fc.assert(
      fc.property(edits, ({ sequence, url, version, withReal }) => {
        const forged = { ...next, sequence, control_plane: { url } };
        validateBundle(forged);
        // the attacker's own keys in the payload, or the real keys copied in
        const bundleKeys = withReal
          ? keys
          : attacker.bundleKeySet([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active'], [3, 'next']);
        const env = dsseEnvelopeFor({ ...forged, bundle_keys: { set: bundleKeys } }, [
          { signer: attacker, version, keyid: bundles.kid(version) },
          { signer: tasks, version: 1 },
        ]);
        refusedEverywhere(env);
      }),
      RUNS,
    );
  });
});
