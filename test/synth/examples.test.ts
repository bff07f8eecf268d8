/**
 * The examples are compiled with the library and synthesized here (validations on), so the snippets the README
 * takes from them cannot drift.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { EnvironmentConfig, PlatformTrustStack, planVerifierSet, scanForSecrets } from '../../lib';
import { checkScheduleChange } from '../../lib/signing/verifier-set';
import { certificateFacts } from '../../lib/review/certificate-facts';
import * as minimal from '../../examples/minimal/main';
import * as rotateTaskSigner from '../../examples/rotate-task-signer/main';
import * as rotateCa from '../../examples/rotate-control-plane-ca/main';
import * as byoCa from '../../examples/bring-your-own-ca/main';
import * as rotateBundleKey from '../../examples/rotate-bundle-key/main';
import * as migrateToV2 from '../../examples/migrate-bundle-to-v2/main';

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Synthesizes an example app into a temporary directory (validations run) and returns its stack JSON. */
function synthesize(build: (outdir: string) => App, stackName = 'dev') {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-trust-example-'));
  tmpDirs.push(outdir);
  const app = build(outdir);
  app.synth();
  const text = fs.readFileSync(path.join(outdir, 'stacks', stackName, 'cdk.tf.json'), 'utf8');
  return { app, text, json: JSON.parse(text) as Record<string, any> };
}

/** The resource of `type` whose construct path is `constructPath` (for example "dev/TaskSigningKey/Floors"). */
function resourceAt(json: Record<string, any>, type: string, constructPath: string): Record<string, any> | undefined {
  return Object.values<Record<string, any>>(json.resource?.[type] ?? {}).find(
    (r) => r['//']?.metadata?.path === constructPath,
  );
}

function resourceIds(json: Record<string, any>, type: string): string[] {
  return Object.values<Record<string, any>>(json.resource?.[type] ?? {})
    .map((r) => r['//'].metadata.path as string)
    .sort();
}

function floors(json: Record<string, any>, key = 'TaskSigningKey') {
  return JSON.parse(resourceAt(json, 'vault_generic_endpoint', `dev/${key}/Floors`)!.data_json);
}

/** The bundle signature's request: what the apply identity sends to <mount>/sign/<bundle key>. */
function bundleSignature(json: Record<string, any>) {
  return resourceAt(json, 'vault_generic_endpoint', 'dev/BootstrapBundle/BundleSignature')!;
}

function signPolicy(json: Record<string, any>): string {
  return resourceAt(json, 'vault_policy', 'dev/ControlPlane/Policy/Resource')!.policy;
}

function bundleSequence(json: Record<string, any>): number {
  const dataJson: string = resourceAt(json, 'vault_kv_secret_v2', 'dev/BootstrapBundle/Secret')!.data_json;
  return Number(/"sequence" = ([0-9]+)/.exec(dataJson)![1]);
}

function locals(json: Record<string, any>, prefix: string): string {
  const key = Object.keys(json.locals).find((k) => k.startsWith(prefix));
  return json.locals[key!];
}

describe('examples/minimal', () => {
  test('synthesizes one environment with the whole platform trust stack', () => {
    const { text, json } = synthesize(minimal.build);
    expect(minimal.environment.name).toBe('dev');
    expect(text).toHaveResourceWithProperties(TransitSecretBackendKey, {
      name: 'node-task-signer',
      type: 'ed25519',
      exportable: false,
      allow_plaintext_backup: false,
      deletion_allowed: false,
    });
    expect(text).toHaveResourceWithProperties(Mount, { path: 'dev/kv', type: 'kv' });
    expect(text).toHaveResourceWithProperties(PkiSecretBackendRootCert, { issuer_name: 'dev-control-plane-root' });
    expect(text).toHaveResourceWithProperties(KvSecretV2, { mount: 'dev/kv', name: 'bootstrap/bundle' });
    expect(text).toHaveResourceWithProperties(TransitSecretBackendKey, {
      name: 'bundle-signer',
      type: 'ed25519',
      exportable: false,
      allow_plaintext_backup: false,
      deletion_allowed: false,
    });
    expect(resourceIds(json, 'vault_generic_endpoint')).toEqual([
      'dev/BootstrapBundle/BundleSignature',
      'dev/BundleSigningKey/Floors',
      'dev/TaskSigningKey/Floors',
    ]);
    expect(resourceIds(json, 'terraform_data')).toEqual(['dev/BootstrapBundle/SignedInput']);
    expect(json.data.vault_transit_sign).toBeUndefined();
    expect(Object.keys(json.output)).toEqual(
      expect.arrayContaining([
        'task_signing_pubkeys',
        'bootstrap_bundle',
        'bootstrap_envelope',
        'control_plane_role_id',
        'bundle_signing_keys',
        'bundle_signing_active_version',
        'bundle_key_pin',
      ]),
    );
    expect(json.provider.vault[0].address).toBeUndefined();
    expect(scanForSecrets(text)).toEqual([]);
  });
});

describe('examples/rotate-task-signer', () => {
  const { step1, step2, step3, initial, steps } = rotateTaskSigner;

  test('the steps are consecutive, valid schedules that only move forward', () => {
    expect(steps).toEqual([step1, step2, step3]);
    let previous = initial;
    for (const step of steps) {
      expect(() => checkScheduleChange(previous.taskSigning, step.taskSigning)).not.toThrow();
      expect(() => planVerifierSet(step.taskSigning)).not.toThrow();
      expect(step.bundle.sequence).toBe(previous.bundle.sequence + 1);
      // Only the signing schedule and the bundle sequence change between two steps.
      const changed = (Object.keys(step) as Array<keyof EnvironmentConfig>).filter(
        (k) => JSON.stringify(step[k]) !== JSON.stringify(previous[k]),
      );
      expect(changed.sort()).toEqual(['bundle', 'taskSigning']);
      previous = step;
    }
  });

  test('step 1, pre-publish: RotateToV2 exists, floors stay at 1, the control plane still signs with 1', () => {
    const { text, json } = synthesize((dir) => rotateTaskSigner.build(dir, step1));
    expect(text).toHaveResourceWithProperties(GenericEndpoint, {
      path: expect.stringMatching(/: "dev\/transit\/keys\/node-task-signer\/rotate"\}$/),
      disable_delete: true,
      write_fields: ['latest_version'],
    });
    expect(resourceIds(json, 'vault_generic_endpoint')).toEqual([
      'dev/BootstrapBundle/BundleSignature',
      'dev/BundleSigningKey/Floors',
      'dev/TaskSigningKey/Floors',
      'dev/TaskSigningKey/RotateToV2',
    ]);
    expect(floors(json)).toEqual({ min_decryption_version: 1, min_encryption_version: 1 });
    expect(signPolicy(json)).toContain('"key_version" = ["1"]');
    expect(locals(json, 'TaskSigningKey_PubkeysJson')).toContain('"state" = "next"');
    expect(json.output.task_signing_active_version.value).toBe('1');
    expect(bundleSequence(json)).toBe(2);
  });

  test('step 2, activate: floors move the signing floor to 2, the policy pins key_version 2, v1 has a grace end', () => {
    const { json } = synthesize((dir) => rotateTaskSigner.build(dir, step2));
    expect(resourceIds(json, 'vault_generic_endpoint')).toEqual([
      'dev/BootstrapBundle/BundleSignature',
      'dev/BundleSigningKey/Floors',
      'dev/TaskSigningKey/Floors',
      'dev/TaskSigningKey/RotateToV2',
    ]);
    expect(floors(json)).toEqual({ min_decryption_version: 1, min_encryption_version: 2 });
    expect(signPolicy(json)).toContain('"key_version" = ["2"]');
    const pubkeys = locals(json, 'TaskSigningKey_PubkeysJson');
    expect(pubkeys).toContain('"state" = "grace", "until" = "2027-01-15T00:00:00Z"');
    expect(json.output.task_signing_active_version.value).toBe('2');
    expect(bundleSequence(json)).toBe(3);
  });

  test('step 3, retire: the verifier floor rises to 2 and no grace entry is left', () => {
    const { json } = synthesize((dir) => rotateTaskSigner.build(dir, step3));
    expect(floors(json)).toEqual({ min_decryption_version: 2, min_encryption_version: 2 });
    expect(signPolicy(json)).toContain('"key_version" = ["2"]');
    expect(locals(json, 'TaskSigningKey_PubkeysJson')).not.toContain('grace');
    expect(bundleSequence(json)).toBe(4);
  });

  test('build() without a step synthesizes the last one', () => {
    expect(floors(synthesize(rotateTaskSigner.build).json)).toEqual(
      floors(synthesize((d) => rotateTaskSigner.build(d, step3)).json),
    );
  });
});

describe('examples/rotate-control-plane-ca', () => {
  const { step1, step2, step3, steps } = rotateCa;
  const OLD = 'dev/ControlPlaneTrust/Root-dev-control-plane-root';
  const NEW = 'dev/ControlPlaneTrust/Root-dev-control-plane-root-2027';
  const issuerIdRef = (json: Record<string, any>, constructPath: string) => {
    const id = Object.entries<Record<string, any>>(json.resource.vault_pki_secret_backend_root_cert).find(
      ([, r]) => r['//'].metadata.path === constructPath,
    )![0];
    return `\${vault_pki_secret_backend_root_cert.${id}.issuer_id}`;
  };
  const defaultIssuer = (json: Record<string, any>) =>
    resourceAt(json, 'vault_pki_secret_backend_config_issuers', 'dev/ControlPlaneTrust/DefaultIssuer')!.default;
  const bundleRootStates = (json: Record<string, any>) =>
    [...locals(json, 'BootstrapBundle_BundleJson').matchAll(/"state" = "(current|next|previous)"/g)].map((m) => m[1]);

  test('the steps keep both roots declared and only move forward', () => {
    expect(steps).toEqual([step1, step2, step3]);
    expect(steps.map((s) => s.bundle.sequence)).toEqual([2, 3, 4]);
  });

  test('step 1, PUBLISH_NEXT: a second root exists, the old one stays default, the bundle carries both', () => {
    const { json } = synthesize((dir) => rotateCa.build(dir, step1));
    expect(resourceIds(json, 'vault_pki_secret_backend_root_cert')).toEqual(expect.arrayContaining([OLD, NEW]));
    expect(defaultIssuer(json)).toBe(issuerIdRef(json, OLD));
    expect(json.data?.vault_pki_secret_backend_issuer).toBeUndefined();
    expect(bundleRootStates(json)).toEqual(['current', 'next']);
  });

  test('step 2, SWITCH: the new root is the default issuer, guarded by a read of the published issuer', () => {
    const { json } = synthesize((dir) => rotateCa.build(dir, step2));
    expect(defaultIssuer(json)).toBe(issuerIdRef(json, NEW));
    expect(Object.values<Record<string, any>>(json.data.vault_pki_secret_backend_issuer)).toEqual([
      expect.objectContaining({ backend: 'dev/pki-control-plane', issuer_ref: 'dev-control-plane-root-2027' }),
    ]);
    expect(bundleRootStates(json)).toEqual(['current', 'previous']);
    expect(locals(json, 'BootstrapBundle_BundleJson')).toContain('"until" = "2027-06-30T00:00:00Z"');
  });

  test('step 3, DROP_PREVIOUS: only the new root is in the bundle, the old one stays declared in Vault', () => {
    const { json } = synthesize((dir) => rotateCa.build(dir, step3));
    expect(resourceIds(json, 'vault_pki_secret_backend_root_cert')).toEqual(expect.arrayContaining([OLD, NEW]));
    expect(defaultIssuer(json)).toBe(issuerIdRef(json, NEW));
    expect(bundleRootStates(json)).toEqual(['current']);
  });
});

describe('examples/bring-your-own-ca', () => {
  test('ca.pem is a public certificate only, found from the sources', () => {
    expect(byoCa.caPemPath()).toBe(path.resolve(__dirname, '../../examples/bring-your-own-ca/ca.pem'));
    const pem = byoCa.readCaPem();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(pem).not.toMatch(/PRIVATE KEY/);
  });

  test('the public HTTPS trust is the given root: no control-plane PKI mount, the PEM and its pin in the bundle', () => {
    const { app, text, json } = synthesize(byoCa.build);
    const stack = app.node.findChild('dev') as PlatformTrustStack;
    const facts = certificateFacts(byoCa.readCaPem())!;
    expect(stack.controlPlaneTrust.pins).toEqual([facts.pin]);
    expect(resourceIds(json, 'vault_mount')).not.toContain('dev/ControlPlaneTrust/Mount');
    expect(Object.values<Record<string, any>>(json.resource.vault_mount).map((m) => m.path)).not.toContain(
      'dev/pki-control-plane',
    );
    expect(resourceIds(json, 'vault_pki_secret_backend_root_cert')).toEqual(['dev/NodeCertAuthority/Root']);
    const firstLine = byoCa.readCaPem().split('\n')[1];
    expect(locals(json, 'BootstrapBundle_BundleJson')).toContain(firstLine);
    expect(scanForSecrets(text)).toEqual([]);
  });
});

describe('examples/rotate-bundle-key', () => {
  const { step1, step2, step3, initial, steps } = rotateBundleKey;

  test('the steps are consecutive, valid schedules that only move forward; only the bundle key and sequence change', () => {
    expect(steps).toEqual([step1, step2, step3]);
    let previous = initial;
    for (const step of steps) {
      expect(() => checkScheduleChange(previous.bundleSigning!, step.bundleSigning!)).not.toThrow();
      expect(() => planVerifierSet(step.bundleSigning!)).not.toThrow();
      expect(step.bundle.sequence).toBe(previous.bundle.sequence + 1);
      const changed = (Object.keys(step) as Array<keyof EnvironmentConfig>).filter(
        (k) => JSON.stringify(step[k]) !== JSON.stringify(previous[k]),
      );
      expect(changed.sort()).toEqual(['bundle', 'bundleSigning']);
      previous = step;
    }
  });

  test('step 1, pre-publish: BundleSigningKey/RotateToV2 exists, version 1 still signs, v2 is next', () => {
    const { json } = synthesize((dir) => rotateBundleKey.build(dir, step1));
    expect(resourceIds(json, 'vault_generic_endpoint')).toEqual([
      'dev/BootstrapBundle/BundleSignature',
      'dev/BundleSigningKey/Floors',
      'dev/BundleSigningKey/RotateToV2',
      'dev/TaskSigningKey/Floors',
    ]);
    expect(floors(json, 'BundleSigningKey')).toEqual({ min_decryption_version: 1, min_encryption_version: 1 });
    expect(bundleSignature(json).data_json).toContain('"key_version" = "1"');
    expect(locals(json, 'BundleSigningKey_KeySetJson')).toContain('"state" = "next", "version" = 2');
    expect(json.output.bundle_signing_active_version.value).toBe('1');
  });

  test('step 2, activate: version 2 signs, v1 has a grace end, the signing floor moves to 2', () => {
    const { json } = synthesize((dir) => rotateBundleKey.build(dir, step2));
    expect(floors(json, 'BundleSigningKey')).toEqual({ min_decryption_version: 1, min_encryption_version: 2 });
    expect(bundleSignature(json).data_json).toContain('"key_version" = "2"');
    expect(bundleSignature(json).path).toBe('dev/transit/sign/bundle-signer');
    expect(locals(json, 'BundleSigningKey_KeySetJson')).toContain(
      '"state" = "grace", "until" = "2027-02-15T00:00:00Z", "version" = 1',
    );
    expect(locals(json, 'BundleSigningKey_ActivePin')).toContain('["2"].public_key');
    expect(json.output.bundle_signing_active_version.value).toBe('2');
    // The task key and the control plane's grant are untouched.
    expect(floors(json)).toEqual({ min_decryption_version: 1, min_encryption_version: 1 });
    expect(signPolicy(json)).not.toContain('bundle-signer');
  });

  test('step 3, retire: the verifier floor rises to 2 and no grace entry is left', () => {
    const { json } = synthesize((dir) => rotateBundleKey.build(dir, step3));
    expect(floors(json, 'BundleSigningKey')).toEqual({ min_decryption_version: 2, min_encryption_version: 2 });
    expect(locals(json, 'BundleSigningKey_KeySetJson')).not.toContain('grace');
  });
});

describe('examples/migrate-bundle-to-v2', () => {
  const { step1, step2, steps } = migrateToV2;

  test('step 1: the first v2 bundle is signed by the bundle key and, declared, by the task key', () => {
    expect(steps).toEqual([step1, step2]);
    const { json, text } = synthesize((dir) => migrateToV2.build(dir, step1));
    expect(resourceIds(json, 'vault_generic_endpoint')).toEqual([
      'dev/BootstrapBundle/BundleSignature',
      'dev/BootstrapBundle/TaskKeySignature',
      'dev/BundleSigningKey/Floors',
      'dev/TaskSigningKey/Floors',
    ]);
    expect(resourceIds(json, 'terraform_data')).toEqual([
      'dev/BootstrapBundle/SignedInput',
      'dev/BootstrapBundle/TaskKeySignedInput',
    ]);
    const task = resourceAt(json, 'vault_generic_endpoint', 'dev/BootstrapBundle/TaskKeySignature')!;
    expect(task.path).toBe('dev/transit/sign/node-task-signer');
    expect(task['//'].platform_trust_declares).toEqual({ bundle_signature: 'migration-from-v1' });
    expect(locals(json, 'BootstrapBundle_EnvelopeJson').match(/"keyid" = /g)).toHaveLength(2);
    expect(bundleSequence(json)).toBe(8);
    expect(scanForSecrets(text)).toEqual([]);
  });

  test('step 2: only the bundle key signs', () => {
    const { json } = synthesize((dir) => migrateToV2.build(dir, step2));
    expect(resourceIds(json, 'vault_generic_endpoint')).not.toContain('dev/BootstrapBundle/TaskKeySignature');
    expect(locals(json, 'BootstrapBundle_EnvelopeJson').match(/"keyid" = /g)).toHaveLength(1);
    expect(bundleSequence(json)).toBe(9);
  });
});
