import { Testing } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../../lib';
import { MANIFEST_OUTPUT, parseManifest } from '../../../lib/review/manifest';
import {
  EXIT_TRUST_CHANGE,
  TrustChangeKind,
  exitDecision,
  explainPlan,
  renderMarkdown,
} from '../../../lib/review/plan-explainer';
import { duration } from '../../../lib/review/private/render-bundle';
import { dev } from '../../../stacks/environments';
import { PEM, PIN, bundlePlan, bundleV2, entry } from './bundle-plans';

const EMERGENCY_HEAD = '## 🛑 Emergency: trust is revoked';
const TRUST_HEAD = '## 🔐 Trust changes';
const FRESH = { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 3600 };
const NONE = { task_key_versions: [], bundle_key_versions: [], root_pins: [] };
const HTTPS_PATH = '/etc/gpuaas/trust/control-plane-ca.pem';
const DIGEST = { published: 'a'.repeat(64), written: 'b'.repeat(64) };

/** A bundle of format v2 with freshness and revocations (nothing revoked unless given). */
function v2(over: Record<string, unknown> = {}): any {
  return { ...bundleV2(), freshness: FRESH, revoked: NONE, ...over };
}
const taskSet = (...keys: ReturnType<typeof entry>[]) => ({
  path: '/etc/gpuaas/trust/task-signing-pubkeys.json',
  set: { format: 'gpuaas-task-signing-pubkeys/v1', key: 'node-task-signer', keys },
});

const explain = (plan: unknown) => {
  const explanation = explainPlan(plan);
  const markdown = renderMarkdown(explanation);
  return { explanation, markdown, lines: markdown.split('\n') };
};

/** The manifest the stack emits for `environment`. */
const manifestOf = (environment: EnvironmentConfig): string =>
  JSON.parse(Testing.synth(new PlatformTrustStack(Testing.app(), { environment }))).output[MANIFEST_OUTPUT].value;

function withManifest(plan: any, before: string, after: string) {
  plan.output_changes[MANIFEST_OUTPUT] = {
    actions: [before === after ? 'no-op' : 'update'],
    before,
    after,
    after_unknown: false,
  };
  return plan;
}

describe('a bundle that revokes a task key version and a root (known in the plan)', () => {
  // Sequence 3 trusts task key v1 (grace) and v2, and the roots CN=dev-control-plane-root and its next root; sequence 4
  // revokes v1 and the next root.
  const before = v2({
    sequence: 3,
    public_https_trust: {
      path: HTTPS_PATH,
      roots: [
        { pem: PEM.oldRoot, state: 'current' },
        { pem: PEM.newRoot, state: 'next' },
      ],
    },
    task_verifiers: taskSet(
      entry('node-task-signer', 1, 'grace', '2027-01-15T00:00:00Z'),
      entry('node-task-signer', 2, 'active'),
    ),
  });
  const after = v2({
    sequence: 4,
    public_https_trust: { path: HTTPS_PATH, roots: [{ pem: PEM.oldRoot, state: 'current' }] },
    task_verifiers: taskSet(entry('node-task-signer', 2, 'active')),
    revoked: { task_key_versions: [1], bundle_key_versions: [], root_pins: [PIN.newRoot] },
  });
  const x = explain(bundlePlan({ before, after }));

  test('WHEN explained THEN the emergency names what is revoked, the refresh hint and the held bundle expiry', () => {
    expect(x.explanation.emergencies).toEqual([
      {
        output: 'bootstrap_bundle',
        from: 'bundle',
        revoked: [
          { kind: 'task-key', key: 'node-task-signer', version: 1 },
          { kind: 'root', pin: PIN.newRoot, subject: 'CN=dev-control-plane-root-2027' },
        ],
        refreshHintSeconds: 3600,
        heldBundleExpires: '2027-02-01T00:00:00Z',
      },
    ]);
  });

  test('WHEN rendered THEN the review starts with the Emergency section: what nodes refuse, how long at most, the exposure window', () => {
    expect(x.lines.slice(0, 16)).toEqual([
      '## Plan review',
      '',
      EMERGENCY_HEAD,
      '',
      'EMERGENCY: this plan revokes trust that the published bundle (`bootstrap_bundle`) still gives. After their next refresh, nodes refuse:',
      '',
      '- tasks signed by task key `node-task-signer` version 1',
      `- TLS to a control plane whose certificate chains to the root \`CN=dev-control-plane-root-2027\`, pin \`${PIN.newRoot}\``,
      '',
      "Every online node refuses them at most 3600 s (1 h) after the apply publishes the bundle: the bundle's refresh hint.",
      '',
      'Exposure window: until its next refresh, a node still accepts them; a node that takes no update (offline, or cut off by someone who blocks its traffic) accepts them until the bundle it holds expires (`2027-02-01T00:00:00Z`).',
      '',
      '**Plan: 0 to add, 0 to change, 0 to destroy.**',
      '',
      TRUST_HEAD,
    ]);
  });

  test('THEN the revocation is a trust change, and --fail-on-trust-change exits 4 pointing at the Emergency section', () => {
    const revocation = x.explanation.trustChanges.filter((t) => t.kind === TrustChangeKind.REVOCATION);
    expect(revocation).toEqual([
      {
        kind: TrustChangeKind.REVOCATION,
        subject: 'bootstrap_bundle',
        confirmed: true,
        message: `the bundle revokes task key \`node-task-signer\` v1, root \`${PIN.newRoot}\` (\`CN=dev-control-plane-root-2027\`): nodes drop them on their next refresh, even inside a grace window or an overlap (see "Emergency").`,
      },
    ]);
    expect(x.lines).toContain(
      `- **TRUST CHANGE (revocation)** \`bootstrap_bundle\`: the bundle revokes task key \`node-task-signer\` v1, root \`${PIN.newRoot}\` (\`CN=dev-control-plane-root-2027\`): nodes drop them on their next refresh, even inside a grace window or an overlap (see "Emergency").`,
    );
    const decision = exitDecision(x.explanation, { failOnTrustChange: true });
    expect(decision.code).toBe(EXIT_TRUST_CHANGE);
    expect(decision.reasons[0]).toContain('(see "Emergency" and "Trust changes")');
    expect(exitDecision(x.explanation).code).toBe(0);
  });

  test('GIVEN the same plan without the revocations THEN there is no Emergency section and no revocation', () => {
    const y = explain(bundlePlan({ before, after: { ...after, revoked: NONE } }));
    expect(y.explanation.emergencies).toEqual([]);
    expect(y.markdown).not.toContain(EMERGENCY_HEAD);
    expect(y.explanation.trustChanges.map((t) => t.kind)).not.toContain(TrustChangeKind.REVOCATION);
  });
});

describe('revocations already published, and revocations dropped', () => {
  const revokedV1 = { task_key_versions: [1], bundle_key_versions: [], root_pins: [] };
  const before = v2({
    sequence: 5,
    task_verifiers: taskSet(entry('node-task-signer', 2, 'active')),
    revoked: revokedV1,
  });

  test('GIVEN a bundle that keeps revoking what the published bundle revokes THEN no emergency and no revocation change', () => {
    const x = explain(bundlePlan({ before, after: { ...before, sequence: 6 } }));
    expect(x.explanation.emergencies).toEqual([]);
    expect(x.explanation.trustChanges).toEqual([]);
  });

  test('GIVEN a bundle that no longer lists a revoked version THEN it is a trust change, not an emergency', () => {
    const x = explain(bundlePlan({ before, after: { ...before, sequence: 6, revoked: NONE } }));
    expect(x.explanation.emergencies).toEqual([]);
    expect(x.explanation.trustChanges).toEqual([
      {
        kind: TrustChangeKind.REVOCATION,
        subject: 'bootstrap_bundle',
        confirmed: true,
        message:
          'the bundle no longer lists task key `node-task-signer` v1 as revoked: nodes that take it forget the revocation, and a later bundle could trust them again. Drop a revocation only once every bundle that trusted it has expired: the plan fails before the retention end that the published bundle records for each (revoked:<item>).',
      },
    ]);
    expect(exitDecision(x.explanation, { failOnTrustChange: true }).code).toBe(EXIT_TRUST_CHANGE);
  });
});

describe('an emergency rotation: the new bundle is known only after apply', () => {
  // The emergency line in code: task key v2 compromised (rotated and activated in this apply), and bundle key v1
  // compromised once its pre-published v2 is active; a refresh hint of 600 s.
  const emergency: EnvironmentConfig = {
    ...dev,
    taskSigning: { version: 2, compromised: [2] },
    bundleSigning: { version: 2, compromised: [1] },
    bundle: { sequence: 2, freshness: { expires: '2027-02-01T00:00:00Z', refreshHintSeconds: 600 } },
  };
  const before = v2({
    sequence: 1,
    task_verifiers: taskSet(
      entry('node-task-signer', 1, 'grace', '2027-01-15T00:00:00Z'),
      entry('node-task-signer', 2, 'active'),
    ),
  });
  const plan = () => bundlePlan({ before, after: 'unknown', digest: DIGEST });

  test('GIVEN the manifest the stack emits WHEN explained THEN the emergency comes from the code, with its refresh hint', () => {
    const x = explain(withManifest(plan(), manifestOf({ ...dev, taskSigning: { version: 2 } }), manifestOf(emergency)));
    expect(x.explanation.emergencies).toEqual([
      {
        output: 'bootstrap_bundle',
        from: 'manifest',
        revoked: [
          { kind: 'task-key', key: 'node-task-signer', version: 2 },
          { kind: 'bundle-key', key: 'bundle-signer', version: 1 },
        ],
        refreshHintSeconds: 600,
        heldBundleExpires: '2027-02-01T00:00:00Z',
      },
    ]);
    expect(x.lines.indexOf(EMERGENCY_HEAD)).toBe(2);
    expect(x.lines).toContain('- tasks signed by task key `node-task-signer` version 2');
    expect(x.lines).toContain('- bundle updates signed by bundle key `bundle-signer` version 1');
    expect(x.lines).toContain(
      'The revocations come from the code (the stack manifest): the new bundle is known only after apply.',
    );
    expect(x.lines).toContain(
      "Every online node refuses them at most 600 s (10 min) after the apply publishes the bundle: the bundle's refresh hint.",
    );
    // The revocations are known: what cannot be ruled out no longer lists them.
    const open = x.explanation.trustChanges.find((t) => t.kind === TrustChangeKind.BUNDLE_INPUTS)!;
    expect(open.confirmed).toBe(false);
    expect(open.message).toContain('the bundle format, the expiry and the refresh hint cannot be confirmed');
    expect(x.explanation.trustChanges.filter((t) => t.confirmed).map((t) => t.kind)).toEqual([
      TrustChangeKind.REVOCATION,
    ]);
  });

  test('GIVEN a plan without the manifest THEN the explainer claims nothing about revocations: they cannot be ruled out', () => {
    const x = explain(plan());
    expect(x.explanation.emergencies).toEqual([]);
    expect(x.explanation.trustChanges.map((t) => `${t.kind} ${t.confirmed}`)).toEqual(['bundle-inputs false']);
    expect(x.explanation.trustChanges[0].message).toContain('the refresh hint and the revocations cannot be confirmed');
  });
});

describe('freshness changes', () => {
  const before = v2({ sequence: 3 });

  test('GIVEN the expiry and the refresh hint change THEN both are one trust change, before and after', () => {
    const after = v2({ sequence: 4, freshness: { expires: '2027-04-01T00:00:00Z', refresh_hint_seconds: 600 } });
    const x = explain(bundlePlan({ before, after }));
    expect(x.explanation.trustChanges).toEqual([
      {
        kind: TrustChangeKind.FRESHNESS,
        subject: 'bootstrap_bundle',
        confirmed: true,
        message:
          'freshness: expiry `2027-02-01T00:00:00Z` → `2027-04-01T00:00:00Z`; refresh hint `3600 s` → `600 s`: nodes refuse the bundle from its expiry on (and every task while they hold it), and look for a newer one every refresh hint.',
      },
    ]);
    expect(x.lines.indexOf(TRUST_HEAD)).toBeGreaterThan(0);
    expect(x.markdown).not.toContain(EMERGENCY_HEAD);
    expect(exitDecision(x.explanation, { failOnTrustChange: true }).code).toBe(EXIT_TRUST_CHANGE);
  });

  test('GIVEN a move from v1 THEN the new expiry is shown as set', () => {
    const { freshness: _f, revoked: _r, ...rest } = before;
    void _f;
    void _r;
    const x = explain(bundlePlan({ before: rest, after: v2({ sequence: 4 }) }));
    expect(x.explanation.trustChanges.find((t) => t.kind === TrustChangeKind.FRESHNESS)?.message).toBe(
      'freshness: the bundle now expires at `2027-02-01T00:00:00Z`, refresh hint `3600 s`: nodes refuse the bundle from its expiry on (and every task while they hold it), and look for a newer one every refresh hint.',
    );
  });

  test('GIVEN only the sequence changes THEN no freshness change', () => {
    const x = explain(bundlePlan({ before, after: v2({ sequence: 4 }) }));
    expect(x.explanation.trustChanges).toEqual([]);
  });
});

describe('a rollout override in code', () => {
  const reason = 'the fleet took v2 from an out-of-band push on 2027-01-10 (change CHG-123)';
  const overridden: EnvironmentConfig = {
    ...dev,
    bundle: { sequence: 4, freshness: { expires: '2027-02-01T00:00:00Z', rolloutOverride: { reason } } },
  };

  test('GIVEN a plan that publishes a bundle THEN the override and its reason are a trust change', () => {
    const plan = bundlePlan({ before: v2({ sequence: 3 }), after: v2({ sequence: 4 }) });
    const x = explain(withManifest(plan, manifestOf(dev), manifestOf(overridden)));
    expect(x.explanation.trustChanges.map((t) => t.kind)).toEqual([TrustChangeKind.ROLLOUT_OVERRIDE]);
    expect(x.lines).toContain(
      `- **TRUST CHANGE (rollout-override)** \`bootstrap_bundle\`: the code skips the rollout window (\`freshness.rolloutOverride\`), with the reason \`${reason}\`: a key version activated now may sign before every node has fetched it, and nodes that have not refreshed refuse what it signs until they do. Remove the override once the activation is applied.`,
    );
    expect(x.explanation.emergencies).toEqual([]);
    expect(exitDecision(x.explanation, { failOnTrustChange: true }).code).toBe(EXIT_TRUST_CHANGE);
  });

  test('GIVEN a plan whose bundle does not change THEN the override is not shown', () => {
    const plan = bundlePlan({ before: v2({ sequence: 3 }), after: v2({ sequence: 3 }) });
    plan.output_changes.bootstrap_bundle.actions = ['no-op'];
    const x = explain(withManifest(plan, manifestOf(overridden), manifestOf(overridden)));
    expect(x.explanation.trustChanges).toEqual([]);
  });
});

describe('the manifest member "bundle"', () => {
  test('GIVEN the dev stack THEN the manifest has no bundle member (nothing revoked, no override)', () => {
    expect(parseManifest(manifestOf(dev))?.bundle).toBeUndefined();
    expect(JSON.parse(manifestOf(dev))).not.toHaveProperty('bundle');
  });

  test('GIVEN compromised versions, a revoked root pin and an override in code THEN the stack emits them with the refresh hint', () => {
    const manifest = parseManifest(
      manifestOf({
        ...dev,
        taskSigning: { version: 3, activeVersion: 3, compromised: [1, 2] },
        bundle: {
          sequence: 2,
          freshness: {
            expires: '2027-02-01T00:00:00Z',
            refreshHintSeconds: 900,
            rolloutOverride: { reason: 'x'.repeat(24) },
          },
          // Upper-case hex in code; lower case in the bundle and the manifest.
          revokedRootPins: [PIN.corpRoot.toUpperCase().replace('SHA256:', 'sha256:')],
        },
      }),
    );
    expect(manifest?.bundle).toEqual({
      refresh_hint_seconds: 900,
      revoked: { task_key_versions: [1, 2], bundle_key_versions: [], root_pins: [PIN.corpRoot] },
      rollout_override: 'x'.repeat(24),
    });
  });

  test('GIVEN malformed members THEN they are left out; the new side of the plan is read, not the old one', () => {
    const base = JSON.parse(manifestOf(dev));
    expect(
      parseManifest({
        ...base,
        bundle: { refresh_hint_seconds: -1, revoked: { task_key_versions: ['1'] }, rollout_override: 3 },
      })?.bundle,
    ).toBeUndefined();
    const old = JSON.stringify({
      ...base,
      bundle: { revoked: { task_key_versions: [1], bundle_key_versions: [], root_pins: [] } },
    });
    const plan = withManifest(
      bundlePlan({ before: v2({ sequence: 3 }), after: 'unknown', digest: DIGEST }),
      old,
      manifestOf(dev),
    );
    expect(explain(plan).explanation.emergencies).toEqual([]);
  });
});

test('durations are given in seconds and in the largest whole unit', () => {
  expect([duration(1), duration(90), duration(600), duration(3600), duration(5400), duration(86400)]).toEqual([
    '1 s',
    '90 s',
    '600 s (10 min)',
    '3600 s (1 h)',
    '5400 s (90 min)',
    '86400 s (1 d)',
  ]);
});
