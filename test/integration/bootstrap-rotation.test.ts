/**
 * Bootstrap trust delivery against the real engine and a real Vault-API server: the signed bundle read
 * with the control plane's AppRole token, a control-plane CA rotation in its three phases (a node that
 * took the updates keeps talking to the control plane, a node left on the first bundle does not), a task
 * signing key rotation carried by the bundle (signed by the bundle key throughout), the node's update rule
 * (replays refused; bundle-key rotation and retired bundle keys: bundle-v2.test.ts),
 * and the sequence guard of the published bundle. Every phase bumps the sequence and ends with an empty plan.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { TLSSocket } from 'node:tls';
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { RootRotationPhase } from '../../lib/pki';
import {
  BootstrapBundle,
  BundleAccepted,
  acceptBundleUpdate,
  materializeBundle,
  pinMatchesAny,
  spkiPin,
  verifyBundle,
} from '../../lib/node';
import { VaultServer, VaultClient } from './vault-server';
import {
  EngineError,
  TEST_FRESHNESS,
  ResourceChange,
  Workspace,
  dayFromToday,
  oneLine,
  rolloutWait,
} from './workspace';

const ROOT_1 = { issuerName: 'rot-cp-root-1' };
const ROOT_2 = { issuerName: 'rot-cp-root-2' };
const HOST = 'control.rot.localhost';
/**
 * End of the CA overlap, and of the v1 signing grace: dates in code, fixed for this run, inside the validity of the
 * bundles the run publishes (TEST_FRESHNESS: 30 days), so a node checks them at times its bundle is still fresh.
 */
const OVERLAP_UNTIL = dayFromToday(10);
const GRACE_UNTIL = dayFromToday(10);
const AFTER_OVERLAP = dayFromToday(11);
/** A date inside the overlap and the grace. */
const SOON = new Date(dayFromToday(5));

const base: EnvironmentConfig = {
  name: 'rot',
  controlPlaneUrl: `https://${HOST}`,
  taskSigning: { version: 1 },
  bundle: { freshness: TEST_FRESHNESS, sequence: 1 },
  controlPlaneTrust: { platformCa: { root: ROOT_1 } },
};

function env(sequence: number, changes: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return { ...base, ...changes, bundle: { ...base.bundle, ...changes.bundle, sequence } };
}

const publishNext: EnvironmentConfig['controlPlaneTrust'] = {
  platformCa: {
    root: ROOT_1,
    rotation: { next: ROOT_2, overlapUntil: OVERLAP_UNTIL, phase: RootRotationPhase.PUBLISH_NEXT },
  },
};
const switched: EnvironmentConfig['controlPlaneTrust'] = {
  platformCa: {
    root: ROOT_1,
    rotation: { next: ROOT_2, overlapUntil: OVERLAP_UNTIL, phase: RootRotationPhase.SWITCH },
  },
};
const dropped: EnvironmentConfig['controlPlaneTrust'] = {
  platformCa: {
    root: ROOT_1,
    rotation: { next: ROOT_2, overlapUntil: OVERLAP_UNTIL, phase: RootRotationPhase.DROP_PREVIOUS },
    asOf: AFTER_OVERLAP,
  },
};

/** `type.Construct_Path` without cdktf's hash suffix, with the actions: `create vault_pki_...Root-x`. */
/** Every bundle change is signed again during apply: the sign endpoint is replaced through its terraform_data. */
const RESIGN = [
  'delete,create vault_generic_endpoint.BootstrapBundle_BundleSignature',
  'update terraform_data.BootstrapBundle_SignedInput',
];

/** The changes without the re-signing that every bundle change brings, and the deletes among them. */
function destructive(changes: string[]): string[] {
  return changes.filter((c) => /delete/.test(c) && !RESIGN.includes(c));
}

function summary(changes: ResourceChange[]): string[] {
  return changes.map((c) => `${c.actions.join(',')} ${c.address.replace(/_[0-9A-F]{8}$/, '')}`).sort();
}

/** Starts an HTTPS server on loopback with the given certificate; returns its port and a closer. */
async function httpsServer(certPem: string, keyPem: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** GET https://control.rot.localhost:<port>/ on 127.0.0.1 trusting only `ca`: the status (and the chain's root) or the TLS error code. */
function fetchTrusting(port: number, ca: string): Promise<{ outcome: string; rootPem?: string }> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', servername: HOST, port, ca, path: '/', agent: false }, (res) => {
      let peer = (res.socket as TLSSocket).getPeerCertificate(true);
      while (peer.issuerCertificate && peer.issuerCertificate !== peer) peer = peer.issuerCertificate;
      const rootPem = `-----BEGIN CERTIFICATE-----\n${peer.raw
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')
        .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
      res.resume();
      resolve({ outcome: `HTTP ${res.statusCode}`, rootPem });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ outcome: e.code ?? e.message }));
  });
}

describe('bootstrap trust delivery: CA rotation, signer rotation, update rule, sequence guard (real engine, real server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let outputs: Record<string, any>;
  let cp: VaultClient;
  const tmp: string[] = [];
  /** Every published envelope by sequence, as the control plane read it from KV. */
  const envelopes = new Map<number, string>();
  /** Every published bundle by sequence, verified with the verifier set published with it. */
  const bundles = new Map<number, BootstrapBundle>();
  /** Node A: took the first bundle and nothing after. */
  let nodeA: BundleAccepted;
  /** Node B: takes every update through acceptBundleUpdate. */
  let nodeB: BootstrapBundle;
  const plans: Record<string, string[]> = {};
  const guardMessages: Record<string, string[]> = {};
  const t0 = Date.now();
  const timings: Record<string, number> = {};

  /** Synthesizes `config`, applies it, checks the second plan is empty, reads the envelope as the control plane. */
  async function step(label: string, config: EnvironmentConfig): Promise<string[]> {
    const started = Date.now();
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: config }));
    const changes = summary(await ws.apply());
    await ws.expectNoChanges();
    outputs = await ws.outputs();
    if (!cp) {
      cp = await bao.root.loginControlPlane(outputs, 'rot-control-plane');
    }
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    expect(res.status).toBe(200);
    const envelope = res.body.data.data.envelope;
    const text = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
    envelopes.set(config.bundle.sequence, text);
    const verdict = verifyBundle(text, outputs.bundle_signing_keys, SOON);
    if (!verdict.ok) throw new Error(`sequence ${config.bundle.sequence}: ${verdict.reason}: ${verdict.detail}`);
    expect(verdict.bundle.sequence).toBe(config.bundle.sequence);
    bundles.set(config.bundle.sequence, verdict.bundle);
    plans[label] = changes;
    timings[label] = Date.now() - started;
    return changes;
  }

  /** Node B takes the envelope of `sequence` at `now`; returns the accepted update. */
  function nodeBUpdates(sequence: number, now: Date) {
    const verdict = acceptBundleUpdate({ bundle: nodeB }, envelopes.get(sequence)!, now);
    if (!verdict.ok) throw new Error(`node B refused sequence ${sequence}: ${verdict.reason}: ${verdict.detail}`);
    expect(verdict.bundle.sequence).toBe(sequence);
    nodeB = verdict.bundle;
    return verdict;
  }

  async function issuers(): Promise<Record<string, string>> {
    const res = await bao.root.list('rot/pki-control-plane/issuers');
    expect(res.status).toBe(200);
    return Object.fromEntries(
      Object.entries(res.body.data.key_info as Record<string, { issuer_name: string }>).map(([id, info]) => [
        info.issuer_name,
        id,
      ]),
    );
  }

  async function defaultIssuerName(): Promise<string> {
    const res = await bao.root.read('rot/pki-control-plane/issuer/default');
    return res.body.data.issuer_name;
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create();
    ws.env = bao.env;
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
    for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
    console.log(
      `bootstrap-rotation plans:\n${Object.entries(plans)
        .map(([k, v]) => `  ${k}:\n${v.map((l) => `    ${l}`).join('\n') || '    (none)'}`)
        .join('\n')}\nguard failures:\n${Object.entries(guardMessages)
        .map(([k, v]) => `  ${k}:\n${v.map((l) => `    ${l}`).join('\n')}`)
        .join('\n')}\ntimings (ms): ${JSON.stringify({ ...timings, total: Date.now() - t0 })}`,
    );
  });

  test('1. sequence 1: the control plane reads the envelope with its AppRole token; the node verifies it (node A)', async () => {
    await step('1 initial', env(1));
    const verdict = verifyBundle(envelopes.get(1)!, outputs.bundle_signing_keys, new Date());
    if (!verdict.ok) throw new Error(`${verdict.reason}: ${verdict.detail}`);
    expect(verdict.bundle.environment).toBe('rot');
    expect(verdict.bundle.sequence).toBe(1);
    expect(verdict.roots.map((r) => r.state)).toEqual(['current']);
    expect(verdict.signer).toMatchObject({ version: 1, state: 'active' });
    nodeA = verdict;
    nodeB = verdict.bundle;
    expect(await issuers()).toEqual({ 'rot-cp-root-1': expect.any(String) });
  });

  test('2a. PUBLISH_NEXT (sequence 2): only the new root issuer is created; the bundle carries both roots; node B takes it', async () => {
    const changes = await step('2a PUBLISH_NEXT', env(2, { controlPlaneTrust: publishNext }));
    expect(destructive(changes)).toEqual([]);
    expect(changes).toEqual(
      [
        'create vault_pki_secret_backend_root_cert.ControlPlaneTrust_Root-rot-cp-root-2',
        // The new root's publication record: the switch waits for the rollout window counted from it.
        'create vault_kv_secret_v2.BootstrapBundle_PublishedRoot-rot-cp-root-2',
        'update vault_kv_secret_v2.BootstrapBundle_Secret',
        ...RESIGN,
      ].sort(),
    );
    expect(Object.keys(await issuers()).sort()).toEqual(['rot-cp-root-1', 'rot-cp-root-2']);
    expect(await defaultIssuerName()).toBe('rot-cp-root-1');

    const verdict = nodeBUpdates(2, new Date());
    expect(verdict.roots.map((r) => r.state)).toEqual(['current', 'next']);
    expect(verdict.roots[0].pin).toBe(nodeA.roots[0].pin);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-node-b-'));
    tmp.push(dir);
    const written = materializeBundle(verdict.bundle, dir);
    const httpsBundle = fs.readFileSync(written.publicHttpsBundle, 'utf8');
    expect(pinMatchesAny(httpsBundle, [verdict.roots[1].pin])).toBe(true);
    expect(pinMatchesAny(httpsBundle, [verdict.roots[0].pin])).toBe(true);
  });

  test('2b. SWITCH (sequence 3): the new root issues; node B (updated) connects, node A (sequence 1) fails', async () => {
    // The plan refuses the switch until the new root has been published for the rollout window (1 s here).
    await rolloutWait();
    const changes = await step('2b SWITCH', env(3, { controlPlaneTrust: switched }));
    expect(destructive(changes)).toEqual([]);
    expect(changes).toEqual(
      [
        'update vault_kv_secret_v2.BootstrapBundle_Secret',
        'update vault_pki_secret_backend_config_issuers.ControlPlaneTrust_DefaultIssuer',
        ...RESIGN,
      ].sort(),
    );
    expect(await defaultIssuerName()).toBe('rot-cp-root-2');

    const verdict = nodeBUpdates(3, new Date());
    expect(verdict.roots.map((r) => [r.state, r.until])).toEqual([
      ['current', undefined],
      ['previous', OVERLAP_UNTIL],
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-node-b-'));
    tmp.push(dir);
    const nodeBHttps = fs.readFileSync(materializeBundle(verdict.bundle, dir).publicHttpsBundle, 'utf8');
    const nodeAHttps = nodeA.bundle.public_https_trust.roots.map((r) => r.pem).join('\n');

    const issued = await cp.write('rot/pki-control-plane/issue/control-plane-https', { common_name: HOST, ttl: '1h' });
    expect(issued.status).toBe(200);
    // Signed by the new root.
    expect(spkiPin(issued.body.data.issuing_ca)).toBe(verdict.roots[0].pin);
    const server = await httpsServer(issued.body.data.certificate, issued.body.data.private_key);
    try {
      const b = await fetchTrusting(server.port, nodeBHttps);
      expect(b.outcome).toBe('HTTP 200');
      // The root the TLS chain ends in is pinned by the bundle node B holds, and it is the new current root.
      expect(
        pinMatchesAny(
          b.rootPem!,
          verdict.roots.map((r) => r.pin),
        ),
      ).toBe(true);
      expect(spkiPin(b.rootPem!)).toBe(verdict.roots[0].pin);
      expect(
        pinMatchesAny(
          b.rootPem!,
          nodeA.roots.map((r) => r.pin),
        ),
      ).toBe(false);
      // Node A never received the new root: this is why PUBLISH_NEXT precedes SWITCH.
      const a = await fetchTrusting(server.port, nodeAHttps);
      expect(a.outcome).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    } finally {
      await server.close();
    }
  });

  test('2c. DROP_PREVIOUS after the overlap (sequence 4): the old root leaves the bundle but both issuers stay in Vault', async () => {
    const changes = await step('2c DROP_PREVIOUS', env(4, { controlPlaneTrust: dropped }));
    expect(changes).toEqual(['update vault_kv_secret_v2.BootstrapBundle_Secret', ...RESIGN].sort());
    const verdict = nodeBUpdates(4, new Date(AFTER_OVERLAP));
    expect(verdict.roots.map((r) => r.state)).toEqual(['current']);
    expect(verdict.roots[0].pin).not.toBe(nodeA.roots[0].pin);
    expect(Object.keys(await issuers()).sort()).toEqual(['rot-cp-root-1', 'rot-cp-root-2']);
    expect(await defaultIssuerName()).toBe('rot-cp-root-2');
    // Before the overlap ends, the node refuses to drop a previous root it may still be using.
    const early = acceptBundleUpdate({ bundle: bundles.get(3)! }, envelopes.get(4)!, SOON);
    expect(early).toMatchObject({ ok: false, reason: 'root-dropped' });
  });

  test('3a. the node refuses a replayed older bundle', () => {
    const atTwo = bundles.get(2)!;
    expect(acceptBundleUpdate({ bundle: atTwo }, envelopes.get(1)!, new Date())).toMatchObject({
      ok: false,
      reason: 'sequence-not-increasing',
    });
    expect(acceptBundleUpdate({ bundle: atTwo }, envelopes.get(2)!, new Date())).toMatchObject({
      ok: false,
      reason: 'sequence-not-increasing',
    });
    expect(acceptBundleUpdate({ bundle: nodeB }, envelopes.get(3)!, new Date(AFTER_OVERLAP))).toMatchObject({
      ok: false,
      reason: 'sequence-not-increasing',
    });
  });

  test('3b. task signer rotation through the bundle: pre-publish v2, activate with grace, retire v1; the bundle key signs every step', async () => {
    const rotated = { controlPlaneTrust: dropped };
    const now = new Date(AFTER_OVERLAP);
    // Pre-publish: the bundle announces task key v2 as next.
    const pre = await step(
      '3 signer pre-publish v2',
      env(5, { ...rotated, taskSigning: { version: 2, activeVersion: 1 } }),
    );
    expect(pre).toContain('update vault_kv_secret_v2.BootstrapBundle_Secret');
    const v5 = nodeBUpdates(5, now);
    expect(v5).toMatchObject({ signerKind: 'bundle-key', signer: { version: 1, state: 'active' } });
    expect(v5.bundle.task_verifiers.set.keys.map((k) => [k.version, k.state])).toEqual([
      [1, 'active'],
      [2, 'next'],
    ]);
    // Activate: the control plane signs tasks with v2; v1 stays accepted until its end date. The plan refuses the
    // activation until v2 has been published for the rollout window (one second here).
    await rolloutWait();
    await step(
      '3 signer activate v2, v1 grace',
      env(6, { ...rotated, taskSigning: { version: 2, grace: [{ version: 1, until: GRACE_UNTIL }] } }),
    );
    const v6 = nodeBUpdates(6, now);
    expect(v6.bundle.task_verifiers.set.keys.map((k) => [k.version, k.state, k.until])).toEqual([
      [1, 'grace', GRACE_UNTIL],
      [2, 'active', undefined],
    ]);
    // Retire v1.
    await step('3 signer retire v1', env(7, { ...rotated, taskSigning: { version: 2 } }));
    const v7 = nodeBUpdates(7, now);
    expect(v7).toMatchObject({ signerKind: 'bundle-key', signer: { version: 1, state: 'active' } });
    expect(v7.bundle.task_verifiers.set.keys.map((k) => [k.version, k.state])).toEqual([[2, 'active']]);
    // A node left at sequence 4 takes sequence 7 directly: the bundle key did not change.
    expect(acceptBundleUpdate({ bundle: bundles.get(4)! }, envelopes.get(7)!, now)).toMatchObject({ ok: true });
    // The task key cannot sign a bundle, even during its own rotation.
    expect(verifyBundle(envelopes.get(5)!, bundles.get(5)!.task_verifiers.set, SOON)).toMatchObject({
      ok: false,
      reason: 'wrong-key-kind',
    });
  });

  /** Plans `config` (no apply); returns the failure as one line, or undefined when the plan succeeds. */
  async function planFailure(config: EnvironmentConfig): Promise<string | undefined> {
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: config }));
    const result = await ws.plan().catch((e: EngineError) => e);
    if (!(result instanceof EngineError)) return undefined;
    return oneLine(result.result.stderr);
  }

  /** The failed conditions of a plan failure, shortly: `postcondition[2]: Bootstrap bundle sequence ...`. */
  function failedConditions(failure: string | undefined): string[] {
    return (failure ?? '')
      .split('Error: Resource postcondition failed')
      .slice(1)
      .map((part) => {
        const which = /lifecycle\.(postcondition\[\d+\])/.exec(part)?.[1];
        const message = /(Bootstrap bundle sequence .*?)\s*Set sequence/.exec(part)?.[1];
        return `${which}: ${message}`;
      });
  }

  async function publishedVersion(): Promise<number> {
    return (await bao.root.read('rot/kv/data/bootstrap/bundle')).body.data.metadata.version;
  }

  const published = { controlPlaneTrust: dropped, taskSigning: { version: 2 } };

  test('4a. the sequence guard: a lower sequence fails the plan (and the apply) with the construct message; nothing is written', async () => {
    const before = await publishedVersion();
    const failure = await planFailure(env(6, published));
    guardMessages.lowered = failedConditions(failure);
    expect(guardMessages.lowered).toEqual([
      'postcondition[0]: Bootstrap bundle sequence 6 is below the published sequence 7.',
    ]);
    expect(failure).toContain('Resource postcondition failed');
    expect(failure).toContain('Bootstrap bundle sequence 6 is below the published sequence 7.');
    const applied = await ws.applyRaw();
    expect(applied.code).not.toBe(0);
    expect(oneLine(applied.stderr)).toContain('is below the published sequence 7');
    expect(await publishedVersion()).toBe(before);
    expect((await bao.root.read('rot/kv/data/bootstrap/bundle')).body.data.data.sequence).toBe(7);
  });

  test('4b. the sequence guard: a changed bundle at the same sequence fails the plan, whether the payload is known or not', async () => {
    const before = await publishedVersion();
    // A change known at plan time (a file path): the digest and the payload both differ.
    const paths = { publicHttpsBundle: '/etc/gpuaas/other-ca.pem' };
    const pathChange = await planFailure(
      env(7, { ...published, bundle: { freshness: TEST_FRESHNESS, sequence: 7, paths } }),
    );
    guardMessages.samePathsChanged = failedConditions(pathChange);
    expect(guardMessages.samePathsChanged.map((l) => l.slice(0, 16))).toEqual(['postcondition[1]', 'postcondition[2]']);
    expect(pathChange).toContain('Bootstrap bundle sequence 7 is the published sequence, but the bundle changed');
    // A change whose payload is unknown until apply (a new root to publish): the inputs digest catches it.
    const ROOT_3 = { issuerName: 'rot-cp-root-3' };
    const newRoot = await planFailure(
      env(7, {
        ...published,
        controlPlaneTrust: {
          platformCa: {
            root: ROOT_2,
            retiredRoots: [ROOT_1],
            rotation: { next: ROOT_3, overlapUntil: '2031-01-01T00:00:00Z', phase: RootRotationPhase.PUBLISH_NEXT },
            asOf: AFTER_OVERLAP,
          },
        },
      }),
    );
    guardMessages.sameNewRoot = failedConditions(newRoot);
    // The payload condition is unknown until apply; the digest condition fails the plan on its own.
    expect(guardMessages.sameNewRoot.map((l) => l.slice(0, 16))).toEqual(['postcondition[1]']);
    expect(newRoot).toContain('Bootstrap bundle sequence 7 is the published sequence, but the bundle changed');
    expect(newRoot).toContain('inputs digest');
    expect(await publishedVersion()).toBe(before);
    expect(Object.keys(await issuers()).sort()).toEqual(['rot-cp-root-1', 'rot-cp-root-2']);
    // Positive control: the same change with the sequence bumped plans; only the secret changes, signed again.
    expect(
      await planFailure(env(8, { ...published, bundle: { freshness: TEST_FRESHNESS, sequence: 8, paths } })),
    ).toBeUndefined();
    expect(summary((await ws.plan()).changes)).toEqual(
      ['update vault_kv_secret_v2.BootstrapBundle_Secret', ...RESIGN].sort(),
    );
  });

  test('4c. the guard compares with what Vault holds (refreshed), not with the state; the finished rotation plans nothing', async () => {
    // Another pipeline published sequence 9 (custom metadata is what the guard reads).
    const meta = await bao.root.read('rot/kv/metadata/bootstrap/bundle');
    const custom = meta.body.data.custom_metadata;
    expect(custom).toMatchObject({ sequence: '7', inputs_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(
      (await bao.root.write('rot/kv/metadata/bootstrap/bundle', { custom_metadata: { ...custom, sequence: '9' } }))
        .status,
    ).toBeLessThan(300);
    expect(await planFailure(env(7, published))).toContain('is below the published sequence 9');
    expect((await bao.root.write('rot/kv/metadata/bootstrap/bundle', { custom_metadata: custom })).status).toBeLessThan(
      300,
    );
    // The rotation written as finished (new root current, old root retired) is the same bundle: no changes.
    ws.synth(
      (app: App) =>
        new PlatformTrustStack(app, {
          environment: env(7, {
            ...published,
            controlPlaneTrust: { platformCa: { root: ROOT_2, retiredRoots: [ROOT_1] } },
          }),
        }),
    );
    await ws.expectNoChanges();
  });
});
