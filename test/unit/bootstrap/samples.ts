import { BundleInput, BundleInputV2 } from '../../../lib/bootstrap/bundle-model';
import { BUNDLE_KEYS_FORMAT_V1, BundleKeySetV1, PUBKEYS_FORMAT_V1, VerifierSetV1 } from '../../../lib/node/formats';
import { INTERMEDIATE, ROOT_A, ROOT_B } from '../pki/fixtures';

export const VERIFIER_SET: VerifierSetV1 = {
  format: PUBKEYS_FORMAT_V1,
  key: 'node-task-signer',
  keys: [
    {
      version: 1,
      kid: 'node-task-signer:v1:186b352de7b071e7',
      alg: 'ed25519',
      public_key: 'zafS7yq1SDHA5KN8X0ZmVrSwz0fRh+iohI8D+ZKQFFI=',
      state: 'grace',
      until: '2027-02-01T00:00:00Z',
    },
    {
      version: 2,
      kid: 'node-task-signer:v2:3d256a879f35186f',
      alg: 'ed25519',
      public_key: 'SDOMVzN3V/vouEFVNgFnKCcd68VInoNs3yH/kCnRwoU=',
      state: 'active',
    },
  ],
};

/** A complete, valid input; tests override one field at a time. */
export function sampleInput(overrides: Partial<BundleInput> = {}): BundleInput {
  return {
    environment: 'dev',
    sequence: 1,
    controlPlaneUrl: 'https://control.dev.platform.internal',
    publicHttpsRoots: [
      { pem: ROOT_A.trim(), state: 'current' },
      { pem: ROOT_B.trim(), state: 'next' },
    ],
    nodeCertPems: [INTERMEDIATE.trim()],
    verifierSet: VERIFIER_SET,
    pubkeysJson: JSON.stringify(VERIFIER_SET),
    ...overrides,
  };
}

/** A bundle key set of one active version (the kid's hex are the first 16 of SHA-256 over the public_key text). */
export const BUNDLE_KEY_SET: BundleKeySetV1 = {
  format: BUNDLE_KEYS_FORMAT_V1,
  key: 'bundle-signer',
  keys: [
    {
      version: 1,
      kid: 'bundle-signer:v1:ff73a0647bbc29aa',
      alg: 'ed25519',
      public_key: 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=',
      state: 'active',
    },
  ],
};

/** A complete, valid input of format v2. */
export function sampleInputV2(overrides: Partial<BundleInputV2> = {}): BundleInputV2 {
  return {
    ...sampleInput(),
    bundleKeySet: BUNDLE_KEY_SET,
    freshness: { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 3600 },
    ...overrides,
  };
}
