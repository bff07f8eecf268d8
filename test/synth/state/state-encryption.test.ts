/**
 * State encryption, the state key and write-only seeds, synthesized (validations on). The engine's behaviour with
 * them (encrypted rows, nothing in plan or state) is in test/integration/state-backend.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { PlatformSecrets, StateEncryption, StateEncryptionKey, TransitMount, VaultPolicy } from '../../../lib';
import * as production from '../../../examples/production-state/main';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function synthesizeExample(stackName: string): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-trust-example-'));
  tmpDirs.push(outdir);
  production.build(outdir).synth();
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stackName, 'cdk.tf.json'), 'utf8'));
}

describe('examples/production-state', () => {
  test('GIVEN the example WHEN synthesized THEN the environment has the pg backend and enforced encryption of state and plans with the state key', () => {
    const json = synthesizeExample('prod');
    expect(json.terraform.backend.pg).toEqual({
      conn_str: 'postgres://platform_trust@state-db.platform.internal/terraform_state?sslmode=verify-full',
      schema_name: 'prod',
    });
    expect(json.terraform.encryption).toEqual({
      key_provider: {
        openbao: {
          vault_transit: { key_name: 'state', transit_engine_path: '/prod/state-transit', key_length: 32 },
        },
      },
      method: { aes_gcm: { vault_transit: { keys: '${key_provider.openbao.vault_transit}' } } },
      state: { method: 'method.aes_gcm.vault_transit', enforced: true },
      plan: { method: 'method.aes_gcm.vault_transit', enforced: true },
    });
    // Nothing about the server is synthesized: the key provider reads BAO_ADDR and BAO_TOKEN.
    expect(JSON.stringify(json.terraform.encryption)).not.toMatch(/address|token/);
  });

  test('GIVEN the example WHEN synthesized THEN the seed is write-only from an ephemeral variable', () => {
    const json = synthesizeExample('prod');
    const seed = Object.values<any>(json.resource.vault_kv_secret_v2).find((r) => r.name === 'registry/harbor-robot');
    expect(seed).toMatchObject({ data_json_wo: '${jsonencode(var.harbor_robot)}', data_json_wo_version: 1 });
    expect(seed.data_json).toBeUndefined();
    expect(seed.disable_read).toBe(true);
    expect(json.variable.harbor_robot).toMatchObject({ sensitive: true, ephemeral: true });
  });

  test('GIVEN the example WHEN synthesized THEN the state key stack holds an aes256-gcm96 key with the custody of the signing keys in its own mount', () => {
    const json = synthesizeExample('prod-state-key');
    expect(json.terraform.encryption).toBeUndefined();
    expect(Object.values<any>(json.resource.vault_mount)).toEqual([
      expect.objectContaining({ path: 'prod/state-transit', type: 'transit', lifecycle: { prevent_destroy: true } }),
    ]);
    expect(Object.values<any>(json.resource.vault_transit_secret_backend_key)).toEqual([
      expect.objectContaining({
        backend: 'prod/state-transit',
        name: 'state',
        type: 'aes256-gcm96',
        exportable: false,
        allow_plaintext_backup: false,
        deletion_allowed: false,
        auto_rotate_period: 0,
        lifecycle: { prevent_destroy: true },
      }),
    ]);
  });
});

describe('StateEncryption.openBao', () => {
  const key = { mountPath: 'prod/state-transit', keyName: 'state' };

  test('GIVEN migrateFromUnencrypted with enforced encryption WHEN built THEN it throws with the fix', () => {
    expect(() => StateEncryption.openBao({ key, migrateFromUnencrypted: true })).toThrow(
      'migrateFromUnencrypted reads plaintext state, which enforced encryption refuses.',
    );
  });

  test('GIVEN migrateFromUnencrypted without enforcement WHEN built THEN plaintext is read once through a fallback', () => {
    const { block } = StateEncryption.openBao({ key, enforced: false, migrateFromUnencrypted: true }) as any;
    expect(block.method.unencrypted).toEqual({ migrate: {} });
    expect(block.state).toEqual({
      method: 'method.aes_gcm.vault_transit',
      enforced: false,
      fallback: { method: 'method.unencrypted.migrate' },
    });
  });

  test('GIVEN a data key length that is not 16, 32 or 64 WHEN built THEN it throws', () => {
    expect(() => StateEncryption.openBao({ key, keyLengthBytes: 24 as any })).toThrow(
      'keyLengthBytes must be 16, 32 or 64.',
    );
  });
});

describe('StateEncryptionKey.grantEncryptDecrypt', () => {
  test('GIVEN a runner policy WHEN granted THEN it may ask for data keys and unwrap them, nothing else', () => {
    const stack = new TerraformStack(Testing.app(), 'grants');
    new VaultProvider(stack, 'vault', {});
    const key = new StateEncryptionKey(stack, 'StateKey', {
      mount: new TransitMount(stack, 'Transit', { path: 'prod/state-transit' }),
    });
    const policy = new VaultPolicy(stack, 'Runner', { name: 'prod-runner' });
    const grant = key.grantEncryptDecrypt(policy);
    expect(grant.paths).toEqual(['prod/state-transit/datakey/plaintext/state', 'prod/state-transit/decrypt/state']);
    expect(grant.rules.every((r) => r.capabilities.join() === 'update')).toBe(true);
  });
});

describe('PlatformSecrets.seedSecret writeOnlyVersion', () => {
  function secrets() {
    const stack = new TerraformStack(new App(), 's');
    new VaultProvider(stack, 'vault', {});
    const s = new PlatformSecrets(stack, 'Secrets', { mountPath: 'prod/kv' });
    const v = new TerraformVariable(stack, 'db', { type: 'map(string)', sensitive: true });
    return { stack, s, v };
  }

  test('GIVEN writeOnlyVersion 0 WHEN seeding THEN it throws with the fix', () => {
    const { s, v } = secrets();
    expect(() => s.seedSecret('apps/billing/db', v, { writeOnlyVersion: 0 })).toThrow(
      'writeOnlyVersion must be a whole number of 1 or more.',
    );
  });

  test('GIVEN writeOnlyVersion with disableRead false WHEN seeding THEN it throws: reading back would store the value', () => {
    const { s, v } = secrets();
    expect(() => s.seedSecret('apps/billing/db', v, { writeOnlyVersion: 1, disableRead: false })).toThrow(
      'reading it back would store it',
    );
  });

  test('GIVEN no writeOnlyVersion WHEN seeding THEN data_json is used and the variable is not ephemeral', () => {
    const { stack, s, v } = secrets();
    s.seedSecret('apps/billing/db', v);
    const json = JSON.parse(Testing.synth(stack));
    const seed = Object.values<any>(json.resource.vault_kv_secret_v2)[0];
    expect(seed.data_json).toBe('${jsonencode(var.db)}');
    expect(seed.data_json_wo).toBeUndefined();
    expect(json.variable.db.ephemeral).toBeUndefined();
  });
});
