/**
 * A control plane and a fleet of node agents in one process, against a real Vault-API server and the stack the
 * real engine applied: the control plane logs in with its AppRole (secret id response-wrapped), signs tasks with
 * the TaskSigner and serves the bundle over HTTPS (node client certificates required) with the bundle handler; each
 * simulated node runs its own BundleAgent (own state directory, own trust files, own node certificate issued through
 * the node-cert PKI role, own TLS connection). Used by test/integration/fleet.test.ts and by `npm run bench`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AppRoleSession,
  TaskSigner,
  VaultBundleSource,
  VaultHttp,
  createBundleHandler,
  nodeClientTlsOptions,
} from '../../lib/control-plane';
import { BundleAgent, BundleAgentEvent } from '../../lib/node';

/** Outputs of the applied stack that the control plane is configured with. */
export interface ControlPlaneConfig {
  readonly vaultAddr: string;
  /** A token allowed to create a wrapped secret id (deploy tooling; the tests use the root token). */
  readonly deployToken: string;
  readonly env: string;
  readonly host: string;
  readonly outputs: Record<string, any>;
}

/** The control plane of the test: signer, bundle source and HTTPS server. */
export class ControlPlane {
  public static async start(config: ControlPlaneConfig): Promise<ControlPlane> {
    const vault = new VaultHttp({ address: config.vaultAddr });
    const mount = config.outputs.control_plane_approle_mount;
    const role = `${config.env}-control-plane`;
    const wrappedSecretId = async () => {
      const res = await fetch(`${config.vaultAddr}/v1/auth/${mount}/role/${role}/secret-id`, {
        method: 'POST',
        headers: { 'X-Vault-Token': config.deployToken, 'X-Vault-Wrap-TTL': '60s' },
      });
      const body: any = await res.json();
      if (!body?.wrap_info?.token) throw new Error(`no wrapped secret id (${res.status})`);
      return body.wrap_info.token as string;
    };
    const session = await AppRoleSession.login({
      vault,
      mount,
      roleId: config.outputs.control_plane_role_id,
      wrappedSecretId,
    });
    const signer = await TaskSigner.start({
      session,
      metadataPath: config.outputs.signing_metadata_path,
      metadataRefreshMs: 500,
    });
    const source = await VaultBundleSource.start({
      session,
      path: config.outputs.bootstrap_bundle_kv_path,
      pollMs: 200,
    });
    const cp = new ControlPlane(config, session, signer, source);
    await cp.listen();
    return cp;
  }

  public server!: https.Server;
  public port = 0;
  /** When each sequence was first served (epoch ms). */
  public readonly servedAt = new Map<number, number>();
  /** PEM of the CA that issued the server certificate in use. */
  public issuingCa = '';
  /** Bundle responses by status, and the bytes each kind put on the wire (status line, headers and body). */
  public readonly responses = { ok: 0, notModified: 0, other: 0, okBytes: 0, notModifiedBytes: 0 };

  private constructor(
    public readonly config: ControlPlaneConfig,
    public readonly session: AppRoleSession,
    public readonly signer: TaskSigner,
    public readonly source: VaultBundleSource,
  ) {
    this.servedAt.set(source.current()!.sequence, Date.now());
    source.on('updated', ({ sequence }) => this.servedAt.set(sequence, Date.now()));
  }

  /** Issues a server certificate from the control-plane PKI's default issuer (the control plane's own grant). */
  public async serverCertificate(): Promise<{ cert: string; key: string; issuingCa: string }> {
    const res = await this.session.request('POST', `${this.config.env}/pki-control-plane/issue/control-plane-https`, {
      common_name: this.config.host,
      ttl: '1h',
    });
    const data = res.body?.data as any;
    if (res.status !== 200) throw new Error(`server certificate not issued (${res.status})`);
    return { cert: `${data.certificate}\n${data.issuing_ca}\n`, key: data.private_key, issuingCa: data.issuing_ca };
  }

  private async listen(): Promise<void> {
    const { cert, key, issuingCa } = await this.serverCertificate();
    this.issuingCa = issuingCa;
    const handle = createBundleHandler(this.source, { requireClientCertificate: true });
    this.server = https.createServer({ cert, key, ...nodeClientTlsOptions(this.source) }, (req, res) => {
      this.busy.add(req.socket);
      res.on('finish', () => {
        this.busy.delete(req.socket);
        // The header block node:http sent (status line and headers) plus the body.
        const head = String((res as any)._header ?? '');
        const bytes = head.length + Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        const r = this.responses;
        if (res.statusCode === 200) {
          r.ok++;
          r.okBytes += bytes;
        } else if (res.statusCode === 304) {
          r.notModified++;
          r.notModifiedBytes += bytes;
        } else {
          r.other++;
        }
      });
      handle(req, res);
    });
    this.server.on('secureConnection', (socket) => {
      this.handshakes++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.keepAliveTimeout = 60000;
    this.server.maxConnections = 5000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', 1024, resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /**
   * Moves the server to a new certificate from the current default issuer (after a root switch): new connections
   * get it at once, idle kept-alive connections are closed so every node's next request handshakes again. Wait for
   * that with {@link reconnected}.
   */
  public async renewCertificate(drainMs: number): Promise<string> {
    const { cert, key, issuingCa } = await this.serverCertificate();
    this.server.setSecureContext({ cert, key, ...nodeClientTlsOptions(this.source) });
    // New session ticket keys: a node cannot resume a session made under the old certificate, so its next connection
    // is a full handshake that verifies the new one.
    this.server.setTicketKeys(randomBytes(48));
    this.issuingCa = issuingCa;
    // Connections made before the switch are closed over `drainMs`, each at a random instant when it is idle, as a
    // load balancer drains them: a thousand nodes do not all handshake again in the same second.
    this.beforeSwitch = new Set([...this.sockets].filter((socket) => !socket.destroyed));
    for (const socket of this.beforeSwitch) {
      setTimeout(() => this.closeWhenIdle(socket), Math.random() * drainMs).unref();
    }
    return issuingCa;
  }

  /**
   * Waits until every connection made before the last {@link renewCertificate} has closed and `nodes` connections
   * made since are open (each node keeps one connection alive): every node has handshaked with the new certificate
   * and verified it under the roots it holds. Returns false when that has not happened within `timeoutMs`.
   */
  public async reconnected(nodes: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const old = [...this.beforeSwitch].filter((socket) => !socket.destroyed).length;
      const fresh = [...this.sockets].filter((socket) => !socket.destroyed && !this.beforeSwitch.has(socket)).length;
      if (old === 0 && fresh >= nodes) return true;
      if (Date.now() >= deadline) return false;
      await sleep(100);
    }
  }

  /** TLS handshakes the server has completed. */
  public handshakes = 0;
  private readonly sockets = new Set<import('node:tls').TLSSocket>();
  private beforeSwitch = new Set<import('node:tls').TLSSocket>();
  private readonly busy = new WeakSet<object>();

  private closeWhenIdle(socket: import('node:tls').TLSSocket): void {
    if (socket.destroyed) return;
    if (this.busy.has(socket)) setTimeout(() => this.closeWhenIdle(socket), 20).unref();
    else socket.destroy();
  }

  public async close(): Promise<void> {
    this.signer.close();
    this.source.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.session.close();
    this.session.vault.close();
  }
}

/** Issues `count` node certificates through the node-cert PKI role, `concurrency` at a time. */
export async function issueNodeCertificates(
  cp: ControlPlane,
  count: number,
  nodeDomain: string,
  concurrency = 6,
): Promise<{ cert: string; key: string }[]> {
  const out: { cert: string; key: string }[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await cp.session.request('POST', `${cp.config.env}/pki-nodes/issue/node-enroll`, {
        common_name: `node-${String(i).padStart(4, '0')}.${nodeDomain}`,
        ttl: '2h',
      });
      const data = res.body?.data as any;
      if (res.status !== 200) throw new Error(`node certificate ${i} not issued (${res.status}: ${res.body?.errors})`);
      out[i] = { cert: `${data.certificate}\n${data.issuing_ca}\n`, key: data.private_key };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Counts of what the fleet saw. */
export interface FleetCounters {
  fetchFailures: number;
  tlsFailures: number;
  bundlesRejected: number;
  writeFailures: number;
  accepted: number;
  notModified: number;
  /** Reasons of the failures and refusals, with counts. */
  readonly reasons: Record<string, number>;
}

/** Task verdicts of one phase. */
export interface TaskTally {
  signed: number;
  verified: number;
  accepted: number;
  rejected: number;
  signFailures: number;
  readonly reasons: Record<string, number>;
}

/** Node agents, one per simulated node, in this process. */
export class Fleet {
  public readonly agents: BundleAgent[] = [];
  public readonly dirs: string[] = [];
  public readonly counters: FleetCounters = {
    fetchFailures: 0,
    tlsFailures: 0,
    bundlesRejected: 0,
    writeFailures: 0,
    accepted: 0,
    notModified: 0,
    reasons: {},
  };
  /** When each agent accepted each sequence (epoch ms): acceptedAt[sequence][agent]. */
  public readonly acceptedAt = new Map<number, number[]>();
  public readonly base: string;
  /** The phase under way (the test sets it): failures are counted under it. */
  public label = 'enrolment';

  constructor(
    private readonly cp: ControlPlane,
    certs: readonly { cert: string; key: string }[],
    enrolment: { bundleKeyPin: string; httpsRoots: string },
  ) {
    // Trust files are written atomically with fsync; a memory file system keeps a thousand nodes' writes cheap.
    const parent = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    this.base = fs.mkdtempSync(path.join(parent, 'pt-fleet-'));
    certs.forEach((clientCertificate, i) => {
      const dir = path.join(this.base, `node-${i}`);
      this.dirs.push(dir);
      const agent = new BundleAgent({
        stateDir: path.join(dir, 'state'),
        rootDir: path.join(dir, 'root'),
        enrolment: { ...enrolment, url: `https://${cp.config.host}` },
        clientCertificate,
        connectTo: { host: '127.0.0.1', port: cp.port },
      });
      agent.on('event', (e) => this.count(i, e));
      this.agents.push(agent);
    });
  }

  private count(i: number, e: BundleAgentEvent): void {
    const c = this.counters;
    const bump = (key: string) => (c.reasons[key] = (c.reasons[key] ?? 0) + 1);
    if (e.type === 'accepted') {
      c.accepted++;
      let at = this.acceptedAt.get(e.sequence);
      if (!at) this.acceptedAt.set(e.sequence, (at = new Array(this.agents.length).fill(0)));
      at[i] = Date.now();
    } else if (e.type === 'unchanged') {
      if (e.status === 304) c.notModified++;
    } else if (e.type === 'fetch-failed') {
      c.fetchFailures++;
      if (e.tls) c.tlsFailures++;
      bump(`${this.label}: fetch: ${e.code ?? e.status ?? e.error}`);
    } else if (e.type === 'rejected') {
      c.bundlesRejected++;
      bump(`${this.label}: bundle: ${e.reason}`);
    } else if (e.type === 'write-failed') {
      c.writeFailures++;
      bump(`write: ${e.error}`);
    }
  }

  /** Starts the agents, `perSecond` a second (a fleet does not boot in the same instant). */
  public async start(perSecond: number): Promise<void> {
    const begin = Date.now();
    for (let i = 0; i < this.agents.length; i++) {
      this.agents[i].start();
      const due = begin + ((i + 1) * 1000) / perSecond;
      if (due > Date.now() + 5) await sleep(due - Date.now());
    }
  }

  /** How many agents hold `sequence`. */
  public holding(sequence: number): number {
    return this.agents.filter((a) => a.bundle?.sequence === sequence).length;
  }

  /** Waits until every agent holds `sequence` or `timeoutMs` passes; returns the time the last one accepted it. */
  public async converge(sequence: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.holding(sequence) === this.agents.length) return Math.max(...this.acceptedAt.get(sequence)!);
      await sleep(50);
    }
    return undefined;
  }

  /**
   * One tick: the control plane signs `tasks` tasks and every agent verifies every one of them under the bundle it
   * holds at this instant; verdicts are added to `tally`.
   */
  public async tick(label: string, tasks: number, tally: TaskTally): Promise<void> {
    const signed: { message: string; signature: string }[] = [];
    await Promise.all(
      Array.from({ length: tasks }, async (_, k) => {
        const message = `task ${label} ${Date.now()} #${k}`;
        try {
          const s = await this.cp.signer.sign(message);
          signed.push({ message, signature: s.signature });
        } catch (e) {
          tally.signFailures++;
          tally.reasons[`sign: ${(e as Error).message.slice(0, 80)}`] =
            (tally.reasons[`sign: ${(e as Error).message.slice(0, 80)}`] ?? 0) + 1;
        }
      }),
    );
    tally.signed += signed.length;
    for (let start = 0; start < this.agents.length; start += 250) {
      for (const agent of this.agents.slice(start, start + 250)) {
        for (const t of signed) {
          const v = agent.verifyTask(t.message, t.signature);
          tally.verified++;
          if (v.ok) tally.accepted++;
          else {
            tally.rejected++;
            tally.reasons[v.reason] = (tally.reasons[v.reason] ?? 0) + 1;
          }
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  public async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()));
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}

export function newTally(): TaskTally {
  return { signed: 0, verified: 0, accepted: 0, rejected: 0, signFailures: 0, reasons: {} };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
