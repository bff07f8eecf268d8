/**
 * Test helper: a stand-in for Vault transit's Ed25519 key, one real node:crypto key pair per version,
 * producing `vault:v<N>:<base64>` signatures and matching verifier sets.
 */
import { KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import {
  BUNDLE_KEYS_FORMAT_V1,
  BundleKeySetV1,
  PUBKEYS_FORMAT_V1,
  VerifierEntry,
  VerifierSetV1,
  VerifierState,
  computeKid,
} from '../../../../lib/node';

export const KEY_NAME = 'gpuaas-task-signing';
/** Transit key name of the bundle signing key in the tests. */
export const BUNDLE_KEY_NAME = 'gpuaas-bundle-signing';

/** Raw 32-byte public key of a node:crypto Ed25519 KeyObject. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  return publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
}

/** Entry spec: [version, state] or [version, 'grace', until]. */
export type EntrySpec = readonly [number, VerifierState] | readonly [number, 'grace', string];

export class TestSigner {
  private readonly pairs = new Map<number, { publicKey: KeyObject; privateKey: KeyObject }>();

  constructor(readonly keyName: string = KEY_NAME) {}

  /** The key pair of a version (created on first use). */
  pair(version: number): { publicKey: KeyObject; privateKey: KeyObject } {
    let p = this.pairs.get(version);
    if (!p) {
      p = generateKeyPairSync('ed25519');
      this.pairs.set(version, p);
    }
    return p;
  }

  /** Uses an existing key pair for a version (for example another signer's, to model a reused key). */
  adopt(version: number, pair: { publicKey: KeyObject; privateKey: KeyObject }): this {
    this.pairs.set(version, pair);
    return this;
  }

  publicKeyB64(version: number): string {
    return rawPublicKey(this.pair(version).publicKey).toString('base64');
  }

  kid(version: number): string {
    return computeKid(this.keyName, version, this.publicKeyB64(version));
  }

  /** Raw Ed25519 signature bytes. */
  signRaw(version: number, message: Uint8Array | string): Buffer {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return sign(null, bytes, this.pair(version).privateKey);
  }

  /** Signature as Vault transit returns it. */
  sign(version: number, message: Uint8Array | string): string {
    return `vault:v${version}:${this.signRaw(version, message).toString('base64')}`;
  }

  /** Signature as a DSSE envelope carries it: standard base64 of the raw 64 bytes. */
  signDsse(version: number, message: Uint8Array | string): string {
    return this.signRaw(version, message).toString('base64');
  }

  entry(spec: EntrySpec): VerifierEntry {
    const [version, state, until] = spec;
    // Keys in sorted order: the canonical rendering (what Terraform's jsonencode produces).
    const base = { alg: 'ed25519' as const, kid: this.kid(version), public_key: this.publicKeyB64(version), state };
    return until === undefined ? { ...base, version } : { ...base, until, version };
  }

  set(...specs: EntrySpec[]): VerifierSetV1 {
    return { format: PUBKEYS_FORMAT_V1, key: this.keyName, keys: specs.map((s) => this.entry(s)) };
  }

  /** The same entries as a bundle key set (format cdktf-platform-trust/bundle-keys/v1). */
  bundleKeySet(...specs: EntrySpec[]): BundleKeySetV1 {
    return { format: BUNDLE_KEYS_FORMAT_V1, key: this.keyName, keys: specs.map((s) => this.entry(s)) };
  }
}
