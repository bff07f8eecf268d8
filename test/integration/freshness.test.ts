/**
 * Freshness, rollout safety, revocation and emergency rotation against the real engine and a real Vault-API server:
 * - an expired bundle is refused, tasks are refused while it is held, and a fresh update recovers the node;
 * - a plan fails when the bundle expires within the margin, or beyond the validity bound;
 * - an activation planned before the pre-published version has been published for the rollout window fails the
 *   plan (the publication time is Vault's created_time of the version's record) and passes after it; a version
 *   that was never published cannot be activated;
 * - a version revoked inside its grace window is refused by a node that takes the update, and still accepted by a
 *   node that has not refreshed (the exposure window, at most one refresh hint for online nodes);
 * - the emergency line (`compromised: [..]`) rotates, activates, raises Vault's floors and revokes in one apply;
 * - a revocation dropped before every bundle that trusted it has expired fails the plan; after that date it plans.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { RootRotationPhase } from '../../lib/pki';
import {
  BootstrapBundle,
  BootstrapBundleV2,
  acceptBundleUpdate,
  BUNDLE_PAYLOAD_TYPE_V2,
  acceptFirstBundle,
  bundleFreshness,
  jsonencodeCanonical,
  pae,
  verifyTaskWithBundle,
} from '../../lib/node';
import { isoSeconds } from '../../lib/schedule/private/time';
import { VaultClient, VaultServer } from './vault-server';
import { EngineError, Workspace, dayFromToday, oneLine } from './workspace';

/** Refresh hint of 2 s and two refreshes: a 4 s rollout window. */
const FRESHNESS = { expires: dayFromToday(30), refreshHintSeconds: 2, rolloutRefreshes: 2 } as const;
const WINDOW_MS = 4000;
const GRACE_UNTIL = dayFromToday(10);
/** The control-plane trust after the root switch test: fr-root-2 current, the first root in its overlap. */
const SWITCHED_TRUST: EnvironmentConfig['controlPlaneTrust'] = {
  platformCa: {
    root: { issuerName: 'fr-control-plane-root' },
    rotation: { next: { issuerName: 'fr-root-2' }, overlapUntil: dayFromToday(10), phase: RootRotationPhase.SWITCH },
  },
};

function environment(changes: Partial<EnvironmentConfig> & { sequence: number }): EnvironmentConfig {
  const { sequence, ...rest } = changes;
  return {
    name: 'fr',
    controlPlaneUrl: 'https://control.fr.localhost',
    taskSigning: { version: 1 },
    nodeDomain: 'nodes.fr.internal',
    ...rest,
    bundle: { freshness: FRESHNESS, ...rest.bundle, sequence },
  };
}

/** A plan_time (ISO 8601 UTC, whole seconds) between 0.5 and 1.5 s after `publishedAt`: inside the rollout window. */
function insideWindow(publishedAt: number): string {
  const t = isoSeconds(publishedAt + 1500);
  expect(Date.parse(t) - publishedAt).toBeLessThan(WINDOW_MS);
  return t;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('bundle freshness, rollout window, revocation and emergency rotation (real engine, real server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let cp: VaultClient;
  let outputs: Record<string, any>;
  /** Envelope text by sequence, as the control plane read it. */
  const envelopes = new Map<number, string>();
  /** Tasks signed through Vault, by key version. */
  const tasks = new Map<number, { message: string; signature: string }>();
  /** A node that takes every update, and its bundle by sequence. */
  const held = new Map<number, BootstrapBundle>();

  async function publish(config: EnvironmentConfig): Promise<string[]> {
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: config }));
    const changes = await ws.apply();
    outputs = await ws.outputs();
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    expect(res.status).toBe(200);
    envelopes.set(config.bundle.sequence, JSON.stringify(res.body.data.data.envelope));
    return changes.map((c) => `${c.actions.join(',')} ${c.address.replace(/_[0-9A-F]{8}$/, '')}`);
  }

  /** The plan's failure text, or undefined when it plans. */
  async function planFailure(config: EnvironmentConfig, planTime?: string): Promise<string | undefined> {
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: config }));
    const saved = ws.env;
    if (planTime) ws.env = { ...saved, TF_VAR_plan_time: planTime };
    try {
      await ws.plan();
      return undefined;
    } catch (e) {
      if (e instanceof EngineError) return oneLine(e.result.stderr + e.result.stdout);
      throw e;
    } finally {
      ws.env = saved;
    }
  }

  /** The control plane signs a task with the active version (its policy pins it), as its signer does. */
  async function signTask(version: number, text: string): Promise<void> {
    const message = `${text} (v${version})`;
    const res = await cp.write(`fr/transit/sign/node-task-signer`, {
      input: Buffer.from(message).toString('base64'),
      key_version: String(version),
    });
    expect(res.status).toBe(200);
    tasks.set(version, { message, signature: res.body.data.signature });
  }

  function nodeTakes(from: number, to: number, now: Date): BootstrapBundleV2 {
    const verdict = acceptBundleUpdate({ bundle: held.get(from)! }, envelopes.get(to)!, now);
    if (!verdict.ok) throw new Error(`update ${from} -> ${to} refused: ${verdict.reason}: ${verdict.detail}`);
    held.set(to, verdict.bundle);
    return verdict.bundle as BootstrapBundleV2;
  }

  function taskVerdict(bundle: BootstrapBundle, version: number, now: Date) {
    const t = tasks.get(version)!;
    const v = verifyTaskWithBundle(bundle, t.message, t.signature, now);
    return v.ok ? 'accepted' : v.reason;
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create('pt-fr-');
    ws.env = bao.env;
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment({ sequence: 1 }) }));
    await ws.apply();
    outputs = await ws.outputs();
    cp = await bao.root.loginControlPlane(outputs, 'fr-control-plane');
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    envelopes.set(1, JSON.stringify(res.body.data.data.envelope));
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('an expired bundle is refused, every task is refused while it is held, and a fresh update recovers the node', async () => {
    const now = new Date();
    const first = acceptFirstBundle(envelopes.get(1)!, outputs.bundle_key_pin, now);
    if (!first.ok) throw new Error(`${first.reason}: ${first.detail}`);
    held.set(1, first.bundle);
    expect(bundleFreshness(first.bundle)).toEqual({
      expiresAt: new Date(FRESHNESS.expires),
      refreshHintSeconds: FRESHNESS.refreshHintSeconds,
    });
    await signTask(1, 'drain gpu-0001');
    expect(taskVerdict(first.bundle, 1, now)).toBe('accepted');

    // At its expiry the same bundle is refused, and so is every task while the node holds it (fail closed).
    const atExpiry = new Date(FRESHNESS.expires);
    expect(acceptFirstBundle(envelopes.get(1)!, outputs.bundle_key_pin, atExpiry)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(taskVerdict(first.bundle, 1, atExpiry)).toBe('bundle-expired');

    // A new bundle with a later expiry (a reviewed change: the date and a sequence bump) recovers the node even
    // though the bundle it holds has expired.
    const later = { ...FRESHNESS, expires: dayFromToday(40) };
    await publish(environment({ sequence: 2, bundle: { freshness: later, sequence: 2 } }));
    const recovered = nodeTakes(1, 2, new Date(atExpiry.getTime() + 1000));
    expect(recovered.freshness.expires).toBe(later.expires);
    expect(taskVerdict(recovered, 1, new Date(atExpiry.getTime() + 1000))).toBe('accepted');
    // Back to the base expiry for the rest of the file.
    await publish(environment({ sequence: 3 }));
    nodeTakes(2, 3, now);
  });

  test('a plan fails when the bundle expires within the margin or beyond the validity bound; nothing is written', async () => {
    const published = (await cp.read(outputs.bootstrap_bundle_kv_path)).body.data.metadata.version;
    // plan_time two days before the expiry: inside the 5-day margin.
    const twoDaysBefore = new Date(new Date(FRESHNESS.expires).getTime() - 2 * 86400_000).toISOString();
    const near = await planFailure(environment({ sequence: 3 }), twoDaysBefore);
    expect(near).toContain(`The bootstrap bundle expires at ${FRESHNESS.expires}, within 5 days of this plan`);
    expect(near).toContain('Move freshness.expires forward');
    // An expiry 100 days ahead: beyond the 90-day bound.
    const far = await planFailure(
      environment({ sequence: 4, bundle: { freshness: { ...FRESHNESS, expires: dayFromToday(100) }, sequence: 4 } }),
    );
    expect(far).toContain('more than 90 days after this plan');
    // A plan_time that is not ISO 8601 UTC is refused by the variable's validation, naming what to set.
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment({ sequence: 3 }) }));
    const saved = ws.env;
    ws.env = { ...saved, TF_VAR_plan_time: 'yesterday' };
    const bad = await ws.run(['plan', '-input=false', '-no-color']);
    ws.env = saved;
    expect(oneLine(bad.stderr)).toContain('plan_time must be the time of the plan in ISO 8601 UTC');
    expect((await cp.read(outputs.bootstrap_bundle_kv_path)).body.data.metadata.version).toBe(published);
  });

  test('an activation planned inside the rollout window fails the plan and passes after it; a version never published cannot be activated', async () => {
    // Pre-publish version 2: the record of v2 is written after the bundle that lists it.
    const pre = await publish(environment({ sequence: 4, taskSigning: { version: 2, activeVersion: 1 } }));
    expect(pre).toContain('create vault_kv_secret_v2.BootstrapBundle_PublishedTaskKeyV2');
    const record = await bao.root.read('fr/kv/metadata/bootstrap/bundle-published/node-task-signer/v2');
    expect(record.status).toBe(200);
    const publishedAt = Date.parse(record.body.data.created_time);

    const activate = environment({
      sequence: 5,
      taskSigning: { version: 2, grace: [{ version: 1, until: GRACE_UNTIL }] },
    });
    // Planned inside the window: the plan's clock (plan_time, what a runner sets to the time of the plan) is fixed one
    // second after the publication, so a slow machine cannot move the plan past the window.
    const early = await planFailure(activate, insideWindow(publishedAt));
    expect(early).toContain('The task key version 2 was first published to nodes at');
    expect(early).toContain('the control plane may sign with it only 4 s later (2 refresh hints of 2 s plus 0 s)');

    // Activating a version that no bundle ever listed: its record does not exist, and the plan's read of it fails.
    const never = await planFailure(environment({ sequence: 5, taskSigning: { version: 3 } }));
    expect(never).toContain('no secret found at "fr/kv/data/bootstrap/bundle-published/node-task-signer/v3"');

    await sleep(Math.max(0, publishedAt + WINDOW_MS + 1100 - Date.now()));
    // A grace that ends before one more window has passed after the earliest activation is refused.
    const shortGrace = await planFailure(
      environment({ sequence: 5, taskSigning: { version: 2, grace: [{ version: 1, until: dayFromToday(0) }] } }),
    );
    expect(shortGrace).toContain(
      `The grace of task key version 1 ends at ${dayFromToday(0)}, less than the rollout window (4 s)`,
    );
    expect(await planFailure(activate)).toBeUndefined();
    await publish(activate);
    await signTask(2, 'drain gpu-0002');
    const now = new Date();
    const b4 = nodeTakes(3, 4, now);
    const b5 = nodeTakes(4, 5, now);
    expect(b4.task_verifiers.set.keys.map((k) => `${k.version}:${k.state}`)).toEqual(['1:active', '2:next']);
    expect(b5.task_verifiers.set.keys.map((k) => `${k.version}:${k.state}`)).toEqual(['1:grace', '2:active']);
    expect(taskVerdict(b5, 1, now)).toBe('accepted');
    expect(taskVerdict(b5, 2, now)).toBe('accepted');
  });

  test('a version revoked inside its grace window is refused after the update; a node that has not refreshed still accepts it', async () => {
    await publish(
      environment({
        sequence: 6,
        taskSigning: { version: 2, grace: [{ version: 1, until: GRACE_UNTIL }], compromised: [1] },
      }),
    );
    const now = new Date();
    const b6 = nodeTakes(5, 6, now);
    expect(b6.revoked.task_key_versions).toEqual([1]);
    expect(b6.task_verifiers.set.keys.map((k) => k.version)).toEqual([2]);
    expect(taskVerdict(b6, 1, now)).toBe('revoked-key');
    expect(taskVerdict(b6, 2, now)).toBe('accepted');
    // The exposure window: a node still on sequence 5 accepts v1 (inside its grace) until it refreshes.
    expect(taskVerdict(held.get(5)!, 1, now)).toBe('accepted');
  });

  test('the emergency line rotates, activates, raises the floors and revokes in one apply; the exposure window is what a stale node still accepts', async () => {
    const changes = await publish(environment({ sequence: 7, taskSigning: { version: 2, compromised: [1, 2] } }));
    // One apply: the rotation to v3, the floors, the signing metadata and the bundle, with no pre-publish wait.
    expect(changes).toEqual(
      expect.arrayContaining([
        'create vault_generic_endpoint.TaskSigningKey_RotateToV3',
        'create vault_kv_secret_v2.BootstrapBundle_PublishedTaskKeyV3',
        'update vault_kv_secret_v2.BootstrapBundle_Secret',
      ]),
    );
    const key = await bao.root.read('fr/transit/keys/node-task-signer');
    expect(key.body.data).toMatchObject({ latest_version: 3, min_encryption_version: 3, min_decryption_version: 3 });
    // Vault refuses to sign with the compromised version, even for the root token.
    const old = await bao.root.write('fr/transit/sign/node-task-signer', { input: 'eA==', key_version: '2' });
    expect(old.status).toBeGreaterThanOrEqual(400);
    // The control plane's policy follows the active version: it signs v3 and nothing else.
    const v2ByCp = await cp.write('fr/transit/sign/node-task-signer', { input: 'eA==', key_version: '2' });
    expect(v2ByCp.status).toBe(403);
    await signTask(3, 'drain gpu-0003');

    const now = new Date();
    const b7 = nodeTakes(6, 7, now);
    expect(b7.revoked.task_key_versions).toEqual([1, 2]);
    expect(b7.task_verifiers.set.keys.map((k) => `${k.version}:${k.state}`)).toEqual(['3:active']);
    expect(taskVerdict(b7, 2, now)).toBe('revoked-key');
    expect(taskVerdict(b7, 3, now)).toBe('accepted');
    // A node still on sequence 6 accepts the compromised v2 and refuses the new v3 until its next refresh (at most
    // one refresh hint for an online node): the documented cost of an emergency.
    expect(taskVerdict(held.get(6)!, 2, now)).toBe('accepted');
    expect(taskVerdict(held.get(6)!, 3, now)).toBe('unknown-version');
    await ws.expectNoChanges();
  });

  test('a root switch planned inside the rollout window fails the plan and passes after it; a switch to a root no bundle listed fails', async () => {
    const taskSigning = { version: 2, compromised: [1, 2] };
    const root = { issuerName: 'fr-control-plane-root' };
    const next = { issuerName: 'fr-root-2' };
    const overlapUntil = dayFromToday(10);
    const phase = (p: RootRotationPhase): EnvironmentConfig['controlPlaneTrust'] => ({
      platformCa: { root, rotation: { next, overlapUntil, phase: p } },
    });
    // Straight to SWITCH: no bundle ever listed fr-root-2, so its publication record does not exist.
    const direct = await planFailure(
      environment({ sequence: 8, taskSigning, controlPlaneTrust: phase(RootRotationPhase.SWITCH) }),
    );
    expect(direct).toContain('no secret found at "fr/kv/data/bootstrap/bundle-published/control-plane-root/fr-root-2"');

    await publish(environment({ sequence: 8, taskSigning, controlPlaneTrust: phase(RootRotationPhase.PUBLISH_NEXT) }));
    const record = await bao.root.read('fr/kv/metadata/bootstrap/bundle-published/control-plane-root/fr-root-2');
    const publishedAt = Date.parse(record.body.data.created_time);
    const switched = environment({ sequence: 9, taskSigning, controlPlaneTrust: phase(RootRotationPhase.SWITCH) });
    const early = await planFailure(switched, insideWindow(publishedAt));
    expect(early).toContain('The control-plane root "fr-root-2" was first published to nodes at');
    await sleep(Math.max(0, publishedAt + WINDOW_MS + 1100 - Date.now()));
    expect(await planFailure(switched)).toBeUndefined();
    await publish(switched);
    nodeTakes(7, 8, new Date());
    const b9 = nodeTakes(8, 9, new Date());
    expect(b9.public_https_trust.roots.map((r) => r.state)).toEqual(['current', 'previous']);
  });

  test('a compromised bundle key: one apply rotates and revokes it while it hands over; a bundle forged with it later is refused by updated nodes', async () => {
    const taskSigning = { version: 2, compromised: [1, 2] };
    const controlPlaneTrust = SWITCHED_TRUST;
    const before = held.get(9)! as BootstrapBundleV2;
    expect(before.bundle_keys.set.keys.map((k) => `${k.version}:${k.state}`)).toEqual(['1:active']);
    const changes = await publish(
      environment({ sequence: 10, taskSigning, controlPlaneTrust, bundleSigning: { version: 1, compromised: [1] } }),
    );
    expect(changes).toEqual(
      expect.arrayContaining([
        'create vault_generic_endpoint.BundleSigningKey_RotateToV2',
        'create vault_generic_endpoint.BootstrapBundle_HandoverSignature',
      ]),
    );
    // Signed by the new version and, once more, by the compromised one that nodes hold.
    const envelope = JSON.parse(envelopes.get(10)!);
    expect(envelope.signatures.map((s: { keyid: string }) => s.keyid.split(':')[1])).toEqual(['v2', 'v1']);
    const now = new Date();
    const update = acceptBundleUpdate({ bundle: before }, envelopes.get(10)!, now);
    expect(update).toMatchObject({ ok: true, signer: { version: 1 } });
    const b10 = nodeTakes(9, 10, now);
    expect(b10.bundle_keys.set.keys.map((k) => `${k.version}:${k.state}`)).toEqual(['2:active']);
    expect(b10.revoked.bundle_key_versions).toEqual([1]);

    // Whoever holds version 1 forges a bundle re-pointing nodes (here the root token signs with it).
    const v1Kid = before.bundle_keys.set.keys[0].kid;
    const forgedBundle = { ...b10, sequence: 11, control_plane: { url: 'https://attacker.fr.localhost' } };
    const payload = Buffer.from(jsonencodeCanonical(forgedBundle));
    const signed = await bao.root.write('fr/transit/sign/bundle-signer', {
      input: Buffer.from(pae(BUNDLE_PAYLOAD_TYPE_V2, payload)).toString('base64'),
      key_version: '1',
    });
    expect(signed.status).toBe(200);
    const forged = JSON.stringify({
      payloadType: BUNDLE_PAYLOAD_TYPE_V2,
      payload: payload.toString('base64'),
      signatures: [{ keyid: v1Kid, sig: signed.body.data.signature.split(':')[2] }],
    });
    expect(acceptBundleUpdate({ bundle: b10 }, forged, now)).toMatchObject({ ok: false, reason: 'revoked-key' });
    // The exposure window: a node that never took the emergency bundle still takes the forgery.
    expect(acceptBundleUpdate({ bundle: before }, forged, now)).toMatchObject({ ok: true });

    // Once nodes hold the emergency bundle, the code names the new version: one signature, and the floors rise.
    await publish(
      environment({ sequence: 11, taskSigning, controlPlaneTrust, bundleSigning: { version: 2, compromised: [1] } }),
    );
    expect(JSON.parse(envelopes.get(11)!).signatures).toHaveLength(1);
    nodeTakes(10, 11, now);
    const key = await bao.root.read('fr/transit/keys/bundle-signer');
    expect(key.body.data).toMatchObject({ latest_version: 2, min_encryption_version: 2 });
    const v1 = await bao.root.write('fr/transit/sign/bundle-signer', { input: 'eA==', key_version: '1' });
    expect(v1.status).toBeGreaterThanOrEqual(400);
    await ws.expectNoChanges();
  });

  test('a revocation stays listed until every bundle that trusted it has expired: dropping it sooner fails the plan, naming it and the date; after that date it plans', async () => {
    const controlPlaneTrust = SWITCHED_TRUST;
    const bundleSigning = { version: 2, compromised: [1] };
    // Each revoked item has a record, written once before the bundle that revoked it; the published bundle carries
    // the end of its retention: the record's created_time plus the validity bound (90 days) frozen in the record.
    const record = await bao.root.read('fr/kv/data/bootstrap/bundle-published/revoked/task-key/v1');
    expect(record.status).toBe(200);
    expect(record.body.data.metadata.custom_metadata).toEqual({ retain_hours: '2160' });
    const revokedAt = Date.parse(record.body.data.metadata.created_time);
    const meta = await bao.root.read('fr/kv/metadata/bootstrap/bundle');
    const custom: Record<string, string> = meta.body.data.custom_metadata;
    expect(
      Object.keys(custom)
        .filter((k) => k.startsWith('revoked:'))
        .sort(),
    ).toEqual(['revoked:bundle-key:v1', 'revoked:task-key:v1', 'revoked:task-key:v2']);
    const until = Date.parse(custom['revoked:task-key:v1']);
    expect(Math.abs(until - (revokedAt + 90 * 86400_000))).toBeLessThan(1000);
    // The first bundle that listed v1 as revoked was planned after every bundle that trusted it.
    expect(revokedAt).toBeLessThan(Date.now());

    // Dropping the task key revocations now fails the plan, naming each and when it may go.
    const dropped = (extra: Partial<EnvironmentConfig['bundle']> = {}) =>
      environment({
        sequence: 12,
        taskSigning: { version: 3 },
        controlPlaneTrust,
        bundleSigning,
        bundle: { sequence: 12, freshness: FRESHNESS, ...extra },
      });
    const early = await planFailure(dropped());
    expect(early).toContain('A revocation is dropped before every bundle that trusted it has expired');
    expect(early).toContain(`revoked:task-key:v1 (listed until ${custom['revoked:task-key:v1']})`);
    expect(early).toContain(`revoked:task-key:v2 (listed until ${custom['revoked:task-key:v2']})`);
    expect(early).not.toContain('revoked:bundle-key:v1 (listed');

    // After the last retention end the same change plans (the bundle's expiry moved forward, as it would be by then).
    const later = Math.max(until, Date.parse(custom['revoked:task-key:v2'])) + 3600_000;
    const expires = isoSeconds(later + 30 * 86400_000);
    const planTime = isoSeconds(later);
    expect(await planFailure(dropped({ freshness: { ...FRESHNESS, expires } }), planTime)).toBeUndefined();
    // One hour before it, the plan fails.
    const before = isoSeconds(later - 2 * 3600_000);
    expect(await planFailure(dropped({ freshness: { ...FRESHNESS, expires } }), before)).toContain(
      'A revocation is dropped before every bundle that trusted it has expired',
    );

    // Applied at that time: the records of the dropped items are deleted, the bundle key's stays, and the published
    // metadata keeps only what is still revoked; the next plan is empty.
    const saved = ws.env;
    ws.env = { ...saved, TF_VAR_plan_time: planTime };
    try {
      await publish(dropped({ freshness: { ...FRESHNESS, expires } }));
      await ws.expectNoChanges();
    } finally {
      ws.env = saved;
    }
    const gone = await bao.root.read('fr/kv/data/bootstrap/bundle-published/revoked/task-key/v1');
    expect(gone.status).toBe(404);
    const kept = await bao.root.read('fr/kv/data/bootstrap/bundle-published/revoked/bundle-key/v1');
    expect(kept.status).toBe(200);
    const after = (await bao.root.read('fr/kv/metadata/bootstrap/bundle')).body.data.custom_metadata;
    expect(Object.keys(after).filter((k) => k.startsWith('revoked:'))).toEqual(['revoked:bundle-key:v1']);
    expect(after['revoked:bundle-key:v1']).toBe(custom['revoked:bundle-key:v1']);
  });
});
