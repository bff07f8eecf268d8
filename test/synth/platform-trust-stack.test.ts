import { App, S3Backend, Testing } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { PlatformTrustStack, buildApp, scanForSecrets } from '../../lib';
import { TerraformDataSource, TerraformElement } from 'cdktf';
import { RootRotationPhase } from '../../lib/pki/root-schedule';
import {
  ElementRole,
  MANIFEST_FORMAT_V1,
  MANIFEST_OUTPUT,
  SigningKeyKind,
  TrustKind,
  parseManifest,
} from '../../lib/review/manifest';
import { dev } from '../../stacks/environments';
import { AS_OF_VALID, ROOT_A } from '../unit/pki/fixtures';

const addressOf = (e: TerraformElement) =>
  `${TerraformDataSource.isTerraformDataSource(e) ? 'data.' : ''}${(e as any).terraformResourceType}.${e.friendlyUniqueId}`;

function synthJson(stack: PlatformTrustStack): Record<string, any> {
  return JSON.parse(Testing.synth(stack));
}

describe('PlatformTrustStack', () => {
  test('synthesizes with every construct validation run and no process started (no engine binary is needed)', () => {
    // cdktf's DataResource validates by running `terraform version`, which fails where no terraform is on PATH; the
    // library's terraform_data runs nothing.
    // The core module object itself (a namespace import is not spied on: its properties are read-only).
    const childProcess = jest.requireActual<typeof import('node:child_process')>('node:child_process');
    const spawned = [
      jest.spyOn(childProcess, 'execSync'),
      jest.spyOn(childProcess, 'execFileSync'),
      jest.spyOn(childProcess, 'spawnSync'),
    ];
    try {
      const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
      Testing.synth(stack, true);
      expect(spawned.map((s) => s.mock.calls.map((c) => String(c[0])))).toEqual([[], [], []]);
    } finally {
      spawned.forEach((s) => s.mockRestore());
    }
  });

  test('configures the Vault provider without an address or token', () => {
    // The shipped environments log in per job (short-lived CI tokens): they use the token directly.
    const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveProviderWithProperties(VaultProvider, { skip_child_token: true });
    const defaults = new PlatformTrustStack(Testing.app(), { environment: { ...dev, vault: undefined } });
    expect(Testing.synth(defaults)).toHaveProviderWithProperties(VaultProvider, { skip_child_token: false });
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

  test('a bundle signing key apart from the task key, in the same transit mount, version 1 by default', () => {
    const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
    const json = synthJson(stack);
    const keys = Object.values<any>(json.resource.vault_transit_secret_backend_key).map((k) => [k.backend, k.name]);
    expect(keys).toEqual([
      ['dev/transit', 'bundle-signer'],
      ['dev/transit', 'node-task-signer'],
    ]);
    expect(stack.bundleSigningKey.activeVersion).toBe(1);
    expect(stack.bundleSigningKey.rotations).toEqual([]);
  });

  test('outputs: the bundle key set, its active version and pin, next to every output other code reads', () => {
    const stack = new PlatformTrustStack(Testing.app(), {
      environment: { ...dev, bundleSigning: { version: 2, activeVersion: 1 } },
    });
    const out = synthJson(stack).output;
    expect(Object.keys(out).sort()).toEqual([
      'bootstrap_bundle',
      'bootstrap_bundle_kv_path',
      'bootstrap_envelope',
      'bundle_key_pin',
      'bundle_signing_active_version',
      'bundle_signing_keys',
      'control_plane_approle_mount',
      'control_plane_policy',
      'control_plane_role_id',
      'node_cert_ca_bundle',
      'platform_trust_manifest',
      'server_audit_stanza',
      'signing_metadata_path',
      'task_signing_active_version',
      'task_signing_key',
      'task_signing_pubkeys',
      'task_signing_schedule',
    ]);
    expect(out.bundle_signing_keys.value).toMatch(/^\$\{local\.BundleSigningKey_KeySetJson_\w+\}$/);
    expect(out.bundle_signing_active_version.value).toBe('1');
    expect(out.bundle_key_pin.value).toMatch(/^\$\{local\.BundleSigningKey_ActivePin_\w+\}$/);
    expect(out.bootstrap_bundle.description).toContain('format v2');
  });

  test('bundleSigning: key name, pre-published version and grace come from the environment config', () => {
    const stack = new PlatformTrustStack(Testing.app(), {
      environment: {
        ...dev,
        bundleSigning: {
          keyName: 'dev-bundles',
          version: 3,
          activeVersion: 2,
          grace: [{ version: 1, until: '2027-03-01T00:00:00Z' }],
        },
      },
    });
    const json = synthJson(stack);
    const sign = Object.values<any>(json.resource.vault_generic_endpoint).find((r) => r.path.includes('/sign/'));
    expect(sign.path).toBe('dev/transit/sign/dev-bundles');
    expect(sign.data_json).toContain('"key_version" = "2"');
    expect(stack.bundleSigningKey.rotations.map((r) => r.node.id)).toEqual(['RotateToV2', 'RotateToV3']);
    expect(json.output.bundle_signing_active_version.value).toBe('2');
  });

  test('the control plane gets no right on the bundle key; it signs tasks only', () => {
    const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
    const hcl = stack.controlPlane.policyDocument.toHcl();
    expect(hcl).not.toContain('bundle-signer');
    expect(hcl).toContain('path "dev/transit/sign/node-task-signer"');
  });

  test('bundle.migrateFromV1 adds the task key signature; off by default', () => {
    const plain = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev }));
    const signPaths = (json: Record<string, any>) =>
      Object.values<any>(json.resource.vault_generic_endpoint)
        .map((r) => r.path as string)
        .filter((p) => p.includes('/sign/'));
    expect(signPaths(plain)).toEqual(['dev/transit/sign/bundle-signer']);
    const migrating = new PlatformTrustStack(Testing.app(), {
      environment: { ...dev, bundle: { ...dev.bundle, migrateFromV1: true } },
    });
    expect(signPaths(synthJson(migrating))).toEqual([
      'dev/transit/sign/bundle-signer',
      'dev/transit/sign/node-task-signer',
    ]);
    expect(migrating.bootstrapBundle.migrateFromV1).toBe(true);
  });

  test('a bundle key named like the task key is refused at synth', () => {
    expect(
      () =>
        new PlatformTrustStack(Testing.app(), {
          environment: { ...dev, bundleSigning: { keyName: 'node-task-signer', version: 1 } },
        }),
    ).toThrow('[PT019] The bundle signing key and the task signing key are the same transit key');
  });

  describe('the manifest output (platform_trust_manifest)', () => {
    const manifestOf = (json: Record<string, any>) => parseManifest(json.output[MANIFEST_OUTPUT].value)!;
    const addresses = (json: Record<string, any>) => [
      ...Object.entries(json.resource ?? {}).flatMap(([type, els]) =>
        Object.keys(els as object).map((id) => `${type}.${id}`),
      ),
      ...Object.entries(json.data ?? {}).flatMap(([type, els]) =>
        Object.keys(els as object).map((id) => `data.${type}.${id}`),
      ),
    ];

    test('GIVEN the dev stack WHEN synthesized THEN the manifest is a plain string (known at plan time) and every address in it is an element of the stack', () => {
      const json = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev }));
      const value = json.output[MANIFEST_OUTPUT].value;
      expect(value).not.toMatch(/\$\{|%\{/);
      expect(json.output[MANIFEST_OUTPUT].sensitive).toBeUndefined();
      const manifest = manifestOf(json);
      expect(manifest.format).toBe(MANIFEST_FORMAT_V1);
      expect(addresses(json)).toEqual(expect.arrayContaining(Object.keys(manifest.resources)));
      expect(scanForSecrets(value)).toEqual([]);
    });

    test('GIVEN a rotated task key, a migration and a CA rotation THEN the manifest names each rotation with its version, each signature and the roots in the bundle', () => {
      const stack = new PlatformTrustStack(Testing.app(), {
        environment: {
          ...dev,
          taskSigning: { version: 3, activeVersion: 2 },
          bundle: { ...dev.bundle, sequence: 2, migrateFromV1: true },
          controlPlaneTrust: {
            platformCa: {
              root: { issuerName: 'dev-control-plane-root' },
              rotation: {
                next: { issuerName: 'dev-control-plane-root-2027' },
                overlapUntil: '2027-01-31T00:00:00Z',
                phase: RootRotationPhase.PUBLISH_NEXT,
              },
            },
          },
        },
      });
      const entries = Object.entries(manifestOf(synthJson(stack)).resources);
      const of = (role: ElementRole) => entries.filter(([, e]) => e.role === role);
      expect(of(ElementRole.KEY_ROTATION).map(([a, e]) => [a, e.key, e.name, e.version])).toEqual([
        [addressOf(stack.taskSigningKey.rotations[0]), SigningKeyKind.TASK, 'node-task-signer', 2],
        [addressOf(stack.taskSigningKey.rotations[1]), SigningKeyKind.TASK, 'node-task-signer', 3],
      ]);
      expect(of(ElementRole.BUNDLE_SIGNATURE).map(([, e]) => [e.signature, e.key, e.version])).toEqual([
        ['bundle-key', SigningKeyKind.BUNDLE, 1],
        ['migration-from-v1', SigningKeyKind.TASK, 2],
      ]);
      expect(
        of(ElementRole.PKI_ROOT)
          .filter(([, e]) => e.trust === TrustKind.CONTROL_PLANE)
          .map(([, e]) => [e.name, e.bundle_field])
          .sort(),
      ).toEqual([
        ['dev-control-plane-root', 'public_https_trust.roots'],
        ['dev-control-plane-root-2027', 'public_https_trust.roots'],
      ]);
      expect(of(ElementRole.BUNDLE_SECRET)).toEqual([
        [
          addressOf(stack.bootstrapBundle.secret),
          { role: ElementRole.BUNDLE_SECRET, mount: 'dev/kv', path: 'bootstrap/bundle' },
        ],
      ]);
    });

    test('GIVEN a logical id overridden after construction THEN the manifest carries the overridden address', () => {
      const stack = new PlatformTrustStack(Testing.app(), { environment: { ...dev, taskSigning: { version: 2 } } });
      stack.taskSigningKey.rotations[0].overrideLogicalId('task_rotation_v2');
      const resources = manifestOf(synthJson(stack)).resources;
      expect(resources['vault_generic_endpoint.task_rotation_v2']).toMatchObject({ role: 'key-rotation', version: 2 });
    });

    test('GIVEN the same configuration synthesized twice THEN the manifest is the same text (a second plan shows no change)', () => {
      const once = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev })).output[MANIFEST_OUTPUT].value;
      const twice = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev })).output[MANIFEST_OUTPUT]
        .value;
      expect(twice).toBe(once);
    });

    test('GIVEN an existing CA given as PEM THEN the manifest has no control-plane PKI element and the control plane gets no server-cert path', () => {
      const stack = new PlatformTrustStack(Testing.app(), {
        environment: {
          ...dev,
          controlPlaneTrust: { existingCa: { current: { name: 'corp-root-a', pem: ROOT_A }, asOf: AS_OF_VALID } },
        },
      });
      const json = synthJson(stack);
      const trusts = Object.values(manifestOf(json).resources).map((e) => e.trust);
      expect(trusts).not.toContain(TrustKind.CONTROL_PLANE);
      expect(stack.controlPlane.policyDocument.toHcl()).not.toContain('control-plane-https');
    });
  });

  test('reviewed snapshot of the dev stack: every construct id is a Terraform address', () => {
    const json = synthJson(new PlatformTrustStack(Testing.app(), { environment: dev }));
    expect(json).toMatchSnapshot();
  });
});
