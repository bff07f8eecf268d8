/**
 * The machinery a versioned transit signing key shares, whatever it signs (node tasks or bootstrap bundles):
 * custody settings, one rotation resource per version (adopting versions Vault already has), the plan-time
 * version guard, Vault's floors following the set, the public-key read after this apply's rotations, and the
 * rendered key set. Internal: TaskSigningKey and BundleSigningKey call it with themselves as scope, so every
 * element keeps the construct id (and Terraform address) it always had.
 */
import { Fn, ITerraformDependable, Op, TerraformLocal, Token } from 'cdktf';
import { DataVaultGenericSecret } from '@cdktf/provider-vault/lib/data-vault-generic-secret';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { invalidVersion } from '../../core/errors';
import { ITransitMount } from '../transit-mount';
import { GraceEntry, VerifierPlan, planVerifierSet } from '../verifier-set';

/** A signing schedule as props give it. */
export interface ScheduleProps {
  readonly version: number;
  readonly activeVersion?: number;
  readonly grace?: readonly GraceEntry[];
  readonly compromised?: readonly number[];
}

/**
 * Refuses versions given as tokens (each version is its own rotation resource, and reviewers read the numbers in
 * the plan), then validates the schedule and derives the key set.
 */
export function planSchedule(props: ScheduleProps): VerifierPlan {
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
  return planVerifierSet({
    version: props.version,
    activeVersion: props.activeVersion,
    grace: props.grace,
    compromised: props.compromised,
  });
}

/** What `declareVersionedTransitKey` needs. */
export interface VersionedTransitKeyOptions {
  readonly mount: ITransitMount;
  readonly keyName: string;
  /** Vault transit key type, also the `alg` of every rendered entry. */
  readonly keyType: string;
  readonly plan: VerifierPlan;
  /** Format id of the rendered key set. */
  readonly setFormat: string;
  /** Construct id of the local that holds the rendered key set. */
  readonly setLocalId: string;
}

/** The elements declared for a versioned key. */
export interface VersionedTransitKeyParts {
  readonly key: TransitSecretBackendKey;
  readonly rotations: GenericEndpoint[];
  readonly floors: GenericEndpoint;
  readonly publicKeys: DataVaultGenericSecret;
  readonly signingDependables: ITerraformDependable[];
  /** Public key (base64 text) of every version in the set. Tokens. */
  readonly publicKeyOf: Readonly<Record<number, string>>;
  /** Key id of every version in the set. Tokens. */
  readonly kidOf: Readonly<Record<number, string>>;
  /** Key id of the active version (a local). */
  readonly activeKid: string;
  /** Compact JSON of the key set (a local). */
  readonly setJson: string;
  /** Key id of any version Vault holds, in the set or not (a token). */
  kidOfVersion(version: number): string;
}

/**
 * Declares the key and everything that follows its schedule, in `scope`, with the ids `Key`, `RotateToV<n>`,
 * `Floors`, `PublicKeys`, `public_keys`, `ActiveKid` and `options.setLocalId`.
 *
 * - The key is not exportable, allows no plaintext backup, cannot be deleted, does not rotate by itself
 *   (`auto_rotate_period` 0) and is protected from destroy.
 * - One `vault_generic_endpoint` per version above 1 calls `<mount>/keys/<name>/rotate` once, when it is created,
 *   so N -> N+k rotates exactly k times and a re-apply rotates nothing. A rotation resource whose version Vault
 *   already has when the plan is made adopts it instead (an empty write to `<mount>/keys/<name>/config`).
 * - A precondition compares Vault's real latest version with `version` at plan time: lowering `version`, or a
 *   rotation by hand above it, fails the plan.
 * - Vault's floors follow the set: `min_decryption_version` = oldest accepted version, `min_encryption_version`
 *   = active version.
 * - The set reads the public keys after the rotations and floors of the same apply.
 */
export function declareVersionedTransitKey(scope: Construct, o: VersionedTransitKeyOptions): VersionedTransitKeyParts {
  const { keyName, plan } = o;
  const mountPath = o.mount.path;
  const version = plan.latestVersion;
  const keyPath = `${mountPath}/keys/${keyName}`;
  const key = new TransitSecretBackendKey(scope, 'Key', {
    backend: mountPath,
    name: keyName,
    type: o.keyType,
    exportable: false,
    allowPlaintextBackup: false,
    deletionAllowed: false,
    autoRotatePeriod: 0,
    dependsOn: o.mount.dependables,
    lifecycle: {
      preventDestroy: true,
      // The floors are set by the Floors resource after this apply's rotations; the key must not fight it.
      ignoreChanges: ['min_decryption_version', 'min_encryption_version'],
    },
  });

  const rotations: GenericEndpoint[] = [];
  let previous: ITerraformDependable = key;
  const rotatePath = `${keyPath}/rotate`;
  const adoptPath = `${keyPath}/config`;
  for (let v = 2; v <= version; v++) {
    // Vault's latest version as refreshed at plan time decides, per version, what the create does: rotate, or
    // (Vault already has this version: an apply killed before saving state, or a rotation by hand) adopt it
    // with an empty config write that changes nothing and answers with the key's latest version. The plan
    // shows which. After the create, the path is ignored: the next refresh moves latest_version past v.
    const rotation = new GenericEndpoint(scope, `RotateToV${v}`, {
      path: Token.asString(Fn.conditional(Op.gte(key.latestVersion, v), adoptPath, rotatePath)),
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
            errorMessage: `Rotating transit key "${keyName}" was expected to create version ${v}, but Vault reports a different latest version: someone rotated the key between this plan and its apply, so Vault now holds one version more than the code. Set version to Vault's latest_version (versions Vault already has are adopted, not rotated again: the plan shows their rotation resource writing ${adoptPath}), plan again and review the verifier set.`,
          },
        ],
      },
    });
    rotations.push(rotation);
    previous = rotation;
  }

  const floors = new GenericEndpoint(scope, 'Floors', {
    path: `${keyPath}/config`,
    dataJson: JSON.stringify({
      min_decryption_version: plan.minDecryptionVersion,
      min_encryption_version: plan.minEncryptionVersion,
    }),
    disableRead: true,
    disableDelete: true,
    dependsOn: [previous],
    lifecycle: {
      precondition: [
        {
          condition: Op.lte(key.latestVersion, version),
          errorMessage: `Transit key "${keyName}" is at a higher version in Vault than the version in code (${version}). Key versions only move forward: if version was lowered in code, restore it (rollback means setting activeVersion to an older version still in the verifier set); if the key was rotated outside this stack (by hand), set version to Vault's latest_version: the rotation resources of versions Vault already has adopt them without rotating again (see docs/import-ids.md).`,
        },
        {
          condition: Op.lte(key.minAvailableVersion, plan.minDecryptionVersion),
          errorMessage: `The verifier set of "${keyName}" accepts version ${plan.minDecryptionVersion}, but Vault has trimmed versions below its min_available_version: that version no longer exists. Remove grace entries for trimmed versions.`,
        },
      ],
    },
  });

  // Read after this apply's rotations and floors. It also checks the floors Vault holds: the Floors resource
  // cannot read its write-only path back, so a floor changed by hand would otherwise go unseen.
  const floorsInVault = (field: string) => `tonumber(lookup(jsondecode(nonsensitive(self.data_json)), "${field}", -1))`;
  const publicKeys = new DataVaultGenericSecret(scope, 'PublicKeys', {
    path: keyPath,
    withLeaseStartTime: false,
    dependsOn: [floors, ...rotations],
    lifecycle: {
      postcondition: [
        {
          condition: `\${${floorsInVault('min_decryption_version')} == ${plan.minDecryptionVersion} && ${floorsInVault('min_encryption_version')} == ${plan.minEncryptionVersion}}`,
          errorMessage: `Transit key "${keyName}": Vault's version floors differ from the verifier set in code (min_decryption_version ${plan.minDecryptionVersion}, min_encryption_version ${plan.minEncryptionVersion}); someone changed the key's config by hand. Restore them with \`tofu apply -replace=<address of this key's Floors resource>\` and review who changed them (the audit log has the request).`,
        },
      ],
    },
  });
  // The provider marks every generic read as sensitive. A transit key read holds no private material
  // (the key is not exportable): only names, flags and public keys, which nodes must receive.
  const keysLocal = new TerraformLocal(
    scope,
    'public_keys',
    Fn.lookup(Fn.jsondecode(Fn.nonsensitive(publicKeys.dataJson)), 'keys'),
  );

  const publicKeyOf: Record<number, string> = {};
  const kidOf: Record<number, string> = {};
  const entries = plan.versions.map((v) => {
    const pk = Token.asString(Fn.lookupNested(keysLocal.expression, [String(v.version), 'public_key']));
    const kid = Fn.join('', [`${keyName}:v${v.version}:`, Fn.substr(Fn.sha256(pk), 0, 16)]);
    publicKeyOf[v.version] = pk;
    kidOf[v.version] = kid;
    return {
      alg: o.keyType,
      kid,
      public_key: pk,
      state: v.state,
      ...(v.until ? { until: v.until } : {}),
      version: v.version,
    };
  });
  const activeKid = new TerraformLocal(scope, 'ActiveKid', kidOf[plan.activeVersion]).asString;
  // jsonencode sorts object keys, so the rendering is canonical: keys sorted at every level, compact.
  const setJson = new TerraformLocal(
    scope,
    o.setLocalId,
    Fn.jsonencode({ format: o.setFormat, key: keyName, keys: entries }),
  ).asString;

  return {
    key,
    rotations,
    floors,
    publicKeys,
    signingDependables: [floors, ...rotations],
    publicKeyOf,
    kidOf,
    activeKid,
    setJson,
    kidOfVersion: (version: number) =>
      kidOf[version] ??
      Fn.join('', [
        `${keyName}:v${version}:`,
        Fn.substr(
          Fn.sha256(Token.asString(Fn.lookupNested(keysLocal.expression, [String(version), 'public_key']))),
          0,
          16,
        ),
      ]),
  };
}
