import {
  CheckStatus,
  SigningKeyPreventDestroy,
  TransitKeyAutoRotate,
  TransitKeyDeletable,
  TransitKeyExportable,
  TransitKeyPlaintextBackup,
  TransitKeySymmetric,
  TransitKeySymmetricSigner,
} from '../../../lib/checks';
import { contextOf, data, detailsOf, policy, resource, transitKey } from './helpers';

const none = contextOf();

describe.each([
  [TransitKeyExportable.id, TransitKeyExportable, 'exportable'],
  [TransitKeyPlaintextBackup.id, TransitKeyPlaintextBackup, 'allow_plaintext_backup'],
  [TransitKeyDeletable.id, TransitKeyDeletable, 'deletion_allowed'],
])('%s', (_id, rule, attribute) => {
  test(`GIVEN ${attribute} = true THEN non-compliant, quoting the key`, () => {
    expect(detailsOf(rule.check(transitKey({ [attribute]: true }), none))).toEqual([
      `The transit key "transit/keys/node-task-signer" sets ${attribute} = true: ${
        {
          exportable: 'anyone with read on <mount>/export/ can take the private key',
          allow_plaintext_backup: 'read on <mount>/backup/<key> returns all its private material',
          deletion_allowed: 'a delete on <mount>/keys/<key> (or a terraform destroy) removes the key for good',
        }[attribute]
      }`,
    ]);
  });

  test(`GIVEN ${attribute} = false or unset THEN compliant`, () => {
    expect(rule.check(transitKey(), none).status).toBe(CheckStatus.COMPLIANT);
    expect(rule.check(transitKey({ [attribute]: undefined }), none).status).toBe(CheckStatus.COMPLIANT);
  });

  test(`GIVEN ${attribute} is a token THEN not applicable`, () => {
    expect(rule.check(transitKey({ [attribute]: '${var.flag}' }), none).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('GIVEN a raw generic endpoint writing the key config THEN it is checked too', () => {
    const endpoint = resource('vault_generic_endpoint', {
      path: 'transit/keys/k/config',
      data_json: JSON.stringify({ [attribute]: true }),
    });
    expect(detailsOf(rule.check(endpoint, none))[0]).toContain(
      `The transit key "transit/keys/k" sets ${attribute} = true through vault_generic_endpoint.r`,
    );
    const computed = resource('vault_generic_endpoint', {
      path: 'transit/keys/k/config',
      data_json: '${jsonencode(var.x)}',
    });
    expect(rule.check(computed, none).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('GIVEN another resource THEN not applicable', () => {
    expect(rule.check(resource('vault_mount', { path: 'transit', type: 'transit' }), none).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
  });
});

describe('TransitKeyAutoRotate', () => {
  test('GIVEN an asymmetric key rotating itself THEN non-compliant', () => {
    expect(detailsOf(TransitKeyAutoRotate.check(transitKey({ auto_rotate_period: 86400 }), none))).toEqual([
      'The transit key "transit/keys/node-task-signer" sets auto_rotate_period = 86400 (86400 s) and signs (it is an asymmetric (ed25519) key)',
    ]);
  });

  test('GIVEN a symmetric key a policy signs with THEN non-compliant with the evidence', () => {
    const key = transitKey({ type: 'hmac', name: 'tasks', auto_rotate_period: '24h' });
    const context = contextOf(key, policy('path "transit/hmac/tasks" { capabilities = ["update"] }'));
    expect(detailsOf(TransitKeyAutoRotate.check(key, context))[0]).toContain(
      'vault_policy.p grants "transit/hmac/tasks" (hmacs with the key)',
    );
  });

  test('GIVEN an encryption key rotating itself THEN not applicable', () => {
    const key = transitKey({ type: 'aes256-gcm96', name: 'app-data', auto_rotate_period: 86400 });
    expect(TransitKeyAutoRotate.check(key, contextOf(key)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('GIVEN 0 or unset THEN compliant; GIVEN a token THEN not applicable', () => {
    expect(TransitKeyAutoRotate.check(transitKey(), none).status).toBe(CheckStatus.COMPLIANT);
    expect(TransitKeyAutoRotate.check(transitKey({ auto_rotate_period: undefined }), none).status).toBe(
      CheckStatus.COMPLIANT,
    );
    expect(TransitKeyAutoRotate.check(transitKey({ auto_rotate_period: '${var.period}' }), none).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
  });

  test('GIVEN a generic endpoint turning on rotation of a declared ed25519 key THEN non-compliant', () => {
    const key = transitKey({ name: 'k' });
    const endpoint = resource('vault_generic_endpoint', {
      path: 'transit/keys/k/config',
      data_json: '{"auto_rotate_period":"720h"}',
    });
    expect(detailsOf(TransitKeyAutoRotate.check(endpoint, contextOf(key, endpoint)))[0]).toContain('(2592000 s)');
  });
});

describe('TransitKeySymmetricSigner and TransitKeySymmetric', () => {
  test('GIVEN an HMAC key whose name says it signs THEN the error rule fires and the warning rule does not', () => {
    const key = transitKey({ type: 'hmac', name: 'task-signer' });
    expect(detailsOf(TransitKeySymmetricSigner.check(key, contextOf(key)))).toEqual([
      'The transit key "transit/keys/task-signer" has type "hmac" and signs or verifies: its name "task-signer" says it signs',
    ]);
    expect(TransitKeySymmetric.check(key, contextOf(key)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('GIVEN a symmetric key used by a vault_transit_sign data source or a signer policy THEN error', () => {
    const key = transitKey({ type: 'aes256-gcm96', name: 'tasks', backend: '${vault_mount.t.path}' });
    const mount = resource('vault_mount', { path: 'platform/transit', type: 'transit' }, 't');
    const signer = data('vault_transit_sign', { path: 'platform/transit', name: 'tasks', input: 'aGk=' }, 's');
    expect(detailsOf(TransitKeySymmetricSigner.check(key, contextOf(key, mount, signer)))[0]).toContain(
      'data.vault_transit_sign.s uses it',
    );
    const grant = policy('path "${vault_mount.t.path}/sign/+" { capabilities = ["update"] }');
    expect(detailsOf(TransitKeySymmetricSigner.check(key, contextOf(key, mount, grant)))[0]).toContain(
      'vault_policy.p grants "platform/transit/sign/+" (signs with the key)',
    );
  });

  test('GIVEN a symmetric key with no signing evidence THEN only the warning rule fires', () => {
    const key = transitKey({ type: undefined, name: 'app-data' });
    expect(TransitKeySymmetricSigner.check(key, contextOf(key)).status).toBe(CheckStatus.NOT_APPLICABLE);
    expect(detailsOf(TransitKeySymmetric.check(key, contextOf(key)))).toEqual([
      'The transit key "transit/keys/app-data" has type "aes256-gcm96"',
    ]);
  });

  test('GIVEN an asymmetric key THEN both compliant; GIVEN a token type THEN not applicable', () => {
    const key = transitKey();
    expect(TransitKeySymmetricSigner.check(key, contextOf(key)).status).toBe(CheckStatus.COMPLIANT);
    expect(TransitKeySymmetric.check(key, contextOf(key)).status).toBe(CheckStatus.COMPLIANT);
    const token = transitKey({ type: '${var.type}' });
    expect(TransitKeySymmetricSigner.check(token, contextOf(token)).status).toBe(CheckStatus.NOT_APPLICABLE);
    expect(TransitKeySymmetric.check(token, contextOf(token)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });

  test('GIVEN a generic endpoint creating an HMAC signer key THEN error', () => {
    const endpoint = resource('vault_generic_endpoint', {
      path: 'transit/keys/bundle-signing',
      data_json: '{"type":"hmac"}',
    });
    expect(TransitKeySymmetricSigner.check(endpoint, contextOf(endpoint)).status).toBe(CheckStatus.NON_COMPLIANT);
  });
});

describe('SigningKeyPreventDestroy', () => {
  test('GIVEN a signing key without prevent_destroy THEN non-compliant', () => {
    expect(detailsOf(SigningKeyPreventDestroy.check(transitKey({ lifecycle: undefined }), none))).toEqual([
      'The transit key "transit/keys/node-task-signer" has no lifecycle.prevent_destroy = true',
    ]);
  });

  test('GIVEN prevent_destroy THEN compliant; GIVEN an encryption key THEN not applicable', () => {
    expect(SigningKeyPreventDestroy.check(transitKey(), none).status).toBe(CheckStatus.COMPLIANT);
    const enc = transitKey({ type: 'aes256-gcm96', name: 'app-data', lifecycle: undefined });
    expect(SigningKeyPreventDestroy.check(enc, contextOf(enc)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });
});
