import * as fc from 'fast-check';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { acceptedAt, checkScheduleChange, planVerifierSet, SigningSchedule } from '../../../lib/signing/verifier-set';

function errorOf(fn: () => unknown): PlatformTrustError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e;
    throw e;
  }
  throw new Error('expected a PlatformTrustError');
}

describe('planVerifierSet', () => {
  test('a single version is active and is both floors', () => {
    expect(planVerifierSet({ version: 1 })).toEqual({
      versions: [{ version: 1, state: 'active' }],
      activeVersion: 1,
      compromised: [],
      emergencyRotation: false,
      latestVersion: 1,
      minDecryptionVersion: 1,
      minEncryptionVersion: 1,
    });
  });

  test('pre-publish: the new version is next, the old one still active', () => {
    const plan = planVerifierSet({ version: 2, activeVersion: 1 });
    expect(plan.versions).toEqual([
      { version: 1, state: 'active' },
      { version: 2, state: 'next' },
    ]);
    expect([plan.minDecryptionVersion, plan.minEncryptionVersion]).toEqual([1, 1]);
  });

  test('activate: the previous version is in grace with its end', () => {
    const plan = planVerifierSet({ version: 2, grace: [{ version: 1, until: '2026-12-31T00:00:00Z' }] });
    expect(plan.versions).toEqual([
      { version: 1, state: 'grace', until: '2026-12-31T00:00:00Z' },
      { version: 2, state: 'active' },
    ]);
    expect([plan.minDecryptionVersion, plan.minEncryptionVersion]).toEqual([1, 2]);
  });

  test('retire: dropping the grace entry raises the decryption floor', () => {
    expect(planVerifierSet({ version: 2 }).minDecryptionVersion).toBe(2);
  });

  test('rollback: an older version signs again, the newer one stays published as next', () => {
    const plan = planVerifierSet({ version: 2, activeVersion: 1 });
    expect(plan.activeVersion).toBe(1);
    expect(plan.minEncryptionVersion).toBe(1);
  });

  test.each([
    [{ version: 0 }, ErrorCode.INVALID_VERSION, 'Invalid version: key versions are whole numbers starting at 1.'],
    [{ version: -1 }, ErrorCode.INVALID_VERSION, 'Received: -1'],
    [{ version: 1.5 }, ErrorCode.INVALID_VERSION, 'Received: 1.5'],
    [{ version: 2, activeVersion: 0 }, ErrorCode.INVALID_VERSION, 'Invalid activeVersion'],
    [{ version: 1, activeVersion: 2 }, ErrorCode.INVALID_ACTIVE_VERSION, 'activeVersion (2) is above version (1)'],
    [
      { version: 2, grace: [{ version: 2, until: '2026-12-31T00:00:00Z' }] },
      ErrorCode.INVALID_GRACE,
      'is not older than activeVersion (2)',
    ],
    [
      { version: 2, grace: [{ version: 3, until: '2026-12-31T00:00:00Z' }] },
      ErrorCode.INVALID_GRACE,
      'is above version (2)',
    ],
    [
      { version: 3, grace: [{ version: 0, until: '2026-12-31T00:00:00Z' }] },
      ErrorCode.INVALID_VERSION,
      'Invalid grace version',
    ],
    [
      {
        version: 3,
        grace: [
          { version: 1, until: '2026-12-31T00:00:00Z' },
          { version: 1, until: '2026-12-31T00:00:00Z' },
        ],
      },
      ErrorCode.INVALID_GRACE,
      'Duplicate grace entry for version 1.',
    ],
    [
      {
        version: 3,
        grace: [
          { version: 2, until: '2026-12-31T00:00:00Z' },
          { version: 1, until: '2026-12-31T00:00:00Z' },
        ],
      },
      ErrorCode.INVALID_GRACE,
      'Grace entries are not sorted by version.',
    ],
    [
      { version: 2, grace: [{ version: 1, until: '2026-12-31' }] },
      ErrorCode.INVALID_DATE,
      'Invalid grace end for version 1',
    ],
    [
      {
        version: 3,
        grace: [
          { version: 1, until: '2027-01-31T00:00:00Z' },
          { version: 2, until: '2026-12-31T00:00:00Z' },
        ],
      },
      ErrorCode.INVALID_GRACE,
      'ends before grace for the older version 1',
    ],
  ] as Array<[SigningSchedule, ErrorCode, string]>)('refuses %j', (schedule, code, message) => {
    const e = errorOf(() => planVerifierSet(schedule));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
    expect(e.message).toContain('Fix: ');
  });

  test('acceptedAt drops grace entries whose end has passed', () => {
    const plan = planVerifierSet({
      version: 3,
      activeVersion: 2,
      grace: [{ version: 1, until: '2026-12-31T00:00:00Z' }],
    });
    expect(acceptedAt(plan, Date.UTC(2026, 11, 30))).toEqual([1, 2, 3]);
    expect(acceptedAt(plan, Date.UTC(2026, 11, 31))).toEqual([2, 3]);
  });

  test('checkScheduleChange refuses a lowered version', () => {
    expect(() => checkScheduleChange({ version: 3 }, { version: 4 })).not.toThrow();
    expect(errorOf(() => checkScheduleChange({ version: 3 }, { version: 2 })).message).toContain(
      'version went down from 3 to 2: key versions only move forward',
    );
  });

  const schedule = fc
    .record({
      version: fc.integer({ min: 1, max: 20 }),
      back: fc.integer({ min: 0, max: 3 }),
      graceCount: fc.integer({ min: 0, max: 4 }),
      startDay: fc.integer({ min: 0, max: 300 }),
    })
    .map(({ version, back, graceCount, startDay }) => {
      const activeVersion = Math.max(1, version - back);
      const graceVersions = Array.from(
        { length: Math.min(graceCount, activeVersion - 1) },
        (_, i) => activeVersion - 1 - i,
      ).reverse();
      return {
        version,
        activeVersion,
        grace: graceVersions.map((v, i) => ({
          version: v,
          until: new Date(Date.UTC(2026, 0, 1 + startDay + i)).toISOString().replace('.000', ''),
        })),
      };
    });

  test('property: the set is sorted, has one active version, at least one version valid at any time, and only grace entries end', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 4e12 }), (s, now) => {
        const plan = planVerifierSet(s);
        const versions = plan.versions.map((v) => v.version);
        expect([...versions].sort((a, b) => a - b)).toEqual(versions);
        expect(new Set(versions).size).toBe(versions.length);
        expect(plan.versions.filter((v) => v.state === 'active')).toHaveLength(1);
        expect(plan.versions.filter((v) => v.until !== undefined).every((v) => v.state === 'grace')).toBe(true);
        expect(plan.versions.filter((v) => v.state === 'next').every((v) => v.version === plan.latestVersion)).toBe(
          true,
        );
        expect(acceptedAt(plan, now)).toContain(plan.activeVersion);
        expect(plan.minDecryptionVersion).toBe(versions[0]);
        expect(plan.minEncryptionVersion).toBe(plan.activeVersion);
      }),
    );
  });

  test('property: every lifecycle step (pre-publish, activate, retire) keeps the active version valid and never lowers version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        const steps: SigningSchedule[] = [
          { version: n },
          { version: n + 1, activeVersion: n },
          { version: n + 1, grace: [{ version: n, until: '2027-01-01T00:00:00Z' }] },
          { version: n + 1 },
        ];
        for (let i = 1; i < steps.length; i++) {
          checkScheduleChange(steps[i - 1], steps[i]);
          const before = planVerifierSet(steps[i - 1]);
          const after = planVerifierSet(steps[i]);
          // The version that signed before the step is still accepted right after it (or was retired on purpose).
          const stillAccepted = after.versions.some((v) => v.version === before.activeVersion);
          expect(stillAccepted || i === 3).toBe(true);
          expect(after.versions.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('planVerifierSet: compromised versions (the emergency line)', () => {
  test('GIVEN the active version compromised THEN the key rotates past it and activates the new version; the set drops it', () => {
    const plan = planVerifierSet({
      version: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
      compromised: [2],
    });
    expect(plan).toMatchObject({
      latestVersion: 3,
      activeVersion: 3,
      compromised: [2],
      emergencyRotation: true,
      emergencyVersion: 3,
      minEncryptionVersion: 3,
      minDecryptionVersion: 1,
    });
    expect(plan.versions.map((v) => `${v.version}:${v.state}`)).toEqual(['1:grace', '3:active']);
  });

  test('GIVEN a grace version compromised THEN it leaves the set at once, nothing rotates, and the floors rise', () => {
    const plan = planVerifierSet({
      version: 2,
      grace: [{ version: 1, until: '2027-01-01T00:00:00Z' }],
      compromised: [1],
    });
    expect(plan).toMatchObject({
      latestVersion: 2,
      activeVersion: 2,
      emergencyRotation: false,
      minDecryptionVersion: 2,
    });
    expect(plan.versions.map((v) => v.version)).toEqual([2]);
  });

  test('GIVEN a pre-published next version and the active one compromised THEN the next version activates without a new rotation', () => {
    const plan = planVerifierSet({ version: 3, compromised: [2] });
    expect(plan).toMatchObject({ latestVersion: 3, activeVersion: 3, emergencyRotation: false, emergencyVersion: 3 });
  });

  test('GIVEN every listed version compromised, up to a pre-published one THEN it rotates past the highest', () => {
    expect(planVerifierSet({ version: 3, compromised: [1, 2, 3] })).toMatchObject({
      latestVersion: 4,
      activeVersion: 4,
    });
  });

  test('GIVEN a bad list THEN PT038 says what is wrong', () => {
    expect(() => planVerifierSet({ version: 2, compromised: [2, 1] })).toThrow(
      '[PT038] compromised versions are not ascending',
    );
    expect(() => planVerifierSet({ version: 2, compromised: [0] })).toThrow(
      '[PT038] compromised[0] is not a key version',
    );
    expect(() => planVerifierSet({ version: 2, activeVersion: 1, compromised: [1] })).toThrow(
      '[PT038] activeVersion 1 is listed as compromised',
    );
  });
});
