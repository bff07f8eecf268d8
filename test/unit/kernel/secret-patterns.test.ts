import {
  CONFIGURATION_KINDS,
  credentialAssignmentPattern,
  findSecretInText,
  isCredentialField,
} from '../../../lib/kernel/secret-patterns';
import { ROOT_A } from '../pki/fixtures';

// Built at run time so the repository itself holds no secret-shaped literal.
const token = (prefix: string, length: number) => `${prefix}${'aB3'.repeat(40).slice(0, length)}`;
const uuid = ['6a174c20', 'f6de', 'a53c', '74d2', '6018fcceff64'].join('-');

describe('what the stack legitimately renders passes every pattern', () => {
  test.each([
    ['a PEM certificate', ROOT_A],
    ['a base64 Ed25519 key', 'khfi3i25xSPKRSKnVIDV190jq18t1qVfNeAcJgGwNg0='],
    ['a kid', 'node-task-signer:v12:7c15f3eaae7f5833'],
    ['a pin', `sha256:${'0123456789abcdef'.repeat(4)}`],
    ['a control-plane URL', 'https://control.dev.platform.internal:8443/api'],
    ['a node path', '/etc/gpuaas/trust/control-plane-ca.pem'],
    ['a reference to a resource named s', `vault_mount.${token('s.', 30)}`],
  ])('%s', (_, text) => {
    expect(findSecretInText(text)).toBeUndefined();
  });
});

describe('secret material is found, and only non-secret matches are quotable', () => {
  test.each([
    ['pem-private-key', ['-----BEGIN', 'EC PRIVATE KEY-----'].join(' '), false],
    ['vault-token', token('hvs.', 24), false],
    ['vault-token', token('r.', 30), false],
    ['vault-setting', 'VAULT_ADDR', true],
    ['approle-id', uuid, false],
    ['vault-api-address', 'https://vault.internal:8200/v1/', true],
  ])('%s', (kind, text, quotable) => {
    const m = findSecretInText(`x ${text} y`);
    expect(m?.kind).toBe(kind);
    expect(m?.quotable !== undefined).toBe(quotable);
  });

  test('the configuration scan checks private keys and tokens only (UUIDs are ordinary ids in a stack)', () => {
    expect(findSecretInText(uuid, CONFIGURATION_KINDS)).toBeUndefined();
    expect(findSecretInText(token('hvb.', 30), CONFIGURATION_KINDS)?.kind).toBe('vault-token');
  });
});

describe('credential fields', () => {
  test.each(['secret_id', 'ROLE_ID', 'token', 'vault_addr', 'password'])('%s is a credential field', (name) => {
    expect(isCredentialField(name)).toBe(true);
  });
  test.each(['path', 'pems', 'token_count', 'kid'])('%s is not', (name) => {
    expect(isCredentialField(name)).toBe(false);
  });
  test('assignments in JSON and HCL text', () => {
    expect(credentialAssignmentPattern().exec('{"secret_id": "x"}')?.[1]).toBe('secret_id');
    expect(credentialAssignmentPattern().exec('{ role_id = local.r }')?.[1]).toBe('role_id');
    expect(credentialAssignmentPattern().exec('{ "VAULT_ADDR" = "x" }')).toBeNull();
    expect(credentialAssignmentPattern().exec('token == 1')).toBeNull();
  });
});
