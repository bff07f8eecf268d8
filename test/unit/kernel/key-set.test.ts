import fc from 'fast-check';
import { verifierSetProblems } from '../../../lib/checks/rules/verifier-set-explicit';
import { KeySetProblem as P, graceEndProblems, keySetProblems } from '../../../lib/kernel/key-set';
import { planVerifierSet } from '../../../lib/signing/verifier-set';

const U = '2027-01-31T00:00:00Z';
const codes = (entries: Parameters<typeof keySetProblems>[0]) => keySetProblems(entries).map((p) => p.code);

describe('key set schedule rules', () => {
  test('an explicit set has no problem', () => {
    expect(
      keySetProblems([
        { version: 1, state: 'grace', until: U },
        { version: 2, state: 'active' },
        { version: 3, state: 'next' },
      ]),
    ).toEqual([]);
  });

  test('a state that is an object without a primitive value is a problem, not a thrown error (found by the bundle fuzz test)', () => {
    const state = { toString: 0 } as unknown as 'grace';
    expect(() => keySetProblems([{ version: 1, state, until: U }])).not.toThrow();
    const problems = keySetProblems([{ version: 1, state, until: U }]);
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining([P.STATE, P.UNTIL_NOT_GRACE]));
    expect(problems.find((p) => p.code === P.UNTIL_NOT_GRACE)?.message).toContain('is {"toString":0} but carries');
  });

  test.each([
    [[{ version: 0, state: 'active' }], P.VERSION],
    [[{ version: 2 ** 31, state: 'active' }], P.VERSION],
    [
      [
        { version: 1, state: 'retired' },
        { version: 2, state: 'active' },
      ],
      P.STATE,
    ],
    [
      [
        { version: 1, state: 'grace' },
        { version: 2, state: 'active' },
      ],
      P.UNTIL_MISSING,
    ],
    [
      [
        { version: 1, state: 'grace', until: '31 Jan 2027' },
        { version: 2, state: 'active' },
      ],
      P.UNTIL_TIME,
    ],
    [[{ version: 1, state: 'active', until: U }], P.UNTIL_NOT_GRACE],
    [[{ version: 1, state: 'next' }], P.ACTIVE],
    [
      [
        { version: 1, state: 'active' },
        { version: 2, state: 'active' },
      ],
      P.ACTIVE,
    ],
    [
      [
        { version: 1, state: 'active' },
        { version: 2, state: 'next' },
        { version: 3, state: 'next' },
      ],
      P.NEXT,
    ],
    [
      [
        { version: 1, state: 'active' },
        { version: 2, state: 'grace', until: U },
      ],
      P.GRACE_NEWER,
    ],
    [
      [
        { version: 1, state: 'next' },
        { version: 2, state: 'active' },
      ],
      P.NEXT_OLDER,
    ],
    [
      [
        { version: 2, state: 'active' },
        { version: 2, state: 'next' },
      ],
      P.DUPLICATE,
    ],
    [
      [
        { version: 2, state: 'active' },
        { version: 1, state: 'grace', until: U },
      ],
      P.ORDER,
    ],
  ])('%j: %s', (entries, code) => {
    expect(codes(entries)).toContain(code);
  });

  test('an entry whose version is not known is judged on its state alone', () => {
    expect(
      keySetProblems([
        { state: 'grace', until: U },
        { version: 2, state: 'active' },
      ]),
    ).toEqual([]);
  });

  test('grace ends in version order is a schedule rule, apart from the set rules', () => {
    const entries = [
      { version: 1, state: 'grace', until: '2027-02-01T00:00:00Z' },
      { version: 2, state: 'grace', until: U },
      { version: 3, state: 'active' },
    ];
    expect(keySetProblems(entries)).toEqual([]);
    expect(graceEndProblems(entries, 'keys').map((p) => p.code)).toEqual([P.GRACE_ENDS]);
  });

  test('the rule pack reports the kernel messages', () => {
    const entries = [
      { version: 1, state: 'grace' },
      { version: 2, state: 'active' },
    ];
    expect(verifierSetProblems(entries)).toEqual(keySetProblems(entries).map((p) => p.message));
  });

  test('every schedule the constructs accept derives a set the kernel accepts (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(3),
        (active, ahead, graces) => {
          const grace = Array.from({ length: Math.min(graces, active - 1) }, (_, i) => ({
            version: active - Math.min(graces, active - 1) + i,
            until: `${2027 + i}-01-31T00:00:00Z`,
          }));
          const plan = planVerifierSet({ version: active + Math.min(ahead, 1), activeVersion: active, grace });
          expect(keySetProblems(plan.versions)).toEqual([]);
        },
      ),
    );
  });
});
