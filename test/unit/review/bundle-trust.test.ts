import {
  EXIT_TRUST_CHANGE,
  TrustChangeKind,
  WarningKind,
  exitDecision,
  explainPlan,
  renderMarkdown,
} from '../../../lib/review/plan-explainer';
import { BUNDLE_SECRET, PEM, PIN, bundlePlan, bundleV1, bundleV2, change, entry, load } from './bundle-plans';

const TRUST_HEAD = '## 🔐 Trust changes';
const SIGNING_HEAD = '## 🚨 Signing during a plan';
const NO_TRUST_CHANGE =
  'No trust change: the control-plane URL, public HTTPS roots, node-cert CA chain, bundle keys, bundle format, expiry, refresh hint and revocations stay as they are.';
const NO_WARNINGS = 'No destructive changes: nothing is deleted or replaced, and no version goes down.';
const OLD_URL = 'https://control.dev.platform.internal';
const NEW_URL = 'https://cp.dev.platform.example';

const explain = (plan: unknown) => {
  const explanation = explainPlan(plan);
  const markdown = renderMarkdown(explanation);
  return { explanation, markdown, lines: markdown.split('\n') };
};
const kinds = (x: ReturnType<typeof explain>) => x.explanation.trustChanges.map((t) => `${t.kind} ${t.confirmed}`);
const next = (b: any, f: (x: any) => void) => {
  const x = structuredClone(b);
  x.sequence = b.sequence + 1;
  f(x);
  return x;
};

describe('control-plane URL change (hand-url-change.json)', () => {
  const x = explain(load('hand-url-change.json'));

  test('GIVEN a URL change and a sequence bump WHEN explained THEN it is a trust change named with before and after', () => {
    expect(x.explanation.trustChanges).toEqual([
      {
        kind: TrustChangeKind.CONTROL_PLANE_URL,
        subject: 'bootstrap_bundle',
        confirmed: true,
        message: `the control-plane URL changes \`${OLD_URL}\` → \`${NEW_URL}\`: nodes connect to the new URL and check its certificate against the public HTTPS roots.`,
      },
    ]);
    expect(x.lines).toContain(
      `- **TRUST CHANGE (control-plane-url)** \`bootstrap_bundle\`: the control-plane URL changes \`${OLD_URL}\` → \`${NEW_URL}\`: nodes connect to the new URL and check its certificate against the public HTTPS roots.`,
    );
  });

  test('THEN the trust section comes first, before the destructive all-clear and the details', () => {
    expect(x.lines.slice(0, 7)).toEqual([
      '## Plan review',
      '',
      '**Plan: 0 to add, 1 to change, 0 to destroy.**',
      '',
      TRUST_HEAD,
      '',
      'TRUST CHANGE: this plan changes what nodes trust. Check every line against the change request before approving.',
    ]);
    expect(x.lines.indexOf(TRUST_HEAD)).toBeLessThan(x.lines.indexOf(NO_WARNINGS));
    expect(x.markdown).not.toContain(NO_TRUST_CHANGE);
  });

  test('THEN the bundle section shows the sequence, the envelope signed during apply, and the field', () => {
    expect(x.lines).toContain(`- Sequence (\`${BUNDLE_SECRET}\`, update): 3 → 4`);
    expect(x.lines).toContain(
      '- Envelope (`bootstrap_envelope`, update): signed during apply (the plan holds no signature)',
    );
    expect(x.lines).toContain(`| \`control_plane.url\` | \`${OLD_URL}\` | \`${NEW_URL}\` |`);
    expect(x.explanation.bundleContents[0].fields).toEqual([
      { field: 'control_plane.url', before: OLD_URL, after: NEW_URL },
    ]);
    expect(x.explanation.signing).toEqual({
      envelopes: [{ output: 'bootstrap_envelope', action: 'update', signed: 'apply' }],
      signatures: [],
      alerts: [],
    });
    expect(x.markdown).not.toContain(SIGNING_HEAD);
  });

  test('GIVEN --fail-on-trust-change WHEN decided THEN it exits 4 and says why; without the option it exits 0', () => {
    expect(exitDecision(x.explanation, { failOnTrustChange: true })).toEqual({
      code: EXIT_TRUST_CHANGE,
      reasons: [
        'the plan changes what nodes trust: 1 trust change (see "Trust changes"); a second reviewer is required; exiting 4.',
      ],
    });
    expect(exitDecision(x.explanation)).toEqual({ code: 0, reasons: [] });
    expect(exitDecision(x.explanation, { failOnDestructive: true })).toEqual({ code: 0, reasons: [] });
  });
});

describe('public HTTPS roots', () => {
  test('GIVEN a root added as next WHEN explained THEN the trust change names it with its pin and state', () => {
    const before = bundleV1();
    const after = next(before, (b) => b.public_https_trust.roots.push({ pem: PEM.newRoot, state: 'next' }));
    const x = explain(bundlePlan({ before, after }));
    expect(kinds(x)).toEqual(['public-https-roots true']);
    expect(x.explanation.trustChanges[0].message).toBe(
      `public HTTPS roots: \`CN=dev-control-plane-root-2027\` (\`${PIN.newRoot}\`) added as \`next\`.`,
    );
    // The roots table stays under the CA section; the bundle section points to it.
    expect(x.lines).toContain(`| CN=dev-control-plane-root-2027 | \`${PIN.newRoot}\` | — | next |`);
    expect(x.lines).toContain('- Public HTTPS roots change: see the table under "Control-plane CA and pins".');
  });

  test('GIVEN a root switch (hand-ca-switch.json) WHEN explained THEN each state change is a trust change', () => {
    const x = explain(load('hand-ca-switch.json'));
    expect(x.explanation.trustChanges.filter((t) => t.confirmed)).toEqual([
      {
        kind: TrustChangeKind.PUBLIC_HTTPS_ROOTS,
        subject: 'bootstrap_bundle',
        confirmed: true,
        message: `public HTTPS roots: \`CN=dev-control-plane-root-2027\` (\`${PIN.newRoot}\`) \`next\` → \`current\`; \`CN=dev-control-plane-root\` (\`${PIN.oldRoot}\`) \`current\` → \`previous until 2027-06-30T00:00:00Z\`.`,
      },
    ]);
  });

  test('GIVEN only an end date of a previous root changes WHEN explained THEN it is a trust change', () => {
    const before = next(bundleV1(), (b) =>
      b.public_https_trust.roots.push({ pem: PEM.newRoot, state: 'previous', until: '2027-06-30T00:00:00Z' }),
    );
    const after = next(before, (b) => (b.public_https_trust.roots[1].until = '2027-09-30T00:00:00Z'));
    const x = explain(bundlePlan({ before, after }));
    expect(x.explanation.trustChanges.map((t) => t.message)).toEqual([
      `public HTTPS roots: \`CN=dev-control-plane-root-2027\` (\`${PIN.newRoot}\`) \`previous until 2027-06-30T00:00:00Z\` → \`previous until 2027-09-30T00:00:00Z\`.`,
    ]);
  });
});

describe('node-cert CA chain', () => {
  test('GIVEN the issuing CA replaced WHEN explained THEN the trust change and the table name subjects and pins', () => {
    const before = bundleV1();
    const after = next(before, (b) => (b.node_cert_trust.pems = [PEM.corpRoot, PEM.nodeRoot]));
    const x = explain(bundlePlan({ before, after }));
    expect(kinds(x)).toEqual(['node-cert-ca-chain true']);
    const m = x.explanation.trustChanges[0].message;
    expect(m).toMatch(
      /^node-cert CA chain: `C=US, O=Example Corp, CN=Example Corp Public Root CA` \(`sha256:0dcd68dc[0-9a-f]{56}`\) added; `CN=nodes\.dev\.internal issuing CA` \(`sha256:[0-9a-f]{64}`\) removed\.$/,
    );
    expect(x.lines).toContain('Node-cert CA chain (`node_cert_trust.pems`):');
    expect(x.lines).toContain(
      `| C=US, O=Example Corp, CN=Example Corp Public Root CA | \`${PIN.corpRoot}\` | — | in the chain (1 of 2) |`,
    );
    expect(
      x.lines.some((l) =>
        /^\| CN=nodes\.dev\.internal issuing CA \| `sha256:[0-9a-f]{64}` \| in the chain \(1 of 2\) \| — \|$/.test(l),
      ),
    ).toBe(true);
  });

  test('GIVEN only the order of the chain changes WHEN explained THEN it is shown but is no trust change', () => {
    const before = bundleV1();
    const after = next(before, (b) => b.node_cert_trust.pems.reverse());
    const x = explain(bundlePlan({ before, after }));
    expect(x.explanation.trustChanges).toEqual([]);
    expect(x.explanation.bundleContents[0].nodeCertChain).toBeDefined();
    expect(x.lines).toContain(NO_TRUST_CHANGE);
  });
});

describe('task verifier set in the bundle', () => {
  test('GIVEN an activation in the bundle WHEN explained THEN versions, states, end dates and kids are shown, and it is no trust change', () => {
    const before = next(bundleV1(), (b) => {
      b.task_verifiers.set.keys.push(entry('node-task-signer', 2, 'next'));
      b.env.GPUAAS_TASK_SIGNING_PUBKEYS = JSON.stringify(b.task_verifiers.set);
    });
    const after = next(before, (b) => {
      b.task_verifiers.set.keys[0] = { ...b.task_verifiers.set.keys[0], state: 'grace', until: '2027-01-15T00:00:00Z' };
      b.task_verifiers.set.keys[1].state = 'active';
      b.env.GPUAAS_TASK_SIGNING_PUBKEYS = JSON.stringify(b.task_verifiers.set);
    });
    const x = explain(bundlePlan({ before, after }));
    const v1kid = before.task_verifiers.set.keys[0].kid;
    const v2kid = before.task_verifiers.set.keys[1].kid;
    expect(x.lines).toContain('Task verifiers (`task_verifiers.set`, key `node-task-signer`):');
    expect(x.lines).toContain(`| v1 | active | grace until 2027-01-15T00:00:00Z | \`${v1kid}\` |`);
    expect(x.lines).toContain(`| v2 | next | active | \`${v2kid}\` |`);
    expect(x.explanation.bundleContents[0].fields).toEqual([
      {
        field: 'env.GPUAAS_TASK_SIGNING_PUBKEYS',
        before: 'node-task-signer: v1 active, v2 next (compact JSON of the verifier set)',
        after: 'node-task-signer: v1 grace until 2027-01-15T00:00:00Z, v2 active (compact JSON of the verifier set)',
      },
    ]);
    expect(x.explanation.trustChanges).toEqual([]);
    expect(x.lines).toContain(NO_TRUST_CHANGE);
  });

  test('GIVEN a version whose kid changes WHEN rendered THEN the kid cell shows both', () => {
    const before = bundleV1();
    const after = next(
      before,
      (b) => (b.task_verifiers.set.keys[0] = entry('node-task-signer', 1, 'active', undefined, 9)),
    );
    const x = explain(bundlePlan({ before, after }));
    const [b, a] = [before, after].map((s) => s.task_verifiers.set.keys[0].kid);
    expect(x.lines).toContain(`| v1 | active | active | \`${b}\` → \`${a}\` |`);
  });
});

describe('bundle format v2: bundle keys', () => {
  test('GIVEN a bundle key rotation WHEN explained THEN it is a trust change with versions, states and kids', () => {
    const before = bundleV2([entry('bundle-signer', 1, 'active'), entry('bundle-signer', 2, 'next')]);
    const after = next(before, (b) => {
      b.bundle_keys.set.keys[0] = { ...b.bundle_keys.set.keys[0], state: 'grace', until: '2027-03-01T00:00:00Z' };
      b.bundle_keys.set.keys[1].state = 'active';
    });
    const x = explain(bundlePlan({ before, after }));
    expect(kinds(x)).toEqual(['bundle-keys true']);
    expect(x.explanation.trustChanges[0].message).toBe(
      'bundle keys: v1 `active` → `grace until 2027-03-01T00:00:00Z`; v2 `next` → `active`.',
    );
    expect(x.lines).toContain('Bundle keys (`bundle_keys.set`, key `bundle-signer`):');
    expect(x.lines).toContain(`| v2 | next | active | \`${before.bundle_keys.set.keys[1].kid}\` |`);
  });

  test('GIVEN a new bundle key pre-published WHEN explained THEN the added version and its kid are named', () => {
    const before = bundleV2();
    const after = next(before, (b) => b.bundle_keys.set.keys.push(entry('bundle-signer', 2, 'next')));
    const x = explain(bundlePlan({ before, after }));
    expect(x.explanation.trustChanges.map((t) => t.message)).toEqual([
      `bundle keys: v2 added as \`next\` (\`${after.bundle_keys.set.keys[1].kid}\`).`,
    ]);
  });

  test('GIVEN a v1 bundle becoming v2 WHEN explained THEN the format change and the new bundle keys are trust changes', () => {
    const before = bundleV1();
    const after = next(bundleV2(), () => undefined);
    after.sequence = before.sequence + 1;
    const x = explain(bundlePlan({ before, after }));
    expect(kinds(x)).toEqual(['bundle-format true', 'bundle-keys true']);
    expect(x.explanation.trustChanges.map((t) => t.message)).toEqual([
      'the bundle format changes v1 → v2: the bundle now carries the bundle keys nodes verify the next bundle under.',
      `bundle keys: key \`none\` → \`bundle-signer\`; v1 added as \`active\` (\`${after.bundle_keys.set.keys[0].kid}\`).`,
    ]);
    expect(x.lines).toContain('- Format: v1 → v2');
    expect(x.explanation.bundleContents[0].format).toEqual({ before: 'v1', after: 'v2' });
  });
});

describe('a new bundle known only after apply', () => {
  test('GIVEN a CA publish-next plan (hand-ca-publish-next.json) WHEN explained THEN the configuration shows the root, and the rest cannot be ruled out', () => {
    const x = explain(load('hand-ca-publish-next.json'));
    expect(kinds(x)).toEqual(['public-https-roots true', 'bundle-inputs false']);
    expect(x.lines).toContain(
      '- **TRUST CHANGE (public-https-roots)** `bootstrap_bundle`: public HTTPS roots change at apply: root issuer `dev-control-plane-root-2027` in `dev/pki-control-plane`: create (its certificate is made at apply).',
    );
    expect(x.lines).toContain('Cannot be ruled out until apply:');
    expect(x.lines).toContain(
      'The new bundle is known only after apply. What the configuration (the planned resources) says about it:',
    );
    expect(x.lines).toContain("- sequence 2 (the bundle secret's custom metadata)");
    expect(x.lines).toContain('- node-cert CA chain: no node-cert CA resource changes');
    expect(x.lines).toContain('- task verifiers: `task_signing_pubkeys` does not change');
    expect(x.lines).toContain('The rest of the bundle is known after apply.');
  });

  test('GIVEN an unchanged inputs digest WHEN explained THEN no trust change, and the known parts are listed', () => {
    const x = explain(
      bundlePlan({
        before: bundleV1(),
        after: 'unknown',
        digest: { published: 'a'.repeat(64), written: 'a'.repeat(64) },
      }),
    );
    expect(x.explanation.trustChanges).toEqual([]);
    expect(x.lines).toContain(NO_TRUST_CHANGE);
    expect(x.explanation.bundleContents[0]).toMatchObject({ afterKnown: false, fields: [] });
    expect(x.lines).toContain(
      '- the inputs digest is unchanged: the control-plane URL, environment, paths, public HTTPS roots, node-cert CA chain, expiry, refresh hint and revocations, as the code states them, stay as they are',
    );
    expect(exitDecision(x.explanation, { failOnTrustChange: true }).code).toBe(0);
  });

  test('GIVEN a changed inputs digest WHEN explained THEN an unconfirmed trust change, and --fail-on-trust-change fails', () => {
    const x = explain(
      bundlePlan({
        before: bundleV1(),
        after: 'unknown',
        digest: { published: 'a'.repeat(64), written: 'b'.repeat(64) },
      }),
    );
    expect(x.explanation.trustChanges).toEqual([
      {
        kind: TrustChangeKind.BUNDLE_INPUTS,
        subject: 'bootstrap_bundle',
        confirmed: false,
        message:
          'the new bundle is known only after apply, and the code changes what it states for it (inputs digest `aaaaaaaaaaaa…` → `bbbbbbbbbbbb…`): the control-plane URL, the public HTTPS roots, the node-cert CA chain, the bundle format, the expiry, the refresh hint and the revocations cannot be confirmed from this plan. Review the code change, or the bundle after apply.',
      },
    ]);
    expect(x.lines).toContain(
      'TRUST CHANGE POSSIBLE: this plan may change what nodes trust, and the plan cannot show it. Check the code change before approving.',
    );
    expect(exitDecision(x.explanation, { failOnTrustChange: true })).toEqual({
      code: 4,
      reasons: [
        'the plan changes what nodes trust: 1 that cannot be ruled out until apply (see "Trust changes"); a second reviewer is required; exiting 4.',
      ],
    });
  });

  test('GIVEN no inputs digest in the plan WHEN explained THEN the unknown bundle cannot be ruled out', () => {
    const x = explain(bundlePlan({ before: bundleV1(), after: 'unknown' }));
    expect(x.explanation.trustChanges.map((t) => [t.kind, t.confirmed])).toEqual([['bundle-inputs', false]]);
    expect(x.explanation.trustChanges[0].message).toContain('the plan carries no inputs digest to compare');
  });

  test('GIVEN an activation (hand-activation.json) WHEN explained THEN the active version change is named as a cause of the new digest', () => {
    const x = explain(load('hand-activation.json'));
    expect(x.explanation.trustChanges[0].message).toContain(
      'The active task signing version also changes (v1 → v2), which alone changes the digest.',
    );
    // The verifier set stays under its own section, not repeated in the bundle section.
    expect(x.markdown).not.toContain('Task verifiers (`task_verifiers.set`');
    expect(x.lines).toContain('- task verifiers: as `task_signing_pubkeys` under Verifier set');
  });

  test('GIVEN a v2 bundle whose bundle key rotates WHEN the bundle is unknown THEN the configuration shows a bundle key change with derived states', () => {
    const before = bundleV2();
    const floors = (d: number, e: number) => ({
      path: 'dev/transit/keys/bundle-signer/config',
      data_json: JSON.stringify({ min_decryption_version: d, min_encryption_version: e }),
    });
    const x = explain(
      bundlePlan({
        before,
        after: 'unknown',
        digest: { published: 'a'.repeat(64), written: 'a'.repeat(64) },
        resources: [
          change('vault_generic_endpoint.BundleSigningKey_RotateToV2_0A1B2C3D', ['create'], null, {
            path: 'dev/transit/keys/bundle-signer/rotate',
          }),
          change('vault_generic_endpoint.BundleSigningKey_Floors_0A1B2C3D', ['no-op'], floors(1, 1), floors(1, 1)),
          change(
            'vault_transit_secret_backend_key.BundleSigningKey_0A1B2C3D',
            ['no-op'],
            { backend: 'dev/transit', name: 'bundle-signer', latest_version: 1 },
            { backend: 'dev/transit', name: 'bundle-signer', latest_version: 1 },
          ),
        ],
      }),
    );
    expect(kinds(x)).toEqual(['bundle-keys true']);
    expect(x.explanation.trustChanges[0].message).toBe(
      'bundle key `dev/transit/keys/bundle-signer`: rotation to v2: create; the new bundle key set is known after apply.',
    );
    expect(x.explanation.bundleContents[0].bundleKeys).toEqual({
      keyBefore: 'bundle-signer',
      keyAfter: 'bundle-signer',
      before: [{ version: 1, state: 'active', kid: before.bundle_keys.set.keys[0].kid }],
      after: [
        { version: 1, state: 'active' },
        { version: 2, state: 'next' },
      ],
      afterFrom: 'derived',
    });
    expect(x.lines).toContain(
      '- The new states are derived from the floors and rotation resources of the key; the set itself is known after apply.',
    );
    expect(x.lines).toContain('| v2 | — | next |  |');
  });

  test('GIVEN a v1 bundle and a new transit key WHEN the bundle is unknown THEN a possible bundle key change is flagged', () => {
    const x = explain(
      bundlePlan({
        before: bundleV1(),
        after: 'unknown',
        digest: { published: 'a'.repeat(64), written: 'a'.repeat(64) },
        resources: [
          change('vault_transit_secret_backend_key.BundleSigningKey_0A1B2C3D', ['create'], null, {
            backend: 'dev/transit',
            name: 'bundle-signer',
          }),
        ],
      }),
    );
    expect(kinds(x)).toEqual(['bundle-keys false']);
    expect(x.explanation.trustChanges[0].message).toContain(
      'this plan creates the transit key `dev/transit/keys/bundle-signer`',
    );
  });

  test('GIVEN a node-cert intermediate re-issued WHEN the bundle is unknown THEN the chain change is confirmed from the resources', () => {
    const x = explain(load('hand-rotation-prepublish.json'));
    expect(x.explanation.trustChanges).toEqual([]);
    const plan = load('hand-rotation-prepublish.json');
    const rc = plan.resource_changes.find((r: any) => r.type === 'vault_pki_secret_backend_intermediate_set_signed');
    rc.change.actions = ['update'];
    const y = explain(plan);
    expect(kinds(y)).toEqual(['node-cert-ca-chain true']);
    expect(y.lines).toContain('- public HTTPS roots: no control-plane root issuer or default issuer changes');
    expect(y.lines).toContain(
      '- node-cert CA chain: node-cert CA resources change: the new chain is known after apply',
    );
  });
});

describe('no trust change', () => {
  test('GIVEN only a sequence bump (the envelope signed during apply) WHEN explained THEN not flagged', () => {
    const before = bundleV1();
    const x = explain(bundlePlan({ before, after: next(before, () => undefined) }));
    expect(x.explanation.trustChanges).toEqual([]);
    expect(x.explanation.signing.alerts).toEqual([]);
    expect(x.markdown).not.toContain(TRUST_HEAD);
    expect(x.lines).toContain(NO_TRUST_CHANGE);
    expect(x.lines).toContain('- Only the sequence changes.');
    expect(x.lines).toContain('- Sequence (`bootstrap_bundle`, update): 3 → 4');
    expect(exitDecision(x.explanation, { failOnTrustChange: true, failOnDestructive: true })).toEqual({
      code: 0,
      reasons: [],
    });
  });

  test('GIVEN a plan without a bundle WHEN explained THEN neither the trust section nor its all-clear is shown', () => {
    const x = explain({ format_version: '1.2', resource_changes: [] });
    expect(x.markdown).not.toContain(TRUST_HEAD);
    expect(x.markdown).not.toContain(NO_TRUST_CHANGE);
  });
});

describe('signing during a plan', () => {
  test('GIVEN a vault_transit_sign data source read during the plan (hand-lowered-sequence.json) WHEN explained THEN a loud warning', () => {
    const x = explain(load('hand-lowered-sequence.json'));
    expect(x.explanation.signing.alerts.map((a) => `${a.kind} ${a.subject}`)).toEqual([
      'signed-in-plan bootstrap_envelope',
      'signed-in-plan data.vault_transit_sign.BootstrapBundle_Signature_9CEFCE9F',
    ]);
    expect(x.lines).toContain(SIGNING_HEAD);
    expect(x.lines).toContain(
      "- **WARNING (signed-in-plan)** `data.vault_transit_sign.BootstrapBundle_Signature_9CEFCE9F`: was read during this plan: Vault signed with `dev/transit/keys/node-task-signer` while planning, before anyone reviewed the change. Sign during apply, in a managed resource, and keep `sign` out of the plan identity's policy.",
    );
    expect(x.lines).toContain(
      '- Envelope (`bootstrap_envelope`, update): known in the plan with its signatures: signed while planning (see "Signing during a plan")',
    );
    // The signing section comes before the destructive section.
    expect(x.lines.indexOf(SIGNING_HEAD)).toBeLessThan(x.lines.indexOf('## ⚠️ Destructive changes'));
    expect(exitDecision(x.explanation, { failOnTrustChange: true }).reasons).toEqual([
      'the plan changes what nodes trust: 2 signing during a plan (see "Trust changes" and "Signing during a plan"); a second reviewer is required; exiting 4.',
    ]);
  });

  test('GIVEN a data source read at apply (hand-rotation-prepublish.json) WHEN explained THEN still a loud warning, and the envelope is signed during apply', () => {
    const x = explain(load('hand-rotation-prepublish.json'));
    expect(x.explanation.signing).toEqual({
      envelopes: [{ output: 'bootstrap_envelope', action: 'update', signed: 'apply' }],
      signatures: [],
      alerts: [
        expect.objectContaining({
          kind: WarningKind.SIGNING_DATA_SOURCE,
          subject: 'data.vault_transit_sign.BootstrapBundle_Signature_9CEFCE9F',
        }),
      ],
    });
    expect(x.lines).toContain(
      '- Envelope (`bootstrap_envelope`, update): signed during apply (the plan holds no signature)',
    );
    // Signing alerts are not destructive: --fail-on-destructive is unaffected.
    expect(exitDecision(x.explanation, { failOnDestructive: true }).code).toBe(0);
  });

  test('GIVEN a data source left in the prior state but gone from the configuration WHEN explained THEN no warning', () => {
    const plan = load('hand-lowered-sequence.json');
    plan.configuration.root_module.resources = plan.configuration.root_module.resources.filter(
      (r: any) => r.type !== 'vault_transit_sign',
    );
    const x = explain(plan);
    expect(x.explanation.signing.alerts.map((a) => a.subject)).toEqual(['bootstrap_envelope']);
  });
});

describe('format v2 plans: apply-time signature, bundle key set output', () => {
  const SIGNER = 'vault_generic_endpoint.BootstrapBundle_BundleSignature_5E1A7C02';
  const signer = (actions: string[]) => ({
    ...change(
      SIGNER,
      actions,
      { path: 'dev/transit/sign/bundle-signer', disable_delete: true, disable_read: true, data_json: 'withheld' },
      actions.includes('create')
        ? { path: 'dev/transit/sign/bundle-signer', disable_delete: true, disable_read: true }
        : null,
      { data_json: true, write_data: true },
    ),
    ...(actions.includes('create') && actions.includes('delete') ? { action_reason: 'replace_by_triggers' } : {}),
  });
  const keySetOutput = (before: unknown, after: unknown) => ({
    actions: ['update'],
    before: JSON.stringify(before),
    ...(after === undefined ? {} : { after: JSON.stringify(after) }),
    after_unknown: after === undefined,
    before_sensitive: false,
    after_sensitive: false,
  });

  test('GIVEN the bundle signature replaced because the bundle changes WHEN explained THEN it signs again during apply and is not destructive', () => {
    const before = bundleV2();
    const after = next(before, (b) => (b.control_plane.url = NEW_URL));
    const x = explain(bundlePlan({ before, after, resources: [signer(['delete', 'create'])] }));
    expect(x.explanation.summary.text).toBe('Plan: 1 to add, 0 to change, 1 to destroy.');
    expect(x.explanation.warnings).toEqual([]);
    expect(x.lines).toContain(NO_WARNINGS);
    expect(x.explanation.signing.signatures).toEqual([
      { address: SIGNER, action: 'replace', keyPath: 'dev/transit/keys/bundle-signer' },
    ]);
    expect(x.lines).toContain(
      `- Signature (\`${SIGNER}\`, replace): signs again during apply with \`dev/transit/keys/bundle-signer\`, as what it signs changes (the replacement deletes nothing in Vault)`,
    );
    expect(x.lines).toContain(
      '- Envelope (`bootstrap_envelope`, update): signed during apply (the plan holds no signature)',
    );
    expect(x.explanation.signing.alerts).toEqual([]);
    expect(exitDecision(x.explanation, { failOnDestructive: true }).code).toBe(0);
    expect(kinds(x)).toEqual(['control-plane-url true']);
  });

  test('GIVEN the bundle signature removed WHEN explained THEN the delete is still a destructive warning', () => {
    const before = bundleV2();
    const x = explain(bundlePlan({ before, after: next(before, () => undefined), resources: [signer(['delete'])] }));
    expect(x.explanation.warnings.map((w) => `${w.kind} ${w.subject}`)).toEqual([`delete ${SIGNER}`]);
    expect(x.lines).toContain(
      `- Signature (\`${SIGNER}\`, delete): no longer signs (with \`dev/transit/keys/bundle-signer\`)`,
    );
  });

  test('GIVEN the bundle unknown and the bundle key set output known WHEN explained THEN the bundle key change is confirmed from it', () => {
    const before = bundleV2();
    const set = before.bundle_keys.set;
    const newSet = { ...set, keys: [...set.keys, entry('bundle-signer', 2, 'next')] };
    const plan = bundlePlan({
      before,
      after: 'unknown',
      digest: { published: 'a'.repeat(64), written: 'a'.repeat(64) },
    });
    plan.output_changes.bundle_signing_keys = keySetOutput(set, newSet);
    const x = explain(plan);
    expect(x.explanation.trustChanges).toEqual([
      {
        kind: TrustChangeKind.BUNDLE_KEYS,
        subject: 'bootstrap_bundle',
        confirmed: true,
        message: `bundle keys (as \`bundle_signing_keys\` shows them): v2 added as \`next\` (\`${newSet.keys[1].kid}\`).`,
      },
    ]);
    expect(x.explanation.bundleContents[0].bundleKeys?.afterFrom).toBe('output');
    expect(x.lines).toContain(`| v2 | — | next | \`${newSet.keys[1].kid}\` |`);

    // The same set on both sides: said so, and no trust change.
    const same = bundlePlan({
      before,
      after: 'unknown',
      digest: { published: 'a'.repeat(64), written: 'a'.repeat(64) },
    });
    same.output_changes.bundle_signing_keys = keySetOutput(set, set);
    const y = explain(same);
    expect(y.explanation.trustChanges).toEqual([]);
    expect(y.lines).toContain('- bundle keys: as before (`bundle_signing_keys` shows the same set)');
  });

  test('GIVEN the bundle signing version moves WHEN the digest changes THEN the note names it', () => {
    const plan = bundlePlan({
      before: bundleV2(),
      after: 'unknown',
      digest: { published: 'a'.repeat(64), written: 'b'.repeat(64) },
    });
    plan.output_changes.bundle_signing_active_version = {
      actions: ['update'],
      before: '1',
      after: '2',
      after_unknown: false,
      before_sensitive: false,
      after_sensitive: false,
    };
    expect(explain(plan).explanation.trustChanges[0].message).toContain(
      'The active bundle signing version also changes (v1 → v2), which alone changes the digest.',
    );
  });
});

describe('bundle edge cases', () => {
  test('GIVEN a first bundle (output created) WHEN explained THEN every field is shown as added and trust is set', () => {
    const after = bundleV1();
    const x = explain(bundlePlan({ before: null, after }));
    expect(kinds(x)).toEqual([
      'bundle-format true',
      'control-plane-url true',
      'public-https-roots true',
      'node-cert-ca-chain true',
    ]);
    expect(x.explanation.trustChanges[1].message).toBe(`the control-plane URL is set to \`${OLD_URL}\`.`);
    expect(x.lines).toContain(`| \`control_plane.url\` | — | \`${OLD_URL}\` |`);
    expect(x.lines).toContain('| `environment` | — | `dev` |');
  });

  test('GIVEN a first bundle known only after apply WHEN explained THEN nothing is claimed unchanged, and it cannot be ruled out', () => {
    const x = explain(bundlePlan({ before: null, after: 'unknown' }));
    expect(x.explanation.bundleContents[0].knownFromConfig).toEqual([
      'a first bundle: there is no old bundle to compare with',
    ]);
    expect(kinds(x)).toEqual(['bundle-inputs false']);
    expect(x.explanation.trustChanges[0].message).toContain('the plan carries no inputs digest to compare');
  });

  test('GIVEN the bundle output removed WHEN explained THEN it says so and nothing is a trust change', () => {
    const x = explain(bundlePlan({ before: bundleV1(), after: null }));
    expect(x.explanation.trustChanges).toEqual([]);
    expect(x.lines).toContain('- The bundle output is removed.');
    expect(x.lines).toContain('- Envelope (`bootstrap_envelope`, delete): removed');
  });

  test('GIVEN the environment, paths and a field this explainer does not know WHEN they change THEN each is shown, PEM data never', () => {
    const before = bundleV1();
    const after = next(before, (b) => {
      b.environment = 'staging';
      b.task_verifiers.path = '/etc/gpuaas/trust/verifiers.json';
      b.env.GPUAAS_CA_BUNDLE_PATH = '/etc/gpuaas/ca.pem';
      b.expires_at = '2027-12-31T00:00:00Z';
      b.extra_note = `-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----`;
      b.extra_cert = PEM.corpRoot;
    });
    const x = explain(bundlePlan({ before, after }));
    expect(x.explanation.bundleContents[0].fields).toEqual([
      { field: 'environment', before: 'dev', after: 'staging' },
      {
        field: 'task_verifiers.path',
        before: '/etc/gpuaas/trust/task-signing-pubkeys.json',
        after: '/etc/gpuaas/trust/verifiers.json',
      },
      {
        field: 'env.GPUAAS_CA_BUNDLE_PATH',
        before: '/etc/gpuaas/trust/control-plane-ca.pem',
        after: '/etc/gpuaas/ca.pem',
      },
      { field: 'expires_at', after: '2027-12-31T00:00:00Z' },
      {
        field: 'extra_cert',
        after: `certificate C=US, O=Example Corp, CN=Example Corp Public Root CA (${PIN.corpRoot})`,
      },
      { field: 'extra_note', after: 'PEM data (not shown)' },
    ]);
    expect(x.markdown).not.toContain('-----BEGIN');
    // Environment and paths are shown, and are not trust changes.
    expect(x.explanation.trustChanges).toEqual([]);
  });

  test('GIVEN a hostile URL WHEN rendered THEN it cannot break out of its code span or table cell', () => {
    const before = bundleV1();
    const after = next(before, (b) => (b.control_plane.url = 'https://x`|<b>evil</b>\n## injected'));
    const md = explain(bundlePlan({ before, after })).markdown;
    expect(md).toContain("`https://x'\\|<b>evil</b> ## injected`");
    expect(md).not.toMatch(/^## injected/m);
    expect(md).not.toContain('x`|');
  });

  test('the explanation stays plain data (JSON round trip keeps it)', () => {
    const x = explainPlan(load('hand-url-change.json'));
    expect(JSON.parse(JSON.stringify(x))).toEqual(x);
  });
});
