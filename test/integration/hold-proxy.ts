/**
 * Proxies for catching the engine at an exact point of an apply, used by the state backend and HA tests:
 *
 * - `HoldProxy` forwards HTTP(S) requests to a Vault-API server and can hold the server's answer to a chosen request
 *   after the server acted on it (Vault rotated a key, the engine has not heard so and has not saved state).
 * - `TcpProxy` forwards a TCP service (PostgreSQL) and can stand in for a runner host that vanished: when the client
 *   side closes, the server side is kept open, so the server never learns that its client is gone (as when a CI
 *   machine loses power or its network, and no FIN or RST ever reaches the server). It can also make the service
 *   unreachable for a while (`interrupt` / `resume`): open connections are reset and new ones refused.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';

export interface HeldRequest {
  readonly method: string;
  readonly url: string;
  /** Lets the held answer continue to the engine. */
  release(): void;
}

export interface HoldProxyOptions {
  /** Upstream base address, `http://` or `https://` host and port. */
  readonly target: string;
  /** PEM CA bundle that signs the upstream's certificate (for an https target). */
  readonly ca?: string;
  /** Serve TLS with this certificate and key (so the engine talks TLS to the proxy too). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export class HoldProxy {
  public static async start(options: HoldProxyOptions): Promise<HoldProxy> {
    const proxy = new HoldProxy(options);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Decides per request: pass it on, or hold the upstream's answer until released. */
  public rule: (method: string, url: string) => 'pass' | 'hold-response' = () => 'pass';
  private readonly held: HeldRequest[] = [];
  private readonly waiters: Array<(h: HeldRequest) => void> = [];
  private readonly releases: Array<() => void> = [];
  private readonly server: http.Server;

  private constructor(private readonly options: HoldProxyOptions) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  }

  public get addr(): string {
    const port = (this.server.address() as net.AddressInfo).port;
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  /** Resolves with the next held answer. */
  public nextHeld(timeoutMs = 120000): Promise<HeldRequest> {
    const h = this.held.shift();
    if (h) return Promise.resolve(h);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no request was held within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((held) => {
        clearTimeout(timer);
        resolve(held);
      });
    });
  }

  /** Releases everything held, drops open connections and stops listening. */
  public async close(): Promise<void> {
    for (const release of this.releases.splice(0)) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(method: string, url: string, headers: http.OutgoingHttpHeaders, body: Buffer) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const target = new URL(url, this.options.target);
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request(
        target,
        { method, headers: { ...headers, host: target.host }, ca: this.options.ca, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const decision = this.rule(method, url);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !['host', 'connection'].includes(k)) headers[k] = v;
    }
    let answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    try {
      answer = await this.forward(method, url, headers, Buffer.concat(chunks));
    } catch (e) {
      answer = { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`proxy: ${String(e)}`) };
    }
    if (decision === 'hold-response') {
      await new Promise<void>((resolve) => {
        this.releases.push(resolve);
        const h: HeldRequest = { method, url, release: resolve };
        const waiter = this.waiters.shift();
        if (waiter) waiter(h);
        else this.held.push(h);
      });
    }
    if (res.destroyed || res.writableEnded) return;
    const type = answer.headers['content-type'];
    res.writeHead(answer.status, type ? { 'content-type': type } : {});
    res.end(answer.body);
  }
}

/** A TCP forwarder to `127.0.0.1:<targetPort>`. */
export class TcpProxy {
  public static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /**
   * When true, a client that goes away is not passed on: the upstream connection stays open, as when the client's
   * host vanished. Connections kept so are ended by close().
   */
  public partitionOnClientClose = false;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private interrupted = false;

  private constructor(targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.interrupted) {
        client.resetAndDestroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.pipe(upstream, { end: false });
      upstream.pipe(client);
      const clientGone = () => {
        if (!this.partitionOnClientClose) upstream.end();
      };
      client.on('end', clientGone);
      client.on('error', clientGone);
      upstream.on('error', () => client.destroy());
      client.on('close', () => this.sockets.delete(client));
      upstream.on('close', () => this.sockets.delete(upstream));
    });
  }

  public get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Makes the service unreachable: resets every open connection, and each new one, until `resume`. */
  public interrupt(): void {
    this.interrupted = true;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  /** Ends an `interrupt`: new connections are forwarded again. */
  public resume(): void {
    this.interrupted = false;
  }

  /** Drops every connection (a partition heals, or the machine is gone for good) and stops listening. */
  public async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
