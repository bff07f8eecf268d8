/**
 * The rotation-status command against the real engine and a real Vault-API server: the stack is applied, an operator
 * (the root token) creates a policy with read on exactly the documented paths and a token with only that policy, and
 * the command reads Vault with that token. Each due state is reported from what Vault holds (key versions'
 * creation_time, the publication record's created_time, the published bundle): nothing due right after apply,
 * a pre-publish due, the activation not proposed inside the rollout window and proposed after it, the bundle's
 * renewal, an expiring root. The proposed changes are applied as they are written. The token cannot write, and a
 * token without one of the paths cannot read what the command needs. Last, the real plan of the emergency line shows
 * the plan explainer's Emergency section, read from the stack manifest (the new bundle is unknown in that plan).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { TrustChangeKind, certificateFacts, exitDecision, explainPlan, renderMarkdown } from '../../lib/review';
import type { DueItem, RotationPolicy } from '../../lib/schedule';
import { run } from '../../scripts/rotation-status';
import { VaultClient, VaultServer } from './vault-server';
import { TEST_FRESHNESS, Workspace } from './workspace';

const DAY = 86_400_000;
const FAR: RotationPolicy = { taskKey: { rotateEveryDays: 3650 }, bundleKey: { rotateEveryDays: 3650 } };
/** The task key is due for rotation two days after its version was created: pre-publish one day ahead. */
const SHORT: RotationPolicy = {
  taskKey: { rotateEveryDays: 2, prePublishDays: 1 },
  bundleKey: { rotateEveryDays: 3650 },
};

const base: EnvironmentConfig = {
  name: 'rs',
  controlPlaneUrl: 'https://control.rs.localhost',
  taskSigning: { version: 1 },
  bundle: { freshness: TEST_FRESHNESS, sequence: 1 },
  nodeDomain: 'nodes.rs.internal',
};

/** The read-only policy as the README documents it for the environment "rs". */
const DOCUMENTED_PATHS = [
  'rs/transit/keys/node-task-signer',
  'rs/transit/keys/bundle-signer',
  'rs/kv/metadata/bootstrap/bundle',
  'rs/kv/data/bootstrap/bundle',
  'rs/kv/metadata/bootstrap/bundle-published/*',
];
const policyText = (paths: readonly string[]) =>
  `${paths.map((p) => `path "${p}" {\n  capabilities = ["read"]\n}`).join('\n\n')}\n`;

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The config with a proposal's edits applied, as a person would write them. */
function applyChange(config: EnvironmentConfig, item: DueItem): EnvironmentConfig {
  const out: any = structuredClone(config);
  for (const e of item.change!.edits) {
    const parts = e.path.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = o[p] ??= {};
    o[parts[parts.length - 1]] = structuredClone(e.value);
  }
  return out;
}

describe('rotation-status (real engine, real Vault-API server, read-only token)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let dir: string;
  let readOnly: VaultClient;
  let config: EnvironmentConfig = base;

  async function publish(next: EnvironmentConfig): Promise<void> {
    config = next;
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: next }));
    await ws.apply();
  }

  /** Runs the command in-process with the read-only token on `config` plus `policy`. */
  async function status(policy: RotationPolicy, now?: number, token = readOnly.token) {
    const file = path.join(dir, `env-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...config, rotationPolicy: policy }));
    const r = await run(
      ['--config', file, '--json', ...(now !== undefined ? ['--now', new Date(now).toISOString()] : [])],
      {
        env: { VAULT_ADDR: bao.addr, VAULT_TOKEN: token },
      },
    );
    const json = r.stdout ? JSON.parse(r.stdout) : undefined;
    return { code: r.code, stderr: r.stderr, items: (json?.items ?? []) as DueItem[], json };
  }

  const created = async (version: number) => {
    const key = await bao.root.read('rs/transit/keys/node-task-signer');
    return Date.parse(key.body.data.keys[String(version)].creation_time);
  };

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create();
    ws.env = bao.env;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-rs-'));
    await publish(base);
    // The operator's part: a policy with read on the documented paths, and a token with only that policy.
    const put = await bao.root.write('sys/policies/acl/rotation-status', { policy: policyText(DOCUMENTED_PATHS) });
    expect(put.status).toBe(204);
    readOnly = await bao.root.tokenWithPolicies(['rotation-status']);
  });

  afterAll(async () => {
    ws?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await bao?.stop();
  });

  test('the policy the command prints is the documented one', async () => {
    const file = path.join(dir, 'print.json');
    fs.writeFileSync(file, JSON.stringify(base));
    const r = await run(['--config', file, '--print-policy'], { env: {} });
    expect(r).toEqual({ code: 0, stdout: policyText(DOCUMENTED_PATHS), stderr: '' });
  });

  test('right after apply, under a far policy, nothing is due: exit 0, facts from Vault', async () => {
    const s = await status(FAR);
    expect(s).toMatchObject({ code: 0, stderr: '', items: [] });
    expect(s.json.facts.taskKey).toMatchObject({ name: 'node-task-signer', exists: true, latestVersion: 1 });
    expect(s.json.facts.bundle).toMatchObject({ exists: true, sequence: 1, complete: true });
    expect(s.json.facts.bundle.history[0].expires).toBe(TEST_FRESHNESS.expires);
    expect(new Date(s.json.facts.taskKey.created['1']).getTime()).toBe(await created(1));
  });

  test('the read-only token cannot write: the bundle, a rotation and a listing are refused with 403, and nothing changed', async () => {
    const before = await bao.root.read('rs/kv/metadata/bootstrap/bundle');
    expect((await readOnly.write('rs/kv/data/bootstrap/bundle', { data: { envelope: 'forged' } })).status).toBe(403);
    expect(
      (await readOnly.write('rs/kv/metadata/bootstrap/bundle', { custom_metadata: { sequence: '9' } })).status,
    ).toBe(403);
    expect((await readOnly.write('rs/transit/keys/node-task-signer/rotate')).status).toBe(403);
    expect((await readOnly.list('rs/kv/metadata/bootstrap/bundle-published')).status).toBe(403);
    const after = await bao.root.read('rs/kv/metadata/bootstrap/bundle');
    expect(after.body.data.current_version).toBe(before.body.data.current_version);
    expect((await bao.root.read('rs/transit/keys/node-task-signer')).body.data.latest_version).toBe(1);
  });

  test('a pre-publish is due when the policy says so (exit 11), and its change applies as written', async () => {
    const v1 = await created(1);
    const s = await status(SHORT, Date.now() + 1.5 * DAY);
    expect(s.code).toBe(11);
    expect(s.items.map((i) => [i.kind, i.key, i.severity, i.dueAt])).toEqual([
      ['pre-publish', 'task-key', 'due', iso(v1 + DAY)],
    ]);
    expect(s.items[0].change?.text).toBe('taskSigning: { version: 2, activeVersion: 1 }; bundle.sequence: 2');
    // Before the pre-publish date only a notice: soon (exit 10).
    expect((await status(SHORT, v1 + 0.5 * DAY)).code).toBe(10);
    await publish(applyChange(config, s.items[0]));
    expect(config.taskSigning).toEqual({ version: 2, activeVersion: 1 });
    expect((await bao.root.read('rs/transit/keys/node-task-signer')).body.data.latest_version).toBe(2);
  });

  test('a token without read on the publication records cannot read what an activation waits for: exit 1, naming the path', async () => {
    await bao.root.write('sys/policies/acl/rotation-status-partial', {
      policy: policyText(DOCUMENTED_PATHS.slice(0, 4)),
    });
    const partial = await bao.root.tokenWithPolicies(['rotation-status-partial']);
    const s = await status(SHORT, undefined, partial.token);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('GET /v1/rs/kv/metadata/bootstrap/bundle-published/node-task-signer/v2 answered 403');
    expect(s.stderr).toContain('permission denied');
    expect(s.stderr).toContain('(the token needs read on this path: see --print-policy)');
  });

  test('the activation is not proposed inside the rollout window and is proposed after it; its change applies as written', async () => {
    const record = await bao.root.read('rs/kv/metadata/bootstrap/bundle-published/node-task-signer/v2');
    expect(record.status).toBe(200);
    const published = Date.parse(record.body.data.created_time);
    const v1 = await created(1);

    // TEST_FRESHNESS: a rollout window of one second from the record's created_time.
    const inside = await status(SHORT, published + 500);
    expect(inside.code).toBe(10);
    expect(inside.items.map((i) => [i.kind, i.severity, i.change])).toEqual([['activate', 'soon', undefined]]);
    expect(inside.items[0].explanation).toContain(`first published to nodes at ${iso(published)}`);

    const after = await status(SHORT, v1 + 2 * DAY + 3_600_000);
    expect(after.code).toBe(11);
    expect(after.items.map((i) => [i.kind, i.severity])).toEqual([['activate', 'due']]);
    const until = iso(Math.ceil((v1 + 2 * DAY + 3_600_000 + 14 * DAY) / DAY) * DAY);
    expect(after.items[0].change?.text).toBe(
      `taskSigning: { version: 2, grace: [{ version: 1, until: '${until}' }] }; bundle.sequence: 3`,
    );

    // The window has passed for real too: the plan's rollout check reads the same record and lets it through.
    await new Promise((r) => setTimeout(r, Math.max(0, published + 1100 - Date.now())));
    await publish(applyChange(config, after.items[0]));
    const key = await bao.root.read('rs/transit/keys/node-task-signer');
    expect(key.body.data.min_encryption_version).toBe(2);
    // v2 was created moments ago: under the two-day policy its own pre-publish is the next notice.
    const next = await status(SHORT);
    expect(next.items.map((i) => [i.kind, i.key, i.severity])).toEqual([['pre-publish', 'task-key', 'soon']]);
  });

  test('the bundle renewal is due 14 days before its expiry and overdue inside the 5-day margin; the ended grace of v1 is to retire', async () => {
    const expires = Date.parse(TEST_FRESHNESS.expires);
    const graceEnd = Date.parse(config.taskSigning.grace![0].until);
    const due = await status(FAR, expires - 10 * DAY);
    expect(due.code).toBe(11);
    expect(due.items.map((i) => [i.kind, i.severity, i.dueAt])).toEqual([
      ['renew-bundle', 'due', iso(expires - 14 * DAY)],
      ['retire', 'due', iso(graceEnd)],
    ]);
    expect(due.items[0].change?.text).toBe(
      `bundle.sequence: 4; bundle.freshness.expires: '${iso(Math.floor((expires - 10 * DAY) / DAY) * DAY + 89 * DAY)}'`,
    );
    expect(due.items[1].change?.text).toBe('taskSigning: { version: 2 }; bundle.sequence: 4');
    const overdue = await status(FAR, expires - 3 * DAY);
    expect(overdue.items.map((i) => [i.kind, i.severity])).toEqual([
      ['renew-bundle', 'overdue'],
      ['retire', 'due'],
    ]);
  });

  test('the control-plane root of the published bundle is reported 30 days before its not_after', async () => {
    const bundle = JSON.parse((await ws.outputs()).bootstrap_bundle);
    const current = certificateFacts(bundle.public_https_trust.roots[0].pem)!;
    const notAfter = Date.parse(current.notAfter);
    const s = await status(FAR, notAfter - 10 * DAY);
    const root = s.items.find((i) => i.kind === 'root-expiring')!;
    expect(root).toMatchObject({ key: 'control-plane-root', name: current.subject, severity: 'due' });
    expect(root.dueAt).toBe(iso(notAfter - 30 * DAY));
    expect(root.change?.text).toContain(
      `rotation: { next: { issuerName: 'rs-control-plane-root-${new Date(notAfter - 10 * DAY).getUTCFullYear()}' }, overlapUntil: '${iso(notAfter)}', phase: RootRotationPhase.PUBLISH_NEXT }`,
    );
    expect(s.code).toBe(11);
  });

  test("the plan of the emergency line (compromised: [2]) opens the explainer's review with the Emergency section, read from the manifest", async () => {
    const published = JSON.parse((await ws.outputs()).bootstrap_bundle);
    ws.synth(
      (app: App) =>
        new PlatformTrustStack(app, {
          environment: {
            ...config,
            taskSigning: { ...config.taskSigning, compromised: [2] },
            bundle: { ...config.bundle, sequence: config.bundle.sequence + 1 },
          },
        }),
    );
    const { json } = await ws.plan();
    // The key rotates to v3 during apply: the new bundle is unknown in the plan, the manifest states the revocation.
    expect(json.output_changes.bootstrap_bundle.after_unknown).toBe(true);
    const explanation = explainPlan(json);
    expect(explanation.emergencies).toEqual([
      {
        output: 'bootstrap_bundle',
        from: 'manifest',
        revoked: [{ kind: 'task-key', key: 'node-task-signer', version: 2 }],
        refreshHintSeconds: TEST_FRESHNESS.refreshHintSeconds,
        heldBundleExpires: published.freshness.expires,
      },
    ]);
    const review = renderMarkdown(explanation).split('\n');
    expect(review.slice(2, 7)).toEqual([
      '## 🛑 Emergency: trust is revoked',
      '',
      'EMERGENCY: this plan revokes trust that the published bundle (`bootstrap_bundle`) still gives. After their next refresh, nodes refuse:',
      '',
      '- tasks signed by task key `node-task-signer` version 2',
    ]);
    expect(explanation.trustChanges.find((t) => t.kind === TrustChangeKind.REVOCATION)?.confirmed).toBe(true);
    expect(exitDecision(explanation, { failOnTrustChange: true }).code).toBe(4);
    // Nothing was applied: back to the applied config, the plan is empty again.
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: config }));
    await ws.expectNoChanges();
  });
});
