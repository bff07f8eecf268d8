/**
 * The composed PlatformTrustStack, applied with the real engine against a real Vault-API server:
 * the control plane logs in with its AppRole, reads and verifies the signed bootstrap bundle, signs a
 * task, issues certificates; every policy cell is checked against the server; a second plan is empty.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { materializeBundle, spkiPin, verifyBundle, verifyTask } from '../../lib/node';
import { explainPlan, renderMarkdown } from '../../lib/review';
import { VaultServer, VaultClient } from './vault-server';
import { TEST_FRESHNESS, Workspace } from './workspace';

const env: EnvironmentConfig = {
  name: 'it',
  controlPlaneUrl: 'https://control.it.localhost',
  taskSigning: { version: 1 },
  bundle: { freshness: TEST_FRESHNESS, sequence: 1 },
  nodeDomain: 'nodes.it.internal',
};

function build(config: EnvironmentConfig) {
  return (app: App) => new PlatformTrustStack(app, { environment: config });
}

/** Starts an HTTPS server on loopback with the given certificate; returns its port and a closer. */
async function httpsServer(certPem: string, keyPem: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** GET https://control.it.localhost:<port>/ (on 127.0.0.1) trusting only `ca`; resolves with the status or the TLS error code. */
function fetchTrusting(port: number, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', servername: 'control.it.localhost', port, ca, path: '/', agent: false },
      (res) => {
        res.resume();
        resolve(`HTTP ${res.statusCode}`);
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('dev stack (real engine, real Vault-API server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let outputs: Record<string, any>;
  let cp: VaultClient;

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create();
    ws.env = bao.env;
    ws.synth(build(env));
    await ws.apply();
    outputs = await ws.outputs();
    cp = await bao.root.loginControlPlane(outputs, 'it-control-plane');
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('a second plan right after apply shows no changes', async () => {
    await ws.expectNoChanges();
  });

  test('the control plane reads the signed bundle from KV and the node verifies it', async () => {
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    expect(res.status).toBe(200);
    const envelope = res.body.data.data.envelope;
    const verifiers = outputs.task_signing_pubkeys;
    const verdict = verifyBundle(
      typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
      outputs.bundle_signing_keys,
      new Date(),
    );
    expect(verdict).toMatchObject({ ok: true });
    if (!verdict.ok) throw new Error('unreachable');
    expect(verdict.bundle.environment).toBe('it');
    expect(verdict.bundle.sequence).toBe(1);
    expect(verdict.bundle.env.GPUAAS_TASK_SIGNING_PUBKEYS).toBe(verifiers);
    // Nothing for nodes holds a Vault address, token, AppRole id or private key.
    const payload = Buffer.from(JSON.parse(outputs.bootstrap_envelope).payload, 'base64').toString('utf8');
    expect(payload).not.toContain(bao.addr);
    expect(payload).not.toContain(outputs.control_plane_role_id);
    expect(payload).not.toMatch(/PRIVATE KEY|hvs\.|secret_id/);
    // Public HTTPS roots and node-cert CAs are different certificates at different paths.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-node-'));
    try {
      const written = materializeBundle(verdict.bundle, dir);
      const httpsBundle = fs.readFileSync(written.publicHttpsBundle, 'utf8');
      const nodeBundle = fs.readFileSync(written.nodeCertBundle, 'utf8');
      expect(written.publicHttpsBundle).not.toBe(written.nodeCertBundle);
      expect(httpsBundle).not.toBe(nodeBundle);
      expect(spkiPin(httpsBundle)).toBe(verdict.roots[0].pin);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the control plane signs a task with the active version; the node verifies it', async () => {
    const task = JSON.stringify({ type: 'node.task.v1', node: 'n1.nodes.it.internal', action: 'reboot' });
    const res = await cp.write(outputs.task_signing_key.replace('/keys/', '/sign/'), {
      input: Buffer.from(task).toString('base64'),
      key_version: outputs.task_signing_active_version,
    });
    expect(res.status).toBe(200);
    expect(verifyTask(outputs.task_signing_pubkeys, task, res.body.data.signature, new Date())).toMatchObject({
      ok: true,
      version: 1,
    });
  });

  test('an HTTPS server with a control-plane certificate is trusted through the public HTTPS bundle only', async () => {
    const issued = await cp.write('it/pki-control-plane/issue/control-plane-https', {
      common_name: 'control.it.localhost',
      ttl: '1h',
    });
    expect(issued.status).toBe(200);
    const bundle = JSON.parse(outputs.bootstrap_bundle);
    const httpsCa = bundle.public_https_trust.roots.map((r: { pem: string }) => r.pem).join('\n');
    const nodeCa = outputs.node_cert_ca_bundle;
    const server = await httpsServer(issued.body.data.certificate, issued.body.data.private_key);
    try {
      expect(await fetchTrusting(server.port, httpsCa)).toBe('HTTP 200');
      expect(await fetchTrusting(server.port, nodeCa)).toMatch(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED/,
      );
    } finally {
      await server.close();
    }
  });

  test('the enrollment grant issues client certificates for node names only', async () => {
    const ok = await cp.write('it/pki-nodes/issue/node-enroll', { common_name: 'gpu-7.nodes.it.internal', ttl: '1h' });
    expect(ok.status).toBe(200);
    const refused = [
      await cp.write('it/pki-nodes/issue/node-enroll', { common_name: 'control.evil.internal', ttl: '1h' }),
      await cp.write('it/pki-nodes/issue/node-enroll', { common_name: 'nodes.it.internal', ttl: '1h' }),
      await cp.write('it/pki-nodes/issue/node-enroll', {
        common_name: 'gpu-7.nodes.it.internal',
        ttl: '1h',
        ip_sans: '10.0.0.1',
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
    // A TTL above the role's max TTL is not granted: Vault caps it at max_ttl (72 h) and says so.
    const long = await cp.write('it/pki-nodes/issue/node-enroll', {
      common_name: 'gpu-8.nodes.it.internal',
      ttl: '8760h',
    });
    expect(long.status).toBe(200);
    const { X509Certificate: X509 } = await import('node:crypto');
    const lifetimeS = (Date.parse(new X509(long.body.data.certificate).validTo) - Date.now()) / 1000;
    expect(lifetimeS).toBeLessThanOrEqual(259200 + 60);
    expect(JSON.stringify(long.body.warnings)).toMatch(/max_ttl|TTL/i);
    // The certificate is for client auth only.
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(ok.body.data.certificate);
    expect(cert.keyUsage ?? []).not.toContain('1.3.6.1.5.5.7.3.1');
    expect(cert.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.2');
  });

  test('the control plane policy: allowed and denied cells against the real server', async () => {
    const cells: Array<[string, Promise<{ status: number }>, 'allow' | 'deny']> = [
      ['read bundle', cp.read('it/kv/data/bootstrap/bundle'), 'allow'],
      ['read signing metadata', cp.read('it/kv/data/signing/node-task-signer'), 'allow'],
      ['write bundle', cp.write('it/kv/data/bootstrap/bundle', { data: { x: 1 } }), 'deny'],
      ['read bundle metadata', cp.read('it/kv/metadata/bootstrap/bundle'), 'deny'],
      ['destroy bundle', cp.write('it/kv/destroy/bootstrap/bundle', { versions: [1] }), 'deny'],
      ['read operator secret', cp.read('it/kv/data/operators/alice/ssh'), 'deny'],
      ['export signing key', cp.read('it/transit/export/signing-key/node-task-signer'), 'deny'],
      ['rotate signing key', cp.write('it/transit/keys/node-task-signer/rotate'), 'deny'],
      [
        'sign with the bundle key',
        cp.write('it/transit/sign/bundle-signer', { input: 'eA==', key_version: '1' }),
        'deny',
      ],
      ['read the bundle key', cp.read('it/transit/keys/bundle-signer'), 'deny'],
      ['rotate the bundle key', cp.write('it/transit/keys/bundle-signer/rotate'), 'deny'],
      ['sign intermediate', cp.write('it/pki-nodes-root/root/sign-intermediate', { csr: 'x' }), 'deny'],
      ['mount something', cp.write('sys/mounts/evil', { type: 'kv' }), 'deny'],
    ];
    const got: string[] = [];
    for (const [what, p, expected] of cells) {
      const res = await p;
      const actual = res.status === 403 ? 'deny' : 'allow';
      got.push(`${what}: ${actual}`);
      expect(`${what}: ${actual}`).toBe(`${what}: ${expected}`);
    }
    expect(got).toHaveLength(cells.length);
  });

  test('the plan explainer warns loudly on a real destructive plan (renaming the control-plane role replaces it)', async () => {
    ws.synth(build({ ...env, controlPlane: { roleName: 'it-control-plane-renamed' } }));
    const { json } = await ws.plan();
    const explanation = explainPlan(json);
    const review = renderMarkdown(explanation);
    expect(explanation.warnings.map((w) => w.kind)).toContain('replace');
    expect(review).toContain('Destructive changes');
    expect(review).toMatch(/vault_approle_auth_backend_role\.ControlPlane_\w+/);
    // Nothing was applied: back to the applied config, the plan is empty again.
    ws.synth(build(env));
    await ws.expectNoChanges();
  });
});
