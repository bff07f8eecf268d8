import { Token } from 'cdktf';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { CategoryShape, PathKind, SecretCategory, SecretPath, validateSecretPath } from '../../../lib/secrets';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e.code;
    throw e;
  }
  return undefined;
}

const MOUNT = 'dev/kv';

describe('SecretCategory', () => {
  test('the layout has exactly five documented categories', () => {
    expect(SecretCategory.ALL.map((c) => [c.prefix, c.shape])).toEqual([
      ['registry', CategoryShape.FLAT],
      ['signing', CategoryShape.FLAT],
      ['apps', CategoryShape.OWNED],
      ['operators', CategoryShape.OWNED],
      ['bootstrap', CategoryShape.FLAT],
    ]);
    expect(SecretCategory.fromPrefix('apps')).toBe(SecretCategory.APPS);
    expect(SecretCategory.fromPrefix('data')).toBeUndefined();
    expect(SecretCategory.SIGNING.folder).toBe('signing/');
    expect(SecretCategory.SIGNING.description).toContain('never private key material');
  });
});

describe('SecretPath builders', () => {
  test('build layout paths', () => {
    expect(SecretPath.registry('harbor-robot')).toBe('registry/harbor-robot');
    expect(SecretPath.signing('node-task-signer')).toBe('signing/node-task-signer');
    expect(SecretPath.app('billing', 'db')).toBe('apps/billing/db');
    expect(SecretPath.app('billing', 'stripe', 'webhook')).toBe('apps/billing/stripe/webhook');
    expect(SecretPath.appFolder('billing')).toBe('apps/billing/');
    expect(SecretPath.operator('alice', 'ssh')).toBe('operators/alice/ssh');
    expect(SecretPath.operatorFolder('alice')).toBe('operators/alice/');
    expect(SecretPath.folder(SecretCategory.REGISTRY)).toBe('registry/');
  });

  test('refuse names that would escape or break the layout', () => {
    expect(() => SecretPath.registry('../sys')).toThrow('[PT013]');
    expect(() => SecretPath.app('Billing', 'db')).toThrow('owner segment "Billing" must be lower-case');
    expect(() => SecretPath.registry('team/robot')).toThrow('expected "registry/<name>", got 3 segments');
    expect(() => SecretPath.app('billing', '')).toThrow('a name passed to SecretPath is empty');
    expect(() => SecretPath.registry('a_')).toThrow('Fix: use "a".');
  });
});

describe('validateSecretPath', () => {
  test.each([
    ['registry/harbor-robot', PathKind.SECRET, SecretCategory.REGISTRY],
    ['signing/node-task-signer', PathKind.SECRET, SecretCategory.SIGNING],
    ['apps/billing/db', PathKind.SECRET, SecretCategory.APPS],
    ['apps/billing/stripe/api.key', PathKind.SECRET, SecretCategory.APPS],
    ['operators/alice/ssh_key', PathKind.SECRET, SecretCategory.OPERATORS],
    ['apps/', PathKind.FOLDER, SecretCategory.APPS],
    ['apps/billing/', PathKind.FOLDER, SecretCategory.APPS],
    ['apps/billing/stripe/', PathKind.FOLDER, SecretCategory.APPS],
    ['registry/', PathKind.FOLDER, SecretCategory.REGISTRY],
    ['bootstrap/bundle', PathKind.SECRET, SecretCategory.BOOTSTRAP],
  ])('accepts %p as a %s', (path, kind, category) => {
    expect(validateSecretPath(MOUNT, path, kind)).toEqual({ path, kind, category });
  });

  test.each([
    // escapes: PT013
    ['/apps/billing/db', PathKind.SECRET, ErrorCode.PATH_OUTSIDE_MOUNT, 'it starts with "/" (an absolute path)'],
    ['apps/../../sys/policy', PathKind.SECRET, ErrorCode.PATH_OUTSIDE_MOUNT, 'contains a "." or ".." segment'],
    ['apps/billing/./db', PathKind.SECRET, ErrorCode.PATH_OUTSIDE_MOUNT, 'contains a "." or ".." segment'],
    ['dev/kv/apps/billing/db', PathKind.SECRET, ErrorCode.PATH_OUTSIDE_MOUNT, 'it starts with the mount path'],
    ['dev/kv', PathKind.SECRET, ErrorCode.PATH_OUTSIDE_MOUNT, 'it starts with the mount path'],
    // malformed or outside the layout: PT021
    ['', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'it is empty'],
    ['data/apps/billing/db', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'a KV v2 API prefix'],
    ['metadata/apps/', PathKind.FOLDER, ErrorCode.INVALID_SECRET_PATH, 'a KV v2 API prefix'],
    ['secrets/x', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'must start with one of the layout categories'],
    ['apps/billing/*', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'wildcard'],
    ['apps/+/db', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'wildcard'],
    ['apps//db', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'empty segment'],
    ['apps/billing/my secret', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'has characters other than'],
    ['apps/billing/', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'names a folder, not a secret'],
    ['apps/billing', PathKind.FOLDER, ErrorCode.INVALID_SECRET_PATH, 'does not end with "/"'],
    ['apps/billing', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'expected "apps/<owner>/<secret>"'],
    ['registry/a/b', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'expected "registry/<name>"'],
    ['registry/team/', PathKind.FOLDER, ErrorCode.INVALID_SECRET_PATH, '"registry/" has no sub-folders'],
    ['apps/Billing/db', PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'owner segment "Billing"'],
    [`apps/billing/${'x'.repeat(600)}`, PathKind.SECRET, ErrorCode.INVALID_SECRET_PATH, 'the limit is 512'],
  ])('refuses %p (%s)', (path, kind, code, reason) => {
    expect(() => validateSecretPath(MOUNT, path, kind)).toThrow(reason);
    expect(codeOf(() => validateSecretPath(MOUNT, path, kind))).toBe(code);
  });

  test('the message says what is wrong, quotes the value and gives the fix', () => {
    expect(() => validateSecretPath(MOUNT, 'dev/kv/apps/billing/db', PathKind.SECRET)).toThrow(
      '[PT013] A secret path must be relative to the KV mount "dev/kv" and stay inside it, but it starts with the mount path; grant paths are relative to the mount. Received: "dev/kv/apps/billing/db". Fix: use "apps/billing/db": paths are relative to the mount and never start with "/" or the mount path.',
    );
  });

  test('a mount named like a category does not make its own paths look prefixed', () => {
    expect(validateSecretPath('apps', 'apps/billing/db', PathKind.SECRET).category).toBe(SecretCategory.APPS);
  });

  describe('tokens', () => {
    const token = Token.asString({ Ref: 'app' });

    test('a token segment skips the character, owner and category checks', () => {
      expect(validateSecretPath(MOUNT, `apps/${token}/db`, PathKind.SECRET).category).toBe(SecretCategory.APPS);
      expect(validateSecretPath(MOUNT, `${token}/db/x`, PathKind.SECRET).category).toBeUndefined();
    });

    test('a token mount skips the mount-prefix check only', () => {
      const mount = Token.asString({ Ref: 'mount' });
      expect(validateSecretPath(mount, 'apps/billing/db', PathKind.SECRET).path).toBe('apps/billing/db');
      expect(() => validateSecretPath(mount, '/apps/billing/db', PathKind.SECRET)).toThrow('[PT013]');
    });

    test('literal escapes around a token are still refused', () => {
      expect(codeOf(() => validateSecretPath(MOUNT, `apps/${token}/../../x`, PathKind.SECRET))).toBe(
        ErrorCode.PATH_OUTSIDE_MOUNT,
      );
      expect(codeOf(() => validateSecretPath(MOUNT, `/${token}`, PathKind.SECRET))).toBe(ErrorCode.PATH_OUTSIDE_MOUNT);
      expect(() => validateSecretPath(MOUNT, `apps/${token}`, PathKind.FOLDER)).toThrow('does not end with "/"');
    });
  });
});
