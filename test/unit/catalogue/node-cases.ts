/**
 * The node side's catalogue: for every NodeTrustErrorCode, one input a node could be handed that raises it.
 * `catalogue.test.ts` asserts the exact message of each. Inputs whose message would quote random key material use
 * a fixed public key (RFC 8032, test 1).
 */
import {
  BUNDLE_KEYS_FORMAT_V1,
  PUBKEYS_FORMAT_V1,
  computeKid,
  materializeBundle,
  parseBundleKeySet,
  parseEnvelope,
  parseVerifierSet,
  renderVerifierSet,
  spkiPin,
  validateBundle,
} from '../../../lib/node';
import { makeBundle, makeBundleV2, makeTrustMaterial } from '../node/helpers/bundles';
import { KEY_NAME, TestSigner } from '../node/helpers/signer';

/** RFC 8032, section 7.1, test 1: a valid Ed25519 public key that never changes. */
const FIXED_KEY = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

function entry(version: number, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    alg: 'ed25519',
    kid: computeKid('signer', version, FIXED_KEY),
    public_key: FIXED_KEY,
    state,
    version,
    ...extra,
  };
}

function setText(...keys: Record<string, unknown>[]): string {
  return JSON.stringify({ format: PUBKEYS_FORMAT_V1, key: 'signer', keys });
}

const material = makeTrustMaterial();
const signer = new TestSigner();

function bundle(spec: Partial<Parameters<typeof makeBundle>[0]> = {}) {
  return makeBundle({
    verifiers: signer.set([1, 'active']),
    roots: [{ cert: material.rootNew, state: 'current' }],
    nodePems: [material.nodeIntermediate.pem, material.nodeRoot.pem],
    ...spec,
  });
}

export const NODE_CASES: ReadonlyArray<readonly [string, () => void]> = [
  ['verifier set that is not a string', () => parseVerifierSet(42 as never)],
  [
    'envelope payload type that is not a string',
    () => parseEnvelope({ payloadType: 1, payload: 'e30=', signatures: [] }),
  ],
  ['verifier set with two active versions', () => parseVerifierSet(setText(entry(1, 'active'), entry(2, 'active')))],
  [
    'verifier entry with a wrong kid',
    () => parseVerifierSet(setText(entry(1, 'active', { kid: 'signer:v1:000000000000' }))),
  ],
  [
    'verifier entry with a short public key',
    () => parseVerifierSet(setText(entry(1, 'active', { public_key: 'AAAA' }))),
  ],
  [
    'grace entry with a date that is not ISO 8601',
    () => parseVerifierSet(setText(entry(1, 'grace', { until: 'tomorrow' }), entry(2, 'active'))),
  ],
  [
    'verifier set that is not the canonical rendering',
    () => {
      const canonical = renderVerifierSet(JSON.parse(setText(entry(1, 'active'))));
      parseVerifierSet(canonical.replace('{"format":', '{ "format":'));
    },
  ],
  ['PEM that is not a certificate', () => spkiPin('not a certificate')],
  [
    'bundle with the two CA bundles at one path',
    () =>
      validateBundle(
        bundle({ paths: { publicHttpsBundle: '/etc/gpuaas/ca.pem', nodeCertBundle: '/etc/gpuaas/ca.pem' } }),
      ),
  ],
  [
    'bundle whose node-cert chain holds the public root',
    () => validateBundle(bundle({ nodePems: [material.rootNew.pem] })),
  ],
  [
    'bundle that tells nodes the Vault address',
    () => validateBundle(bundle({ url: 'https://vault.internal:8200/v1/' })),
  ],
  [
    'bundle whose env disagrees with its fields',
    () => {
      const b = bundle();
      validateBundle({ ...b, env: { ...b.env, GPUAAS_CA_BUNDLE_PATH: '/etc/other.pem' } });
    },
  ],
  ['trust files written under a file', () => materializeBundle(bundle(), '/dev/null')],
  ['verifier set given as a bundle key set', () => parseBundleKeySet(setText(entry(1, 'active')))],
  [
    'bundle key set that is the task key',
    () =>
      validateBundle(
        makeBundleV2({
          verifiers: signer.set([1, 'active']),
          roots: [{ cert: material.rootNew, state: 'current' }],
          nodePems: [material.nodeIntermediate.pem, material.nodeRoot.pem],
          bundleKeys: { ...new TestSigner(KEY_NAME).bundleKeySet([1, 'active']), format: BUNDLE_KEYS_FORMAT_V1 },
        }),
      ),
  ],
];
