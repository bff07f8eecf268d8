import {
  BundleKeySignApplyOnly,
  BundleSignedByBundleKey,
  CheckStatus,
  CheckedElement,
  NoPlanTimeSigning,
} from '../../../lib/checks';
import { buildStackContext } from '../../../lib/checks/private/context';
import {
  bundleKeyRefs,
  keySetRefs,
  sameKey,
  signWriteOf,
  signedInputKey,
} from '../../../lib/checks/private/bundle-signing';
import { BundleSignatureRole } from '../../../lib/core';
import {
  BUNDLE_KEYS_FORMAT_V1,
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  PUBKEYS_FORMAT_V1,
} from '../../../lib/node/formats';
import { contextOf, data, detailsOf, element, policy, resource } from './helpers';

const T2 = BUNDLE_PAYLOAD_TYPE_V2;

/** The request BootstrapBundle writes: the DSSE PAE of local.Bundle, and key_version as a string. */
const request = (version = '1', bundle = 'local.Bundle', type = T2) =>
  `\${jsonencode({"input" = base64encode(join("", ["DSSEv1 ${type.length} ${type} ", tostring(length(${bundle})), " ", ${bundle}])), "key_version" = "${version}"})}`;

/** An apply-time sign write on `dev/transit/sign/<key>`, optionally declaring a role. */
function signWrite(key: string, id: string, opts: { role?: BundleSignatureRole; data?: string } = {}): CheckedElement {
  const e = resource(
    'vault_generic_endpoint',
    {
      path: `dev/transit/sign/${key}`,
      data_json: opts.data ?? request(),
      write_fields: ['signature'],
      disable_read: true,
      disable_delete: true,
    },
    id,
  );
  return opts.role ? { ...e, declarations: { bundle_signature: opts.role } } : e;
}

/** A key set local as TaskSigningKey / BundleSigningKey render it, with its public keys read from `<mount>`. */
function keySetLocal(format: string, key: string, id: string, mount = 'dev/transit'): CheckedElement[] {
  const read = data('vault_generic_secret', { path: `${mount}/keys/${key}` }, `${id}_PublicKeys`);
  const keys = element(
    'local',
    'locals',
    { value: `\${jsondecode(nonsensitive(data.vault_generic_secret.${id}_PublicKeys.data_json)).keys}` },
    `${id}_public_keys`,
  );
  const set = element(
    'local',
    'locals',
    {
      value: `\${jsonencode({"format" = "${format}", "key" = "${key}", "keys" = [{"alg" = "ed25519", "kid" = join("", ["${key}:v1:", substr(sha256(local.${id}_public_keys["1"].public_key), 0, 16)]), "public_key" = local.${id}_public_keys["1"].public_key, "state" = "active", "version" = 1}]})}`,
    },
    `${id}_Set`,
  );
  return [read, keys, set];
}

const taskSet = (mount?: string) => keySetLocal(PUBKEYS_FORMAT_V1, 'node-task-signer', 'Task', mount);
const bundleSet = (mount?: string) => keySetLocal(BUNDLE_KEYS_FORMAT_V1, 'bundle-signer', 'BundleKey', mount);

describe('how the checks tell bundle signatures, task keys and bundle keys apart', () => {
  test('a sign write is a generic endpoint on <mount>/sign/<key>; a bundle signature names a bundle payload type', () => {
    expect(signWriteOf(signWrite('bundle-signer', 'S'))).toMatchObject({
      address: 'vault_generic_endpoint.S',
      mount: 'dev/transit',
      key: 'bundle-signer',
      bundlePayloadType: T2,
      signedInput: 'refs:local.Bundle',
    });
    expect(signWriteOf(signWrite('k', 'S', { data: '{"input":"aGk=","key_version":"1"}' }))).toMatchObject({
      key: 'k',
      signedInput: 'input:aGk=',
    });
    expect(signWriteOf(signWrite('k', 'S', { data: request('1', 'local.B', BUNDLE_PAYLOAD_TYPE) }))).toMatchObject({
      bundlePayloadType: BUNDLE_PAYLOAD_TYPE,
    });
    expect(signWriteOf(signWrite('k', 'S', { data: '{}' }))?.bundlePayloadType).toBeUndefined();
    const rotate = resource('vault_generic_endpoint', { path: 'dev/transit/keys/k/rotate', data_json: '{}' });
    expect(signWriteOf(rotate)).toBeUndefined();
    const computed = resource('vault_generic_endpoint', { path: '${var.mount}/sign/k', data_json: '{}' });
    expect(signWriteOf(computed)).toBeUndefined();
    expect(signWriteOf(data('vault_transit_sign', { path: 'dev/transit', name: 'k', input: 'aGk=' }))).toBeUndefined();
  });

  test('two signatures over the same bundle compare equal whatever their key version', () => {
    expect(signedInputKey(request('1'))).toBe(signedInputKey(request('7')));
    expect(signedInputKey(request('1', 'local.Other'))).not.toBe(signedInputKey(request('1')));
  });

  test('key sets name their key; the mount comes from the public-key read the set references', () => {
    const elements = [...taskSet(), ...bundleSet('dev/bundles')];
    expect(keySetRefs(elements, PUBKEYS_FORMAT_V1, 'task verifier set')).toEqual([
      { key: 'node-task-signer', mount: 'dev/transit', evidence: 'the task verifier set in local.Task_Set names it' },
    ]);
    expect(keySetRefs(elements, BUNDLE_KEYS_FORMAT_V1, 'bundle key set')).toEqual([
      { key: 'bundle-signer', mount: 'dev/bundles', evidence: 'the bundle key set in local.BundleKey_Set names it' },
    ]);
    const literal = element('local', 'locals', {
      value: JSON.stringify({ format: PUBKEYS_FORMAT_V1, key: 'hand-key', keys: [] }),
    });
    expect(keySetRefs([literal], PUBKEYS_FORMAT_V1, 'task verifier set')).toEqual([
      { key: 'hand-key', evidence: 'the task verifier set in local.e names it' },
    ]);
  });

  test('bundle keys: key sets, and the keys bundle signatures use unless task keys or the declared migration', () => {
    const task = taskSet();
    const sigs = [
      signWrite('bundle-signer', 'BundleSignature'),
      signWrite('node-task-signer', 'TaskKeySignature', { role: BundleSignatureRole.MIGRATION_FROM_V1 }),
      signWrite('other-key', 'Other'),
    ];
    const context = buildStackContext([...task, ...sigs]);
    expect(context.taskKeys.map((k) => k.key)).toEqual(['node-task-signer']);
    expect(context.bundleSignatures.map((s) => s.address)).toEqual([
      'vault_generic_endpoint.BundleSignature',
      'vault_generic_endpoint.TaskKeySignature',
      'vault_generic_endpoint.Other',
    ]);
    expect(bundleKeyRefs(task, context.bundleSignatures, context.taskKeys).map((k) => [k.key, k.mount])).toEqual([
      ['bundle-signer', 'dev/transit'],
      ['other-key', 'dev/transit'],
    ]);
    expect(context.transitSigners.map((s) => s.key)).toEqual(['bundle-signer', 'node-task-signer', 'other-key']);
  });

  test('a key is the same key by name and, when both are known, by mount', () => {
    expect(sameKey({ key: 'k', mount: 'a' }, { key: 'k', mount: 'a' })).toBe(true);
    expect(sameKey({ key: 'k', mount: 'a' }, { key: 'k', mount: 'b' })).toBe(false);
    expect(sameKey({ key: 'k' }, { key: 'k', mount: 'b' })).toBe(true);
    expect(sameKey({ key: 'k', mount: 'a' }, { key: 'j', mount: 'a' })).toBe(false);
  });
});

describe('NoPlanTimeSigning', () => {
  test('GIVEN a vault_transit_sign data source THEN error: it signs during every plan', () => {
    const d = data('vault_transit_sign', { path: 'dev/transit', name: 'node-task-signer', input: 'aGk=' }, 'Sign');
    expect(detailsOf(NoPlanTimeSigning.check(d, contextOf(d)))).toEqual([
      'data.vault_transit_sign.Sign signs with transit key "dev/transit/keys/node-task-signer" whenever Terraform reads it: during every plan, with the plan identity\'s token, over unreviewed input',
    ]);
  });

  test('GIVEN an apply-time sign write or a verify data source THEN no finding', () => {
    const w = signWrite('bundle-signer', 'S');
    expect(NoPlanTimeSigning.check(w, contextOf(w)).status).toBe(CheckStatus.NOT_APPLICABLE);
    const v = data('vault_transit_verify', { path: 'dev/transit', name: 'k', input: 'aGk=', signature: 'x' });
    expect(NoPlanTimeSigning.check(v, contextOf(v)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('GIVEN a data source whose key is an expression THEN still an error', () => {
    const d = data('vault_transit_sign', { path: '${var.mount}', name: '${var.key}', input: 'aGk=' }, 'Sign');
    expect(detailsOf(NoPlanTimeSigning.check(d, contextOf(d)))[0]).toMatch(
      /^data\.vault_transit_sign\.Sign signs whenever/,
    );
  });

  test('is not suppressible', () => {
    expect(NoPlanTimeSigning.suppressible).toBe(false);
  });
});

describe('BundleKeySignApplyOnly', () => {
  const stack = (...extra: CheckedElement[]) => [
    ...taskSet(),
    ...bundleSet(),
    signWrite('bundle-signer', 'Sig'),
    ...extra,
  ];
  const controlPlane = policy(
    'path "dev/transit/sign/node-task-signer" {\n  capabilities = ["update"]\n}\npath "dev/transit/sign/bundle-signer" {\n  capabilities = ["update"]\n}\n',
    'ControlPlane',
  );

  test('GIVEN the control plane policy can sign with the bundle key THEN error naming the stanza and the key', () => {
    const elements = stack(controlPlane);
    expect(detailsOf(BundleKeySignApplyOnly.check(controlPlane, buildStackContext(elements)))).toEqual([
      'path "dev/transit/sign/bundle-signer" (line 4) lets vault_policy.ControlPlane sign with bundle key "dev/transit/keys/bundle-signer" (the bundle key set in local.BundleKey_Set names it), but the policy holds no rotate right on that key, so it is not the apply identity\'s',
    ]);
  });

  test('GIVEN a glob over every sign path THEN error, once per bundle key it reaches', () => {
    const glob = policy('path "dev/transit/sign/*" {\n  capabilities = ["update"]\n}\n', 'Glob');
    expect(detailsOf(BundleKeySignApplyOnly.check(glob, buildStackContext(stack(glob))))).toHaveLength(1);
  });

  test('GIVEN the apply identity (sign and rotate on the bundle key) THEN compliant', () => {
    const apply = policy(
      'path "dev/transit/sign/bundle-signer" {\n  capabilities = ["update"]\n  required_parameters = ["key_version"]\n  allowed_parameters = {\n    "input" = []\n    "key_version" = ["1"]\n  }\n}\npath "dev/transit/keys/bundle-signer/rotate" {\n  capabilities = ["update"]\n}\n',
      'Apply',
    );
    expect(BundleKeySignApplyOnly.check(apply, buildStackContext(stack(apply))).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN only the task key sign (the control plane as it should be) THEN compliant', () => {
    const cp = policy('path "dev/transit/sign/node-task-signer" {\n  capabilities = ["update"]\n}\n', 'Cp');
    expect(BundleKeySignApplyOnly.check(cp, buildStackContext(stack(cp))).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN a bundle key in another mount with the same name THEN the sign path must match its mount', () => {
    const elements = [...bundleSet('dev/bundles'), controlPlane];
    expect(BundleKeySignApplyOnly.check(controlPlane, buildStackContext(elements)).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN no bundle key, a policy text only known at apply time, or not a policy THEN not applicable', () => {
    expect(BundleKeySignApplyOnly.check(controlPlane, contextOf(controlPlane)).status).toBe(CheckStatus.NOT_APPLICABLE);
    const computed = resource('vault_policy', { name: 'p', policy: '${file("p.hcl")}' });
    expect(BundleKeySignApplyOnly.check(computed, buildStackContext(stack(computed))).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
    const w = signWrite('bundle-signer', 'Sig');
    expect(BundleKeySignApplyOnly.check(w, buildStackContext(stack())).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('a key only signed with (no key set) counts as a bundle key too', () => {
    const elements = [
      signWrite('hand-bundle-key', 'Sig'),
      policy('path "dev/transit/sign/hand-bundle-key" {\n  capabilities = ["update"]\n}\n', 'P'),
    ];
    const context = buildStackContext(elements);
    expect(detailsOf(BundleKeySignApplyOnly.check(elements[1], context))[0]).toContain(
      'bundle key "dev/transit/keys/hand-bundle-key" (vault_generic_endpoint.Sig signs a bundle with it)',
    );
  });

  test('is not suppressible', () => {
    expect(BundleKeySignApplyOnly.suppressible).toBe(false);
  });
});

describe('BundleSignedByBundleKey', () => {
  test('GIVEN a bundle signed by the bundle key THEN compliant', () => {
    const sig = signWrite('bundle-signer', 'BundleSignature');
    const elements = [...taskSet(), ...bundleSet(), sig];
    expect(BundleSignedByBundleKey.check(sig, buildStackContext(elements)).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN a bundle signed only by the task key THEN error', () => {
    const sig = signWrite('node-task-signer', 'Sig');
    expect(detailsOf(BundleSignedByBundleKey.check(sig, buildStackContext([...taskSet(), sig])))).toEqual([
      'vault_generic_endpoint.Sig signs a bootstrap bundle with task key "dev/transit/keys/node-task-signer" (the task verifier set in local.Task_Set names it): whoever can sign tasks could sign bundles',
    ]);
  });

  test('GIVEN the declared migration signature next to a bundle key signature over the same payload THEN compliant', () => {
    const bundleSig = signWrite('bundle-signer', 'BundleSignature', { data: request('1') });
    const migration = signWrite('node-task-signer', 'TaskKeySignature', {
      role: BundleSignatureRole.MIGRATION_FROM_V1,
      data: request('3'),
    });
    const context = buildStackContext([...taskSet(), ...bundleSet(), bundleSig, migration]);
    expect(BundleSignedByBundleKey.check(migration, context).status).toBe(CheckStatus.COMPLIANT);
    expect(BundleSignedByBundleKey.check(bundleSig, context).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN the declared migration signature alone, or next to a signature over another payload THEN error', () => {
    const migration = signWrite('node-task-signer', 'TaskKeySignature', {
      role: BundleSignatureRole.MIGRATION_FROM_V1,
    });
    const alone = buildStackContext([...taskSet(), migration]);
    expect(detailsOf(BundleSignedByBundleKey.check(migration, alone))).toEqual([
      'vault_generic_endpoint.TaskKeySignature is declared the migration signature and signs a bundle with task key "dev/transit/keys/node-task-signer" (the task verifier set in local.Task_Set names it), but no bundle key signs the same payload next to it: the envelope would be signed only by a task key',
    ]);
    const other = signWrite('bundle-signer', 'BundleSignature', { data: request('1', 'local.OtherBundle') });
    const elsewhere = buildStackContext([...taskSet(), ...bundleSet(), other, migration]);
    expect(BundleSignedByBundleKey.check(migration, elsewhere).status).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN a migration declaration on a second task key signature THEN it is no bundle key signature', () => {
    const a = signWrite('node-task-signer', 'A', { role: BundleSignatureRole.MIGRATION_FROM_V1 });
    const b = signWrite('node-task-signer', 'B', { role: BundleSignatureRole.MIGRATION_FROM_V1 });
    const context = buildStackContext([...taskSet(), a, b]);
    expect(BundleSignedByBundleKey.check(a, context).status).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN a task key of the same name in another mount THEN the bundle key is not mistaken for it', () => {
    const sig = signWrite('node-task-signer', 'Sig');
    const context = buildStackContext([...taskSet('dev/tasks'), sig]);
    expect(BundleSignedByBundleKey.check(sig, context).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN a sign write over something that is not a bundle, or not a sign write THEN not applicable', () => {
    const task = signWrite('node-task-signer', 'T', { data: '{"input":"aGk=","key_version":"1"}' });
    expect(BundleSignedByBundleKey.check(task, buildStackContext([...taskSet(), task])).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
    const p = policy('path "dev/transit/sign/node-task-signer" {\n  capabilities = ["update"]\n}\n');
    expect(BundleSignedByBundleKey.check(p, contextOf(p)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('is not suppressible', () => {
    expect(BundleSignedByBundleKey.suppressible).toBe(false);
  });
});
