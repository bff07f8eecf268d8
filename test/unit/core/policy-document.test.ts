import { Testing, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import {
  Capability,
  ErrorCode,
  Grant,
  PlatformTrustError,
  PolicyDocument,
  VaultPolicy,
  joinPath,
} from '../../../lib/core';
import * as fc from 'fast-check';

describe('PolicyDocument', () => {
  test('merges rules per path and renders deterministic HCL', () => {
    const doc = new PolicyDocument()
      .addRule({ path: 'kv/data/apps/b', capabilities: [Capability.READ] })
      .addRule({ path: 'kv/data/apps/a', capabilities: [Capability.UPDATE, Capability.CREATE] })
      .addRule({ path: 'kv/data/apps/b', capabilities: [Capability.LIST, Capability.READ] });
    expect(doc.toHcl()).toBe(
      [
        'path "kv/data/apps/a" {',
        '  capabilities = ["create", "update"]',
        '}',
        'path "kv/data/apps/b" {',
        '  capabilities = ["read", "list"]',
        '}',
        '',
      ].join('\n'),
    );
    expect(doc.capabilitiesFor('kv/data/apps/b')).toEqual(['read', 'list']);
  });

  test('renders parameter constraints', () => {
    const doc = new PolicyDocument().addRule({
      path: 'transit/sign/k',
      capabilities: [Capability.UPDATE],
      requiredParameters: ['key_version'],
      allowedParameters: { key_version: ['2'], input: [] },
    });
    expect(doc.toHcl()).toBe(
      [
        'path "transit/sign/k" {',
        '  capabilities = ["update"]',
        '  required_parameters = ["key_version"]',
        '  allowed_parameters = {',
        '    "input" = []',
        '    "key_version" = ["2"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('pins booleans as booleans (Vault matches the JSON type) and refuses numbers', () => {
    const doc = new PolicyDocument().addRule({
      path: 'transit/keys/k/config',
      capabilities: [Capability.UPDATE],
      allowedParameters: { exportable: [false], mode: ['b', 'a', true] },
    });
    expect(doc.toHcl()).toContain('    "exportable" = [false]\n    "mode" = [true, "a", "b"]\n');
    expect(() =>
      new PolicyDocument().addRule({
        path: 'transit/keys/k/config',
        capabilities: [Capability.UPDATE],
        allowedParameters: { auto_rotate_period: [0 as unknown as string] },
      }),
    ).toThrow(
      'The allowed_parameters value of "auto_rotate_period" on "transit/keys/k/config" is 0: only strings and booleans can be pinned.',
    );
  });

  test('refuses sudo and unknown capabilities', () => {
    expect(() => new PolicyDocument().addRule({ path: 'sys/mounts', capabilities: ['sudo' as Capability] })).toThrow(
      '"sudo" is never granted by this library',
    );
  });

  test('refuses an empty capability list', () => {
    expect(() => new PolicyDocument().addRule({ path: 'kv/data/x', capabilities: [] })).toThrow('has no capabilities');
  });

  test.each([
    ['/kv/data/x', 'starts with "/"'],
    ['kv/../sys', '".." segment'],
    ['kv/*', 'did not opt in with allowGlob'],
    ['', 'it is empty'],
    ['kv//x', 'empty segment'],
  ])('refuses path %p', (path, reason) => {
    expect(() => new PolicyDocument().addRule({ path, capabilities: [Capability.READ] })).toThrow(reason);
  });

  test('allows a trailing glob only with allowGlob, and only at the end', () => {
    expect(
      new PolicyDocument()
        .addRule({ path: 'kv/metadata/apps/*', capabilities: [Capability.LIST], allowGlob: true })
        .toHcl(),
    ).toContain('path "kv/metadata/apps/*"');
    expect(() =>
      new PolicyDocument().addRule({ path: 'kv/*/x', capabilities: [Capability.LIST], allowGlob: true }),
    ).toThrow('"*" may only appear once, at the end');
  });

  test('refuses to merge a constrained and an unconstrained grant on one path', () => {
    const doc = new PolicyDocument().addRule({
      path: 'transit/sign/k',
      capabilities: [Capability.UPDATE],
      allowedParameters: { key_version: ['1'] },
    });
    expect(() => doc.addRule({ path: 'transit/sign/k', capabilities: [Capability.UPDATE] })).toThrow(
      'would widen the constrained one',
    );
  });

  test('an exact or longer rule inside a glob also carries the glob capabilities (Vault applies only the most specific rule)', () => {
    const doc = new PolicyDocument()
      .addRule({ path: 'kv/data/apps/billing/*', capabilities: [Capability.READ], allowGlob: true })
      .addRule({ path: 'kv/data/apps/billing/db', capabilities: [Capability.DELETE] })
      .addRule({ path: 'kv/data/apps/billing/sub/*', capabilities: [Capability.UPDATE], allowGlob: true })
      .addRule({ path: 'kv/data/apps/other', capabilities: [Capability.LIST] });
    expect(doc.capabilitiesFor('kv/data/apps/billing/db')).toEqual(['read', 'delete']);
    expect(doc.capabilitiesFor('kv/data/apps/billing/sub/*')).toEqual(['read', 'update']);
    expect(doc.capabilitiesFor('kv/data/apps/billing/*')).toEqual(['read']);
    expect(doc.capabilitiesFor('kv/data/apps/other')).toEqual(['list']);
  });

  test('a rule inside a glob with different parameter constraints is refused', () => {
    const doc = new PolicyDocument()
      .addRule({ path: 'transit/sign/*', capabilities: [Capability.UPDATE], allowGlob: true })
      .addRule({
        path: 'transit/sign/k',
        capabilities: [Capability.UPDATE],
        allowedParameters: { key_version: ['1'] },
      });
    expect(() => doc.toHcl()).toThrow('lies inside the glob grant "transit/sign/*"');
  });

  test('rendering does not depend on insertion order (property)', () => {
    const rule = fc.record({
      path: fc.constantFrom('a/b', 'a/c', 'kv/data/x', 'kv/metadata/x', 'transit/keys/k'),
      capabilities: fc.subarray([Capability.CREATE, Capability.READ, Capability.UPDATE, Capability.LIST], {
        minLength: 1,
      }),
    });
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), (rules) => {
        const a = new PolicyDocument();
        rules.forEach((r) => a.addRule(r));
        const b = new PolicyDocument();
        [...rules].reverse().forEach((r) => b.addRule(r));
        expect(a.toHcl()).toBe(b.toHcl());
      }),
    );
  });
});

describe('Grant and VaultPolicy', () => {
  function stack() {
    const app = Testing.app();
    const s = new TerraformStack(app, 'test');
    new VaultProvider(s, 'vault', {});
    return s;
  }

  test('grants land in one vault_policy whose text is rendered from the document', () => {
    const s = stack();
    const policy = new VaultPolicy(s, 'Reader', { name: 'dev-reader' });
    const grant = Grant.addToPolicy(policy, 'grantRead', [{ path: 'kv/data/apps/x', capabilities: [Capability.READ] }]);
    expect(grant.paths).toEqual(['kv/data/apps/x']);
    const synth = Testing.synth(s);
    expect(synth).toHaveResourceWithProperties(Policy, {
      name: 'dev-reader',
      policy: 'path "kv/data/apps/x" {\n  capabilities = ["read"]\n}\n',
    });
  });

  test('a grant with no grantee is refused', () => {
    expect(() => Grant.addToPolicy(undefined, 'grantRead', [])).toThrow(PlatformTrustError);
    try {
      Grant.addToPolicy(undefined, 'grantRead', []);
    } catch (e) {
      expect((e as PlatformTrustError).code).toBe(ErrorCode.MISSING_GRANTEE);
      expect((e as Error).message).toContain('grantRead needs a consumer to grant to.');
    }
  });

  test('an empty policy fails validation at synth', () => {
    const s = stack();
    new VaultPolicy(s, 'Empty', { name: 'dev-empty' });
    expect(() => Testing.synth(s, true)).toThrow('Policy "dev-empty" has no grants');
  });

  test('joinPath normalises slashes', () => {
    expect(joinPath('dev/kv/', '/data', 'apps/x')).toBe('dev/kv/data/apps/x');
  });
});
