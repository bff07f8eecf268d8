/**
 * The control plane's task signer: signs node tasks through Vault transit with the active version that the stack
 * publishes in KV (the signing metadata), and follows an activation or a rollback without a restart.
 */
import { EventEmitter } from 'node:events';
import { AppRoleSession } from './approle-session';
import { ControlPlaneError, ControlPlaneErrorCode as Code, vaultErrors } from './errors';

/** What the stack publishes for the signer (`PlatformSecrets.writeSigningMetadata`). */
export interface SigningMetadata {
  /** Transit mount of the task signing key. */
  readonly transitMount: string;
  /** Transit key name. */
  readonly keyName: string;
  /** The version the control plane signs with (its policy pins `key_version` to it). */
  readonly activeVersion: number;
}

/** A signed task. */
export interface SignedTask {
  /** Vault's signature string, `vault:v<version>:<base64>`: what a node verifies (`verifyTaskWithBundle`). */
  readonly signature: string;
  /** The key version that signed. */
  readonly version: number;
}

/** Options of {@link TaskSigner.start}. */
export interface TaskSignerOptions {
  /** The control plane's logged-in AppRole session. */
  readonly session: AppRoleSession;
  /** KV v2 path of the signing metadata: the stack's `signing_metadata_path` output (`<kv>/data/signing/<key>`). */
  readonly metadataPath: string;
  /**
   * How often the metadata is read again, in milliseconds; a refused signature reads it at once as well.
   * @default 10000
   */
  readonly metadataRefreshMs?: number;
  /**
   * How long a refused signature is retried while an activation settles (one apply updates the metadata, the
   * policy's pinned version and Vault's floors, not all at the same instant), in milliseconds.
   * @default 5000
   */
  readonly settleMs?: number;
}

/** Events of a {@link TaskSigner}. */
export interface TaskSignerEvents {
  /** The published active version changed (an activation or a rollback). */
  'version-changed': [
    {
      /** The active version the signer used until now. */
      from: number;
      /** The active version it signs with from now on. */
      to: number;
    },
  ];
  /** Reading the metadata failed on the periodic refresh (the signer keeps the version it has). */
  error: [ControlPlaneError];
}

/** Signs node tasks with the published active version of the task signing key. */
export class TaskSigner extends EventEmitter<TaskSignerEvents> {
  /** Reads the signing metadata and starts following it. Throws SIGNING_METADATA (CP004) when it is unusable. */
  public static async start(options: TaskSignerOptions): Promise<TaskSigner> {
    const signer = new TaskSigner(options);
    await signer.refreshMetadata();
    signer.schedule();
    return signer;
  }

  private meta!: SigningMetadata;
  private signPath = '';
  private timer?: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: TaskSignerOptions) {
    super();
  }

  /** The metadata the signer follows now. */
  public get metadata(): SigningMetadata {
    return this.meta;
  }

  /**
   * Signs `message` (bytes, or a string as UTF-8) with the active version. When Vault refuses (the policy pins
   * another version, or the floors moved), the metadata is read again and the signature retried with the version it
   * names, for up to `settleMs`. Throws SIGN_REFUSED (CP005) when the refusal does not settle, VAULT_UNAVAILABLE
   * (CP001) when Vault does not answer.
   */
  public async sign(message: Uint8Array | string): Promise<SignedTask> {
    if (this.closed) throw new ControlPlaneError(Code.CLOSED, 'the task signer is closed', 'start a new one');
    const input = Buffer.from(typeof message === 'string' ? Buffer.from(message, 'utf8') : message).toString('base64');
    const deadline = Date.now() + (this.options.settleMs ?? 5000);
    let wait = 50;
    for (;;) {
      const version = this.meta.activeVersion;
      const answer = await this.options.session.request('POST', this.signPath, {
        input,
        key_version: String(version),
      });
      const signature = answer.body?.data?.signature;
      if (answer.status === 200 && typeof signature === 'string') {
        const named = /^vault:v([1-9][0-9]*):/.exec(signature);
        if (!named || Number(named[1]) !== version) {
          throw new ControlPlaneError(
            Code.SIGN_REFUSED,
            `Vault signed with ${named ? `version ${named[1]}` : 'an unnamed version'} where version ${version} was asked`,
            'check the transit key for a hand-made change; the signer never sends a signature it did not ask for',
          );
        }
        return { signature, version };
      }
      if (answer.status >= 500) {
        throw new ControlPlaneError(
          Code.VAULT_UNAVAILABLE,
          `Vault failed to sign (HTTP ${answer.status}: ${vaultErrors(answer.body)})`,
          'retry later; check Vault health',
          { status: answer.status },
        );
      }
      // 400 (a floor above the version) or 403 (the policy pins another version): an activation or a rollback.
      await this.refreshMetadata().catch(() => undefined);
      if (this.meta.activeVersion !== version) continue;
      if (Date.now() >= deadline) {
        throw new ControlPlaneError(
          Code.SIGN_REFUSED,
          `Vault refused to sign with ${this.meta.keyName} version ${version}, the published active version (HTTP ${answer.status}: ${vaultErrors(answer.body)})`,
          'check that the last apply finished: the signing metadata, the control-plane policy and the key floors must name the same active version',
          { status: answer.status },
        );
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 500);
    }
  }

  /** Reads the signing metadata now. Throws SIGNING_METADATA (CP004) when it is missing or malformed. */
  public async refreshMetadata(): Promise<SigningMetadata> {
    const answer = await this.options.session.request('GET', this.options.metadataPath);
    const data = answer.body?.data?.data;
    if (answer.status !== 200 || !data) {
      throw new ControlPlaneError(
        Code.SIGNING_METADATA,
        `the signing metadata at ${this.options.metadataPath} could not be read (HTTP ${answer.status}: ${vaultErrors(answer.body)})`,
        'pass the stack output signing_metadata_path; the control plane policy grants read on it',
        { status: answer.status },
      );
    }
    const meta = parseSigningMetadata(data);
    if (!meta) {
      throw new ControlPlaneError(
        Code.SIGNING_METADATA,
        `the signing metadata at ${this.options.metadataPath} is not what the stack writes (transit_mount, key_name, active_version)`,
        'write it with PlatformSecrets.writeSigningMetadata (PlatformTrustStack does)',
      );
    }
    const before = this.meta?.activeVersion;
    this.meta = meta;
    this.signPath = `${meta.transitMount}/sign/${meta.keyName}`;
    if (before !== undefined && before !== meta.activeVersion) {
      this.emit('version-changed', { from: before, to: meta.activeVersion });
    }
    return meta;
  }

  /** Stops following the metadata (the session is the caller's to close). */
  public close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.refreshMetadata()
        .catch((e: ControlPlaneError) => {
          if (this.listenerCount('error') > 0) this.emit('error', e);
        })
        .finally(() => this.schedule());
    }, this.options.metadataRefreshMs ?? 10000);
    this.timer.unref();
  }
}

/** The metadata's fields, or undefined when they are not what the stack writes. */
export function parseSigningMetadata(data: Record<string, unknown>): SigningMetadata | undefined {
  const { transit_mount: mount, key_name: key, active_version: raw } = data;
  const version =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : NaN;
  if (typeof mount !== 'string' || !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(mount)) return undefined;
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(key)) return undefined;
  if (!Number.isInteger(version) || version < 1) return undefined;
  return { transitMount: mount, keyName: key, activeVersion: version };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
