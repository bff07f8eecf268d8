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

  test('with an audit file, the audit device is enabled before every other Vault resource; without one, nothing waits', () => {
    const audited = synthJson(
      new PlatformTrustStack(Testing.app(), { environment: { ...dev, auditFilePath: '/var/log/vault/audit.log' } }),
    );
    const [device] = Object.keys(audited.resource.vault_audit);
    const notWaiting: string[] = [];
    let waiting = 0;
    for (const [type, byName] of Object.entries<Record<string, any>>(audited.resource)) {
      for (const [name, r] of Object.entries<any>(byName)) {
        if (!type.startsWith('vault_') || type === 'vault_audit') continue;
        if ((r.depends_on ?? []).includes(`vault_audit.${device}`)) waiting++;
        else notWaiting.push(`${type}.${name}`);
      }
    }
    expect(notWaiting).toEqual([]);
    expect(waiting).toBeGreaterThan(20);
    // The plan-time reads (the transit key's latest version, the published bundle) are not deferred.
    for (const byName of Object.values<Record<string, any>>(audited.data ?? {})) {
      for (const d of Object.values<any>(byName)) expect(d.depends_on ?? []).not.toContain(`vault_audit.${device}`);
    }
    const plain = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev }));
    expect(plain.resource.vault_audit).toBeUndefined();
    expect(JSON.stringify(plain)).not.toContain('vault_audit.');
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

  test('reviewed snapshot of the dev stack: every construct id is a Terraform address', () => {
    const json = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev }));
    expect(json).toMatchSnapshot();
  });
});
