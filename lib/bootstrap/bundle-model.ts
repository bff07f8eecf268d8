/**
 * Pure model of the bootstrap bundle (formats v1 and v2): the bundle shape from its inputs, the checks on those
 * inputs, the DSSE envelope and pre-authentication encoding. Values may be cdktf tokens; checks skip tokens.
 */
import { createHash } from 'node:crypto';
import { invalidSequence, missingConfig, sameBundlePath, secretInConfig } from '../core/errors';
import { isToken, parseIsoUtc, validateHttpsUrl, validateName } from '../core/validation';
import {
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleFreshness,
  BundleKeySetV1,
  BundleRevocations,
  DEFAULT_PATHS,
  DsseEnvelope,
  RootState,
  TrustRoot,
  VerifierSetV1,
} from '../node/formats';
import { pae, paeParts } from '../kernel/dsse';
import { distinctFileProblems, filePathProblems } from '../kernel/paths';
import { freshnessProblems, revocationProblems } from '../kernel/freshness';
import { findSecretInText } from '../kernel/secret-patterns';
import {
  invalidBundlePath,
  invalidFreshness,
  invalidBundleRevocations,
  invalidRoots,
  sameSigningKey,
  sameTrustSource,
  unsafeLiteral,
} from './private/errors';

/** The three files a node writes from the bundle. They must differ. */
export interface BundlePaths {
  /**
   * Public HTTPS trust for the control plane (GPUAAS_CA_BUNDLE_PATH).
   * @default "/etc/gpuaas/trust/control-plane-ca.pem"
   */
  readonly publicHttpsBundle: string;
  /**
   * Node-certificate CA bundle (GPUAAS_NODE_CERT_CA_BUNDLE_PATH).
   * @default "/etc/gpuaas/trust/node-cert-ca.pem"
   */
  readonly nodeCertBundle: string;
  /**
   * Task verifier set (its content is also GPUAAS_TASK_SIGNING_PUBKEYS).
   * @default "/etc/gpuaas/trust/task-signing-pubkeys.json"
   */
  readonly taskVerifiers: string;
}

/** Inputs of `buildBundle`. */
export interface BundleInput {
  /** Environment name (dev, staging, prod). */
  readonly environment: string;
  /** Bundle sequence from code: an integer of at least 1 that only goes up. */
  readonly sequence: number;
  /** https URL of the control plane. */
  readonly controlPlaneUrl: string;
  /** Public HTTPS roots, current first. */
  readonly publicHttpsRoots: readonly TrustRoot[];
  /** Node-cert CA chain PEMs. */
  readonly nodeCertPems: readonly string[];
  /** The verifier set (in a construct: `jsondecode(pubkeysJson)`). */
  readonly verifierSet: VerifierSetV1;
  /** Compact JSON of the verifier set: the value of GPUAAS_TASK_SIGNING_PUBKEYS. */
  readonly pubkeysJson: string;
  /**
   * File paths on the node.
   * @default - DEFAULT_PATHS
   */
  readonly paths?: Partial<BundlePaths>;
}

const ROOT_STATES: readonly RootState[] = ['current', 'next', 'previous'];

/**
 * Describes the first secret-looking thing in `value` (private key, Vault token, AppRole id, Vault setting or API
 * address: the kernel's patterns for what is rendered for nodes), or undefined. Tokens are skipped.
 */
export function findSecretLike(value: string): string | undefined {
  if (typeof value !== 'string' || isToken(value)) return undefined;
  return findSecretInText(value)?.what;
}

/**
 * Checks a literal that is embedded in the signed bundle: printable ASCII (plus line breaks when
 * `multiline`), no double quote, backslash, "${" or "%{". Terraform's `length()` counts characters and the
 * DSSE encoding needs bytes; for such ASCII text they are equal, and cdktf carries it into HCL unchanged.
 * Tokens are accepted unchecked (their values come from Vault: PEM, base64 and JSON text, all ASCII).
 * @returns the value
 */
export function checkBundleLiteral(kind: string, value: string, multiline = false): string {
  if (isToken(value)) return value;
  if (typeof value !== 'string') throw unsafeLiteral(kind, value, 'it is not a string');
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a && multiline) continue;
    if (c < 0x20 || c > 0x7e) {
      throw unsafeLiteral(
        kind,
        value,
        `character ${JSON.stringify(value[i])} (U+${c.toString(16).toUpperCase().padStart(4, '0')}) at index ${i} is not printable ASCII`,
      );
    }
  }
  if (value.includes('"')) throw unsafeLiteral(kind, value, 'it contains a double quote');
  if (value.includes('\\')) throw unsafeLiteral(kind, value, 'it contains a backslash');
  if (value.includes('${') || value.includes('%{')) {
    throw unsafeLiteral(kind, value, 'it contains a Terraform template sequence ("${" or "%{")');
  }
  const secret = findSecretLike(value);
  if (secret) throw secretInConfig(`the ${kind} (it looks like ${secret})`, multiline ? '<redacted>' : value);
  return value;
}

/** Checks that a JSON text is printable ASCII (JSON escapes the rest). Tokens are accepted unchecked. */
export function checkAscii(kind: string, value: string): string {
  if (isToken(value)) return value;
  if (typeof value !== 'string') throw unsafeLiteral(kind, value, 'it is not a string');
  const bad = /[^\x20-\x7e]/.exec(value);
  if (bad) {
    throw unsafeLiteral(
      kind,
      value,
      `character ${JSON.stringify(bad[0])} at index ${bad.index} is not printable ASCII`,
    );
  }
  return value;
}

/** Validates the bundle sequence: an integer from 1 to 2^53-1. Tokens are accepted unchecked. */
export function validateSequence(value: number): number {
  if (isToken(value)) return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidSequence(
      'Invalid bundle sequence: it must be a whole number of at least 1, and it only goes up.',
      value,
      'set sequence to the last published sequence plus one whenever the bundle changes (start at 1).',
    );
  }
  return value;
}

function checkPath(kind: string, value: string): string {
  if (isToken(value)) return value;
  checkBundleLiteral(kind, value);
  // The wire grammar (lib/kernel/paths.ts), and one authoring rule of code on top: no whitespace.
  const problems = filePathProblems(value, kind);
  if (problems.length > 0) throw invalidBundlePath(kind, value, problems[0].message);
  if (/\s/.test(value)) throw invalidBundlePath(kind, value, 'it contains whitespace');
  return value;
}

/** Fills in default paths and checks them: absolute, plain, and three distinct files. */
export function resolveBundlePaths(paths: Partial<BundlePaths> = {}): BundlePaths {
  const resolved: BundlePaths = {
    publicHttpsBundle: checkPath(
      'public HTTPS trust path (GPUAAS_CA_BUNDLE_PATH)',
      paths.publicHttpsBundle ?? DEFAULT_PATHS.publicHttpsBundle,
    ),
    nodeCertBundle: checkPath(
      'node-cert CA bundle path (GPUAAS_NODE_CERT_CA_BUNDLE_PATH)',
      paths.nodeCertBundle ?? DEFAULT_PATHS.nodeCertBundle,
    ),
    taskVerifiers: checkPath('task verifier path', paths.taskVerifiers ?? DEFAULT_PATHS.taskVerifiers),
  };
  const entries = Object.entries(resolved).filter(([, p]) => !isToken(p));
  const same = distinctFileProblems(entries)[0];
  if (same) {
    const first = entries.find(([, p]) => p === resolved[same.path as keyof BundlePaths])!;
    throw sameBundlePath({ [first[0]]: first[1], [same.path]: resolved[same.path as keyof BundlePaths] });
  }
  return resolved;
}

function checkRoots(roots: readonly TrustRoot[]): TrustRoot[] {
  if (!Array.isArray(roots) || roots.length === 0) {
    throw invalidRoots(
      'The bundle has no public HTTPS root: nodes could not trust the control plane.',
      roots,
      'pass the roots of a ControlPlaneTrust (at least the current root).',
    );
  }
  const current = roots.filter((r) => r.state === 'current').length;
  if (current !== 1) {
    throw invalidRoots(
      `The public HTTPS roots need exactly one "current" root; found ${current}.`,
      roots.map((r) => r.state),
      'mark the root the control plane uses now as "current"; others are "next" or "previous".',
    );
  }
  return roots.map((r, i) => {
    if (!ROOT_STATES.includes(r.state)) {
      throw invalidRoots(`Unknown state of public HTTPS root ${i}.`, r.state, `use one of ${ROOT_STATES.join(', ')}.`);
    }
    if (r.state === 'previous' && r.until === undefined) {
      throw invalidRoots(
        `The previous public HTTPS root ${i} has no "until": nodes would trust it forever.`,
        r,
        'give every previous root the end of its overlap (ISO 8601 UTC).',
      );
    }
    if (r.until !== undefined && !isToken(r.until)) parseIsoUtc(`until of public HTTPS root ${i}`, r.until);
    checkBundleLiteral(`public HTTPS root ${i} PEM`, r.pem, true);
    return { pem: r.pem, state: r.state, ...(r.until !== undefined ? { until: r.until } : {}) };
  });
}

/**
 * Builds bundle format v1 from its inputs after checking them. Keys that would be undefined are left out,
 * so the object can go straight into `Fn.jsonencode`.
 */
export function buildBundle(input: BundleInput): BootstrapBundleV1 {
  const environment = checkBundleLiteral('environment name', validateName('environment name', input.environment));
  const sequence = validateSequence(input.sequence);
  const url = checkBundleLiteral('control-plane URL', validateHttpsUrl('control-plane URL', input.controlPlaneUrl));
  const paths = resolveBundlePaths(input.paths);
  const roots = checkRoots(input.publicHttpsRoots);
  if (!Array.isArray(input.nodeCertPems) || input.nodeCertPems.length === 0) {
    throw invalidRoots(
      'The bundle has no node-cert CA certificate.',
      input.nodeCertPems,
      'pass the caPems of a NodeCertAuthority.',
    );
  }
  const pems = input.nodeCertPems.map((p, i) => checkBundleLiteral(`node-cert CA PEM ${i}`, p, true));
  const shared = roots.find((r) => pems.includes(r.pem));
  if (shared) throw sameTrustSource('<a PEM present in both lists>', 'the same certificate is in both bundles');
  checkAscii('GPUAAS_TASK_SIGNING_PUBKEYS', input.pubkeysJson);

  return {
    schema: BUNDLE_SCHEMA_V1,
    environment,
    sequence,
    control_plane: { url },
    public_https_trust: { path: paths.publicHttpsBundle, roots },
    node_cert_trust: { path: paths.nodeCertBundle, pems },
    task_verifiers: { path: paths.taskVerifiers, set: input.verifierSet },
    env: {
      GPUAAS_CA_BUNDLE_PATH: paths.publicHttpsBundle,
      GPUAAS_NODE_CERT_CA_BUNDLE_PATH: paths.nodeCertBundle,
      GPUAAS_TASK_SIGNING_PUBKEYS: input.pubkeysJson,
    },
  };
}

/** Inputs of `buildBundleV2`: those of format v1 plus the bundle key set, freshness and revocations. */
export interface BundleInputV2 extends BundleInput {
  /** The bundle key set that signs the next bundle (in a construct: `jsondecode(keySetJson)`). */
  readonly bundleKeySet: BundleKeySetV1;
  /** Expiry and refresh hint, from code. */
  readonly freshness: BundleFreshness;
  /**
   * What nodes must drop at once.
   * @default - nothing revoked
   */
  readonly revoked?: Partial<BundleRevocations>;
}

/**
 * Checks the freshness written in code: `expires` is ISO 8601 UTC, the refresh hint a whole number of seconds from 1
 * to one week. Tokens are accepted unchecked.
 */
export function checkFreshness(freshness: Partial<BundleFreshness> | undefined): BundleFreshness {
  if (!freshness || freshness.expires === undefined) {
    throw missingConfig(
      'A bundle of format v2 carries an expiry, and none was given: a node refuses a bundle (and every task) after its expiry, which bounds how long an attacker who blocks updates can keep a node on an old bundle.',
      freshness,
      'set freshness.expires to a date in code (ISO 8601 UTC, at most 90 days ahead, for example "2027-03-01T00:00:00Z"); move it forward, with a sequence bump, before it comes close.',
    );
  }
  const known = {
    expires: isToken(freshness.expires) ? undefined : freshness.expires,
    refresh_hint_seconds: isToken(freshness.refresh_hint_seconds) ? undefined : freshness.refresh_hint_seconds,
  };
  const problems = freshnessProblems(known, 'freshness');
  if (problems.length > 0) {
    throw invalidFreshness(problems.map((p) => `${p.path} ${p.message}`).join('; '), freshness);
  }
  return { expires: freshness.expires, refresh_hint_seconds: freshness.refresh_hint_seconds as number };
}

/** Fills in empty lists and checks the revocations: ascending unique versions, sorted unique lower-case pins. */
export function checkRevocations(revoked: Partial<BundleRevocations> = {}): BundleRevocations {
  const out: BundleRevocations = {
    task_key_versions: [...(revoked.task_key_versions ?? [])],
    bundle_key_versions: [...(revoked.bundle_key_versions ?? [])],
    root_pins: [...(revoked.root_pins ?? [])],
  };
  const known = {
    task_key_versions: out.task_key_versions.filter((v) => !isToken(v)),
    bundle_key_versions: out.bundle_key_versions.filter((v) => !isToken(v)),
    root_pins: out.root_pins.filter((p) => !isToken(p)),
  };
  const problems = revocationProblems(known, 'revoked');
  if (problems.length > 0) {
    throw invalidBundleRevocations(problems.map((p) => `${p.path} ${p.message}`).join('; '), revoked);
  }
  return out;
}

/**
 * Builds bundle format v2 from its inputs after checking them: the fields of format v1 (same checks) plus
 * `bundle_keys.set`, the keys nodes verify the next bundle with. Keys that would be undefined are left out, so
 * the object can go straight into `Fn.jsonencode`.
 */
export function buildBundleV2(input: BundleInputV2): BootstrapBundleV2 {
  const v1 = buildBundle(input);
  if (input.bundleKeySet === undefined || input.bundleKeySet === null) {
    throw missingConfig(
      'A bundle of format v2 carries the bundle key set, and none was given.',
      input.bundleKeySet,
      'pass the key set of a BundleSigningKey (jsondecode of its keySetJson).',
    );
  }
  return {
    schema: BUNDLE_SCHEMA_V2,
    environment: v1.environment,
    sequence: v1.sequence,
    control_plane: v1.control_plane,
    public_https_trust: v1.public_https_trust,
    node_cert_trust: v1.node_cert_trust,
    task_verifiers: v1.task_verifiers,
    bundle_keys: { set: input.bundleKeySet },
    freshness: checkFreshness(input.freshness),
    revoked: checkRevocations(input.revoked),
    env: v1.env,
  };
}

/** A transit key as the bundle checks see it: where it lives. */
export interface SigningKeyRef {
  /** Transit key name. */
  readonly keyName: string;
  /** Transit mount path (leading and trailing "/" are ignored). */
  readonly mountPath: string;
}

/**
 * Invariant 10: the key that signs bundles is not the task key. Throws when both name the same transit key (same
 * mount and name); skips the check when either value is a token.
 */
export function checkSeparateSigningKeys(taskKey: SigningKeyRef, bundleKey: SigningKeyRef): void {
  const values = [taskKey.keyName, taskKey.mountPath, bundleKey.keyName, bundleKey.mountPath];
  if (values.some((v) => isToken(v))) return;
  const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');
  if (taskKey.keyName === bundleKey.keyName && trim(taskKey.mountPath) === trim(bundleKey.mountPath)) {
    throw sameSigningKey(`${trim(bundleKey.mountPath)}/keys/${bundleKey.keyName}`);
  }
}

/** One DSSE signature: the kid of the key version that signed and the standard base64 of the raw signature. */
export interface EnvelopeSignature {
  /** Kid of the key version that signed (`<key>:v<version>:<16 hex>`). */
  readonly keyid: string;
  /** Standard base64 of the raw 64-byte Ed25519 signature. */
  readonly sig: string;
}

/**
 * The DSSE envelope of a bundle v2: payload type `BUNDLE_PAYLOAD_TYPE_V2`, the payload (standard base64 of the
 * bundle's compact JSON) and the signatures, the bundle key's first.
 */
export function buildEnvelopeV2(payload: string, signatures: readonly EnvelopeSignature[]): DsseEnvelope {
  if (signatures.length === 0) {
    throw missingConfig(
      'A bundle envelope needs at least one signature.',
      signatures,
      'sign with the bundle key (BootstrapBundle does).',
    );
  }
  return {
    payloadType: BUNDLE_PAYLOAD_TYPE_V2,
    payload,
    signatures: signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })),
  };
}

/**
 * The DSSE pre-authentication encoding in parts to concatenate (the kernel's `paeParts`, `lib/kernel/dsse.ts`),
 * for a body only known at apply time (a token), with its length given separately (a Terraform `length()`
 * expression, equal to the byte count for ASCII). `parts.join('')` is the encoding. The payload type must be
 * printable ASCII.
 */
export function dssePaeParts(payloadType: string, body: string, bodyLength: string): string[] {
  if (!/^[\x20-\x7e]*$/.test(payloadType)) throw unsafeLiteral('DSSE payload type', payloadType, 'it is not ASCII');
  return paeParts(payloadType, body, bodyLength);
}

/**
 * DSSE v1 pre-authentication encoding as text (the kernel's `pae`): `"DSSEv1" SP len(type) SP type SP len(body)
 * SP body`, lengths in ASCII decimal bytes. Both strings must be ASCII (then bytes = characters, as Terraform's
 * `length()` counts).
 */
export function dssePae(payloadType: string, body: string): string {
  for (const [kind, s] of [
    ['payload type', payloadType],
    ['payload', body],
  ] as const) {
    if (!/^[\x00-\x7f]*$/.test(s)) throw unsafeLiteral(`DSSE ${kind}`, s, 'it is not ASCII');
  }
  return Buffer.from(pae(payloadType, Buffer.from(body, 'ascii'))).toString('ascii');
}

/** What the plan-time sequence guard knows at synth time about the bundle's inputs. */
export interface BundleInputFacts {
  /** Environment name (a literal or a token). */
  readonly environment: string;
  /** https URL of the control plane (a literal or a token). */
  readonly controlPlaneUrl: string;
  /** The three file paths on the node, resolved. */
  readonly paths: BundlePaths;
  /** Public HTTPS roots in bundle order; `name` identifies a root whose PEM is a token. */
  readonly publicHttpsRoots: ReadonlyArray<
    TrustRoot & {
      /** Stable name of the root (its issuer name), counted in place of a PEM only known at apply. */
      readonly name?: string;
    }
  >;
  /** Node-cert CA chain PEMs (literals or tokens). */
  readonly nodeCertPems: readonly string[];
  /** The task signing key: its verifier set is in the bundle, and it signs a format v1 bundle. */
  readonly signingKey: KeyFacts;
  /**
   * The bundle signing key (format v2).
   * @default - none (a format v1 bundle)
   */
  readonly bundleKey?: KeyFacts;
  /**
   * The envelope also carries the migration signature by the task key (format v2).
   * @default false
   */
  readonly migrateFromV1?: boolean;
  /**
   * Freshness (format v2).
   * @default - not counted
   */
  readonly freshness?: BundleFreshness;
  /**
   * Revocations (format v2).
   * @default - not counted
   */
  readonly revoked?: BundleRevocations;
}

/** What the digest counts of a signing key. */
export interface KeyFacts {
  /** Transit key name. */
  readonly keyName: string;
  /** Transit mount path. */
  readonly mountPath: string;
  /** The version that signs (a literal or a token). */
  readonly activeVersion: number;
  /**
   * Every version in the key's set with its state and end: a pre-published, activated or retired version changes it.
   * @default - not counted
   */
  readonly versions?: ReadonlyArray<{
    /** Transit key version. */
    readonly version: number;
    /** `next`, `active` or `grace`. */
    readonly state: string;
    /** End of acceptance of a `grace` version (ISO 8601 UTC). */
    readonly until?: string;
  }>;
}

/**
 * SHA-256 (hex) over the synth-time facts of a bundle: every literal, and a stable name in place of each token
 * (a root's issuer name, or its position). It changes whenever the code changes what the bundle says, even when
 * the rendered payload is unknown until apply (a new root, a new active version), so the plan-time guard can ask
 * for a sequence bump. The sequence itself is left out. With a bundle key (format v2) its name, mount and active
 * version count too: activating a new bundle key version changes the digest. Where given, each key's version
 * schedule (versions, states, grace ends) and the migration signature count as well, so a pre-publish, a
 * retirement or turning the migration signature on or off at an unchanged sequence fails the plan.
 */
export function bundleInputsDigest(facts: BundleInputFacts): string {
  const lit = (v: string | number, name: string) =>
    isToken(v) ? `ref:${name}` : typeof v === 'string' && v.includes('-----BEGIN') ? `pem:${sha256(v.trim())}` : v;
  const canonical = {
    environment: lit(facts.environment, 'environment'),
    controlPlaneUrl: lit(facts.controlPlaneUrl, 'controlPlaneUrl'),
    paths: {
      publicHttpsBundle: lit(facts.paths.publicHttpsBundle, 'publicHttpsBundle'),
      nodeCertBundle: lit(facts.paths.nodeCertBundle, 'nodeCertBundle'),
      taskVerifiers: lit(facts.paths.taskVerifiers, 'taskVerifiers'),
    },
    publicHttpsRoots: facts.publicHttpsRoots.map((r, i) => ({
      pem: lit(r.pem, r.name ?? `root-${i}`),
      state: r.state,
      until: r.until === undefined ? null : lit(r.until, `until-${i}`),
    })),
    nodeCertPems: facts.nodeCertPems.map((p, i) => lit(p, `node-cert-${i}`)),
    signingKey: {
      keyName: lit(facts.signingKey.keyName, 'keyName'),
      mountPath: lit(facts.signingKey.mountPath, 'mountPath'),
      activeVersion: lit(facts.signingKey.activeVersion, 'activeVersion'),
      ...versionsOf(facts.signingKey),
    },
    // Absent for format v1, so the digests of v1 inputs stay what they were.
    ...(facts.bundleKey
      ? {
          bundleKey: {
            keyName: lit(facts.bundleKey.keyName, 'bundleKeyName'),
            mountPath: lit(facts.bundleKey.mountPath, 'bundleKeyMountPath'),
            activeVersion: lit(facts.bundleKey.activeVersion, 'bundleKeyActiveVersion'),
            ...versionsOf(facts.bundleKey),
          },
        }
      : {}),
    ...(facts.migrateFromV1 ? { migrateFromV1: true } : {}),
    ...(facts.freshness ? { freshness: facts.freshness } : {}),
    ...(facts.revoked
      ? {
          revoked: {
            task_key_versions: facts.revoked.task_key_versions,
            bundle_key_versions: facts.revoked.bundle_key_versions,
            root_pins: facts.revoked.root_pins.map((p, i) => lit(p, `revoked-root-${i}`)),
          },
        }
      : {}),
  };
  return sha256(JSON.stringify(canonical));
}

/** A key's schedule for the digest: absent when not given, so digests made without it stay what they were. */
function versionsOf(key: KeyFacts): { versions?: Array<[number, string, string | null]> } {
  if (!key.versions) return {};
  return { versions: key.versions.map((v) => [v.version, v.state, v.until ?? null]) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
