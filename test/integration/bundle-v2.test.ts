/**
 * Bootstrap bundle v2 against the real engine and a real Vault-API server: only a reviewed apply can change
 * what nodes trust. Each finding that bundle v2 closes is a regression test here:
 * A. the control plane's everyday credential cannot sign with the bundle key, and a bundle it signs with the task
 *    key is refused by the node;
 * B. a plan of a changed bundle holds no signature over it (plan JSON and Vault's audit log);
 * C. the plan explainer names the URL change as a trust change;
 * D. the envelope as published is DSSE: an independent implementation verifies it.
 * Then: a bundle-key rotation in two phases followed by a node that held the bundle from before, a retired bundle
 * key and a replayed bundle refused, the first bundle checked against the pin output, and a node holding a v1
 * bundle moving to v2 through the dual-signed envelope.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import {
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BootstrapBundle,
  BootstrapBundleV1,
  BootstrapBundleV2,
  acceptBundleUpdate,
  acceptFirstBundle,
  bundleKeyPin,
  jsonencodeCanonical,
  pae,
  parseBundleKeySet,
  parseVerifierSet,
  verifyBundle,
} from '../../lib/node';
import { TrustChangeKind, exitDecision, explainPlan, renderMarkdown } from '../../lib/review';
import { verifyDsseIndependently } from '../unit/node/helpers/independent-dsse';
import { VaultClient, VaultServer } from './vault-server';
import { EngineError, TEST_FRESHNESS, Workspace, oneLine, rolloutWait } from './workspace';

const FUTURE = '2099-01-01T00:00:00Z';

function environment(name: string, auditFilePath: string, changes: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name,
    controlPlaneUrl: `https://control.${name}.localhost`,
    taskSigning: { version: 1 },
    bundle: { freshness: TEST_FRESHNESS, sequence: 1 },
    nodeDomain: `nodes.${name}.internal`,
    auditFilePath,
    ...changes,
  };
}

function build(config: EnvironmentConfig) {
  return (app: App) => new PlatformTrustStack(app, { environment: config });
}

/** Sign requests (`<mount>/sign/<key>`) in the audit log, as `<path> <key_version>`. */
function signRequests(auditLog: string): string[] {
  if (!fs.existsSync(auditLog)) return [];
  return fs
    .readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'request' && /\/sign\//.test(e.request?.path ?? ''))
    .map((e) => e.request.path as string);
}

/** Every string in a JSON value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

describe('bootstrap bundle v2 (real engine, real Vault-API server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let auditLog: string;
  let cp: VaultClient;
  let config: EnvironmentConfig;
  /** Envelope text by sequence, as the control plane read it from KV. */
  const envelopes = new Map<number, string>();
  /** Accepted bundle by sequence. */
  const bundles = new Map<number, BootstrapBundle>();
  let outputs: Record<string, any>;

  async function applyAndRead(next: EnvironmentConfig): Promise<void> {
    config = next;
    ws.synth(build(config));
    await ws.apply();
    outputs = await ws.outputs();
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    expect(res.status).toBe(200);
    const envelope = res.body.data.data.envelope;
    const text = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
    envelopes.set(config.bundle.sequence, text);
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    auditLog = path.join(bao.auditDir, 'bv-audit.log');
    ws = Workspace.create('pt-bv-');
    ws.env = bao.env;
    config = environment('bv', auditLog);
    ws.synth(build(config));
    await ws.apply();
    outputs = await ws.outputs();
    cp = await bao.root.loginControlPlane(outputs, 'bv-control-plane');
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    envelopes.set(1, JSON.stringify(res.body.data.data.envelope));
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('the published envelope is DSSE, signed by the bundle key: our node side and an independent DSSE implementation both verify it; the first bundle checks against the pin output', () => {
    const envelope = JSON.parse(envelopes.get(1)!);
    expect(envelope.payloadType).toBe(BUNDLE_PAYLOAD_TYPE_V2);
    const keys = parseBundleKeySet(outputs.bundle_signing_keys);
    expect(keys.key).toBe('bundle-signer');
    const active = keys.keys.find((k) => k.state === 'active')!;
    expect(envelope.signatures).toEqual([{ keyid: active.kid, sig: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/) }]);
    // D: the raw signature, not Vault's "vault:v1:" text, so a DSSE library takes the envelope as served.
    expect(verifyDsseIndependently(envelope, active.public_key, active.kid)).toBe(true);

    const verdict = verifyBundle(envelopes.get(1)!, outputs.bundle_signing_keys, new Date());
    expect(verdict).toMatchObject({ ok: true, signerKind: 'bundle-key', signer: { version: 1, kid: active.kid } });
    if (!verdict.ok) throw new Error(verdict.detail);
    bundles.set(1, verdict.bundle);
    expect((verdict.bundle as unknown as BootstrapBundleV2).bundle_keys.set).toEqual(keys);
    // The task verifier set is not accepted for a bundle: bundles verify under bundle keys only.
    expect(verifyBundle(envelopes.get(1)!, outputs.task_signing_pubkeys, new Date())).toMatchObject({
      ok: false,
      reason: 'wrong-key-kind',
    });

    // Enrollment: the node holds nothing yet and checks the first bundle against the pin it got out of band.
    expect(outputs.bundle_key_pin).toBe(bundleKeyPin(active.public_key));
    expect(acceptFirstBundle(envelopes.get(1)!, outputs.bundle_key_pin, new Date())).toMatchObject({ ok: true });
    const taskKey = parseVerifierSet(outputs.task_signing_pubkeys).keys[0];
    expect(acceptFirstBundle(envelopes.get(1)!, bundleKeyPin(taskKey.public_key), new Date())).toMatchObject({
      ok: false,
      reason: 'pin-mismatch',
    });
  });

  test('A. the control plane cannot sign with the bundle key (403); a bundle it signs with the task key re-pointing nodes is refused by the node', async () => {
    const current = bundles.get(1)! as BootstrapBundleV2;
    const forgedBundle = { ...current, sequence: 1001, control_plane: { url: 'https://evil.example.internal' } };
    const payload = Buffer.from(jsonencodeCanonical(forgedBundle), 'utf8');
    const input = Buffer.from(pae(BUNDLE_PAYLOAD_TYPE_V2, payload)).toString('base64');

    for (const version of ['1', 1]) {
      const refused = await cp.write('bv/transit/sign/bundle-signer', { input, key_version: version });
      expect([`key_version ${JSON.stringify(version)}`, refused.status]).toEqual([
        `key_version ${JSON.stringify(version)}`,
        403,
      ]);
    }
    expect((await cp.read('bv/transit/keys/bundle-signer')).status).toBe(403);
    expect((await cp.write('bv/transit/keys/bundle-signer/rotate')).status).toBe(403);

    // The task-signing grant must accept any input: the control plane can sign the forged payload with the task key.
    const taskSigned = await cp.write('bv/transit/sign/node-task-signer', {
      input,
      key_version: outputs.task_signing_active_version,
    });
    expect(taskSigned.status).toBe(200);
    const taskKey = parseVerifierSet(outputs.task_signing_pubkeys).keys.find((k) => k.state === 'active')!;
    const sig = (taskSigned.body.data.signature as string).split(':')[2];
    const forged = {
      payloadType: BUNDLE_PAYLOAD_TYPE_V2,
      payload: payload.toString('base64'),
      signatures: [{ keyid: taskKey.kid, sig }],
    };
    // The signature is valid DSSE under the task key, and still refused: bundles verify under bundle keys only.
    expect(verifyDsseIndependently(forged, taskKey.public_key, taskKey.kid)).toBe(true);
    expect(acceptBundleUpdate({ bundle: current }, forged, new Date())).toMatchObject({
      ok: false,
      reason: 'task-key-signature',
    });
    // Claiming the bundle key's kid does not help.
    const bundleKid = parseBundleKeySet(outputs.bundle_signing_keys).keys[0].kid;
    expect(
      acceptBundleUpdate({ bundle: current }, { ...forged, signatures: [{ keyid: bundleKid, sig }] }, new Date()),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
    // Nor does falling back to the v1 format that the task key used to sign.
    const v1Payload = Buffer.from(
      JSON.stringify({ ...forgedBundle, schema: BUNDLE_SCHEMA_V1, bundle_keys: undefined }),
    );
    const v1Signed = await cp.write('bv/transit/sign/node-task-signer', {
      input: Buffer.from(pae(BUNDLE_PAYLOAD_TYPE, v1Payload)).toString('base64'),
      key_version: outputs.task_signing_active_version,
    });
    const v1Forged = {
      payloadType: BUNDLE_PAYLOAD_TYPE,
      payload: v1Payload.toString('base64'),
      signatures: [{ keyid: taskKey.kid, sig: v1Signed.body.data.signature }],
    };
    expect(acceptBundleUpdate({ bundle: current }, v1Forged, new Date())).toMatchObject({
      ok: false,
      reason: 'downgrade',
    });
  });

  test('B and C. a plan of a changed bundle holds no signature over it, sends no sign request, and the explainer names the URL change as a trust change; the apply signs once', async () => {
    const changed = environment('bv', auditLog, {
      controlPlaneUrl: 'https://control2.bv.localhost',
      bundle: { freshness: TEST_FRESHNESS, sequence: 2 },
    });
    ws.synth(build(changed));
    const signsBefore = signRequests(auditLog).length;
    const { json } = await ws.plan();
    expect(signRequests(auditLog).length).toBe(signsBefore);

    // No data source signs: nothing of the kind is read during the plan.
    expect((json.resource_changes ?? []).map((c: any) => c.type)).not.toContain('vault_transit_sign');
    // The envelope the control plane would serve is unknown until apply; the bundle itself is known and reviewed.
    expect(json.output_changes.bootstrap_envelope.after_unknown).toBe(true);
    const plannedBundle = JSON.parse(json.output_changes.bootstrap_bundle.after);
    expect(plannedBundle.control_plane.url).toBe('https://control2.bv.localhost');
    // No string in the plan is a signature over the planned payload, by either key.
    const plannedPayload = Buffer.from(json.output_changes.bootstrap_bundle.after, 'utf8');
    const message = pae(BUNDLE_PAYLOAD_TYPE_V2, plannedPayload);
    const keys = [
      ...parseBundleKeySet(outputs.bundle_signing_keys).keys,
      ...parseVerifierSet(outputs.task_signing_pubkeys).keys,
    ];
    const { verify, createPublicKey } = await import('node:crypto');
    const candidates = strings(json)
      .map((s) => (s.startsWith('vault:v') ? s.split(':')[2] : s))
      .filter((s) => /^[A-Za-z0-9+/]{86}==$/.test(s));
    for (const candidate of candidates) {
      for (const k of keys) {
        const key = createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(k.public_key, 'base64').toString('base64url') },
          format: 'jwk',
        });
        expect(verify(null, message, key, Buffer.from(candidate, 'base64'))).toBe(false);
      }
    }

    // C: the reviewer sees the new URL, flagged as a trust change, and a check that requires a second reviewer fails.
    const explanation = explainPlan(json);
    expect(explanation.trustChanges.map((t) => t.kind)).toContain(TrustChangeKind.CONTROL_PLANE_URL);
    const review = renderMarkdown(explanation);
    expect(review).toContain('https://control.bv.localhost');
    expect(review).toContain('https://control2.bv.localhost');
    expect(exitDecision(explanation, { failOnTrustChange: true }).code).not.toBe(0);

    // The apply signs, once, with the bundle key's active version (key_version sent as the policy pins it).
    await applyAndRead(changed);
    const signs = signRequests(auditLog).slice(signsBefore);
    expect(signs).toEqual(['bv/transit/sign/bundle-signer']);
    const held = bundles.get(1)!;
    const update = acceptBundleUpdate({ bundle: held }, envelopes.get(2)!, new Date());
    expect(update).toMatchObject({
      ok: true,
      signerKind: 'bundle-key',
      bundle: { sequence: 2 },
    });
    if (update.ok) bundles.set(2, update.bundle);
    await ws.expectNoChanges();
  });

  test('a bundle-key rotation in two phases is followed by a node that held the bundle from before; a retired bundle key and a replayed bundle are refused', async () => {
    // Phase 1, pre-publish: version 2 of the bundle key exists and is listed as next; version 1 still signs.
    await applyAndRead({
      ...config,
      bundleSigning: { version: 2, activeVersion: 1 },
      bundle: { freshness: TEST_FRESHNESS, sequence: 3 },
    });
    const atThree = acceptBundleUpdate({ bundle: bundles.get(2)! }, envelopes.get(3)!, new Date());
    if (!atThree.ok) throw new Error(`${atThree.reason}: ${atThree.detail}`);
    expect(atThree).toMatchObject({ ok: true, signer: { version: 1, state: 'active' } });
    bundles.set(3, atThree.bundle);
    const states = (atThree.bundle as BootstrapBundleV2).bundle_keys.set.keys.map((k) => `${k.version}:${k.state}`);
    expect(states).toEqual(['1:active', '2:next']);

    // What someone who could still sign with version 1 at this point would keep: a higher-sequence bundle.
    const stolenBundle = { ...(atThree.bundle as BootstrapBundleV2), sequence: 999 };
    const stolenPayload = Buffer.from(jsonencodeCanonical(stolenBundle), 'utf8');
    const stolenSig = await bao.root.write('bv/transit/sign/bundle-signer', {
      input: Buffer.from(pae(BUNDLE_PAYLOAD_TYPE_V2, stolenPayload)).toString('base64'),
      key_version: '1',
    });
    expect(stolenSig.status).toBe(200);
    const v1Kid = (atThree.bundle as BootstrapBundleV2).bundle_keys.set.keys[0].kid;
    const stolen = {
      payloadType: BUNDLE_PAYLOAD_TYPE_V2,
      payload: stolenPayload.toString('base64'),
      signatures: [{ keyid: v1Kid, sig: (stolenSig.body.data.signature as string).split(':')[2] }],
    };

    // Phase 2, activate: version 2 signs; version 1 is in grace.
    // The plan refuses the activation until version 2 has been published for the rollout window (1 s here).
    await rolloutWait();
    await applyAndRead({
      ...config,
      bundleSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: FUTURE }] },
      bundle: { freshness: TEST_FRESHNESS, sequence: 4 },
    });
    const atFour = acceptBundleUpdate({ bundle: bundles.get(3)! }, envelopes.get(4)!, new Date());
    expect(atFour).toMatchObject({ ok: true, signer: { version: 2 } });
    if (!atFour.ok) throw new Error(atFour.detail);
    bundles.set(4, atFour.bundle);
    // A node that missed phase 1 holds no version 2 yet: it cannot skip to a bundle signed by it.
    expect(acceptBundleUpdate({ bundle: bundles.get(2)! }, envelopes.get(4)!, new Date())).toMatchObject({
      ok: false,
      reason: 'unknown-key',
    });

    // Phase 3, retire: version 1 leaves the set; Vault refuses to sign with it too.
    await applyAndRead({
      ...config,
      bundleSigning: { version: 2, activeVersion: 2 },
      bundle: { freshness: TEST_FRESHNESS, sequence: 5 },
    });
    const atFive = acceptBundleUpdate({ bundle: bundles.get(4)! }, envelopes.get(5)!, new Date());
    expect(atFive).toMatchObject({ ok: true, signer: { version: 2 } });
    if (!atFive.ok) throw new Error(atFive.detail);
    bundles.set(5, atFive.bundle);
    expect((atFive.bundle as BootstrapBundleV2).bundle_keys.set.keys.map((k) => k.version)).toEqual([2]);
    const late = await bao.root.write('bv/transit/sign/bundle-signer', {
      input: Buffer.from(pae(BUNDLE_PAYLOAD_TYPE_V2, stolenPayload)).toString('base64'),
      key_version: '1',
    });
    // (Vault answers 500 with the reason for a version below min_encryption_version.)
    expect([late.status >= 400, JSON.stringify(late.body)]).toEqual([true, expect.stringMatching(/version/i)]);

    // The retired key's signature: refused by the node that took the retirement, whatever its sequence.
    expect(acceptBundleUpdate({ bundle: bundles.get(5)! }, stolen, new Date())).toMatchObject({
      ok: false,
      reason: 'unknown-key',
    });
    // A replayed bundle is refused.
    expect(acceptBundleUpdate({ bundle: bundles.get(5)! }, envelopes.get(4)!, new Date())).toMatchObject({
      ok: false,
      reason: 'sequence-not-increasing',
    });
    await ws.expectNoChanges();
  });

  test('a node that holds a v1 bundle moves to v2 through the dual-signed envelope; later envelopes are v2-only', async () => {
    // The stack renders v2 only; the held v1 bundle is what a node kept from before (same trust, format v1).
    const v2 = bundles.get(5)! as BootstrapBundleV2;
    const held: BootstrapBundleV1 = {
      schema: BUNDLE_SCHEMA_V1,
      environment: v2.environment,
      sequence: 5,
      control_plane: v2.control_plane,
      public_https_trust: v2.public_https_trust,
      node_cert_trust: v2.node_cert_trust,
      task_verifiers: v2.task_verifiers,
      env: v2.env,
    };
    await applyAndRead({ ...config, bundle: { freshness: TEST_FRESHNESS, sequence: 6, migrateFromV1: true } });
    const dual = JSON.parse(envelopes.get(6)!);
    const taskKey = parseVerifierSet(outputs.task_signing_pubkeys).keys.find((k) => k.state === 'active')!;
    expect(dual.signatures.map((s: any) => s.keyid)).toEqual([
      parseBundleKeySet(outputs.bundle_signing_keys).keys.find((k) => k.state === 'active')!.kid,
      taskKey.kid,
    ]);
    const migrated = acceptBundleUpdate({ bundle: held }, envelopes.get(6)!, new Date());
    expect(migrated).toMatchObject({ ok: true, migratedFromV1: true, signerKind: 'task-key-migration' });
    if (!migrated.ok) throw new Error(migrated.detail);
    // A v2 node takes the same envelope under its bundle key and ignores the task-key signature.
    const v2Node = acceptBundleUpdate({ bundle: v2 }, envelopes.get(6)!, new Date());
    expect(v2Node).toMatchObject({ ok: true, signerKind: 'bundle-key', migratedFromV1: false });

    // Migration off: the next envelope carries the bundle-key signature only.
    await applyAndRead({ ...config, bundle: { freshness: TEST_FRESHNESS, sequence: 7 } });
    expect(JSON.parse(envelopes.get(7)!).signatures).toHaveLength(1);
    expect(acceptBundleUpdate({ bundle: migrated.bundle }, envelopes.get(7)!, new Date())).toMatchObject({
      ok: true,
      bundle: { sequence: 7 },
    });
    // A node still on v1 can no longer move: it needs the migration envelope (or a new enrollment).
    expect(acceptBundleUpdate({ bundle: held }, envelopes.get(7)!, new Date())).toMatchObject({ ok: false });
    await ws.expectNoChanges();
  });
  test('the sequence guard counts the key schedules: a pre-publish or the migration flag at an unchanged sequence fails the plan', async () => {
    const failure = async (next: EnvironmentConfig) => {
      ws.synth(build(next));
      const result = await ws.plan().catch((e: EngineError) => e);
      return result instanceof EngineError ? oneLine(result.result.stderr) : 'planned';
    };
    // Published: sequence 7. The payload of a pre-publish is known only after apply (the new public key), so the
    // inputs digest is what catches it.
    expect(await failure({ ...config, taskSigning: { version: 2, activeVersion: 1 } })).toContain(
      'is the published sequence, but the bundle changed (its inputs digest differs',
    );
    expect(await failure({ ...config, bundleSigning: { version: 3, activeVersion: 2 } })).toContain(
      'its inputs digest differs',
    );
    expect(await failure({ ...config, bundle: { ...config.bundle, migrateFromV1: true } })).toContain(
      'its inputs digest differs',
    );
    // Back to what is applied: nothing to do.
    ws.synth(build(config));
    await ws.expectNoChanges();
  });
});
