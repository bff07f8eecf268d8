import { App, Testing } from 'cdktf';
import {
  BundleKeySignApplyOnly,
  BundleSignedByBundleKey,
  BundleSignedWithVerifiers,
  BundleVaultAccess,
  CheckStatus,
  CheckedElement,
  NoPlanTimeSigning,
  NoPushToNodes,
  NonDeterministicValue,
  VerifierSetExplicit,
  viewsOfFragment,
} from '../../../lib/checks';
import { buildStackContext } from '../../../lib/checks/private/context';
import { verifierSetProblems } from '../../../lib/checks/rules/verifier-set-explicit';
import { BundleSignatureRole } from '../../../lib/core';
import { PlatformTrustStack } from '../../../stacks/platform-trust-stack';
import { dev } from '../../../stacks/environments';
import { contextOf, data, detailsOf, element, resource } from '../../unit/checks/helpers';

/** Every element of the dev stack as the rules see it, in an activation with v1 in grace. */
function devElements(): CheckedElement[] {
  const app = Testing.app() as App;
  const stack = new PlatformTrustStack(app, {
    environment: {
      ...dev,
      taskSigning: { version: 3, activeVersion: 2, grace: [{ version: 1, until: '2027-01-31T00:00:00Z' }] },
    },
    checks: false,
  });
  return viewsOfFragment(JSON.parse(Testing.synth(stack)), 'dev');
}

describe('the rules of invariants 4, 7, 8, 9, 10 and 11 on the stack this library renders', () => {
  const elements = devElements();
  const context = buildStackContext(elements);
  const statusOn = (rule: typeof VerifierSetExplicit, idPrefix: string) =>
    elements.filter((e) => e.logicalId.startsWith(idPrefix)).map((e) => rule.check(e, context).status);

  test('VerifierSetExplicit reads the verifier set TaskSigningKey renders, and finds it explicit', () => {
    expect(statusOn(VerifierSetExplicit, 'TaskSigningKey_PubkeysJson')).toEqual([CheckStatus.COMPLIANT]);
  });

  test('BundleSignedWithVerifiers finds the bundle BootstrapBundle renders signed and carrying the verifier set', () => {
    expect(statusOn(BundleSignedWithVerifiers, 'BootstrapBundle_BundleJson')).toEqual([CheckStatus.COMPLIANT]);
  });

  test('BundleVaultAccess finds nothing in the bundle that would let a node reach Vault', () => {
    expect(statusOn(BundleVaultAccess, 'BootstrapBundle_BundleJson')).toEqual([CheckStatus.COMPLIANT]);
  });

  test('the bundle signing rules find the bundle signed during apply by the bundle key, and nothing signing at plan time', () => {
    const rules = [NoPlanTimeSigning, BundleKeySignApplyOnly, BundleSignedByBundleKey];
    const statuses = elements.flatMap((e) => rules.map((r) => [e.address, r.id, r.check(e, context).status]));
    expect(statuses.filter(([, , status]) => status === CheckStatus.NON_COMPLIANT)).toEqual([]);
    expect(context.bundleSignatures.map((s) => [s.mount, s.key])).toEqual([['dev/transit', 'bundle-signer']]);
    expect(context.taskKeys.map((k) => [k.mount, k.key])).toEqual([['dev/transit', 'node-task-signer']]);
    expect(context.bundleKeys.map((k) => [k.mount, k.key])).toEqual([['dev/transit', 'bundle-signer']]);
    expect(statusOn(BundleSignedByBundleKey, 'BootstrapBundle_BundleSignature')).toEqual([CheckStatus.COMPLIANT]);
    // The control plane's policy signs tasks only.
    expect(statusOn(BundleKeySignApplyOnly, 'ControlPlane_Policy')).toEqual([CheckStatus.COMPLIANT]);
  });

  test('VerifierSetExplicit reads the bundle key set BundleSigningKey renders, and finds it explicit', () => {
    expect(statusOn(VerifierSetExplicit, 'BundleSigningKey_KeySetJson')).toEqual([CheckStatus.COMPLIANT]);
  });

  test('no element pushes to nodes or calls a function whose value changes on every plan', () => {
    const findings = elements.flatMap((e) =>
      [NoPushToNodes, NonDeterministicValue].map((r) => [e.address, r.check(e, context).status]),
    );
    expect(findings.filter(([, status]) => status === CheckStatus.NON_COMPLIANT)).toEqual([]);
    expect(findings.filter(([, status]) => status === CheckStatus.COMPLIANT).length).toBeGreaterThan(20);
  });
});

describe('the declarations BootstrapBundle emits are what the checks read (contract)', () => {
  /** The elements as the pack's Aspect sees them: with the "//" blocks (Testing.synth drops them). */
  function migratingElements(): CheckedElement[] {
    const stack = new PlatformTrustStack(Testing.app() as App, {
      environment: { ...dev, bundle: { ...dev.bundle, migrateFromV1: true } },
      checks: false,
    });
    return viewsOfFragment(stack.toTerraform(), 'dev');
  }

  test('every bundle signature role is emitted, and the migration signature passes next to the bundle key one', () => {
    const elements = migratingElements();
    const context = buildStackContext(elements);
    expect(context.bundleSignatures.map((s) => [s.key, s.declaredRole])).toEqual([
      ['bundle-signer', BundleSignatureRole.BUNDLE_KEY],
      ['node-task-signer', BundleSignatureRole.MIGRATION_FROM_V1],
    ]);
    expect(context.bundleSignatures.map((s) => s.declaredRole).sort()).toEqual(
      Object.values(BundleSignatureRole).sort(),
    );
    // The task key signs during the migration, yet it is no bundle key, and nothing is non-compliant.
    expect(context.bundleKeys.map((k) => k.key)).toEqual(['bundle-signer']);
    const rules = [NoPlanTimeSigning, BundleKeySignApplyOnly, BundleSignedByBundleKey];
    const bad = elements.flatMap((e) =>
      rules
        .map((r) => [e.address, r.id, r.check(e, context)])
        .filter(([, , res]) => (res as any).status === CheckStatus.NON_COMPLIANT),
    );
    expect(bad).toEqual([]);
  });
});

describe('VerifierSetExplicit', () => {
  const local = (value: string) => element('local', 'locals', { value }, 'Verifiers');
  const set = (entries: Array<Record<string, unknown>>) =>
    JSON.stringify({ format: 'gpuaas-task-signing-pubkeys/v1', keys: entries });

  test.each([
    [
      [
        { version: 1, state: 'grace' },
        { version: 2, state: 'active' },
      ],
      'version 1 is in grace without an end date',
    ],
    [
      [
        { version: 1, state: 'grace', until: '31 Jan 2027' },
        { version: 2, state: 'active' },
      ],
      'version 1 ends at "31 Jan 2027", not an ISO 8601 UTC time',
    ],
    [
      [
        { version: 1, state: 'active' },
        { version: 2, state: 'active' },
      ],
      '2 entries are active (exactly one must be)',
    ],
    [[{ version: 1, state: 'next' }], '0 entries are active (exactly one must be)'],
    [
      [
        { version: 1, state: 'active' },
        { version: 2, state: 'next' },
        { version: 3, state: 'next' },
      ],
      '2 entries are next (at most one may be)',
    ],
    [
      [{ version: 1, state: 'active', until: '2027-01-31T00:00:00Z' }],
      'version 1 is active but carries an end date (only grace entries end)',
    ],
    [
      [
        { version: 1, state: 'retired' },
        { version: 2, state: 'active' },
      ],
      'version 1 has state "retired" (expected active, next or grace)',
    ],
    [
      [
        { version: 2, state: 'active' },
        { version: 2, state: 'next' },
      ],
      'version 2 is listed twice',
    ],
    [
      [
        { version: 2, state: 'active' },
        { version: 1, state: 'grace', until: '2027-01-31T00:00:00Z' },
      ],
      'the entries are not sorted by version',
    ],
    [
      [
        { version: 1, state: 'active' },
        { version: 2, state: 'grace', until: '2027-01-31T00:00:00Z' },
      ],
      'version 2 is in grace but newer than the active version 1',
    ],
    [
      [
        { version: 1, state: 'next' },
        { version: 2, state: 'active' },
      ],
      'version 1 is next but older than the active version 2',
    ],
  ])('refuses %j: %s', (entries, problem) => {
    expect(detailsOf(VerifierSetExplicit.check(local(set(entries)), contextOf()))).toContain(
      `the verifier set in value: ${problem}`,
    );
  });

  test('reads the jsonencode form field by field; entries whose state is an expression are not judged', () => {
    const expr = (states: string) =>
      `\${jsonencode({"format" = "gpuaas-task-signing-pubkeys/v1", "keys" = [${states}]})}`;
    const good = expr(
      '{"kid" = local.k["1"], "state" = "grace", "until" = "2027-01-31T00:00:00Z", "version" = 1}, {"kid" = local.k["2"], "state" = "active", "version" = 2}',
    );
    expect(VerifierSetExplicit.check(local(good), contextOf()).status).toBe(CheckStatus.COMPLIANT);
    const bad = expr('{"state" = "grace", "version" = 1}, {"state" = "active", "version" = 2}');
    expect(detailsOf(VerifierSetExplicit.check(local(bad), contextOf()))).toEqual([
      'the verifier set in value: version 1 is in grace without an end date',
    ]);
    const computed = expr('{"state" = var.state, "version" = 1}');
    expect(VerifierSetExplicit.check(local(computed), contextOf()).status).toBe(CheckStatus.NOT_APPLICABLE);
    expect(VerifierSetExplicit.check(local('{"other": 1}'), contextOf()).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('the pure check agrees with the states TaskSigningKey derives', () => {
    expect(
      verifierSetProblems([
        { version: 1, state: 'grace', until: '2027-01-31T00:00:00Z' },
        { version: 2, state: 'active' },
        { version: 3, state: 'next' },
      ]),
    ).toEqual([]);
  });
});

describe('BundleSignedWithVerifiers', () => {
  const SCHEMA = 'cdktf-platform-trust/bootstrap-bundle/v2';
  const bundleLocal = (body: string) => element('local', 'locals', { value: body }, 'Bundle');
  const sign = (input: string) =>
    resource(
      'vault_generic_endpoint',
      { path: 'transit/sign/bundle-signer', data_json: `\${jsonencode({"input" = ${input}, "key_version" = "1"})}` },
      'Sign',
    );
  const carrying = { task_verifiers: {}, bundle_keys: {}, env: { GPUAAS_TASK_SIGNING_PUBKEYS: 'x' } };

  test('a bundle without verifiers, without bundle keys and without a signature: every finding', () => {
    const b = bundleLocal(JSON.stringify({ schema: SCHEMA, sequence: 1 }));
    expect(detailsOf(BundleSignedWithVerifiers.check(b, contextOf(b)))).toEqual([
      'the bundle in value carries no task verifier set (task_verifiers and GPUAAS_TASK_SIGNING_PUBKEYS): a new signing version could only reach nodes by a rebuild',
      'the v2 bundle in value carries no bundle key set (bundle_keys): nodes could not verify the next bundle',
      'nothing in the stack signs local.Bundle: nodes could not tell a bundle update from a forged one',
    ]);
  });

  test('signed by reference (not by a reference to another local with a longer name), verifiers present', () => {
    const b = bundleLocal(JSON.stringify({ schema: SCHEMA, ...carrying }));
    const signedOther = sign('base64encode(local.Bundle2)');
    expect(detailsOf(BundleSignedWithVerifiers.check(b, contextOf(b, signedOther)))).toEqual([
      'nothing in the stack signs local.Bundle: nodes could not tell a bundle update from a forged one',
    ]);
    const signed = sign('base64encode(local.Bundle)');
    expect(BundleSignedWithVerifiers.check(b, contextOf(b, signed)).status).toBe(CheckStatus.COMPLIANT);
  });

  test('a v1 bundle needs no bundle key set; a data source signing it counts as signed (NoPlanTimeSigning refuses it)', () => {
    const v1 = bundleLocal(
      JSON.stringify({
        schema: 'cdktf-platform-trust/bootstrap-bundle/v1',
        task_verifiers: {},
        env: { GPUAAS_TASK_SIGNING_PUBKEYS: 'x' },
      }),
    );
    const ds = data('vault_transit_sign', { path: 'transit', name: 'k', input: '${base64encode(local.Bundle)}' }, 'S');
    expect(BundleSignedWithVerifiers.check(v1, contextOf(v1, ds)).status).toBe(CheckStatus.COMPLIANT);
  });
});

describe('NoPushToNodes', () => {
  test.each([
    [
      { connection: { type: 'ssh', host: 'node-7' } },
      'r has a connection block: it reaches a machine over SSH or WinRM',
    ],
    [{ provisioner: [{ 'remote-exec': { inline: ['systemctl restart agent'] } }] }, 'has a "remote-exec" provisioner'],
    [{ provisioner: [{ file: { source: 'a', destination: 'b' } }] }, 'has a "file" provisioner'],
    [
      { provisioner: [{ 'local-exec': { command: 'cd out && rsync -a . node-7:/etc' } }] },
      'runs "rsync" in a local-exec provisioner',
    ],
    [
      { provisioner: [{ 'local-exec': { command: 'kubectl cp bundle.json pod:/etc' } }] },
      'runs "kubectl cp" in a local-exec provisioner',
    ],
  ])('refuses %j', (config, detail) => {
    const [found] = detailsOf(NoPushToNodes.check(resource('null_resource', config), contextOf()));
    expect(found).toContain(detail);
  });

  test('a local-exec that stays local is fine', () => {
    const r = resource('null_resource', {
      provisioner: [{ 'local-exec': { command: 'echo sshd-config > notes.txt' } }],
    });
    expect(NoPushToNodes.check(r, contextOf()).status).toBe(CheckStatus.COMPLIANT);
  });
});

describe('NonDeterministicValue', () => {
  test.each(['timestamp', 'plantimestamp', 'uuid', 'bcrypt'])('refuses %s()', (fn) => {
    const r = resource('vault_kv_secret_v2', { data_json: `\${jsonencode({"at" = ${fn}("x")})}` });
    expect(detailsOf(NonDeterministicValue.check(r, contextOf()))).toEqual([
      `vault_kv_secret_v2.r calls ${fn}() in data_json: its value changes on every plan`,
    ]);
  });

  test('literal text, other functions and ignored attributes are fine', () => {
    const text = resource('vault_kv_secret_v2', { data_json: '{"note": "timestamp() is not called here"}' });
    const other = resource('vault_kv_secret_v2', {
      data_json: '${jsonencode({"at" = formatdate("YYYY", local.uuid_x)})}',
    });
    const ignored = resource('vault_kv_secret_v2', {
      data_json: '${jsonencode({"at" = timestamp()})}',
      lifecycle: { ignore_changes: ['data_json'] },
    });
    const all = resource('vault_kv_secret_v2', { data_json: '${uuid()}', lifecycle: { ignore_changes: 'all' } });
    for (const r of [text, other, ignored, all]) {
      expect(NonDeterministicValue.check(r, contextOf()).status).toBe(CheckStatus.COMPLIANT);
    }
  });
});

describe('BundleVaultAccess', () => {
  const SCHEMA = 'cdktf-platform-trust/bootstrap-bundle/v1';
  const bundle = (extra: string) =>
    element('local', 'locals', { value: `\${jsonencode({"schema" = "${SCHEMA}", ${extra}})}` }, 'Bundle');

  test.each([
    ['"env" = {"VAULT_ADDR" = "https://vault:8200"}', 'a Vault client setting ("VAULT_ADDR")'],
    ['"auth" = {"role_id" = "x"}', 'a credential field ("role_id")'],
    [
      '"auth" = {"id" = vault_approle_auth_backend_role.Node_1A2B3C4D.role_id}',
      'a reference to an AppRole credential ("role_id")',
    ],
    [
      '"control_plane" = {"url" = "https://vault.internal:8200/v1/kv/data/x"}',
      'a Vault API address ("https://vault.internal:8200/v1/")',
    ],
  ])('refuses %s', (extra, what) => {
    expect(detailsOf(BundleVaultAccess.check(bundle(extra), contextOf()))).toEqual([
      `the bundle in value holds ${what}`,
    ]);
  });

  test('trust roots, paths and the control plane URL are fine', () => {
    const ok = bundle('"control_plane" = {"url" = "https://control.dev.internal"}, "token_path" = "/etc/x"');
    expect(BundleVaultAccess.check(ok, contextOf()).status).toBe(CheckStatus.COMPLIANT);
  });
});
