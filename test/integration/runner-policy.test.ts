/**
 * The Terraform runner's policy (`TaskSigningKey.grantRotate`) against a real Vault-API server with the real
 * engine: a token that holds only that policy (and Vault's default policy) creates the key, rotates it, adopts a
 * version made by hand and moves the floors (it no longer signs with the task key); the same token is refused every
 * change that would undo custody (export, plaintext backup, deletion, another key type) and every key it was
 * not granted. Then the bundle v2 lifecycle (publish, bundle-key pre-publish, activate, retire) applied with a token
 * that holds only the apply identity's policy (both keys' grantRotate and the bundle's grantPublish), and planned
 * with a token that may not sign at all.
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { VaultPolicy, acceptVaultProvider5x } from '../../lib/core';
import { BootstrapBundle } from '../../lib/bootstrap';
import { ControlPlaneTrust } from '../../lib/pki';
import { BundleSigningKey, GraceEntry, TaskSigningKey, TransitMount } from '../../lib/signing';
import {
  BootstrapBundle as NodeBundle,
  acceptBundleUpdate,
  parseVerifierSet,
  verifyBundle,
  verifyTask,
} from '../../lib/node';
import { AS_OF_VALID, ROOT_A, ROOT_B } from '../unit/pki/fixtures';
import { VaultClient, VaultServer } from './vault-server';
import { TEST_FRESHNESS, Workspace } from './workspace';

const MOUNT = 'rp/transit';
const KEY = 'node-task-signer';
const POLICY = 'rp-terraform-runner';

interface Schedule {
  version: number;
  activeVersion?: number;
  grace?: GraceEntry[];
}

function signer(stack: TerraformStack, schedule: Schedule): TaskSigningKey {
  return new TaskSigningKey(stack, 'TaskSigner', { mount: TransitMount.fromPath(MOUNT), name: KEY, ...schedule });
}

/** The runner policy text, as the construct renders it for this key (it pins signing to the active version). */
function runnerPolicyText(activeVersion: number): string {
  const stack = new TerraformStack(new App(), 'policy');
  const policy = new VaultPolicy(stack, 'Runner', { name: POLICY });
  signer(stack, { version: activeVersion }).grantRotate(policy);
  return policy.policyDocument.toHcl();
}

/** The key alone, applied with the runner's token (the mount and the policy are the administrator's). */
function runnerStack(schedule: Schedule) {
  return (app: App) => {
    const stack = new TerraformStack(app, 'runner');
    // A narrow token cannot create child tokens: the provider uses it as it is.
    new VaultProvider(stack, 'vault', { skipChildToken: true });
    acceptVaultProvider5x(stack);
    const key = signer(stack, schedule);
    new TerraformOutput(stack, 'pubkeys', { value: key.pubkeysJson, staticId: true });
    return stack;
  };
}

const KV = 'rp/kv';
const PUBLISHER = 'rp-bundle-publisher';

interface PublishSchedule {
  sequence: number;
  bundleKey: Schedule;
}

/** Task key, bundle key and the bundle v2 on an existing transit and KV mount; the apply identity's policy alongside. */
function publishStack(stack: TerraformStack, schedule: PublishSchedule) {
  const mount = TransitMount.fromPath(MOUNT);
  const taskKey = new TaskSigningKey(stack, 'PubTask', { mount, name: 'pub-task', version: 1 });
  const bundleKey = new BundleSigningKey(stack, 'PubBundle', { mount, name: 'pub-bundle', ...schedule.bundleKey });
  const bundle = new BootstrapBundle(stack, 'Bundle', {
    environment: 'rp',
    sequence: schedule.sequence,
    freshness: TEST_FRESHNESS,
    controlPlaneUrl: 'https://control.rp.localhost',
    publicHttpsTrust: ControlPlaneTrust.fromCertificatePem(stack, 'Corp', {
      current: { name: 'corp-root', pem: ROOT_A },
      asOf: AS_OF_VALID,
    }),
    nodeCertTrust: { caPems: [ROOT_B], caChainPem: ROOT_B, mountPaths: [] },
    signingKey: taskKey,
    bundleSigningKey: bundleKey,
    kvMountPath: KV,
  });
  return { taskKey, bundleKey, bundle };
}

/** The apply identity's policy for the publish stack, as its grants render it. */
function publisherPolicyText(schedule: PublishSchedule): string {
  const stack = new TerraformStack(new App(), 'policy');
  const policy = new VaultPolicy(stack, 'Publisher', { name: PUBLISHER });
  const { taskKey, bundleKey, bundle } = publishStack(stack, schedule);
  taskKey.grantRotate(policy);
  bundleKey.grantRotate(policy);
  bundle.grantPublish(policy);
  return policy.policyDocument.toHcl();
}

function publisherApp(schedule: PublishSchedule) {
  return (app: App) => {
    const stack = new TerraformStack(app, 'publisher');
    new VaultProvider(stack, 'vault', { skipChildToken: true });
    acceptVaultProvider5x(stack);
    const { bundleKey, bundle } = publishStack(stack, schedule);
    new TerraformOutput(stack, 'bundle_keys', { value: bundleKey.keySetJson, staticId: true });
    new TerraformOutput(stack, 'envelope', { value: bundle.envelopeJson, staticId: true });
    return stack;
  };
}

describe('the Terraform runner policy (real engine, real Vault-API server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let runner: VaultClient;

  async function latest(): Promise<any> {
    return (await bao.root.read(`${MOUNT}/keys/${KEY}`)).body.data;
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    expect((await bao.root.write(`sys/mounts/${MOUNT}`, { type: 'transit' })).status).toBe(204);
    expect((await bao.root.write(`sys/policies/acl/${POLICY}`, { policy: runnerPolicyText(1) })).status).toBe(204);
    // With Vault's default policy: the provider looks its own token up.
    const created = await bao.root.write('auth/token/create', { policies: [POLICY], ttl: '1h' });
    expect(created.body.auth.policies).toEqual(['default', POLICY]);
    runner = bao.root.as(created.body.auth.client_token);
    ws = Workspace.create('pt-runner-');
    ws.env = { VAULT_ADDR: bao.addr, VAULT_TOKEN: runner.token };
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('1. the runner token creates the key with custody flags off', async () => {
    ws.synth(runnerStack({ version: 1 }));
    await ws.apply();
    const key = await latest();
    expect([key.type, key.exportable, key.allow_plaintext_backup, key.deletion_allowed, key.latest_version]).toEqual([
      'ed25519',
      false,
      false,
      false,
      1,
    ]);
    await ws.expectNoChanges();
  });

  test('2. it rotates, moves the floors and adopts a version made by hand; it cannot sign with the task key', async () => {
    ws.synth(runnerStack({ version: 3, activeVersion: 2 }));
    await ws.apply();
    expect((await latest()).latest_version).toBe(3);

    expect((await bao.root.write(`${MOUNT}/keys/${KEY}/rotate`)).status).toBeLessThan(300);
    const grace = [{ version: 3, until: '2030-01-01T00:00:00Z' }];
    ws.synth(runnerStack({ version: 4, activeVersion: 4, grace }));
    const changes = await ws.apply();
    expect(changes.filter((c) => c.address.includes('RotateToV')).map((c) => c.address)).toEqual([
      expect.stringContaining('RotateToV4'),
    ]);
    const key = await latest();
    expect([key.latest_version, key.min_decryption_version, key.min_encryption_version]).toEqual([4, 3, 4]);
    await ws.expectNoChanges();

    const task = '{"type":"node.task.v1","action":"drain"}';
    const input = Buffer.from(task).toString('base64');
    // The administrator re-applies the runner policy as it renders for the new active version.
    expect((await bao.root.write(`sys/policies/acl/${POLICY}`, { policy: runnerPolicyText(4) })).status).toBe(204);
    // Bundles are signed by the bundle key now: the runner has no reason to sign with the task key, and cannot.
    expect((await runner.write(`${MOUNT}/sign/${KEY}`, { input, key_version: '4' })).status).toBe(403);
    const signed = await bao.root.write(`${MOUNT}/sign/${KEY}`, { input, key_version: '4' });
    expect(signed.status).toBe(200);
    const set = parseVerifierSet((await ws.outputs()).pubkeys);
    expect(set.keys.map((k) => [k.version, k.state])).toEqual([
      [3, 'grace'],
      [4, 'active'],
    ]);
    expect(verifyTask(set, task, signed.body.data.signature, new Date('2029-06-01T00:00:00Z'))).toMatchObject({
      ok: true,
      version: 4,
    });
  });

  test('3. the same token is refused every change that would undo custody, and every key it was not granted', async () => {
    const attempts: Array<[string, () => Promise<{ status: number }>]> = [
      ['config exportable=true', () => runner.write(`${MOUNT}/keys/${KEY}/config`, { exportable: true })],
      ['config exportable="true"', () => runner.write(`${MOUNT}/keys/${KEY}/config`, { exportable: 'true' })],
      [
        'config allow_plaintext_backup=true',
        () => runner.write(`${MOUNT}/keys/${KEY}/config`, { allow_plaintext_backup: true }),
      ],
      ['config deletion_allowed=true', () => runner.write(`${MOUNT}/keys/${KEY}/config`, { deletion_allowed: true })],
      ['key write exportable=true', () => runner.write(`${MOUNT}/keys/${KEY}`, { exportable: true })],
      ['key write type=aes256-gcm96', () => runner.write(`${MOUNT}/keys/${KEY}`, { type: 'aes256-gcm96' })],
      ['another key', () => runner.write(`${MOUNT}/keys/other`, { type: 'ed25519' })],
      ['export', () => runner.read(`${MOUNT}/export/signing-key/${KEY}`)],
      ['backup', () => runner.read(`${MOUNT}/backup/${KEY}`)],
      ['trim', () => runner.write(`${MOUNT}/keys/${KEY}/trim`, { min_available_version: 2 })],
      ['delete', () => runner.delete(`${MOUNT}/keys/${KEY}`)],
      ['sign with an older version', () => runner.write(`${MOUNT}/sign/${KEY}`, { input: 'aGk=', key_version: '3' })],
      [
        'its own policy',
        () => runner.write(`sys/policies/acl/${POLICY}`, { policy: 'path "*" { capabilities = ["sudo"] }' }),
      ],
    ];
    const results: Array<[string, number]> = [];
    for (const [name, attempt] of attempts) results.push([name, (await attempt()).status]);
    expect(results).toEqual(attempts.map(([name]) => [name, 403]));
    // Nothing changed.
    const key = await latest();
    expect([key.exportable, key.allow_plaintext_backup, key.deletion_allowed, key.type]).toEqual([
      false,
      false,
      false,
      'ed25519',
    ]);
    // And what it needs is still allowed: an empty config write (how a rotation resource adopts a version).
    expect((await runner.write(`${MOUNT}/keys/${KEY}/config`, {})).status).toBe(200);
  });
});

describe("bundle v2 with the apply identity's policy only (real engine, real Vault-API server)", () => {
  let bao: VaultServer;
  let ws: Workspace;
  let publisher: VaultClient;
  let noSign: VaultClient;
  let held: NodeBundle | undefined;

  async function policyFor(schedule: PublishSchedule): Promise<void> {
    const text = publisherPolicyText(schedule);
    expect((await bao.root.write(`sys/policies/acl/${PUBLISHER}`, { policy: text })).status).toBe(204);
    // A second policy that denies both sign paths exactly: with the publisher's, what a plan may hold (Vault merges
    // the two policies' rules for one path, and deny wins).
    const denied = ['pub-bundle', 'pub-task']
      .map((k) => `path "${MOUNT}/sign/${k}" {\n  capabilities = ["deny"]\n}\n`)
      .join('');
    expect((await bao.root.write('sys/policies/acl/rp-no-sign', { policy: denied })).status).toBe(204);
  }

  /** Applies `schedule` with the publisher token; the node (if it holds a bundle) takes the new envelope. */
  async function publish(schedule: PublishSchedule) {
    await policyFor(schedule);
    ws.env = { VAULT_ADDR: bao.addr, VAULT_TOKEN: publisher.token };
    ws.synth(publisherApp(schedule));
    await ws.apply();
    await ws.expectNoChanges();
    const out = await ws.outputs();
    const verdict = held
      ? acceptBundleUpdate({ bundle: held }, out.envelope, new Date())
      : verifyBundle(out.envelope, out.bundle_keys, new Date());
    if (!verdict.ok) throw new Error(`sequence ${schedule.sequence}: ${verdict.reason}: ${verdict.detail}`);
    held = verdict.bundle;
    return verdict;
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    expect((await bao.root.write(`sys/mounts/${MOUNT}`, { type: 'transit' })).status).toBe(204);
    expect((await bao.root.write(`sys/mounts/${KV}`, { type: 'kv', options: { version: '2' } })).status).toBe(204);
    await policyFor({ sequence: 1, bundleKey: { version: 1 } });
    const token = async (policies: string[]) =>
      bao.root.as((await bao.root.write('auth/token/create', { policies, ttl: '1h' })).body.auth.client_token);
    publisher = await token([PUBLISHER]);
    noSign = await token([PUBLISHER, 'rp-no-sign']);
    ws = Workspace.create('pt-publisher-');
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('publish, pre-publish, activate and retire a bundle key with the apply policy alone; a node follows every step', async () => {
    expect(await publish({ sequence: 1, bundleKey: { version: 1 } })).toMatchObject({ signer: { version: 1 } });
    expect(await publish({ sequence: 2, bundleKey: { version: 2, activeVersion: 1 } })).toMatchObject({
      signer: { version: 1, state: 'active' },
    });
    const grace = [{ version: 1, until: '2099-01-01T00:00:00Z' }];
    expect(await publish({ sequence: 3, bundleKey: { version: 2, grace } })).toMatchObject({
      signer: { version: 2, state: 'next' },
    });
    expect(await publish({ sequence: 4, bundleKey: { version: 2 } })).toMatchObject({
      signer: { version: 2, state: 'active' },
    });
    // The rendered policy pins key_version as a string, and the apply sends it that way: a number is refused.
    const input = Buffer.from('x').toString('base64');
    expect((await publisher.write(`${MOUNT}/sign/pub-bundle`, { input, key_version: '2' })).status).toBe(200);
    expect((await publisher.write(`${MOUNT}/sign/pub-bundle`, { input, key_version: 2 })).status).toBe(403);
    expect((await publisher.write(`${MOUNT}/sign/pub-bundle`, { input, key_version: '1' })).status).toBe(403);
    // The task key is not the publisher's to sign with (no migration declared).
    expect((await publisher.write(`${MOUNT}/sign/pub-task`, { input, key_version: '1' })).status).toBe(403);
  });

  test('a plan of a changed bundle needs no sign right: a token denied every sign path plans it', async () => {
    ws.env = { VAULT_ADDR: bao.addr, VAULT_TOKEN: noSign.token };
    expect((await noSign.write(`${MOUNT}/sign/pub-bundle`, { input: 'eA==', key_version: '2' })).status).toBe(403);
    ws.synth(publisherApp({ sequence: 5, bundleKey: { version: 2 } }));
    const { json } = await ws.plan();
    expect(json.output_changes.envelope.after_unknown).toBe(true);
    // Applying it with that token fails at the signature, and nothing is published.
    const applied = await ws.applyRaw();
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(/permission denied|403/);
    ws.env = { VAULT_ADDR: bao.addr, VAULT_TOKEN: publisher.token };
  });
});
