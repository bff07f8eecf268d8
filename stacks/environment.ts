/**
 * The typed environment config that a platform repo writes once per environment.
 * Rotation and trust changes are one-line edits here, reviewed as a plan.
 */
import type { BundleFreshnessProps, BundlePaths } from '../lib/bootstrap';
import type { PemRoot, RootIssuerSpec, RootRotation } from '../lib/pki';
import type { GraceEntry } from '../lib/signing/verifier-set';
import type { RotationPolicy } from '../lib/schedule/policy';

/** Mount paths of the Vault objects an environment uses. Each must be distinct and none a prefix of another. */
export interface MountPaths {
  /**
   * Transit mount that holds the task signing key and the bundle signing key.
   * @default "<env>/transit"
   */
  readonly transit?: string;
  /**
   * KV v2 mount for platform secrets.
   * @default "<env>/kv"
   */
  readonly kv?: string;
  /**
   * PKI mount for node certificates.
   * @default "<env>/pki-nodes"
   */
  readonly nodePki?: string;
  /**
   * PKI mount for the control plane's public HTTPS trust root (dev default: a platform CA).
   * @default "<env>/pki-control-plane"
   */
  readonly controlPlanePki?: string;
  /**
   * AppRole auth mount for control-plane services.
   * @default "<env>-approle"
   */
  readonly approle?: string;
}

/** Options for the Vault provider. Address and token always come from `VAULT_ADDR` and `VAULT_TOKEN`. */
export interface VaultConnection {
  /**
   * Let the provider use the runner's token directly instead of creating a short-lived child token.
   * @default false
   */
  readonly skipChildToken?: boolean;
  /**
   * Lifetime of the child token the provider creates for each run, in seconds.
   * @default 1200
   */
  readonly maxLeaseTtlSeconds?: number;
}

/** The node task signing key schedule: the lifecycle is three one-line changes here. */
export interface TaskSigningConfig {
  /**
   * Transit key name.
   * @default "node-task-signer"
   */
  readonly keyName?: string;
  /** Latest key version in Vault. Bump it to pre-publish a new version; never lower it. */
  readonly version: number;
  /**
   * Version the control plane signs with; set back to an accepted older version to roll back.
   * @default - `version`
   */
  readonly activeVersion?: number;
  /**
   * Older versions still accepted, each with an explicit end.
   * @default - none
   */
  readonly grace?: readonly GraceEntry[];
  /**
   * Versions whose private key may be known to someone else: the emergency line. They are revoked at once (nodes
   * drop them on their next refresh, even inside a grace window); when the active version is listed the key rotates
   * to a new version and activates it in the same apply. Bump the bundle sequence with it.
   * @default - none
   */
  readonly compromised?: readonly number[];
}

/**
 * The bundle signing key schedule: the key that signs bootstrap bundles, apart from the task key, in the same
 * transit mount. Rotating it is the same two steps as the task key (pre-publish with `version`, then
 * `activeVersion` once every node holds the bundle that lists the new version).
 */
export interface BundleSigningConfig {
  /**
   * Transit key name. Must differ from the task signing key's.
   * @default "bundle-signer"
   */
  readonly keyName?: string;
  /** Latest key version in Vault. Bump it to pre-publish a new version; never lower it. */
  readonly version: number;
  /**
   * Version that signs the bundle; set back to an accepted older version to roll back.
   * @default - `version`
   */
  readonly activeVersion?: number;
  /**
   * Older versions still accepted, each with an explicit end.
   * @default - none
   */
  readonly grace?: readonly GraceEntry[];
  /**
   * Versions whose private key may be known to someone else: the emergency line. They are revoked at once (nodes
   * drop them on their next refresh, even inside a grace window); when the active version is listed the key rotates
   * to a new version and activates it in the same apply. Bump the bundle sequence with it.
   * @default - none
   */
  readonly compromised?: readonly number[];
}

/** Where the control plane's public HTTPS trust comes from. Exactly one of the two. */
export interface ControlPlaneTrustConfig {
  /** A platform CA generated inside Vault in its own PKI mount (the dev default). */
  readonly platformCa?: {
    /** The current root (after a rotation completes, the new root goes here). */
    readonly root: RootIssuerSpec;
    /** A CA rotation in progress. @default - no rotation */
    readonly rotation?: RootRotation<RootIssuerSpec>;
    /** Roots from finished rotations: kept in Vault, no longer published. @default - none */
    readonly retiredRoots?: readonly RootIssuerSpec[];
    /** Date the rotation dates are checked against (from code, never the clock). @default - no date check */
    readonly asOf?: string;
  };
  /** An existing CA certificate given in code (PEM, public only). */
  readonly existingCa?: {
    /** The root the control plane's HTTPS chain ends in today. */
    readonly current: PemRoot;
    /** A CA rotation in progress (the CA operator issues the new root). @default - no rotation */
    readonly rotation?: RootRotation<PemRoot>;
    /** Date the certificates' validity is checked against. */
    readonly asOf: string;
  };
}

/** One environment (dev, staging, prod): everything the stack needs, nothing secret. */
export interface EnvironmentConfig {
  /** Environment name; becomes the stack name and the prefix of Vault object names. */
  readonly name: string;
  /** URL nodes use to reach the control plane. Must be https. */
  readonly controlPlaneUrl: string;
  /**
   * Mount paths.
   * @default - see `MountPaths`
   */
  readonly mounts?: MountPaths;
  /**
   * Vault provider options.
   * @default - child token with 1200 s lifetime
   */
  readonly vault?: VaultConnection;
  /** Node task signing key schedule. */
  readonly taskSigning: TaskSigningConfig;
  /**
   * Bundle signing key schedule (same transit mount as the task key).
   * @default { version: 1 }
   */
  readonly bundleSigning?: BundleSigningConfig;
  /**
   * Control-plane public HTTPS trust.
   * @default - a platform CA with root issuer "<env>-control-plane-root"
   */
  readonly controlPlaneTrust?: ControlPlaneTrustConfig;
  /**
   * Domain node certificate names must be under.
   * @default "nodes.<env>.internal"
   */
  readonly nodeDomain?: string;
  /** Bootstrap bundle: `sequence` only goes up; bump it with every trust or verifier change. */
  readonly bundle: {
    /** Bundle sequence, at least 1; a node refuses a bundle whose sequence is not above the one it holds. */
    readonly sequence: number;
    /** File paths on nodes. @default - DEFAULT_PATHS */
    readonly paths?: Partial<BundlePaths>;
    /**
     * Also sign the bundle with the task key's active version, so nodes still holding a v1 bundle accept the
     * first v2 bundle. Turn it off once every node holds a v2 bundle.
     * @default false
     */
    readonly migrateFromV1?: boolean;
    /** Expiry (a date in code), refresh hint, and the plan-time bounds around them. */
    readonly freshness: BundleFreshnessProps;
    /**
     * SPKI pins of control-plane roots to revoke at once (a compromised root): nodes drop them even inside an
     * overlap. Drop the root from `controlPlaneTrust` in the same change.
     * @default - none
     */
    readonly revokedRootPins?: readonly string[];
  };
  /**
   * The control plane's AppRole.
   * @default - role "<env>-control-plane", no CIDR binding
   */
  readonly controlPlane?: {
    /** AppRole role name of the control plane. @default "<env>-control-plane" */
    readonly roleName?: string;
    /** CIDRs the control plane logs in from. @default - any */
    readonly boundCidrs?: readonly string[];
  };
  /**
   * Create a file audit device through the API (the server must allow it; OpenBao needs
   * `unsafe_allow_api_audit_creation`). Either way the server configuration stanza is an output.
   * @default - no API device
   */
  readonly auditFilePath?: string;
  /**
   * Protect Vault objects from `destroy`. Turn off only for throw-away servers.
   * @default true
   */
  readonly protectFromDestroy?: boolean;
  /**
   * When the platform rotates: the task key and the bundle key (`rotateEveryDays` 90, `prePublishDays` 7,
   * `graceDays` 14), the bundle's expiry (`renewBeforeDays` 14), the control-plane root (`warnBeforeDays` 30), and
   * `noticeDays` (7) of notice. Read by `npm run rotation-status`, which compares it with Vault and says what is
   * due; the stack itself declares nothing from it.
   * @default - the defaults of each member
   */
  readonly rotationPolicy?: RotationPolicy;
}

/** Mount paths with defaults applied. */
export function resolveMounts(env: EnvironmentConfig): Required<MountPaths> {
  const m = env.mounts ?? {};
  return {
    transit: m.transit ?? `${env.name}/transit`,
    kv: m.kv ?? `${env.name}/kv`,
    nodePki: m.nodePki ?? `${env.name}/pki-nodes`,
    controlPlanePki: m.controlPlanePki ?? `${env.name}/pki-control-plane`,
    approle: m.approle ?? `${env.name}-approle`,
  };
}
