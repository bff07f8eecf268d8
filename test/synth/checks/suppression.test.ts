import { Testing } from 'cdktf';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { DataVaultTransitSign } from '@cdktf/provider-vault/lib/data-vault-transit-sign';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import {
  PLATFORM_TRUST_RULE_IDS,
  PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS,
  PlatformTrustChecks,
  SUPPRESSIONS_JSON_KEY,
} from '../../../lib/checks';
import { addSuppression } from '../../../lib/checks/private/suppressions';
import { annotate, checkedStack, notesOf, synthToDisk } from './helpers';

const REASON = 'legacy signer, moved to versioned rotation in ticket OPS-1234';

/** A signing key that rotates by itself: a finding of TransitKeyAutoRotate, a rule that may be suppressed. */
function leakyKey(scope: Construct, id = 'Key') {
  return new TransitSecretBackendKey(scope, id, {
    backend: 'transit',
    name: 'node-task-signer',
    type: 'ed25519',
    autoRotatePeriod: 3600,
    lifecycle: { preventDestroy: true },
  });
}

/** A transit key that can be exported: a finding of TransitKeyExportable, a custody rule. */
function exportableKey(scope: Construct, id = 'Exportable') {
  return new TransitSecretBackendKey(scope, id, {
    backend: 'transit',
    name: 'node-task-signer',
    type: 'ed25519',
    exportable: true,
    lifecycle: { preventDestroy: true },
  });
}

describe('PlatformTrustChecks.suppress', () => {
  test('GIVEN a suppression on the resource THEN the finding is info with the reason and synth succeeds', () => {
    const { app, stack, checks } = checkedStack();
    const key = leakyKey(stack);
    PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyAutoRotate', REASON);

    const json = synthToDisk(app, 'test');
    const notes = notesOf(stack).filter((n) => n.message.includes('PlatformTrust'));
    expect(notes).toEqual([
      {
        level: 'info',
        path: 'test/Key',
        message: `[PlatformTrust-TransitKeyAutoRotate] Suppressed: A signing transit key must not rotate automatically: Vault would create versions that no reviewed verifier set lists. The transit key "transit/keys/node-task-signer" sets auto_rotate_period = 3600 (3600 s) and signs (it is an asymmetric (ed25519) key). Reason: ${REASON}`,
      },
    ]);
    expect(checks.findings[0].suppression).toEqual({
      ruleId: 'PlatformTrust-TransitKeyAutoRotate',
      reason: REASON,
      path: 'test/Key',
    });

    // The reason is in cdk.tf.json: in the resource's own "//" block and in the stack's.
    const block = json.resource.vault_transit_secret_backend_key[key.friendlyUniqueId];
    expect(block['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { rule: 'PlatformTrust-TransitKeyAutoRotate', reason: REASON },
    ]);
    expect(block['//'].metadata.path).toBe('test/Key');
    expect(json['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { path: 'test/Key', rule: 'PlatformTrust-TransitKeyAutoRotate', reason: REASON },
    ]);
    // Terraform ignores "//" keys: the resource configuration itself is unchanged.
    expect(Object.keys(block).sort()).toEqual(['//', 'auto_rotate_period', 'backend', 'lifecycle', 'name', 'type']);
  });

  test('GIVEN a suppression on an ancestor construct THEN it covers the resources below it and only that rule', () => {
    const { app, stack } = checkedStack();
    const group = new Construct(stack, 'Legacy');
    leakyKey(group).addOverride('deletion_allowed', true);
    PlatformTrustChecks.suppress(group, 'PlatformTrust-TransitKeyAutoRotate', REASON);

    const notes = annotate(stack).filter((n) => n.message.includes('PlatformTrust'));
    expect(notes.map((n) => `${n.level} ${n.path} ${n.message.slice(0, 40)}`)).toEqual([
      'error test/Legacy/Key [PlatformTrust-TransitKeyDeletable] A tr',
      'info test/Legacy/Key [PlatformTrust-TransitKeyAutoRotate] Sup',
    ]);
    expect(() => app.synth()).toThrow('PlatformTrust-TransitKeyDeletable');
  });

  test('GIVEN a suppression on the stack THEN the stack "//" block records it', () => {
    const { app, stack } = checkedStack();
    leakyKey(stack);
    PlatformTrustChecks.suppress(stack, 'PlatformTrust-TransitKeyAutoRotate', REASON);
    const json = synthToDisk(app, 'test');
    expect(json['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { path: 'test', rule: 'PlatformTrust-TransitKeyAutoRotate', reason: REASON },
    ]);
  });

  test('GIVEN the same rule suppressed twice on a construct THEN the later reason wins, recorded once', () => {
    const { stack } = checkedStack();
    const key = leakyKey(stack);
    PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyAutoRotate', 'first reason, superseded');
    PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyAutoRotate', REASON);
    const json = stack.toTerraform();
    expect(json['//'][SUPPRESSIONS_JSON_KEY]).toHaveLength(1);
    expect(json.resource.vault_transit_secret_backend_key[key.friendlyUniqueId]['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { rule: 'PlatformTrust-TransitKeyAutoRotate', reason: REASON },
    ]);
  });

  test.each([
    ['', 'needs a reason of at least 10 characters'],
    ['   because   ', 'needs a reason of at least 10 characters'],
    [undefined, 'needs a reason of at least 10 characters'],
  ])('GIVEN the reason %j THEN PT035 refuses it', (reason, message) => {
    const { stack } = checkedStack();
    const key = leakyKey(stack);
    const call = () => PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyAutoRotate', reason as string);
    expect(call).toThrow(PlatformTrustError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect((e as PlatformTrustError).code).toBe(ErrorCode.INVALID_SUPPRESSION);
    }
  });

  test('GIVEN an unknown rule id THEN the error lists the known ids', () => {
    const { stack } = checkedStack();
    expect(() => PlatformTrustChecks.suppress(stack, 'PlatformTrust-Exportable', REASON)).toThrow(
      /Unknown PlatformTrust rule id in a suppression\. Received: "PlatformTrust-Exportable"\. Fix: use one of "PlatformTrust-TransitKeyExportable", /,
    );
  });

  test('GIVEN the app (no stack) THEN the suppression is refused', () => {
    expect(() => PlatformTrustChecks.suppress(Testing.app(), 'PlatformTrust-PolicySudo', REASON)).toThrow(
      'must be added to a stack or to a construct inside one',
    );
  });

  test('each construct is checked once per pack instance, however often the stack is synthesized', () => {
    const { stack, checks } = checkedStack();
    leakyKey(stack);
    Testing.synth(stack);
    Testing.synth(stack);
    expect(checks.findings).toHaveLength(1);
    expect(notesOf(stack).filter((n) => n.level === 'error')).toHaveLength(1);
  });

  test.each(PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS.map((id) => [id]))(
    'GIVEN a suppression of the custody rule %s THEN it is refused, whatever the reason',
    (id) => {
      const { stack } = checkedStack();
      let error: unknown;
      try {
        PlatformTrustChecks.suppress(stack, id, REASON);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PlatformTrustError);
      expect((error as PlatformTrustError).code).toBe(ErrorCode.UNSUPPRESSIBLE_RULE);
      expect((error as PlatformTrustError).message).toContain(
        `${id} guards key custody or secrets and cannot be suppressed`,
      );
    },
  );

  test('GIVEN an exportable key and a suppression of TransitKeyExportable THEN the suppression is refused (PT036) and synth still fails', () => {
    const { app, stack, checks } = checkedStack();
    const key = exportableKey(stack);
    expect(() => PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyExportable', REASON)).toThrow(
      `[PT036] PlatformTrust-TransitKeyExportable guards key custody or secrets and cannot be suppressed: a finding of it means key material, a secret or what nodes trust is exposed to someone other than the reviewed apply. Received: "PlatformTrust-TransitKeyExportable". Fix: fix the configuration the finding names (the rule says how); there is no exception to record.`,
    );
    expect(() => app.synth()).toThrow('PlatformTrust-TransitKeyExportable');
    expect(checks.findings.map((f) => [f.ruleId, f.level, f.suppression])).toEqual([
      ['PlatformTrust-TransitKeyExportable', 'error', undefined],
    ]);
    expect(stack.toTerraform()['//']?.[SUPPRESSIONS_JSON_KEY]).toBeUndefined();
  });

  test('GIVEN a suppression of a custody rule recorded anyway THEN the finding is still an error', () => {
    const { app, stack, checks } = checkedStack();
    const sign = new DataVaultTransitSign(stack, 'Sign', { path: 'transit', name: 'bundle-signer', input: 'aGk=' });
    // Recorded without the pack's list of unsuppressible rules, as an older version or a hand edit could.
    addSuppression(sign, 'PlatformTrust-NoPlanTimeSigning', REASON, PLATFORM_TRUST_RULE_IDS);
    expect(() => app.synth()).toThrow(
      /\[PlatformTrust-NoPlanTimeSigning\] Nothing may be signed while Terraform plans/,
    );
    expect(checks.findings.map((f) => [f.ruleId, f.level, f.suppression])).toEqual([
      ['PlatformTrust-NoPlanTimeSigning', 'error', undefined],
    ]);
  });
});

describe('PlatformTrustChecks.suppress with a target: one finding', () => {
  const KV_REASON = 'each team reads its own folder by design (ticket OPS-77)';

  /** A KV v2 mount and one policy with two folder globs: two PolicyKvGlob findings on one element. */
  function twoGlobs() {
    const { app, stack, checks } = checkedStack();
    new Mount(stack, 'Kv', { path: 'kv', type: 'kv', options: { version: '2' } });
    const group = new Construct(stack, 'Team');
    const policy = new Policy(group, 'Policy', {
      name: 'team',
      policy: [
        'path "kv/data/apps/a/*" {',
        '  capabilities = ["read"]',
        '}',
        'path "kv/data/apps/b/*" {',
        '  capabilities = ["read"]',
        '}',
      ].join('\n'),
    });
    return { app, stack, checks, group, policy };
  }

  const kvGlobs = (checks: PlatformTrustChecks) =>
    checks.findings
      .filter((f) => f.ruleId === 'PlatformTrust-PolicyKvGlob')
      .map((f) => `${f.suppression ? 'suppressed' : f.level} ${f.detail.slice(0, 23)}`);

  test('GIVEN no suppression THEN both globs are reported', () => {
    const { stack, checks } = twoGlobs();
    Testing.synth(stack);
    expect(kvGlobs(checks)).toEqual(['warning path "kv/data/apps/a/*"', 'warning path "kv/data/apps/b/*"']);
  });

  test('GIVEN a suppression of one stanza by construct path and detail THEN only that finding is suppressed, and the target is in the JSON', () => {
    const { stack, checks, group, policy } = twoGlobs();
    PlatformTrustChecks.suppress(group, 'PlatformTrust-PolicyKvGlob', KV_REASON, {
      elementPath: policy.node.path,
      detail: 'path "kv/data/apps/a/*"',
    });
    Testing.synth(stack);
    expect(kvGlobs(checks)).toEqual(['suppressed path "kv/data/apps/a/*"', 'warning path "kv/data/apps/b/*"']);
    expect(stack.toTerraform()['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      {
        path: 'test/Team',
        rule: 'PlatformTrust-PolicyKvGlob',
        reason: KV_REASON,
        finding: { element_path: 'test/Team/Policy', detail: 'path "kv/data/apps/a/*"' },
      },
    ]);
  });

  test('GIVEN a suppression by resource address THEN every finding of the rule on that element is suppressed, and no other element', () => {
    const { stack, checks, policy } = twoGlobs();
    const other = new Policy(stack, 'Other', {
      name: 'other',
      policy: 'path "kv/data/apps/c/*" { capabilities = ["read"] }',
    });
    PlatformTrustChecks.suppress(stack, 'PlatformTrust-PolicyKvGlob', KV_REASON, {
      address: `vault_policy.${policy.friendlyUniqueId}`,
    });
    Testing.synth(stack);
    expect(kvGlobs(checks)).toEqual([
      'suppressed path "kv/data/apps/a/*"',
      'suppressed path "kv/data/apps/b/*"',
      'warning path "kv/data/apps/c/*"',
    ]);
    expect(checks.findings.find((f) => f.address === `vault_policy.${other.friendlyUniqueId}`)?.suppression).toBe(
      undefined,
    );
  });

  test('GIVEN a whole-rule suppression and a targeted one on the same construct THEN both are recorded', () => {
    const { stack, group, policy } = twoGlobs();
    PlatformTrustChecks.suppress(group, 'PlatformTrust-PolicyKvGlob', KV_REASON, { elementPath: policy.node.path });
    PlatformTrustChecks.suppress(group, 'PlatformTrust-PolicySudo', KV_REASON);
    expect(stack.toTerraform()['//'][SUPPRESSIONS_JSON_KEY].map((r: { rule: string }) => r.rule)).toEqual([
      'PlatformTrust-PolicyKvGlob',
      'PlatformTrust-PolicySudo',
    ]);
  });

  test.each<[string, unknown, string]>([
    ['no element', { detail: 'path "kv/data/apps/a/*"' }, 'must name the element: an address or an elementPath'],
    ['an element outside the construct', { elementPath: 'test/Elsewhere/Policy' }, 'targets an element outside it'],
    ['an unknown field', { elementPath: 'test/Team/Policy', stanza: 'x' }, 'has unknown target fields'],
    ['an empty detail', { elementPath: 'test/Team/Policy', detail: ' ' }, 'must be a non-empty string'],
  ])('GIVEN a target with %s THEN PT035 refuses it', (_what, target, text) => {
    const { group } = twoGlobs();
    let error: unknown;
    try {
      PlatformTrustChecks.suppress(group, 'PlatformTrust-PolicyKvGlob', KV_REASON, target as never);
    } catch (e) {
      error = e;
    }
    expect((error as PlatformTrustError).code).toBe(ErrorCode.INVALID_SUPPRESSION);
    expect((error as PlatformTrustError).message).toContain(text);
  });

  test('GIVEN a targeted suppression of a custody rule THEN it is refused like any other', () => {
    const { stack } = checkedStack();
    const key = exportableKey(stack);
    expect(() =>
      PlatformTrustChecks.suppress(stack, 'PlatformTrust-TransitKeyExportable', REASON, {
        address: `vault_transit_secret_backend_key.${key.friendlyUniqueId}`,
      }),
    ).toThrow('[PT036]');
  });
});
