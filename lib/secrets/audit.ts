/**
 * The audit device for the platform's Vault server.
 *
 * Which applies where (checked against the servers' documentation, not against a live server here):
 * - **VaultServer 2.x** refuses audit devices created through the API (`sys/audit/<path>`) unless the server
 *   configuration sets `unsafe_allow_api_audit_creation = true`. Its supported way is a declarative
 *   `audit "<type>" "<path>" { ... }` stanza in the server configuration. This construct renders that
 *   stanza as `serverAuditStanza` (an artifact for the server's configuration management; a stack can
 *   expose it as an output) and by default creates nothing through the API.
 * - **HashiCorp Vault** (1.20.1+ and the matching patch releases) still accepts API-created `file`
 *   devices, but refuses executable file modes and needs `allow_audit_log_prefixing = true` for the
 *   `prefix` option (not used here). Set `createApiDevice: true` there, or on an VaultServer server that opted in.
 * - Enabling a device through the API needs `sudo` on `sys/audit/<path>` for the Terraform runner's token.
 *
 * Use exactly one of the two mechanisms for a device: VaultServer refuses a declarative device that
 * duplicates an API-created one.
 */
import { Aspects, IAspect, TerraformResource, TerraformStack } from 'cdktf';
import { Audit } from '@cdktf/provider-vault/lib/audit';
import { Construct, IConstruct } from 'constructs';
import { duplicate, invalidFilePath, invalidOption, unsafeText } from '../core/errors';
import { isToken, validateName } from '../core/validation';

/** Audit device types this library renders. Only the file device (which also writes to stdout). */
export enum AuditDeviceType {
  /** Vault's `file` device: appends JSON lines to a file, or writes them to the server's standard output. */
  FILE = 'file',
}

/** The file audit device. */
export interface AuditDeviceOptions {
  /**
   * Device type.
   * @default AuditDeviceType.FILE
   */
  readonly type?: AuditDeviceType;
  /**
   * Where the server writes the log: an absolute path on the Vault server, or "stdout" (the server's
   * standard output, for containers and dev servers). "discard" is refused: it audits nothing.
   * @default "stdout"
   */
  readonly path?: string;
}

/** Props of {@link PlatformAudit}. */
export interface PlatformAuditProps {
  /**
   * The device and where it writes.
   * @default - a file device writing to "stdout"
   */
  readonly auditDevice?: AuditDeviceOptions;
  /**
   * Path (name) of the device in `sys/audit`. Changing it replaces the device (a new HMAC salt).
   * @default "file"
   */
  readonly name?: string;
  /**
   * File mode of the log file, as four octal digits. Executable modes are refused (Vault refuses them too).
   * Ignored for "stdout".
   * @default "0600"
   */
  readonly mode?: string;
  /**
   * Human-readable description of the device.
   * @default "Platform audit log (cdktf-platform-trust)"
   */
  readonly description?: string;
  /**
   * Also create the device through the API as a `vault_audit` resource (protected from destroy).
   * Only where the server allows it: HashiCorp Vault, or VaultServer with
   * `unsafe_allow_api_audit_creation = true`. Otherwise put `serverAuditStanza` in the server configuration.
   *
   * Every other Vault resource of the stack on the same provider then depends on the device, so the apply
   * enables it first and every later write is audited. This ordering is also needed for the apply to
   * succeed: requests the server handles while a device is being enabled can fail with a 500 ("failed to
   * audit"), after the change may already be made, so the engine's retry finds "path is already in use".
   * @default false
   */
  readonly createApiDevice?: boolean;
}

/** The device as rendered: what goes in the server stanza and, if created, the API call. */
export interface AuditDeviceSpec {
  /** Device type. */
  readonly type: AuditDeviceType;
  /** Path (name) of the device in `sys/audit`. Default: `file`. */
  readonly name: string;
  /** Human-readable description. Default: `Platform audit log (cdktf-platform-trust)`. */
  readonly description: string;
  /** Options, string to string, in a fixed order. `log_raw` is never set (values stay HMAC'd). */
  readonly options: Readonly<Record<string, string>>;
}

const DEFAULT_DESCRIPTION = 'Platform audit log (cdktf-platform-trust)';
const FILE_PATH_RE = /^\/[A-Za-z0-9._\-/]+$/;

/** Validates the props and returns the device spec (pure). */
export function auditDeviceSpec(props: PlatformAuditProps = {}): AuditDeviceSpec {
  const type = props.auditDevice?.type ?? AuditDeviceType.FILE;
  if (type !== AuditDeviceType.FILE) {
    throw invalidOption(
      'Unsupported audit device type.',
      type,
      'use AuditDeviceType.FILE (path "stdout" writes to the server\'s standard output).',
    );
  }
  const name = validateName('audit device name', props.name ?? 'file');
  const filePath = props.auditDevice?.path ?? 'stdout';
  if (!isToken(filePath)) {
    if (filePath === 'discard') {
      throw invalidFilePath(
        'The audit file path "discard" writes no audit log.',
        filePath,
        'give an absolute path on the Vault server (for example "/var/log/openbao/audit.log") or "stdout".',
      );
    }
    if (filePath !== 'stdout' && (!FILE_PATH_RE.test(filePath) || filePath.split('/').some((s) => s === '..'))) {
      throw invalidFilePath(
        'The audit file path must be "stdout" or an absolute path on the Vault server made of letters, digits, ".", "_", "-" and "/", without "..".',
        filePath,
        'give a path such as "/var/log/openbao/audit.log" or "stdout".',
      );
    }
  }
  const mode = props.mode ?? '0600';
  if (!/^0[0-7]{3}$/.test(mode)) {
    throw invalidOption(
      'The audit file mode must be four octal digits starting with 0.',
      mode,
      'use "0600" (owner read/write).',
    );
  }
  if ([...mode.slice(1)].some((d) => (Number(d) & 1) === 1)) {
    throw invalidOption(
      'The audit file mode is executable; Vault refuses executable audit files.',
      mode,
      'use "0600" (or "0640" for a log shipper in the server\'s group).',
    );
  }
  const description = props.description ?? DEFAULT_DESCRIPTION;
  if (/["\\\n\r$%]/.test(description)) {
    throw unsafeText(
      'The audit description may not contain quotes, backslashes, line breaks, "$" or "%" (it is written into server configuration).',
      description,
      'use plain words.',
    );
  }
  const options: Record<string, string> = { file_path: filePath, format: 'json' };
  if (filePath !== 'stdout') options.mode = mode;
  return { type, name, description, options };
}

/**
 * Renders the VaultServer 2.x declarative audit stanza for the server configuration (HCL). Deterministic.
 * Values are validated by `auditDeviceSpec`, so no escaping beyond JSON string quoting is needed.
 */
export function renderAuditStanza(spec: AuditDeviceSpec): string {
  const width = Math.max(...Object.keys(spec.options).map((k) => k.length));
  const lines = [
    `audit ${JSON.stringify(spec.type)} ${JSON.stringify(spec.name)} {`,
    `  description = ${JSON.stringify(spec.description)}`,
    '  options {',
    ...Object.entries(spec.options).map(([k, v]) => `    ${k.padEnd(width)} = ${JSON.stringify(v)}`),
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The platform's audit device: always renders `serverAuditStanza`; creates a `vault_audit` resource
 * only with `createApiDevice: true` (see the module comment for which server needs which).
 */
export class PlatformAudit extends Construct {
  /** The device as rendered. */
  public readonly spec: AuditDeviceSpec;
  /**
   * The declarative server configuration stanza (VaultServer 2.x `audit "file" "<name>" { options { ... } }`).
   * Put it in the server configuration; a stack can expose it with a TerraformOutput.
   */
  public readonly serverAuditStanza: string;
  /** The API-created device, when `createApiDevice` is true. */
  public readonly apiDevice?: Audit;

  constructor(scope: Construct, id: string, props: PlatformAuditProps = {}) {
    super(scope, id);
    this.spec = auditDeviceSpec(props);
    this.serverAuditStanza = renderAuditStanza(this.spec);
    if (props.createApiDevice === true) {
      this.apiDevice = new Audit(this, 'Resource', {
        type: this.spec.type,
        path: this.spec.name,
        description: this.spec.description,
        options: { ...this.spec.options },
        // Disabling an audit device discards its HMAC salt: old log entries can no longer be matched.
        lifecycle: { preventDestroy: true },
      });
      Aspects.of(TerraformStack.of(this)).add(new AuditDeviceFirst(this.apiDevice));
    }
    this.node.addValidation({ validate: () => this.nameConflicts() });
  }

  /** Another PlatformAudit or `vault_audit` in the stack with the same device path. */
  private nameConflicts(): string[] {
    const name = this.spec.name;
    if (isToken(name)) return [];
    const others: string[] = [];
    for (const c of TerraformStack.of(this).node.findAll()) {
      if (c === this) continue;
      if (c instanceof PlatformAudit && c.spec.name === name) others.push(c.node.path);
      if (
        c instanceof TerraformResource &&
        c.terraformResourceType === 'vault_audit' &&
        !(c.node.scope instanceof PlatformAudit)
      ) {
        const found = Object.values(c.toTerraform()?.resource?.vault_audit ?? {}) as Array<{ path?: unknown }>;
        if (found.some((r) => r?.path === name)) others.push(c.node.path);
      }
    }
    return others.map(
      (other) =>
        duplicate(
          `audit device path: ${this.node.path} and ${other} both declare "${name}"`,
          name,
          'declare the platform audit device once per Vault server, or give each device its own name.',
        ).message,
    );
  }
}

/**
 * Makes every managed Vault resource of the stack that uses the device's provider depend on the device
 * (data sources are left alone: a dependency would defer their reads to apply time). Other audit devices
 * are left alone too, so two devices never wait on each other.
 */
class AuditDeviceFirst implements IAspect {
  constructor(private readonly device: Audit) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || node === this.device) return;
    if (!node.terraformResourceType.startsWith('vault_') || node.terraformResourceType === 'vault_audit') return;
    if (node.provider !== this.device.provider) return;
    // Read at synth, not at construction: the device's logical id may still be overridden until then.
    const address = `${this.device.terraformResourceType}.${this.device.friendlyUniqueId}`;
    const current = node.dependsOn ?? [];
    if (!current.includes(address)) node.dependsOn = [...current, address];
  }
}
