import { Token } from 'cdktf';
import {
  ErrorCode,
  PlatformTrustError,
  parseIsoUtc,
  validateDistinctMountPaths,
  validateHttpsUrl,
  validateMountPath,
  validateName,
  validateSeconds,
  validateVersion,
} from '../../../lib/core';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e.code;
    throw e;
  }
  return undefined;
}

describe('validateName', () => {
  test.each(['node-task-signer', 'a', 'dev_kv', 'x1', 'a'.repeat(64)])('accepts %p', (name) => {
    expect(validateName('key name', name)).toBe(name);
  });

  test.each([
    ['', 'it is empty'],
    ['a'.repeat(65), 'it is 65 characters long, the limit is 64'],
    ['team/key', 'it contains "/"'],
    ['my key', 'it contains whitespace'],
    ['Signer', 'it contains upper-case letters'],
    ['-lead', 'only letters a-z'],
    ['trail_', 'only letters a-z'],
    ['dot.name', 'only letters a-z'],
  ])('refuses %p: %s', (name, reason) => {
    expect(() => validateName('key name', name)).toThrow(reason);
    expect(codeOf(() => validateName('key name', name))).toBe(ErrorCode.INVALID_NAME);
  });

  test('the message quotes the value and says how to fix it', () => {
    expect(() => validateName('key name', 'team/key')).toThrow(
      '[PT001] Invalid key name: it contains "/", which Vault would read as a path separator. Received: "team/key". Fix: replace "/" with "-" (for example "team-key").',
    );
  });

  test('skips tokens', () => {
    const token = Token.asString({ Ref: 'x' });
    expect(validateName('key name', token)).toBe(token);
  });
});

describe('validateMountPath', () => {
  test.each(['transit', 'dev/transit', 'platform/kv-v2', 'a_b/c'])('accepts %p', (p) => {
    expect(validateMountPath('transit mount', p)).toBe(p);
  });

  test.each([
    ['', 'it is empty'],
    ['/transit', 'starts or ends with "/"'],
    ['transit/', 'starts or ends with "/"'],
    ['a//b', 'empty segment'],
    ['a/../b', '".." segment'],
    ['a/./b', '"." segment'],
    ['Transit', 'upper-case'],
    ['tran sit', 'whitespace'],
    ['kv.v2', 'characters other than'],
    ['x'.repeat(129), 'the limit is 128'],
  ])('refuses %p', (p, reason) => {
    expect(() => validateMountPath('transit mount', p)).toThrow(reason);
    expect(codeOf(() => validateMountPath('transit mount', p))).toBe(ErrorCode.INVALID_MOUNT_PATH);
  });

  test('skips tokens', () => {
    const token = Token.asString({ Ref: 'x' });
    expect(validateMountPath('kv mount', token)).toBe(token);
  });
});

describe('validateDistinctMountPaths', () => {
  test('accepts distinct, non-nested paths', () => {
    expect(() =>
      validateDistinctMountPaths([
        { kind: 'kv', path: 'dev/kv' },
        { kind: 'transit', path: 'dev/transit' },
        { kind: 'kv2', path: 'dev/kv2' },
      ]),
    ).not.toThrow();
  });
  test.each([
    ['dev/kv', 'dev/kv'],
    ['dev/kv', 'dev/kv/apps'],
    ['dev', 'dev/transit'],
  ])('refuses %p with %p', (a, b) => {
    const fn = () =>
      validateDistinctMountPaths([
        { kind: 'kv mount', path: a },
        { kind: 'transit mount', path: b },
      ]);
    expect(fn).toThrow('Duplicate or overlapping mount path: kv mount and transit mount both use it.');
    expect(codeOf(fn)).toBe(ErrorCode.DUPLICATE);
  });
});

describe('validateVersion', () => {
  test.each([1, 2, 1000])('accepts %p', (v) => expect(validateVersion('version', v)).toBe(v));
  test.each([0, -1, 1.5, NaN, Infinity])('refuses %p', (v) => {
    expect(() => validateVersion('version', v)).toThrow('key versions are whole numbers starting at 1');
    expect(codeOf(() => validateVersion('version', v))).toBe(ErrorCode.INVALID_VERSION);
  });
  test('skips tokens', () => {
    const token = Token.asNumber({ Ref: 'x' });
    expect(validateVersion('version', token)).toBe(token);
  });
});

describe('parseIsoUtc', () => {
  test('parses UTC date-times', () => {
    expect(parseIsoUtc('until', '2026-12-31T00:00:00Z')).toBe(Date.UTC(2026, 11, 31));
    expect(parseIsoUtc('until', '2026-12-31T23:59:59.5Z')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 500));
    // The kernel's one grammar (the bundle schemas' isoUtc): up to 9 fraction digits, kept to the millisecond.
    expect(parseIsoUtc('until', '2026-12-31T23:59:59.123456789Z')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 123));
  });
  test.each([
    '2026-12-31',
    '2026-12-31T00:00:00',
    '2026-12-31T00:00:00+01:00',
    '2026-02-30T00:00:00Z',
    'tomorrow',
    '',
    '2026-13-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '2026-12-31T24:00:00Z',
    '2026-12-31T00:00:00.1234567890Z',
  ])('refuses %p', (v) => {
    expect(() => parseIsoUtc('grace end', v)).toThrow('Invalid grace end: expected an ISO 8601 UTC date-time.');
  });
});

describe('validateHttpsUrl', () => {
  test('accepts https URLs', () => {
    expect(validateHttpsUrl('control-plane URL', 'https://cp.example:8443/api')).toBe('https://cp.example:8443/api');
  });
  test.each([
    ['http://cp.example', 'nodes only talk https'],
    ['cp.example', 'not an absolute URL'],
    ['https://user:pw@cp.example', 'carries credentials'],
    ['https://cp.example/?a=1', 'query or fragment'],
  ])('refuses %p', (u, reason) => {
    expect(() => validateHttpsUrl('control-plane URL', u)).toThrow(reason);
    expect(codeOf(() => validateHttpsUrl('control-plane URL', u))).toBe(ErrorCode.INVALID_URL);
  });
});

describe('validateSeconds', () => {
  test('accepts a value in range', () => expect(validateSeconds('ttl', 60, 1, 100)).toBe(60));
  test.each([0, 101, 1.5])('refuses %p', (v) => {
    expect(() => validateSeconds('ttl', v, 1, 100)).toThrow('give a whole number of seconds between 1 and 100');
  });
});
