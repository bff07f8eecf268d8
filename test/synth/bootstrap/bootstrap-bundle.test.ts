import { TerraformStack, Testing, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import {
  BundleSignatureRole,
  DECLARATIONS_JSON_KEY,
  ErrorCode,
  PlatformTrustError,
  VaultPolicy,
} from '../../../lib/core';
import { BootstrapBundle, BootstrapBundleProps } from '../../../lib/bootstrap/bootstrap-bundle';
import { BUNDLE_PAYLOAD_TYPE_V2, BUNDLE_SCHEMA_V2, DEFAULT_PATHS } from '../../../lib/node/formats';
import { ControlPlaneTrust } from '../../../lib/pki/control-plane-trust';
import { RootRotationPhase } from '../../../lib/pki/root-schedule';
import { NodeCertAuthority } from '../../../lib/pki/node-cert-authority';
import { AS_OF_VALID, ROOT_A } from '../../unit/pki/fixtures';
import { block, blocks, logicalId, newStack, secretFindings, synthJson } from '../pki/helpers';
import { BundleSigningKey, TaskSigningKey, TransitMount } from '../../../lib/signing';

interface World {
  stack: TerraformStack;
  props: BootstrapBundleProps;
}

/** A dev stack: node-cert CA, platform CA, a task key and a bundle key in one transit mount, a KV mount. */
function world(overrides: Partial<BootstrapBundleProps> = {}): World {
  const stack = newStack();
  const nodeCa = new NodeCertAuthority(stack, 'NodeCa', {
    mountPath: 'dev/pki-nodes',
    nodeDomain: 'nodes.dev.internal',
  });
  const cpTrust = new ControlPlaneTrust(stack, 'ControlPlaneTrust', {
    mountPath: 'dev/pki-control-plane',
    root: { issuerName: 'cp-root-2026' },
    serverNames: ['control.dev.platform.internal'],
  });
  const kv = new Mount(stack, 'Kv', { path: 'dev/kv', type: 'kv', options: { version: '2' } });
  const props: BootstrapBundleProps = {
    environment: 'dev',
    sequence: 3,
    controlPlaneUrl: 'https://control.dev.platform.internal',
    publicHttpsTrust: cpTrust,
    nodeCertTrust: nodeCa,
    signingKey: new TaskSigningKey(stack, 'Signer', {
      name: 'node-task-signer',
      version: 2,
      mount: TransitMount.fromPath('dev/transit'),
    }),
    bundleSigningKey: new BundleSigningKey(stack, 'BundleKey', {
      name: 'bundle-signer',
      version: 3,
      activeVersion: 2,
      mount: TransitMount.fromPath('dev/transit'),
    }),
    kvMountPath: 'dev/kv',
    kvMount: kv,
    freshness: { expires: '2027-02-01T00:00:00Z' },
    ...overrides,
  };
  return { stack, props };
}

function build(overrides: Partial<BootstrapBundleProps> = {}) {
  const { stack, props } = world(overrides);
  const bundle = new BootstrapBundle(stack, 'Bundle', props);
  return { stack, bundle, json: synthJson(stack) };
}

/** The stack's cdk.tf.json text with the "//" blocks (Testing.synth removes them). */
function fullSynthText(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  return JSON.stringify(stack.toTerraform());
}

/** The signed input: base64 of the DSSE PAE of the bundle JSON, built with join() (no template string). */
function signedInputOf(bundleLocal: string): string {
  const type = BUNDLE_PAYLOAD_TYPE_V2;
  return `base64encode(join("", ["DSSEv1 ${type.length} ${type} ", tostring(length(local.${bundleLocal})), " ", local.${bundleLocal}]))`;
}

function localNamed(json: Record<string, any>, part: string): string {
  const names = Object.keys(json.locals).filter((n) => n.includes(part));
  expect(names).toHaveLength(1);
  return names[0];
}

function errorOf(fn: () => unknown): PlatformTrustError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e;
    throw e;
  }
  throw new Error('expected a PlatformTrustError');
}

describe('BootstrapBundle rendering', () => {
  test('the bundle is one jsonencode() of literals and references, with the schema, paths, env values and bundle keys', () => {
    const { json } = build();
    const bundleLocal = localNamed(json, 'BundleJson');
    const expr: string = json.locals[bundleLocal];
    expect(expr.startsWith('${jsonencode({')).toBe(true);
    expect(expr).toContain(`"schema" = "${BUNDLE_SCHEMA_V2}"`);
    expect(expr).toContain('"environment" = "dev"');
    expect(expr).toContain('"sequence" = 3');
    expect(expr).toContain('"url" = "https://control.dev.platform.internal"');
    expect(expr).toContain(`"GPUAAS_CA_BUNDLE_PATH" = "${DEFAULT_PATHS.publicHttpsBundle}"`);
    expect(expr).toContain(`"GPUAAS_NODE_CERT_CA_BUNDLE_PATH" = "${DEFAULT_PATHS.nodeCertBundle}"`);
    expect(expr).toMatch(/"GPUAAS_TASK_SIGNING_PUBKEYS" = local\.Signer_PubkeysJson_\w+/);
    expect(expr).toMatch(
      /"task_verifiers" = \{"path" = "[^"]+", "set" = jsondecode\(local\.Signer_PubkeysJson_\w+\)\}/,
    );
    expect(expr).toMatch(/"bundle_keys" = \{"set" = jsondecode\(local\.BundleKey_KeySetJson_\w+\)\}/);
    expect(expr).toMatch(
      /"roots" = \[\{"pem" = vault_pki_secret_backend_root_cert\.\S+Root-cp-root-2026\S*\.certificate, "state" = "current"\}\]/,
    );
    expect(expr).toMatch(
      /"pems" = \[vault_pki_secret_backend_root_sign_intermediate\.\S+\.certificate, vault_pki_secret_backend_root_cert\.NodeCa_Root_\w+\.certificate\]/,
    );
  });

  test('the bundle key signs during apply: a sign write with the DSSE PAE and key_version as a string, after the key settles', () => {
    const { json } = build();
    const bundleLocal = localNamed(json, 'BundleJson');
    const sign = block(json, 'vault_generic_endpoint', 'Bundle_BundleSignature');
    const input = signedInputOf(bundleLocal);
    expect(sign.path).toBe('dev/transit/sign/bundle-signer');
    expect(sign.data_json).toBe(`\${jsonencode({"input" = ${input}, "key_version" = "2"})}`);
    expect(sign.write_fields).toEqual(['signature']);
    expect(sign.disable_read).toBe(true);
    expect(sign.disable_delete).toBe(true);
    expect(sign.depends_on).toEqual([
      expect.stringMatching(/^vault_generic_endpoint\.BundleKey_Floors_\w+$/),
      expect.stringMatching(/^vault_generic_endpoint\.BundleKey_RotateToV2_\w+$/),
      expect.stringMatching(/^vault_generic_endpoint\.BundleKey_RotateToV3_\w+$/),
    ]);
    expect(sign.lifecycle.postcondition).toEqual([
      {
        condition: '${startswith(lookup(self.write_data, "signature", ""), "vault:v2:")}',
        error_message: expect.stringContaining('Vault did not sign the bootstrap bundle with version 2'),
      },
    ]);
  });

  test('a change to what is signed replaces the sign resource, so a plan never keeps an old signature', () => {
    const { json } = build();
    const bundleLocal = localNamed(json, 'BundleJson');
    const sign = block(json, 'vault_generic_endpoint', 'Bundle_BundleSignature');
    const triggers = Object.entries(blocks(json, 'terraform_data'));
    expect(triggers.map(([id]) => id.replace(/_[0-9A-F]{8}$/, ''))).toEqual(['Bundle_SignedInput']);
    const [triggerId, trigger] = triggers[0];
    // A plain address: Terraform refuses "${...}" in replace_triggered_by.
    expect(sign.lifecycle.replace_triggered_by).toEqual([`terraform_data.${triggerId}`]);
    const input = signedInputOf(bundleLocal);
    expect(trigger.input).toBe(`\${sha256(jsonencode(["dev/transit/sign/bundle-signer", "2", ${input}]))}`);
    expect(trigger.triggers_replace).toBeUndefined();
  });

  test('no data source signs anything: a plan needs no sign right and signs nothing', () => {
    const { json } = build();
    expect(json.data?.vault_transit_sign).toBeUndefined();
    // The transit key reads, and the read of the active task key version's publication record (the rollout check).
    expect(Object.keys(json.data)).toEqual(['vault_generic_secret', 'vault_kv_secret_v2']);
    // (task key active 2, bundle key active 2: both were newly used versions once)
    expect(Object.keys(json.data.vault_kv_secret_v2).sort()).toEqual([
      'Bundle_RolloutBundleKey_5E6E8D9B',
      'Bundle_RolloutTaskKey_BD695C6D',
    ]);
    expect(JSON.stringify(json)).not.toContain('vault_transit_sign');
    const migrating = build({ migrateFromV1: true }).json;
    expect(Object.keys(migrating.data)).toEqual(['vault_generic_secret', 'vault_kv_secret_v2']);
  });

  test('the envelope is DSSE: v2 payload type, the payload, the bundle key kid and the raw base64 signature', () => {
    const { json, bundle } = build();
    const bundleLocal = localNamed(json, 'BundleJson');
    const envelope: string = json.locals[localNamed(json, 'EnvelopeJson')];
    const signId = logicalId(json, 'vault_generic_endpoint', 'Bundle_BundleSignature');
    expect(envelope).toBe(
      `\${jsonencode({"payloadType" = "${BUNDLE_PAYLOAD_TYPE_V2}", "payload" = base64encode(local.${bundleLocal}), "signatures" = [{"keyid" = local.${localNamed(json, 'BundleKey_ActiveKid')}, "sig" = element(split(":", vault_generic_endpoint.${signId}.write_data["signature"]), 2)}]})}`,
    );
    expect(bundle.taskKeySignature).toBeUndefined();
    expect(bundle.migrateFromV1).toBe(false);
    expect(Token.isUnresolved(bundle.signature)).toBe(true);
    expect(Token.isUnresolved(bundle.bundleKeyPin)).toBe(true);
  });

  test('migrateFromV1 adds the task key signature second, made the same way, and declares it', () => {
    const { json, bundle } = build({ migrateFromV1: true });
    const bundleLocal = localNamed(json, 'BundleJson');
    const task = block(json, 'vault_generic_endpoint', 'Bundle_TaskKeySignature');
    const input = signedInputOf(bundleLocal);
    expect(task.path).toBe('dev/transit/sign/node-task-signer');
    expect(task.data_json).toBe(`\${jsonencode({"input" = ${input}, "key_version" = "2"})}`);
    expect(task.write_fields).toEqual(['signature']);
    const triggerId = logicalId(json, 'terraform_data', 'Bundle_TaskKeySignedInput');
    expect(task.lifecycle.replace_triggered_by).toEqual([`terraform_data.${triggerId}`]);
    expect(task.depends_on).toEqual([
      expect.stringMatching(/^vault_generic_endpoint\.Signer_Floors_\w+$/),
      expect.stringMatching(/^vault_generic_endpoint\.Signer_RotateToV2_\w+$/),
    ]);
    const taskId = logicalId(json, 'vault_generic_endpoint', 'Bundle_TaskKeySignature');
    const envelope: string = json.locals[localNamed(json, 'EnvelopeJson')];
    expect(envelope).toMatch(
      new RegExp(
        `"signatures" = \\[\\{"keyid" = local\\.BundleKey_ActiveKid_\\w+, "sig" = [^}]+\\}, \\{"keyid" = local\\.Signer_ActiveKid_\\w+, "sig" = element\\(split\\(":", vault_generic_endpoint\\.${taskId}\\.write_data\\["signature"\\]\\), 2\\)\\}\\]`,
      ),
    );
    expect(bundle.taskKeySignature?.resource.node.id).toBe('TaskKeySignature');
    // The declarations the checks read are in the resources' "//" blocks (Terraform ignores them).
    const full = JSON.parse(fullSynthText(bundle));
    expect(block(full, 'vault_generic_endpoint', 'Bundle_TaskKeySignature')['//'][DECLARATIONS_JSON_KEY]).toEqual({
      bundle_signature: BundleSignatureRole.MIGRATION_FROM_V1,
    });
    expect(block(full, 'vault_generic_endpoint', 'Bundle_BundleSignature')['//'][DECLARATIONS_JSON_KEY]).toEqual({
      bundle_signature: BundleSignatureRole.BUNDLE_KEY,
    });
  });

  test('the bundle key and the task key must be different keys', () => {
    const { stack, props } = world();
    const same = new BundleSigningKey(stack, 'SameKey', {
      name: 'node-task-signer',
      version: 1,
      mount: TransitMount.fromPath('dev/transit'),
    });
    const e = errorOf(() => new BootstrapBundle(stack, 'Bundle', { ...props, bundleSigningKey: same }));
    expect(e.code).toBe(ErrorCode.SAME_SIGNING_KEY);
    expect(e.message).toContain('The bundle signing key and the task signing key are the same transit key');
    expect(e.message).toContain('Received: "dev/transit/keys/node-task-signer"');
    expect(e.message).toContain('give the bundle its own key');
    // Same name in another mount, or another name in the same mount: two keys.
    const other = world();
    const elsewhere = new BundleSigningKey(other.stack, 'Elsewhere', {
      name: 'node-task-signer',
      version: 1,
      mount: TransitMount.fromPath('dev/transit-bundles'),
    });
    expect(
      () => new BootstrapBundle(other.stack, 'Bundle', { ...other.props, bundleSigningKey: elsewhere }),
    ).not.toThrow();
    // A name given as a token is not compared.
    const tokens = world();
    const tokenKey = Object.assign(Object.create(tokens.props.bundleSigningKey), {
      keyName: Token.asString({ Ref: 'n' }),
    });
    expect(
      () => new BootstrapBundle(tokens.stack, 'Bundle', { ...tokens.props, bundleSigningKey: tokenKey }),
    ).not.toThrow();
  });

  test('a missing bundle key is refused with what to do', () => {
    const { stack, props } = world();
    expect(() => new BootstrapBundle(stack, 'Bundle', { ...props, bundleSigningKey: undefined as any })).toThrow(
      'create a BundleSigningKey',
    );
  });

  test('grantPublish gives the bundle key sign on the active version, the secret writes, and the task key sign only while migrating', () => {
    const { stack, props } = world();
    const bundle = new BootstrapBundle(stack, 'Bundle', props);
    const apply = new VaultPolicy(stack, 'Apply', { name: 'apply' });
    const grant = bundle.grantPublish(apply);
    expect(grant.paths).toEqual([
      'dev/transit/sign/bundle-signer',
      'dev/kv/data/bootstrap/bundle',
      'dev/kv/metadata/bootstrap/bundle',
      'dev/kv/data/bootstrap/bundle-published/*',
      'dev/kv/metadata/bootstrap/bundle-published/*',
      'dev/kv/data/bootstrap/bundle-published/revoked/*',
    ]);
    expect(apply.policyDocument.toHcl()).toBe(
      [
        'path "dev/kv/data/bootstrap/bundle" {',
        '  capabilities = ["create", "read", "update"]',
        '}',
        'path "dev/kv/data/bootstrap/bundle-published/*" {',
        '  capabilities = ["create", "read", "update"]',
        '}',
        'path "dev/kv/data/bootstrap/bundle-published/revoked/*" {',
        '  capabilities = ["create", "read", "update", "delete"]',
        '}',
        'path "dev/kv/metadata/bootstrap/bundle" {',
        '  capabilities = ["create", "read", "update"]',
        '}',
        'path "dev/kv/metadata/bootstrap/bundle-published/*" {',
        '  capabilities = ["create", "read", "update"]',
        '}',
        'path "dev/transit/sign/bundle-signer" {',
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
    // With the key's rotate grant on the same policy, the sign rule merges into one stanza.
    (props.bundleSigningKey as BundleSigningKey).grantRotate(apply);
    expect(apply.policyDocument.capabilitiesFor('dev/transit/sign/bundle-signer')).toEqual(['update']);

    const migrating = world();
    const m = new BootstrapBundle(migrating.stack, 'Bundle', { ...migrating.props, migrateFromV1: true });
    const applyM = new VaultPolicy(migrating.stack, 'Apply', { name: 'apply' });
    expect(m.grantPublish(applyM).paths).toEqual([
      'dev/transit/sign/bundle-signer',
      'dev/transit/sign/node-task-signer',
      'dev/kv/data/bootstrap/bundle',
      'dev/kv/metadata/bootstrap/bundle',
      'dev/kv/data/bootstrap/bundle-published/*',
      'dev/kv/metadata/bootstrap/bundle-published/*',
      'dev/kv/data/bootstrap/bundle-published/revoked/*',
    ]);
    expect(applyM.policyDocument.toHcl()).toContain(
      'path "dev/transit/sign/node-task-signer" {\n  capabilities = ["update"]\n  required_parameters = ["key_version"]\n  allowed_parameters = {\n    "input" = []\n    "key_version" = ["2"]\n  }\n}',
    );
  });

  test('it is published to the platform KV mount with the sequence, after the mount exists', () => {
    const { json, bundle } = build();
    const secret = block(json, 'vault_kv_secret_v2', 'Bundle_Secret');
    expect(secret.mount).toBe('dev/kv');
    expect(secret.name).toBe('bootstrap/bundle');
    expect(secret.data_json).toBe(
      `\${jsonencode({"envelope" = jsondecode(local.${localNamed(json, 'EnvelopeJson')}), "sequence" = 3, "inputs_sha256" = "${bundle.inputsDigest}"})}`,
    );
    expect(bundle.inputsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.depends_on).toEqual([expect.stringMatching(/^vault_mount\.Kv$/)]);
    expect(bundle.secretDataPath).toBe('dev/kv/data/bootstrap/bundle');
  });

  test('the plan-time sequence guard compares with the custom metadata Vault holds for the published secret', () => {
    const { json, bundle } = build();
    const secret = block(json, 'vault_kv_secret_v2', 'Bundle_Secret');
    const conditions = secret.lifecycle.postcondition as Array<{ condition: string; error_message: string }>;
    // The sequence guard, then the revocation retention condition.
    expect(conditions).toHaveLength(4);
    expect(conditions[3].error_message).toContain('A revocation is dropped before');
    const published = 'try(tonumber(try(jsondecode(self.metadata.custom_metadata), {}).sequence), 0)';
    expect(conditions[0].condition).toBe(`\${(${published} <= 3)}`);
    expect(conditions[0].error_message).toContain('Bootstrap bundle sequence 3 is below the published sequence');
    expect(conditions[1].condition).toContain(`"${bundle.inputsDigest}"`);
    expect(conditions[1].error_message).toContain('its inputs digest differs from the published one');
    expect(conditions[2].condition).toContain('payload_sha256');
    expect(
      conditions.slice(0, 3).every((c) => c.error_message.includes('Set sequence to the published sequence plus one')),
    ).toBe(true);
    expect(secret.custom_metadata.data.sequence).toBe('3');
    expect(secret.custom_metadata.data.inputs_sha256).toBe(bundle.inputsDigest);
    const off = build({ sequenceGuard: false }).json;
    // Without the guard, only the revocation retention condition stays.
    const offConditions = block(off, 'vault_kv_secret_v2', 'Bundle_Secret').lifecycle.postcondition;
    expect(offConditions).toHaveLength(1);
    expect(offConditions[0].error_message).toContain('A revocation is dropped before');
    expect(block(off, 'vault_kv_secret_v2', 'Bundle_Secret').lifecycle.precondition).toHaveLength(2);
  });

  test('the inputs digest follows what the code says, not the sequence or construct order', () => {
    const base = build().bundle.inputsDigest;
    expect(build({ sequence: 4 }).bundle.inputsDigest).toBe(base);
    expect(build({ controlPlaneUrl: 'https://control2.dev.platform.internal' }).bundle.inputsDigest).not.toBe(base);
    expect(build({ paths: { taskVerifiers: '/etc/gpuaas/keys.json' } }).bundle.inputsDigest).not.toBe(base);
    const { stack, props } = world();
    const rotated = new ControlPlaneTrust(stack, 'Rotated', {
      mountPath: 'dev/pki-cp2',
      root: { issuerName: 'cp-root-2026' },
      rotation: {
        next: { issuerName: 'cp-root-2027' },
        overlapUntil: '2027-01-31T00:00:00Z',
        phase: RootRotationPhase.PUBLISH_NEXT,
      },
      serverNames: ['control.dev.platform.internal'],
    });
    const b = new BootstrapBundle(stack, 'Bundle', { ...props, publicHttpsTrust: rotated });
    expect(b.inputsDigest).not.toBe(base);
    // Activating the pre-published bundle key version changes what the bundle says.
    const activated = world();
    const key3 = new BundleSigningKey(activated.stack, 'BundleKey3', {
      name: 'bundle-signer',
      version: 3,
      mount: TransitMount.fromPath('dev/transit'),
    });
    const c = new BootstrapBundle(activated.stack, 'Bundle', { ...activated.props, bundleSigningKey: key3 });
    expect(c.inputsDigest).not.toBe(base);
  });

  test('grantReadBundle gives read on the KV data path only', () => {
    const { stack, props } = world();
    const bundle = new BootstrapBundle(stack, 'Bundle', props);
    const cp = new VaultPolicy(stack, 'ControlPlane', { name: 'dev-control-plane' });
    expect(bundle.grantReadBundle(cp).rules).toEqual([
      { path: 'dev/kv/data/bootstrap/bundle', capabilities: ['read'] },
    ]);
    expect(cp.policyDocument.toHcl()).toBe('path "dev/kv/data/bootstrap/bundle" {\n  capabilities = ["read"]\n}\n');
  });

  test('invariant 9: two synths give identical JSON (no timestamps or random values)', () => {
    expect(Testing.synth(build().stack, true)).toBe(Testing.synth(build().stack, true));
  });

  test('invariant 6: nothing rendered holds a private key, a token or an AppRole credential', () => {
    const { json } = build();
    const text = JSON.stringify(json);
    expect(secretFindings(text)).toEqual([]);
    const bundleExpr = json.locals[localNamed(json, 'BundleJson')];
    expect(bundleExpr).not.toMatch(/vault_addr|VAULT_ADDR|VAULT_TOKEN|token|role_id|secret_id|private_key/i);
  });
});

describe('BootstrapBundle invariants', () => {
  test('invariant 5 (paths): the same path twice fails, distinct paths pass, token paths are skipped', () => {
    const same = errorOf(() => build({ paths: { taskVerifiers: DEFAULT_PATHS.nodeCertBundle } }));
    expect(same.code).toBe(ErrorCode.SAME_BUNDLE_PATH);
    expect(same.message).toContain('must be written to three different files');
    expect(() => build({ paths: { taskVerifiers: '/etc/gpuaas/keys.json' } })).not.toThrow();
    const t = Token.asString({ Ref: 'x' });
    expect(() => build({ paths: { taskVerifiers: t, nodeCertBundle: t } })).not.toThrow();
  });

  test('invariant 5 (sources): nested PKI mounts for the two trusts fail', () => {
    const stack = newStack();
    const nodeCa = new NodeCertAuthority(stack, 'NodeCa', {
      mountPath: 'dev/pki/nodes',
      rootMountPath: 'dev/pki-nodes-root',
      nodeDomain: 'nodes.dev.internal',
    });
    const cp = new ControlPlaneTrust(stack, 'Cp', {
      mountPath: 'dev/pki',
      root: { issuerName: 'cp-root' },
      serverNames: ['control.dev.platform.internal'],
    });
    const e = errorOf(
      () =>
        new BootstrapBundle(stack, 'Bundle', {
          environment: 'dev',
          sequence: 1,
          freshness: { expires: '2027-02-01T00:00:00Z' },
          controlPlaneUrl: 'https://control.dev.platform.internal',
          publicHttpsTrust: cp,
          nodeCertTrust: nodeCa,
          signingKey: new TaskSigningKey(stack, 'Signer', {
            name: 'node-task-signer',
            version: 2,
            mount: TransitMount.fromPath('dev/transit'),
          }),
          bundleSigningKey: new BundleSigningKey(stack, 'BundleKey', {
            name: 'bundle-signer',
            version: 1,
            mount: TransitMount.fromPath('dev/transit'),
          }),
          kvMountPath: 'dev/kv',
        }),
    );
    expect(e.code).toBe(ErrorCode.SAME_BUNDLE_PATH);
    expect(e.message).toContain('both use the same or nested PKI mounts');
  });

  test('an existing CA given as PEM renders its root as a literal', () => {
    const { stack, props } = world();
    const corp = ControlPlaneTrust.fromCertificatePem(stack, 'Corp', {
      current: { name: 'corp-root', pem: ROOT_A },
      asOf: AS_OF_VALID,
    });
    new BootstrapBundle(stack, 'Bundle', { ...props, publicHttpsTrust: corp });
    const json = synthJson(stack);
    const expr: string = json.locals[localNamed(json, 'BundleJson')];
    expect(expr).toContain(`"pem" = ${JSON.stringify(ROOT_A.trim())}`);
  });

  test('the KV mount must be apart from the PKI mounts', () => {
    expect(errorOf(() => build({ kvMountPath: 'dev/pki-nodes/kv' })).code).toBe(ErrorCode.DUPLICATE);
  });

  test('sequence: 0 fails, 1 passes, a token is skipped', () => {
    expect(errorOf(() => build({ sequence: 0 })).code).toBe(ErrorCode.INVALID_SEQUENCE);
    expect(() => build({ sequence: 1 })).not.toThrow();
    expect(() => build({ sequence: Token.asNumber({ Ref: 'seq' }) })).not.toThrow();
  });

  test('non-ASCII literals fail (signed bytes must equal Terraform character counts)', () => {
    const e = errorOf(() => build({ paths: { publicHttpsBundle: '/etc/gpuaas/trust/contrôle.pem' } }));
    expect(e.code).toBe(ErrorCode.UNSAFE_LITERAL);
    expect(e.message).toContain('is not printable ASCII');
  });

  test('a control-plane URL carrying a Vault token fails', () => {
    expect(errorOf(() => build({ controlPlaneUrl: `https://cp.internal/${'hvs.' + 'x'.repeat(30)}` })).code).toBe(
      ErrorCode.SECRET_IN_CONFIG,
    );
  });

  test('a bundle key with literal keySetJson is refused', () => {
    const { stack, props } = world();
    const literal = Object.assign(Object.create(props.bundleSigningKey), { keySetJson: '{"format":"x"}' });
    expect(() => new BootstrapBundle(stack, 'Bundle', { ...props, bundleSigningKey: literal })).toThrow(
      'must supply keySetJson as a token',
    );
  });

  test('a signing key with literal pubkeysJson is refused', () => {
    const { stack, props } = world();
    const literal = Object.assign(Object.create(props.signingKey), { pubkeysJson: '{"format":"x"}' });
    expect(() => new BootstrapBundle(stack, 'Bundle', { ...props, signingKey: literal })).toThrow(
      'must supply pubkeysJson as a token',
    );
  });

  test('freshness: the expiry conditions use the plan_time variable; revocations come from the keys; a compromised active bundle key is refused (PT038)', () => {
    const { json } = build();
    expect(json.variable.plan_time.type).toBe('string');
    const secret = block(json, 'vault_kv_secret_v2', 'Bundle_Secret');
    expect(secret.lifecycle.precondition.map((c: any) => c.condition)).toEqual([
      '${timecmp("2027-02-01T00:00:00Z", timeadd(var.plan_time, "120h")) > 0}',
      '${timecmp("2027-02-01T00:00:00Z", timeadd(var.plan_time, "2160h")) <= 0}',
    ]);
    const { stack, props } = world();
    const compromisedTask = new TaskSigningKey(stack, 'Compromised', {
      name: 'other-task-signer',
      version: 2,
      compromised: [2],
      mount: TransitMount.fromPath('dev/transit'),
    });
    const b = new BootstrapBundle(stack, 'Bundle', { ...props, signingKey: compromisedTask });
    expect(b.bundle.revoked.task_key_versions).toEqual([2]);
    // A compromised active bundle key: the new version signs, and the compromised one hands over (nodes hold it).
    const other = world();
    const bundleKey = new BundleSigningKey(other.stack, 'Emergency', {
      name: 'bundle-signer-2',
      version: 1,
      compromised: [1],
      mount: TransitMount.fromPath('dev/transit'),
    });
    expect(bundleKey.plan).toMatchObject({ latestVersion: 2, activeVersion: 2, emergencyRotation: true });
    expect(bundleKey.handover?.version).toBe(1);
    const e = new BootstrapBundle(other.stack, 'Bundle', { ...other.props, bundleSigningKey: bundleKey });
    expect(e.bundle.revoked.bundle_key_versions).toEqual([1]);
    expect(e.handoverSignature).toBeDefined();
    const ej = JSON.parse(Testing.synth(other.stack));
    const endpoint = (prefix: string): any =>
      Object.entries(ej.resource.vault_generic_endpoint).find(([k]) => k.startsWith(prefix))![1];
    const handover = endpoint('Bundle_HandoverSignature');
    expect(handover.path).toBe('dev/transit/sign/bundle-signer-2');
    expect(handover.data_json).toContain('"key_version" = "1"');
    // Vault's floors stay at the compromised version while it hands over.
    expect(JSON.parse(endpoint('Emergency_Floors').data_json)).toEqual({
      min_decryption_version: 1,
      min_encryption_version: 1,
    });
  });

  test('revocation retention: a record per revoked item, written before the bundle; its end in the published metadata; a plan that drops an entry early fails', () => {
    const { stack, props } = world();
    const task = new TaskSigningKey(stack, 'Compromised', {
      name: 'other-task-signer',
      version: 3,
      compromised: [1, 3],
      mount: TransitMount.fromPath('dev/transit'),
    });
    const pin = `sha256:${'AB'.repeat(32)}`;
    new BootstrapBundle(stack, 'Bundle', {
      ...props,
      signingKey: task,
      revokedRootPins: [pin],
      freshness: { ...props.freshness!, maxValidityDays: 30 },
    });
    const json = JSON.parse(Testing.synth(stack));
    const records = Object.entries(json.resource.vault_kv_secret_v2 as Record<string, any>).filter(([k]) =>
      k.startsWith('Bundle_Revoked-'),
    );
    expect(records.map(([, r]) => r.name).sort()).toEqual([
      `bootstrap/bundle-published/revoked/root/sha256:${'ab'.repeat(32)}`,
      'bootstrap/bundle-published/revoked/task-key/v1',
      'bootstrap/bundle-published/revoked/task-key/v3',
    ]);
    for (const [, r] of records) {
      // Written once; the retention hours (30 days) are frozen in the record's custom metadata.
      expect(r.lifecycle.ignore_changes).toEqual(['data_json', 'custom_metadata']);
      expect(r.custom_metadata.data).toEqual({ retain_hours: '720' });
      expect(r.depends_on ?? []).not.toContainEqual(expect.stringContaining('Bundle_Secret'));
    }
    const secret = block(json, 'vault_kv_secret_v2', 'Bundle_Secret');
    const meta = secret.custom_metadata.data;
    expect(
      Object.keys(meta)
        .filter((k) => k.startsWith('revoked:'))
        .sort(),
    ).toEqual([`revoked:root:sha256:${'ab'.repeat(32)}`, 'revoked:task-key:v1', 'revoked:task-key:v3']);
    expect(meta['revoked:task-key:v1']).toMatch(
      /^\$\{timeadd\(vault_kv_secret_v2\.Bundle_Revoked-task-key-v1_[0-9A-F]{8}\.metadata\["created_time"\], format\("%sh", jsondecode\(vault_kv_secret_v2\.Bundle_Revoked-task-key-v1_[0-9A-F]{8}\.metadata\["custom_metadata"\]\)\.retain_hours\)\)\}$/,
    );
    const retention = secret.lifecycle.postcondition.at(-1);
    expect(retention.condition).toContain('jsondecode(self.metadata["custom_metadata"])');
    expect(retention.condition).toContain('timecmp(var.plan_time, v) < 0');
    expect(retention.error_message).toContain(
      'A revocation is dropped before every bundle that trusted it has expired',
    );
  });

  test('more revoked items than the published metadata can hold are refused (PT038), with how to fix it', () => {
    const { stack, props } = world();
    const pins = Array.from({ length: 61 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    const e = errorOf(() => new BootstrapBundle(stack, 'Bundle', { ...props, revokedRootPins: pins }));
    expect(e.code).toBe(ErrorCode.INVALID_REVOCATION);
    expect(e.message).toContain('The bundle lists 61 revoked items; at most 60 fit');
    expect(e.message).toContain('drop revocations whose retention has ended');
    const w = world();
    expect(() => new BootstrapBundle(w.stack, 'Bundle', { ...w.props, revokedRootPins: pins.slice(1) })).not.toThrow();
  });

  test('a revoked root pin given as a Terraform reference is refused (PT038)', () => {
    const { stack, props } = world();
    const e = errorOf(
      () => new BootstrapBundle(stack, 'Bundle', { ...props, revokedRootPins: [Token.asString({ ref: 1 })] }),
    );
    expect(e.code).toBe(ErrorCode.INVALID_REVOCATION);
    expect(e.message).toContain('revokedRootPins must be literal pins');
  });
});
