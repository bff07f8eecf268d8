import { rootSchedule, RootRotationPhase } from '../../../lib/pki/root-schedule';
import {
  DueItem,
  EXIT_DUE,
  EXIT_NOTHING_DUE,
  EXIT_SOON,
  RotationPolicy,
  effectiveKeySchedule,
  planRotations,
  statusExitCode,
  tsLiteral,
} from '../../../lib/schedule';
import { SigningSchedule, planVerifierSet } from '../../../lib/signing/verifier-set';
import type { EnvironmentConfig } from '../../../stacks/environment';
import { NEXT_ROOT_PIN, ROOT_PIN, at, bundle, config, facts, key, root, version } from './facts-helpers';

const plan = (env: EnvironmentConfig, f = facts(), now = '2027-03-01T00:00:00Z') =>
  planRotations({ config: env, facts: f, now: at(now) });
const brief = (items: readonly DueItem[]) => items.map((i) => `${i.severity} ${i.kind} ${i.key} ${i.dueAt}`);
/** A policy under which the keys are not due for years (to look at one other item alone). */
const FAR: RotationPolicy = { taskKey: { rotateEveryDays: 3650 }, bundleKey: { rotateEveryDays: 3650 } };

/** The config with a proposal's edits applied (dotted paths). */
function applied(env: EnvironmentConfig, item: DueItem): any {
  const out: any = structuredClone(env);
  for (const e of item.change!.edits) {
    const parts = e.path.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = o[p] ??= {};
    o[parts[parts.length - 1]] = structuredClone(e.value);
  }
  return out;
}

describe('nothing due', () => {
  test('GIVEN keys created this year, a bundle valid two more months, a root valid for years WHEN planned under the default policy THEN nothing is due and the exit code is 0', () => {
    const s = plan(config());
    expect(s).toEqual({ environment: 'dev', now: '2027-03-01T00:00:00Z', items: [] });
    expect(statusExitCode(s.items)).toBe(EXIT_NOTHING_DUE);
  });
});

describe('pre-publish', () => {
  // The task key's v1 was created 2027-01-01: rotation due 2027-04-01, pre-publish from 2027-03-25.
  test('GIVEN a week before the pre-publish date THEN it is soon, with the one-line change (exit 10)', () => {
    const s = plan(config(), facts(), '2027-03-20T00:00:00Z');
    expect(brief(s.items)).toEqual(['soon pre-publish task-key 2027-03-25T00:00:00Z']);
    expect(s.items[0].name).toBe('node-task-signer');
    expect(s.items[0].change?.text).toBe('taskSigning: { version: 2, activeVersion: 1 }; bundle.sequence: 5');
    expect(s.items[0].change?.edits).toEqual([
      { path: 'taskSigning', value: { version: 2, activeVersion: 1 } },
      { path: 'bundle.sequence', value: 5 },
    ]);
    expect(statusExitCode(s.items)).toBe(EXIT_SOON);
  });

  test('GIVEN the pre-publish date has passed THEN it is due (exit 11) and the explanation gives the facts', () => {
    const s = plan(config(), facts(), '2027-03-26T00:00:00Z');
    expect(brief(s.items)).toEqual(['due pre-publish task-key 2027-03-25T00:00:00Z']);
    expect(s.items[0].explanation).toBe(
      'v1 has signed since 2027-01-01T00:00:00Z (84 days; rotate every 90, pre-publish 7 days ahead): pre-publish v2; it may sign from 2027-04-01T00:00:00Z.',
    );
    expect(statusExitCode(s.items)).toBe(EXIT_DUE);
  });

  test('GIVEN the rotation date has passed without a pre-publish THEN it is overdue', () => {
    const s = plan(config(), facts(), '2027-04-02T00:00:00Z');
    expect(brief(s.items)).toEqual(['overdue pre-publish task-key 2027-03-25T00:00:00Z']);
    expect(s.items[0].explanation).toContain('the rotation was due at 2027-04-01T00:00:00Z; pre-publish v2 now');
  });

  test('GIVEN a policy of 30 days with 5 days ahead THEN the dates follow it, for the bundle key too', () => {
    const env = config({
      rotationPolicy: { taskKey: { rotateEveryDays: 30, prePublishDays: 5 }, bundleKey: { rotateEveryDays: 20 } },
    });
    // Task key: 2027-01-31 - 5 days; bundle key (2027-02-15): 2027-03-07 - 7 days.
    expect(brief(plan(env, facts(), '2027-03-01T00:00:00Z').items)).toEqual([
      'overdue pre-publish task-key 2027-01-26T00:00:00Z',
      'due pre-publish bundle-key 2027-02-28T00:00:00Z',
    ]);
    expect(plan(env, facts(), '2027-03-01T00:00:00Z').items[1].change?.text).toBe(
      'bundleSigning: { version: 2, activeVersion: 1 }; bundle.sequence: 5',
    );
  });

  test('GIVEN a key name and grace entries in code THEN the proposal keeps them', () => {
    const env = config({
      taskSigning: { keyName: 'tasks', version: 2, grace: [{ version: 1, until: '2027-06-01T00:00:00Z' }] },
    });
    const f = facts({ taskKey: key('tasks', { 1: '2026-10-01T00:00:00Z', 2: '2027-01-01T00:00:00Z' }) });
    const item = plan(env, f, '2027-03-26T00:00:00Z').items.find((i) => i.kind === 'pre-publish')!;
    expect(item.change?.text).toBe(
      "taskSigning: { keyName: 'tasks', version: 3, activeVersion: 2, grace: [{ version: 1, until: '2027-06-01T00:00:00Z' }] }; bundle.sequence: 5",
    );
  });
});

describe('activate', () => {
  // v2 pre-published at sequence 5; its publication record was written 2027-03-25T10:00:00.123456789Z.
  const env = (freshness: Partial<EnvironmentConfig['bundle']['freshness']> = {}) =>
    config({
      taskSigning: { version: 2, activeVersion: 1 },
      bundle: { sequence: 5, freshness: { expires: '2027-05-01T00:00:00Z', ...freshness } },
    });
  const f = facts({
    taskKey: key(
      'node-task-signer',
      { 1: '2027-01-01T00:00:00Z', 2: '2027-03-25T09:59:58.5Z' },
      { 2: '2027-03-25T10:00:00.123456789Z' },
    ),
    bundle: bundle([
      version(1),
      version(2, { createdTime: '2027-03-25T10:00:00Z', taskKey: { name: 'node-task-signer', versions: [1, 2] } }),
    ]),
  });

  test('GIVEN the rollout window (3 refresh hints of 3600 s) has not passed THEN activation is soon and nothing is proposed yet', () => {
    const s = plan(env(), f, '2027-03-25T12:59:59Z');
    expect(brief(s.items)).toEqual(['soon activate task-key 2027-04-01T00:00:00Z']);
    expect(s.items[0].change).toBeUndefined();
    expect(s.items[0].explanation).toBe(
      'v2 was first published to nodes at 2027-03-25T10:00:00Z; its activation is proposed once the rollout window (10800 s: 3 refresh hints of 3600 s) has passed, at 2027-03-25T13:00:00Z.',
    );
  });

  test('GIVEN the window has passed before the rotation date THEN activation is soon, with the change', () => {
    const s = plan(env(), f, '2027-03-26T00:00:00Z');
    expect(brief(s.items)).toEqual(['soon activate task-key 2027-04-01T00:00:00Z']);
    expect(s.items[0].change?.text).toBe(
      "taskSigning: { version: 2, grace: [{ version: 1, until: '2027-04-09T00:00:00Z' }] }; bundle.sequence: 6",
    );
  });

  test('GIVEN the rotation date THEN activation is due, the old version in grace for 14 days', () => {
    const s = plan(env(), f, '2027-04-01T00:00:00Z');
    expect(brief(s.items)).toEqual(['due activate task-key 2027-04-01T00:00:00Z']);
    expect(s.items[0].change?.edits[0]).toEqual({
      path: 'taskSigning',
      value: { version: 2, grace: [{ version: 1, until: '2027-04-15T00:00:00Z' }] },
    });
    expect(s.items[0].explanation).toBe(
      'v2 has been published to nodes since 2027-03-25T10:00:00Z (longer than the rollout window of 10800 s: 3 refresh hints of 3600 s) and v1 has signed since 2027-01-01T00:00:00Z (90 days): activate v2, v1 in grace until 2027-04-15T00:00:00Z (14 days).',
    );
  });

  test('GIVEN a pre-publish period past the rotation date THEN activation is overdue', () => {
    expect(brief(plan(env(), f, '2027-04-08T00:00:00Z').items)).toEqual([
      'overdue activate task-key 2027-04-01T00:00:00Z',
    ]);
  });

  test('GIVEN rolloutRefreshes 5 and 600 extra seconds in code THEN the window is 18600 s from the record', () => {
    const early = plan(env({ rolloutRefreshes: 5, rolloutExtraSeconds: 600 }), f, '2027-04-01T00:00:00Z');
    expect(early.items.map((i) => i.severity)).toEqual(['due']);
    const late = { ...f, taskKey: { ...f.taskKey, published: { 2: '2027-03-31T20:00:00Z' } } };
    const waiting = plan(env({ rolloutRefreshes: 5, rolloutExtraSeconds: 600 }), late, '2027-04-01T01:09:59Z');
    expect(waiting.items.map((i) => [i.severity, i.change])).toEqual([['soon', undefined]]);
    expect(waiting.items[0].explanation).toContain('(18600 s: 5 refresh hints of 3600 s plus 600 s)');
    const after = plan(env({ rolloutRefreshes: 5, rolloutExtraSeconds: 600 }), late, '2027-04-01T01:10:01Z');
    expect(after.items.map((i) => i.severity)).toEqual(['due']);
  });

  test('GIVEN no publication record for the pre-published version THEN it is not applied, and no activation is proposed', () => {
    const noRecord = { ...f, taskKey: { ...f.taskKey, published: {} } };
    const s = plan(env(), noRecord, '2027-04-01T00:00:00Z');
    expect(brief(s.items)).toEqual(['due not-applied task-key 2027-04-01T00:00:00Z']);
    expect(s.items[0].change).toBeUndefined();
  });

  test('GIVEN an existing later grace end THEN the new grace does not end before it (an older version may not outlive a newer one)', () => {
    const withGrace = config({
      taskSigning: { version: 3, activeVersion: 2, grace: [{ version: 1, until: '2027-05-01T00:00:00Z' }] },
      bundle: { sequence: 5, freshness: { expires: '2027-05-01T00:00:00Z' } },
    });
    const f3 = facts({
      taskKey: key(
        'node-task-signer',
        { 1: '2026-10-01T00:00:00Z', 2: '2027-01-01T00:00:00Z', 3: '2027-03-25T00:00:00Z' },
        { 3: '2027-03-25T00:00:00Z' },
      ),
    });
    const item = plan(withGrace, f3, '2027-04-01T00:00:00Z').items.find((i) => i.kind === 'activate')!;
    expect(item.change?.edits[0].value).toEqual({
      version: 3,
      grace: [
        { version: 1, until: '2027-05-01T00:00:00Z' },
        { version: 2, until: '2027-05-01T00:00:00Z' },
      ],
    });
  });
});

describe('retire', () => {
  const env = config({ taskSigning: { version: 2, grace: [{ version: 1, until: '2027-03-10T00:00:00Z' }] } });
  const f = facts({ taskKey: key('node-task-signer', { 1: '2026-12-01T00:00:00Z', 2: '2027-02-20T00:00:00Z' }) });

  test('GIVEN a grace end within the notice THEN retiring is soon, with nothing to change yet', () => {
    const s = plan(env, f, '2027-03-05T00:00:00Z');
    expect(brief(s.items)).toEqual(['soon retire task-key 2027-03-10T00:00:00Z']);
    expect(s.items[0].change).toBeUndefined();
  });

  test('GIVEN the grace has ended THEN retiring is due and the change drops the entry', () => {
    const s = plan(env, f, '2027-03-11T00:00:00Z');
    expect(brief(s.items)).toEqual(['due retire task-key 2027-03-10T00:00:00Z']);
    expect(s.items[0].change?.text).toBe('taskSigning: { version: 2 }; bundle.sequence: 5');
    expect(s.items[0].explanation).toBe(
      'the grace of v1 ended at 2027-03-10T00:00:00Z (nodes refuse it since): retire it, so that Vault refuses it too (min_decryption_version).',
    );
  });
});

describe('renew-bundle', () => {
  const env = (over: RotationPolicy = {}) => config({ rotationPolicy: { ...FAR, ...over } });

  test('GIVEN the bundle expires 2027-05-01 and renewal is 14 days ahead THEN it is soon from 04-10, due from 04-17, overdue inside the 5-day margin', () => {
    expect(brief(plan(env(), facts(), '2027-04-09T00:00:00Z').items)).toEqual([]);
    expect(brief(plan(env(), facts(), '2027-04-10T00:00:00Z').items)).toEqual([
      'soon renew-bundle bundle 2027-04-17T00:00:00Z',
    ]);
    const due = plan(env(), facts(), '2027-04-18T06:00:00Z').items;
    expect(brief(due)).toEqual(['due renew-bundle bundle 2027-04-17T00:00:00Z']);
    expect(due[0].name).toBe('bootstrap/bundle');
    // At most maxValidityDays (90) after the plan: midnight of today plus 89 days.
    expect(due[0].change?.text).toBe("bundle.sequence: 5; bundle.freshness.expires: '2027-07-16T00:00:00Z'");
    const overdue = plan(env(), facts(), '2027-04-26T00:00:00Z').items;
    expect(brief(overdue)).toEqual(['overdue renew-bundle bundle 2027-04-17T00:00:00Z']);
    expect(overdue[0].explanation).toContain('plans fail from 2027-04-26T00:00:00Z (expiry margin 5 days)');
    expect(plan(env(), facts(), '2027-05-02T00:00:00Z').items[0].explanation).toMatch(
      /^the bundle expired at 2027-05-01T00:00:00Z: nodes refuse it, and every task while they hold it/,
    );
  });

  test('GIVEN renewBeforeDays 30 and maxValidityDays 60 in code THEN the dates follow them', () => {
    const e = config({
      rotationPolicy: { ...FAR, bundle: { renewBeforeDays: 30 } },
      bundle: { sequence: 4, freshness: { expires: '2027-05-01T00:00:00Z', maxValidityDays: 60 } },
    });
    const s = plan(e, facts(), '2027-04-01T00:00:00Z');
    expect(brief(s.items)).toEqual(['due renew-bundle bundle 2027-04-01T00:00:00Z']);
    expect(s.items[0].change?.edits[1]).toEqual({ path: 'bundle.freshness.expires', value: '2027-05-30T00:00:00Z' });
  });
});

describe('root-expiring', () => {
  const expiring = (over: Partial<Parameters<typeof root>[0]> = {}) =>
    facts({ bundle: bundle([version(1, { roots: [root({ notAfter: '2027-03-20T00:00:00Z', ...over })] })]) });

  test('GIVEN the current root expires within 30 days and no rotation in code THEN it is due, with the publish-next change', () => {
    const s = plan(config(), expiring());
    expect(brief(s.items)).toEqual(['due root-expiring control-plane-root 2027-02-18T00:00:00Z']);
    expect(s.items[0].name).toBe('CN=dev-control-plane-root');
    expect(s.items[0].change?.text).toBe(
      "controlPlaneTrust: { platformCa: { root: { issuerName: 'dev-control-plane-root' }, rotation: { next: { issuerName: 'dev-control-plane-root-2027' }, overlapUntil: '2027-03-20T00:00:00Z', phase: RootRotationPhase.PUBLISH_NEXT } } }; bundle.sequence: 5",
    );
    expect(s.items[0].explanation).toContain(ROOT_PIN);
    // After its end: overdue.
    expect(plan(config(), expiring(), '2027-03-20T00:00:00Z').items[0].severity).toBe('overdue');
  });

  test('GIVEN a platform CA in code with retired roots THEN the next issuer name is new and the spec is kept', () => {
    const env = config({
      controlPlaneTrust: {
        platformCa: {
          root: { issuerName: 'cp-root-2027', commonName: 'Platform Root' },
          retiredRoots: [{ issuerName: 'cp-root-2026' }],
        },
      },
    });
    const item = plan(env, expiring()).items[0];
    expect(item.change?.text).toBe(
      "controlPlaneTrust.platformCa.rotation: { next: { issuerName: 'cp-root-2028' }, overlapUntil: '2027-03-20T00:00:00Z', phase: RootRotationPhase.PUBLISH_NEXT }; bundle.sequence: 5",
    );
  });

  test('GIVEN an existing CA given as PEM THEN the change names the PEM to add', () => {
    const env = config({
      controlPlaneTrust: {
        existingCa: { current: { name: 'corp', pem: 'PEM' }, asOf: '2027-01-01T00:00:00Z' },
      },
    });
    expect(plan(env, expiring()).items[0].change?.text).toBe(
      "controlPlaneTrust.existingCa.rotation: { next: { name: '<name of the new root>', pem: '<PEM of the new root certificate>' }, overlapUntil: '2027-03-20T00:00:00Z', phase: RootRotationPhase.PUBLISH_NEXT }; bundle.sequence: 5",
    );
  });

  describe('a rotation in code', () => {
    const rotation = (phase: RootRotationPhase) =>
      config({
        bundle: { sequence: 5, freshness: { expires: '2027-05-01T00:00:00Z' } },
        controlPlaneTrust: {
          platformCa: {
            root: { issuerName: 'dev-control-plane-root' },
            rotation: {
              next: { issuerName: 'dev-control-plane-root-2027' },
              overlapUntil: '2027-03-20T00:00:00Z',
              phase,
            },
          },
        },
      });
    const next = root({
      pin: NEXT_ROOT_PIN,
      subject: 'CN=dev-control-plane-root-2027',
      notAfter: '2037-01-01T00:00:00Z',
    });

    test('GIVEN the next root published less than the rollout window ago THEN the switch waits; after it THEN the switch is proposed', () => {
      const f = facts({
        bundle: bundle([
          version(1, { roots: [root({ notAfter: '2027-03-20T00:00:00Z' })] }),
          version(2, {
            createdTime: '2027-03-01T10:00:00Z',
            roots: [root({ notAfter: '2027-03-20T00:00:00Z' }), { ...next, state: 'next' }],
          }),
        ]),
      });
      const waiting = plan(rotation(RootRotationPhase.PUBLISH_NEXT), f, '2027-03-01T12:00:00Z').items;
      expect(waiting.map((i) => [i.kind, i.severity, i.change])).toEqual([['root-expiring', 'due', undefined]]);
      expect(waiting[0].explanation).toContain(
        'switch once the rollout window (10800 s) has passed, at 2027-03-01T13:00:00Z',
      );
      const ready = plan(rotation(RootRotationPhase.PUBLISH_NEXT), f, '2027-03-01T13:00:00Z').items;
      expect(ready[0].change?.text).toBe(
        'controlPlaneTrust.platformCa.rotation.phase: RootRotationPhase.SWITCH; bundle.sequence: 6',
      );
    });

    test('GIVEN the switch is done and the overlap ended THEN the previous root is retired with DROP_PREVIOUS, which the CA model accepts', () => {
      const f = facts({
        bundle: bundle([
          version(1, {
            sequence: 5,
            roots: [
              { ...next, state: 'current' },
              root({ state: 'previous', until: '2027-03-20T00:00:00Z', notAfter: '2027-03-20T00:00:00Z' }),
            ],
          }),
        ]),
      });
      const env = rotation(RootRotationPhase.SWITCH);
      expect(brief(plan(env, f, '2027-03-14T00:00:00Z').items)).toEqual([
        'soon retire control-plane-root 2027-03-20T00:00:00Z',
      ]);
      const item = plan(env, f, '2027-03-21T00:00:00Z').items[0];
      expect(brief([item])).toEqual(['due retire control-plane-root 2027-03-20T00:00:00Z']);
      expect(item.change?.text).toBe(
        "controlPlaneTrust.platformCa.rotation.phase: RootRotationPhase.DROP_PREVIOUS; controlPlaneTrust.platformCa.asOf: '2027-03-21T00:00:00Z'; bundle.sequence: 6",
      );
      const ca = applied(env, item).controlPlaneTrust.platformCa;
      expect(
        rootSchedule({
          current: ca.root.issuerName,
          rotation: { ...ca.rotation, next: ca.rotation.next.issuerName },
          asOf: ca.asOf,
        }).roots,
      ).toEqual([{ name: 'dev-control-plane-root-2027', state: 'current' }]);
    });
  });
});

describe('revocation-removable', () => {
  // v2 was compromised: the emergency rotated to v3 (sequence 5). Sequence 4 (expiring 2027-04-01) trusted v2.
  const env = config({
    taskSigning: { version: 2, compromised: [2] },
    bundle: { sequence: 5, freshness: { expires: '2027-05-01T00:00:00Z' } },
    rotationPolicy: FAR,
  });
  const trusted = version(1, {
    createdTime: '2027-02-01T00:00:00Z',
    expires: '2027-04-01T00:00:00Z',
    taskKey: { name: 'node-task-signer', versions: [1, 2] },
  });
  const revoking = version(2, {
    createdTime: '2027-03-01T00:00:00Z',
    taskKey: { name: 'node-task-signer', versions: [3] },
    revoked: { taskKeyVersions: [2], bundleKeyVersions: [], rootPins: [] },
  });
  const f = facts({
    taskKey: key('node-task-signer', {
      1: '2027-01-01T00:00:00Z',
      2: '2027-02-01T00:00:00Z',
      3: '2027-03-01T00:00:00Z',
    }),
    bundle: bundle([trusted, revoking]),
  });

  test('GIVEN the last bundle that trusted v2 expires 2027-04-01 THEN dropping the revocation is soon, then due with the change', () => {
    expect(brief(plan(env, f, '2027-03-20T00:00:00Z').items)).toEqual([]);
    const soon = plan(env, f, '2027-03-28T00:00:00Z').items;
    expect(brief(soon)).toEqual(['soon revocation-removable task-key 2027-04-01T00:00:00Z']);
    expect(soon[0].change).toBeUndefined();
    const due = plan(env, f, '2027-04-02T00:00:00Z').items;
    expect(brief(due)).toEqual(['due revocation-removable task-key 2027-04-01T00:00:00Z']);
    expect(due[0].explanation).toBe(
      'v2 is revoked; the last bundle that trusted it expired at 2027-04-01T00:00:00Z: its revocation may be dropped.',
    );
    // The emergency's version (3) is written out: without the compromised list, version 2 would lower the key.
    expect(due[0].change?.text).toBe('taskSigning: { version: 3 }; bundle.sequence: 6');
    const before = planVerifierSet(env.taskSigning);
    const after = planVerifierSet(applied(env, due[0]).taskSigning);
    expect([after.latestVersion, after.activeVersion]).toEqual([before.latestVersion, before.activeVersion]);
  });

  test('GIVEN older bundle versions are no longer retained THEN the first revoking bundle plus the longest validity (90 days) bounds it', () => {
    const pruned = { ...f, bundle: bundle([revoking], { complete: false }) };
    expect(brief(plan(env, pruned, '2027-04-02T00:00:00Z').items)).toEqual([]);
    const due = plan(env, pruned, '2027-05-31T00:00:00Z').items.filter((i) => i.kind === 'revocation-removable');
    expect(brief(due)).toEqual(['due revocation-removable task-key 2027-05-30T00:00:00Z']);
    expect(due[0].explanation).toContain('older bundle versions are no longer retained');
  });

  test('GIVEN the published bundle records a later retention end for v2 (what the plan enforces) THEN dropping it is proposed from that date only', () => {
    const recorded = {
      ...f,
      bundle: bundle([trusted, revoking], { revocationRetention: { 'revoked:task-key:v2': '2027-05-30T00:00:00Z' } }),
    };
    const removable = (now: string) => plan(env, recorded, now).items.filter((i) => i.kind === 'revocation-removable');
    expect(brief(removable('2027-04-02T00:00:00Z'))).toEqual([]);
    const due = removable('2027-05-31T00:00:00Z');
    expect(brief(due)).toEqual(['due revocation-removable task-key 2027-05-30T00:00:00Z']);
    expect(due[0].explanation).toBe(
      'v2 is revoked; the published bundle keeps it listed until 2027-05-30T00:00:00Z (its first revocation plus the longest validity a plan allowed then; every bundle that trusted it has expired by then): its revocation may be dropped.',
    );
    // An earlier recorded end does not shorten what the history shows.
    const earlier = {
      ...f,
      bundle: bundle([trusted, revoking], { revocationRetention: { 'revoked:task-key:v2': '2027-03-15T00:00:00Z' } }),
    };
    expect(brief(plan(env, earlier, '2027-04-02T00:00:00Z').items)).toEqual([
      'due revocation-removable task-key 2027-04-01T00:00:00Z',
    ]);
  });

  test('GIVEN a revocation not yet published THEN nothing is proposed for it', () => {
    const unpublished = { ...f, bundle: bundle([trusted]) };
    expect(plan(env, unpublished, '2027-06-01T00:00:00Z').items.map((i) => i.kind)).not.toContain(
      'revocation-removable',
    );
  });

  test('GIVEN a revoked root pin whose last trusting bundle expired THEN its revocation may be dropped', () => {
    const e = config({
      bundle: { sequence: 5, freshness: { expires: '2027-05-01T00:00:00Z' }, revokedRootPins: [NEXT_ROOT_PIN] },
      rotationPolicy: FAR,
    });
    const g = facts({
      bundle: bundle([
        version(1, { expires: '2027-04-01T00:00:00Z', roots: [root(), root({ pin: NEXT_ROOT_PIN, state: 'next' })] }),
        version(2, { revoked: { taskKeyVersions: [], bundleKeyVersions: [], rootPins: [NEXT_ROOT_PIN] } }),
      ]),
    });
    const due = plan(e, g, '2027-04-02T00:00:00Z').items;
    expect(brief(due)).toEqual(['due revocation-removable control-plane-root 2027-04-01T00:00:00Z']);
    expect(due[0].change?.text).toBe('bundle.revokedRootPins: []; bundle.sequence: 6');
  });
});

describe('not-applied', () => {
  test('GIVEN the code at a version Vault does not have yet THEN the key is reported not applied, and nothing else for it', () => {
    const s = plan(config({ taskSigning: { version: 2, activeVersion: 1 } }), facts(), '2027-03-26T00:00:00Z');
    expect(brief(s.items)).toEqual(['due not-applied task-key 2027-03-26T00:00:00Z']);
    expect(s.items[0].explanation).toBe(
      "the code says v2, Vault's latest task key version is v1: a reviewed change is merged but not applied; apply it.",
    );
  });

  test('GIVEN a code sequence above the published one THEN the bundle is reported not applied, and proposals go above both', () => {
    const s = plan(
      config({ bundle: { sequence: 6, freshness: { expires: '2027-05-01T00:00:00Z' } } }),
      facts(),
      '2027-03-26T00:00:00Z',
    );
    expect(brief(s.items)).toEqual([
      'due pre-publish task-key 2027-03-25T00:00:00Z',
      'due not-applied bundle 2027-03-26T00:00:00Z',
    ]);
    expect(s.items[0].change?.text).toContain('bundle.sequence: 7');
  });

  test('GIVEN no key and no bundle in Vault THEN each is reported not applied', () => {
    const s = planRotations({
      config: config(),
      facts: {
        taskKey: { name: 'node-task-signer', exists: false, latestVersion: 0, created: {}, published: {} },
        bundleKey: { name: 'bundle-signer', exists: false, latestVersion: 0, created: {}, published: {} },
        bundle: { exists: false, currentVersion: 0, history: [], complete: false },
      },
      now: at('2027-03-01T00:00:00Z'),
    });
    expect(s.items.map((i) => `${i.kind} ${i.key}`)).toEqual([
      'not-applied bundle',
      'not-applied bundle-key',
      'not-applied task-key',
    ]);
  });
});

describe('ordering and exit codes', () => {
  test('GIVEN several items THEN the most urgent come first: overdue, due, soon, then by date', () => {
    const s = plan(config(), expiringAndRotating(), '2027-04-11T00:00:00Z');
    expect(brief(s.items)).toEqual([
      'overdue pre-publish task-key 2027-03-25T00:00:00Z',
      'due root-expiring control-plane-root 2027-03-21T00:00:00Z',
      'soon renew-bundle bundle 2027-04-17T00:00:00Z',
    ]);
    expect(statusExitCode(s.items)).toBe(EXIT_DUE);
    expect(statusExitCode(s.items.filter((i) => i.severity === 'soon'))).toBe(EXIT_SOON);
    expect(statusExitCode([])).toBe(EXIT_NOTHING_DUE);
  });

  function expiringAndRotating() {
    return facts({ bundle: bundle([version(1, { roots: [root({ notAfter: '2027-04-20T00:00:00Z' })] })]) });
  }
});

describe('the rotation policy', () => {
  test.each([
    [
      { taskKey: { rotateEveryDays: 0 } },
      'PT029',
      'rotationPolicy.taskKey.rotateEveryDays must be a whole number of days from 1 to 3650.',
    ],
    [
      { bundleKey: { graceDays: 2.5 } },
      'PT029',
      'rotationPolicy.bundleKey.graceDays must be a whole number of days from 1 to 365.',
    ],
    [{ noticeDays: -1 }, 'PT029', 'rotationPolicy.noticeDays must be a whole number of days from 0 to 365.'],
    [
      { taskKey: { rotateEveryDays: 7, prePublishDays: 7 } },
      'PT025',
      'rotationPolicy.taskKey.prePublishDays (7) is not below rotateEveryDays (7)',
    ],
  ])('GIVEN %j THEN planning fails with %s', (policy, code, text) => {
    let error: any;
    try {
      plan(config({ rotationPolicy: policy as RotationPolicy }));
    } catch (e) {
      error = e;
    }
    expect(error?.code).toBe(code);
    expect(error?.message).toContain(text);
  });

  test('GIVEN a grace shorter than the rollout window in code THEN planning fails: the stack would refuse the proposal', () => {
    const env = config({
      bundle: {
        sequence: 4,
        freshness: { expires: '2027-05-01T00:00:00Z', refreshHintSeconds: 604800, rolloutRefreshes: 3 },
      },
    });
    expect(() => plan(env)).toThrow(/graceDays \(14\) is shorter than the rollout window \(1814400 s\)/);
  });
});

describe('the schedule as the stack derives it', () => {
  const until = '2027-06-01T00:00:00Z';
  test.each<SigningSchedule>([
    { version: 1 },
    { version: 3, activeVersion: 2 },
    { version: 2, compromised: [2] },
    { version: 2, compromised: [1, 2] },
    { version: 3, activeVersion: 2, grace: [{ version: 1, until }], compromised: [1] },
    { version: 4, grace: [{ version: 3, until }], compromised: [2] },
  ])("GIVEN %j THEN the latest and active version are planVerifierSet's", (schedule) => {
    const model = planVerifierSet(schedule);
    const s = effectiveKeySchedule(schedule);
    expect([s.version, s.active]).toEqual([model.latestVersion, model.activeVersion]);
    expect(s.grace.map((g) => g.version)).toEqual(
      model.versions.filter((v) => v.state === 'grace').map((v) => v.version),
    );
  });

  test("GIVEN every key proposal of these tests THEN the stack's model accepts the schedule it writes", () => {
    const cases: Array<[EnvironmentConfig, ReturnType<typeof facts>, string]> = [
      [config(), facts(), '2027-03-26T00:00:00Z'],
      [
        config({
          taskSigning: { version: 2, activeVersion: 1, grace: [] },
          bundle: { sequence: 5, freshness: { expires: '2027-05-01T00:00:00Z' } },
        }),
        facts({
          taskKey: key(
            'node-task-signer',
            { 1: '2027-01-01T00:00:00Z', 2: '2027-03-25T00:00:00Z' },
            { 2: '2027-03-25T00:00:00Z' },
          ),
        }),
        '2027-04-01T00:00:00Z',
      ],
    ];
    for (const [env, f, now] of cases) {
      for (const item of plan(env, f, now).items.filter((i) => i.change && i.key === 'task-key')) {
        expect(() => planVerifierSet(applied(env, item).taskSigning)).not.toThrow();
      }
    }
  });
});

describe('tsLiteral', () => {
  test('GIVEN strings with quotes and backslashes, names that are not identifiers, and empty lists THEN the text is valid TypeScript', () => {
    expect(tsLiteral({ a: "it's", 'b-c': ['x\\y'], d: [], e: undefined, phase: 'switch' })).toBe(
      "{ a: 'it\\'s', 'b-c': ['x\\\\y'], d: [], phase: RootRotationPhase.SWITCH }",
    );
  });
});
