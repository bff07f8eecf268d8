/**
 * Pure checks on PEM certificates known at synth time (node:crypto X509Certificate), and the
 * SPKI pin in kubeadm form. Dates come from code (`asOf`), never from the clock.
 */
import { X509Certificate } from 'node:crypto';
import { pinOfCertificate } from '../kernel/pins';
import { secretInConfig } from '../core/errors';
import { pemPrivateKeyPattern } from '../kernel/secret-patterns';
import { isToken, parseIsoUtc } from '../core/validation';
import { REDACTED, certificateNotValidAt, invalidCertificate, notARoot } from './private/errors';

const CERT_BLOCK_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_RE = pemPrivateKeyPattern();

/** What the checks learned about one root certificate. */
export interface RootCertificateFacts {
  /** Subject DN as node:crypto prints it. */
  readonly subject: string;
  /** Start of validity, ISO 8601 UTC. */
  readonly notBefore: string;
  /** End of validity, ISO 8601 UTC. */
  readonly notAfter: string;
  /** `sha256:<hex>` of the DER SubjectPublicKeyInfo (kubeadm `--discovery-token-ca-cert-hash` form). */
  readonly pin: string;
  /** The PEM, normalised to one certificate block without surrounding text. */
  readonly pem: string;
}

/** True when the text holds a PEM private key of any kind (the kernel's pattern: PKCS#8, PKCS#1, SEC1, encrypted, PGP). */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_RE.test(text);
}

/**
 * Splits PEM text into its certificate blocks. Refuses private keys (the value would land in
 * cdk.tf.json) and text without any certificate.
 */
export function splitPemCertificates(kind: string, pem: string): string[] {
  if (typeof pem !== 'string') {
    throw invalidCertificate(kind, pem, 'it is not a string', 'pass the PEM text of the certificate.');
  }
  if (containsPrivateKey(pem)) throw secretInConfig(kind, REDACTED);
  const blocks = pem.match(CERT_BLOCK_RE) ?? [];
  if (blocks.length === 0) {
    throw invalidCertificate(
      kind,
      pem.length > 64 ? `${pem.slice(0, 64)}...` : pem,
      'it holds no "-----BEGIN CERTIFICATE-----" block',
      'pass the PEM text of the root certificate.',
    );
  }
  return blocks;
}

/**
 * `sha256:<hex>` of the DER SubjectPublicKeyInfo of the one certificate in `pem`: the node entry's `spkiPin`, the
 * library's only function of that name. Throws a NodeTrustError unless `pem` is exactly one certificate.
 */
export { spkiPin } from '../node/spki-pin';

function isoOf(opensslDate: string): string {
  return new Date(Date.parse(opensslDate)).toISOString().replace('.000Z', 'Z');
}

/**
 * Checks that `pem` is exactly one self-signed CA certificate (a root), and, when `asOf` is given,
 * that it is valid at that date. Without `asOf` the validity window is not checked.
 * @returns facts about the root, including its SPKI pin
 */
export function checkRootCertificate(kind: string, pem: string, asOf?: string): RootCertificateFacts {
  const blocks = splitPemCertificates(kind, pem);
  if (blocks.length > 1) {
    throw invalidCertificate(
      kind,
      `${blocks.length} certificates`,
      'it holds more than one certificate',
      'give one root per entry; list several roots as separate entries (current, next) instead of one bundle.',
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0]);
  } catch (e) {
    throw invalidCertificate(
      kind,
      `${blocks[0].slice(0, 64)}...`,
      `node:crypto cannot parse it (${(e as Error).message})`,
      'pass a PEM certificate exactly as the CA issued it.',
    );
  }
  const subject = cert.subject.replace(/\n/g, ', ');
  if (!cert.ca) throw notARoot(kind, subject, 'it is not a CA certificate (basicConstraints CA is false or absent)');
  if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
    throw notARoot(kind, subject, 'it is not self-signed (an intermediate or a cross-signed certificate)');
  }
  const notBefore = isoOf(cert.validFrom);
  const notAfter = isoOf(cert.validTo);
  if (asOf !== undefined && !isToken(asOf)) {
    const at = parseIsoUtc('asOf', asOf);
    if (at < Date.parse(notBefore) || at >= Date.parse(notAfter)) {
      throw certificateNotValidAt(kind, subject, `from ${notBefore} until ${notAfter}`, asOf);
    }
  }
  return { subject, notBefore, notAfter, pin: pinOfCertificate(cert), pem: blocks[0] };
}
