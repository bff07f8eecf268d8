/**
 * Strict PEM certificate parsing through node:crypto's X509Certificate, cached by PEM text.
 */
import { X509Certificate } from 'node:crypto';
import { pinOfCertificate } from '../kernel/pins';
import { decodeBase64Strict } from './private/base64';
import { BoundedCache } from './private/bounded-cache';
import { NodeTrustError, NodeTrustErrorCode as Code } from './errors';

/** The SPKI pin of a certificate (defined once in `lib/kernel/pins.ts`). */
export { pinOfCertificate } from '../kernel/pins';

/** What the bundle rules need to know about one certificate. */
export interface CertificateInfo {
  /** DER bytes of the certificate. */
  readonly der: Buffer;
  /** `sha256:<hex>` of the SubjectPublicKeyInfo DER. */
  readonly pin: string;
  /** basicConstraints CA:TRUE. */
  readonly ca: boolean;
  /** Issuer equals subject and the signature verifies with the certificate's own key. */
  readonly selfSigned: boolean;
  readonly subject: string;
}

/** One PEM CERTIFICATE block, alone, with base64 lines of 1-76 characters; surrounding whitespace allowed. */
const SINGLE_PEM_RE =
  /^\s*-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]{1,76}\r?\n)+)-----END CERTIFICATE-----\s*$/;
/** Any CERTIFICATE block inside a larger text. */
const PEM_BLOCK_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** Longest PEM text parsed. */
const MAX_PEM_LENGTH = 65536;

const cache = new BoundedCache<string, CertificateInfo>(256);

/** The first line of a PEM text (its BEGIN line): enough to say what was given, never key material. */
function firstLine(pem: string): string {
  const line = pem.split('\n', 1)[0];
  return line.length > 64 ? `${line.slice(0, 64)}...` : line;
}

/**
 * Parses exactly one PEM certificate. Throws a {@link NodeTrustError} (INVALID_CERTIFICATE) for
 * anything else: several blocks, other text around the block, another block type (including private
 * keys), non-canonical base64, DER with trailing bytes, or a certificate node:crypto cannot parse.
 */
export function parseCertificatePem(pem: unknown, field = 'pem'): CertificateInfo {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_LENGTH) {
    throw new NodeTrustError(
      Code.INVALID_CERTIFICATE,
      field,
      `must be a PEM certificate string of at most ${MAX_PEM_LENGTH} characters`,
      typeof pem === 'string' ? `${pem.length} characters` : pem,
    );
  }
  const cached = cache.get(pem);
  if (cached) return cached;
  const m = SINGLE_PEM_RE.exec(pem);
  if (!m) {
    throw new NodeTrustError(
      Code.INVALID_CERTIFICATE,
      field,
      'must hold exactly one "-----BEGIN CERTIFICATE-----" block and nothing else',
      firstLine(pem),
    );
  }
  const der = decodeBase64Strict(m[1].replace(/\r?\n/g, ''));
  if (!der || der.length === 0) {
    throw new NodeTrustError(Code.INVALID_CERTIFICATE, field, 'the PEM body is not canonical base64', firstLine(pem));
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (e) {
    throw new NodeTrustError(
      Code.INVALID_CERTIFICATE,
      field,
      `is not an X.509 certificate (${e instanceof Error ? e.message : e})`,
      firstLine(pem),
    );
  }
  if (!x509.raw.equals(der)) {
    throw new NodeTrustError(
      Code.INVALID_CERTIFICATE,
      field,
      'the DER has bytes after the certificate',
      firstLine(pem),
    );
  }
  let selfSigned = false;
  try {
    selfSigned = x509.checkIssued(x509) && x509.verify(x509.publicKey);
  } catch {
    selfSigned = false;
  }
  const info: CertificateInfo = Object.freeze({
    der,
    pin: pinOfCertificate(x509),
    ca: x509.ca,
    selfSigned,
    subject: x509.subject,
  });
  return cache.set(pem, info);
}

/** Every CERTIFICATE block of a multi-PEM text, in order (blocks are not validated here). */
export function certificateBlocks(text: string): string[] {
  return text.match(PEM_BLOCK_RE) ?? [];
}
