/**
 * Vault transit signature strings: `vault:v<version>:<standard base64 of the 64-byte signature>`.
 */
import { decodeBase64Strict, encodeBase64 } from './private/base64';
import { MAX_KEY_VERSION } from './verifier-set';

/** A parsed transit signature. */
export interface VaultSignature {
  /** Key version named by the prefix (>= 1). */
  readonly version: number;
  /** The 64 signature bytes. */
  readonly bytes: Uint8Array;
}

// 64 bytes are 88 base64 characters ending in "==". Version: no sign, no leading zero, at most 10 digits.
const VAULT_SIG_RE = /^vault:v([1-9][0-9]{0,9}):([A-Za-z0-9+/]{86}==)$/;

/**
 * Parses a transit signature, or returns undefined for any deviation: another prefix or case,
 * `v0`, leading zeros, a version above 2147483647, whitespace anywhere, URL-safe or unpadded or
 * non-canonical base64 (non-zero trailing bits), or a decoded length other than 64 bytes.
 */
export function parseVaultSignature(text: unknown): VaultSignature | undefined {
  if (typeof text !== 'string' || text.length > 110) return undefined;
  const m = VAULT_SIG_RE.exec(text);
  if (!m) return undefined;
  const version = Number(m[1]);
  if (version > MAX_KEY_VERSION) return undefined;
  const bytes = decodeBase64Strict(m[2], 64);
  return bytes ? { version, bytes } : undefined;
}

/** Formats a signature as Vault transit returns it. */
export function formatVaultSignature(version: number, signature: Uint8Array): string {
  if (!Number.isInteger(version) || version < 1 || version > MAX_KEY_VERSION || signature.length !== 64) {
    throw new TypeError('formatVaultSignature(version: 1..2147483647, signature: 64 bytes)');
  }
  return `vault:v${version}:${encodeBase64(signature)}`;
}
