/**
 * The control plane's Vault identity: an AppRole login whose secret id arrives response-wrapped, a token renewed
 * before it expires, and a new login when it can no longer be renewed (its max TTL, a revoked token). Everything
 * the control plane asks Vault goes through `request`, which re-logs in once when the token itself was refused.
 *
 * A renewal or login that fails (Vault unreachable for a while, a refused login) is retried with bounded backoff
 * until one succeeds, with an `error` event per failed attempt. Meanwhile requests go on with the token held, as
 * long as its lease lasts; only once the lease has ended with no successful login do they fail with the last error.
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
  /**
   * Retry after a failed renewal or login: the first wait, doubled after each further failed attempt up to
   * `maxMs`, in milliseconds. Retries go on until a login succeeds or the session is closed.
   * @default - initialMs: 1000; maxMs: 30000
   */
  readonly retryBackoff?: {
    /**
     * Wait before the first retry, in milliseconds.
     * @default 1000
     */
    readonly initialMs?: number;
    /**
     * Longest wait between two attempts, in milliseconds.
     * @default 30000
     */
    readonly maxMs?: number;
  };
}

/** Events of an {@link AppRoleSession}. */
export interface AppRoleSessionEvents {
  /** A new token: `reason` is `start`, `max-ttl` (renewal capped), `renew-failed` or `token-refused`. */
  login: [
    {
      /**
       * Why the session logged in: `start`, `max-ttl` (renewal capped), `renew-failed` (not renewed, or the lease
       * ended) or `token-refused` (Vault refused the token). A retry after a failed attempt keeps that attempt's
       * reason.
       */
      reason: string;
      /** The new token's lease, in seconds (0: it does not expire). */
      leaseSeconds: number;
    },
  ];
  /** The token was renewed for `leaseSeconds`. */
  renewed: [
    {
      /** The renewed lease, in seconds (shorter than asked for when capped by the max TTL). */
      leaseSeconds: number;
    },
  ];
  /**
   * An attempt to get a valid token failed (a login after a failed renewal, at the max TTL, or a retry of one): one
   * event per failed attempt, and the session retries with backoff. Requests go on with the token held while its
   * lease lasts, and fail with the last such error once it has ended, until a login succeeds.
   */
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
  /** Whether `timer` is a retry after a failed attempt (rather than a planned renewal or login). */
  private retrying = false;
  /** Failed attempts since the last successful login (sets the backoff). */
  private failedAttempts = 0;
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

  /** Stops renewing (and retrying) and revokes the token (best effort). */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const token = this.token;
    this.token = '';
    if (token) await this.vault.request('POST', 'auth/token/revoke-self', { token }).catch(() => undefined);
  }

  /**
   * Waits for a login in progress. Within the held token's lease, that is all, whether the login succeeded or not:
   * a failed renewal or login is retried in the background. Once the lease has ended with no successful login,
   * a login of its own; when that fails, its error (the stored one).
   */
  private async ready(): Promise<void> {
    if (this.closed) throw new ControlPlaneError(Code.CLOSED, 'the AppRole session is closed', 'log in again');
    const joined = this.pendingLogin;
    if (joined) await joined.catch(() => undefined);
    if (Date.now() < this.leaseEndMs) return;
    // The login just joined failed: its error, without another attempt of this call's own.
    if (joined && this.failure) throw this.failure;
    await this.relogin('renew-failed');
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
      if (answer.status >= 500) {
        throw new ControlPlaneError(
          Code.VAULT_UNAVAILABLE,
          `AppRole login on auth/${this.options.mount} failed with a server error (HTTP ${answer.status}: ${vaultErrors(answer.body)})`,
          'check Vault health (sealed, standby, overloaded); the session retries',
          { status: answer.status },
        );
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
      this.failedAttempts = 0;
      this.emit('login', { reason, leaseSeconds: lease });
    } catch (e) {
      const error =
        e instanceof ControlPlaneError
          ? e
          : new ControlPlaneError(Code.LOGIN_FAILED, `AppRole login failed: ${String(e)}`, 'see the cause', {
              cause: e,
            });
      this.failure = error;
      this.failedAttempts++;
      // The first login is the caller's to retry (login() throws); later ones the session retries by itself.
      if (reason !== 'start') this.retryLater(reason);
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

  /** Runs `action` after `ms` (replacing what was scheduled); its failure is retried by `doLogin`. */
  private schedule(ms: number, action: () => Promise<void>, retry = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.retrying = retry;
    if (this.closed) return;
    const timer = setTimeout(() => {
      if (this.timer === timer) this.timer = undefined;
      if (!this.closed) void action().catch(() => undefined);
    }, ms);
    timer.unref();
    this.timer = timer;
  }

  /**
   * After a failed attempt: a login after the backoff wait (initial wait doubled per further failure, capped),
   * unless a retry is already scheduled.
   */
  private retryLater(reason: string): void {
    if (this.closed || (this.timer && this.retrying)) return;
    const initial = Math.max(1, this.options.retryBackoff?.initialMs ?? 1000);
    const max = Math.max(initial, this.options.retryBackoff?.maxMs ?? 30000);
    const wait = Math.min(max, initial * 2 ** Math.min(30, Math.max(0, this.failedAttempts - 1)));
    this.schedule(wait, () => this.relogin(reason), true);
  }

  /** Records a lease and schedules its renewal. */
  private accept(leaseSeconds: number): void {
    // A lease of 0 is a token that does not expire: nothing to renew.
    this.leaseEndMs = leaseSeconds > 0 ? Date.now() + leaseSeconds * 1000 : Infinity;
    if (leaseSeconds <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    const at = Math.max(100, leaseSeconds * 1000 * (this.options.renewAt ?? 0.66));
    this.schedule(at, () => this.renew(leaseSeconds));
  }

  private async renew(previousLeaseSeconds: number): Promise<void> {
    if (this.closed) return;
    const answer = await this.vault
      .request('POST', 'auth/token/renew-self', { token: this.token, body: { increment: `${previousLeaseSeconds}s` } })
      .catch(() => undefined);
    const lease = answer?.status === 200 ? answer.body?.auth?.lease_duration : undefined;
    if (typeof lease !== 'number') {
      // Not renewed (Vault unreachable, or the token refused): a login, retried with backoff when it fails.
      await this.relogin('renew-failed');
      return;
    }
    if (lease < previousLeaseSeconds) {
      // The max TTL caps the renewal: log in again before the token ends rather than renew it to nothing.
      this.leaseEndMs = Date.now() + lease * 1000;
      this.schedule(Math.max(50, lease * 1000 * (this.options.renewAt ?? 0.66)), () => this.relogin('max-ttl'));
      this.emit('renewed', { leaseSeconds: lease });
      return;
    }
    this.accept(lease);
    this.emit('renewed', { leaseSeconds: lease });
  }
}
