import { Fn, TerraformOutput, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { ApproleAuthBackendRole } from '@cdktf/provider-vault/lib/approle-auth-backend-role';
import { Audit } from '@cdktf/provider-vault/lib/audit';
import { DataVaultPolicyDocument } from '@cdktf/provider-vault/lib/data-vault-policy-document';
import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { KvSecretBackendV2 } from '@cdktf/provider-vault/lib/kv-secret-backend-v2';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Capability, ErrorCode, PlatformTrustError, VaultPolicy } from '../../../lib/core';
import {
  AppRoleAuthBackend,
  AppRoleConsumer,
  AuditDeviceType,
  KvOperation,
  PlatformAudit,
  PlatformSecrets,
  SecretPath,
  SigningCustody,
  TokenType,
  scanForSecrets,
} from '../../../lib/secrets';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(s, 'vault', {});
  return s;
}

function resources(s: TerraformStack, type: string): Record<string, any> {
  return JSON.parse(Testing.synth(s)).resource?.[type] ?? {};
}

function only(s: TerraformStack, type: string): any {
  const all = Object.values(resources(s, type));
  expect(all).toHaveLength(1);
  return all[0];
}

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e.code;
    throw e;
  }
  return undefined;
}

/** A representative environment: the control plane and a deploy job as consumers. */
function representative() {
  const s = stack();
  const secrets = new PlatformSecrets(s, 'Secrets', {
    mountPath: 'dev/kv',
    appRoleMountPath: 'dev-approle',
    audit: { auditDevice: { type: AuditDeviceType.FILE, path: '/var/log/openbao/audit.log' } },
  });
  const controlPlane = new AppRoleConsumer(s, 'ControlPlane', {
    roleName: 'dev-control-plane',
    backend: secrets.appRoleBackend,
    boundCidrs: ['10.20.0.0/16'],
  });
  secrets.grantRead(controlPlane, SecretPath.registry('harbor-robot'));
  secrets.grantRead(controlPlane, SecretPath.signing('node-task-signer'));
  secrets.grantRead(controlPlane, SecretPath.appFolder('control-plane'), { subtree: true });
  secrets.grantList(controlPlane, SecretPath.appFolder('control-plane'));
  secrets.grantRead(controlPlane, 'bootstrap/bundle');
  const deployer = new VaultPolicy(s, 'Deployer', { name: 'dev-deployer' });
  controlPlane.grantReadRoleId(deployer);
  controlPlane.grantMintSecretId(deployer);
  secrets.grantWrite(deployer, SecretPath.registry('harbor-robot'));
  const seed = new TerraformVariable(s, 'harbor_robot', { type: 'map(string)', sensitive: true });
  secrets.seedSecret(SecretPath.registry('harbor-robot'), seed);
  secrets.writeSigningMetadata({ keyName: 'node-task-signer', mountPath: 'dev/transit', activeVersion: 1 });
  return { s, secrets, controlPlane, deployer };
}

describe('PlatformSecrets', () => {
  test('GIVEN a mount path WHEN synthesized THEN a KV v2 mount protected from destroy and its settings', () => {
    const s = stack();
    new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv', maxVersions: 20, casRequired: true });
    const synth = Testing.synth(s);
    expect(synth).toHaveResourceWithProperties(Mount, {
      path: 'dev/kv',
      type: 'kv',
      options: { version: '2' },
      lifecycle: { prevent_destroy: true },
    });
    expect(synth).toHaveResourceWithProperties(KvSecretBackendV2, {
      mount: '${vault_mount.Secrets_A3BCC2E9.path}',
      max_versions: 20,
      cas_required: true,
    });
    // No API audit device by default: VaultServer refuses it unless the server opts in.
    expect(synth).not.toHaveResource(Audit);
    expect(synth).not.toHaveResource(AuthBackend);
  });

  test('defaults: 10 versions, no check-and-set', () => {
    const s = stack();
    new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
    expect(only(s, 'vault_kv_secret_backend_v2')).toMatchObject({ max_versions: 10, cas_required: false });
  });

  test.each([
    [{ mountPath: '/dev/kv' }, ErrorCode.INVALID_MOUNT_PATH],
    [{ mountPath: 'Dev/kv' }, ErrorCode.INVALID_MOUNT_PATH],
    [{ mountPath: 'dev/kv', maxVersions: 0 }, ErrorCode.INVALID_COUNT],
    [{ mountPath: 'dev/kv', maxVersions: 1.5 }, ErrorCode.INVALID_COUNT],
    [{ mountPath: 'dev/kv', appRoleMountPath: 'dev approle' }, ErrorCode.INVALID_MOUNT_PATH],
  ])('refuses props %p', (props, code) => {
    expect(codeOf(() => new PlatformSecrets(stack(), 'Secrets', props))).toBe(code);
  });

  test('grants land in the consumer policy as KV v2 API paths', () => {
    const { s } = representative();
    const policies = resources(s, 'vault_policy');
    const cp = Object.values(policies).find((p: any) => p.name === 'dev-control-plane') as any;
    expect(cp.policy).toBe(
      [
        'path "dev/kv/data/apps/control-plane/*" {',
        '  capabilities = ["read"]',
        '}',
        'path "dev/kv/data/bootstrap/bundle" {',
        '  capabilities = ["read"]',
        '}',
        'path "dev/kv/data/registry/harbor-robot" {',
        '  capabilities = ["read"]',
        '}',
        'path "dev/kv/data/signing/node-task-signer" {',
        '  capabilities = ["read"]',
        '}',
        'path "dev/kv/metadata/apps/control-plane/" {',
        '  capabilities = ["list"]',
        '}',
        '',
      ].join('\n'),
    );
    expect(Testing.synth(s)).toHaveResourceWithProperties(Policy, {
      name: 'dev-deployer',
      policy: [
        'path "auth/dev-approle/role/dev-control-plane/role-id" {',
        '  capabilities = ["read"]',
        '}',
        'path "auth/dev-approle/role/dev-control-plane/secret-id" {',
        '  capabilities = ["update"]',
        '}',
        'path "dev/kv/data/registry/harbor-robot" {',
        '  capabilities = ["create", "update"]',
        '}',
        '',
      ].join('\n'),
    });
  });

  test('grant returns the rules it added; grant() takes several operations', () => {
    const s = stack();
    const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
    const p = new VaultPolicy(s, 'Team', { name: 'dev-billing' });
    const g = secrets.grant(p, 'apps/billing/db', [KvOperation.READ, KvOperation.WRITE, KvOperation.DELETE]);
    expect(g.paths).toEqual([
      'dev/kv/data/apps/billing/db',
      'dev/kv/data/apps/billing/db',
      'dev/kv/data/apps/billing/db',
      'dev/kv/delete/apps/billing/db',
    ]);
    expect(p.policyDocument.capabilitiesFor('dev/kv/data/apps/billing/db')).toEqual([
      'create',
      'read',
      'update',
      'delete',
    ]);
    expect(secrets.grantUndelete(p, 'apps/billing/db').paths).toEqual(['dev/kv/undelete/apps/billing/db']);
    expect(secrets.grantDestroy(p, 'apps/billing/db').paths).toEqual([
      'dev/kv/destroy/apps/billing/db',
      'dev/kv/metadata/apps/billing/db',
    ]);
    expect(secrets.grantReadMetadata(p, 'apps/billing/db').paths).toEqual(['dev/kv/metadata/apps/billing/db']);
  });

  test('fromMountPath gives the same grant methods for a mount declared elsewhere, creating nothing', () => {
    const s = stack();
    const imported = PlatformSecrets.fromMountPath(s, 'Shared', 'shared/kv');
    const p = new VaultPolicy(s, 'Reader', { name: 'dev-reader' });
    expect(imported.grantRead(p, 'apps/billing/db').paths).toEqual(['shared/kv/data/apps/billing/db']);
    expect(Testing.synth(s)).not.toHaveResource(Mount);
  });

  describe('invariant: a grant stays inside the mount', () => {
    test.each([
      ['/apps/billing/db', 'it starts with "/"'],
      ['dev/kv/apps/billing/db', 'it starts with the mount path'],
      ['apps/billing/../../../sys/policies/acl/x', 'contains a "." or ".." segment'],
    ])('GIVEN %p WHEN granted THEN PT013', (path, reason) => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const p = new VaultPolicy(s, 'P', { name: 'dev-p' });
      expect(() => secrets.grantRead(p, path)).toThrow(reason);
      expect(codeOf(() => secrets.grantRead(p, path))).toBe(ErrorCode.PATH_OUTSIDE_MOUNT);
    });

    test('GIVEN a path inside the mount THEN the grant is made', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const p = new VaultPolicy(s, 'P', { name: 'dev-p' });
      expect(secrets.grantRead(p, 'apps/billing/db').paths).toEqual(['dev/kv/data/apps/billing/db']);
    });

    test('GIVEN a token segment THEN only the literal parts are checked', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const p = new VaultPolicy(s, 'P', { name: 'dev-p' });
      const app = new TerraformVariable(s, 'app', { type: 'string' });
      expect(secrets.grantRead(p, `apps/${app.stringValue}/db`).paths).toHaveLength(1);
      expect(codeOf(() => secrets.grantRead(p, `apps/${app.stringValue}/../x`))).toBe(ErrorCode.PATH_OUTSIDE_MOUNT);
      const policy = only(s, 'vault_policy').policy as string;
      expect(policy).toBe('path "dev/kv/data/apps/${var.app}/db" {\n  capabilities = ["read"]\n}\n');
    });

    test('GIVEN a token mount path THEN grants render against it and the prefix check is skipped', () => {
      const s = stack();
      const mount = new TerraformVariable(s, 'mount', { type: 'string' });
      const secrets = new PlatformSecrets(s, 'Secrets', {
        mountPath: mount.stringValue,
        appRoleMountPath: 'x-approle',
      });
      const p = new VaultPolicy(s, 'P', { name: 'dev-p' });
      secrets.grantRead(p, 'apps/billing/db');
      expect(only(s, 'vault_policy').policy).toContain('path "${var.mount}/data/apps/billing/db"');
      expect(() => Testing.synth(s, true)).not.toThrow();
    });
  });

  describe('invariant: a grant needs a consumer', () => {
    test('GIVEN no consumer THEN PT014', () => {
      const secrets = new PlatformSecrets(stack(), 'Secrets', { mountPath: 'dev/kv' });
      expect(() => secrets.grantRead(undefined as any, 'apps/billing/db')).toThrow(
        'PlatformSecrets.grantRead needs a consumer to grant to.',
      );
      expect(codeOf(() => secrets.grantList(undefined as any, 'apps/'))).toBe(ErrorCode.MISSING_GRANTEE);
    });

    test('GIVEN a consumer THEN the grant is made', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const p = new VaultPolicy(s, 'P', { name: 'dev-p' });
      expect(secrets.grantList(p, 'apps/').grantee).toBe(p);
    });
  });

  describe('invariant: mount paths are unique in a stack', () => {
    test('GIVEN two PlatformSecrets on one path THEN synth fails', () => {
      const s = stack();
      new PlatformSecrets(s, 'A', { mountPath: 'dev/kv', appRoleMountPath: 'a-approle' });
      new PlatformSecrets(s, 'B', { mountPath: 'dev/kv', appRoleMountPath: 'b-approle' });
      expect(() => Testing.synth(s, true)).toThrow(
        '[PT010] Duplicate mount path: the mount at test/A/Resource and the mount at test/B/Resource both use it. Received: "dev/kv".',
      );
    });

    test('GIVEN another vault_mount on the same or a nesting path THEN synth fails', () => {
      const s = stack();
      new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      new Mount(s, 'Transit', { path: 'dev/kv/', type: 'transit' });
      expect(() => Testing.synth(s, true)).toThrow('both use it');
      const s2 = stack();
      new PlatformSecrets(s2, 'Secrets', { mountPath: 'dev/kv' });
      new Mount(s2, 'Nested', { path: 'dev/kv/transit', type: 'transit' });
      expect(() => Testing.synth(s2, true)).toThrow('Duplicate or overlapping mount path');
    });

    test('GIVEN distinct paths THEN synth passes', () => {
      const s = stack();
      new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      new Mount(s, 'Transit', { path: 'dev/transit', type: 'transit' });
      new Mount(s, 'Kv2', { path: 'dev/kv2', type: 'kv' });
      expect(() => Testing.synth(s, true)).not.toThrow();
    });

    test('GIVEN a mount whose path is a token THEN the check skips it', () => {
      const s = stack();
      new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      new Mount(s, 'Other', { path: Token.asString(Fn.lower('DEV/KV')), type: 'kv' });
      expect(() => Testing.synth(s, true)).not.toThrow();
    });
  });

  describe('seedSecret', () => {
    test('GIVEN a sensitive map variable THEN data_json comes from it and never holds a literal', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const v = new TerraformVariable(s, 'billing_db', { type: 'map(string)', sensitive: true });
      secrets.seedSecret('apps/billing/db', v);
      expect(Testing.synth(s)).toHaveResourceWithProperties(KvSecretV2, {
        name: 'apps/billing/db',
        data_json: '${jsonencode(var.billing_db)}',
        disable_read: true,
        mount: '${vault_mount.Secrets_A3BCC2E9.path}',
      });
    });

    test('GIVEN a sensitive string variable THEN it is used as the JSON text', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const v = new TerraformVariable(s, 'robot_json', { type: 'string', sensitive: true });
      secrets.seedSecret('registry/harbor-robot', v, { id: 'HarborRobot', disableRead: false });
      expect(only(s, 'vault_kv_secret_v2')).toMatchObject({ data_json: '${var.robot_json}', disable_read: false });
    });

    test('GIVEN a non-sensitive variable THEN PT017', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const v = new TerraformVariable(s, 'plain', { type: 'map(string)' });
      expect(() => secrets.seedSecret('apps/billing/db', v)).toThrow(
        '[PT017] seedSecret needs a TerraformVariable declared with `sensitive: true`',
      );
      expect(() => secrets.seedSecret('apps/billing/db', 'hunter2' as any)).toThrow(
        'Received: "<a string literal, not shown>"',
      );
    });

    test('refuses the signing category, an untyped variable and a second write of one path', () => {
      const s = stack();
      const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
      const v = new TerraformVariable(s, 'v', { type: 'map(string)', sensitive: true });
      expect(() => secrets.seedSecret('signing/node-task-signer', v)).toThrow('hold signing metadata only');
      expect(() => secrets.seedSecret('bootstrap/bundle', v)).toThrow('written by BootstrapBundle');
      const untyped = new TerraformVariable(s, 'u', { sensitive: true });
      expect(() => secrets.seedSecret('apps/billing/db', untyped)).toThrow(
        'typed as a map, an object or a JSON string',
      );
      secrets.seedSecret('apps/billing/db', v);
      expect(() => secrets.seedSecret('apps/billing/db', v)).toThrow('[PT010] Duplicate secret written');
    });
  });

  test('writeSigningMetadata records custody, transit key and version, nothing private', () => {
    const s = stack();
    const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
    secrets.writeSigningMetadata(
      { keyName: 'node-task-signer', mountPath: 'dev/transit', activeVersion: 3 },
      { custody: SigningCustody.vaultTransit() },
    );
    const r = only(s, 'vault_kv_secret_v2');
    expect(r.name).toBe('signing/node-task-signer');
    expect(JSON.parse(r.data_json)).toEqual({
      custody: 'vault-transit',
      transit_mount: 'dev/transit',
      key_name: 'node-task-signer',
      active_version: 3,
    });
    expect(r.disable_read).toBe(false);
  });

  test('audit: the server stanza is always rendered; the API device only on request', () => {
    const { secrets } = representative();
    expect(secrets.serverAuditStanza).toContain('audit "file" "file" {');
    expect(secrets.serverAuditStanza).toContain('file_path = "/var/log/openbao/audit.log"');

    const s = stack();
    new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv', audit: { name: 'platform', createApiDevice: true } });
    expect(Testing.synth(s)).toHaveResourceWithProperties(Audit, {
      type: 'file',
      path: 'platform',
      options: { file_path: 'stdout', format: 'json' },
      lifecycle: { prevent_destroy: true },
    });
  });

  test('audit: with an API device, every other Vault resource on its provider waits for it; data sources, other providers and other devices do not', () => {
    const s = stack();
    const other = new VaultProvider(s, 'other', { alias: 'other' });
    const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv', audit: { createApiDevice: true } });
    const v = new TerraformVariable(s, 'v', { type: 'map(string)', sensitive: true });
    secrets.seedSecret('apps/billing/db', v);
    // Raw resources added around the construct, before and after it, are ordered too.
    new Mount(s, 'RawTransit', { path: 'dev/transit', type: 'transit' });
    const elsewhere = new Mount(s, 'Elsewhere', { path: 'x/transit', type: 'transit', provider: other });
    new PlatformAudit(s, 'Second', { name: 'second', createApiDevice: true });
    new DataVaultPolicyDocument(s, 'Doc', { rule: [{ path: 'dev/kv/*', capabilities: ['read'] }] });
    const json = JSON.parse(Testing.synth(s));

    const device = Object.keys(json.resource.vault_audit).find((k) => k.startsWith('Secrets_Audit'))!;
    const second = Object.keys(json.resource.vault_audit).find((k) => k.startsWith('Second'))!;
    const waits: Record<string, string[] | undefined> = {};
    for (const [type, rs] of Object.entries<Record<string, any>>(json.resource)) {
      for (const [name, r] of Object.entries<any>(rs)) waits[`${type}.${name}`] = r.depends_on;
    }
    const ordered = Object.keys(waits).filter((a) => waits[a]?.includes(`vault_audit.${device}`));
    const unordered = Object.keys(waits).filter((a) => !ordered.includes(a));
    expect(unordered.sort()).toEqual(
      [`vault_audit.${device}`, `vault_audit.${second}`, `vault_mount.${elsewhere.friendlyUniqueId}`].sort(),
    );
    expect(ordered.map((a) => a.split('.')[0]).sort()).toEqual([
      'vault_kv_secret_backend_v2',
      'vault_kv_secret_v2',
      'vault_mount',
      'vault_mount',
    ]);
    // With two devices, a resource waits for both, each named once.
    const seeded = Object.values<any>(json.resource.vault_kv_secret_v2)[0];
    expect(seeded.depends_on).toEqual([`vault_audit.${device}`, `vault_audit.${second}`]);
    expect(Object.values<any>(json.data.vault_policy_document)[0].depends_on).toBeUndefined();

    // A logical id given to the device after construction is the one waited for.
    const renamed = stack();
    const named = new PlatformSecrets(renamed, 'Secrets', { mountPath: 'dev/kv', audit: { createApiDevice: true } });
    named.audit.apiDevice!.overrideLogicalId('platform_audit');
    expect(Object.values<any>(resources(renamed, 'vault_mount'))[0].depends_on).toEqual(['vault_audit.platform_audit']);

    // Without an API device, nothing is reordered.
    const plain = stack();
    new PlatformSecrets(plain, 'Secrets', { mountPath: 'dev/kv' });
    for (const r of Object.values<any>(resources(plain, 'vault_mount'))) expect(r.depends_on).toBeUndefined();
  });

  test('audit: two devices with one name in a stack fail synth', () => {
    const s = stack();
    new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv', audit: { createApiDevice: true } });
    new PlatformAudit(s, 'Audit');
    expect(() => Testing.synth(s, true)).toThrow('Duplicate audit device path');
    const ok = stack();
    new PlatformSecrets(ok, 'Secrets', { mountPath: 'dev/kv', audit: { createApiDevice: true } });
    new PlatformAudit(ok, 'Audit', { name: 'second' });
    expect(() => Testing.synth(ok, true)).not.toThrow();
  });
});

describe('AppRoleConsumer', () => {
  test('GIVEN defaults THEN a service-token role bound to its own policy, and no secret id anywhere', () => {
    const s = stack();
    const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
    const c = new AppRoleConsumer(s, 'ControlPlane', {
      roleName: 'dev-control-plane',
      backend: secrets.appRoleBackend,
    });
    secrets.grantRead(c, 'apps/control-plane/db');
    const synth = Testing.synth(s);
    expect(synth).toHaveResourceWithProperties(AuthBackend, {
      type: 'approle',
      path: 'dev-kv-approle',
      lifecycle: { prevent_destroy: true },
    });
    expect(synth).toHaveResourceWithProperties(ApproleAuthBackendRole, {
      backend: '${vault_auth_backend.Secrets_AppRoleBackend_20E1B247.path}',
      role_name: 'dev-control-plane',
      bind_secret_id: true,
      token_policies: ['${vault_policy.ControlPlane_Policy_44112C45.name}'],
      token_no_default_policy: false,
      token_ttl: 3600,
      token_max_ttl: 86400,
      token_type: 'service',
      secret_id_ttl: 2592000,
      secret_id_num_uses: 0,
    });
    const role = only(s, 'vault_approle_auth_backend_role');
    expect(role.token_bound_cidrs).toBeUndefined();
    expect(role.role_id).toBeUndefined();
    expect(Testing.synth(s)).not.toContain('vault_approle_auth_backend_role_secret_id');
    expect(c.roleId).toMatch(/TfToken/);
    expect(c.policyName).toBe('dev-control-plane');
    expect(c.policyDocument).toBe(c.policy.policyDocument);
  });

  test('roleId resolves to the role_id attribute of the role', () => {
    const s = stack();
    const backend = new AppRoleAuthBackend(s, 'AppRole', { path: 'dev-approle' });
    const c = new AppRoleConsumer(s, 'ControlPlane', { roleName: 'dev-control-plane', backend });
    c.policyDocument.addRule({ path: 'dev/kv/data/apps/x/y', capabilities: [Capability.READ] });
    new TerraformOutput(s, 'role_id', { value: c.roleId });
    expect(JSON.parse(Testing.synth(s)).output.role_id.value).toBe(
      '${vault_approle_auth_backend_role.ControlPlane_E65BD0FC.role_id}',
    );
  });

  test('the consumer receives grants from any construct (it is an IGrantable)', () => {
    const s = stack();
    const c = new AppRoleConsumer(s, 'C', { roleName: 'dev-c', backend: AppRoleAuthBackend.fromPath('dev-approle') });
    // What a signing key's grantSign would do:
    c.policyDocument.addRule({ path: 'dev/transit/sign/node-task-signer', capabilities: [Capability.UPDATE] });
    expect(only(s, 'vault_policy').policy).toContain('dev/transit/sign/node-task-signer');
    expect(only(s, 'vault_approle_auth_backend_role').backend).toBe('dev-approle');
  });

  test('two AppRole auth mounts on one path fail synth', () => {
    const s = stack();
    const secrets = new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv', appRoleMountPath: 'dev-approle' });
    const a = new AppRoleConsumer(s, 'A', { roleName: 'dev-a', backend: secrets.appRoleBackend });
    const b = new AppRoleConsumer(s, 'B', {
      roleName: 'dev-b',
      backend: new AppRoleAuthBackend(s, 'AppRole', { path: 'dev-approle' }),
    });
    secrets.grantRead(a, 'apps/a/x');
    secrets.grantRead(b, 'apps/b/x');
    expect(() => Testing.synth(s, true)).toThrow('[PT010] Duplicate auth mount path');
  });

  test('options: batch tokens, CIDR binding, custom TTLs and policy name', () => {
    const s = stack();
    const c = new AppRoleConsumer(s, 'Job', {
      roleName: 'dev-rotate-job',
      policyName: 'dev-rotate-job-policy',
      backend: AppRoleAuthBackend.fromPath('dev-approle'),
      tokenType: TokenType.BATCH,
      tokenTtlSeconds: 300,
      tokenMaxTtlSeconds: 300,
      secretIdTtlSeconds: 600,
      secretIdNumUses: 1,
      boundCidrs: ['10.20.0.0/16', 'fd00:10::/64'],
    });
    c.policyDocument.addRule({ path: 'dev/kv/data/apps/x/y', capabilities: [Capability.READ] });
    expect(only(s, 'vault_approle_auth_backend_role')).toMatchObject({
      token_type: 'batch',
      token_ttl: 300,
      token_max_ttl: 300,
      secret_id_ttl: 600,
      secret_id_num_uses: 1,
      secret_id_bound_cidrs: ['10.20.0.0/16', 'fd00:10::/64'],
      token_bound_cidrs: ['10.20.0.0/16', 'fd00:10::/64'],
    });
    expect(only(s, 'vault_policy').name).toBe('dev-rotate-job-policy');
  });

  describe('invariant: token max TTL is at least the TTL', () => {
    const backend = AppRoleAuthBackend.fromPath('dev-approle');
    test('GIVEN max < ttl THEN PT018 with both values', () => {
      expect(
        () =>
          new AppRoleConsumer(stack(), 'C', {
            roleName: 'dev-c',
            backend,
            tokenTtlSeconds: 7200,
            tokenMaxTtlSeconds: 3600,
          }),
      ).toThrow(
        '[PT018] Invalid AppRole token TTLs: tokenMaxTtlSeconds is shorter than tokenTtlSeconds, so every token would be cut short at issue. Received: {"tokenTtlSeconds":7200,"tokenMaxTtlSeconds":3600}. Fix: raise tokenMaxTtlSeconds to at least 7200 or lower tokenTtlSeconds to at most 3600.',
      );
    });

    test('GIVEN max = ttl THEN accepted', () => {
      expect(
        () =>
          new AppRoleConsumer(stack(), 'C', {
            roleName: 'dev-c',
            backend,
            tokenTtlSeconds: 3600,
            tokenMaxTtlSeconds: 3600,
          }),
      ).not.toThrow();
    });

    test('GIVEN a token TTL THEN the comparison is skipped', () => {
      const s = stack();
      const ttl = new TerraformVariable(s, 'ttl', { type: 'number' });
      const c = new AppRoleConsumer(s, 'C', {
        roleName: 'dev-c',
        backend,
        tokenTtlSeconds: ttl.numberValue,
        tokenMaxTtlSeconds: 60,
      });
      c.policyDocument.addRule({ path: 'dev/kv/data/apps/x/y', capabilities: [Capability.READ] });
      expect(only(s, 'vault_approle_auth_backend_role').token_ttl).toBe('${var.ttl}');
    });

    test.each([
      [{ tokenTtlSeconds: 30 }, ErrorCode.INVALID_TTL],
      [{ tokenMaxTtlSeconds: 99999999 }, ErrorCode.INVALID_TTL],
      [{ secretIdTtlSeconds: 0 }, ErrorCode.INVALID_TTL],
      [{ secretIdNumUses: -1 }, ErrorCode.INVALID_COUNT],
      [{ tokenType: 'default-service' as TokenType }, ErrorCode.INVALID_OPTION],
      [{ roleName: 'Control Plane' }, ErrorCode.INVALID_NAME],
      [{ backend: undefined as any }, ErrorCode.MISSING_CONFIG],
    ])('refuses %p', (props, code) => {
      expect(codeOf(() => new AppRoleConsumer(stack(), 'C', { roleName: 'dev-c', backend, ...props }))).toBe(code);
    });
  });

  describe('invariant: bound CIDRs are valid', () => {
    const backend = AppRoleAuthBackend.fromPath('dev-approle');
    test('GIVEN a bad CIDR THEN PT020 with the fix', () => {
      expect(
        () => new AppRoleConsumer(stack(), 'C', { roleName: 'dev-c', backend, boundCidrs: ['10.20.0.5/16'] }),
      ).toThrow('Fix: use the network address "10.20.0.0/16", or /32 for the single host "10.20.0.5".');
      expect(
        () => new AppRoleConsumer(stack(), 'C', { roleName: 'dev-c', backend, boundCidrs: ['0.0.0.0/0'] }),
      ).toThrow('restricts nothing');
    });

    test('GIVEN valid CIDRs THEN accepted', () => {
      expect(
        () => new AppRoleConsumer(stack(), 'C', { roleName: 'dev-c', backend, boundCidrs: ['10.20.0.5/32'] }),
      ).not.toThrow();
    });

    test('GIVEN a token CIDR THEN it is passed through unchecked', () => {
      const s = stack();
      const cidr = new TerraformVariable(s, 'cidr', { type: 'string' });
      const c = new AppRoleConsumer(s, 'C', { roleName: 'dev-c', backend, boundCidrs: [cidr.stringValue] });
      c.policyDocument.addRule({ path: 'dev/kv/data/apps/x/y', capabilities: [Capability.READ] });
      expect(only(s, 'vault_approle_auth_backend_role').token_bound_cidrs).toEqual(['${var.cidr}']);
    });
  });
});

describe('synthesized JSON', () => {
  test('holds no private keys, tokens or secret ids (scanForSecrets)', () => {
    const { s } = representative();
    expect(scanForSecrets(Testing.synth(s, true))).toEqual([]);
  });

  test('the scan would catch a token written into the stack', () => {
    const s = stack();
    new PlatformSecrets(s, 'Secrets', { mountPath: 'dev/kv' });
    const leaked = `hvs.${'Ab3'.repeat(30)}`;
    new TerraformVariable(s, 'oops', { type: 'string', default: leaked });
    expect(scanForSecrets(Testing.synth(s)).map((f) => [f.rule, f.location])).toEqual([
      ['vault-token', 'variable.oops.default'],
    ]);
  });

  test('representative configuration (reviewed snapshot)', () => {
    const { s } = representative();
    expect(JSON.parse(Testing.synth(s, true))).toMatchSnapshot();
  });
});
