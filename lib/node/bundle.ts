/**
 * Bootstrap bundle format v1: validation (schema, consistency, separation of the two CA bundles,
 * no secrets) and the canonical payload rendering.
 */
import * as path from 'node:path';
import { CertificateInfo, parseCertificatePem } from './certificate';
import { NodeTrustError, NodeTrustErrorCode as Code, show } from './errors';
import { BUNDLE_SCHEMA_V1, BootstrapBundleV1, RootState, TrustRoot } from './formats';
import { parseIsoUtc } from './iso-time';
import { expectObject, expectString } from './json-shape';
import { findSecretMaterial } from './secret-scan';
import { CompiledVerifierSet, compileVerifierSet } from './verifier-set';

/** Most control-plane roots in a bundle. */
export const MAX_ROOTS = 8;
/** Most certificates in the node-cert CA bundle. */
export const MAX_NODE_CERT_PEMS = 16;

const ENVIRONMENT_RE = /^[a-z][a-z0-9-]{0,31}$/;
const ROOT_STATES: readonly RootState[] = ['current', 'next', 'previous'];
const TOP_FIELDS = [
  'schema',
  'environment',
  'sequence',
  'control_plane',
  'public_https_trust',
  'node_cert_trust',
  'task_verifiers',
  'env',
];
const ENV_FIELDS = ['GPUAAS_CA_BUNDLE_PATH', 'GPUAAS_NODE_CERT_CA_BUNDLE_PATH', 'GPUAAS_TASK_SIGNING_PUBKEYS'];

/** A control-plane root with its SPKI pin. */
export interface RootPin {
  /** `sha256:<hex>` of the root's SubjectPublicKeyInfo DER. */
  readonly pin: string;
  readonly state: RootState;
  readonly until?: string;
}

/** Internal: a validated bundle and what the node-side checks derive from it. */
export interface AnalysedBundle {
  /** Deeply frozen copy, fields in canonical order. */
  readonly bundle: BootstrapBundleV1;
  /** One per root, in bundle order. */
  readonly roots: readonly RootPin[];
  /** `until` of each root in epoch milliseconds (undefined when absent), in bundle order. */
  readonly rootUntilMs: readonly (number | undefined)[];
  readonly verifiers: CompiledVerifierSet;
}

/**
 * Validates a bootstrap bundle v1 (for example the parsed payload of an envelope) and returns a
 * deeply frozen copy. Throws a {@link NodeTrustError} when:
 * - it holds secret material (SECRET_MATERIAL; see `findSecretMaterial`), checked first;
 * - a field is missing or unknown, `schema` is not `cdktf-platform-trust/bootstrap-bundle/v1`,
 *   `environment` is not `[a-z][a-z0-9-]{0,31}`, `sequence` is not an integer >= 1;
 * - `control_plane.url` is not an https URL without credentials;
 * - a path is not absolute and normalized, or two of the three paths are equal (INVALID_PATH);
 * - roots: 1 to 8; each a single self-signed CA certificate; exactly one `current` (no `until`),
 *   at most one `next` (optional `until`), `previous` roots with `until`; no duplicate certificate;
 * - node-cert PEMs: 1 to 16 CA certificates, no duplicates;
 * - a node-cert certificate is also a public root, or shares its key (MIXED_TRUST);
 * - `task_verifiers.set` breaks a verifier set rule (see `parseVerifierSet`);
 * - `env` disagrees: the two paths must equal the fields' paths and `GPUAAS_TASK_SIGNING_PUBKEYS`
 *   must equal `renderVerifierSet(task_verifiers.set)` exactly (INCONSISTENT_ENV).
 */
export function validateBundle(value: unknown): BootstrapBundleV1 {
  return analyseBundle(value).bundle;
}

/** Internal: {@link validateBundle} plus pins and parsed dates. */
export function analyseBundle(value: unknown, field = 'bundle'): AnalysedBundle {
  const secret = findSecretMaterial(value);
  if (secret) {
    throw new NodeTrustError(
      Code.SECRET_MATERIAL,
      field,
      `holds ${secret}; nothing rendered for nodes may carry secrets`,
    );
  }
  const obj = expectObject(value, field, TOP_FIELDS);
  if (obj.schema !== BUNDLE_SCHEMA_V1) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.schema`,
      `must be "${BUNDLE_SCHEMA_V1}", received ${show(obj.schema)}`,
    );
  }
  if (typeof obj.environment !== 'string' || !ENVIRONMENT_RE.test(obj.environment)) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.environment`,
      `must match [a-z][a-z0-9-]{0,31}, received ${show(obj.environment)}`,
    );
  }
  const sequence = obj.sequence;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.sequence`,
      `must be an integer >= 1, received ${show(sequence)}`,
    );
  }
  const cp = expectObject(obj.control_plane, `${field}.control_plane`, ['url']);
  const url = checkHttpsUrl(cp.url, `${field}.control_plane.url`);

  const pub = expectObject(obj.public_https_trust, `${field}.public_https_trust`, ['path', 'roots']);
  const publicPath = checkPath(pub.path, `${field}.public_https_trust.path`);
  const { roots, infos: rootInfos, untilMs } = checkRoots(pub.roots, `${field}.public_https_trust.roots`);

  const nodeTrust = expectObject(obj.node_cert_trust, `${field}.node_cert_trust`, ['path', 'pems']);
  const nodePath = checkPath(nodeTrust.path, `${field}.node_cert_trust.path`);
  const pems = nodeTrust.pems;
  if (!Array.isArray(pems) || pems.length === 0 || pems.length > MAX_NODE_CERT_PEMS) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.node_cert_trust.pems`,
      `must be an array of 1 to ${MAX_NODE_CERT_PEMS} PEM certificates`,
    );
  }
  const nodeInfos = pems.map((pem: unknown, i: number) => {
    const where = `${field}.node_cert_trust.pems[${i}]`;
    const info = parseCertificatePem(pem, where);
    if (!info.ca)
      throw new NodeTrustError(
        Code.INVALID_CERTIFICATE,
        where,
        `is not a CA certificate (${info.subject}); this bundle holds the node-cert CA chain`,
      );
    return info;
  });
  checkNoDuplicates(nodeInfos, `${field}.node_cert_trust.pems`);
  nodeInfos.forEach((n, i) => {
    const clash = rootInfos.findIndex((r) => r.der.equals(n.der) || r.pin === n.pin);
    if (clash >= 0) {
      throw new NodeTrustError(
        Code.MIXED_TRUST,
        `${field}.node_cert_trust.pems[${i}]`,
        `is also public HTTPS root ${clash} (same ${rootInfos[clash].der.equals(n.der) ? 'certificate' : 'key'}); the two CA bundles must never mix`,
      );
    }
  });

  const tv = expectObject(obj.task_verifiers, `${field}.task_verifiers`, ['path', 'set']);
  const verifierPath = checkPath(tv.path, `${field}.task_verifiers.path`);
  const verifiers = compileSet(
    tv.set,
    (obj.env as Record<string, unknown> | undefined)?.GPUAAS_TASK_SIGNING_PUBKEYS,
    `${field}.task_verifiers.set`,
  );
  checkDistinctPaths(publicPath, nodePath, verifierPath, field);

  const env = expectObject(obj.env, `${field}.env`, ENV_FIELDS);
  const expectEnv = (name: string, expected: string, what: string) => {
    if (env[name] !== expected) {
      throw new NodeTrustError(Code.INCONSISTENT_ENV, `${field}.env.${name}`, `must equal ${what}`);
    }
  };
  expectEnv('GPUAAS_CA_BUNDLE_PATH', publicPath, 'public_https_trust.path');
  expectEnv('GPUAAS_NODE_CERT_CA_BUNDLE_PATH', nodePath, 'node_cert_trust.path');
  expectEnv(
    'GPUAAS_TASK_SIGNING_PUBKEYS',
    verifiers.rendered,
    'the compact rendering of task_verifiers.set (renderVerifierSet)',
  );

  const bundle: BootstrapBundleV1 = deepFreeze({
    schema: BUNDLE_SCHEMA_V1,
    environment: obj.environment,
    sequence,
    control_plane: { url },
    public_https_trust: { path: publicPath, roots },
    node_cert_trust: { path: nodePath, pems: [...(pems as string[])] },
    task_verifiers: { path: verifierPath, set: verifiers.set },
    env: {
      GPUAAS_CA_BUNDLE_PATH: publicPath,
      GPUAAS_NODE_CERT_CA_BUNDLE_PATH: nodePath,
      GPUAAS_TASK_SIGNING_PUBKEYS: verifiers.rendered,
    },
  });
  const rootPins = roots.map((r, i) =>
    Object.freeze(
      r.until === undefined
        ? { pin: rootInfos[i].pin, state: r.state }
        : { pin: rootInfos[i].pin, state: r.state, until: r.until },
    ),
  );
  return { bundle, roots: Object.freeze(rootPins), rootUntilMs: untilMs, verifiers };
}

/**
 * Compact JSON of a bundle in canonical field order (the envelope payload). Validates first;
 * throws a {@link NodeTrustError} for an invalid bundle.
 */
export function renderBundlePayload(bundle: BootstrapBundleV1): string {
  return JSON.stringify(analyseBundle(bundle).bundle);
}

/**
 * Compiles the bundle's verifier set. When the object serializes to exactly the env text, the text
 * (cached after its first validation) stands for it: JSON.parse(text) deep-equals the object.
 */
function compileSet(set: unknown, envText: unknown, field: string): CompiledVerifierSet {
  if (typeof envText === 'string' && typeof set === 'object' && set !== null) {
    try {
      if (JSON.stringify(set) === envText) return compileVerifierSet(envText);
    } catch {
      // fall through: the object path reports the error with the right field name
    }
  }
  return compileVerifierSet(set, field);
}

function checkRoots(
  value: unknown,
  field: string,
): { roots: TrustRoot[]; infos: CertificateInfo[]; untilMs: (number | undefined)[] } {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ROOTS) {
    throw new NodeTrustError(Code.INVALID_FIELD, field, `must be an array of 1 to ${MAX_ROOTS} roots`);
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
        `must be a self-signed CA root certificate (no intermediates or leaves); ${info.subject} is not`,
      );
    }
    const state = r.state as RootState;
    if (!ROOT_STATES.includes(state)) {
      throw new NodeTrustError(
        Code.INVALID_FIELD,
        `${where}.state`,
        `must be "current", "next" or "previous", received ${show(r.state)}`,
      );
    }
    let until: number | undefined;
    if (r.until !== undefined) {
      if (state === 'current')
        throw new NodeTrustError(Code.INVALID_FIELD, `${where}.until`, 'a current root has no overlap end');
      until = parseIsoUtc(r.until);
      if (until === undefined) {
        throw new NodeTrustError(
          Code.INVALID_DATE,
          `${where}.until`,
          `must be ISO 8601 UTC like "2026-01-31T00:00:00Z", received ${show(r.until)}`,
        );
      }
    } else if (state === 'previous') {
      throw new NodeTrustError(Code.INVALID_DATE, `${where}.until`, 'a previous root needs an explicit overlap end');
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
    );
  if (count('next') > 1)
    throw new NodeTrustError(Code.INVALID_FIELD, field, `at most one root may be "next", found ${count('next')}`);
  checkNoDuplicates(infos, field);
  return { roots, infos, untilMs };
}

function checkNoDuplicates(infos: readonly CertificateInfo[], field: string): void {
  infos.forEach((a, i) => {
    const j = infos.findIndex((b) => b.der.equals(a.der));
    if (j !== i) throw new NodeTrustError(Code.INVALID_CERTIFICATE, `${field}[${i}]`, `duplicates entry ${j}`);
  });
}

function checkHttpsUrl(value: unknown, field: string): string {
  const text = expectString(value, field, 2048);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || !url.hostname || /\s/.test(text)) {
    throw new NodeTrustError(Code.INVALID_FIELD, field, `must be an https URL, received ${show(text)}`);
  }
  if (url.username || url.password) {
    throw new NodeTrustError(Code.SECRET_MATERIAL, field, 'must not carry credentials (user:password@)');
  }
  return text;
}

function checkPath(value: unknown, field: string): string {
  const p = expectString(value, field, 1024);
  if (!p.startsWith('/') || p.endsWith('/') || path.posix.normalize(p) !== p || /[\u0000-\u001f\\]/.test(p)) {
    throw new NodeTrustError(
      Code.INVALID_PATH,
      field,
      `must be an absolute, normalized file path (no "..", "//", trailing "/" or control characters), received ${show(p)}`,
    );
  }
  return p;
}

function checkDistinctPaths(publicPath: string, nodePath: string, verifierPath: string, field: string): void {
  const named: [string, string][] = [
    ['public_https_trust.path', publicPath],
    ['node_cert_trust.path', nodePath],
    ['task_verifiers.path', verifierPath],
  ];
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      if (named[i][1] === named[j][1]) {
        throw new NodeTrustError(
          Code.INVALID_PATH,
          `${field}.${named[j][0]}`,
          `equals ${named[i][0]} (${named[i][1]}); the three files must be distinct`,
          'give each file its own path (defaults: DEFAULT_PATHS)',
        );
      }
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
