import { Fn, ITerraformDependable, TerraformLocal } from 'cdktf';
import { DataVaultGenericSecret } from '@cdktf/provider-vault/lib/data-vault-generic-secret';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { invalidVersion } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { PolicyRule } from '../core/policy-document';
import { validateName } from '../core/validation';
import { BUNDLE_KEYS_FORMAT_V1, BUNDLE_KEY_PIN_PREFIX } from '../node/formats';
import { signingRules } from './grants';
import { declareVersionedTransitKey, planSchedule } from './private/versioned-transit-key';
import { ITransitMount, TransitMount } from './transit-mount';
import { IBundleSigningKey } from './types';
import { GraceEntry, VerifierPlan } from './verifier-set';

/** The key type of every bundle signing key: bundle envelopes carry raw Ed25519 signatures (DSSE). */
export const BUNDLE_SIGNING_KEY_TYPE = 'ed25519';

/** The grants of a bundle signing key (see `BundleSigningKey.grant`). There is no sign grant. */
export type BundleSigningKeyGrant = 'readPublicKeys' | 'rotate';

/** Props of {@link BundleSigningKey}. */
export interface BundleSigningKeyProps {
  /**
   * Transit mount that holds the key.
   * @default - a new `TransitMount` at "transit" is created in this construct's scope
   */
  readonly mount?: ITransitMount;
  /**
   * Transit key name (lower case, no "/"). It must differ from the task signing key's. Changing it creates a
   * different key: treat it as fixed.
   */
  readonly name: string;
  /**
   * Latest key version that must exist in Vault. Bump it to pre-publish a new version: bumping from N to N+k
   * rotates exactly k times in one apply. Lowering it fails the plan.
   */
  readonly version: number;
  /**
   * Version that signs the bundle. Must be at most `version`. Activate a pre-published version only once every
   * node holds a bundle that lists it (nodes accept an update only under a key of the bundle they hold).
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
}

/**
 * The key that signs bootstrap bundles: an Ed25519 key in Vault transit, apart from the task signing key, so
 * whoever can sign tasks (the control plane) cannot change what nodes trust.
 *
 * Custody and lifecycle are the task key's, from the same code: not exportable, no plaintext backup, not
 * deletable, no automatic rotation, protected from destroy; `version` bumps rotate exactly once per version and
 * adopt versions Vault already has; lowering `version` fails the plan; Vault's floors follow the key set;
 * `activeVersion` and `grace` (with explicit end dates) make the two-phase rotation.
 *
 * Nobody gets a sign grant on it: the apply identity signs the bundle during apply (`grantRotate` and
 * `BootstrapBundle.grantPublish`). The key set (`keySetJson`) goes into the bundle as `bundle_keys.set`, and a
 * node enrols with the active version's pin (`activePin`).
 *
 * Elements (construct ids): `Key` (`vault_transit_secret_backend_key`), `RotateToV<n>` and `Floors`
 * (`vault_generic_endpoint`), `PublicKeys` (`data.vault_generic_secret`), locals `public_keys`, `ActiveKid`,
 * `KeySetJson` and `ActivePin`.
 */
export class BundleSigningKey extends Construct implements IBundleSigningKey {
  public readonly keyName: string;
  public readonly mountPath: string;
  /** The transit mount that holds the key. */
  public readonly mount: ITransitMount;
  /** Latest key version that must exist in Vault, as given in props. */
  public readonly version: number;
  public readonly activeVersion: number;
  /** The key set derived from the schedule in code (no public keys: those come from Vault). */
  public readonly plan: VerifierPlan;
  /** The transit key resource. */
  public readonly key: TransitSecretBackendKey;
  /** One rotation resource per version above 1, oldest first. */
  public readonly rotations: GenericEndpoint[];
  /** The resource that sets Vault's version floors. */
  public readonly floors: GenericEndpoint;
  /** Reads the key's public keys after this apply's rotations. */
  public readonly publicKeys: DataVaultGenericSecret;
  /** Compact JSON of the bundle key set (format `cdktf-platform-trust/bundle-keys/v1`). A token. */
  public readonly keySetJson: string;
  public readonly activeKid: string;
  /** Pin of the active version: `sha256:` + SHA-256 hex over its public_key text. A token. */
  public readonly activePin: string;
  public readonly signingDependables: ITerraformDependable[];
  /** Public key (base64) of every accepted version, by version. Tokens. */
  public readonly publicKeyOf: Readonly<Record<number, string>>;
  /** Key id of every accepted version, by version. Tokens. */
  public readonly kidOf: Readonly<Record<number, string>>;
  public readonly handover?: {
    /** The compromised version that signs once more. */
    readonly version: number;
    /** Its key id (`<key>:v<version>:<16 hex>`). A token. */
    readonly kid: string;
  };

  constructor(scope: Construct, id: string, props: BundleSigningKeyProps) {
    super(scope, id);
    this.keyName = validateName('bundle signing key name', props.name);
    this.plan = planSchedule(props);
    this.version = this.plan.latestVersion;
    this.activeVersion = this.plan.activeVersion;
    this.mount = props.mount ?? new TransitMount(this, 'Mount', { path: 'transit' });
    this.mountPath = this.mount.path;

    // An emergency rotation hands over: the compromised version signs the bundle that revokes it once more (nodes
    // hold only it), so Vault's floors stay at it while the code still names it as `version`.
    const handoverVersion = this.plan.emergencyRotation ? this.plan.latestVersion - 1 : undefined;
    const floorsPlan =
      handoverVersion === undefined
        ? this.plan
        : {
            ...this.plan,
            minEncryptionVersion: handoverVersion,
            minDecryptionVersion: Math.min(handoverVersion, this.plan.minDecryptionVersion),
          };
    const parts = declareVersionedTransitKey(this, {
      mount: this.mount,
      keyName: this.keyName,
      keyType: BUNDLE_SIGNING_KEY_TYPE,
      plan: floorsPlan,
      setFormat: BUNDLE_KEYS_FORMAT_V1,
      setLocalId: 'KeySetJson',
    });
    this.key = parts.key;
    this.rotations = parts.rotations;
    this.floors = parts.floors;
    this.signingDependables = parts.signingDependables;
    this.publicKeys = parts.publicKeys;
    this.publicKeyOf = parts.publicKeyOf;
    this.kidOf = parts.kidOf;
    this.activeKid = parts.activeKid;
    this.keySetJson = parts.setJson;
    this.activePin = new TerraformLocal(this, 'ActivePin', this.pinExpression(this.activeVersion)).asString;
    if (handoverVersion !== undefined) {
      this.handover = {
        version: handoverVersion,
        kid: new TerraformLocal(this, 'HandoverKid', parts.kidOfVersion(handoverVersion)).asString,
      };
    }
  }

  /**
   * Pin of a version in the key set: `sha256:` followed by the SHA-256 hex digest of the entry's public_key text
   * (the kid's 16 hex are the first 16 of the same digest). A token.
   * @throws PlatformTrustError (PT003) for a version that is not in the key set
   */
  public pinOf(version: number): string {
    if (version === this.activeVersion) return this.activePin;
    return this.pinExpression(version);
  }

  /** The one grant primitive for this key. There is no sign grant. */
  public grant(grantee: IGrantable, what: BundleSigningKeyGrant): Grant {
    return Grant.addToPolicy(grantee, `BundleSigningKey.${what}`, this.rules()[what]);
  }

  /** Read the public keys (`<mount>/keys/<name>` read; private material is not exportable). */
  public grantReadPublicKeys(grantee: IGrantable): Grant {
    return this.grant(grantee, 'readPublicKeys');
  }

  /**
   * What the apply identity (the Terraform runner after review) needs: create, rotate and configure the key as
   * for a task key, and sign with the active version only (`update` on `<mount>/sign/<key>`, `key_version`
   * required and pinned to the active version as a string, the input allowed, nothing else). Grant it to the
   * apply identity only: the plan identity needs no sign right, and no other identity may sign bundles.
   */
  public grantRotate(grantee: IGrantable): Grant {
    return this.grant(grantee, 'rotate');
  }

  private pinExpression(version: number): string {
    const pk = this.publicKeyOf[version];
    if (pk === undefined) {
      throw invalidVersion(
        `Version ${version} is not in the key set of bundle signing key "${this.keyName}".`,
        version,
        `ask for a version in the set: ${this.plan.versions.map((v) => v.version).join(', ')}.`,
      );
    }
    return Fn.join('', [BUNDLE_KEY_PIN_PREFIX, Fn.sha256(pk)]);
  }

  private rules(): Record<BundleSigningKeyGrant, PolicyRule[]> {
    const rules = signingRules(this.mountPath, this.keyName, this.activeVersion, BUNDLE_SIGNING_KEY_TYPE);
    return { readPublicKeys: rules.readPublicKeys, rotate: [...rules.manage, ...rules.sign] };
  }
}
