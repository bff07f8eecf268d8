import fc from 'fast-check';
import { MAX_REFRESH_HINT_SECONDS } from '../../../lib/kernel/formats';
import {
  DEFAULT_ROLLOUT_REFRESHES,
  FreshnessProblem,
  freshnessProblems,
  isExpired,
  revocationProblems,
  revokedListedProblems,
  rolloutWindowSeconds,
} from '../../../lib/kernel/freshness';
import { MAX_KEY_VERSION } from '../../../lib/kernel/key-set';

const pin = (c: string) => `sha256:${c.repeat(64)}`;
const codes = (ps: readonly { code: string }[]) => ps.map((p) => p.code);
const paths = (ps: readonly { path: string }[]) => ps.map((p) => p.path);
const NONE = { task_key_versions: [], bundle_key_versions: [], root_pins: [] };

describe('freshnessProblems', () => {
  test('GIVEN an ISO 8601 UTC expiry and a hint from 1 second to a week THEN no problem', () => {
    expect(freshnessProblems({ expires: '2026-03-01T00:00:00Z', refresh_hint_seconds: 3600 }, 'f')).toEqual([]);
    expect(freshnessProblems({ expires: '2026-03-01T00:00:00.5Z', refresh_hint_seconds: 1 }, 'f')).toEqual([]);
    expect(freshnessProblems({ refresh_hint_seconds: MAX_REFRESH_HINT_SECONDS }, 'f')).toEqual([]);
    expect(MAX_REFRESH_HINT_SECONDS).toBe(7 * 24 * 3600);
  });

  test('GIVEN members not known yet (undefined) THEN they are skipped', () => {
    expect(freshnessProblems({}, 'f')).toEqual([]);
  });

  test.each<[unknown, string]>([
    ['2026-03-01T00:00:00+01:00', 'an offset'],
    ['2026-03-01', 'a date alone'],
    ['2026-02-30T00:00:00Z', 'a day that does not exist'],
    [1772323200000, 'epoch milliseconds'],
    [null, 'null'],
  ])('GIVEN an expiry %p (%s) THEN an iso-time problem at .expires', (expires) => {
    const ps = freshnessProblems({ expires }, 'bundle.freshness');
    expect(codes(ps)).toEqual([FreshnessProblem.EXPIRES]);
    expect(paths(ps)).toEqual(['bundle.freshness.expires']);
  });

  test.each([0, -1, 1.5, MAX_REFRESH_HINT_SECONDS + 1, Number.NaN, Infinity, '60', null])(
    'GIVEN a refresh hint %p THEN a freshness-refresh-hint problem at .refresh_hint_seconds',
    (hint) => {
      const ps = freshnessProblems({ expires: '2026-03-01T00:00:00Z', refresh_hint_seconds: hint }, 'f');
      expect(codes(ps)).toEqual([FreshnessProblem.REFRESH_HINT]);
      expect(ps[0].path).toBe('f.refresh_hint_seconds');
      expect(ps[0].message).toContain(`1 to ${MAX_REFRESH_HINT_SECONDS}`);
    },
  );

  test('GIVEN both members wrong THEN both problems, expiry first', () => {
    expect(codes(freshnessProblems({ expires: 'soon', refresh_hint_seconds: 0 }, 'f'))).toEqual([
      FreshnessProblem.EXPIRES,
      FreshnessProblem.REFRESH_HINT,
    ]);
  });
});

describe('isExpired', () => {
  const expires = '2026-03-01T00:00:00Z';
  const at = Date.UTC(2026, 2, 1);

  test('GIVEN the instant before the expiry THEN not expired; from the expiry on THEN expired (the end is exclusive)', () => {
    expect(isExpired({ expires }, at - 1)).toBe(false);
    expect(isExpired({ expires }, at)).toBe(true);
    expect(isExpired({ expires }, at + 1)).toBe(true);
  });

  test('GIVEN an expiry that does not parse THEN expired (fail closed)', () => {
    expect(isExpired({ expires: 'never' }, 0)).toBe(true);
    expect(isExpired({ expires: '9999-12-31T23:59:59+00:00' }, 0)).toBe(true);
  });

  test('GIVEN any instant THEN expired exactly when it is at or after the parsed expiry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), fc.integer({ min: 0, max: 4102444800000 }), (e, now) => {
        expect(isExpired({ expires: new Date(e).toISOString() }, now)).toBe(now >= e);
      }),
    );
  });
});

describe('revocationProblems', () => {
  test('GIVEN empty lists, or ascending versions and sorted lower-case pins THEN no problem', () => {
    expect(revocationProblems(NONE, 'r')).toEqual([]);
    expect(
      revocationProblems(
        { task_key_versions: [1, 3, MAX_KEY_VERSION], bundle_key_versions: [2], root_pins: [pin('0'), pin('a')] },
        'r',
      ),
    ).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['a version 0', { task_key_versions: [0] }, FreshnessProblem.REVOKED_VERSION, 'r.task_key_versions[0]'],
    [
      'a fractional version',
      { bundle_key_versions: [1.5] },
      FreshnessProblem.REVOKED_VERSION,
      'r.bundle_key_versions[0]',
    ],
    [
      'a version above the maximum',
      { task_key_versions: [MAX_KEY_VERSION + 1] },
      FreshnessProblem.REVOKED_VERSION,
      'r.task_key_versions[0]',
    ],
    ['a version as text', { task_key_versions: ['2'] }, FreshnessProblem.REVOKED_VERSION, 'r.task_key_versions[0]'],
    ['versions not a list', { bundle_key_versions: 2 }, FreshnessProblem.REVOKED_VERSION, 'r.bundle_key_versions'],
    [
      'a missing version list',
      { task_key_versions: undefined },
      FreshnessProblem.REVOKED_VERSION,
      'r.task_key_versions',
    ],
    ['descending versions', { task_key_versions: [4, 2] }, FreshnessProblem.REVOKED_ORDER, 'r.task_key_versions[1]'],
    ['a repeated version', { bundle_key_versions: [3, 3] }, FreshnessProblem.REVOKED_ORDER, 'r.bundle_key_versions[1]'],
    ['pins not a list', { root_pins: pin('a') }, FreshnessProblem.REVOKED_PIN, 'r.root_pins'],
    ['an upper-case pin', { root_pins: [pin('A')] }, FreshnessProblem.REVOKED_PIN, 'r.root_pins[0]'],
    ['a short pin', { root_pins: ['sha256:abcd'] }, FreshnessProblem.REVOKED_PIN, 'r.root_pins[0]'],
    [
      'a pin of another hash',
      { root_pins: [`sha1:${'a'.repeat(64)}`] },
      FreshnessProblem.REVOKED_PIN,
      'r.root_pins[0]',
    ],
    ['unsorted pins', { root_pins: [pin('b'), pin('a')] }, FreshnessProblem.REVOKED_ORDER, 'r.root_pins[1]'],
    ['a repeated pin', { root_pins: [pin('c'), pin('c')] }, FreshnessProblem.REVOKED_ORDER, 'r.root_pins[1]'],
  ])('GIVEN %s THEN one problem with its code and path', (_, change, code, path) => {
    const ps = revocationProblems({ ...NONE, ...change }, 'r');
    expect(codes(ps)).toEqual([code]);
    expect(paths(ps)).toEqual([path]);
  });

  test('GIVEN a bad version between good ones THEN the order is checked only between versions', () => {
    expect(codes(revocationProblems({ ...NONE, task_key_versions: [1, 'x', 2] }, 'r'))).toEqual([
      FreshnessProblem.REVOKED_VERSION,
    ]);
  });
});

describe('revokedListedProblems', () => {
  const trusted = { taskKeyVersions: [2, 3], bundleKeyVersions: [1, 2], rootPins: [pin('a'), pin('B')] };

  test('GIVEN revocations of items the bundle no longer trusts THEN no problem', () => {
    const revoked = { task_key_versions: [1], bundle_key_versions: [3], root_pins: [pin('c')] };
    expect(revokedListedProblems(revoked, trusted, 'bundle.revoked')).toEqual([]);
    expect(revokedListedProblems(NONE, trusted, 'bundle.revoked')).toEqual([]);
  });

  test('GIVEN a revoked item that is still trusted, of each kind THEN a revoked-listed problem naming it', () => {
    const revoked = { task_key_versions: [1, 3], bundle_key_versions: [2], root_pins: [pin('b')] };
    const ps = revokedListedProblems(revoked, trusted, 'bundle.revoked');
    expect(codes(ps)).toEqual([
      FreshnessProblem.REVOKED_LISTED,
      FreshnessProblem.REVOKED_LISTED,
      FreshnessProblem.REVOKED_LISTED,
    ]);
    expect(paths(ps)).toEqual([
      'bundle.revoked.task_key_versions',
      'bundle.revoked.bundle_key_versions',
      'bundle.revoked.root_pins',
    ]);
    expect(ps[0].message).toBe('task key version 3 is revoked but still in the task verifier set');
    expect(ps[1].message).toBe('bundle key version 2 is revoked but still in the bundle key set');
    // trusted pins compare case-insensitively
    expect(ps[2].message).toBe(`root ${pin('b')} is revoked but still a public HTTPS root`);
  });

  test('GIVEN a version revoked for one kind of key THEN the other kind is not affected', () => {
    const revoked = { task_key_versions: [], bundle_key_versions: [3], root_pins: [] };
    expect(revokedListedProblems(revoked, trusted, 'r')).toEqual([]);
  });
});

describe('rolloutWindowSeconds', () => {
  test('GIVEN a refresh hint, a number of refreshes and extra seconds THEN hint x refreshes + extra', () => {
    expect(rolloutWindowSeconds(3600, DEFAULT_ROLLOUT_REFRESHES)).toBe(3 * 3600);
    expect(rolloutWindowSeconds(60, 5, 30)).toBe(330);
  });
});
