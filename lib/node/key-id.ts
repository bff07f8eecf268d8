/**
 * Key ids and pins of Ed25519 key versions: both come from one digest, SHA-256 over the UTF-8 bytes of the
 * `public_key` base64 text. The kid carries its first 16 hex digits, the pin all 64.
 */
import { createHash } from 'node:crypto';
import { decodeBase64Strict } from './private/base64';
import { NodeTrustError, NodeTrustErrorCode as Code } from './errors';
import { BUNDLE_KEY_PIN_PREFIX } from './formats';

/** A bundle key pin: `sha256:` and 64 lowercase hex digits. */
export const BUNDLE_KEY_PIN_RE = /^sha256:[0-9a-f]{64}$/;

/** SHA-256 (hex) over the UTF-8 bytes of a public key's base64 text. */
function publicKeyDigest(publicKeyB64: string): string {
  return createHash('sha256').update(publicKeyB64, 'utf8').digest('hex');
}

/**
 * Key id of a verifier entry: `<keyName>:v<version>:<first 16 hex chars of SHA-256 over the UTF-8
 * bytes of the public_key base64 text>`.
 */
export function computeKid(keyName: string, version: number, publicKeyB64: string): string {
  if (typeof keyName !== 'string' || typeof publicKeyB64 !== 'string' || !Number.isSafeInteger(version)) {
    throw new TypeError('computeKid(keyName: string, version: integer, publicKeyB64: string)');
  }
  return `${keyName}:v${version}:${publicKeyDigest(publicKeyB64).slice(0, 16)}`;
}

/**
 * Pin of a bundle key version, which a node receives out of band to accept its first bundle
 * (`acceptFirstBundle`): `sha256:` followed by the 64 lowercase hex digits of SHA-256 over the UTF-8 bytes
 * of the entry's `public_key` text (standard base64 of the raw 32-byte key, exactly as the bundle key set
 * carries it). The entry's kid ends with the first 16 of the same digits.
 *
 * Throws a {@link NodeTrustError} (INVALID_PUBLIC_KEY) unless `publicKeyB64` is canonical standard base64
 * of 32 bytes, so a pin is only ever made of a text that a key set can carry.
 */
export function bundleKeyPin(publicKeyB64: string): string {
  if (!decodeBase64Strict(publicKeyB64, 32)) {
    throw new NodeTrustError(
      Code.INVALID_PUBLIC_KEY,
      'publicKeyB64',
      `must be canonical standard base64 of a raw 32-byte Ed25519 key (44 characters)`,
      publicKeyB64,
    );
  }
  return `${BUNDLE_KEY_PIN_PREFIX}${publicKeyDigest(publicKeyB64)}`;
}
