/**
 * A small Vault HTTP API transport over node:http / node:https with keep-alive connections: JSON in, JSON out.
 * It never logs or throws a response body (bodies may hold secrets); errors carry Vault's `errors` text only.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ControlPlaneError, ControlPlaneErrorCode as Code } from './errors';

/** Where Vault is and how to reach it. */
export interface VaultHttpOptions {
  /** Vault's address, `https://vault.example.internal:8200` (http only for a local dev server). */
  readonly address: string;
  /**
   * CA certificates (PEM) that Vault's TLS certificate chains to.
   * @default - the runtime's default trust store
   */
  readonly ca?: string;
  /**
   * Vault namespace (Vault Enterprise), sent as `X-Vault-Namespace`.
   * @default - none
   */
  readonly namespace?: string;
  /**
   * Request timeout in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Most connections kept open to Vault.
   * @default 16
   */
  readonly maxSockets?: number;
}

/** The parts of a Vault response body the control plane reads (everything else is left unread). */
export interface VaultBody {
  /** The answer's data (a secret, a signature, a token lookup). */
  readonly data?: {
    readonly [field: string]: unknown;
    /** KV v2: the secret's data. */
    readonly data?: { readonly [field: string]: unknown };
  };
  /** Login and token renewal answers: the token and its lease. */
  readonly auth?: {
    /** The token. */
    readonly client_token?: string;
    /** The token's lease, in seconds (0: it does not expire). */
    readonly lease_duration?: number;
    /** Whether the token can be renewed. */
    readonly renewable?: boolean;
  };
  /** Vault's error messages, on a failed request. */
  readonly errors?: readonly string[];
}

/** A Vault answer: status and parsed body (undefined when empty or not JSON). */
export interface VaultAnswer {
  /** HTTP status. */
  readonly status: number;
  /** The parsed JSON body; undefined when empty or not JSON. */
  readonly body: VaultBody | undefined;
}

/** A Vault HTTP transport with its own keep-alive connection pool. */
export class VaultHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly lib: typeof http | typeof https;
  private readonly timeoutMs: number;

  constructor(private readonly options: VaultHttpOptions) {
    this.base = new URL(options.address);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new TypeError(`VaultHttp: address must be an http(s) URL, got ${JSON.stringify(options.address)}`);
    }
    const tls = this.base.protocol === 'https:';
    this.lib = tls ? https : http;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    this.agent = tls ? new https.Agent({ ...agentOptions, ca: options.ca }) : new http.Agent(agentOptions);
    this.timeoutMs = options.timeoutMs ?? 10000;
  }

  /** Vault's address as given. */
  public get address(): string {
    return this.options.address;
  }

  /**
   * Sends `method /v1/<apiPath>` with `token` (if any) and `body` (JSON, if any). Resolves with every HTTP status;
   * rejects with VAULT_UNAVAILABLE (CP001) when Vault cannot be reached or times out.
   */
  public request(
    method: string,
    apiPath: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<VaultAnswer> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.token) headers['X-Vault-Token'] = options.token;
    if (this.options.namespace) headers['X-Vault-Namespace'] = this.options.namespace;
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const pathPrefix = this.base.pathname.replace(/\/+$/, '');
    return new Promise((resolve, reject) => {
      const req = this.lib.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port || undefined,
          method,
          path: `${pathPrefix}/v1/${apiPath.replace(/^\/+/, '')}`,
          headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(unavailable(method, apiPath, e)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: VaultBody | undefined = undefined;
            if (text) {
              try {
                body = JSON.parse(text) as VaultBody;
              } catch {
                body = undefined;
              }
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(unavailable(method, apiPath, e)));
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  public close(): void {
    this.agent.destroy();
  }
}

function unavailable(method: string, apiPath: string, cause: Error): ControlPlaneError {
  return new ControlPlaneError(
    Code.VAULT_UNAVAILABLE,
    `Vault did not answer ${method} ${apiPath}: ${cause.message}`,
    'check that Vault is reachable from the control plane (address, TLS trust, network); the call can be retried',
    { cause },
  );
}
