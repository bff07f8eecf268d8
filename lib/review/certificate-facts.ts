/**
 * What a reviewer needs to know about a CA certificate found in a plan: its SPKI pin, subject and end of
 * validity. Pure (node:crypto only); never throws on bad input.
 */
import { X509Certificate } from 'node:crypto';
import { pinOfCertificate } from '../node/certificate';

/** Facts about one certificate. */
export interface CertificateFacts {
  /** `sha256:<hex>` of the DER SubjectPublicKeyInfo (the same pin the bundle and nodes use). */
  readonly pin: string;
  /** Subject DN on one line, components joined with ", " (for example "CN=dev-control-plane-root"). */
  readonly subject: string;
  /** End of validity, ISO 8601 UTC. */
  readonly notAfter: string;
}

const CERT_BLOCK_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Facts of the first certificate in `pem`, or undefined when it holds no readable certificate. */
export function certificateFacts(pem: unknown): CertificateFacts | undefined {
  if (typeof pem !== 'string') return undefined;
  const block = pem.match(CERT_BLOCK_RE)?.[0];
  if (!block) return undefined;
  try {
    const cert = new X509Certificate(block);
    const notAfter = new Date(cert.validTo);
    return {
      pin: pinOfCertificate(cert),
      subject: cert.subject
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
        .join(', '),
      notAfter: Number.isNaN(notAfter.getTime()) ? cert.validTo : notAfter.toISOString().replace('.000Z', 'Z'),
    };
  } catch {
    return undefined;
  }
}

/** Facts of every certificate block in a PEM bundle, in order (unreadable blocks are skipped). */
export function bundleFacts(pemBundle: unknown): CertificateFacts[] {
  if (typeof pemBundle !== 'string') return [];
  return (pemBundle.match(CERT_BLOCK_RE) ?? []).map(certificateFacts).filter((f): f is CertificateFacts => !!f);
}
