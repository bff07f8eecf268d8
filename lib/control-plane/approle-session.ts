/**
 * The control plane's Vault identity: an AppRole login whose secret id arrives response-wrapped, a token renewed
 * before it expires, and a new login when it can no longer be renewed (its max TTL, a revoked token). Everything
 * the control plane asks Vault goes through `request`, which re-logs in once when the token itself was refused.
 */
import { EventEmitter } from 'node:events';
import { ControlPlaneError, ControlPlaneErrorCode as Code, vaultErrors } from './errors';
import { VaultAnswer, VaultHttp } from './vault-http';

/** How the control plane logs in. */
export interface AppRoleLoginOptions {
  /** The AppRole auth mount: the stack's `control_plane_approle_mount` output. */
  readonly mount: string;
  /** The role id: the stack's `control_plane_role_id` output (not a secret). */
  readonly roleId: string;
  /**
   * Returns a response-wrapping token whose wrapped data holds `secret_id` (deploy tooling creates it with
   * `X-Vault-Wrap-TTL` on `auth/<mount>/role/<role>/secret-id` and hands it over). Called once at start, and again
   * only when Vault refuses the secret id held in memory (its TTL or its number of uses ran out).
   */
  readonly wrappedSecretId: () => string | Promise<string>;
}

/** Options of {@link AppRoleSession.login}. */
export interface AppRoleSessionOptions extends AppRoleLoginOptions {
  /** The Vault transport. */
  readonly vault: VaultHttp;
  /**
   * Renew the token when this fraction of its lease has passed.
   * @default 0.66
   */
  readonly renewAt?: number;
}

/** Events of an {@link AppRoleSession}. */
export interface AppRoleSessionEvents {
  /** A new token: `reason` is `start`, `max-ttl` (renewal capped), `renew-failed` or `token-refused`. */
  login: [{ reason: string; leaseSeconds: number }];
  /** The token was renewed for `leaseSeconds`. */
  renewed: [{ leaseSeconds: number }];
  /** A failure the session could not recover from; requests fail with it until a login succeeds. */
  error: [ControlPlaneError];
}

/** A logged-in AppRole identity that keeps its token valid. */
export class AppRoleSession extends EventEmitter<AppRoleSessionEvents> {
  /**
   * Unwraps the secret id, logs in and starts renewing. Throws UNWRAP_FAILED (CP002) when the wrapping token is
   * not valid (expired, or unwrapped by someone else: treat that as an intercepted secret id), LOGIN_FAILED (CP003)
   * when the login is refused, VAULT_UNAVAILABLE (CP001) when Vault does not answer.
   */
  public static async login(options: AppRoleSessionOptions): Promise<AppRoleSession> {
    const session = new AppRoleSession(options);
    await session.relogin('start');
    return session;
  }

  private token = '';
  private secretId?: string;
  private leaseEndMs = 0;
  private timer?: NodeJS.Timeout;
  private pendingLogin?: Promise<void>;
  private closed = false;
  private failure?: ControlPlaneError;

  private constructor(private readonly options: AppRoleSessionOptions) {
    super();
  }

  /** The Vault transport. */
  public get vault(): VaultHttp {
    return this.options.vault;
  }

  /** When the current token's lease ends (renewal moves it). */
  public get leaseEnd(): Date {
    return new Date(this.leaseEndMs);
  }

  /**
   * Sends a request with the session's token. When Vault answers 403 and the token itself turns out to be invalid
   * (`auth/token/lookup-self` is refused too), logs in again and repeats the request once. Other answers are
   * returned as they are.
   */
  public async request(method: string, apiPath: string, body?: unknown): Promise<VaultAnswer> {
    await this.ready();
    const token = this.token;
    const first = await this.vault.request(method, apiPath, { token, body });
    if (first.status !== 403) return first;
    // Ask about the token that was refused, not the one held now: a concurrent call may have logged in meanwhile,
    // and then this call only needs to repeat its request with the new token.
    if (this.token === token) {
      const self = await this.vault.request('GET', 'auth/token/lookup-self', { token });
      if (self.status !== 403) return first;
      if (this.token === token) await this.relogin('token-refused');
    }
    await this.ready();
    return this.vault.request(method, apiPath, { token: this.token, body });
  }

  /** Stops renewing and revokes the token (best effort). */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const token = this.token;
    this.token = '';
    if (token) await this.vault.request('POST', 'auth/token/revoke-self', { token }).catch(() => undefined);
  }

  private async ready(): Promise<void> {
    if (this.closed) throw new ControlPlaneError(Code.CLOSED, 'the AppRole session is closed', 'log in again');
    if (this.pendingLogin) await this.pendingLogin;
    if (Date.now() >= this.leaseEndMs) await this.relogin('renew-failed');
    if (this.failure) throw this.failure;
  }

  /** One login at a time; concurrent callers wait for it. */
  private relogin(reason: string): Promise<void> {
    if (!this.pendingLogin) {
      this.pendingLogin = this.doLogin(reason).finally(() => (this.pendingLogin = undefined));
    }
    return this.pendingLogin;
  }

  private async doLogin(reason: string): Promise<void> {
    try {
      let answer = this.secretId ? await this.loginWith(this.secretId) : undefined;
      if (!answer || answer.status === 400 || answer.status === 403) {
        // The held secret id is refused (or there is none yet): a fresh one from the wrapping token.
        this.secretId = await this.unwrapSecretId();
        answer = await this.loginWith(this.secretId);
      }
      if (answer.status !== 200 || !answer.body?.auth?.client_token) {
        throw new ControlPlaneError(
          Code.LOGIN_FAILED,
          `AppRole login on auth/${this.options.mount} was refused (HTTP ${answer.status}: ${vaultErrors(answer.body)})`,
          'check the role id (output control_plane_role_id), the secret id and any CIDR binding of the role',
          { status: answer.status },
        );
      }
      const lease = answer.body.auth.lease_duration ?? 0;
      this.token = answer.body.auth.client_token;
      this.accept(lease);
      this.failure = undefined;
      this.emit('login', { reason, leaseSeconds: lease });
    } catch (e) {
      const error =
        e instanceof ControlPlaneError
          ? e
          : new ControlPlaneError(Code.LOGIN_FAILED, `AppRole login failed: ${String(e)}`, 'see the cause', {
              cause: e,
            });
      this.failure = error;
      if (this.listenerCount('error') > 0) this.emit('error', error);
      throw error;
    }
  }

  private loginWith(secretId: string): Promise<VaultAnswer> {
    return this.vault.request('POST', `auth/${this.options.mount}/login`, {
      body: { role_id: this.options.roleId, secret_id: secretId },
    });
  }

  private async unwrapSecretId(): Promise<string> {
    const wrapping = await this.options.wrappedSecretId();
    const answer = await this.vault.request('POST', 'sys/wrapping/unwrap', { token: wrapping });
    const secretId = answer.body?.data?.secret_id;
    if (answer.status !== 200 || typeof secretId !== 'string') {
      throw new ControlPlaneError(
        Code.UNWRAP_FAILED,
        `the response-wrapped secret id could not be unwrapped (HTTP ${answer.status}: ${vaultErrors(answer.body) || 'no secret_id in the wrapped data'})`,
        'issue a new wrapped secret id; if nobody else unwrapped this one, treat it as intercepted: revoke the secret ids of the role (auth/<mount>/role/<role>/secret-id-accessor/destroy) and investigate',
        { status: answer.status },
      );
    }
    return secretId;
  }

  /** Records a lease and schedules its renewal. */
  private accept(leaseSeconds: number): void {
    if (this.timer) clearTimeout(this.timer);
    // A lease of 0 is a token that does not expire: nothing to renew.
    this.leaseEndMs = leaseSeconds > 0 ? Date.now() + leaseSeconds * 1000 : Infinity;
    if (this.closed || leaseSeconds <= 0) return;
    const at = Math.max(100, leaseSeconds * 1000 * (this.options.renewAt ?? 0.66));
    this.timer = setTimeout(() => void this.renew(leaseSeconds).catch(() => undefined), at);
    this.timer.unref();
  }

  private async renew(previousLeaseSeconds: number): Promise<void> {
    if (this.closed) return;
    const answer = await this.vault
      .request('POST', 'auth/token/renew-self', { token: this.token, body: { increment: `${previousLeaseSeconds}s` } })
      .catch(() => undefined);
    const lease = answer?.status === 200 ? answer.body?.auth?.lease_duration : undefined;
    if (typeof lease !== 'number') {
      await this.relogin('renew-failed').catch(() => undefined);
      return;
    }
    if (lease < previousLeaseSeconds) {
      // The max TTL caps the renewal: log in again before the token ends rather than renew it to nothing.
      this.leaseEndMs = Date.now() + lease * 1000;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(
        () => void this.relogin('max-ttl').catch(() => undefined),
        Math.max(50, lease * 1000 * (this.options.renewAt ?? 0.66)),
      );
      this.timer.unref();
      this.emit('renewed', { leaseSeconds: lease });
      return;
    }
    this.accept(lease);
    this.emit('renewed', { leaseSeconds: lease });
  }
}
