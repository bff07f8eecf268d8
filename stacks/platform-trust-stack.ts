import { LocalBackend, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Construct } from 'constructs';
import {
  validateDistinctMountPaths,
  validateHttpsUrl,
  validateMountPath,
  validateName,
  validateSeconds,
} from '../lib/core/validation';
import { EnvironmentConfig, MountPaths, resolveMounts } from './environment';

export interface PlatformTrustStackProps {
  /** The environment this stack declares. */
  readonly environment: EnvironmentConfig;
  /**
   * Configures the state backend. Called once with the stack; create any cdktf backend in it
   * (for example `(stack) => new S3Backend(stack, {...})`).
   * @default - a local backend at `terraform.<env>.tfstate` in the stack's working directory
   */
  readonly backend?: (stack: TerraformStack) => void;
}

/**
 * One environment of the platform's security lifecycle. The Vault provider reads its address and
 * token from `VAULT_ADDR` and `VAULT_TOKEN` at plan time: no address or token is ever synthesized.
 */
export class PlatformTrustStack extends TerraformStack {
  public readonly environment: EnvironmentConfig;
  /** Mount paths with defaults applied. */
  public readonly mounts: Required<MountPaths>;
  public readonly vaultProvider: VaultProvider;

  constructor(scope: Construct, props: PlatformTrustStackProps) {
    const env = props.environment;
    validateName('environment name', env.name);
    super(scope, env.name);
    this.environment = env;
    validateHttpsUrl('control-plane URL', env.controlPlaneUrl);
    this.mounts = resolveMounts(env);
    for (const [kind, path] of Object.entries(this.mounts)) validateMountPath(`${kind} mount path`, path);
    validateDistinctMountPaths(Object.entries(this.mounts).map(([kind, path]) => ({ kind: `${kind} mount`, path })));
    if (env.vault?.maxLeaseTtlSeconds !== undefined) {
      validateSeconds('vault.maxLeaseTtlSeconds', env.vault.maxLeaseTtlSeconds, 60, 86400);
    }

    if (props.backend) {
      props.backend(this);
    } else {
      new LocalBackend(this, { path: `terraform.${env.name}.tfstate` });
    }

    // No address, no token: the provider reads VAULT_ADDR and VAULT_TOKEN from the runner's environment.
    this.vaultProvider = new VaultProvider(this, 'vault', {
      skipChildToken: env.vault?.skipChildToken ?? false,
      maxLeaseTtlSeconds: env.vault?.maxLeaseTtlSeconds ?? 1200,
    });
  }
}
