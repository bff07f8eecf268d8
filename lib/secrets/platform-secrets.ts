import { Fn, TerraformVariable } from 'cdktf';
import { KvSecretBackendV2 } from '@cdktf/provider-vault/lib/kv-secret-backend-v2';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { Construct } from 'constructs';
import { duplicate, invalidCount, invalidOption, missingConfig } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { isToken, validateMountPath, validateName } from '../core/validation';
import { AppRoleAuthBackend, IAppRoleAuthBackend } from './approle-auth-backend';
import { PlatformAudit, PlatformAuditProps } from './audit';
import { SigningCustody } from './custody';
import {
  bootstrapPathNotSeedable,
  nonSensitiveVariable,
  notAVariable,
  signingPathHoldsMetadataOnly,
} from './private/errors';
import { kvRules } from './private/grant-rules';
import { KvGrantOptions, KvOperation, PathKind, SecretCategory, SecretPath, validateSecretPath } from './kv-layout';
import { mountConflicts } from './private/stack-scan';

/**
 * What other constructs need from a platform KV v2 mount: its path and the grant methods.
 * Every grant validates the path against the layout (see kv-layout.ts) and goes through `Grant.addToPolicy`.
 */
export interface IPlatformSecrets {
  /** KV v2 mount path, as written in code. */
  readonly mountPath: string;
  /** The one primitive: lets `consumer` perform `operations` on `path`. */
  grant(consumer: IGrantable, path: string, operations: readonly KvOperation[], options?: KvGrantOptions): Grant;
  /** `data/<p>` read. Metadata is not included (see `grantReadMetadata`). */
  grantRead(consumer: IGrantable, path: string, options?: KvGrantOptions): Grant;
  /** `metadata/<p>` read: versions, timestamps and custom metadata, no secret values. */
  grantReadMetadata(consumer: IGrantable, path: string, options?: KvGrantOptions): Grant;
  /** `data/<p>` create + update. */
  grantWrite(consumer: IGrantable, path: string, options?: KvGrantOptions): Grant;
  /** `metadata/<folder>` list. Takes a folder path ending in "/". */
  grantList(consumer: IGrantable, folder: string, options?: KvGrantOptions): Grant;
  /** Soft delete: `delete/<p>` update and `data/<p>` delete. */
  grantDelete(consumer: IGrantable, path: string, options?: KvGrantOptions): Grant;
  /** `undelete/<p>` update. */
  grantUndelete(consumer: IGrantable, path: string, options?: KvGrantOptions): Grant;
  /** Permanent: `destroy/<p>` update and `metadata/<p>` delete. */
  grantDestroy(consumer: IGrantable, path: string, options?: KvGrantOptions): Grant;
}

/** Grant methods shared by `PlatformSecrets` and `PlatformSecrets.fromMountPath`. */
export abstract class PlatformSecretsBase extends Construct implements IPlatformSecrets {
  public abstract readonly mountPath: string;

  public grant(
    consumer: IGrantable,
    path: string,
    operations: readonly KvOperation[],
    options: KvGrantOptions = {},
  ): Grant {
    return this.grantAs('PlatformSecrets.grant', consumer, path, operations, options);
  }

  public grantRead(consumer: IGrantable, path: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantRead', consumer, path, [KvOperation.READ], options);
  }

  public grantReadMetadata(consumer: IGrantable, path: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantReadMetadata', consumer, path, [KvOperation.READ_METADATA], options);
  }

  public grantWrite(consumer: IGrantable, path: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantWrite', consumer, path, [KvOperation.WRITE], options);
  }

  public grantList(consumer: IGrantable, folder: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantList', consumer, folder, [KvOperation.LIST], options);
  }

  public grantDelete(consumer: IGrantable, path: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantDelete', consumer, path, [KvOperation.DELETE], options);
  }

  public grantUndelete(consumer: IGrantable, path: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantUndelete', consumer, path, [KvOperation.UNDELETE], options);
  }

  public grantDestroy(consumer: IGrantable, path: string, options: KvGrantOptions = {}): Grant {
    return this.grantAs('PlatformSecrets.grantDestroy', consumer, path, [KvOperation.DESTROY], options);
  }

  private grantAs(
    what: string,
    consumer: IGrantable,
    path: string,
    operations: readonly KvOperation[],
    options: KvGrantOptions,
  ): Grant {
    // Rules first (they validate the path), then the one grant primitive (it refuses a missing consumer).
    return Grant.addToPolicy(consumer, what, kvRules(this.mountPath, path, operations, options));
  }
}

class ImportedPlatformSecrets extends PlatformSecretsBase {
  public readonly mountPath: string;

  constructor(scope: Construct, id: string, mountPath: string) {
    super(scope, id);
    this.mountPath = validateMountPath('KV mount path', mountPath);
  }
}

/** Props of {@link PlatformSecrets}. */
export interface PlatformSecretsProps {
  /**
   * Path of the KV v2 mount, for example "dev/kv". Changing it replaces the mount and every secret in
   * it; the mount is protected from destroy, so such a plan fails instead.
   */
  readonly mountPath: string;
  /**
   * Human-readable description of the mount.
   * @default "Platform secrets (KV v2, cdktf-platform-trust)"
   */
  readonly description?: string;
  /**
   * Versions kept per secret (1 to 1000); older versions are removed as new ones are written.
   * @default 10
   */
  readonly maxVersions?: number;
  /**
   * Require check-and-set on every write (writers must send the current version in `options.cas`).
   * @default false
   */
  readonly casRequired?: boolean;
  /**
   * Path of the AppRole auth mount created (on first use of `appRoleBackend`) for this mount's consumers.
   * @default - the mount path with "/" replaced by "-", plus "-approle" ("dev/kv" -> "dev-kv-approle")
   */
  readonly appRoleMountPath?: string;
  /**
   * The audit device. By default only the server configuration stanza is rendered (`serverAuditStanza`);
   * see `PlatformAuditProps.createApiDevice`.
   * @default - a file device named "file" writing to "stdout", rendered as a stanza only
   */
  readonly audit?: PlatformAuditProps;
}

/** Options of `seedSecret`. */
export interface SeedSecretOptions {
  /**
   * Construct id of the secret resource (part of its Terraform address: treat as public API).
   * @default - "Seed-" plus the path with "/" replaced by "--" (required when the path holds a token)
   */
  readonly id?: string;
  /**
   * Do not read the secret back on refresh (`disable_read`). True suits a seed: the value the owning team
   * rotates to afterwards is never copied into Terraform state, and Terraform writes again only when the
   * variable changes. The cost: a secret deleted in Vault is not noticed (and not recreated) by a plan.
   * @default true
   */
  readonly disableRead?: boolean;
  /**
   * Seed through the provider's write-only attribute (`data_json_wo`): the value is sent to Vault during the
   * apply and reaches neither the plan nor the state, not even encrypted. Vault is written again only when this
   * number changes (an engine cannot compare a value it never stores): bump it to re-seed. The variable is made
   * ephemeral (`ephemeral = true`), so the plan file does not keep its value either; it can then be used only
   * where ephemeral values are allowed, and the runner sets it for the apply of a saved plan too. Needs OpenTofu or
   * Terraform 1.11 or later and the Vault provider 5.x; an older engine refuses the plan. Implies
   * `disableRead: true`.
   * @default - `data_json`: the value is also kept in state (marked sensitive)
   */
  readonly writeOnlyVersion?: number;
}

/** What `writeSigningMetadata` records. `ITaskSigningKey` satisfies it. */
export interface SigningMetadataSource {
  /** Transit key name. */
  readonly keyName: string;
  /** Transit mount path. */
  readonly mountPath: string;
  /** Version the control plane signs with. */
  readonly activeVersion: number;
}

/** Options of `writeSigningMetadata`. */
export interface SigningMetadataOptions {
  /**
   * Custody recorded in the metadata.
   * @default SigningCustody.vaultTransit()
   */
  readonly custody?: SigningCustody;
  /**
   * Construct id of the secret resource.
   * @default - "SigningMetadata-" plus the key name (required when the key name is a token)
   */
  readonly id?: string;
}

/**
 * The platform's KV v2 secrets mount, its documented path layout (see `SecretCategory`) and the grants
 * consumers get on it.
 *
 * Creates:
 * - `vault_mount` (type "kv", options.version "2"), protected from destroy (`lifecycle.prevent_destroy`);
 * - `vault_kv_secret_backend_v2` with `max_versions` and `cas_required`;
 * - an AppRole auth mount, on first use of `appRoleBackend`;
 * - a `PlatformAudit` (by default only the `serverAuditStanza` artifact, no resource);
 * - a `vault_kv_secret_v2` per `seedSecret` / `writeSigningMetadata` call.
 *
 * Secret values never appear in props or synthesized JSON: a seed comes from a sensitive variable.
 * Synth-time checks: the mount path is valid and no other `vault_mount` in the stack uses or nests with it.
 */
export class PlatformSecrets extends PlatformSecretsBase {
  /** A KV v2 mount declared elsewhere, with the same grant methods (no resources created). */
  public static fromMountPath(scope: Construct, id: string, mountPath: string): IPlatformSecrets {
    return new ImportedPlatformSecrets(scope, id, mountPath);
  }

  public readonly mountPath: string;
  /** The `vault_mount` resource. */
  public readonly mount: Mount;
  /** The `vault_kv_secret_backend_v2` resource (mount-wide KV settings). */
  public readonly config: KvSecretBackendV2;
  /** The audit device. */
  public readonly audit: PlatformAudit;
  /**
   * VaultServer 2.x declarative audit stanza for the server configuration; see `PlatformAudit`.
   * A stack can expose it as a TerraformOutput.
   */
  public readonly serverAuditStanza: string;

  private readonly appRoleMountPath: string;
  private appRole?: AppRoleAuthBackend;
  private readonly written = new Set<string>();

  constructor(scope: Construct, id: string, props: PlatformSecretsProps) {
    super(scope, id);
    this.mountPath = validateMountPath('KV mount path', props.mountPath);
    const maxVersions = props.maxVersions ?? 10;
    if (!isToken(maxVersions) && (!Number.isInteger(maxVersions) || maxVersions < 1 || maxVersions > 1000)) {
      throw invalidCount(
        'maxVersions must be a whole number from 1 to 1000.',
        maxVersions,
        'use 10 (the default) or the number of versions each secret should keep.',
      );
    }
    this.appRoleMountPath = validateMountPath(
      'AppRole mount path',
      props.appRoleMountPath ?? `${this.mountPath.replace(/\//g, '-')}-approle`,
    );

    this.mount = new Mount(this, 'Resource', {
      path: this.mountPath,
      type: 'kv',
      options: { version: '2' },
      description: props.description ?? 'Platform secrets (KV v2, cdktf-platform-trust)',
      lifecycle: { preventDestroy: true },
    });
    this.config = new KvSecretBackendV2(this, 'Config', {
      mount: this.mount.path,
      maxVersions,
      casRequired: props.casRequired ?? false,
    });
    this.audit = new PlatformAudit(this, 'Audit', props.audit);
    this.serverAuditStanza = this.audit.serverAuditStanza;

    this.node.addValidation({ validate: () => mountConflicts(this, this.mountPath, this.mount.node.path) });
  }

  /**
   * The AppRole auth mount for this mount's consumers, created on first access
   * (construct id "AppRoleBackend", path `appRoleMountPath`).
   */
  public get appRoleBackend(): IAppRoleAuthBackend {
    if (!this.appRole) {
      this.appRole = new AppRoleAuthBackend(this, 'AppRoleBackend', { path: this.appRoleMountPath });
    }
    return this.appRole;
  }

  /**
   * Seeds one secret from a sensitive Terraform variable (`vault_kv_secret_v2`, `data_json` from the
   * variable). The value is set by the runner (`TF_VAR_<name>`) and never appears in cdk.tf.json; it
   * does land in Terraform state (marked sensitive), so keep the state backend encrypted and
   * access-controlled, or leave seeding to the owning team. With `writeOnlyVersion` (OpenTofu or Terraform
   * 1.11 or later) it reaches neither plan nor state.
   *
   * The variable must be declared `sensitive: true` with type `map(string)` / `object(...)` (encoded with
   * jsonencode) or `string` holding a JSON object. Paths under "signing/" (metadata only) and "bootstrap/"
   * (written by BootstrapBundle) are refused.
   */
  public seedSecret(path: string, variable: TerraformVariable, options: SeedSecretOptions = {}): KvSecretV2 {
    const checked = validateSecretPath(this.mountPath, path, PathKind.SECRET);
    if (checked.category === SecretCategory.SIGNING) throw signingPathHoldsMetadataOnly(path);
    if (checked.category === SecretCategory.BOOTSTRAP) throw bootstrapPathNotSeedable(path);
    if (!(variable instanceof TerraformVariable)) throw notAVariable(variable);
    if (variable.sensitive !== true) throw nonSensitiveVariable(variable.node.id);
    const type = variable.type?.replace(/\s+/g, '');
    let dataJson: string;
    if (type === 'string') {
      dataJson = variable.stringValue;
    } else if (type !== undefined && /^(map|object)\(/.test(type)) {
      dataJson = Fn.jsonencode(variable.value);
    } else {
      throw invalidOption(
        'seedSecret needs a variable typed as a map, an object or a JSON string, so data_json is a JSON object.',
        variable.type,
        'declare the variable with `type: "map(string)"` (or "string" holding a JSON object).',
      );
    }
    const wo = options.writeOnlyVersion;
    if (wo !== undefined) {
      if (!isToken(wo) && (!Number.isInteger(wo) || wo < 1)) {
        throw invalidOption(
          'writeOnlyVersion must be a whole number of 1 or more.',
          wo,
          'start at 1 and raise it by one each time the secret is to be written again.',
        );
      }
      if (options.disableRead === false) {
        throw invalidOption(
          'writeOnlyVersion seeds a value that is never stored in state; reading it back would store it.',
          { disableRead: false, writeOnlyVersion: wo },
          'leave disableRead out (true) with writeOnlyVersion.',
        );
      }
    }
    // The engine keeps root variable values in the plan file; an ephemeral variable is never written there (nor to
    // state), and is exactly what a write-only attribute accepts.
    if (wo !== undefined) variable.addOverride('ephemeral', true);
    return this.writeSecret(checked.path, options.id, 'Seed', dataJson, options.disableRead ?? true, undefined, wo);
  }

  /**
   * Records which key signs at `signing/<keyName>`: custody, transit mount, key name and active version.
   * Metadata only; the private key stays in transit. Read back on refresh (`disable_read` false), so a
   * deleted record is recreated by the next apply.
   */
  public writeSigningMetadata(key: SigningMetadataSource, options: SigningMetadataOptions = {}): KvSecretV2 {
    validateName('signing key name', key.keyName);
    const path = SecretPath.signing(key.keyName);
    validateSecretPath(this.mountPath, path, PathKind.SECRET);
    const data: Record<string, string | number> = {
      custody: (options.custody ?? SigningCustody.vaultTransit()).kind,
      transit_mount: key.mountPath,
      key_name: key.keyName,
      active_version: key.activeVersion,
    };
    const dataJson = Object.values(data).some((v) => isToken(v)) ? Fn.jsonencode(data) : JSON.stringify(data);
    return this.writeSecret(path, options.id, 'SigningMetadata', dataJson, false, key.keyName);
  }

  private writeSecret(
    path: string,
    id: string | undefined,
    idPrefix: string,
    dataJson: string,
    disableRead: boolean,
    idSuffix: string = path.replace(/\//g, '--'),
    writeOnlyVersion?: number,
  ): KvSecretV2 {
    if (!isToken(path)) {
      if (this.written.has(path)) {
        throw duplicate(
          'secret written by this PlatformSecrets',
          path,
          'write each path once; one resource owns each secret.',
        );
      }
      this.written.add(path);
    }
    if (id === undefined && isToken(idSuffix)) {
      throw missingConfig(
        'The secret path holds a token, so no stable construct id can be derived from it.',
        path,
        'pass options.id (it becomes part of the Terraform address).',
      );
    }
    return new KvSecretV2(this, id ?? `${idPrefix}-${idSuffix}`, {
      mount: this.mount.path,
      name: path,
      ...(writeOnlyVersion === undefined
        ? { dataJson }
        : { dataJsonWo: dataJson, dataJsonWoVersion: writeOnlyVersion }),
      disableRead,
      // An API-created audit device (if any) is enabled first, so the write is audited (see PlatformAudit).
    });
  }
}
