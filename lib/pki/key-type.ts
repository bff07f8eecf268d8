import { ErrorCode, PlatformTrustError } from '../core/errors';

/** Key algorithms for PKI keys that Vault generates (CA keys) or accepts in CSRs (certificate roles). */
export class PkiKeyType {
  /** ECDSA on P-256: the default for node and server certificates. */
  public static readonly EC_P256 = new PkiKeyType('ec', 256);
  /** ECDSA on P-384: the default for CA keys. */
  public static readonly EC_P384 = new PkiKeyType('ec', 384);
  /** Ed25519 (check that every TLS peer accepts Ed25519 certificates first). */
  public static readonly ED25519 = new PkiKeyType('ed25519', 0);
  /** RSA with a 2048-bit modulus. */
  public static readonly RSA_2048 = new PkiKeyType('rsa', 2048);
  /** RSA with a 3072-bit modulus. */
  public static readonly RSA_3072 = new PkiKeyType('rsa', 3072);
  /** RSA with a 4096-bit modulus. */
  public static readonly RSA_4096 = new PkiKeyType('rsa', 4096);

  private constructor(
    /** Vault `key_type`. */
    public readonly type: 'ec' | 'ed25519' | 'rsa',
    /** Vault `key_bits` (0 for Ed25519). */
    public readonly bits: number,
  ) {}

  /**
   * Key usages for a leaf certificate with this key: RSA keys may also encipher
   * (TLS 1.2 RSA key exchange); EC and Ed25519 keys only sign.
   */
  public get leafKeyUsage(): string[] {
    return this.type === 'rsa' ? ['DigitalSignature', 'KeyEncipherment'] : ['DigitalSignature'];
  }

  /** The key type as text: `ed25519`, or `<type>-<bits>` (for example `ec-384`). */
  public toString(): string {
    return this.type === 'ed25519' ? 'ed25519' : `${this.type}-${this.bits}`;
  }
}

/** Checks that a prop holds one of the `PkiKeyType` members. */
export function checkKeyType(kind: string, value: PkiKeyType): PkiKeyType {
  if (!(value instanceof PkiKeyType)) {
    throw new PlatformTrustError(
      ErrorCode.INVALID_KEY_TYPE,
      `Invalid ${kind}: expected a PkiKeyType.`,
      value,
      'use one of PkiKeyType.EC_P256, EC_P384, ED25519, RSA_2048, RSA_3072, RSA_4096.',
    );
  }
  return value;
}
