/**
 * The Terraform runner's policy (`TaskSigningKey.grantRotate`) against a real Vault-API server with the real
 * engine: a token that holds only that policy (and Vault's default policy) creates the key, rotates it, adopts a
 * version made by hand, moves the floors and signs with the active version; the same token is refused every
 * change that would undo custody (export, plaintext backup, deletion, another key type) and every key it was
 * not granted.
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { VaultPolicy, acceptVaultProvider5x } from '../../lib/core';
import { GraceEntry, TaskSigningKey, TransitMount } from '../../lib/signing';
import { parseVerifierSet, verifyTask } from '../../lib/node';
import { VaultClient, VaultServer } from './vault-server';
import { Workspace } from './workspace';

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

  test('2. it rotates, moves the floors, adopts a version made by hand, and signs with the active version', async () => {
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
    const signed = await runner.write(`${MOUNT}/sign/${KEY}`, { input, key_version: '4' });
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
