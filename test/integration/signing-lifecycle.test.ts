/**
 * Task signing lifecycle against a real VaultServer with the real engine: sign through Vault with the
 * control plane's token, verify with the node-side code, check what the signer policy denies, and walk
 * pre-publish -> activate -> rollback -> activate -> retire, with the plan of each step checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { VaultPolicy, acceptVaultProvider5x } from '../../lib/core';
import { GraceEntry, TaskSigningKey, TransitMount } from '../../lib/signing';
import { parseVerifierSet, verifyTask } from '../../lib/node';
import { explainPlan, renderMarkdown } from '../../lib/review';
import { VaultServer, VaultClient } from './vault-server';
import { EngineError, Workspace, oneLine } from './workspace';

interface Schedule {
  version: number;
  activeVersion?: number;
  grace?: GraceEntry[];
}

function build(schedule: Schedule) {
  return (app: App) => {
    const stack = new TerraformStack(app, 'signing');
    new VaultProvider(stack, 'vault', {});
    acceptVaultProvider5x(stack);
    const mount = new TransitMount(stack, 'Transit', { path: 'it/transit' });
    const key = new TaskSigningKey(stack, 'TaskSigner', { mount, name: 'node-task-signer', ...schedule });
    const signer = new VaultPolicy(stack, 'SignerPolicy', { name: 'it-task-signer' });
    key.grantSign(signer);
    const reader = new VaultPolicy(stack, 'ReaderPolicy', { name: 'it-task-pubkeys' });
    key.grantReadPublicKeys(reader);
    new TerraformOutput(stack, 'pubkeys', { value: key.pubkeysJson, staticId: true });
    return stack;
  };
}

const GRACE_END = '2030-01-01T00:00:00Z';
const BEFORE_END = new Date('2029-12-31T23:59:59Z');
const AFTER_END = new Date('2030-01-01T00:00:00Z');
const task = JSON.stringify({ type: 'node.task.v1', node: 'gpu-node-7', action: 'drain', nonce: 'a1b2c3' });
const input = Buffer.from(task).toString('base64');

describe('task signing lifecycle (real engine, real Vault-API server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let signer: VaultClient;
  let v1Signature: string;

  async function applyStep(schedule: Schedule) {
    ws.synth(build(schedule));
    const changes = await ws.apply();
    const outputs = await ws.outputs();
    return { changes, set: parseVerifierSet(outputs.pubkeys) };
  }

  async function sign(client: VaultClient, body: Record<string, unknown>) {
    return client.write('it/transit/sign/node-task-signer', body);
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create();
    ws.env = bao.env;
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('1. version 1: the control plane signs through Vault and the node verifies', async () => {
    const { set } = await applyStep({ version: 1 });
    expect(set.keys.map((k) => [k.version, k.state])).toEqual([[1, 'active']]);
    const key = await bao.root.read('it/transit/keys/node-task-signer');
    expect(key.body.data.latest_version).toBe(1);
    expect(key.body.data.exportable).toBe(false);
    expect(key.body.data.deletion_allowed).toBe(false);
    expect(key.body.data.allow_plaintext_backup).toBe(false);
    expect(set.keys[0].public_key).toBe(key.body.data.keys['1'].public_key);

    signer = await bao.root.tokenWithPolicies(['it-task-signer']);
    const res = await sign(signer, { input, key_version: '1' });
    expect(res.status).toBe(200);
    v1Signature = res.body.data.signature;
    expect(v1Signature).toMatch(/^vault:v1:/);
    expect(verifyTask(set, task, v1Signature, new Date())).toMatchObject({ ok: true, version: 1 });
    expect(verifyTask(set, task + ' ', v1Signature, new Date())).toMatchObject({ ok: false });
    await ws.expectNoChanges();
  });

  test('2. the signer token is denied everything but signing with the active version', async () => {
    const denied: Array<[string, Promise<{ status: number }>]> = [
      ['export', signer.read('it/transit/export/signing-key/node-task-signer')],
      ['backup', signer.read('it/transit/backup/node-task-signer')],
      ['rotate', signer.write('it/transit/keys/node-task-signer/rotate')],
      ['config', signer.write('it/transit/keys/node-task-signer/config', { deletion_allowed: true })],
      ['delete', signer.delete('it/transit/keys/node-task-signer')],
      ['read key', signer.read('it/transit/keys/node-task-signer')],
      ['sign v2', sign(signer, { input, key_version: '2' })],
      ['sign without key_version', sign(signer, { input })],
      ['sign with key_version as a number', sign(signer, { input, key_version: 1 })],
      ['sign with extra parameter', sign(signer, { input, key_version: '1', prehashed: true })],
      ['sign via hash path', signer.write('it/transit/sign/node-task-signer/sha2-256', { input, key_version: '1' })],
    ];
    for (const [what, p] of denied) {
      const res = await p;
      expect([what, res.status]).toEqual([what, 403]);
    }
  });

  test('3. pre-publish version 2: only the rotation is planned; v2 is published as next in the same apply', async () => {
    const { changes, set } = await applyStep({ version: 2, activeVersion: 1 });
    expect(changes.map((c) => [c.address.replace(/_[0-9A-F]{8}$/, ''), c.actions.join(',')])).toEqual([
      ['vault_generic_endpoint.TaskSigner_RotateToV2', 'create'],
    ]);
    // The plan explainer on this real plan: what a reviewer reads in the pull request.
    const review = renderMarkdown(explainPlan(ws.lastPlan));
    expect(review).toContain('**Plan: 1 to add, 0 to change, 0 to destroy.**');
    expect(review).toContain('- Latest key version: v1 → v2');
    expect(review).toContain('No destructive changes');
    expect(review).toMatch(/\| v2 \| — \| next \|/);
    const key = await bao.root.read('it/transit/keys/node-task-signer');
    expect(key.body.data.latest_version).toBe(2);
    expect(set.keys.map((k) => [k.version, k.state])).toEqual([
      [1, 'active'],
      [2, 'next'],
    ]);
    expect(set.keys[1].public_key).toBe(key.body.data.keys['2'].public_key);
    await ws.expectNoChanges();
    // The control plane still signs with v1.
    expect((await sign(signer, { input, key_version: '1' })).status).toBe(200);
    expect((await sign(signer, { input, key_version: '2' })).status).toBe(403);
  });

  test('4. activate v2 with v1 in grace: v1 signatures verify until the end date; the signer signs with v2 only', async () => {
    const { changes, set } = await applyStep({ version: 2, grace: [{ version: 1, until: GRACE_END }] });
    expect(changes.map((c) => c.type).sort()).toEqual(['vault_generic_endpoint', 'vault_policy']);
    const review = renderMarkdown(explainPlan(ws.lastPlan));
    expect(review).toContain('min_encryption_version 1 → 2');
    expect(review).toContain('Control plane signs with (policy `key_version`): v1 → v2');
    expect(review).toContain('`allowed_parameters "key_version": ["1"] → ["2"]`');
    expect(set.keys.map((k) => [k.version, k.state, k.until])).toEqual([
      [1, 'grace', GRACE_END],
      [2, 'active', undefined],
    ]);
    expect(verifyTask(set, task, v1Signature, BEFORE_END)).toMatchObject({ ok: true, version: 1 });
    expect(verifyTask(set, task, v1Signature, AFTER_END)).toMatchObject({ ok: false });
    expect((await sign(signer, { input, key_version: '1' })).status).toBe(403);
    const v2 = await sign(signer, { input, key_version: '2' });
    expect(v2.status).toBe(200);
    expect(verifyTask(set, task, v2.body.data.signature, AFTER_END)).toMatchObject({ ok: true, version: 2 });
    // Vault's own signing floor follows the active version.
    expect((await bao.root.read('it/transit/keys/node-task-signer')).body.data.min_encryption_version).toBe(2);
    await ws.expectNoChanges();
  });

  test('5. roll back to v1 while it is still accepted: signing with v1 works again', async () => {
    const { set } = await applyStep({ version: 2, activeVersion: 1 });
    expect(set.keys.map((k) => [k.version, k.state])).toEqual([
      [1, 'active'],
      [2, 'next'],
    ]);
    const res = await sign(signer, { input, key_version: '1' });
    expect(res.status).toBe(200);
    expect(res.body.data.signature).toMatch(/^vault:v1:/);
    expect((await bao.root.read('it/transit/keys/node-task-signer')).body.data.latest_version).toBe(2);
    await ws.expectNoChanges();
  });

  test('6. retire v1: the node and Vault both refuse v1 signatures', async () => {
    await applyStep({ version: 2, grace: [{ version: 1, until: GRACE_END }] });
    const { set } = await applyStep({ version: 2 });
    expect(set.keys.map((k) => [k.version, k.state])).toEqual([[2, 'active']]);
    expect(verifyTask(set, task, v1Signature, BEFORE_END)).toMatchObject({ ok: false });
    const vaultVerify = await bao.root.write('it/transit/verify/node-task-signer', { input, signature: v1Signature });
    const refusedByVault = vaultVerify.status >= 400 || vaultVerify.body?.data?.valid === false;
    expect(refusedByVault).toBe(true);
    expect((await bao.root.read('it/transit/keys/node-task-signer')).body.data.min_decryption_version).toBe(2);
    await ws.expectNoChanges();
  });

  test('6b. a version floor lowered by hand fails the next plan; -replace of the Floors resource restores it', async () => {
    expect(
      (await bao.root.write('it/transit/keys/node-task-signer/config', { min_decryption_version: 1 })).status,
    ).toBeLessThan(300);
    const drifted = await ws.plan().catch((e: EngineError) => e);
    expect(drifted).toBeInstanceOf(EngineError);
    expect(oneLine((drifted as EngineError).result.stderr)).toContain(
      "Vault's version floors differ from the verifier set in code",
    );
    const floors = JSON.parse(fs.readFileSync(path.join(ws.dir, 'cdk.tf.json'), 'utf8'));
    const address = `vault_generic_endpoint.${Object.keys(floors.resource.vault_generic_endpoint).find((k) => k.includes('Floors'))}`;
    const replaced = await ws.run(['apply', '-input=false', '-no-color', '-auto-approve', `-replace=${address}`]);
    expect(replaced.code).toBe(0);
    expect((await bao.root.read('it/transit/keys/node-task-signer')).body.data.min_decryption_version).toBe(2);
    await ws.expectNoChanges();
  });

  test('7. lowering version fails the plan; a rotation by hand fails the next plan and names the drift', async () => {
    ws.synth(build({ version: 1 }));
    const lowered = await ws.plan().catch((e: EngineError) => e);
    expect(lowered).toBeInstanceOf(EngineError);
    expect(oneLine((lowered as EngineError).result.stderr)).toContain('Key versions only move forward');

    ws.synth(build({ version: 2 }));
    await ws.expectNoChanges();
    expect((await bao.root.write('it/transit/keys/node-task-signer/rotate')).status).toBeLessThan(300);
    const drifted = await ws.plan().catch((e: EngineError) => e);
    expect(drifted).toBeInstanceOf(EngineError);
    expect(oneLine((drifted as EngineError).result.stderr)).toContain(
      'is at a higher version in Vault than the version in code (2)',
    );
  });

  test('8. the hand-made version is adopted in one reviewed line: published as next, nothing rotated again', async () => {
    ws.synth(build({ version: 3, activeVersion: 2 }));
    const { json } = await ws.plan();
    const review = renderMarkdown(explainPlan(json));
    expect(review).toMatch(/RotateToV3_[0-9A-F]{8}`: adopts v3, which Vault already has .*: nothing rotates/);
    expect(review).not.toContain('creates v3');
    const { changes, set } = await applyStep({ version: 3, activeVersion: 2 });
    expect(changes.filter((c) => c.address.includes('RotateTo')).map((c) => c.actions)).toEqual([['create']]);
    expect((await bao.root.read('it/transit/keys/node-task-signer')).body.data.latest_version).toBe(3);
    expect(set.keys.map((k) => [k.version, k.state])).toEqual([
      [2, 'active'],
      [3, 'next'],
    ]);
    await ws.expectNoChanges();
  });
});
