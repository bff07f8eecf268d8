import { Annotations, ITerraformDependable } from 'cdktf';
import { DataVaultGenericSecret } from '@cdktf/provider-vault/lib/data-vault-generic-secret';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { invalidKeyType } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { PolicyRule } from '../core/policy-document';
import { validateName } from '../core/validation';
import { PUBKEYS_FORMAT_V1 } from '../node/formats';
import { signingRules } from './grants';
import { declareVersionedTransitKey, planSchedule } from './private/versioned-transit-key';
import { ITransitMount, TransitMount } from './transit-mount';
import { ITaskSigningKey } from './types';
import { GraceEntry, VerifierPlan } from './verifier-set';

/** The grants of a task signing key (see `TaskSigningKey.grant`). */
export type TaskSigningKeyGrant = 'sign' | 'readPublicKeys' | 'rotate';

/** Transit key types a task signing key may use. All asymmetric; HMAC and symmetric types are refused. */
export class SigningKeyType {
  /** Ed25519 (the default, and the only type the v1 node verifier accepts). */
  public static readonly ED25519 = new SigningKeyType('ed25519');
  /** ECDSA on NIST P-256 (not accepted by the v1 node verifier). */
  public static readonly ECDSA_P256 = new SigningKeyType('ecdsa-p256');
  /** ECDSA on NIST P-384 (not accepted by the v1 node verifier). */
  public static readonly ECDSA_P384 = new SigningKeyType('ecdsa-p384');
  /** ECDSA on NIST P-521 (not accepted by the v1 node verifier). */
  public static readonly ECDSA_P521 = new SigningKeyType('ecdsa-p521');
  /** RSA with a 2048-bit modulus (not accepted by the v1 node verifier). */
  public static readonly RSA_2048 = new SigningKeyType('rsa-2048');
  /** RSA with a 3072-bit modulus (not accepted by the v1 node verifier). */
  public static readonly RSA_3072 = new SigningKeyType('rsa-3072');
  /** RSA with a 4096-bit modulus (not accepted by the v1 node verifier). */
  public static readonly RSA_4096 = new SigningKeyType('rsa-4096');

  /** Every accepted type name. */
  public static readonly ALL: readonly string[] = [
    'ed25519',
    'ecdsa-p256',
    'ecdsa-p384',
    'ecdsa-p521',
    'rsa-2048',
    'rsa-3072',
    'rsa-4096',
  ];

  /** Parses a Vault transit type name; refuses HMAC, symmetric and unknown types with a clear error. */
  public static of(value: string | SigningKeyType): SigningKeyType {
    if (value instanceof SigningKeyType) return value;
    if (!SigningKeyType.ALL.includes(value)) throw invalidKeyType(value, SigningKeyType.ALL);
    return new SigningKeyType(value);
  }

  private constructor(
    /** Vault transit key type name (`ed25519`, `ecdsa-p256`, ...). */
    public readonly name: string,
  ) {}
}

/** Props of {@link TaskSigningKey}. */
export interface TaskSigningKeyProps {
  /**
   * Transit mount that holds the key.
   * @default - a new `TransitMount` at "transit" is created in this construct's scope
   */
  readonly mount?: ITransitMount;
  /** Transit key name (lower case, no "/"). Changing it creates a different key: treat it as fixed. */
  readonly name: string;
  /**
   * Latest key version that must exist in Vault. Bump it to pre-publish a new version: bumping from N to
   * N+k rotates exactly k times in one apply. Lowering it fails the plan.
   */
  readonly version: number;
  /**
   * Version the control plane signs with. Must be at most `version`. Set it back to a version still in the
   * verifier set to roll back.
   * @default - the same as `version`
   */
  readonly activeVersion?: number;
  /**
   * Older versions nodes still accept, each with an explicit ISO 8601 UTC end, sorted by version.
   * @default - none
   */
  readonly grace?: readonly GraceEntry[];
  /**
   * Versions whose private key may be known to someone else: revoked at once (see `SigningSchedule.compromised`).
   * Listing the active version rotates to a new version and activates it in the same apply.
   * @default - none
   */
  readonly compromised?: readonly number[];
  /**
   * Transit key type. Asymmetric only: HMAC and symmetric types are refused.
   * Changing it forces a new key (the provider replaces the key): treat it as fixed.
   * @default SigningKeyType.ED25519
   */
  readonly keyType?: SigningKeyType | string;
}

/**
 * A task signing key in Vault transit that never leaves Vault.
 *
 * - The key is not exportable, allows no plaintext backup, cannot be deleted, does not rotate by itself
 *   (`auto_rotate_period` 0) and is protected from destroy.
 * - Rotation is driven by `version`: one `vault_generic_endpoint` per version above 1 calls
 *   `<mount>/keys/<name>/rotate` once, when it is created, so N -> N+k rotates exactly k times and a
 *   re-apply rotates nothing. A rotation resource whose version Vault already has when the plan is made (an
 *   apply killed after rotating and before saving state, or a rotation by hand) adopts it instead: its create
 *   writes nothing to `<mount>/keys/<name>/config`, so no version is ever rotated twice; the plan shows the
 *   path. A precondition compares Vault's real latest version with `version` at plan time: lowering
 *   `version`, or a rotation by hand above it, fails the plan with an explanation.
 * - Vault's floors follow the verifier set: `min_decryption_version` = oldest accepted version (Vault
 *   itself refuses retired versions), `min_encryption_version` = active version.
 * - The verifier set (`pubkeysJson`) reads the public keys after the rotations of the same apply.
 */
export class TaskSigningKey extends Construct implements ITaskSigningKey {
  public readonly keyName: string;
  public readonly mountPath: string;
  /** The transit mount that holds the key. */
  public readonly mount: ITransitMount;
  /** Latest key version that must exist in Vault, as given in props. */
  public readonly version: number;
  public readonly activeVersion: number;
  /** Transit key type. Default: `SigningKeyType.ED25519`. */
  public readonly keyType: SigningKeyType;
  /** The verifier set derived from the schedule in code (no public keys: those come from Vault). */
  public readonly plan: VerifierPlan;
  /** The transit key resource. */
  public readonly key: TransitSecretBackendKey;
  /** One rotation resource per version above 1, oldest first. */
  public readonly rotations: GenericEndpoint[];
  /** The resource that sets Vault's version floors. */
  public readonly floors: GenericEndpoint;
  /** Reads the key's public keys after this apply's rotations. */
  public readonly publicKeys: DataVaultGenericSecret;
  public readonly pubkeysJson: string;
  public readonly activeKid: string;
  public readonly signingDependables: ITerraformDependable[];
  /** Public key (base64) of every accepted version, by version. Tokens. */
  public readonly publicKeyOf: Readonly<Record<number, string>>;
  /** Key id of every accepted version, by version. Tokens. */
  public readonly kidOf: Readonly<Record<number, string>>;

  constructor(scope: Construct, id: string, props: TaskSigningKeyProps) {
    super(scope, id);
    this.keyName = validateName('task signing key name', props.name);
    this.keyType = SigningKeyType.of(props.keyType ?? SigningKeyType.ED25519);
    this.plan = planSchedule(props);
    this.version = this.plan.latestVersion;
    this.activeVersion = this.plan.activeVersion;
    this.mount = props.mount ?? new TransitMount(this, 'Mount', { path: 'transit' });
    this.mountPath = this.mount.path;
    if (this.keyType !== SigningKeyType.ED25519 && this.keyType.name !== 'ed25519') {
      Annotations.of(this).addWarning(
        `Task signing key "${this.keyName}" uses ${this.keyType.name}: the v1 node verifier (cdktf-platform-trust/node) verifies ed25519 only.`,
      );
    }

    const parts = declareVersionedTransitKey(this, {
      mount: this.mount,
      keyName: this.keyName,
      keyType: this.keyType.name,
      plan: this.plan,
      setFormat: PUBKEYS_FORMAT_V1,
      setLocalId: 'PubkeysJson',
    });
    this.key = parts.key;
    this.rotations = parts.rotations;
    this.floors = parts.floors;
    this.signingDependables = parts.signingDependables;
    this.publicKeys = parts.publicKeys;
    this.publicKeyOf = parts.publicKeyOf;
    this.kidOf = parts.kidOf;
    this.activeKid = parts.activeKid;
    this.pubkeysJson = parts.setJson;
  }

  /** The one grant primitive for this key. */
  public grant(grantee: IGrantable, what: TaskSigningKeyGrant): Grant {
    return Grant.addToPolicy(grantee, `TaskSigningKey.${what}`, this.rules()[what]);
  }

  /**
   * Sign with the active version only: `key_version` is required and pinned; nothing else on the key.
   * Vault compares policy parameter values as sent, so the caller sends `key_version` as a JSON string
   * (`{"input": "...", "key_version": "2"}`); a JSON number is refused.
   */
  public grantSign(grantee: IGrantable): Grant {
    return this.grant(grantee, 'sign');
  }

  /** Read the public keys (`<mount>/keys/<name>` read; private material is not exportable). */
  public grantReadPublicKeys(grantee: IGrantable): Grant {
    return this.grant(grantee, 'readPublicKeys');
  }

  /**
   * What the Terraform runner needs to create, rotate and configure this key. It grants no sign: bundles are
   * signed by a BundleSigningKey (the runner gets that right from `BootstrapBundle.grantPublish`, which also adds
   * this key's active version while `migrateFromV1` is on).
   */
  public grantRotate(grantee: IGrantable): Grant {
    return this.grant(grantee, 'rotate');
  }

  private rules(): Record<TaskSigningKeyGrant, PolicyRule[]> {
    const rules = signingRules(this.mountPath, this.keyName, this.activeVersion, this.keyType.name);
    return { sign: rules.sign, readPublicKeys: rules.readPublicKeys, rotate: rules.manage };
  }
}
