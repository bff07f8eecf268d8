/**
 * Where a signing private key lives: a documented seam, not an option yet. No construct takes a `custody`
 * option in this release: `TaskSigningKey` and `BundleSigningKey` always keep their key in Vault transit
 * (not exportable, no plaintext backup, no deletion), which is what `SigningCustody.vaultTransit()` describes.
 * `kms()` and `hsm()` throw and say what they would declare, so that a caller learns the limit at synth time.
 */
import { custodyNotSupported } from './private/errors';

/** Custody kinds. Only VAULT_TRANSIT declares resources in this release. */
export enum CustodyKind {
  /** The key is generated inside Vault transit and signs through `transit/sign`; it never leaves Vault. */
  VAULT_TRANSIT = 'vault-transit',
  /** A cloud KMS asymmetric signing key (not supported in this release). */
  KMS = 'kms',
  /** A hardware security module behind Vault (not supported in this release). */
  HSM = 'hsm',
}

/** Cloud KMS providers a future `SigningCustody.kms()` would target. */
export enum KmsProvider {
  /** AWS Key Management Service. */
  AWS = 'aws',
  /** Google Cloud KMS. */
  GCP = 'gcp',
  /** Azure Key Vault. */
  AZURE = 'azure',
}

/** Options of `SigningCustody.kms()`. Placeholder shape; it grows when KMS custody is implemented. */
export interface KmsCustodyOptions {
  /** The cloud KMS. */
  readonly provider: KmsProvider;
}

/** Options of `SigningCustody.hsm()`. Placeholder shape; it grows when HSM custody is implemented. */
export interface HsmCustodyOptions {
  /**
   * Name of the Vault managed key that fronts the HSM.
   * @default - none
   */
  readonly managedKeyName?: string;
}

/** What `SigningCustody.kms()` would declare; quoted in its error. */
export const KMS_WOULD_DECLARE =
  'a non-exportable asymmetric signing key in the cloud KMS (through that cloud\'s Terraform provider), an IAM grant of "sign" only on that key to the control plane\'s identity, a verifier set built from the KMS public-key API, and the KMS key id and version in "signing/<key>" metadata; nodes would be unchanged';

/** What `SigningCustody.hsm()` would declare; quoted in its error. */
export const HSM_WOULD_DECLARE =
  'a Vault managed key backed by a PKCS#11 HSM slot and a transit key bound to it, so the control plane keeps calling transit/sign while the private key stays in the HSM; this needs a server with managed-key support, which must be checked before relying on it';

/**
 * The custody of a signing key, named with a static factory (no signing construct takes it yet: see the module
 * comment):
 *
 * - `SigningCustody.vaultTransit()` (default): Vault transit generates and holds the key. It is not
 *   exportable, has no plaintext backup and cannot be deleted (`exportable`, `allowPlaintextBackup` and
 *   `deletionAllowed` are false: the signing constructs pin them so); consumers get `transit/sign`
 *   only.
 * - `SigningCustody.kms(options)`: throws "not supported in this release". It would declare a cloud KMS
 *   asymmetric key with sign-only IAM for the control plane (see `KMS_WOULD_DECLARE`).
 * - `SigningCustody.hsm(options)`: throws "not supported in this release". It would declare a Vault
 *   managed key backed by a PKCS#11 HSM and a transit key bound to it (see `HSM_WOULD_DECLARE`).
 */
export class SigningCustody {
  /** The default: the private key is generated inside Vault transit and never leaves it. */
  public static vaultTransit(): SigningCustody {
    return new SigningCustody(CustodyKind.VAULT_TRANSIT);
  }

  /**
   * Cloud KMS custody. Not supported in this release: always throws a PlatformTrustError (PT030) that
   * says what it would declare.
   */
  public static kms(options: KmsCustodyOptions): SigningCustody {
    throw custodyNotSupported(
      `${CustodyKind.KMS}${options?.provider ? `:${options.provider}` : ''}`,
      KMS_WOULD_DECLARE,
    );
  }

  /**
   * HSM custody. Not supported in this release: always throws a PlatformTrustError (PT030) that says
   * what it would declare.
   */
  public static hsm(_options: HsmCustodyOptions = {}): SigningCustody {
    throw custodyNotSupported(CustodyKind.HSM, HSM_WOULD_DECLARE);
  }

  /** The private key can be exported. Always false. */
  public readonly exportable = false;
  /** A plaintext backup of the key can be taken. Always false. */
  public readonly allowPlaintextBackup = false;
  /** The key can be deleted through the API. Always false. */
  public readonly deletionAllowed = false;

  private constructor(
    /** Where the private key lives. */
    public readonly kind: CustodyKind,
  ) {}

  /** The custody kind (`vault-transit`, `kms` or `hsm`). */
  public toString(): string {
    return this.kind;
  }
}
