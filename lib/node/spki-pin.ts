/**
 * SPKI pins in the kubeadm `discovery-token-ca-cert-hash` form: `sha256:<hex of SHA-256 over the
 * certificate's SubjectPublicKeyInfo DER>`. A pin names a key, so a root re-issued with the same
 * key keeps its pin.
 */
import { SPKI_PIN_RE, normalizePin } from '../kernel/pins';
import { certificateBlocks, parseCertificatePem } from './certificate';

/**
 * Pin of one PEM certificate. Throws a `NodeTrustError` (INVALID_CERTIFICATE) unless `pem` is exactly one valid
 * certificate. The library's only `spkiPin`: the constructs' entry (lib/pki) re-exports this function.
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
    if (typeof pin !== 'string' || !SPKI_PIN_RE.test(pin))
      throw new TypeError(`not a pin ("sha256:" + 64 hex characters): ${JSON.stringify(pin)}`);
    wanted.add(normalizePin(pin));
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
