import { App, TerraformStack, Testing } from 'cdktf';
import { JwtAuthBackend } from '@cdktf/provider-vault/lib/jwt-auth-backend';
import { JwtAuthBackendRole } from '@cdktf/provider-vault/lib/jwt-auth-backend-role';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Token } from '@cdktf/provider-vault/lib/token';
import { ErrorCode } from '../../../lib/core';
import { GITHUB_ACTIONS_ISSUER, GITHUB_ACTIONS_JWKS_URL, RunnerAccess, RunnerIdentity } from '../../../lib/ci';
import { EnvironmentConfig, PlatformTrustStack } from '../../../lib';
import { dev } from '../../../stacks/environments';
import { CiIdentityStack } from '../../../stacks/ci-identity-stack';

const ciDev: EnvironmentConfig = { ...dev, vault: { skipChildToken: true } };
const IDENTITY = { audience: 'https://vault.example.internal', repository: 'org/platform' };

function derive(config: EnvironmentConfig): RunnerAccess {
  return RunnerAccess.of(new PlatformTrustStack(new App(), { environment: config }));
}

describe('RunnerAccess (derived from the stack)', () => {
  test('GIVEN the dev stack WHEN derived THEN the plan policy reads only, and reads no KV path the stack does not write', () => {
    const access = derive(ciDev);
    expect(new Set(access.planRules.flatMap((r) => r.capabilities))).toEqual(new Set(['read']));
    const kv = access.planRules.map((r) => r.path).filter((p) => p.startsWith('dev/kv/'));
    expect(kv).toEqual([
      'dev/kv/config',
      'dev/kv/data/bootstrap/bundle',
      'dev/kv/data/bootstrap/bundle-published/*',
      'dev/kv/data/signing/node-task-signer',
      'dev/kv/metadata/bootstrap/bundle',
      'dev/kv/metadata/bootstrap/bundle-published/*',
      'dev/kv/metadata/signing/node-task-signer',
    ]);
    // No sign, rotate or token path.
    expect(access.planRules.filter((r) => /\/sign\/|\/rotate$|auth\/token\/create/.test(r.path))).toEqual([]);
  });

  test('GIVEN the dev stack WHEN derived THEN the apply policy is the construct grants plus each element, with the sign pin and custody pins', () => {
    const access = derive(ciDev);
    const byPath = Object.fromEntries(access.applyRules.map((r) => [r.path, r]));
    expect(byPath['dev/transit/sign/bundle-signer']).toMatchObject({
      capabilities: ['update'],
      requiredParameters: ['key_version'],
      allowedParameters: { input: [], key_version: ['1'] },
    });
    expect(byPath['dev/transit/sign/node-task-signer']).toBeUndefined();
    expect(byPath['dev/transit/keys/node-task-signer'].allowedParameters).toMatchObject({ exportable: [false] });
    expect(byPath['sys/mounts/dev/transit'].capabilities).toEqual(['create', 'read', 'update']);
    expect(byPath['sys/policies/acl/dev-control-plane'].capabilities).toEqual(['create', 'read', 'update']);
    // A rotation resource's path is chosen at plan time (rotate, or config to adopt): both are granted.
    expect(byPath['dev/transit/keys/node-task-signer/rotate']).toBeDefined();
    // Nothing is deleted but revocation records (when the code drops a revocation whose retention has ended; a
    // soft delete of the latest version), nothing outside the stack's own names.
    expect(access.applyRules.filter((r) => r.capabilities.includes('delete' as never)).map((r) => r.path)).toEqual([
      'dev/kv/data/bootstrap/bundle-published/revoked/*',
    ]);
    expect(access.applyRules.filter((r) => r.path.endsWith('*')).map((r) => r.path)).toEqual([
      'dev/kv/data/bootstrap/bundle-published/*',
      'dev/kv/data/bootstrap/bundle-published/revoked/*',
      'dev/kv/metadata/bootstrap/bundle-published/*',
    ]);
    expect(access.applySudoPaths).toEqual(['sys/auth/dev-approle']);
    expect(access.renderSudoPolicy()).toBe('path "sys/auth/dev-approle" {\n  capabilities = ["sudo"]\n}\n');
  });

  test('GIVEN a stack with a new element WHEN derived THEN its access shows up in both policies', () => {
    const app = new App();
    const stack = new PlatformTrustStack(app, { environment: ciDev });
    new Mount(stack, 'Extra', { path: 'dev/extra', type: 'kv' });
    const access = RunnerAccess.of(stack);
    expect(access.planRules.map((r) => r.path)).toContain('sys/mounts/dev/extra');
    expect(access.applyRules.map((r) => r.path)).toContain('sys/mounts/dev/extra/tune');
  });

  test('GIVEN an element of a type with no known access WHEN derived THEN it fails with the type and the fix', () => {
    const stack = new PlatformTrustStack(new App(), { environment: ciDev });
    new Token(stack, 'Stray', { policies: ['x'] });
    expect(() => RunnerAccess.of(stack)).toThrow(/no provider access is known for "vault_token\.Stray/);
    try {
      RunnerAccess.of(stack);
    } catch (e) {
      expect((e as { code: string }).code).toBe(ErrorCode.UNSUPPORTED);
    }
  });

  test('GIVEN a path only known at apply WHEN derived THEN it fails with the attribute', () => {
    const stack = new TerraformStack(new App(), 's');
    new VaultProvider(stack, 'vault', { skipChildToken: true });
    const a = new Mount(stack, 'A', { path: 'a', type: 'kv' });
    new Mount(stack, 'B', { path: `${a.accessor}/b`, type: 'kv' });
    expect(() => RunnerAccess.of(stack)).toThrow(/"path" of "vault_mount\.B/);
  });
});

describe('RunnerIdentity', () => {
  function identityStack(env: EnvironmentConfig = ciDev, identity = {}) {
    const app = Testing.app();
    const s = new PlatformTrustStack(app, { environment: env });
    return new CiIdentityStack(app, { identity: { ...IDENTITY, ...identity }, environments: [s] });
  }

  test('GIVEN defaults WHEN synthesized THEN GitHub Actions is trusted through its JWKS URL and issuer', () => {
    const synth = Testing.synth(identityStack());
    expect(synth).toHaveResourceWithProperties(JwtAuthBackend, {
      path: 'ci-jwt',
      type: 'jwt',
      bound_issuer: GITHUB_ACTIONS_ISSUER,
      jwks_url: GITHUB_ACTIONS_JWKS_URL,
      jwt_supported_algs: ['RS256'],
    });
  });

  test('GIVEN an environment WHEN synthesized THEN the plan role binds the repository, the apply role the branch, event and environment', () => {
    const synth = Testing.synth(identityStack());
    expect(synth).toHaveResourceWithProperties(JwtAuthBackendRole, {
      role_name: 'dev-plan',
      bound_audiences: [IDENTITY.audience],
      bound_claims: { repository: 'org/platform' },
      token_policies: ['dev-ci-plan'],
      token_no_default_policy: true,
      token_ttl: 900,
      token_explicit_max_ttl: 900,
    });
    expect(synth).toHaveResourceWithProperties(JwtAuthBackendRole, {
      role_name: 'dev-apply',
      bound_claims: {
        repository: 'org/platform',
        ref: 'refs/heads/main',
        environment: 'dev',
        event_name: 'push,workflow_dispatch',
      },
      token_policies: ['dev-ci-apply', 'dev-ci-apply-sudo'],
      token_ttl: 1800,
    });
  });

  test('GIVEN a stack whose provider creates child tokens WHEN added THEN it fails with the fix', () => {
    expect(() => identityStack({ ...dev, vault: undefined })).toThrow(/skipChildToken: true/);
  });

  test('GIVEN bad props WHEN constructed THEN each fails with its fix; validation keys are trimmed', () => {
    const s = new TerraformStack(Testing.app(), 's');
    expect(() => new RunnerIdentity(s, 'A', { ...IDENTITY, applyEvents: ['pull_request_target'] })).toThrow(
      /not pull requests/,
    );
    expect(() => new RunnerIdentity(s, 'B', { ...IDENTITY, applyRef: 'refs/heads/*' })).toThrow(/one full git ref/);
    expect(() => new RunnerIdentity(s, 'C', { ...IDENTITY, repository: 'platform' })).toThrow(/owner\/name/);
    expect(
      () =>
        new RunnerIdentity(s, 'D', {
          ...IDENTITY,
          jwksUrl: GITHUB_ACTIONS_JWKS_URL,
          validationPublicKeys: ['-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n'],
        }),
    ).toThrow(/not both/);
    expect(
      () => new RunnerIdentity(s, 'E', { ...IDENTITY, validationPublicKeys: ['-----BEGIN PRIVATE KEY-----\nAA==\n'] }),
    ).toThrow(/public key/);
    const ok = new RunnerIdentity(s, 'F', {
      ...IDENTITY,
      path: 'ci-f',
      validationPublicKeys: ['-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n'],
    });
    expect(ok.backend.jwtValidationPubkeysInput).toEqual([
      '-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----',
    ]);
  });
});
