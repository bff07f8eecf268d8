import { validateDistinctMountPaths } from '../../../lib/core/validation';
import { distinctFileProblems, filePathProblems, mountPathsOverlap } from '../../../lib/kernel/paths';

describe('node file paths', () => {
  test.each(['/etc/gpuaas/trust/ca.pem', '/a', '/etc/with space.pem', '/x/.hidden'])('accepts %p', (p) => {
    expect(filePathProblems(p, 'path')).toEqual([]);
  });

  test.each([
    ['etc/x', 'it is not absolute'],
    ['/etc/x/', 'it ends with "/"'],
    ['/', 'it contains an empty segment'],
    ['/etc//x', 'it contains an empty segment'],
    ['/etc/../x', 'it contains a "." or ".." segment'],
    ['/etc/./x', 'it contains a "." or ".." segment'],
    ['/etc/x\ty', 'it contains a control character or a backslash'],
    ['/etc/x\\y', 'it contains a control character or a backslash'],
    [`/${'a'.repeat(1024)}`, 'it is longer than 1024 characters'],
  ])('refuses %p: %s', (p, message) => {
    expect(filePathProblems(p, 'path').map((x) => x.message)).toContain(message);
  });

  test('distinct files: each repeat names the earlier file', () => {
    expect(
      distinctFileProblems([
        ['a', '/x'],
        ['b', '/y'],
        ['c', '/x'],
      ]),
    ).toEqual([{ code: 'same-file', path: 'c', message: 'equals a (/x); the files must be distinct' }]);
  });
});

describe('mount path overlap', () => {
  test.each([
    ['kv', 'kv', true],
    ['kv', 'kv/apps', true],
    ['/kv/', 'kv/apps', true],
    ['kv', 'kv2', false],
    ['platform/kv', 'platform/transit', false],
  ])('%s and %s: %s', (a, b, overlap) => {
    expect(mountPathsOverlap(a, b)).toBe(overlap);
    expect(mountPathsOverlap(b, a)).toBe(overlap);
  });

  test('validateDistinctMountPaths refuses what overlaps', () => {
    expect(() =>
      validateDistinctMountPaths([
        { kind: 'a', path: 'kv' },
        { kind: 'b', path: 'kv/apps' },
      ]),
    ).toThrow('PT010');
  });
});
