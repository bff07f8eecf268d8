import { Testing } from 'cdktf';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { DataVaultTransitSign } from '@cdktf/provider-vault/lib/data-vault-transit-sign';
import {
  PLATFORM_TRUST_RULE_IDS,
  PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS,
  PlatformTrustChecks,
  SUPPRESSIONS_JSON_KEY,
} from '../../../lib/checks';
import { addSuppression } from '../../../lib/checks/suppressions';
import { annotate, checkedStack, notesOf, synthToDisk } from './helpers';

const REASON = 'legacy encryption key, migrated off in ticket OPS-1234';

function leakyKey(scope: Construct, id = 'Key') {
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
    PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyExportable', REASON);

    const json = synthToDisk(app, 'test');
    const notes = notesOf(stack).filter((n) => n.message.includes('PlatformTrust'));
    expect(notes).toEqual([
      {
        level: 'info',
        path: 'test/Key',
        message: `[PlatformTrust-TransitKeyExportable] Suppressed: A transit key must not be exportable: its private material could then leave Vault. The transit key "transit/keys/node-task-signer" sets exportable = true: anyone with read on <mount>/export/ can take the private key. Reason: ${REASON}`,
      },
    ]);
    expect(checks.findings[0].suppression).toEqual({
      ruleId: 'PlatformTrust-TransitKeyExportable',
      reason: REASON,
      path: 'test/Key',
    });

    // The reason is in cdk.tf.json: in the resource's own "//" block and in the stack's.
    const block = json.resource.vault_transit_secret_backend_key[key.friendlyUniqueId];
    expect(block['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { rule: 'PlatformTrust-TransitKeyExportable', reason: REASON },
    ]);
    expect(block['//'].metadata.path).toBe('test/Key');
    expect(json['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { path: 'test/Key', rule: 'PlatformTrust-TransitKeyExportable', reason: REASON },
    ]);
    // Terraform ignores "//" keys: the resource configuration itself is unchanged.
    expect(Object.keys(block).sort()).toEqual(['//', 'backend', 'exportable', 'lifecycle', 'name', 'type']);
  });

  test('GIVEN a suppression on an ancestor construct THEN it covers the resources below it and only that rule', () => {
    const { app, stack } = checkedStack();
    const group = new Construct(stack, 'Legacy');
    leakyKey(group).addOverride('deletion_allowed', true);
    PlatformTrustChecks.suppress(group, 'PlatformTrust-TransitKeyExportable', REASON);

    const notes = annotate(stack).filter((n) => n.message.includes('PlatformTrust'));
    expect(notes.map((n) => `${n.level} ${n.path} ${n.message.slice(0, 40)}`)).toEqual([
      'info test/Legacy/Key [PlatformTrust-TransitKeyExportable] Sup',
      'error test/Legacy/Key [PlatformTrust-TransitKeyDeletable] A tr',
    ]);
    expect(() => app.synth()).toThrow('PlatformTrust-TransitKeyDeletable');
  });

  test('GIVEN a suppression on the stack THEN the stack "//" block records it', () => {
    const { app, stack } = checkedStack();
    leakyKey(stack);
    PlatformTrustChecks.suppress(stack, 'PlatformTrust-TransitKeyExportable', REASON);
    const json = synthToDisk(app, 'test');
    expect(json['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { path: 'test', rule: 'PlatformTrust-TransitKeyExportable', reason: REASON },
    ]);
  });

  test('GIVEN the same rule suppressed twice on a construct THEN the later reason wins, recorded once', () => {
    const { stack } = checkedStack();
    const key = leakyKey(stack);
    PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyExportable', 'first reason, superseded');
    PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyExportable', REASON);
    const json = stack.toTerraform();
    expect(json['//'][SUPPRESSIONS_JSON_KEY]).toHaveLength(1);
    expect(json.resource.vault_transit_secret_backend_key[key.friendlyUniqueId]['//'][SUPPRESSIONS_JSON_KEY]).toEqual([
      { rule: 'PlatformTrust-TransitKeyExportable', reason: REASON },
    ]);
  });

  test.each([
    ['', 'needs a reason of at least 10 characters'],
    ['   because   ', 'needs a reason of at least 10 characters'],
    [undefined, 'needs a reason of at least 10 characters'],
  ])('GIVEN the reason %j THEN PT035 refuses it', (reason, message) => {
    const { stack } = checkedStack();
    const key = leakyKey(stack);
    const call = () => PlatformTrustChecks.suppress(key, 'PlatformTrust-TransitKeyExportable', reason as string);
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
      expect((error as PlatformTrustError).message).toContain(`${id} guards key custody and cannot be suppressed`);
    },
  );

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
