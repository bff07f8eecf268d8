/**
 * Field rules of the bootstrap bundle shared by every format version: control-plane roots, certificates,
 * the https URL and the three file paths.
 */
import { CertificateInfo, parseCertificatePem } from './certificate';
import { NodeTrustError, NodeTrustErrorCode as Code, REDACTED_VALUE } from './errors';
import { RootState, TrustRoot } from './formats';
import { parseIsoUtc } from '../kernel/iso-time';
import { MAX_FILE_PATH_LENGTH, distinctFileProblems, filePathProblems } from '../kernel/paths';
import { expectObject, expectString } from './private/json-shape';

/** Most control-plane roots in a bundle. */
export const MAX_ROOTS = 8;
/** Most certificates in the node-cert CA bundle. */
export const MAX_NODE_CERT_PEMS = 16;

const ROOT_STATES: readonly RootState[] = ['current', 'next', 'previous'];

/** Internal: the control-plane roots (1 to 8 self-signed CAs; one current, at most one next; previous with until). */
export function checkRoots(
  value: unknown,
  field: string,
): { roots: TrustRoot[]; infos: CertificateInfo[]; untilMs: (number | undefined)[] } {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ROOTS) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      field,
      `must be an array of 1 to ${MAX_ROOTS} roots`,
      Array.isArray(value) ? `${value.length} roots` : value,
    );
  }
  const roots: TrustRoot[] = [];
  const infos: CertificateInfo[] = [];
  const untilMs: (number | undefined)[] = [];
  value.forEach((item: unknown, i: number) => {
    const where = `${field}[${i}]`;
    const r = expectObject(item, where, ['pem', 'state', 'until'], ['pem', 'state']);
    const info = parseCertificatePem(r.pem, `${where}.pem`);
    if (!info.ca || !info.selfSigned) {
      throw new NodeTrustError(
        Code.INVALID_CERTIFICATE,
        `${where}.pem`,
        `must be a self-signed CA root certificate (no intermediates or leaves)`,
        info.subject,
      );
    }
    const state = r.state as RootState;
    if (!ROOT_STATES.includes(state)) {
      throw new NodeTrustError(
        Code.INVALID_FIELD,
        `${where}.state`,
        `must be "current", "next" or "previous"`,
        r.state,
      );
    }
    let until: number | undefined;
    if (r.until !== undefined) {
      if (state === 'current')
        throw new NodeTrustError(Code.INVALID_FIELD, `${where}.until`, 'a current root has no overlap end', r.until);
      until = parseIsoUtc(r.until);
      if (until === undefined) {
        throw new NodeTrustError(
          Code.INVALID_DATE,
          `${where}.until`,
          `must be ISO 8601 UTC like "2026-01-31T00:00:00Z"`,
          r.until,
        );
      }
    } else if (state === 'previous') {
      throw new NodeTrustError(
        Code.INVALID_DATE,
        `${where}.until`,
        'a previous root needs an explicit overlap end',
        r.until,
      );
    }
    roots.push(
      until === undefined ? { pem: r.pem as string, state } : { pem: r.pem as string, state, until: r.until as string },
    );
    infos.push(info);
    untilMs.push(until);
  });
  const count = (s: RootState) => roots.filter((r) => r.state === s).length;
  if (count('current') !== 1)
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      field,
      `exactly one root must be "current", found ${count('current')}`,
      roots.map((x) => x.state),
    );
  if (count('next') > 1)
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      field,
      `at most one root may be "next", found ${count('next')}`,
      roots.map((x) => x.state),
    );
  checkNoDuplicates(infos, field);
  return { roots, infos, untilMs };
}

/** Internal: throws when a certificate appears twice in one list. */
export function checkNoDuplicates(infos: readonly CertificateInfo[], field: string): void {
  infos.forEach((a, i) => {
    const j = infos.findIndex((b) => b.der.equals(a.der));
    if (j !== i)
      throw new NodeTrustError(Code.INVALID_CERTIFICATE, `${field}[${i}]`, `duplicates entry ${j}`, a.subject);
  });
}

/** Internal: an https URL without credentials. */
export function checkHttpsUrl(value: unknown, field: string): string {
  const text = expectString(value, field, 2048);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || !url.hostname || /\s/.test(text)) {
    throw new NodeTrustError(Code.INVALID_FIELD, field, `must be an https URL`, text);
  }
  // An "@" anywhere in the authority (even "https://@host", which has an empty user) is refused.
  if (url.username || url.password || /^[^/]*\/\/[^/?#]*@/.test(text)) {
    throw new NodeTrustError(
      Code.SECRET_MATERIAL,
      field,
      'must not carry credentials (user:password@)',
      REDACTED_VALUE,
    );
  }
  return text;
}

/** Internal: an absolute, normalized file path. */
export function checkPath(value: unknown, field: string): string {
  const p = expectString(value, field, MAX_FILE_PATH_LENGTH);
  if (filePathProblems(p, field).length > 0) {
    throw new NodeTrustError(
      Code.INVALID_PATH,
      field,
      `must be an absolute, normalized file path (no "..", "//", trailing "/" or control characters)`,
      p,
    );
  }
  return p;
}

/**
 * Internal: the node-cert CA chain (1 to 16 CA certificates, no duplicates), none of which is also a public
 * HTTPS root or shares a root's key (MIXED_TRUST).
 */
export function checkNodeCertPems(value: unknown, rootInfos: readonly CertificateInfo[], field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_NODE_CERT_PEMS) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      field,
      `must be an array of 1 to ${MAX_NODE_CERT_PEMS} PEM certificates`,
      Array.isArray(value) ? `${value.length} certificates` : value,
    );
  }
  const infos = value.map((pem: unknown, i: number) => {
    const where = `${field}[${i}]`;
    const info = parseCertificatePem(pem, where);
    if (!info.ca)
      throw new NodeTrustError(
        Code.INVALID_CERTIFICATE,
        where,
        `is not a CA certificate; this bundle holds the node-cert CA chain`,
        info.subject,
      );
    return info;
  });
  checkNoDuplicates(infos, field);
  infos.forEach((n, i) => {
    const clash = rootInfos.findIndex((r) => r.der.equals(n.der) || r.pin === n.pin);
    if (clash >= 0) {
      throw new NodeTrustError(
        Code.MIXED_TRUST,
        `${field}[${i}]`,
        `is also public HTTPS root ${clash} (same ${rootInfos[clash].der.equals(n.der) ? 'certificate' : 'key'}); the two CA bundles must never mix`,
        n.subject,
      );
    }
  });
  return [...(value as string[])];
}

/** Internal: the three file paths of a bundle are distinct. */
export function checkDistinctPaths(publicPath: string, nodePath: string, verifierPath: string, field: string): void {
  const named: [string, string][] = [
    ['public_https_trust.path', publicPath],
    ['node_cert_trust.path', nodePath],
    ['task_verifiers.path', verifierPath],
  ];
  const same = distinctFileProblems(named)[0];
  if (same) {
    throw new NodeTrustError(
      Code.INVALID_PATH,
      `${field}.${same.path}`,
      same.message.replace('the files', 'the three files'),
      [publicPath, nodePath, verifierPath],
      'give each file its own path (defaults: DEFAULT_PATHS)',
    );
  }
}

/** Internal: freezes a plain value and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
