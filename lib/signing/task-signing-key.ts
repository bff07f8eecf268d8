import { Annotations, Fn, ITerraformDependable, Op, TerraformLocal, Token } from 'cdktf';
import { DataVaultGenericSecret } from '@cdktf/provider-vault/lib/data-vault-generic-secret';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { invalidKeyType, invalidVersion } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { validateName } from '../core/validation';
import { PUBKEYS_FORMAT_V1 } from '../node/formats';
import { signingRules } from './grants';
import { ITransitMount, TransitMount } from './transit-mount';
import { ITaskSigningKey } from './types';
import { GraceEntry, VerifierPlan, planVerifierSet } from './verifier-set';

/** Transit key types a task signing key may use. All asymmetric; HMAC and symmetric types are refused. */
export class SigningKeyType {
  /** Ed25519 (the default, and the only type the v1 node verifier accepts). */
  public static readonly ED25519 = new SigningKeyType('ed25519');
  public static readonly ECDSA_P256 = new SigningKeyType('ecdsa-p256');
  public static readonly ECDSA_P384 = new SigningKeyType('ecdsa-p384');
  public static readonly ECDSA_P521 = new SigningKeyType('ecdsa-p521');
  public static readonly RSA_2048 = new SigningKeyType('rsa-2048');
  public static readonly RSA_3072 = new SigningKeyType('rsa-3072');
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

  private constructor(public readonly name: string) {}
}

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
  public readonly mount: ITransitMount;
  public readonly version: number;
  public readonly activeVersion: number;
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
    if (
      Token.isUnresolved(props.version) ||
      (props.activeVersion !== undefined && Token.isUnresolved(props.activeVersion))
    ) {
      throw invalidVersion(
        'version and activeVersion must be literal numbers in code: each version is its own rotation resource and reviewers read the change in the plan.',
        'a token',
        'write the numbers in the environment config (for example version: 2, activeVersion: 1).',
      );
    }
    this.plan = planVerifierSet({ version: props.version, activeVersion: props.activeVersion, grace: props.grace });
    this.version = this.plan.latestVersion;
    this.activeVersion = this.plan.activeVersion;
    this.mount = props.mount ?? new TransitMount(this, 'Mount', { path: 'transit' });
    this.mountPath = this.mount.path;
    if (this.keyType !== SigningKeyType.ED25519 && this.keyType.name !== 'ed25519') {
      Annotations.of(this).addWarning(
        `Task signing key "${this.keyName}" uses ${this.keyType.name}: the v1 node verifier (cdktf-platform-trust/node) verifies ed25519 only.`,
      );
    }

    const keyPath = `${this.mountPath}/keys/${this.keyName}`;
    this.key = new TransitSecretBackendKey(this, 'Key', {
      backend: this.mountPath,
      name: this.keyName,
      type: this.keyType.name,
      exportable: false,
      allowPlaintextBackup: false,
      deletionAllowed: false,
      autoRotatePeriod: 0,
      dependsOn: this.mount.dependables,
      lifecycle: {
        preventDestroy: true,
        // The floors are set by the Floors resource after this apply's rotations; the key must not fight it.
        ignoreChanges: ['min_decryption_version', 'min_encryption_version'],
      },
    });

    const rotations: GenericEndpoint[] = [];
    let previous: ITerraformDependable = this.key;
    const rotatePath = `${keyPath}/rotate`;
    const adoptPath = `${keyPath}/config`;
    for (let v = 2; v <= this.version; v++) {
      // Vault's latest version as refreshed at plan time decides, per version, what the create does: rotate, or
      // (Vault already has this version: an apply killed before saving state, or a rotation by hand) adopt it
      // with an empty config write that changes nothing and answers with the key's latest version. The plan
      // shows which. After the create, the path is ignored: the next refresh moves latest_version past v.
      const rotation = new GenericEndpoint(this, `RotateToV${v}`, {
        path: Token.asString(Fn.conditional(Op.gte(this.key.latestVersion, v), adoptPath, rotatePath)),
        dataJson: '{}',
        disableRead: true,
        disableDelete: true,
        writeFields: ['latest_version'],
        dependsOn: [previous],
        lifecycle: {
          ignoreChanges: ['path'],
          postcondition: [
            {
              condition: `\${self.path == "${adoptPath}" ? tonumber(lookup(self.write_data, "latest_version", "${v}")) >= ${v} : tonumber(lookup(self.write_data, "latest_version", "${v}")) == ${v}}`,
              errorMessage: `Rotating transit key "${this.keyName}" was expected to create version ${v}, but Vault reports a different latest version: someone rotated the key between this plan and its apply, so Vault now holds one version more than the code. Set version to Vault's latest_version (versions Vault already has are adopted, not rotated again: the plan shows their rotation resource writing ${adoptPath}), plan again and review the verifier set.`,
            },
          ],
        },
      });
      rotations.push(rotation);
      previous = rotation;
    }
    this.rotations = rotations;

    this.floors = new GenericEndpoint(this, 'Floors', {
      path: `${keyPath}/config`,
      dataJson: JSON.stringify({
        min_decryption_version: this.plan.minDecryptionVersion,
        min_encryption_version: this.plan.minEncryptionVersion,
      }),
      disableRead: true,
      disableDelete: true,
      dependsOn: [previous],
      lifecycle: {
        precondition: [
          {
            condition: Op.lte(this.key.latestVersion, this.version),
            errorMessage: `Transit key "${this.keyName}" is at a higher version in Vault than the version in code (${this.version}). Key versions only move forward: if version was lowered in code, restore it (rollback means setting activeVersion to an older version still in the verifier set); if the key was rotated outside this stack (by hand), set version to Vault's latest_version: the rotation resources of versions Vault already has adopt them without rotating again (see docs/import-ids.md).`,
          },
          {
            condition: Op.lte(this.key.minAvailableVersion, this.plan.minDecryptionVersion),
            errorMessage: `The verifier set of "${this.keyName}" accepts version ${this.plan.minDecryptionVersion}, but Vault has trimmed versions below its min_available_version: that version no longer exists. Remove grace entries for trimmed versions.`,
          },
        ],
      },
    });
    this.signingDependables = [this.floors, ...rotations];

    // Read after this apply's rotations and floors. It also checks the floors Vault holds: the Floors resource
    // cannot read its write-only path back, so a floor changed by hand would otherwise go unseen.
    const floorsInVault = (field: string) =>
      `tonumber(lookup(jsondecode(nonsensitive(self.data_json)), "${field}", -1))`;
    this.publicKeys = new DataVaultGenericSecret(this, 'PublicKeys', {
      path: keyPath,
      withLeaseStartTime: false,
      dependsOn: [this.floors, ...rotations],
      lifecycle: {
        postcondition: [
          {
            condition: `\${${floorsInVault('min_decryption_version')} == ${this.plan.minDecryptionVersion} && ${floorsInVault('min_encryption_version')} == ${this.plan.minEncryptionVersion}}`,
            errorMessage: `Transit key "${this.keyName}": Vault's version floors differ from the verifier set in code (min_decryption_version ${this.plan.minDecryptionVersion}, min_encryption_version ${this.plan.minEncryptionVersion}); someone changed the key's config by hand. Restore them with \`tofu apply -replace=<address of this key's Floors resource>\` and review who changed them (the audit log has the request).`,
          },
        ],
      },
    });
    // The provider marks every generic read as sensitive. A transit key read holds no private material
    // (the key is not exportable): only names, flags and public keys, which nodes must receive.
    const keysLocal = new TerraformLocal(
      this,
      'public_keys',
      Fn.lookup(Fn.jsondecode(Fn.nonsensitive(this.publicKeys.dataJson)), 'keys'),
    );

    const publicKeyOf: Record<number, string> = {};
    const kidOf: Record<number, string> = {};
    const entries = this.plan.versions.map((v) => {
      const pk = Token.asString(Fn.lookupNested(keysLocal.expression, [String(v.version), 'public_key']));
      const kid = Fn.join('', [`${this.keyName}:v${v.version}:`, Fn.substr(Fn.sha256(pk), 0, 16)]);
      publicKeyOf[v.version] = pk;
      kidOf[v.version] = kid;
      return {
        alg: this.keyType.name,
        kid,
        public_key: pk,
        state: v.state,
        ...(v.until ? { until: v.until } : {}),
        version: v.version,
      };
    });
    this.publicKeyOf = publicKeyOf;
    this.kidOf = kidOf;
    this.activeKid = new TerraformLocal(this, 'ActiveKid', kidOf[this.activeVersion]).asString;
    // jsonencode sorts object keys, so the rendering is canonical: keys sorted at every level, compact.
    this.pubkeysJson = new TerraformLocal(
      this,
      'PubkeysJson',
      Fn.jsonencode({ format: PUBKEYS_FORMAT_V1, key: this.keyName, keys: entries }),
    ).asString;
  }

  /** The one grant primitive for this key. */
  public grant(grantee: IGrantable, what: keyof ReturnType<typeof signingRules>): Grant {
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

  /** What the Terraform runner needs to create, rotate and configure this key and sign the bundle. */
  public grantRotate(grantee: IGrantable): Grant {
    return this.grant(grantee, 'rotate');
  }

  private rules() {
    return signingRules(this.mountPath, this.keyName, this.activeVersion, this.keyType.name);
  }
}
