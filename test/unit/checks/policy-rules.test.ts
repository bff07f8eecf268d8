import {
  CheckStatus,
  PolicyBroadGlob,
  PolicyKvGlob,
  PolicySudo,
  PolicyTransitKeyConfig,
  PolicyTransitKeyMaterial,
  PolicyUnparsable,
} from '../../../lib/checks';
import { Capability, PolicyDocument } from '../../../lib/core';
import { signingRules } from '../../../lib/signing/grants';
import { contextOf, data, detailsOf, policy, resource } from './helpers';

const kvMount = resource('vault_mount', { path: 'dev/kv', type: 'kv', options: { version: '2' } }, 'kv');
const transitMount = resource('vault_mount', { path: 'dev/transit', type: 'transit' }, 'transit');
const mounts = contextOf(kvMount, transitMount);

describe('PolicySudo', () => {
  test('GIVEN sudo (or legacy policy = "sudo") THEN non-compliant', () => {
    expect(
      detailsOf(PolicySudo.check(policy('path "sys/mounts/*" { capabilities = ["read", "sudo"] }'), mounts)),
    ).toEqual(['path "sys/mounts/*" (line 1) grants ["read", "sudo"]']);
    const json = JSON.stringify({ path: { 'sys/audit': { policy: 'sudo' } } });
    expect(PolicySudo.check(policy(json), mounts).status).toBe(CheckStatus.NON_COMPLIANT);
  });
  test('GIVEN no sudo THEN compliant; GIVEN computed text THEN not applicable', () => {
    expect(PolicySudo.check(policy('path "sys/mounts" { capabilities = ["read"] }'), mounts).status).toBe(
      CheckStatus.COMPLIANT,
    );
    expect(PolicySudo.check(policy('${file("ops.hcl")}'), mounts).status).toBe(CheckStatus.NOT_APPLICABLE);
    expect(PolicySudo.check(policy('${data.vault_policy_document.d.hcl}'), mounts).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
  });
  test('GIVEN a vault_policy_document data source THEN its rule blocks are checked', () => {
    const doc = data('vault_policy_document', { rule: [{ path: 'sys/seal', capabilities: ['update', 'sudo'] }] });
    expect(detailsOf(PolicySudo.check(doc, mounts))).toEqual(['path "sys/seal" grants ["update", "sudo"]']);
  });
});

describe('PolicyBroadGlob and PolicyKvGlob', () => {
  test('GIVEN a glob over a whole mount or KV tree THEN the error rule fires', () => {
    const text = [
      'path "dev/kv/data/*" { capabilities = ["read"] }',
      'path "dev/*" { capabilities = ["list"] }',
      'path "*" { capabilities = ["read"] }',
      'path "dev/transit/*" { capabilities = ["update"] }',
    ].join('\n');
    expect(detailsOf(PolicyBroadGlob.check(policy(text), mounts))).toEqual([
      'path "dev/kv/data/*" (line 1) grants ["read"] on the whole data/ tree of KV mount "dev/kv"',
      'path "dev/*" (line 2) grants ["list"] on the whole kv mount "dev/kv"',
      'path "*" (line 3) grants ["read"] on every path in Vault',
      'path "dev/transit/*" (line 4) grants ["update"] on the whole transit mount "dev/transit"',
    ]);
    expect(PolicyKvGlob.check(policy(text), mounts).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN a glob on a folder of a KV tree THEN only the warning rule fires', () => {
    const p = policy('path "dev/kv/metadata/apps/billing/*" { capabilities = ["list"] }');
    expect(detailsOf(PolicyKvGlob.check(p, mounts))).toEqual([
      'path "dev/kv/metadata/apps/billing/*" (line 1) grants ["list"] on the folder "apps/billing/" of KV mount "dev/kv"',
    ]);
    expect(PolicyBroadGlob.check(p, mounts).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN a KV path of a mount declared elsewhere THEN the data segment still counts', () => {
    expect(PolicyBroadGlob.check(policy('path "secret/data/*" { capabilities = ["read"] }'), contextOf()).status).toBe(
      CheckStatus.NON_COMPLIANT,
    );
    expect(
      PolicyKvGlob.check(policy('path "secret/data/team/*" { capabilities = ["read"] }'), contextOf()).status,
    ).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN exact paths, deny globs or token paths THEN compliant', () => {
    const text = [
      'path "dev/kv/data/apps/billing/db" { capabilities = ["read"] }',
      'path "dev/kv/data/*" { capabilities = ["deny"] }',
      'path "${var.mount}/data/*" { capabilities = ["read"] }',
      'path "dev/transit/sign/*" { capabilities = ["update"] }',
    ].join('\n');
    expect(PolicyBroadGlob.check(policy(text), mounts).status).toBe(CheckStatus.COMPLIANT);
    expect(PolicyKvGlob.check(policy(text), mounts).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN ${vault_mount.<id>.path} in a path THEN the declared mount path is used', () => {
    const p = policy('path "${vault_mount.kv.path}/data/*" { capabilities = ["read"] }');
    expect(detailsOf(PolicyBroadGlob.check(p, mounts))[0]).toContain('"dev/kv/data/*"');
  });
});

describe('PolicyTransitKeyMaterial', () => {
  test('GIVEN export, backup, trim or key delete THEN non-compliant', () => {
    const text = [
      'path "dev/transit/export/signing-key/node-task-signer" { capabilities = ["read"] }',
      'path "dev/transit/backup/node-task-signer" { capabilities = ["read"] }',
      'path "dev/transit/keys/node-task-signer/trim" { capabilities = ["update"] }',
      'path "dev/transit/keys/+" { capabilities = ["read", "delete"] }',
    ].join('\n');
    expect(detailsOf(PolicyTransitKeyMaterial.check(policy(text), mounts))).toEqual([
      'path "dev/transit/export/signing-key/node-task-signer" (line 1) grants ["read"] under transit mount "dev/transit": it exports private key material',
      'path "dev/transit/backup/node-task-signer" (line 2) grants ["read"] under transit mount "dev/transit": it takes a key backup',
      'path "dev/transit/keys/node-task-signer/trim" (line 3) grants ["update"] under transit mount "dev/transit": it trims (permanently deletes) old key versions',
      'path "dev/transit/keys/+" (line 4) grants ["delete"] under transit mount "dev/transit": it deletes a key',
    ]);
  });

  test('GIVEN a hand-written policy for a mount declared elsewhere THEN the path shape is enough', () => {
    const p = policy('path "transit/export/hmac-key/k" { capabilities = ["read"] }');
    expect(PolicyTransitKeyMaterial.check(p, contextOf()).status).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN the signing and rotation grants of TaskSigningKey THEN compliant', () => {
    const doc = new PolicyDocument();
    const rules = signingRules('dev/transit', 'node-task-signer', 1);
    [...rules.sign, ...rules.readPublicKeys, ...rules.manage].forEach((r) => doc.addRule(r));
    expect(PolicyTransitKeyMaterial.check(policy(doc.toHcl()), mounts).status).toBe(CheckStatus.COMPLIANT);
    expect(
      PolicyTransitKeyMaterial.check(
        policy('path "dev/transit/export/public-key/k" { capabilities = ["read"] }'),
        mounts,
      ).status,
    ).toBe(CheckStatus.COMPLIANT);
  });
});

describe('PolicyTransitKeyConfig', () => {
  test('GIVEN update on keys/<k>/config without parameter limits THEN non-compliant', () => {
    const p = policy('path "dev/transit/keys/k/config" { capabilities = ["update"] }');
    expect(detailsOf(PolicyTransitKeyConfig.check(p, mounts))).toEqual([
      'path "dev/transit/keys/k/config" (line 1) grants ["update"] on key configuration under transit mount "dev/transit" without limiting exportable, allow_plaintext_backup, deletion_allowed',
    ]);
    const wildcard = policy(
      'path "dev/transit/keys/k/config" {\n  capabilities = ["update"]\n  allowed_parameters = { "*" = [] }\n}',
    );
    expect(PolicyTransitKeyConfig.check(wildcard, mounts).status).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN allowed_parameters without the custody flags, or all of them denied THEN compliant', () => {
    const doc = new PolicyDocument().addRule({
      path: 'dev/transit/keys/k/config',
      capabilities: [Capability.UPDATE],
      allowedParameters: { min_decryption_version: [], min_encryption_version: [] },
    });
    expect(PolicyTransitKeyConfig.check(policy(doc.toHcl()), mounts).status).toBe(CheckStatus.COMPLIANT);
    const denied = policy(
      'path "dev/transit/keys/k/config" {\n  capabilities = ["update"]\n  denied_parameters = { "exportable" = [], "allow_plaintext_backup" = [], "deletion_allowed" = [] }\n}',
    );
    expect(PolicyTransitKeyConfig.check(denied, mounts).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN the custody flags allowed only with false (boolean or text) THEN compliant', () => {
    const doc = new PolicyDocument().addRule({
      path: 'dev/transit/keys/k/config',
      capabilities: [Capability.UPDATE],
      allowedParameters: {
        min_decryption_version: [],
        exportable: [false],
        allow_plaintext_backup: [false, 'false'],
        deletion_allowed: ['0'],
      },
    });
    expect(doc.toHcl()).toContain('"allow_plaintext_backup" = [false, "false"]');
    expect(PolicyTransitKeyConfig.check(policy(doc.toHcl()), mounts).status).toBe(CheckStatus.COMPLIANT);
    const asDocument = data('vault_policy_document', {
      rule: [
        {
          path: 'dev/transit/keys/k/config',
          capabilities: ['update'],
          allowed_parameter: [
            { key: 'exportable', value: ['false'] },
            { key: 'deletion_allowed', value: ['false'] },
          ],
        },
      ],
    });
    expect(PolicyTransitKeyConfig.check(asDocument, mounts).status).toBe(CheckStatus.COMPLIANT);
  });

  test.each([
    ['any value', '"exportable" = []'],
    ['true among the values', '"exportable" = [false, true]'],
    ['a glob value', '"exportable" = ["f*"]'],
    ['"*" as a name', '"*" = []'],
  ])('GIVEN a custody flag allowed with %s THEN non-compliant', (_name, allowed) => {
    const p = policy(
      `path "dev/transit/keys/k/config" {\n  capabilities = ["update"]\n  allowed_parameters = { ${allowed} }\n}`,
    );
    expect(PolicyTransitKeyConfig.check(p, mounts).status).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN a vault_policy_document whose custody value is an expression THEN non-compliant (read as any value)', () => {
    const doc = data('vault_policy_document', {
      rule: [
        {
          path: 'dev/transit/keys/k/config',
          capabilities: ['update'],
          allowed_parameter: [{ key: 'exportable', value: '${var.values}' }],
        },
      ],
    });
    expect(PolicyTransitKeyConfig.check(doc, mounts).status).toBe(CheckStatus.NON_COMPLIANT);
  });
});

describe('PolicyUnparsable', () => {
  test('GIVEN text the parser cannot read THEN non-compliant with the location', () => {
    expect(detailsOf(PolicyUnparsable.check(policy('path "a" {\n  capabilities = ["read"\n}'), mounts))).toEqual([
      'Parse error at line 3, column 1: expected "," or "]" in a list, found "}"',
    ]);
  });
  test('GIVEN readable or computed text THEN compliant or not applicable; other rules skip unreadable text', () => {
    expect(PolicyUnparsable.check(policy('path "a" { capabilities = ["read"] }'), mounts).status).toBe(
      CheckStatus.COMPLIANT,
    );
    expect(PolicyUnparsable.check(policy('${file("p.hcl")}'), mounts).status).toBe(CheckStatus.NOT_APPLICABLE);
    expect(PolicySudo.check(policy('path "a" { capabilities = ["sudo" }'), mounts).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
  });
});
