/**
 * The node:crypto engine: the runtime's own Ed25519 (OpenSSL's, in Node). Keys are imported once
 * as a JWK (`{ kty: 'OKP', crv: 'Ed25519', x }`, RFC 8037) from the 32 raw bytes and cached on the prepared key.
 *
 * On its own, OpenSSL 3's Ed25519 verify checks S < L and compares R byte-for-byte with the
 * canonical encoding of [S]B - [k]A (cofactorless), but it decodes A leniently (y >= p reduced,
 * x = 0 with the sign bit accepted) and accepts small-order and mixed-order keys; the shared rules
 * in `ed25519-rules.ts` refuse those before this engine runs.
 */
import { createPublicKey, verify as cryptoVerify, KeyObject } from 'node:crypto';
import type { PreparedKey } from './ed25519-rules';

const CACHE_SLOT = 'node:keyObject';

/** Imports a raw 32-byte Ed25519 public key as a node:crypto KeyObject. */
export function ed25519KeyObject(publicKey: Uint8Array): KeyObject {
  const x = Buffer.from(publicKey).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/**
 * Raw node:crypto verification of a prepared key. Callers apply the shared rules first; this
 * function alone does not refuse small-order or mixed-order keys. Never throws.
 */
export function nodeEngineVerify(key: PreparedKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    let keyObject = key.engineCache.get(CACHE_SLOT) as KeyObject | undefined;
    if (!keyObject) {
      keyObject = ed25519KeyObject(key.raw);
      key.engineCache.set(CACHE_SLOT, keyObject);
    }
    return cryptoVerify(null, message, keyObject, signature);
  } catch {
    return false;
  }
}

// RFC 8032 section 7.1, test 1 (empty message): a known-good signature, used as a self-test.
const SELF_TEST_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const SELF_TEST_SIG =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

let available: boolean | undefined;

/**
 * True when this runtime's node:crypto verifies Ed25519 correctly: it must accept the RFC 8032
 * test 1 signature and refuse the same signature with one bit flipped. Computed once.
 */
export function nodeEd25519Available(): boolean {
  if (available === undefined) {
    try {
      const key = ed25519KeyObject(Buffer.from(SELF_TEST_KEY, 'hex'));
      const sig = Buffer.from(SELF_TEST_SIG, 'hex');
      const flipped = Buffer.from(sig);
      flipped[0] ^= 1;
      available =
        cryptoVerify(null, Buffer.alloc(0), key, sig) === true &&
        cryptoVerify(null, Buffer.alloc(0), key, flipped) === false;
    } catch {
      available = false;
    }
  }
  return available;
}
