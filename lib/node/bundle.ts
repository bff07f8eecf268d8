/**
 * Bootstrap bundle formats v1 and v2: validation (schema, consistency, separation of the two CA bundles, no
 * secrets; for v2, separation of the bundle keys from the task keys, freshness and revocations) and the canonical
 * payload rendering.
 */
import {
  checkDistinctPaths,
  checkHttpsUrl,
  checkNodeCertPems,
  checkPath,
  checkRoots,
  deepFreeze,
} from './bundle-fields';
import { jsonencodeCanonical } from './canonical-json';
import { NodeTrustError, NodeTrustErrorCode as Code, REDACTED_VALUE } from './errors';
import {
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  BootstrapBundle,
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleFreshness,
  BundleRevocations,
  RootState,
} from './formats';
import {
  FreshnessProblem,
  freshnessProblems,
  isExpired,
  revocationProblems,
  revokedListedProblems,
} from '../kernel/freshness';
import { parseIsoUtc } from '../kernel/iso-time';
import { Problem } from '../kernel/problems';
import { expectObject } from './private/json-shape';
import { findSecretMaterial } from './secret-scan';
import { CompiledBundleKeySet, CompiledVerifierSet, compileBundleKeySet, compileVerifierSet } from './verifier-set';

export { MAX_NODE_CERT_PEMS, MAX_ROOTS } from './bundle-fields';

const ENVIRONMENT_RE = /^[a-z][a-z0-9-]{0,31}$/;
const TOP_FIELDS_V1 = [
  'schema',
  'environment',
  'sequence',
  'control_plane',
  'public_https_trust',
  'node_cert_trust',
  'task_verifiers',
  'env',
];
const TOP_FIELDS_V2 = [...TOP_FIELDS_V1, 'bundle_keys', 'freshness', 'revoked'];
const FRESHNESS_FIELDS = ['expires', 'refresh_hint_seconds'];
const REVOKED_FIELDS = ['bundle_key_versions', 'root_pins', 'task_key_versions'];
const ENV_FIELDS = ['GPUAAS_CA_BUNDLE_PATH', 'GPUAAS_NODE_CERT_CA_BUNDLE_PATH', 'GPUAAS_TASK_SIGNING_PUBKEYS'];

/** A control-plane root with its SPKI pin. */
export interface RootPin {
  /** `sha256:<hex>` of the root's SubjectPublicKeyInfo DER. */
  readonly pin: string;
  /** The root's state in the bundle: `current`, `next` or `previous`. */
  readonly state: RootState;
  /** The root's `until` (ISO 8601 UTC), when the bundle gives one. */
  readonly until?: string;
}

/** Internal: a validated bundle and what the node-side checks derive from it. */
export interface AnalysedBundle<B extends BootstrapBundle = BootstrapBundle> {
  /** Deeply frozen copy, fields in canonical order (v2: keys sorted at every level). */
  readonly bundle: B;
  /** One per root, in bundle order. */
  readonly roots: readonly RootPin[];
  /** `until` of each root in epoch milliseconds (undefined when absent), in bundle order. */
  readonly rootUntilMs: readonly (number | undefined)[];
  readonly verifiers: CompiledVerifierSet;
  /** The bundle key set (v2 only). */
  readonly bundleKeys?: CompiledBundleKeySet;
  /** `freshness.expires` in epoch milliseconds (v2 only; v1 bundles do not expire). */
  readonly expiresMs?: number;
  /** `freshness.refresh_hint_seconds` (v2 only). */
  readonly refreshHintSeconds?: number;
}

/**
 * Validates a bootstrap bundle, format v1 or v2 by its `schema` (for example the parsed payload of an
 * envelope), and returns a deeply frozen copy. Throws a {@link NodeTrustError} when:
 * - it holds secret material (SECRET_MATERIAL; see `findSecretMaterial`), checked first;
 * - a field is missing or unknown, `schema` is neither `cdktf-platform-trust/bootstrap-bundle/v1` nor
 *   `cdktf-platform-trust/bootstrap-bundle/v2`, `environment` is not `[a-z][a-z0-9-]{0,31}`, `sequence` is not
 *   an integer >= 1;
 * - `control_plane.url` is not an https URL without credentials;
 * - a path is not absolute and normalized, or two of the three paths are equal (INVALID_PATH);
 * - roots: 1 to 8; each a single self-signed CA certificate; exactly one `current` (no `until`),
 *   at most one `next` (optional `until`), `previous` roots with `until`; no duplicate certificate;
 * - node-cert PEMs: 1 to 16 CA certificates, no duplicates;
 * - a node-cert certificate is also a public root, or shares its key (MIXED_TRUST);
 * - `task_verifiers.set` breaks a verifier set rule (see `parseVerifierSet`), or is a bundle key set
 *   (WRONG_KEY_KIND);
 * - `env` disagrees: the two paths must equal the fields' paths and `GPUAAS_TASK_SIGNING_PUBKEYS`
 *   must equal `renderVerifierSet(task_verifiers.set)` exactly (INCONSISTENT_ENV).
 *
 * Format v2 adds three required fields, `bundle_keys: { set }`, `freshness: { expires, refresh_hint_seconds }`
 * and `revoked: { task_key_versions, bundle_key_versions, root_pins }`, and refuses:
 * - a `set` that breaks a bundle key set rule (see `parseBundleKeySet`), or is a task verifier set
 *   (WRONG_KEY_KIND);
 * - a bundle key set whose `key` is the task verifier set's `key`, or a public key that is in both sets
 *   (KEY_REUSE): a key used for both tasks and bundles would let whoever signs tasks sign bundles;
 * - `expires` that is not ISO 8601 UTC (INVALID_DATE), `refresh_hint_seconds` that is not a whole number from 1 to
 *   `MAX_REFRESH_HINT_SECONDS` (INVALID_FIELD);
 * - revoked versions that are not key versions, ascending and unique (INVALID_VERSIONS), revoked root pins that
 *   are not sorted, unique, lower-case `sha256:<64 hex>` SPKI pins (INVALID_FIELD);
 * - a revoked task key version still in `task_verifiers.set` (any state), a revoked bundle key version still in
 *   `bundle_keys.set`, or a revoked pin that is the pin of a root in `public_https_trust.roots` (INVALID_FIELD):
 *   a revoked item is dropped at once, even inside a grace window or an overlap.
 * Validation does not read a clock: an expired bundle is valid here, and refused where a time is given
 * (`verifyBundle`, `acceptFirstBundle`, `acceptBundleUpdate`, `verifyTaskWithBundle`).
 */
export function validateBundle(value: unknown): BootstrapBundle {
  return analyseBundle(value).bundle;
}

/**
 * The signed payload of a bundle, validated first (throws a {@link NodeTrustError} for an invalid bundle):
 * - v1: compact JSON in the field order of the format (schema, environment, sequence, ...);
 * - v2: compact JSON with keys sorted at every level, byte for byte as Terraform's `jsonencode` renders it
 *   (see `jsonencodeCanonical`).
 */
export function renderBundlePayload(bundle: BootstrapBundle): string {
  const b = analyseBundle(bundle).bundle;
  return b.schema === BUNDLE_SCHEMA_V2 ? jsonencodeCanonical(b) : JSON.stringify(b);
}

/** Analyses of the deeply frozen bundles this module returned, so a held bundle is not re-validated per task. */
const analysed = new WeakMap<object, AnalysedBundle>();

/**
 * Internal: {@link validateBundle} plus pins, parsed dates and the compiled key sets. A bundle that this
 * function returned (deeply frozen, so it cannot have changed) is not validated again.
 */
export function analyseBundle(
  value: unknown,
  field = 'bundle',
  expectedSchema?: typeof BUNDLE_SCHEMA_V1 | typeof BUNDLE_SCHEMA_V2,
): AnalysedBundle {
  const schema = typeof value === 'object' && value !== null ? (value as { schema?: unknown }).schema : undefined;
  if (expectedSchema !== undefined && schema !== expectedSchema) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.schema`,
      `must be "${expectedSchema}" (the format of the envelope's payload type)`,
      schema,
    );
  }
  if (typeof value === 'object' && value !== null) {
    const cached = analysed.get(value);
    if (cached) return cached;
  }
  const secret = findSecretMaterial(value);
  if (secret) {
    throw new NodeTrustError(
      Code.SECRET_MATERIAL,
      field,
      `holds ${secret}; nothing rendered for nodes may carry secrets`,
      REDACTED_VALUE,
    );
  }
  const isV2 = schema === BUNDLE_SCHEMA_V2;
  const obj = expectObject(value, field, isV2 ? TOP_FIELDS_V2 : TOP_FIELDS_V1);
  if (obj.schema !== BUNDLE_SCHEMA_V1 && !isV2) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.schema`,
      `must be "${BUNDLE_SCHEMA_V1}" or "${BUNDLE_SCHEMA_V2}"`,
      obj.schema,
    );
  }
  if (typeof obj.environment !== 'string' || !ENVIRONMENT_RE.test(obj.environment)) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.environment`,
      `must match [a-z][a-z0-9-]{0,31}`,
      obj.environment,
    );
  }
  const environment = obj.environment;
  const sequence = obj.sequence;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw new NodeTrustError(Code.INVALID_FIELD, `${field}.sequence`, `must be an integer >= 1`, sequence);
  }
  const cp = expectObject(obj.control_plane, `${field}.control_plane`, ['url']);
  const url = checkHttpsUrl(cp.url, `${field}.control_plane.url`);

  const pub = expectObject(obj.public_https_trust, `${field}.public_https_trust`, ['path', 'roots']);
  const publicPath = checkPath(pub.path, `${field}.public_https_trust.path`);
  const { roots, infos: rootInfos, untilMs } = checkRoots(pub.roots, `${field}.public_https_trust.roots`);

  const nodeTrust = expectObject(obj.node_cert_trust, `${field}.node_cert_trust`, ['path', 'pems']);
  const nodePath = checkPath(nodeTrust.path, `${field}.node_cert_trust.path`);
  const pems = checkNodeCertPems(nodeTrust.pems, rootInfos, `${field}.node_cert_trust.pems`);

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
      throw new NodeTrustError(Code.INCONSISTENT_ENV, `${field}.env.${name}`, `must equal ${what}`, env[name]);
    }
  };
  expectEnv('GPUAAS_CA_BUNDLE_PATH', publicPath, 'public_https_trust.path');
  expectEnv('GPUAAS_NODE_CERT_CA_BUNDLE_PATH', nodePath, 'node_cert_trust.path');
  expectEnv(
    'GPUAAS_TASK_SIGNING_PUBKEYS',
    verifiers.rendered,
    'the compact rendering of task_verifiers.set (renderVerifierSet)',
  );
  const bundleKeys = isV2 ? checkBundleKeys(obj.bundle_keys, verifiers, field) : undefined;
  const fresh = isV2 ? checkFreshness(obj.freshness, field) : undefined;
  const revoked = bundleKeys ? checkRevoked(obj.revoked, verifiers, bundleKeys, rootInfos, field) : undefined;

  const envOut = {
    GPUAAS_CA_BUNDLE_PATH: publicPath,
    GPUAAS_NODE_CERT_CA_BUNDLE_PATH: nodePath,
    GPUAAS_TASK_SIGNING_PUBKEYS: verifiers.rendered,
  };
  // v1 keeps the field order of its format; v2 is built with keys sorted, its canonical order.
  const bundle: BootstrapBundle = deepFreeze(
    bundleKeys && fresh && revoked
      ? ({
          bundle_keys: { set: bundleKeys.set },
          control_plane: { url },
          env: envOut,
          environment,
          freshness: fresh.freshness,
          node_cert_trust: { path: nodePath, pems },
          public_https_trust: { path: publicPath, roots },
          revoked,
          schema: BUNDLE_SCHEMA_V2,
          sequence,
          task_verifiers: { path: verifierPath, set: verifiers.set },
        } satisfies BootstrapBundleV2)
      : ({
          schema: BUNDLE_SCHEMA_V1,
          environment,
          sequence,
          control_plane: { url },
          public_https_trust: { path: publicPath, roots },
          node_cert_trust: { path: nodePath, pems },
          task_verifiers: { path: verifierPath, set: verifiers.set },
          env: envOut,
        } satisfies BootstrapBundleV1),
  );
  const rootPins = roots.map((r, i) =>
    Object.freeze(
      r.until === undefined
        ? { pin: rootInfos[i].pin, state: r.state }
        : { pin: rootInfos[i].pin, state: r.state, until: r.until },
    ),
  );
  const result: AnalysedBundle = Object.freeze({
    bundle,
    roots: Object.freeze(rootPins),
    rootUntilMs: Object.freeze(untilMs),
    verifiers,
    bundleKeys,
    expiresMs: fresh?.expiresMs,
    refreshHintSeconds: fresh?.freshness.refresh_hint_seconds,
  });
  analysed.set(bundle, result);
  return result;
}

/**
 * The v2 `freshness` field: `expires` ISO 8601 UTC, `refresh_hint_seconds` a whole number from 1 to
 * `MAX_REFRESH_HINT_SECONDS` (the kernel's rules). Returns a copy with its keys sorted and the expiry in ms.
 */
function checkFreshness(value: unknown, field: string): { freshness: BundleFreshness; expiresMs: number } {
  const where = `${field}.freshness`;
  const f = expectObject(value, where, FRESHNESS_FIELDS);
  throwFirstProblem(freshnessProblems(f, where), f, where);
  return {
    freshness: { expires: f.expires as string, refresh_hint_seconds: f.refresh_hint_seconds as number },
    expiresMs: parseIsoUtc(f.expires)!,
  };
}

/**
 * The v2 `revoked` field: well-formed lists (the kernel's rules), none of whose items the same bundle still
 * trusts. Returns a copy with its keys sorted.
 */
function checkRevoked(
  value: unknown,
  verifiers: CompiledVerifierSet,
  bundleKeys: CompiledBundleKeySet,
  rootInfos: readonly { readonly pin: string }[],
  field: string,
): BundleRevocations {
  const where = `${field}.revoked`;
  const r = expectObject(value, where, REVOKED_FIELDS);
  throwFirstProblem(revocationProblems(r, where), r, where);
  const revoked: BundleRevocations = {
    bundle_key_versions: [...(r.bundle_key_versions as number[])],
    root_pins: [...(r.root_pins as string[])],
    task_key_versions: [...(r.task_key_versions as number[])],
  };
  const trusted = {
    taskKeyVersions: verifiers.set.keys.map((e) => e.version),
    bundleKeyVersions: bundleKeys.set.keys.map((e) => e.version),
    rootPins: rootInfos.map((i) => i.pin),
  };
  throwFirstProblem(
    revokedListedProblems(revoked, trusted, where),
    r,
    where,
    'drop the revoked item from the key set or from public_https_trust.roots: a revoked item is dropped at once, even inside a grace window or an overlap (BootstrapBundle renders it so)',
  );
  return revoked;
}

/** The node's error code for each kernel freshness and revocation problem. */
function codeOfFreshnessProblem(p: Problem): Code {
  switch (p.code) {
    case FreshnessProblem.EXPIRES:
      return Code.INVALID_DATE;
    case FreshnessProblem.REVOKED_VERSION:
      return Code.INVALID_VERSIONS;
    case FreshnessProblem.REVOKED_ORDER:
      return p.path.includes('.root_pins') ? Code.INVALID_FIELD : Code.INVALID_VERSIONS;
    default:
      return Code.INVALID_FIELD;
  }
}

/** Throws the first kernel problem as a {@link NodeTrustError}, with the value found at its path under `root`. */
function throwFirstProblem(problems: readonly Problem[], root: unknown, rootPath: string, fix?: string): void {
  const p = problems[0];
  if (!p) return;
  const code = codeOfFreshnessProblem(p);
  const theFix =
    fix ??
    (p.path.includes('.revoked.')
      ? 'list revoked key versions ascending and unique (1 to 2147483647), and revoked roots as sorted, unique, lower-case "sha256:<64 hex>" SPKI pins (spkiPin)'
      : undefined);
  throw new NodeTrustError(code, p.path, p.message, valueAt(root, rootPath, p.path), theFix);
}

/** The value at a dotted path (`a.b[2]`) below `root`, whose own path is `rootPath`; `root` when not below it. */
function valueAt(root: unknown, rootPath: string, path: string): unknown {
  if (!path.startsWith(rootPath)) return root;
  let value = root;
  for (const [, name, index] of path.slice(rootPath.length).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[name ?? index];
  }
  return value;
}

/**
 * Internal: why a v2 bundle is no longer usable at `nowMs` (from its `expires` on, see the kernel's `isExpired`),
 * or undefined while it is fresh. A v1 bundle carries no expiry and never expires.
 */
export function expiryDetail(held: AnalysedBundle, nowMs: number): string | undefined {
  const b = held.bundle;
  if (b.schema !== BUNDLE_SCHEMA_V2 || !isExpired(b.freshness, nowMs)) return undefined;
  return `the bundle (sequence ${b.sequence}) expired at ${b.freshness.expires}; now is ${new Date(nowMs).toISOString()}`;
}

/** When a bundle v2 stops being usable and how often to look for a newer one (see {@link bundleFreshness}). */
export interface BundleFreshnessInfo {
  /** `freshness.expires`: from this instant the bundle is refused, and every task with it. */
  readonly expiresAt: Date;
  /** `freshness.refresh_hint_seconds`: seconds between checks for a newer bundle. */
  readonly refreshHintSeconds: number;
}

/**
 * The freshness of a bundle, for an agent's refresh loop: its expiry and refresh hint for a v2 bundle, undefined
 * for a v1 bundle (which carries none). Validates the bundle first (a bundle returned by `verifyBundle`,
 * `acceptFirstBundle`, `acceptBundleUpdate` or `validateBundle` is not validated again); throws a
 * {@link NodeTrustError} for an invalid one. Reads no clock: compare `expiresAt` with your own `now`.
 */
export function bundleFreshness(bundle: BootstrapBundle): BundleFreshnessInfo | undefined {
  const a = analyseBundle(bundle);
  if (a.expiresMs === undefined || a.refreshHintSeconds === undefined) return undefined;
  return { expiresAt: new Date(a.expiresMs), refreshHintSeconds: a.refreshHintSeconds };
}

/**
 * The v2 `bundle_keys` field: a valid bundle key set that shares neither its key name nor any public key with
 * the task verifier set.
 */
function checkBundleKeys(value: unknown, verifiers: CompiledVerifierSet, field: string): CompiledBundleKeySet {
  const bk = expectObject(value, `${field}.bundle_keys`, ['set']);
  const keys = compileBundleKeySet(bk.set, `${field}.bundle_keys.set`);
  if (keys.set.key === verifiers.set.key) {
    throw new NodeTrustError(
      Code.KEY_REUSE,
      `${field}.bundle_keys.set.key`,
      `is "${keys.set.key}", the task signing key; a key used for both tasks and bundles lets whoever signs tasks sign bundles`,
      keys.set.key,
      'sign bundles with a separate transit key that only the apply identity may use',
    );
  }
  keys.set.keys.forEach((entry, i) => {
    const task = verifiers.set.keys.find((t) => t.public_key === entry.public_key);
    if (task) {
      throw new NodeTrustError(
        Code.KEY_REUSE,
        `${field}.bundle_keys.set.keys[${i}].public_key`,
        `is also the public key of task verifier ${task.kid}; a key used for both tasks and bundles lets whoever signs tasks sign bundles`,
        entry.kid,
        'give the bundle key its own key material',
      );
    }
  });
  return keys;
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
