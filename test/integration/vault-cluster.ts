/**
 * A highly available Vault-API server for integration tests: three nodes of the toolchain's server binary with
 * integrated storage (raft), TLS on every listener, all on 127.0.0.1 with free ports. The certificates are made by the
 * test with the tls provider (a CA and one server certificate for 127.0.0.1 and localhost, applied by the real engine
 * into a temp directory); the cluster is initialized with Shamir keys held in memory (3 shares, threshold 2) and each
 * node unsealed with them. Always call stop() (tests do it in afterAll).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { SelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert';
import { toolchain } from './toolchain';
import { VaultResponse, freePort } from './vault-server';
import { Workspace } from './workspace';
import { logTail, stopProcess } from './processes';

export interface TestCertificates {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA and a server certificate for 127.0.0.1 / localhost, made by the tls provider with the real engine. */
export async function makeCertificates(): Promise<TestCertificates> {
  const ws = Workspace.create('pt-ha-certs-');
  try {
    ws.synth((app: App) => {
      const stack = new TerraformStack(app, 'certs');
      new TlsProvider(stack, 'tls', {});
      const caKey = new PrivateKey(stack, 'CaKey', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
      const ca = new SelfSignedCert(stack, 'Ca', {
        privateKeyPem: caKey.privateKeyPem,
        subject: [{ commonName: 'platform-trust test CA' }],
        isCaCertificate: true,
        validityPeriodHours: 24,
        allowedUses: ['cert_signing', 'crl_signing'],
      });
      const key = new PrivateKey(stack, 'ServerKey', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
      const csr = new CertRequest(stack, 'ServerCsr', {
        privateKeyPem: key.privateKeyPem,
        subject: [{ commonName: 'vault.localhost' }],
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      });
      const cert = new LocallySignedCert(stack, 'Server', {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: 24,
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
      });
      new TerraformOutput(stack, 'ca', { value: ca.certPem, staticId: true });
      new TerraformOutput(stack, 'cert', { value: cert.certPem, staticId: true });
      new TerraformOutput(stack, 'key', { value: key.privateKeyPem, sensitive: true, staticId: true });
      return stack;
    });
    await ws.apply();
    const out = await ws.outputs();
    return { caPem: out.ca, certPem: out.cert, keyPem: out.key };
  } finally {
    ws.dispose();
  }
}

/** The Vault HTTP API over TLS trusting only the test CA (Node's fetch takes no CA; https.request does). */
export class TlsVaultClient {
  constructor(
    public readonly addr: string,
    public readonly token: string,
    private readonly ca: string,
  ) {}

  public request<T = any>(method: string, apiPath: string, body?: unknown): Promise<VaultResponse<T>> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.addr}/v1/${apiPath.replace(/^\//, '')}`,
        {
          method,
          ca: this.ca,
          agent: false,
          headers: { 'X-Vault-Token': this.token, 'Content-Type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let parsed: any = undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      req.setTimeout(10000, () => req.destroy(new Error(`${method} ${apiPath}: no answer within 10 s`)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  public read<T = any>(apiPath: string) {
    return this.request<T>('GET', apiPath);
  }
  public write<T = any>(apiPath: string, body: unknown = {}) {
    return this.request<T>('POST', apiPath, body);
  }
  public as(token: string): TlsVaultClient {
    return new TlsVaultClient(this.addr, token, this.ca);
  }

  /** Logs in with AppRole; returns a client holding the resulting token. */
  public async loginAppRole(mount: string, roleId: string, secretId: string): Promise<TlsVaultClient> {
    const res = await this.as('').write(`auth/${mount}/login`, { role_id: roleId, secret_id: secretId });
    if (res.status !== 200) throw new Error(`AppRole login failed (${res.status}): ${JSON.stringify(res.body)}`);
    return this.as(res.body.auth.client_token);
  }
}

/** One node of the cluster. */
export class ClusterNode {
  private exited = false;
  constructor(
    public readonly name: string,
    public readonly addr: string,
    public readonly child: ChildProcess,
    public readonly logPath: string,
  ) {
    child.on('exit', () => (this.exited = true));
  }

  public get running(): boolean {
    return !this.exited;
  }

  /** Kills the node at once (SIGKILL), as a crashed machine would stop. */
  public async kill(): Promise<void> {
    if (this.exited) return;
    await stopProcess(this.child, 'SIGKILL', 0);
  }

  public async stop(): Promise<void> {
    if (this.exited) return;
    await stopProcess(this.child, 'SIGTERM', 5000);
  }

  public tail(lines = 30): string {
    return logTail(this.logPath, lines, '(no log)');
  }
}

export class VaultCluster {
  public static async start(size = 3): Promise<VaultCluster> {
    const certs = await makeCertificates();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-ha-'));
    const files = {
      ca: path.join(dir, 'ca.pem'),
      cert: path.join(dir, 'server.pem'),
      key: path.join(dir, 'server.key'),
    };
    fs.writeFileSync(files.ca, certs.caPem);
    fs.writeFileSync(files.cert, certs.certPem);
    fs.writeFileSync(files.key, certs.keyPem, { mode: 0o600 });
    const ports: Array<{ api: number; cluster: number }> = [];
    while (ports.length < size) {
      const [api, cluster] = [await freePort(), await freePort()];
      const used = ports.flatMap((p) => [p.api, p.cluster]);
      if (api !== cluster && !used.includes(api) && !used.includes(cluster)) ports.push({ api, cluster });
    }
    const cluster = new VaultCluster(dir, files.ca, certs);
    try {
      for (let i = 0; i < size; i++) {
        const name = `n${i + 1}`;
        const data = path.join(dir, name);
        fs.mkdirSync(data);
        const config = [
          'disable_mlock = true',
          'ui = false',
          `api_addr = "https://127.0.0.1:${ports[i].api}"`,
          `cluster_addr = "https://127.0.0.1:${ports[i].cluster}"`,
          // Elections in about a second instead of five: a test waits for fail-over.
          `storage "raft" {\n  path = ${JSON.stringify(data)}\n  node_id = "${name}"\n  performance_multiplier = 1\n}`,
          `listener "tcp" {\n  address = "127.0.0.1:${ports[i].api}"\n  cluster_address = "127.0.0.1:${ports[i].cluster}"\n` +
            `  tls_cert_file = ${JSON.stringify(files.cert)}\n  tls_key_file = ${JSON.stringify(files.key)}\n}`,
        ].join('\n');
        const configPath = path.join(dir, `${name}.hcl`);
        fs.writeFileSync(configPath, config);
        const logPath = path.join(dir, `${name}.log`);
        const log = fs.openSync(logPath, 'a');
        const child = spawn(toolchain().bao, ['server', `-config=${configPath}`], {
          stdio: ['ignore', log, log],
          env: { PATH: process.env.PATH ?? '', HOME: dir },
        });
        fs.closeSync(log);
        cluster.nodes.push(new ClusterNode(name, `https://127.0.0.1:${ports[i].api}`, child, logPath));
      }
      await cluster.initAndUnseal();
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  public readonly nodes: ClusterNode[] = [];
  public token = '';
  private unsealKeys: string[] = [];

  private constructor(
    public readonly dir: string,
    /** Path of the CA certificate file (for VAULT_CACERT). */
    public readonly caFile: string,
    public readonly certs: TestCertificates,
  ) {}

  /** A client of one node holding the root token. */
  public client(node: ClusterNode, token = this.token): TlsVaultClient {
    return new TlsVaultClient(node.addr, token, this.certs.caPem);
  }

  /** Environment for the engine talking to `node`: address, CA and token only through the environment. */
  public env(node: ClusterNode | string): NodeJS.ProcessEnv {
    return {
      VAULT_ADDR: typeof node === 'string' ? node : node.addr,
      VAULT_CACERT: this.caFile,
      VAULT_TOKEN: this.token,
    };
  }

  /** `sys/health` of a node: "active", "standby", "sealed", "uninitialized" or "down". */
  public async health(node: ClusterNode): Promise<string> {
    if (!node.running) return 'down';
    try {
      const res = await this.client(node, '').read('sys/health?perfstandbyok=false');
      return (
        { 200: 'active', 429: 'standby', 472: 'standby', 473: 'standby', 501: 'uninitialized', 503: 'sealed' }[
          res.status
        ] ?? `status ${res.status}`
      );
    } catch {
      return 'down';
    }
  }

  /** Waits until exactly one running node is active and every other running node is an unsealed standby. */
  public async waitForQuorum(timeoutMs = 90000): Promise<{ active: ClusterNode; standbys: ClusterNode[] }> {
    const deadline = Date.now() + timeoutMs;
    let states: string[] = [];
    while (Date.now() < deadline) {
      const running = this.nodes.filter((n) => n.running);
      states = await Promise.all(running.map((n) => this.health(n)));
      const active = running.filter((_, i) => states[i] === 'active');
      if (active.length === 1 && states.every((s) => s === 'active' || s === 'standby')) {
        return { active: active[0], standbys: running.filter((n) => n !== active[0]) };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `the cluster did not settle within ${timeoutMs} ms: ${this.nodes.map((n, i) => `${n.name} ${states[i] ?? 'down'}`).join(', ')}\n` +
        this.nodes.map((n) => `--- ${n.name}\n${n.tail()}`).join('\n'),
    );
  }

  private async waitFor(node: ClusterNode, wanted: string[], timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let state = '';
    while (Date.now() < deadline) {
      state = await this.health(node);
      if (wanted.includes(state)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${node.name} is ${state}, not ${wanted.join(' or ')}, after ${timeoutMs} ms:\n${node.tail()}`);
  }

  private async unseal(node: ClusterNode): Promise<void> {
    for (const key of this.unsealKeys.slice(0, 2)) {
      const res = await this.client(node, '').write('sys/unseal', { key });
      if (res.status !== 200)
        throw new Error(`unseal of ${node.name} failed (${res.status}): ${JSON.stringify(res.body)}`);
    }
  }

  private async initAndUnseal(): Promise<void> {
    const [first, ...rest] = this.nodes;
    await this.waitFor(first, ['uninitialized']);
    const init = await this.client(first, '').write('sys/init', { secret_shares: 3, secret_threshold: 2 });
    if (init.status !== 200) throw new Error(`init failed (${init.status}): ${JSON.stringify(init.body)}`);
    this.unsealKeys = init.body.keys_base64;
    this.token = init.body.root_token;
    await this.unseal(first);
    await this.waitFor(first, ['active']);
    // Autopilot promotes a joined node to voter after the stabilization time (10 s by default): shorten it.
    const autopilot = await this.client(first).write('sys/storage/raft/autopilot/configuration', {
      server_stabilization_time: '1s',
    });
    if (autopilot.status >= 300) throw new Error(`autopilot configuration failed: ${JSON.stringify(autopilot.body)}`);
    // The others join the first node (its API address, trusting the test CA), then are unsealed with the same keys
    // (the join's challenge is encrypted under the cluster's keys).
    for (const node of rest) {
      await this.waitFor(node, ['uninitialized', 'sealed']);
      const join = await this.client(node, '').write('sys/storage/raft/join', {
        leader_api_addr: first.addr,
        leader_ca_cert: this.certs.caPem,
      });
      if (join.status !== 200 || join.body?.joined !== true) {
        throw new Error(`${node.name} could not join (${join.status}): ${JSON.stringify(join.body)}`);
      }
      await this.unseal(node);
    }
    await this.waitForQuorum();
    // Every node a voter, so the cluster keeps a quorum when one is killed.
    const deadline = Date.now() + 60000;
    let servers: any[] = [];
    while (Date.now() < deadline) {
      const peers = await this.client(first).read('sys/storage/raft/configuration');
      servers = peers.body?.data?.config?.servers ?? [];
      if (servers.length === this.nodes.length && servers.every((s) => s.voter)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`expected ${this.nodes.length} raft voters, got ${JSON.stringify(servers)}`);
  }

  /** Stops every node and removes the temp directory. */
  public async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
