/**
 * The typed environment config that a platform repo writes once per environment.
 * Rotation and trust changes are one-line edits here, reviewed as a plan.
 */

/** Mount paths of the Vault objects an environment uses. Each must be distinct and none a prefix of another. */
export interface MountPaths {
  /**
   * Transit mount that holds the task signing key.
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
