import { Token } from 'cdktf';
import * as fc from 'fast-check';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { RootRotationPhase, rootSchedule } from '../../../lib/pki/root-schedule';

const OVERLAP = '2027-01-31T00:00:00Z';
const BEFORE = '2027-01-15T00:00:00Z';
const AFTER = '2027-02-01T00:00:00Z';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e.code;
    throw e;
  }
  return undefined;
}

const rotation = (phase: RootRotationPhase) => ({ next: 'cp-root-2027', overlapUntil: OVERLAP, phase });

describe('rootSchedule: the three rotation steps', () => {
  test('GIVEN no rotation THEN the bundle carries the current root only', () => {
    expect(rootSchedule({ current: 'cp-root-2026' })).toEqual({
      roots: [{ name: 'cp-root-2026', state: 'current' }],
      defaultRoot: 'cp-root-2026',
      declared: ['cp-root-2026'],
    });
  });

  test('GIVEN PUBLISH_NEXT THEN current and next are published and the current root stays the default', () => {
    const s = rootSchedule({
      current: 'cp-root-2026',
      rotation: rotation(RootRotationPhase.PUBLISH_NEXT),
      asOf: BEFORE,
    });
    expect(s.roots).toEqual([
      { name: 'cp-root-2026', state: 'current' },
      { name: 'cp-root-2027', state: 'next' },
    ]);
    expect(s.defaultRoot).toBe('cp-root-2026');
    expect(s.declared).toEqual(['cp-root-2026', 'cp-root-2027']);
  });

  test('GIVEN SWITCH THEN next becomes current and the old root is previous until the overlap end', () => {
    const s = rootSchedule({ current: 'cp-root-2026', rotation: rotation(RootRotationPhase.SWITCH), asOf: BEFORE });
    expect(s.roots).toEqual([
      { name: 'cp-root-2027', state: 'current' },
      { name: 'cp-root-2026', state: 'previous', until: OVERLAP },
    ]);
    expect(s.defaultRoot).toBe('cp-root-2027');
    expect(s.outgoing).toBe('cp-root-2026');
  });

  test('GIVEN DROP_PREVIOUS after the overlap THEN only the new root is published, the old one stays declared', () => {
    const s = rootSchedule({
      current: 'cp-root-2026',
      rotation: rotation(RootRotationPhase.DROP_PREVIOUS),
      asOf: AFTER,
    });
    expect(s.roots).toEqual([{ name: 'cp-root-2027', state: 'current' }]);
    expect(s.declared).toEqual(['cp-root-2026', 'cp-root-2027']);
  });

  test('GIVEN the rotation is folded back (new root current, old retired) THEN Vault state is unchanged', () => {
    const s = rootSchedule({ current: 'cp-root-2027', retired: ['cp-root-2026'] });
    expect(s.roots).toEqual([{ name: 'cp-root-2027', state: 'current' }]);
    expect([...s.declared].sort()).toEqual(['cp-root-2026', 'cp-root-2027']);
  });
});

describe('rootSchedule: refusals', () => {
  test('GIVEN DROP_PREVIOUS before the overlap ends THEN it fails with the dates', () => {
    const fn = () =>
      rootSchedule({ current: 'cp-root-2026', rotation: rotation(RootRotationPhase.DROP_PREVIOUS), asOf: BEFORE });
    expect(fn).toThrow(
      `[PT006] Phase DROP_PREVIOUS removes the previous root from the bundle, but its overlap lasts until ${OVERLAP} and asOf is ${BEFORE}.`,
    );
    expect(codeOf(fn)).toBe(ErrorCode.INVALID_DATE);
  });

  test('GIVEN DROP_PREVIOUS without asOf THEN it fails (nothing proves the overlap ended)', () => {
    expect(() =>
      rootSchedule({ current: 'cp-root-2026', rotation: rotation(RootRotationPhase.DROP_PREVIOUS) }),
    ).toThrow('but no asOf date shows that its overlap');
  });

  test('GIVEN DROP_PREVIOUS with a token asOf THEN it still fails (a token proves nothing)', () => {
    const asOf = Token.asString({ Ref: 'x' });
    expect(
      codeOf(() =>
        rootSchedule({ current: 'cp-root-2026', rotation: rotation(RootRotationPhase.DROP_PREVIOUS), asOf }),
      ),
    ).toBe(ErrorCode.INVALID_DATE);
  });

  test('GIVEN SWITCH after the overlap ended THEN it asks for DROP_PREVIOUS', () => {
    expect(() =>
      rootSchedule({ current: 'cp-root-2026', rotation: rotation(RootRotationPhase.SWITCH), asOf: AFTER }),
    ).toThrow('set rotation.phase to RootRotationPhase.DROP_PREVIOUS');
  });

  test('GIVEN SWITCH with a token asOf THEN the date check is skipped', () => {
    const asOf = Token.asString({ Ref: 'x' });
    expect(
      rootSchedule({ current: 'a', rotation: { ...rotation(RootRotationPhase.SWITCH), next: 'b' }, asOf }).defaultRoot,
    ).toBe('b');
  });

  test('GIVEN PUBLISH_NEXT with an overlap already over THEN it fails', () => {
    expect(() =>
      rootSchedule({ current: 'cp-root-2026', rotation: rotation(RootRotationPhase.PUBLISH_NEXT), asOf: AFTER }),
    ).toThrow('give rotation.overlapUntil a date after asOf');
  });

  test('GIVEN next has the current name THEN it fails', () => {
    expect(() => rootSchedule({ current: 'cp-root-2027', rotation: rotation(RootRotationPhase.PUBLISH_NEXT) })).toThrow(
      'The next root has the same name as the current root',
    );
  });

  test('GIVEN a retired root reuses a name THEN it fails as a duplicate', () => {
    expect(codeOf(() => rootSchedule({ current: 'a', retired: ['a'] }))).toBe(ErrorCode.DUPLICATE);
  });

  test('GIVEN a bad overlap date THEN it fails as a date error', () => {
    expect(
      codeOf(() =>
        rootSchedule({
          current: 'a',
          rotation: { next: 'b', overlapUntil: '2027-02-30', phase: RootRotationPhase.SWITCH },
        }),
      ),
    ).toBe(ErrorCode.INVALID_DATE);
  });

  test('GIVEN an unknown phase THEN it fails', () => {
    expect(() =>
      rootSchedule({
        current: 'a',
        rotation: { next: 'b', overlapUntil: OVERLAP, phase: 'later' as RootRotationPhase },
      }),
    ).toThrow('Unknown rotation phase.');
  });
});

describe('rootSchedule: properties', () => {
  const day = 86_400_000;
  const base = Date.parse('2027-01-01T00:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const input = fc.record({
    phase: fc.option(fc.constantFrom(...Object.values(RootRotationPhase)), { nil: undefined }),
    overlapDays: fc.integer({ min: 1, max: 400 }),
    asOfDays: fc.option(fc.integer({ min: -100, max: 500 }), { nil: undefined }),
  });
  const run = (i: { phase?: RootRotationPhase; overlapDays: number; asOfDays?: number }) => {
    const overlapUntil = iso(base + i.overlapDays * day);
    const asOf = i.asOfDays === undefined ? undefined : iso(base + i.asOfDays * day);
    try {
      return {
        overlapUntil,
        asOf,
        s: rootSchedule({
          current: 'old',
          rotation: i.phase ? { next: 'new', overlapUntil, phase: i.phase } : undefined,
          asOf,
        }),
      };
    } catch (e) {
      if (e instanceof PlatformTrustError) return { overlapUntil, asOf, s: undefined };
      throw e;
    }
  };

  test('every accepted phase publishes exactly one current root, and it is the default issuer', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { s } = run(i);
        if (!s) return;
        const current = s.roots.filter((r) => r.state === 'current');
        expect(current).toHaveLength(1);
        expect(current[0].name).toBe(s.defaultRoot);
      }),
    );
  });

  test('every accepted phase keeps at least one root that is not expired at asOf', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { s, asOf } = run(i);
        if (!s || asOf === undefined) return;
        const live = s.roots.filter((r) => r.until === undefined || Date.parse(r.until) > Date.parse(asOf));
        expect(live.length).toBeGreaterThan(0);
      }),
    );
  });

  test('the old root is never dropped from the bundle before the overlap ends', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { s, asOf, overlapUntil } = run(i);
        if (!s) return;
        if (asOf === undefined || Date.parse(asOf) < Date.parse(overlapUntil)) {
          expect(s.roots.map((r) => r.name)).toContain('old');
        }
      }),
    );
  });

  test('no root is ever undeclared: every published root and the old root stay declared', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { s } = run(i);
        if (!s) return;
        for (const r of s.roots) expect(s.declared).toContain(r.name);
        expect(s.declared).toContain('old');
      }),
    );
  });
});
