import { TerraformOutput, Testing, TerraformStack, Token } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { VaultPolicy } from '../../../lib/core';
import { SigningKeyType, TaskSigningKey, TransitMount } from '../../../lib/signing';

function stack() {
  const s = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(s, 'vault', {});
  return s;
}

function resources(s: TerraformStack, type: string): Record<string, any> {
  return JSON.parse(Testing.synth(s)).resource[type] ?? {};
}

describe('TaskSigningKey', () => {
  test('GIVEN defaults WHEN synthesized THEN the key stays in Vault custody', () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', { name: 'node-task-signer', version: 1 });
    const synth = Testing.synth(s);
    expect(synth).toHaveResourceWithProperties(TransitSecretBackendKey, {
      name: 'node-task-signer',
      type: 'ed25519',
      exportable: false,
      allow_plaintext_backup: false,
      deletion_allowed: false,
      auto_rotate_period: 0,
      lifecycle: { prevent_destroy: true, ignore_changes: ['min_decryption_version', 'min_encryption_version'] },
    });
    expect(Object.keys(resources(s, 'vault_generic_endpoint'))).toEqual([expect.stringMatching(/^Signer_Floors_/)]);
  });

  test('GIVEN version 3 WHEN synthesized THEN exactly two chained rotation resources exist', () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', { name: 'k', version: 3, mount: TransitMount.fromPath('dev/transit') });
    const endpoints = resources(s, 'vault_generic_endpoint');
    const rotations = Object.entries(endpoints).filter(([id]) => id.includes('RotateTo'));
    expect(rotations.map(([id]) => id.replace(/_[0-9A-F]{8}$/, ''))).toEqual([
      'Signer_RotateToV2',
      'Signer_RotateToV3',
    ]);
    expect(rotations.every(([, r]) => r.disable_delete === true && r.disable_read === true)).toBe(true);
    expect(rotations[1][1].depends_on[0]).toContain(rotations[0][0]);
  });

  test("each rotation rotates unless Vault's latest version at plan time already has its version, which it adopts", () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', { name: 'k', version: 3, mount: TransitMount.fromPath('dev/transit') });
    const json = JSON.parse(Testing.synth(s));
    const keyId = Object.keys(json.resource.vault_transit_secret_backend_key)[0];
    const rotations = Object.entries(json.resource.vault_generic_endpoint).filter(([id]) => id.includes('RotateTo'));
    expect(rotations.map(([, r]: [string, any]) => r.path)).toEqual([
      `\${(vault_transit_secret_backend_key.${keyId}.latest_version >= 2) ? "dev/transit/keys/k/config" : "dev/transit/keys/k/rotate"}`,
      `\${(vault_transit_secret_backend_key.${keyId}.latest_version >= 3) ? "dev/transit/keys/k/config" : "dev/transit/keys/k/rotate"}`,
    ]);
    const [, v3] = rotations[1] as [string, any];
    // Created once: later refreshes move latest_version past the version, and the path must not replace it.
    expect(v3.lifecycle.ignore_changes).toEqual(['path']);
    expect(v3.data_json).toBe('{}');
    expect(v3.lifecycle.postcondition[0].condition).toBe(
      '${self.path == "dev/transit/keys/k/config" ? tonumber(lookup(self.write_data, "latest_version", "3")) >= 3 : tonumber(lookup(self.write_data, "latest_version", "3")) == 3}',
    );
    expect(v3.lifecycle.postcondition[0].error_message).toContain(
      'Rotating transit key "k" was expected to create version 3, but Vault reports a different latest version',
    );
  });

  test('GIVEN a grace entry THEN the floors follow the verifier set', () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', {
      name: 'k',
      version: 3,
      activeVersion: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
    });
    expect(Testing.synth(s)).toHaveResourceWithProperties(GenericEndpoint, {
      path: 'transit/keys/k/config',
      data_json: '{"min_decryption_version":1,"min_encryption_version":2}',
    });
  });

  test("the plan-time guard compares Vault's latest version with the version in code", () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', { name: 'k', version: 2 });
    const floors = Object.values(resources(s, 'vault_generic_endpoint')).find((r: any) => r.path.endsWith('/config'));
    expect(floors.lifecycle.precondition[0].condition).toMatch(/latest_version <= 2\)\}$/);
    expect(floors.lifecycle.precondition[0].error_message).toContain('Key versions only move forward');
  });

  test('grantSign pins key_version to the active version and grants nothing else', () => {
    const s = stack();
    const key = new TaskSigningKey(s, 'Signer', { name: 'k', version: 2, activeVersion: 1 });
    const policy = new VaultPolicy(s, 'Signer-Policy', { name: 'signer' });
    const grant = key.grantSign(policy);
    expect(grant.paths).toEqual(['transit/sign/k']);
    expect(policy.policyDocument.toHcl()).toBe(
      'path "transit/sign/k" {\n  capabilities = ["update"]\n  required_parameters = ["key_version"]\n  allowed_parameters = {\n    "input" = []\n    "key_version" = ["1"]\n  }\n}\n',
    );
  });

  test('grantRotate and grantReadPublicKeys never grant export, backup, delete, sudo or sign', () => {
    const s = stack();
    const key = new TaskSigningKey(s, 'Signer', { name: 'k', version: 1 });
    const policy = new VaultPolicy(s, 'Runner', { name: 'runner' });
    key.grantRotate(policy);
    key.grantReadPublicKeys(policy);
    const hcl = policy.policyDocument.toHcl();
    // No export, backup, trim or delete path; no sudo or delete capability; no glob.
    expect(policy.policyDocument.toRules().map((r) => [r.path, r.capabilities])).toEqual([
      ['transit/keys/k', ['create', 'read', 'update']],
      ['transit/keys/k/config', ['update']],
      ['transit/keys/k/rotate', ['update']],
    ]);
    // The runner no longer signs with the task key: bundles are signed by a BundleSigningKey.
    expect(hcl).not.toContain('transit/sign/k');
    // Every write that could carry a custody flag has it pinned to false, and the key type is fixed.
    const stanza = (p: string) =>
      hcl.slice(hcl.indexOf(`path "${p}" {`), hcl.indexOf('\n}\n', hcl.indexOf(`path "${p}" {`)));
    for (const p of ['transit/keys/k', 'transit/keys/k/config']) {
      expect(stanza(p)).toContain('"exportable" = [false]');
      expect(stanza(p)).toContain('"allow_plaintext_backup" = [false]');
    }
    expect(stanza('transit/keys/k/config')).toContain('"deletion_allowed" = [false]');
    expect(stanza('transit/keys/k')).toContain('"type" = ["ed25519"]');
  });

  test("the verifier set is rendered from Vault's public keys with states and grace ends", () => {
    const s = stack();
    const key = new TaskSigningKey(s, 'Signer', {
      name: 'k',
      version: 3,
      activeVersion: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
    });
    expect(Token.isUnresolved(key.pubkeysJson)).toBe(true);
    new TerraformOutput(s, 'pubkeys', { value: key.pubkeysJson });
    const json = JSON.parse(Testing.synth(s));
    const expr: string = Object.entries(json.locals).find(([k]) => k.startsWith('Signer_PubkeysJson'))![1] as string;
    expect(json.output.pubkeys.value).toMatch(/^\$\{local\.Signer_PubkeysJson_\w+\}$/);
    expect(expr).toMatch(/^\$\{jsonencode\(/);
    expect(expr).toContain('"format" = "gpuaas-task-signing-pubkeys/v1"');
    expect(expr).toContain('"state" = "grace", "until" = "2027-01-01T00:00:00Z", "version" = 1');
    expect(expr).toContain('"state" = "active", "version" = 2');
    expect(expr).toContain('"state" = "next", "version" = 3');
    expect(expr).toContain('local.Signer_public_keys');
    // The public keys are read after this apply's rotations and floors, so a rotation shows up in the same apply.
    const ds = Object.values(json.data.vault_generic_secret)[0] as any;
    expect(ds.depends_on).toEqual(
      expect.arrayContaining([expect.stringContaining('Signer_Floors'), expect.stringContaining('Signer_RotateToV3')]),
    );
  });

  test.each([
    [{ name: 'k', version: 0 }, 'Invalid version: key versions are whole numbers starting at 1.'],
    [{ name: 'k', version: 1, activeVersion: 2 }, 'activeVersion (2) is above version (1)'],
    [{ name: 'K', version: 1 }, 'Invalid task signing key name: it contains upper-case letters'],
    [{ name: 'k', version: 1, keyType: 'hmac' }, 'Task signing keys must be asymmetric'],
    [{ name: 'k', version: 1, keyType: 'aes256-gcm96' }, 'Received: "aes256-gcm96"'],
    [{ name: 'k', version: Token.asNumber({ Ref: 'v' }) }, 'version and activeVersion must be literal numbers in code'],
  ])('refuses %j', (props, message) => {
    expect(() => new TaskSigningKey(stack(), 'Signer', props as any)).toThrow(message);
  });

  test('a name given as a token is not checked', () => {
    const s = stack();
    expect(() => new TaskSigningKey(s, 'Signer', { name: Token.asString({ Ref: 'n' }), version: 1 })).not.toThrow();
  });

  test('other asymmetric types are allowed with a warning that the v1 node verifier is ed25519 only', () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', { name: 'k', version: 1, keyType: SigningKeyType.ECDSA_P256 });
    expect(Testing.synth(s)).toHaveResourceWithProperties(TransitSecretBackendKey, { type: 'ecdsa-p256' });
  });

  test('reviewed snapshot: construct ids are Terraform addresses, so the synthesized JSON must not drift', () => {
    const s = stack();
    new TaskSigningKey(s, 'Signer', {
      name: 'node-task-signer',
      version: 3,
      activeVersion: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
      mount: new TransitMount(s, 'Transit', { path: 'dev/transit' }),
    });
    expect(JSON.parse(Testing.synth(s, true))).toMatchSnapshot();
  });
});
