import { BundleInput } from '../../../lib/bootstrap/bundle-model';
import { PUBKEYS_FORMAT_V1, VerifierSetV1 } from '../../../lib/node/formats';
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
