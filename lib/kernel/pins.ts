/**
 * SPKI pins in the kubeadm `discovery-token-ca-cert-hash` form, defined once: `sha256:` followed by the hex of
 * SHA-256 over the certificate's DER SubjectPublicKeyInfo. A pin names a key, so a root re-issued with the same key
 * keeps its pin. (Bundle key pins hash the key's base64 text instead; see `BUNDLE_KEY_PIN_PREFIX`.) Pure.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { Problem, problem } from './problems';

/** A pin as written: `sha256:` and 64 hex digits (compared case-insensitively; computed pins are lower case). */
export const SPKI_PIN_RE = /^sha256:[0-9a-fA-F]{64}$/;

/** The pin of a parsed certificate: the one place the library computes an SPKI pin. */
export function pinOfCertificate(cert: X509Certificate): string {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** A problem (code `spki-pin`) when `value` is not a pin; empty otherwise. */
export function spkiPinProblems(value: unknown, path: string): Problem[] {
  return typeof value === 'string' && SPKI_PIN_RE.test(value)
    ? []
    : [problem('spki-pin', path, 'must be a pin: "sha256:" and 64 hex digits')];
}

/** The canonical (lower-case) form of a pin, for comparison. */
export function normalizePin(pin: string): string {
  return pin.toLowerCase();
}
