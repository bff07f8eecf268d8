import { KnownMount } from '../../../lib/checks';
import {
  ANY_SEGMENT,
  TRANSIT_MATERIAL_ENDPOINTS,
  globReach,
  parsePathPattern,
  patternMeets,
  transitReach,
} from '../../../lib/checks/private/vault-paths';
import { isExpression, readDurationSeconds, EXPRESSION } from '../../../lib/checks/private/values';

const MOUNTS: KnownMount[] = [
  { address: 'vault_mount.kv', path: 'dev/kv', type: 'kv', kvVersion: 2 },
  { address: 'vault_mount.kv1', path: 'legacy', type: 'kv', kvVersion: 1 },
  { address: 'vault_mount.transit', path: 'dev/transit', type: 'transit' },
  { address: 'vault_mount.pki', path: 'dev/pki-nodes', type: 'pki' },
];

describe('patternMeets', () => {
  test.each([
    ['transit/keys/k', ['transit', 'keys', ANY_SEGMENT], true],
    ['transit/keys/k/trim', ['transit', 'keys', ANY_SEGMENT], false],
    ['transit/keys/+', ['transit', 'keys', 'k'], true],
    ['transit/keys/*', ['transit', 'keys', 'k', 'trim'], true],
    ['transit/keys/*', ['transit', 'keys'], false],
    ['transit/ke*', ['transit', 'keys', 'k'], true],
    ['transit*', ['transit', 'keys', 'k'], true],
    ['transit/export/+/k', ['transit', 'export', { anyOf: ['signing-key'] }, 'k'], true],
    ['transit/export/public-key/k', ['transit', 'export', { anyOf: ['signing-key'] }, 'k'], false],
    ['${var.m}/keys/k', ['transit', 'keys', 'k'], false],
  ] as const)('%s against %j is %s', (pattern, probe, expected) => {
    expect(patternMeets(parsePathPattern(pattern), probe as never)).toBe(expected);
  });
});

describe('globReach', () => {
  test.each([
    ['dev/kv/data/apps/billing/db', 'none'],
    ['*', 'broad'],
    ['dev/*', 'broad'],
    ['dev/k*', 'broad'],
    ['dev/kv/*', 'broad'],
    ['dev/kv/data/*', 'broad'],
    ['dev/kv/metadata/+/x', 'broad'],
    ['dev/kv/data/apps/*', 'kv-subtree'],
    ['dev/kv/metadata/apps/billing/*', 'kv-subtree'],
    ['legacy/*', 'broad'],
    ['legacy/apps/*', 'kv-subtree'],
    ['dev/transit/*', 'broad'],
    ['dev/transit/sign/*', 'none'],
    ['dev/pki-nodes/issue/+', 'none'],
    ['other/data/*', 'broad'],
    ['other/data/team/*', 'kv-subtree'],
    ['sys/policies/acl/*', 'none'],
  ])('%s reaches %s', (path, kind) => {
    expect(globReach(parsePathPattern(path), MOUNTS).kind).toBe(kind);
  });
});

describe('transitReach', () => {
  const reach = (path: string, capabilities: string[], mounts: KnownMount[] = MOUNTS) =>
    transitReach({ path, capabilities, line: 1 }, TRANSIT_MATERIAL_ENDPOINTS, mounts).map(
      (r) => `${r.mount}: ${r.endpoint.what}`,
    );

  test('finds export, backup, trim and delete under declared and named mounts', () => {
    expect(reach('dev/transit/export/signing-key/k', ['read'])).toEqual(['dev/transit: exports private key material']);
    expect(reach('dev/transit/export/public-key/k', ['read'])).toEqual([]);
    expect(reach('elsewhere/export/signing-key/k/1', ['read'])).toEqual([
      'elsewhere: exports private key material of one version',
    ]);
    expect(reach('transit/backup/k', ['read'], [])).toEqual(['transit: takes a key backup']);
    expect(reach('kv/data/backup/k', ['read'], [])).toEqual([]);
    expect(reach('transit/keys/k/trim', ['update'], [])).toEqual([
      'transit: trims (permanently deletes) old key versions',
    ]);
    expect(reach('transit/keys/k', ['delete'], [])).toEqual(['transit: deletes a key']);
    expect(reach('transit/keys/k', ['read', 'update'], [])).toEqual([]);
  });

  test('finds globs that cover those endpoints, and ignores deny', () => {
    expect(reach('dev/transit/*', ['read'])).toEqual([
      'dev/transit: exports private key material',
      'dev/transit: exports private key material of one version',
      'dev/transit: takes a key backup',
    ]);
    expect(reach('transit/*', ['delete'], [])).toEqual(['transit: deletes a key']);
    expect(reach('*', ['read'])).toHaveLength(3);
    expect(reach('dev/transit/*', ['deny', 'read'])).toEqual([]);
  });
});

describe('values', () => {
  test.each([
    ['${var.x}', true],
    ['%{ if x }a%{ endif }', true],
    ['a ${b} c', true],
    ['$${literal}', false],
    ['plain', false],
  ])('isExpression(%j) is %s', (v, expected) => {
    expect(isExpression(v)).toBe(expected);
  });

  test.each([
    [undefined, undefined],
    ['', undefined],
    [3600, 3600],
    ['3600', 3600],
    ['72h', 259200],
    ['1h30m', 5400],
    ['30d', 2592000],
    ['${var.ttl}', EXPRESSION],
    ['soon', NaN],
  ])('readDurationSeconds(%j) is %s', (v, expected) => {
    expect(readDurationSeconds(v)).toEqual(expected);
  });
});
