import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Construct } from 'constructs';
import { RunnerEnvironment, RunnerIdentity, RunnerIdentityProps } from '../lib/ci/runner-identity';
import { acceptVaultProvider5x } from '../lib/core/providers';

/** Props of {@link CiIdentityStack}. */
export interface CiIdentityStackProps {
  /**
   * Stack name.
   * @default "ci-identity"
   */
  readonly name?: string;
  /** The CI system's issuer, audience, keys and repository (see RunnerIdentityProps). */
  readonly identity: RunnerIdentityProps;
  /** The environment stacks the CI runs, each complete: their plan and apply roles are derived from them. */
  readonly environments: readonly TerraformStack[];
  /**
   * Configures the state backend (as PlatformTrustStack's `backend`).
   * @default - a local backend at `terraform.<name>.tfstate`
   */
  readonly backend?: (stack: TerraformStack) => void;
}

/**
 * The CI runner's identity as its own stack: the JWT auth method and, per environment stack, the plan and apply
 * roles with their derived policies. An operator applies it once with an administrator's token (the only use of
 * such a token), and again when the identity stack's plan shows a policy change; the CI system applies everything
 * else with the roles it defines.
 */
export class CiIdentityStack extends TerraformStack {
  /** The JWT auth method and its roles (construct id `Runner`). */
  public readonly identity: RunnerIdentity;
  /** The plan and apply roles of each environment stack, in the order of `environments`. */
  public readonly roles: readonly RunnerEnvironment[];

  constructor(scope: Construct, props: CiIdentityStackProps) {
    const name = props.name ?? 'ci-identity';
    super(scope, name);
    if (props.backend) props.backend(this);
    else new LocalBackend(this, { path: `terraform.${name}.tfstate` });
    // The operator's token: address and token from VAULT_ADDR and VAULT_TOKEN, as for the environment stacks.
    new VaultProvider(this, 'vault', { maxLeaseTtlSeconds: 1200 });
    acceptVaultProvider5x(this);
    this.identity = new RunnerIdentity(this, 'Runner', props.identity);
    this.roles = props.environments.map((stack) => this.identity.addEnvironment(stack));
    new TerraformOutput(this, 'ci_auth_mount', {
      value: this.identity.path,
      description: 'JWT auth mount the CI logs in to (auth/<mount>/login).',
      staticId: true,
    });
    new TerraformOutput(this, 'ci_roles', {
      value: JSON.stringify(
        Object.fromEntries(this.roles.map((r) => [r.name, { plan: `${r.name}-plan`, apply: `${r.name}-apply` }])),
      ),
      description: 'Login roles per environment: plan (pull requests) and apply (the protected branch).',
      staticId: true,
    });
  }
}
