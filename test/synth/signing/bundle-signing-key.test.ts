import { TerraformOutput, TerraformStack, Testing, Token } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { ErrorCode, PlatformTrustError, VaultPolicy } from '../../../lib/core';
import { BUNDLE_KEYS_FORMAT_V1 } from '../../../lib/node/formats';
import { BundleSigningKey, TaskSigningKey, TransitMount } from '../../../lib/signing';

function stack() {
  const s = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(s, 'vault', {});
  return s;
}

function synth(s: TerraformStack): Record<string, any> {
  return JSON.parse(Testing.synth(s));
}

function localOf(json: Record<string, any>, prefix: string): string {
  const names = Object.keys(json.locals).filter((k) => k.startsWith(prefix));
  expect(names).toHaveLength(1);
  return names[0];
}

const dev = TransitMount.fromPath('dev/transit');

describe('BundleSigningKey', () => {
  test('GIVEN defaults WHEN synthesized THEN an ed25519 key in Vault custody, protected from destroy', () => {
    const s = stack();
    new BundleSigningKey(s, 'BundleKey', { name: 'bundle-signer', version: 1, mount: dev });
    const text = Testing.synth(s);
    expect(text).toHaveResourceWithProperties(TransitSecretBackendKey, {
      backend: 'dev/transit',
      name: 'bundle-signer',
      type: 'ed25519',
      exportable: false,
      allow_plaintext_backup: false,
      deletion_allowed: false,
      auto_rotate_period: 0,
      lifecycle: { prevent_destroy: true, ignore_changes: ['min_decryption_version', 'min_encryption_version'] },
    });
    const json = synth(s);
    expect(Object.keys(json.resource.vault_generic_endpoint)).toEqual([expect.stringMatching(/^BundleKey_Floors_/)]);
  });

  test('GIVEN version 1 -> 3 THEN exactly two chained rotation resources, each adopting a version Vault already has', () => {
    const s = stack();
    new BundleSigningKey(s, 'BundleKey', { name: 'bundle-signer', version: 3, mount: dev });
    const json = synth(s);
    const keyId = Object.keys(json.resource.vault_transit_secret_backend_key)[0];
    const rotations = Object.entries<any>(json.resource.vault_generic_endpoint).filter(([id]) => id.includes('Rotate'));
    expect(rotations.map(([id]) => id.replace(/_[0-9A-F]{8}$/, ''))).toEqual([
      'BundleKey_RotateToV2',
      'BundleKey_RotateToV3',
    ]);
    expect(rotations.map(([, r]) => r.path)).toEqual([
      `\${(vault_transit_secret_backend_key.${keyId}.latest_version >= 2) ? "dev/transit/keys/bundle-signer/config" : "dev/transit/keys/bundle-signer/rotate"}`,
      `\${(vault_transit_secret_backend_key.${keyId}.latest_version >= 3) ? "dev/transit/keys/bundle-signer/config" : "dev/transit/keys/bundle-signer/rotate"}`,
    ]);
    const [, v3] = rotations[1];
    expect(v3.depends_on).toEqual([`vault_generic_endpoint.${rotations[0][0]}`]);
    expect(v3).toMatchObject({ disable_read: true, disable_delete: true, data_json: '{}' });
    expect(v3.lifecycle.ignore_changes).toEqual(['path']);
    expect(v3.lifecycle.postcondition[0].condition).toBe(
      '${self.path == "dev/transit/keys/bundle-signer/config" ? tonumber(lookup(self.write_data, "latest_version", "3")) >= 3 : tonumber(lookup(self.write_data, "latest_version", "3")) == 3}',
    );
  });

  test('lowering version fails the plan: the floors compare Vault latest_version with the version in code', () => {
    const s = stack();
    new BundleSigningKey(s, 'BundleKey', { name: 'bundle-signer', version: 2, mount: dev });
    const floors = Object.values<any>(synth(s).resource.vault_generic_endpoint).find((r) => r.path.endsWith('/config'));
    expect(floors.lifecycle.precondition[0].condition).toMatch(/latest_version <= 2\)\}$/);
    expect(floors.lifecycle.precondition[0].error_message).toContain('Key versions only move forward');
  });

  test('GIVEN a grace entry THEN the floors follow the key set', () => {
    const s = stack();
    new BundleSigningKey(s, 'BundleKey', {
      name: 'bundle-signer',
      version: 3,
      activeVersion: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
      mount: dev,
    });
    expect(Testing.synth(s)).toHaveResourceWithProperties(GenericEndpoint, {
      path: 'dev/transit/keys/bundle-signer/config',
      data_json: '{"min_decryption_version":1,"min_encryption_version":2}',
    });
  });

  test('the key set has its own format, the states and explicit grace ends, read after the rotations', () => {
    const s = stack();
    const key = new BundleSigningKey(s, 'BundleKey', {
      name: 'bundle-signer',
      version: 3,
      activeVersion: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
      mount: dev,
    });
    expect(key.activeVersion).toBe(2);
    expect(key.version).toBe(3);
    expect(Token.isUnresolved(key.keySetJson)).toBe(true);
    new TerraformOutput(s, 'keys', { value: key.keySetJson });
    const json = synth(s);
    expect(json.output.keys.value).toMatch(/^\$\{local\.BundleKey_KeySetJson_\w+\}$/);
    const expr: string = json.locals[localOf(json, 'BundleKey_KeySetJson')];
    expect(expr).toMatch(/^\$\{jsonencode\(/);
    expect(expr).toContain(`"format" = "${BUNDLE_KEYS_FORMAT_V1}", "key" = "bundle-signer"`);
    expect(expr).not.toContain('gpuaas-task-signing-pubkeys');
    expect(expr).toContain('"alg" = "ed25519"');
    expect(expr).toContain('"state" = "grace", "until" = "2027-01-01T00:00:00Z", "version" = 1');
    expect(expr).toContain('"state" = "active", "version" = 2');
    expect(expr).toContain('"state" = "next", "version" = 3');
    const ds = Object.values<any>(json.data.vault_generic_secret)[0];
    expect(ds.path).toBe('dev/transit/keys/bundle-signer');
    expect(ds.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringContaining('BundleKey_Floors'),
        expect.stringContaining('BundleKey_RotateToV3'),
      ]),
    );
  });

  test('activeKid and activePin come from one digest of the public_key text: the kid carries its first 16 hex', () => {
    const s = stack();
    const key = new BundleSigningKey(s, 'BundleKey', {
      name: 'bundle-signer',
      version: 2,
      activeVersion: 1,
      mount: dev,
    });
    new TerraformOutput(s, 'pin', { value: key.activePin });
    new TerraformOutput(s, 'pin2', { value: key.pinOf(2) });
    new TerraformOutput(s, 'pin1', { value: key.pinOf(1) });
    const json = synth(s);
    const pk = (v: number) => `local.${localOf(json, 'BundleKey_public_keys')}["${v}"].public_key`;
    expect(json.locals[localOf(json, 'BundleKey_ActivePin')]).toBe(`\${join("", ["sha256:", sha256(${pk(1)})])}`);
    expect(json.locals[localOf(json, 'BundleKey_ActiveKid')]).toBe(
      `\${join("", ["bundle-signer:v1:", substr(sha256(${pk(1)}), 0, 16)])}`,
    );
    expect(json.output.pin.value).toMatch(/^\$\{local\.BundleKey_ActivePin_\w+\}$/);
    expect(json.output.pin1.value).toBe(json.output.pin.value);
    expect(json.output.pin2.value).toBe(`\${join("", ["sha256:", sha256(${pk(2)})])}`);
  });

  test('pinOf refuses a version outside the key set', () => {
    const key = new BundleSigningKey(stack(), 'BundleKey', { name: 'bundle-signer', version: 2, mount: dev });
    let error: unknown;
    try {
      key.pinOf(1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformTrustError);
    expect((error as PlatformTrustError).code).toBe(ErrorCode.INVALID_VERSION);
    expect((error as PlatformTrustError).message).toContain('Version 1 is not in the key set of bundle signing key');
  });

  test('grantRotate: create, rotate and configure with custody pinned off, and sign with the active version only (key_version a string)', () => {
    const s = stack();
    const key = new BundleSigningKey(s, 'BundleKey', {
      name: 'bundle-signer',
      version: 3,
      activeVersion: 2,
      mount: dev,
    });
    const runner = new VaultPolicy(s, 'Runner', { name: 'runner' });
    const grant = key.grantRotate(runner);
    expect(grant.paths).toEqual([
      'dev/transit/keys/bundle-signer',
      'dev/transit/keys/bundle-signer/rotate',
      'dev/transit/keys/bundle-signer/config',
      'dev/transit/sign/bundle-signer',
    ]);
    const hcl = runner.policyDocument.toHcl();
    const stanza = (p: string) => {
      const at = hcl.indexOf(`path "${p}" {`);
      return hcl.slice(at, hcl.indexOf('\n}\n', at));
    };
    expect(stanza('dev/transit/sign/bundle-signer')).toBe(
      'path "dev/transit/sign/bundle-signer" {\n  capabilities = ["update"]\n  required_parameters = ["key_version"]\n  allowed_parameters = {\n    "input" = []\n    "key_version" = ["2"]\n  }',
    );
    expect(stanza('dev/transit/keys/bundle-signer')).toContain('"type" = ["ed25519"]');
    for (const p of ['dev/transit/keys/bundle-signer', 'dev/transit/keys/bundle-signer/config']) {
      expect(stanza(p)).toContain('"exportable" = [false]');
      expect(stanza(p)).toContain('"allow_plaintext_backup" = [false]');
    }
    expect(stanza('dev/transit/keys/bundle-signer/config')).toContain('"deletion_allowed" = [false]');
    // No export, backup, trim or delete path; no sudo or delete capability; no glob.
    expect(runner.policyDocument.toRules().map((r) => [r.path, r.capabilities])).toEqual([
      ['dev/transit/keys/bundle-signer', ['create', 'read', 'update']],
      ['dev/transit/keys/bundle-signer/config', ['update']],
      ['dev/transit/keys/bundle-signer/rotate', ['update']],
      ['dev/transit/sign/bundle-signer', ['update']],
    ]);
  });

  test('grantReadPublicKeys reads the key only; nobody gets a sign grant', () => {
    const s = stack();
    const key = new BundleSigningKey(s, 'BundleKey', { name: 'bundle-signer', version: 1, mount: dev });
    const reader = new VaultPolicy(s, 'Reader', { name: 'reader' });
    expect(key.grantReadPublicKeys(reader).rules.map((r) => [r.path, r.capabilities])).toEqual([
      ['dev/transit/keys/bundle-signer', ['read']],
    ]);
    expect((key as unknown as Record<string, unknown>).grantSign).toBeUndefined();
    expect(() => key.grant(reader, 'sign' as never)).toThrow();
  });

  test('shares the task key machinery: the same schedule gives the same elements, only the names differ', () => {
    const schedule = { version: 3, activeVersion: 2, grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }] };
    const a = stack();
    new TaskSigningKey(a, 'K', { name: 'same-name', mount: dev, ...schedule });
    const b = stack();
    new BundleSigningKey(b, 'K', { name: 'same-name', mount: dev, ...schedule });
    const ja = synth(a);
    const jb = synth(b);
    expect(jb.resource).toEqual(ja.resource);
    expect(jb.data).toEqual(ja.data);
    const withoutSet = (j: Record<string, any>) =>
      Object.fromEntries(Object.entries(j.locals).filter(([k]) => !/PubkeysJson|KeySetJson|ActivePin/.test(k)));
    expect(withoutSet(jb)).toEqual(withoutSet(ja));
    const set = (j: Record<string, any>, id: string) => j.locals[localOf(j, id)] as string;
    expect(set(jb, 'K_KeySetJson').replace(BUNDLE_KEYS_FORMAT_V1, 'F')).toBe(
      set(ja, 'K_PubkeysJson').replace('gpuaas-task-signing-pubkeys/v1', 'F'),
    );
  });

  test.each([
    [{ name: 'k', version: 0 }, 'Invalid version: key versions are whole numbers starting at 1.'],
    [{ name: 'k', version: 1, activeVersion: 2 }, 'activeVersion (2) is above version (1)'],
    [{ name: 'K', version: 1 }, 'Invalid bundle signing key name: it contains upper-case letters'],
    [{ name: 'k', version: Token.asNumber({ Ref: 'v' }) }, 'version and activeVersion must be literal numbers in code'],
    [
      { name: 'k', version: 2, activeVersion: 1, grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }] },
      'is not older than activeVersion (1)',
    ],
  ])('refuses %j', (props, message) => {
    expect(() => new BundleSigningKey(stack(), 'BundleKey', props as any)).toThrow(message);
  });

  test('without a mount, a transit mount at "transit" is created in its scope', () => {
    const s = stack();
    const key = new BundleSigningKey(s, 'BundleKey', { name: 'bundle-signer', version: 1 });
    expect(key.mountPath).toBe('transit');
    expect(Object.keys(synth(s).resource.vault_mount)).toEqual([expect.stringMatching(/^BundleKey_Mount_/)]);
  });
});
