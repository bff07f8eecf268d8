/**
 * The stack manifest: the contract between a platform trust stack (the emitter) and the plan explainer (the
 * reader). The stack publishes it as the plan output `platform_trust_manifest`: compact JSON, known at plan time
 * (only names, addresses and versions from code, nothing secret), stable (a second plan shows no change). The
 * explainer finds the stack's elements through it instead of parsing cdktf logical ids, and reads the stack's
 * other outputs by the names it lists.
 *
 * Shape (format `cdktf-platform-trust/stack-manifest/v1`):
 * ```
 * { "format": "...", "outputs": { "<output role>": "<output name>", ... },
 *   "resources": { "<address>": { "role": "<element role>", "key"?, "mount"?, "name"?, "version"?, "signature"?,
 *                                  "trust"?, "bundle_field"?, "path"? }, ... },
 *   "bundle"?: { "refresh_hint_seconds": <n>, "revoked": { "task_key_versions": [..], "bundle_key_versions": [..],
 *                "root_pins": [..] }, "rollout_override"?: "<reason>" } }
 * ```
 * `bundle` is there only when the bundle revokes something or the code overrides the rollout window: what the plan
 * cannot show otherwise while the bundle itself is known only after apply (an emergency rotates a key).
 * Addresses are the plan's (`<type>.<logical id>`, `data.<type>.<logical id>` for a data source).
 *
 * Pure: no cdktf import. The stack and the explainer use only the names here, and a test checks that every role
 * and output role the explainer reads is one the stack emits.
 */

/** Name of the plan output that carries the manifest. */
export const MANIFEST_OUTPUT = 'platform_trust_manifest';
/** Format id of the manifest. */
export const MANIFEST_FORMAT_V1 = 'cdktf-platform-trust/stack-manifest/v1';

/** What an element of the stack is for. */
export enum ElementRole {
  /** `vault_transit_secret_backend_key`: a signing key (`key` says which; `mount`, `name`). */
  TRANSIT_KEY = 'transit-key',
  /** `vault_generic_endpoint` that creates (or adopts) version `version` of a transit key. */
  KEY_ROTATION = 'key-rotation',
  /** `vault_generic_endpoint` that sets a transit key's version floors (`<mount>/keys/<name>/config`). */
  KEY_FLOORS = 'key-floors',
  /** Data source that reads a transit key's public keys after the apply's rotations. */
  KEY_PUBLIC_KEYS = 'key-public-keys',
  /** `vault_generic_endpoint` on `<mount>/sign/<name>` that signs the bundle during apply (`signature`). */
  BUNDLE_SIGNATURE = 'bundle-signature',
  /** `terraform_data` over what a bundle signature signs: its change replaces the signature. */
  BUNDLE_SIGNED_INPUT = 'bundle-signed-input',
  /** `vault_kv_secret_v2` the control plane serves the signed bundle from (`mount`, `path`). */
  BUNDLE_SECRET = 'bundle-secret',
  /** `vault_mount` of a PKI (`trust`, `mount`). */
  PKI_MOUNT = 'pki-mount',
  /** `vault_pki_secret_backend_root_cert`: a root issuer generated inside Vault (`trust`, `name`). */
  PKI_ROOT = 'pki-root',
  /** An intermediate of the node-cert CA (request, signature or import). */
  PKI_INTERMEDIATE = 'pki-intermediate',
  /** `vault_pki_secret_backend_config_issuers`: a mount's default issuer. */
  PKI_DEFAULT_ISSUER = 'pki-default-issuer',
  /** `vault_pki_secret_backend_role`: a role certificates are issued on. */
  PKI_ROLE = 'pki-role',
  /** `vault_policy` (`name`). */
  POLICY = 'policy',
}

/** Which signing key an element belongs to. */
export enum SigningKeyKind {
  /** The task signing key: nodes verify tasks under it (bundle field `task_verifiers.set`). */
  TASK = 'task',
  /** The bundle signing key: nodes verify bundles under it (bundle field `bundle_keys.set`). */
  BUNDLE = 'bundle',
}

/** Which PKI an element belongs to. */
export enum TrustKind {
  /** The control plane's public HTTPS roots (bundle field `public_https_trust.roots`). */
  CONTROL_PLANE = 'control-plane',
  /** The node-certificate CA (bundle field `node_cert_trust.pems`). */
  NODE_CERT = 'node-cert',
}

/** One element of the stack. */
export interface ManifestEntry {
  /** What the element is for. */
  readonly role: ElementRole;
  /**
   * The signing key the element belongs to, for key elements (transit key, rotation, floors, public keys, signature).
   */
  readonly key?: SigningKeyKind;
  /** Mount path (transit, KV or PKI). */
  readonly mount?: string;
  /** Transit key name, root issuer name, policy name or PKI role name. */
  readonly name?: string;
  /** A rotation: the version it creates. A bundle signature: the version that signs. */
  readonly version?: number;
  /** A bundle signature: what it is for, as its `bundle_signature` declaration says (`bundle-key`, `migration-from-v1`). */
  readonly signature?: string;
  /** The PKI the element belongs to, for PKI elements. */
  readonly trust?: TrustKind;
  /** The bundle field this element's material ends up in (dotted path in the bundle). */
  readonly bundle_field?: string;
  /** A bundle secret: its name under the KV mount. */
  readonly path?: string;
}

/** The stack's outputs the explainer reads, by what they hold. */
export enum OutputRole {
  /** The bundle as rendered for nodes (compact JSON). */
  BUNDLE = 'bundle',
  /** The signed DSSE envelope (known after apply). */
  ENVELOPE = 'envelope',
  /** The task verifier set. */
  TASK_VERIFIERS = 'task_verifiers',
  /** The task key version the control plane signs with. */
  TASK_ACTIVE_VERSION = 'task_active_version',
  /** The bundle key set. */
  BUNDLE_KEYS = 'bundle_keys',
  /** The bundle key version that signs the bundle. */
  BUNDLE_KEY_ACTIVE_VERSION = 'bundle_key_active_version',
}

/**
 * Names of the outputs `PlatformTrustStack` emits, by role: the stack uses them, and the explainer reads them
 * from a plan without a manifest (a stack from before it).
 */
export const STACK_OUTPUT_NAMES: Readonly<Record<OutputRole, string>> = {
  [OutputRole.BUNDLE]: 'bootstrap_bundle',
  [OutputRole.ENVELOPE]: 'bootstrap_envelope',
  [OutputRole.TASK_VERIFIERS]: 'task_signing_pubkeys',
  [OutputRole.TASK_ACTIVE_VERSION]: 'task_signing_active_version',
  [OutputRole.BUNDLE_KEYS]: 'bundle_signing_keys',
  [OutputRole.BUNDLE_KEY_ACTIVE_VERSION]: 'bundle_signing_active_version',
};

/**
 * What the code says about the bundle that the plan would otherwise show only after apply: its revocations, its
 * refresh hint and a rollout override. All from code, known at plan time.
 */
export interface ManifestBundle {
  /** The bundle's refresh hint in seconds (`freshness.refresh_hint_seconds`). */
  readonly refresh_hint_seconds?: number;
  /** What the bundle revokes (`revoked`): versions of the task key and of the bundle key, SPKI pins of roots. */
  readonly revoked?: {
    /** Revoked versions of the task signing key. */
    readonly task_key_versions: readonly number[];
    /** Revoked versions of the bundle signing key. */
    readonly bundle_key_versions: readonly number[];
    /** SPKI pins of revoked control-plane roots. */
    readonly root_pins: readonly string[];
  };
  /** The reason written in code for skipping the rollout window (`freshness.rolloutOverride.reason`). */
  readonly rollout_override?: string;
}

/** The manifest as the stack emits it. */
export interface StackManifest {
  /** Format id: always `MANIFEST_FORMAT_V1`. */
  readonly format: typeof MANIFEST_FORMAT_V1;
  /** Output name of each output role the stack emits. */
  readonly outputs: Readonly<Partial<Record<OutputRole, string>>>;
  /** The stack's elements, by plan address. */
  readonly resources: Readonly<Record<string, ManifestEntry>>;
  /** Present only when the bundle revokes something or the code overrides the rollout window. */
  readonly bundle?: ManifestBundle;
}

const ROLES = new Set<string>(Object.values(ElementRole));
const OUTPUT_ROLES = new Set<string>(Object.values(OutputRole));

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Reads a manifest value (an object, or its JSON text). Undefined when it is not a manifest of a known format;
 * entries with an unknown role and outputs of an unknown role are left out (a newer stack may emit more).
 */
export function parseManifest(value: unknown): StackManifest | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  const o = record(v);
  if (!o || o.format !== MANIFEST_FORMAT_V1) return undefined;
  const outputs: Partial<Record<OutputRole, string>> = {};
  for (const [role, name] of Object.entries(record(o.outputs) ?? {})) {
    if (OUTPUT_ROLES.has(role) && typeof name === 'string') outputs[role as OutputRole] = name;
  }
  const resources: Record<string, ManifestEntry> = {};
  for (const [address, e] of Object.entries(record(o.resources) ?? {})) {
    const entry = entryOf(record(e));
    if (entry) resources[address] = entry;
  }
  const bundle = bundleOf(record(o.bundle));
  return { format: MANIFEST_FORMAT_V1, outputs, resources, ...(bundle ? { bundle } : {}) };
}

const wholeNumbers = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isInteger(n)) ? (v as number[]) : undefined;

/** The `bundle` member with its known fields, each of the expected type; undefined when none is. */
function bundleOf(o: Record<string, unknown> | undefined): ManifestBundle | undefined {
  if (!o) return undefined;
  const out: { -readonly [K in keyof ManifestBundle]: ManifestBundle[K] } = {};
  const hint = o.refresh_hint_seconds;
  if (typeof hint === 'number' && Number.isInteger(hint) && hint > 0) out.refresh_hint_seconds = hint;
  const r = record(o.revoked);
  const task = wholeNumbers(r?.task_key_versions);
  const bundle = wholeNumbers(r?.bundle_key_versions);
  const pins =
    Array.isArray(r?.root_pins) && r!.root_pins.every((p) => typeof p === 'string') ? r!.root_pins : undefined;
  if (task && bundle && pins) {
    out.revoked = { task_key_versions: task, bundle_key_versions: bundle, root_pins: pins as string[] };
  }
  if (typeof o.rollout_override === 'string') out.rollout_override = o.rollout_override;
  return Object.keys(out).length ? out : undefined;
}

const STRING_FIELDS = ['key', 'mount', 'name', 'signature', 'trust', 'bundle_field', 'path'] as const;

/** An entry with its known fields, each of the expected type; undefined for an unknown role. */
function entryOf(o: Record<string, unknown> | undefined): ManifestEntry | undefined {
  if (!o || typeof o.role !== 'string' || !ROLES.has(o.role)) return undefined;
  const out: Record<string, unknown> = { role: o.role };
  for (const k of STRING_FIELDS) if (typeof o[k] === 'string') out[k] = o[k];
  if (typeof o.version === 'number' && Number.isInteger(o.version)) out.version = o.version;
  return out as unknown as ManifestEntry;
}
