/**
 * Test helper: real X.509 certificates, hand-assembled in DER and signed with node:crypto, so the
 * tests need no openssl binary. Supports Ed25519 and ECDSA P-256 keys, self-signed roots and
 * certificates issued by another test certificate.
 */
import { KeyObject, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** A certificate and its keys. */
export interface TestCertificate {
  readonly pem: string;
  readonly der: Buffer;
  readonly subject: string;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** Options for {@link makeCertificate}. */
export interface CertificateOptions {
  /** Subject common name. */
  readonly commonName: string;
  /** @default 'ec' */
  readonly keyType?: 'ec' | 'ed25519';
  /** basicConstraints CA:TRUE and keyUsage keyCertSign/cRLSign. @default true */
  readonly ca?: boolean;
  /** Issuer; @default - self-signed */
  readonly issuer?: TestCertificate;
  /** Reuse an existing key pair (a re-issued root keeps its SPKI pin). */
  readonly keyPair?: { publicKey: KeyObject; privateKey: KeyObject };
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const OID = {
  commonName: '2.5.4.3',
  ed25519: '1.3.101.112',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
};

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: Buffer;
  if (len < 0x80) header = Buffer.from([tag, len]);
  else if (len < 0x100) header = Buffer.from([tag, 0x81, len]);
  else if (len < 0x10000) header = Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  else throw new Error('DER element too long for this helper');
  return Buffer.concat([header, content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1] & 0x80) === 0) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString();
  const compact = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z'; // YYYYMMDDHHMMSSZ
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(compact.slice(2))) : tlv(0x18, Buffer.from(compact));
}

const name = (cn: string) => seq(set(seq(oid(OID.commonName), utf8(cn))));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** Builds and signs a certificate. */
export function makeCertificate(options: CertificateOptions): TestCertificate {
  const keyType = options.keyType ?? 'ec';
  const keys =
    options.keyPair ??
    (keyType === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const issuer = options.issuer;
  const signerKey = issuer ? issuer.privateKey : keys.privateKey;
  const signerType = signerKey.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'ec';
  const sigAlg = seq(oid(signerType === 'ed25519' ? OID.ed25519 : OID.ecdsaWithSha256));
  const ca = options.ca ?? true;
  const extensions = [
    extension(OID.basicConstraints, true, ca ? seq(bool(true)) : seq()),
    extension(OID.keyUsage, true, ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
  ];
  const notBefore = options.notBefore ?? new Date('2025-01-01T00:00:00Z');
  const notAfter = options.notAfter ?? new Date('2045-01-01T00:00:00Z');
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    sigAlg,
    name(issuer ? issuer.subject : options.commonName),
    seq(time(notBefore), time(notAfter)),
    name(options.commonName),
    keys.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign(signerType === 'ed25519' ? null : 'sha256', tbs, signerKey);
  const der = seq(tbs, sigAlg, bits(signature));
  const body = der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
    der,
    subject: options.commonName,
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
  };
}
