/**
 * The bundle handler and the node agent loop over real HTTP(S) on loopback, with real certificates and signatures
 * (no Vault: the source is a fixed envelope). The fleet test runs both against Vault and the real engine.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BundleSource,
  PublishedBundle,
  StaticBundleSource,
  createBundleHandler,
  nodeClientTlsOptions,
} from '../../../lib/control-plane';
import { BundleAgent, BundleAgentEvent, bundleKeyPin, readAgentState } from '../../../lib/node';
import { dsseEnvelopeFor, makeBundleV2, makeTrustMaterial } from '../node/helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from '../node/helpers/signer';
import { makeCertificate } from '../node/helpers/x509';

const HOST = 'control.unit.localhost';
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const pem = (k: import('node:crypto').KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const serverLeaf = makeCertificate({ commonName: HOST, ca: false, issuer: m.rootOld });
const otherRoot = makeCertificate({ commonName: 'someone else' });
const client = makeCertificate({ commonName: 'node-1.nodes.unit.internal', ca: false, issuer: m.nodeIntermediate });

function envelope(sequence: number): string {
  const bundle = makeBundleV2({
    verifiers: tasks.set([1, 'active']),
    bundleKeys: bundles.bundleKeySet([1, 'active']),
    roots: [{ cert: m.rootOld, state: 'current' }],
    nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
    sequence,
    url: `https://${HOST}`,
    freshness: { refresh_hint_seconds: 1 },
  });
  return JSON.stringify(dsseEnvelopeFor(bundle, [{ signer: bundles, version: 1 }]));
}

/** A source whose envelope the test swaps. */
class SwappableSource implements BundleSource {
  public published?: PublishedBundle;
  public current() {
    return this.published;
  }
  public serve(text: string) {
    this.published = new StaticBundleSource(text).current();
  }
}

function request(port: number, method: string, p: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('createBundleHandler', () => {
  const source = new SwappableSource();
  const server = http.createServer(createBundleHandler(source));
  const strict = http.createServer(createBundleHandler(source, { requireClientCertificate: true }));
  let port = 0;
  let strictPort = 0;
  beforeAll(async () => {
    port = await listen(server);
    strictPort = await listen(strict);
  });
  afterAll(() => {
    server.close();
    strict.close();
  });

  test('GIVEN no bundle yet THEN 503; other paths 404; other methods 405', async () => {
    expect((await request(port, 'GET', '/v1/bootstrap/bundle')).status).toBe(503);
    source.serve(envelope(3));
    expect((await request(port, 'GET', '/v1/other')).status).toBe(404);
    const post = await request(port, 'POST', '/v1/bootstrap/bundle');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  test('GIVEN a bundle THEN 200 with the envelope, a strong ETag over it and Cache-Control from the refresh hint; If-None-Match gives 304', async () => {
    source.serve(envelope(3));
    const ok = await request(port, 'GET', '/v1/bootstrap/bundle?x=1');
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(envelope(3));
    expect(ok.headers.etag).toMatch(/^"sha256-[A-Za-z0-9_-]{43}"$/);
    expect(ok.headers['cache-control']).toBe('max-age=1, must-revalidate');
    for (const inm of [ok.headers.etag!, `W/${ok.headers.etag}`, `"x", ${ok.headers.etag}`, '*']) {
      const nm = await request(port, 'GET', '/v1/bootstrap/bundle', { 'If-None-Match': inm });
      expect([nm.status, nm.body, nm.headers.etag]).toEqual([304, '', ok.headers.etag]);
    }
    source.serve(envelope(4));
    const changed = await request(port, 'GET', '/v1/bootstrap/bundle', { 'If-None-Match': ok.headers.etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(ok.headers.etag);
  });

  test('GIVEN requireClientCertificate WHEN the client presented no verified certificate THEN 401', async () => {
    expect((await request(strictPort, 'GET', '/v1/bootstrap/bundle')).status).toBe(401);
  });

  test('GIVEN an envelope that does not verify under its own bundle keys THEN the source refuses it (CP006)', () => {
    const forged = JSON.parse(envelope(5));
    forged.signatures[0].sig = Buffer.alloc(64).toString('base64');
    expect(() => new StaticBundleSource(JSON.stringify(forged))).toThrow(/\[CP006\]/);
  });
});

describe('BundleAgent', () => {
  const source = new SwappableSource();
  source.serve(envelope(1));
  const options = { cert: `${serverLeaf.pem}`, key: pem(serverLeaf.privateKey) };
  let server: https.Server;
  let port = 0;
  const dirs: string[] = [];
  const started: BundleAgent[] = [];

  function agent(dir: string, roots = m.rootOld.pem): { agent: BundleAgent; events: BundleAgentEvent[] } {
    const a = new BundleAgent({
      stateDir: path.join(dir, 'state'),
      rootDir: path.join(dir, 'root'),
      enrolment: { bundleKeyPin: bundleKeyPin(bundles.publicKeyB64(1)), url: `https://${HOST}`, httpsRoots: roots },
      clientCertificate: { cert: `${client.pem}${m.nodeIntermediate.pem}`, key: pem(client.privateKey) },
      connectTo: { host: '127.0.0.1', port },
      requestTimeoutMs: 2000,
    });
    const events: BundleAgentEvent[] = [];
    a.on('event', (e) => events.push(e));
    started.push(a);
    return { agent: a, events };
  }

  const until = async (what: () => boolean) => {
    const deadline = Date.now() + 8000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    server = https.createServer(
      { ...options, ...nodeClientTlsOptions(source) },
      createBundleHandler(source, { requireClientCertificate: true }),
    );
    port = await listen(server);
  });
  afterAll(async () => {
    await Promise.all(started.map((a) => a.stop()));
    server.closeAllConnections();
    server.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-agent-'));
    dirs.push(d);
    return d;
  };

  test('enrols, writes the three files and its state, takes an update, refuses a replay, and keeps the sequence across a restart', async () => {
    const dir = tmp();
    const { agent: a, events } = agent(dir);
    a.start();
    await until(() => a.bundle?.sequence === 1);
    expect(events[0]).toMatchObject({ type: 'accepted', sequence: 1, enrolled: true });
    expect(fs.readFileSync(path.join(dir, 'root', 'etc/gpuaas/trust/control-plane-ca.pem'), 'utf8')).toContain(
      'BEGIN CERTIFICATE',
    );
    await a.refreshNow();
    expect(events.at(-1)).toMatchObject({ type: 'unchanged', status: 304 });
    const sig = tasks.sign(1, 'drain gpu-0001');
    expect(a.verifyTask('drain gpu-0001', sig).ok).toBe(true);

    source.serve(envelope(2));
    await a.refreshNow();
    expect(events.at(-1)).toMatchObject({ type: 'accepted', sequence: 2, previous: 1, enrolled: false });
    source.serve(envelope(1));
    await a.refreshNow();
    expect(events.at(-1)).toMatchObject({ type: 'rejected', reason: 'sequence-not-increasing', held: 2 });
    expect(a.bundle?.sequence).toBe(2);
    await a.stop();

    expect(readAgentState(path.join(dir, 'state'))?.bundle.sequence).toBe(2);
    const restarted = agent(dir);
    restarted.agent.start();
    expect(restarted.agent.bundle?.sequence).toBe(2);
    await until(() => restarted.events.length > 0);
    expect(restarted.events[0]).toMatchObject({ type: 'rejected', reason: 'sequence-not-increasing' });
    source.serve(envelope(3));
    await restarted.agent.stop();
  });

  test('keeps the held bundle while the control plane is unreachable (stale), and a server whose certificate the held roots do not trust is a TLS failure', async () => {
    const dir = tmp();
    const { agent: a, events } = agent(dir);
    a.start();
    await until(() => a.bundle?.sequence === 3);
    const closed = https.createServer(options);
    const deadPort = await listen(closed);
    closed.close();
    (a as any).options = { ...(a as any).options, connectTo: { host: '127.0.0.1', port: deadPort } };
    await a.refreshNow();
    expect(events.at(-1)).toMatchObject({ type: 'fetch-failed', tls: false, code: 'ECONNREFUSED' });
    expect(a.status()).toMatchObject({ phase: 'stale', sequence: 3, consecutiveFailures: 1 });
    expect(a.verifyTask('drain gpu-0002', tasks.sign(1, 'drain gpu-0002')).ok).toBe(true);
    await a.stop();

    const untrusting = agent(tmp(), otherRoot.pem);
    untrusting.agent.start();
    await until(() => untrusting.events.length > 0);
    expect(untrusting.events[0]).toMatchObject({ type: 'fetch-failed', tls: true });
    expect(untrusting.agent.status().phase).toBe('enrolling');
  });
});
