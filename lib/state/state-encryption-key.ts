import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { Capability } from '../core/policy-document';
import { Grant, IGrantable } from '../core/grant';
import { validateName } from '../core/validation';
import { ITransitMount } from '../signing/transit-mount';

/** Props of {@link StateEncryptionKey}. */
export interface StateEncryptionKeyProps {
  /** Transit mount that holds the key. It must exist before the first encrypted state is written. */
  readonly mount: ITransitMount;
  /**
   * Key name in the mount. Renaming it forces a new key: state written under the old one can then no longer be
   * read, so treat it as fixed.
   * @default "state"
   */
  readonly name?: string;
}

/**
 * The transit key that OpenTofu's `openbao` key provider encrypts state and plans with: `aes256-gcm96`, with the
 * custody of the signing keys (`exportable`, `allow_plaintext_backup` and `deletion_allowed` false,
 * `auto_rotate_period` 0, `prevent_destroy`). The engine asks Vault for a data key per write
 * (`<mount>/datakey/plaintext/<name>`) and stores only the data key wrapped by this key; reading state asks Vault to
 * unwrap it (`<mount>/decrypt/<name>`). The key itself never leaves Vault.
 *
 * Declare it in a stack applied before the stacks whose state it encrypts (see `StateKeyStack`): an engine cannot
 * encrypt the state that creates its own key.
 */
export class StateEncryptionKey extends Construct {
  /** Key name in the mount. Default: `state`. */
  public readonly keyName: string;
  /** Path of the transit mount that holds the key. */
  public readonly mountPath: string;
  /** The `vault_transit_secret_backend_key` resource. */
  public readonly resource: TransitSecretBackendKey;

  constructor(scope: Construct, id: string, props: StateEncryptionKeyProps) {
    super(scope, id);
    this.keyName = validateName('state encryption key name', props.name ?? 'state');
    this.mountPath = props.mount.path;
    this.resource = new TransitSecretBackendKey(this, 'Key', {
      backend: this.mountPath,
      name: this.keyName,
      type: 'aes256-gcm96',
      exportable: false,
      allowPlaintextBackup: false,
      deletionAllowed: false,
      autoRotatePeriod: 0,
      dependsOn: props.mount.dependables,
      lifecycle: { preventDestroy: true },
    });
  }

  /**
   * What every runner identity of the stacks it encrypts needs, plan and apply alike (a plan reads state and
   * writes an encrypted plan file): `update` on `<mount>/datakey/plaintext/<name>` and `<mount>/decrypt/<name>`.
   * Nothing else: no export, backup, config change, rotation or delete.
   */
  public grantEncryptDecrypt(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, 'StateEncryptionKey.grantEncryptDecrypt', [
      { path: `${this.mountPath}/datakey/plaintext/${this.keyName}`, capabilities: [Capability.UPDATE] },
      { path: `${this.mountPath}/decrypt/${this.keyName}`, capabilities: [Capability.UPDATE] },
    ]);
  }
}
