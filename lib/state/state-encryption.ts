import { TerraformStack } from 'cdktf';
import { invalidOption } from '../core/errors';
import { validateMountPath, validateName } from '../core/validation';

/** A transit key as the `openbao` key provider addresses it (`StateEncryptionKey` satisfies it). */
export interface IStateEncryptionKeyRef {
  /** Path of the transit mount that holds the key. */
  readonly mountPath: string;
  /** Transit key name. */
  readonly keyName: string;
}

/** Options of `StateEncryption.openBao`. */
export interface OpenBaoStateEncryptionProps {
  /** The transit key (for example a `StateEncryptionKey` from the environment's `StateKeyStack`). */
  readonly key: IStateEncryptionKeyRef;
  /**
   * Length of each data key in bytes (16, 32 or 64).
   * @default 32
   */
  readonly keyLengthBytes?: 16 | 32 | 64;
  /**
   * Refuse to read or write unencrypted state and plans (`enforced = true`). Turn it off only for the one apply
   * that migrates an existing plaintext state (see `migrateFromUnencrypted`).
   * @default true
   */
  readonly enforced?: boolean;
  /**
   * Read plaintext state once, as a fallback (`method "unencrypted"`), so an existing state is re-written
   * encrypted by the next apply. Requires `enforced: false`; remove it after that apply.
   * @default false
   */
  readonly migrateFromUnencrypted?: boolean;
}

/**
 * OpenTofu state and plan encryption for a stack, written into the synthesized `terraform` block (cdktf 0.21 has no
 * `encryption` construct): a reviewed part of the configuration that every runner applies alike, rather than a
 * `TF_ENCRYPTION` variable that a runner may lack. OpenTofu only: Terraform refuses the `encryption` block.
 *
 * The key provider is OpenTofu's `openbao`, which speaks the transit API that Vault serves too. It reads the server
 * address and token from `BAO_ADDR` and `BAO_TOKEN` (and `BAO_CACERT` for a private CA), not from `VAULT_*`: the
 * runner sets them to the same values. Nothing about the server is synthesized.
 */
export class StateEncryption {
  /** Encrypts state and plans with data keys from a Vault (or OpenBao) transit key. */
  public static openBao(props: OpenBaoStateEncryptionProps): StateEncryption {
    const mountPath = validateMountPath('state encryption transit mount path', props.key.mountPath);
    const keyName = validateName('state encryption key name', props.key.keyName);
    const keyLength = props.keyLengthBytes ?? 32;
    if (![16, 32, 64].includes(keyLength)) {
      throw invalidOption('keyLengthBytes must be 16, 32 or 64.', keyLength, 'leave it out (32 bytes, AES-256).');
    }
    const enforced = props.enforced ?? true;
    const migrate = props.migrateFromUnencrypted ?? false;
    if (migrate && enforced) {
      throw invalidOption(
        'migrateFromUnencrypted reads plaintext state, which enforced encryption refuses.',
        { enforced, migrateFromUnencrypted: migrate },
        'set enforced: false for the migrating apply, then remove migrateFromUnencrypted and enforced.',
      );
    }
    const target = (method: string) => ({
      method,
      enforced,
      ...(migrate ? { fallback: { method: 'method.unencrypted.migrate' } } : {}),
    });
    return new StateEncryption({
      key_provider: {
        openbao: {
          vault_transit: { key_name: keyName, transit_engine_path: `/${mountPath}`, key_length: keyLength },
        },
      },
      method: {
        aes_gcm: { vault_transit: { keys: '${key_provider.openbao.vault_transit}' } },
        ...(migrate ? { unencrypted: { migrate: {} } } : {}),
      },
      state: target('method.aes_gcm.vault_transit'),
      plan: target('method.aes_gcm.vault_transit'),
    });
  }

  private constructor(
    /** The `terraform.encryption` block as synthesized. */
    public readonly block: Record<string, unknown>,
  ) {}

  /** Writes the block into the stack's `terraform` settings. */
  public applyTo(stack: TerraformStack): void {
    stack.addOverride('terraform.encryption', this.block);
  }
}
