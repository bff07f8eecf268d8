/**
 * A real Vault-API server for integration tests (OpenBao, or HashiCorp Vault where OpenBao cannot be built; see scripts/toolchain.sh): dev mode (in-memory) or file storage, on a free
 * 127.0.0.1 port, with a random root token. Address and token reach the engine only through the
 * environment of the processes we start.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { toolchain } from './toolchain';
import { logTail, stopProcess } from './processes';

export interface VaultResponse<T = any> {
  readonly status: number;
  readonly body: T;
}

/** A minimal Vault HTTP API client (the same API the control plane uses). */
export class VaultClient {
  constructor(
    public readonly addr: string,
    public readonly token: string,
  ) {}

  /** Sends a request; returns status and parsed body, never throws on HTTP errors. */
  public async request<T = any>(method: string, apiPath: string, body?: unknown): Promise<VaultResponse<T>> {
    const res = await fetch(`${this.addr}/v1/${apiPath.replace(/^\//, '')}`, {
      method,
      headers: { 'X-Vault-Token': this.token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  }

  public read<T = any>(apiPath: string) {
    return this.request<T>('GET', apiPath);
  }
  public write<T = any>(apiPath: string, body: unknown = {}) {
    return this.request<T>('POST', apiPath, body);
  }
  public list<T = any>(apiPath: string) {
    return this.request<T>('LIST', apiPath);
  }
  public delete<T = any>(apiPath: string) {
    return this.request<T>('DELETE', apiPath);
  }

  /** A client for another token on the same server. */
  public as(token: string): VaultClient {
    return new VaultClient(this.addr, token);
  }

  /** Logs in with AppRole; returns a client holding the resulting token. */
  public async loginAppRole(mount: string, roleId: string, secretId: string): Promise<VaultClient> {
    const res = await this.as('').write(`auth/${mount}/login`, { role_id: roleId, secret_id: secretId });
    if (res.status !== 200) throw new Error(`AppRole login failed (${res.status}): ${JSON.stringify(res.body)}`);
    return this.as(res.body.auth.client_token);
  }

  /**
   * As an operator's deploy tooling does: mints a secret id for the stack's control-plane AppRole role (this client
   * needs the right to) and logs in with it, from the stack's outputs. Returns the control plane's client.
   */
  public async loginControlPlane(outputs: Record<string, any>, roleName: string): Promise<VaultClient> {
    const mount = outputs.control_plane_approle_mount;
    const secretId = await this.write(`auth/${mount}/role/${roleName}/secret-id`);
    if (secretId.status !== 200)
      throw new Error(`secret-id failed (${secretId.status}): ${JSON.stringify(secretId.body)}`);
    return this.loginAppRole(mount, outputs.control_plane_role_id, secretId.body.data.secret_id);
  }

  /** Creates a token bound to the given policies (no default policy unless listed). */
  public async tokenWithPolicies(policies: string[]): Promise<VaultClient> {
    const res = await this.write('auth/token/create', { policies, no_default_policy: true, ttl: '1h' });
    if (res.status !== 200) throw new Error(`token create failed (${res.status}): ${JSON.stringify(res.body)}`);
    return this.as(res.body.auth.client_token);
  }
}

export interface VaultServerOptions {
  /**
   * Use persistent file storage in this directory instead of dev mode's memory (the server then needs
   * init and unseal, which start() does, keeping the unseal key in the returned server).
   */
  readonly fileStorageDir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A running Vault-API server. Always call stop() (tests do it in afterAll). */
export class VaultServer {
  public static async start(options: VaultServerOptions = {}): Promise<VaultServer> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bao-'));
    const addr = `http://127.0.0.1:${port}`;
    const auditDir = path.join(dir, 'audit');
    fs.mkdirSync(auditDir);
    const config = [
      // Current VaultServer refuses API-created audit devices unless the server opts in.
      'unsafe_allow_api_audit_creation = true',
      ...(options.fileStorageDir
        ? [
            `storage "file" { path = ${JSON.stringify(options.fileStorageDir)} }`,
            `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}`,
            'disable_mlock = true',
            `api_addr = "${addr}"`,
          ]
        : []),
    ].join('\n');
    const configPath = path.join(dir, 'config.hcl');
    fs.writeFileSync(configPath, config);
    const rootToken = `root-${randomBytes(16).toString('hex')}`;
    const args = options.fileStorageDir
      ? ['server', `-config=${configPath}`]
      : [
          'server',
          '-dev',
          `-dev-root-token-id=${rootToken}`,
          `-dev-listen-address=127.0.0.1:${port}`,
          `-config=${configPath}`,
        ];
    const logPath = path.join(dir, 'server.log');
    const log = fs.openSync(logPath, 'a');
    const child = spawn(toolchain().bao, args, {
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '', HOME: dir, BAO_ADDR: addr, VAULT_ADDR: addr },
      detached: false,
    });
    fs.closeSync(log);
    const server = new VaultServer(addr, rootToken, child, dir, logPath, auditDir, options);
    try {
      await server.waitUntilUp();
      if (options.fileStorageDir) await server.initAndUnseal();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  private unsealKey?: string;
  private exited = false;
  public token: string;

  private constructor(
    public readonly addr: string,
    token: string,
    private readonly child: ChildProcess,
    public readonly dir: string,
    public readonly logPath: string,
    /** A directory the tests may use for file audit devices. */
    public readonly auditDir: string,
    private readonly options: VaultServerOptions,
  ) {
    this.token = token;
    child.on('exit', () => {
      this.exited = true;
    });
  }

  /** A client holding the root token. */
  public get root(): VaultClient {
    return new VaultClient(this.addr, this.token);
  }

  /** Environment for the engine: address and token only through the environment. */
  public get env(): NodeJS.ProcessEnv {
    return { VAULT_ADDR: this.addr, VAULT_TOKEN: this.token };
  }

  private async waitUntilUp(timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`VaultServer exited during start-up:\n${this.tail()}`);
      try {
        const res = await fetch(`${this.addr}/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`VaultServer did not become healthy within ${timeoutMs} ms:\n${this.tail()}`);
  }

  private async initAndUnseal(): Promise<void> {
    const health: any = await (await fetch(`${this.addr}/v1/sys/health?sealedcode=200&uninitcode=200`)).json();
    if (!health.initialized) {
      const res = await fetch(`${this.addr}/v1/sys/init`, {
        method: 'POST',
        body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }),
      });
      const body: any = await res.json();
      if (res.status !== 200) throw new Error(`init failed: ${JSON.stringify(body)}`);
      this.unsealKey = body.keys_base64[0];
      this.token = body.root_token;
      fs.writeFileSync(
        path.join(this.options.fileStorageDir!, '.test-unseal.json'),
        JSON.stringify({ key: this.unsealKey, token: this.token }),
      );
    } else {
      const saved = JSON.parse(fs.readFileSync(path.join(this.options.fileStorageDir!, '.test-unseal.json'), 'utf8'));
      this.unsealKey = saved.key;
      this.token = saved.token;
    }
    const res = await fetch(`${this.addr}/v1/sys/unseal`, {
      method: 'POST',
      body: JSON.stringify({ key: this.unsealKey }),
    });
    if (res.status !== 200) throw new Error(`unseal failed: ${await res.text()}`);
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      const r = await fetch(`${this.addr}/v1/sys/health`);
      if (r.status === 200) return;
      await new Promise((r2) => setTimeout(r2, 100));
    }
    throw new Error(`VaultServer did not become active after unseal:\n${this.tail()}`);
  }

  /** Last lines of the server log, for error messages. */
  public tail(lines = 40): string {
    return logTail(this.logPath, lines, '(no server log)');
  }

  /** Stops the server and removes its temp directory (not a file storage directory given by the caller). */
  public async stop(): Promise<void> {
    if (!this.exited) await stopProcess(this.child, 'SIGTERM', 5000);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
