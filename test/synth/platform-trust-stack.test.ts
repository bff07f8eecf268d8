import { App, S3Backend, Testing } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { PlatformTrustStack, buildApp, scanForSecrets } from '../../lib';
import { dev } from '../../stacks/environments';

function synthJson(stack: PlatformTrustStack): Record<string, any> {
  return JSON.parse(Testing.synth(stack));
}

describe('PlatformTrustStack', () => {
  test('configures the Vault provider without an address or token', () => {
    const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveProviderWithProperties(VaultProvider, { skip_child_token: false });
    const provider = json.provider.vault[0];
    expect(provider.address).toBeUndefined();
    expect(provider.token).toBeUndefined();
    expect(scanForSecrets(JSON.stringify(json))).toEqual([]);
  });

  test('uses a local backend relative to the stack directory by default', () => {
    const json = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev }));
    expect(json.terraform.backend).toEqual({ local: { path: 'terraform.dev.tfstate' } });
  });

  test('accepts any cdktf backend', () => {
    const stack = new PlatformTrustStack(Testing.app(), {
      environment: dev,
      backend: (s) => new S3Backend(s, { bucket: 'platform-state', key: 'dev.tfstate', region: 'eu-west-1' }),
    });
    expect(synthJson(stack).terraform.backend.s3).toMatchObject({ bucket: 'platform-state', key: 'dev.tfstate' });
  });

  test('refuses a control-plane URL that is not https', () => {
    expect(
      () => new PlatformTrustStack(Testing.app(), { environment: { ...dev, controlPlaneUrl: 'http://cp.example' } }),
    ).toThrow('[PT011] Invalid control-plane URL: the scheme is "http", nodes only talk https.');
  });

  test('refuses overlapping mount paths', () => {
    expect(
      () =>
        new PlatformTrustStack(Testing.app(), {
          environment: { ...dev, mounts: { kv: 'dev/shared', transit: 'dev/shared/transit' } },
        }),
    ).toThrow('Duplicate or overlapping mount path: transit mount and kv mount both use it.');
  });

  test('refuses a bad environment name', () => {
    expect(() => new PlatformTrustStack(new App(), { environment: { ...dev, name: 'Dev' } })).toThrow(
      'Invalid environment name',
    );
  });

  test('buildApp refuses duplicate environment names', () => {
    expect(() => buildApp([dev, { ...dev }], { outdir: Testing.app().outdir })).toThrow(
      '[PT010] Duplicate environment name. Received: "dev".',
    );
  });
});
