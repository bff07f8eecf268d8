/**
 * Bootstrap bundle formats v1 and v2: validation (schema, consistency, separation of the two CA bundles, no
 * secrets; for v2, separation of the bundle keys from the task keys) and the canonical payload rendering.
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
  RootState,
} from './formats';
import { expectObject } from './json-shape';
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
const TOP_FIELDS_V2 = [...TOP_FIELDS_V1, 'bundle_keys'];
const ENV_FIELDS = ['GPUAAS_CA_BUNDLE_PATH', 'GPUAAS_NODE_CERT_CA_BUNDLE_PATH', 'GPUAAS_TASK_SIGNING_PUBKEYS'];

/** A control-plane root with its SPKI pin. */
export interface RootPin {
  /** `sha256:<hex>` of the root's SubjectPublicKeyInfo DER. */
  readonly pin: string;
  readonly state: RootState;
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
 * Format v2 adds exactly one field, `bundle_keys: { set }`, and refuses:
 * - a `set` that breaks a bundle key set rule (see `parseBundleKeySet`), or is a task verifier set
 *   (WRONG_KEY_KIND);
 * - a bundle key set whose `key` is the task verifier set's `key`, or a public key that is in both sets
 *   (KEY_REUSE): a key used for both tasks and bundles would let whoever signs tasks sign bundles.
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

  const envOut = {
    GPUAAS_CA_BUNDLE_PATH: publicPath,
    GPUAAS_NODE_CERT_CA_BUNDLE_PATH: nodePath,
    GPUAAS_TASK_SIGNING_PUBKEYS: verifiers.rendered,
  };
  // v1 keeps the field order of its format; v2 is built with keys sorted, its canonical order.
  const bundle: BootstrapBundle = deepFreeze(
    bundleKeys
      ? ({
          bundle_keys: { set: bundleKeys.set },
          control_plane: { url },
          env: envOut,
          environment,
          node_cert_trust: { path: nodePath, pems },
          public_https_trust: { path: publicPath, roots },
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
  });
  analysed.set(bundle, result);
  return result;
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
