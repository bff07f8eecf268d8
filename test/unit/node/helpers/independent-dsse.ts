/**
 * Test helper: a DSSE check that shares no code with lib/node. The pre-authentication encoding is
 * @sigstore/core's, and the Ed25519 verification is node:crypto's (through @sigstore/core's crypto wrapper).
 * Integration tests use it to check envelopes that a real Vault signed.
 */
import { crypto as sigstoreCrypto, dsse } from '@sigstore/core';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** A raw 64-byte signature in standard base64, and nothing else (no `vault:v<N>:` prefix). */
const RAW_SIGNATURE_B64 = /^[A-Za-z0-9+/]{86}==$/;

/** The envelope fields the check reads. */
export interface IndependentDsseEnvelope {
  readonly payloadType: string;
  /** Standard base64 of the payload bytes. */
  readonly payload: string;
  readonly signatures: ReadonlyArray<{ readonly keyid: string; readonly sig: string }>;
}

/**
 * True when a signature of `envelope` whose keyid is exactly `keyid` is a raw Ed25519 signature (standard base64
 * of 64 bytes) over DSSE PAE(payloadType, payload bytes) that verifies under the raw 32-byte public key
 * `publicKeyB64` (standard base64, as Vault transit returns it). False otherwise, never throws for bad input.
 */
export function verifyDsseIndependently(
  envelope: IndependentDsseEnvelope,
  publicKeyB64: string,
  keyid: string,
): boolean {
  const raw = Buffer.from(publicKeyB64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== publicKeyB64) return false;
  let key: ReturnType<typeof sigstoreCrypto.createPublicKey>;
  try {
    key = sigstoreCrypto.createPublicKey(Buffer.concat([ED25519_SPKI_PREFIX, raw]), 'spki');
  } catch {
    return false;
  }
  const message = dsse.preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  return envelope.signatures.some(
    (s) =>
      s.keyid === keyid &&
      RAW_SIGNATURE_B64.test(s.sig) &&
      sigstoreCrypto.verify(message, key, Buffer.from(s.sig, 'base64')),
  );
}
