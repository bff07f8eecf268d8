/**
 * Wire formats shared by the constructs (which render them through Terraform), the checks, the plan reviewer and
 * the node side (which parses and verifies them). Declarations only; this module imports nothing.
 */

/** Format id of the `GPUAAS_TASK_SIGNING_PUBKEYS` value. */
export const PUBKEYS_FORMAT_V1 = 'gpuaas-task-signing-pubkeys/v1';

/** Schema id of bootstrap bundle format v1 (see `schemas/bootstrap-bundle.v1.schema.json`). */
export const BUNDLE_SCHEMA_V1 = 'cdktf-platform-trust/bootstrap-bundle/v1';

/** DSSE payload type of a signed bootstrap bundle. */
export const BUNDLE_PAYLOAD_TYPE = 'application/vnd.cdktf-platform-trust.bootstrap-bundle.v1+json';

/** State of a task verifier version. */
export type VerifierState = 'next' | 'active' | 'grace';

/** One accepted task signing key version. */
export interface VerifierEntry {
  /** Vault transit key version (>= 1). Signatures name it as `vault:v<version>:...`. */
  readonly version: number;
  /** Key id: `<key name>:v<version>:<first 16 hex of SHA-256 over the public_key text>`. */
  readonly kid: string;
  /** Signature algorithm; only "ed25519" in v1. */
  readonly alg: 'ed25519';
  /** Raw 32-byte Ed25519 public key, standard base64 (as Vault's transit returns it). */
  readonly public_key: string;
  /** `next` (pre-published, not yet signing), `active` (signing) or `grace` (old, accepted until `until`). */
  readonly state: VerifierState;
  /** End of acceptance (ISO 8601 UTC, exclusive) for `grace` entries; absent otherwise. */
  readonly until?: string;
}

/**
 * The value of `GPUAAS_TASK_SIGNING_PUBKEYS` (format v1): compact JSON of this object.
 * `keys` is sorted by version ascending; exactly one entry is `active`; at most one is `next`,
 * and it has the highest version; `grace` entries are older than the active one and carry `until`.
 */
export interface VerifierSetV1 {
  /** Format id: always `PUBKEYS_FORMAT_V1`. */
  readonly format: typeof PUBKEYS_FORMAT_V1;
  /** Transit key name the versions belong to. */
  readonly key: string;
  /** Accepted task signing key versions, sorted by version ascending. */
  readonly keys: readonly VerifierEntry[];
}

/** State of a control-plane trust root in the bundle. */
export type RootState = 'current' | 'next' | 'previous';

/** One control-plane (public HTTPS) trust root. */
export interface TrustRoot {
  /** PEM of the self-signed root certificate (roots only: no intermediates). */
  readonly pem: string;
  /** `current` (in use), `next` (added during a rotation) or `previous` (kept until `until`). */
  readonly state: RootState;
  /** End of the overlap (ISO 8601 UTC) for `previous` and, optionally, `next` roots. */
  readonly until?: string;
}

/** Bootstrap bundle format v1: everything a node needs to trust the control plane and its tasks. */
export interface BootstrapBundleV1 {
  /** Schema id: always `BUNDLE_SCHEMA_V1`. */
  readonly schema: typeof BUNDLE_SCHEMA_V1;
  /** Environment name (dev, staging, prod). */
  readonly environment: string;
  /** Set in code; only goes up. A node refuses a bundle whose sequence is not above the one it holds. */
  readonly sequence: number;
  /** Where the node reaches the control plane. */
  readonly control_plane: {
    /** https URL of the control plane. */
    readonly url: string;
  };
  /** Public HTTPS trust for the control plane (GPUAAS_CA_BUNDLE_PATH). */
  readonly public_https_trust: {
    /** File the node writes the root PEMs to (repeated in `env.GPUAAS_CA_BUNDLE_PATH`). */
    readonly path: string;
    /** Self-signed control-plane roots, in the states of a rotation. */
    readonly roots: readonly TrustRoot[];
  };
  /** Node-certificate CA bundle (GPUAAS_NODE_CERT_CA_BUNDLE_PATH); never mixed with public HTTPS trust. */
  readonly node_cert_trust: {
    /** File the node writes the CA chain PEMs to (repeated in `env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH`). */
    readonly path: string;
    /** PEM certificates of the node-cert CA chain. */
    readonly pems: readonly string[];
  };
  /** Task verifier set; written to `path` and passed as GPUAAS_TASK_SIGNING_PUBKEYS. */
  readonly task_verifiers: {
    /** File the node writes the compact JSON of `set` to. */
    readonly path: string;
    /** Accepted task signing key versions. */
    readonly set: VerifierSetV1;
  };
  /** The three values a node agent reads from its environment. */
  readonly env: {
    /** Path of the public HTTPS root file (`public_https_trust.path`). */
    readonly GPUAAS_CA_BUNDLE_PATH: string;
    /** Path of the node-cert CA chain file (`node_cert_trust.path`). */
    readonly GPUAAS_NODE_CERT_CA_BUNDLE_PATH: string;
    /** Compact JSON of `task_verifiers.set`. */
    readonly GPUAAS_TASK_SIGNING_PUBKEYS: string;
  };
}

/** DSSE-style envelope around a bundle. Signature covers PAE(payloadType, payload bytes). */
export interface SignedEnvelope {
  /** Payload type: `BUNDLE_PAYLOAD_TYPE`. */
  readonly payloadType: string;
  /** Standard base64 of the payload bytes (compact JSON of the bundle). */
  readonly payload: string;
  /** Transit signatures over `PAE(payloadType, payload bytes)` by task signing key versions. */
  readonly signatures: ReadonlyArray<{
    /** Key id of the verifier entry that signed (see `VerifierEntry.kid`). */
    readonly keyid: string;
    /** Vault transit signature as returned: `vault:v<version>:<base64>`. */
    readonly sig: string;
  }>;
}

// ------------------------------------------------------------------ bootstrap bundle format v2

/** Schema id of bootstrap bundle format v2 (see `schemas/bootstrap-bundle.v2.schema.json`). */
export const BUNDLE_SCHEMA_V2 = 'cdktf-platform-trust/bootstrap-bundle/v2';

/** DSSE payload type of a signed bootstrap bundle v2. */
export const BUNDLE_PAYLOAD_TYPE_V2 = 'application/vnd.cdktf-platform-trust.bootstrap-bundle.v2+json';

/** Format id of the bundle key set carried in a v2 bundle. */
export const BUNDLE_KEYS_FORMAT_V1 = 'cdktf-platform-trust/bundle-keys/v1';

/**
 * The bundle signing key set (format `cdktf-platform-trust/bundle-keys/v1`). The same shape and rules as the
 * task verifier set (see {@link VerifierSetV1}: entries sorted by version, one `active`, at most one `next`,
 * `grace` entries with `until`, `kid` = `<key>:v<version>:<first 16 hex of SHA-256 over the public_key text>`),
 * with its own format id, so a set of one kind is never read as the other. Nodes verify bundle envelopes only
 * under these keys, and tasks only under `task_verifiers`.
 */
export interface BundleKeySetV1 {
  /** Format id: always `BUNDLE_KEYS_FORMAT_V1`. */
  readonly format: typeof BUNDLE_KEYS_FORMAT_V1;
  /** Transit key name of the bundle signing key (never the task key's name). */
  readonly key: string;
  /** Accepted bundle signing key versions, sorted by version ascending. */
  readonly keys: readonly VerifierEntry[];
}

/**
 * Bootstrap bundle format v2: format v1 plus the bundle key set that signs the next bundle. Compact JSON with
 * keys sorted at every level (as Terraform's `jsonencode` renders it) is the signed payload.
 */
export interface BootstrapBundleV2 {
  /** Schema id: always `BUNDLE_SCHEMA_V2`. */
  readonly schema: typeof BUNDLE_SCHEMA_V2;
  /** Environment name (dev, staging, prod). */
  readonly environment: string;
  /** Set in code; only goes up. A node refuses a bundle whose sequence is not above the one it holds. */
  readonly sequence: number;
  /** Where the node reaches the control plane. */
  readonly control_plane: {
    /** https URL of the control plane. */
    readonly url: string;
  };
  /** Public HTTPS trust for the control plane (GPUAAS_CA_BUNDLE_PATH), as in v1. */
  readonly public_https_trust: {
    /** File the node writes the root PEMs to (repeated in `env.GPUAAS_CA_BUNDLE_PATH`). */
    readonly path: string;
    /** Self-signed control-plane roots, in the states of a rotation. */
    readonly roots: readonly TrustRoot[];
  };
  /** Node-certificate CA bundle (GPUAAS_NODE_CERT_CA_BUNDLE_PATH), as in v1. */
  readonly node_cert_trust: {
    /** File the node writes the CA chain PEMs to (repeated in `env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH`). */
    readonly path: string;
    /** PEM certificates of the node-cert CA chain. */
    readonly pems: readonly string[];
  };
  /** Task verifier set, as in v1: written to `path` and passed as GPUAAS_TASK_SIGNING_PUBKEYS. */
  readonly task_verifiers: {
    /** File the node writes the compact JSON of `set` to. */
    readonly path: string;
    /** Accepted task signing key versions. */
    readonly set: VerifierSetV1;
  };
  /**
   * Keys that may sign the next bundle (chained: a node accepts an update only under a bundle key of the bundle
   * it already holds, as TUF chains root N to N+1).
   */
  readonly bundle_keys: {
    /** Accepted bundle signing key versions. */
    readonly set: BundleKeySetV1;
  };
  /** How long the bundle may be used and how often nodes look for a newer one. */
  readonly freshness: BundleFreshness;
  /** Task key versions, bundle key versions and control-plane roots that nodes must drop at once. */
  readonly revoked: BundleRevocations;
  /** The three values a node agent reads from its environment, as in v1. */
  readonly env: BootstrapBundleV1['env'];
}

/**
 * Freshness of a bundle v2 (set in code, never from a clock). A node refuses a bundle from `expires` on, and refuses
 * every task while the bundle it holds has expired, so an attacker who blocks updates (a freeze attack) keeps a node
 * on an old bundle at most until that bundle's expiry.
 */
export interface BundleFreshness {
  /** End of the bundle's validity (ISO 8601 UTC, exclusive). */
  readonly expires: string;
  /** Seconds between a node's checks for a newer bundle (1 to {@link MAX_REFRESH_HINT_SECONDS}). */
  readonly refresh_hint_seconds: number;
}

/**
 * What a bundle v2 revokes. A node that accepts the bundle drops every listed item at once, even inside a grace
 * window or an overlap: no listed version appears in the bundle's key sets and no listed pin among its roots, and a
 * later bundle that lists one of them again is refused. Versions are ascending and unique; pins are SPKI pins
 * (`sha256:` and 64 lower-case hex digits), sorted and unique.
 */
export interface BundleRevocations {
  /** Versions of the task signing key (`task_verifiers.set.key`). */
  readonly task_key_versions: readonly number[];
  /** Versions of the bundle signing key (`bundle_keys.set.key`). */
  readonly bundle_key_versions: readonly number[];
  /** SPKI pins of control-plane roots. */
  readonly root_pins: readonly string[];
}

/** Longest refresh hint a bundle may carry: one week. */
export const MAX_REFRESH_HINT_SECONDS = 604800;

/** Any bundle format a node may hold. */
export type BootstrapBundle = BootstrapBundleV1 | BootstrapBundleV2;

/**
 * A DSSE envelope (https://github.com/secure-systems-lab/dsse, v1.0) around a bundle v2: `sig` is the standard
 * base64 of the raw 64-byte Ed25519 signature over `PAE(payloadType, payload bytes)`, and `keyid` is the kid of
 * the bundle key version that signed (`<key>:v<version>:<16 hex>`). During a move from v1 an envelope also
 * carries a signature by the task key's active version (its kid), which only nodes that still hold a v1 bundle
 * use; nodes that hold a v2 bundle ignore it.
 */
export interface DsseEnvelope {
  /** Payload type: `BUNDLE_PAYLOAD_TYPE_V2`. */
  readonly payloadType: string;
  /** Standard base64 of the payload bytes (the bundle's canonical compact JSON). */
  readonly payload: string;
  /** The signatures, the bundle key's active version first (handover or migration signatures may follow). */
  readonly signatures: ReadonlyArray<{
    /** Kid of the key version that signed (`<key>:v<version>:<16 hex>`). */
    readonly keyid: string;
    /** Standard base64 of the raw 64-byte Ed25519 signature. */
    readonly sig: string;
  }>;
}

/**
 * Pin of a bundle key version for a node's first bundle: `sha256:` followed by the 64 hex digits of SHA-256
 * over the UTF-8 bytes of the entry's `public_key` text (standard base64 of the raw key). The kid carries the
 * first 16 of the same digits. A node enrols with this pin, received out of band, as kubeadm nodes do with
 * `--discovery-token-ca-cert-hash`.
 */
export const BUNDLE_KEY_PIN_PREFIX = 'sha256:';

/** Default file paths on a node (three distinct files). */
export const DEFAULT_PATHS = {
  /** Control-plane root PEMs (`GPUAAS_CA_BUNDLE_PATH`). */
  publicHttpsBundle: '/etc/gpuaas/trust/control-plane-ca.pem',
  /** Node-cert CA chain PEMs (`GPUAAS_NODE_CERT_CA_BUNDLE_PATH`). */
  nodeCertBundle: '/etc/gpuaas/trust/node-cert-ca.pem',
  /** Task verifier set JSON (the `GPUAAS_TASK_SIGNING_PUBKEYS` value). */
  taskVerifiers: '/etc/gpuaas/trust/task-signing-pubkeys.json',
} as const;

/** Every state of a key set entry (task verifiers and bundle keys), in schedule order. */
export const KEY_STATES: readonly VerifierState[] = ['grace', 'active', 'next'];

/** Every state of a control-plane root. */
export const ROOT_STATES: readonly RootState[] = ['current', 'next', 'previous'];

/** One of the three files a node writes from a bundle. */
export type BundleFile = keyof typeof DEFAULT_PATHS;

/**
 * Where each of the three files is named in a bundle: the object field whose `path` holds it and, for the two
 * PEM bundles, the `env` variable that repeats it (the verifier file's content is `GPUAAS_TASK_SIGNING_PUBKEYS`).
 */
export const BUNDLE_FILES: ReadonlyArray<{
  readonly file: BundleFile;
  readonly field: 'public_https_trust' | 'node_cert_trust' | 'task_verifiers';
  readonly env?: 'GPUAAS_CA_BUNDLE_PATH' | 'GPUAAS_NODE_CERT_CA_BUNDLE_PATH';
}> = [
  { file: 'publicHttpsBundle', field: 'public_https_trust', env: 'GPUAAS_CA_BUNDLE_PATH' },
  { file: 'nodeCertBundle', field: 'node_cert_trust', env: 'GPUAAS_NODE_CERT_CA_BUNDLE_PATH' },
  { file: 'taskVerifiers', field: 'task_verifiers' },
];
