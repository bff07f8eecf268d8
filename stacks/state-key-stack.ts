import { LocalBackend, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Construct } from 'constructs';
import { acceptVaultProvider5x } from '../lib/core/providers';
import { validateName } from '../lib/core/validation';
import { TransitMount } from '../lib/signing/transit-mount';
import { StateEncryptionKey } from '../lib/state/state-encryption-key';

/** Props of {@link StateKeyStack}. */
export interface StateKeyStackProps {
  /** The environment whose state the key encrypts (the stack is named `<name>-state-key`). */
  readonly environmentName: string;
  /**
   * Transit mount for the key, apart from the signing keys' mount (which the environment's own stack creates).
   * @default "<name>/state-transit"
   */
  readonly mountPath?: string;
  /**
   * Configures this stack's state backend, as `PlatformTrustStackProps.backend` does.
   * @default - a local backend at `terraform.<name>-state-key.tfstate`
   */
  readonly backend?: (stack: TerraformStack) => void;
}

/**
 * The state encryption key of one environment, in a stack of its own that is applied once before the environment's
 * `PlatformTrustStack`: a transit mount and a `StateEncryptionKey`. Its own state holds no secret (a mount and the
 * key's settings), so it is the one state that is not encrypted. The Vault provider reads `VAULT_ADDR` and
 * `VAULT_TOKEN` from the runner, as in `PlatformTrustStack`.
 */
export class StateKeyStack extends TerraformStack {
  /** The key's transit mount (construct id `Transit`). Default path: `<name>/state-transit`. */
  public readonly mount: TransitMount;
  /** The state encryption key (construct id `StateKey`), named `state`. */
  public readonly key: StateEncryptionKey;

  constructor(scope: Construct, props: StateKeyStackProps) {
    const name = validateName('environment name', props.environmentName, 'prod');
    super(scope, `${name}-state-key`);
    if (props.backend) props.backend(this);
    else new LocalBackend(this, { path: `terraform.${name}-state-key.tfstate` });
    new VaultProvider(this, 'vault', {});
    acceptVaultProvider5x(this);
    this.mount = new TransitMount(this, 'Transit', {
      path: props.mountPath ?? `${name}/state-transit`,
      description: 'State and plan encryption key (managed by cdktf-platform-trust)',
    });
    this.key = new StateEncryptionKey(this, 'StateKey', { mount: this.mount });
  }
}
