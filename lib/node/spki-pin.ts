/**
 * SPKI pins in the kubeadm `discovery-token-ca-cert-hash` form: `sha256:<hex of SHA-256 over the
 * certificate's SubjectPublicKeyInfo DER>`. A pin names a key, so a root re-issued with the same
 * key keeps its pin.
 */
import { certificateBlocks, parseCertificatePem } from './certificate';

const PIN_RE = /^sha256:[0-9a-fA-F]{64}$/;

/**
 * Pin of one PEM certificate. Throws a `NodeTrustError` unless `pem` is exactly one valid certificate.
 */
export function spkiPin(pem: string): string {
  return parseCertificatePem(pem).pin;
}

/**
 * True when any certificate of a multi-PEM bundle matches any of `pins`, whatever the order of
 * either. Blocks that are not valid certificates match nothing. Pins compare case-insensitively;
 * a pin that is not `sha256:<64 hex>` is a programming error (TypeError).
 */
export function pinMatchesAny(pemBundle: string, pins: readonly string[]): boolean {
  if (typeof pemBundle !== 'string') throw new TypeError('pemBundle must be a string');
  const wanted = new Set<string>();
  for (const pin of pins) {
    if (typeof pin !== 'string' || !PIN_RE.test(pin))
      throw new TypeError(`not a pin ("sha256:" + 64 hex characters): ${JSON.stringify(pin)}`);
    wanted.add(pin.toLowerCase());
  }
  if (wanted.size === 0) return false;
  for (const block of certificateBlocks(pemBundle)) {
    try {
      if (wanted.has(parseCertificatePem(`${block}\n`).pin)) return true;
    } catch {
      // not a certificate: matches nothing
    }
  }
  return false;
}
