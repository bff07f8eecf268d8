import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlatformTrustError } from '../../../lib/core/errors';
import { Explanation, WarningKind, explainPlan, renderMarkdown } from '../../../lib/review/plan-explainer';

const FIXTURES = path.resolve(__dirname, '../../fixtures/plans');
const load = (name: string): any => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const lines = (markdown: string) => markdown.split('\n');
const explainFile = (name: string, mutate?: (plan: any) => void) => {
  const plan = load(name);
  mutate?.(plan);
  const explanation = explainPlan(plan);
  return { explanation, markdown: renderMarkdown(explanation), lines: lines(renderMarkdown(explanation)) };
};

const NO_WARNINGS = 'No destructive changes: nothing is deleted or replaced, and no version goes down.';
const WARNING_HEAD = '## ⚠️ Destructive changes';
const FLOORS = 'vault_generic_endpoint.TaskSigningKey_Floors_F12A0B4D';
const BUNDLE = 'vault_kv_secret_v2.BootstrapBundle_Secret_68A50327';
const PIN_OLD_ROOT = 'sha256:1fb6049e3d444cf1ce902bc79e11c8e0b4f99b110c9b327054b7e74585404edb';
const PIN_NEW_ROOT = 'sha256:d34afccce451398bf191262ba1a3dead4b89c411505d908caa63443013a7e852';
const PIN_CORP_ROOT = 'sha256:0dcd68dc6cfcf8a53a4d1c5b091e018685ddc9cf81e7085fa9cc948d82cd6674';

describe('pre-publish rotation (hand-rotation-prepublish.json)', () => {
  const { explanation, lines: out } = explainFile('hand-rotation-prepublish.json');

  test('summary and no warnings', () => {
    expect(out[0]).toBe('## Plan review');
    expect(out).toContain('**Plan: 1 to add, 1 to change, 0 to destroy.**');
    expect(out).toContain(NO_WARNINGS);
    expect(out).not.toContain(WARNING_HEAD);
    expect(explanation.warnings).toEqual([]);
  });

  test('the rotation: key, old and new version, the rotation resource, unchanged floors and signer', () => {
    expect(out).toContain('#### `node-task-signer` (`dev/transit/keys/node-task-signer`)');
    expect(out).toContain('- Latest key version: v1 → v2');
    expect(out).toContain(
      '- Rotation `vault_generic_endpoint.TaskSigningKey_RotateToV2_A94096E3`: creates v2 at apply (Vault generates it; the private key never leaves Vault)',
    );
    expect(out).toContain(`- Floors (\`${FLOORS}\`): unchanged, min_decryption_version 1, min_encryption_version 1`);
    expect(out).toContain('- Control plane signs with (policy `key_version`): v1 → v1 (unchanged)');
    expect(explanation.keys).toEqual([
      expect.objectContaining({
        key: 'node-task-signer',
        mount: 'dev/transit',
        latestBefore: 1,
        latestAfter: 2,
        rotations: [
          { address: 'vault_generic_endpoint.TaskSigningKey_RotateToV2_A94096E3', action: 'create', version: 2 },
        ],
      }),
    ]);
  });

  test('the verifier set is unknown in the plan: expected states come from the floors and rotations', () => {
    expect(out).toContain('#### `task_signing_pubkeys` (key `node-task-signer`)');
    expect(out).toContain(
      'After: known after apply. Expected states, derived from the Floors and rotation resources (min_decryption_version 1, min_encryption_version 1, latest v2); grace end dates are set in code and appear after apply.',
    );
    expect(out).toContain('| v1 | active | active |');
    expect(out).toContain('| v2 | — | next |');
    expect(explanation.verifierSets[0].afterSource).toBe('derived');
  });

  test('bundle sequence unknown until apply, resources and outputs listed', () => {
    expect(out).toContain(`- Sequence (\`${BUNDLE}\`, update): 1 → 2`);
    expect(out).toContain('| create | `vault_generic_endpoint.TaskSigningKey_RotateToV2_A94096E3` |  |');
    expect(out).toContain(
      '| read at apply | `data.vault_generic_secret.TaskSigningKey_PublicKeys_7876D0B7` | a dependency has changes |',
    );
    expect(out).toContain('| `task_signing_pubkeys` | update, known after apply |');
    // Nothing CA-related changes: no CA section even though the bundle output is unknown.
    expect(out).not.toContain('### Control-plane CA and pins');
    expect(out).not.toContain('### Policy changes');
  });
});

describe('rotation resources that adopt a version Vault already has', () => {
  const ROTATION = 'vault_generic_endpoint.TaskSigningKey_RotateToV2_A94096E3';
  const rotation = (plan: any) => plan.resource_changes.find((rc: any) => rc.address === ROTATION);

  test('a create that writes the key config instead of rotating is shown as an adoption, not a rotation', () => {
    const { explanation, lines: out } = explainFile('hand-rotation-prepublish.json', (plan) => {
      rotation(plan).change.after.path = 'dev/transit/keys/node-task-signer/config';
    });
    expect(out).toContain(
      `- Rotation \`${ROTATION}\`: adopts v2, which Vault already has (an apply killed before saving state, or a rotation by hand): nothing rotates`,
    );
    expect(out.join('\n')).not.toContain('creates v2 at apply');
    expect(explanation.keys[0].rotations).toEqual([{ address: ROTATION, action: 'create', version: 2, adopts: true }]);
    // The floors (the other config endpoint of the key) are still told apart from the rotation.
    expect(explanation.keys[0].floors?.address).toBe(FLOORS);
  });

  test('a rotation whose path is unknown (its key is created in the same plan) is grouped with its key', () => {
    const { explanation, lines: out } = explainFile('hand-rotation-prepublish.json', (plan) => {
      const rc = rotation(plan);
      delete rc.change.after.path;
      rc.change.after_unknown.path = true;
    });
    expect(out).toContain(
      `- Rotation \`${ROTATION}\`: creates v2 at apply (Vault generates it; the private key never leaves Vault)`,
    );
    expect(explanation.keys.map((k) => [k.keyPath, k.rotations])).toEqual([
      ['dev/transit/keys/node-task-signer', [{ address: ROTATION, action: 'create', version: 2 }]],
    ]);
  });

  test('an unknown-path rotation of a construct whose key is not in the plan is left out, not misattributed', () => {
    const { explanation } = explainFile('hand-rotation-prepublish.json', (plan) => {
      const rc = rotation(plan);
      delete rc.change.after.path;
      rc.address = rc.address.replace('TaskSigningKey_', 'OtherSigner_');
    });
    expect(explanation.keys.flatMap((k) => k.rotations)).toEqual([]);
  });
});

describe('activation (hand-activation.json)', () => {
  const { explanation, lines: out, markdown } = explainFile('hand-activation.json');

  test('summary, no warnings, floors and signing version move to v2', () => {
    expect(out).toContain('**Plan: 0 to add, 4 to change, 0 to destroy.**');
    expect(out).toContain(NO_WARNINGS);
    expect(out).toContain('- Latest key version: v2 → v2 (no new version)');
    expect(out).toContain(
      `- Floors (\`${FLOORS}\`, update): min_decryption_version 1 → 1, min_encryption_version 1 → 2`,
    );
    expect(out).toContain('- Control plane signs with (policy `key_version`): v1 → v2');
    expect(explanation.keys[0].floors).toEqual({
      address: FLOORS,
      action: 'update',
      before: { minDecryptionVersion: 1, minEncryptionVersion: 1 },
      after: { minDecryptionVersion: 1, minEncryptionVersion: 2 },
    });
  });

  test('the verifier set: v1 goes to grace, v2 becomes active (derived: the output is unknown in the plan)', () => {
    expect(out).toContain('| Version | Before | After |');
    expect(out).toContain('| v1 | active | grace (end date known after apply) |');
    expect(out).toContain('| v2 | next | active |');
  });

  test('policy: only the pinned key_version changes', () => {
    expect(out).toContain('#### `dev-control-plane` (`vault_policy.ControlPlane_Policy_44112C45`, update)');
    expect(out).toContain(
      '- changed `dev/transit/sign/node-task-signer`: `allowed_parameters "key_version": ["1"] → ["2"]`',
    );
    expect(explanation.policies[0].paths).toHaveLength(1);
  });

  test('bundle and outputs', () => {
    expect(out).toContain(`- Sequence (\`${BUNDLE}\`, update): 2 → 3`);
    expect(out).toContain('| `task_signing_active_version` | update |');
    expect(markdown).not.toContain('### Control-plane CA and pins');
  });

  test('GIVEN the verifier set output known in the plan WHEN explained THEN states and grace end dates come from it', () => {
    // GIVEN: the same plan, with the output's new value known (as when the public keys can be read at plan time).
    const before = JSON.parse(load('hand-activation.json').output_changes.task_signing_pubkeys.before);
    const after = {
      ...before,
      keys: [
        { ...before.keys[0], state: 'grace', until: '2027-01-15T00:00:00Z' },
        { ...before.keys[1], state: 'active' },
      ],
    };
    const known = explainFile('hand-activation.json', (plan) => {
      const c = plan.output_changes.task_signing_pubkeys;
      c.after = JSON.stringify(after);
      c.after_unknown = false;
    });

    // THEN
    expect(known.lines).toContain('| v1 | active | grace until 2027-01-15T00:00:00Z |');
    expect(known.lines).toContain('| v2 | next | active |');
    expect(known.markdown).not.toContain('After: known after apply');
    expect(known.explanation.verifierSets[0].afterSource).toBe('output');
    expect(known.explanation.verifierSets[0].after).toEqual([
      { version: 1, state: 'grace', until: '2027-01-15T00:00:00Z', kid: before.keys[0].kid },
      { version: 2, state: 'active', kid: before.keys[1].kid },
    ]);
  });

  test('GIVEN a schedule output (literal, known at plan time) WHEN the set is unknown THEN its end dates are shown', () => {
    const withSchedule = explainFile('hand-activation.json', (plan) => {
      const schedule = JSON.stringify({
        key: 'node-task-signer',
        versions: [
          { version: 1, state: 'grace', until: '2027-01-15T00:00:00Z' },
          { version: 2, state: 'active' },
        ],
      });
      plan.output_changes.task_signing_schedule = {
        actions: ['update'],
        before: JSON.stringify({ key: 'node-task-signer', versions: [] }),
        after: schedule,
        after_unknown: false,
        before_sensitive: false,
        after_sensitive: false,
      };
    });
    expect(withSchedule.lines).toContain('After: known after apply; states and end dates from the schedule output.');
    expect(withSchedule.lines).toContain('| v1 | active | grace until 2027-01-15T00:00:00Z |');
  });

  test('GIVEN a version whose public key changes WHEN explained THEN it is a loud warning', () => {
    const changed = explainFile('hand-activation.json', (plan) => {
      const c = plan.output_changes.task_signing_pubkeys;
      const set = JSON.parse(c.before);
      set.keys[0].public_key = Buffer.alloc(32, 7).toString('base64');
      c.after = JSON.stringify(set);
      c.after_unknown = false;
    });
    expect(changed.lines).toContain(WARNING_HEAD);
    expect(changed.lines).toContain(
      '- **WARNING (public-key-changed)** `task_signing_pubkeys`: version 1 of `node-task-signer` has a different public key after this plan: the key was replaced, and nodes reject tasks signed by the old key material.',
    );
  });
});

describe('CA rotation, PUBLISH_NEXT (hand-ca-publish-next.json)', () => {
  const { explanation, lines: out } = explainFile('hand-ca-publish-next.json');

  test('the new issuer and what the bundle will carry', () => {
    expect(out).toContain('**Plan: 1 to add, 1 to change, 0 to destroy.**');
    expect(out).toContain(NO_WARNINGS);
    expect(out).toContain(
      '- New root issuer `dev-control-plane-root-2027` in `dev/pki-control-plane` (`vault_pki_secret_backend_root_cert.ControlPlaneTrust_Root-dev-control-plane-root-2027_7185F57B`): key ec-384, generated inside Vault; certificate and pin known after apply.',
    );
    expect(out).toContain('- After: known after apply (a root created in this plan gets its certificate at apply).');
    expect(out).toContain(
      '- Expected: `dev-control-plane-root-2027` (in `dev/pki-control-plane`) joins the bundle as `next`: the default issuer does not change.',
    );
    expect(out).toContain(`| CN=dev-control-plane-root | \`${PIN_OLD_ROOT}\` | current | known after apply |`);
    expect(explanation.ca.defaultIssuers).toEqual([]);
    expect(out).toContain(`- Sequence (\`${BUNDLE}\`, update): 1 → 2`);
    // The node-cert chain is untouched by a control-plane rotation.
    expect(out.some((l) => l.startsWith('- Node-cert CA chain pins'))).toBe(false);
  });
});

describe('CA rotation, SWITCH (hand-ca-switch.json)', () => {
  const { lines: out } = explainFile('hand-ca-switch.json');

  test('default issuer, roots with pins, states and the overlap date', () => {
    expect(out).toContain('**Plan: 0 to add, 2 to change, 0 to destroy.**');
    expect(out).toContain(
      '- Default issuer of `dev/pki-control-plane` (`vault_pki_secret_backend_config_issuers.ControlPlaneTrust_DefaultIssuer_3F0E745D`, update): `dev-control-plane-root` → `dev-control-plane-root-2027`',
    );
    expect(out).toContain('| Root | Pin | Before | After |');
    expect(out).toContain(
      `| CN=dev-control-plane-root | \`${PIN_OLD_ROOT}\` | current | previous until 2027-06-30T00:00:00Z |`,
    );
    expect(out).toContain(`| CN=dev-control-plane-root-2027 | \`${PIN_NEW_ROOT}\` | next | current |`);
    expect(out).toContain(
      '- Overlap: `CN=dev-control-plane-root` stays trusted as `previous` until 2027-06-30T00:00:00Z; its certificate is valid until 2036-11-22T19:46:56Z.',
    );
    expect(out).toContain(`- Sequence (\`${BUNDLE}\`, update): 2 → 3`);
  });
});

describe('destructive plan (hand-destructive.json)', () => {
  const { explanation, lines: out } = explainFile('hand-destructive.json');

  test('summary counts a replacement once in add and once in destroy', () => {
    expect(out).toContain('**Plan: 2 to add, 1 to change, 6 to destroy.**');
    expect(explanation.summary).toEqual({
      add: 2,
      change: 1,
      destroy: 6,
      forget: 0,
      text: 'Plan: 2 to add, 1 to change, 6 to destroy.',
    });
  });

  test('the warning section names every deleted and replaced resource', () => {
    expect(out).toContain(WARNING_HEAD);
    expect(out).toContain(
      'WARNING: this plan deletes, replaces or lowers something. Read every line before approving.',
    );
    expect(out).not.toContain(NO_WARNINGS);
    expect(out).toContain(
      '- **WARNING (delete)** `vault_mount.ControlPlaneTrust_Mount_4EA0DF9E`: mount `dev/pki-control-plane` (type pki) is disabled: everything stored in it (secrets, keys, certificates) is deleted (no longer in the configuration).',
    );
    expect(out).toContain(
      '- **WARNING (delete)** `vault_pki_secret_backend_root_cert.ControlPlaneTrust_Root-dev-control-plane-root_EE72ED84`: root issuer `dev-control-plane-root` in `dev/pki-control-plane` is deleted with its key (no longer in the configuration).',
    );
    expect(out).toContain(
      '- **WARNING (replace)** `vault_approle_auth_backend_role.ControlPlane_E65BD0FC`: AppRole role `dev-control-plane` in `dev-approle` is re-created with a new role_id: existing secret_ids stop working; the new one is named `dev-control-plane-v2` (an argument that cannot change in place changed; forced by role_name).',
    );
    expect(out).toContain(
      '- **WARNING (replace)** `vault_policy.ControlPlane_Policy_44112C45`: policy `dev-control-plane` is re-created; the new one is named `dev-control-plane-v2` (an argument that cannot change in place changed; forced by name).',
    );
    expect(explanation.warnings.map((w) => `${w.kind} ${w.subject}`)).toEqual([
      'delete vault_mount.ControlPlaneTrust_Mount_4EA0DF9E',
      'delete vault_pki_secret_backend_config_issuers.ControlPlaneTrust_DefaultIssuer_3F0E745D',
      'delete vault_pki_secret_backend_role.ControlPlaneTrust_ServerRole_E3551989',
      'delete vault_pki_secret_backend_root_cert.ControlPlaneTrust_Root-dev-control-plane-root_EE72ED84',
      'replace vault_approle_auth_backend_role.ControlPlane_E65BD0FC',
      'replace vault_policy.ControlPlane_Policy_44112C45',
    ]);
  });

  test('the trust change: old root leaves, the existing CA arrives with its pin', () => {
    expect(out).toContain(
      `- Root issuer \`dev-control-plane-root\` in \`dev/pki-control-plane\` is deleted (\`vault_pki_secret_backend_root_cert.ControlPlaneTrust_Root-dev-control-plane-root_EE72ED84\`); its pin was \`${PIN_OLD_ROOT}\`.`,
    );
    expect(out).toContain(`| CN=dev-control-plane-root | \`${PIN_OLD_ROOT}\` | current | — |`);
    expect(out).toContain(
      `| C=US, O=Example Corp, CN=Example Corp Public Root CA | \`${PIN_CORP_ROOT}\` | — | current |`,
    );
  });

  test('policy renamed and narrowed; the replaced resources are in the table', () => {
    expect(out).toContain(
      '#### `dev-control-plane` → `dev-control-plane-v2` (`vault_policy.ControlPlane_Policy_44112C45`, replace)',
    );
    expect(out).toContain('- removed `dev/pki-control-plane/issue/control-plane-https`: update');
    expect(out).toContain('- removed `dev/pki-control-plane/sign/control-plane-https`: update');
    expect(out).toContain(
      '| replace (delete, then create) | `vault_approle_auth_backend_role.ControlPlane_E65BD0FC` | an argument that cannot change in place changed; forced by role_name |',
    );
    expect(out).toContain(
      '| delete | `vault_mount.ControlPlaneTrust_Mount_4EA0DF9E` | no longer in the configuration |',
    );
    expect(out).toContain(`- Sequence (\`${BUNDLE}\`, update): 1 → 2`);
  });
});

describe('lowered sequence (hand-lowered-sequence.json)', () => {
  const { explanation, lines: out } = explainFile('hand-lowered-sequence.json');

  test('a sequence going down is a loud warning', () => {
    expect(out).toContain('**Plan: 0 to add, 1 to change, 0 to destroy.**');
    expect(out).toContain(WARNING_HEAD);
    expect(out).toContain(
      `- **WARNING (sequence-down)** \`${BUNDLE}\`: the bootstrap bundle sequence goes down 3 → 2: nodes refuse a bundle whose sequence does not go up. Set it to 4.`,
    );
    expect(out).toContain(`- Sequence (\`${BUNDLE}\`, update): 3 → 2`);
    expect(explanation.bundles).toEqual([
      { subject: BUNDLE, action: 'update', sequenceBefore: 3, sequenceAfter: 2, contentChanged: false },
    ]);
  });
});

describe('reverted configuration (hand-revert.json)', () => {
  const { explanation, lines: out } = explainFile('hand-revert.json');

  test('rotation destroyed and floors going down are loud warnings', () => {
    expect(out).toContain('**Plan: 0 to add, 4 to change, 1 to destroy.**');
    expect(explanation.warnings.map((w) => w.kind)).toEqual([
      WarningKind.DELETE,
      WarningKind.ROTATION_DESTROYED,
      WarningKind.FLOOR_DOWN,
      WarningKind.FLOOR_DOWN,
      WarningKind.SEQUENCE_DOWN,
    ]);
    expect(out).toContain(
      `- **WARNING (sequence-down)** \`${BUNDLE}\`: the bootstrap bundle sequence goes down 5 → 4: nodes refuse a bundle whose sequence does not go up. Set it to 6.`,
    );
    expect(out).toContain(
      '- **WARNING (rotation-destroyed)** `vault_generic_endpoint.TaskSigningKey_RotateToV3_8B53B9D7`: the rotation to v3 of `dev/transit/keys/node-task-signer` is removed from the configuration: the key version in code goes down (3 → 2). Vault keeps v3; restore the version in code (to roll back, set activeVersion instead).',
    );
    expect(out).toContain(
      `- **WARNING (floor-down)** \`${FLOORS}\`: min_encryption_version of \`dev/transit/keys/node-task-signer\` goes down 3 → 2: the control plane will sign with an older version (a rollback: check that v2 is still in the verifier set).`,
    );
    expect(out).toContain(
      `- **WARNING (floor-down)** \`${FLOORS}\`: min_decryption_version of \`dev/transit/keys/node-task-signer\` goes down 2 → 1: Vault accepts a retired version again.`,
    );
  });

  test('key section and verifier set', () => {
    expect(out).toContain('- Latest key version: v3 → v2 (goes down: see the warnings)');
    expect(out).toContain(
      '- Rotation `vault_generic_endpoint.TaskSigningKey_RotateToV3_8B53B9D7`: is destroyed (v3 stays in Vault)',
    );
    expect(out).toContain(
      `- Floors (\`${FLOORS}\`, update): min_decryption_version 2 → 1, min_encryption_version 3 → 2`,
    );
    expect(out).toContain('- Control plane signs with (policy `key_version`): v3 → v2');
    expect(out).toContain('| v1 | — | grace (end date known after apply) |');
    expect(out).toContain('| v2 | grace until 2027-03-01T00:00:00Z | active |');
    expect(out).toContain('| v3 | active | — |');
  });
});

describe('every fixture (hand-written now, engine-made later)', () => {
  const files = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort();

  test('the fixtures are there', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'hand-activation.json',
        'hand-ca-publish-next.json',
        'hand-ca-switch.json',
        'hand-destructive.json',
        'hand-lowered-sequence.json',
        'hand-revert.json',
        'hand-rotation-prepublish.json',
      ]),
    );
  });

  describe.each(files)('%s', (file) => {
    const plan = load(file);
    const explanation = explainPlan(plan);
    const markdown = renderMarkdown(explanation);

    test('the summary counts match the managed resource actions', () => {
      let add = 0;
      let change = 0;
      let destroy = 0;
      for (const rc of plan.resource_changes ?? []) {
        if (rc.mode === 'data') continue;
        const a: string[] = rc.change.actions;
        if (a.includes('create')) add++;
        if (a.includes('delete')) destroy++;
        if (a.length === 1 && a[0] === 'update') change++;
      }
      expect(explanation.summary).toMatchObject({ add, change, destroy });
      expect(markdown).toContain(`**Plan: ${add} to add, ${change} to change, ${destroy} to destroy`);
    });

    test('the output is deterministic and does not depend on the order of resource_changes', () => {
      const shuffled = { ...plan, resource_changes: [...(plan.resource_changes ?? [])].reverse() };
      expect(renderMarkdown(explainPlan(shuffled))).toBe(markdown);
      expect(renderMarkdown(explainPlan(JSON.stringify(plan)))).toBe(markdown);
    });

    test('no sensitive value reaches the output', () => {
      const secrets = new Set<string>();
      const collect = (value: unknown, mask: unknown) => {
        if (mask === true) {
          const walk = (v: unknown) => {
            if (typeof v === 'string' && v.length >= 32) secrets.add(v);
            else if (v && typeof v === 'object') Object.values(v).forEach(walk);
          };
          walk(value);
          return;
        }
        if (value && typeof value === 'object' && mask && typeof mask === 'object') {
          for (const [k, m] of Object.entries(mask)) collect((value as any)[k], m);
        }
      };
      for (const rc of plan.resource_changes ?? []) {
        collect(rc.change.before, rc.change.before_sensitive);
        collect(rc.change.after, rc.change.after_sensitive);
      }
      for (const s of secrets) expect(markdown).not.toContain(s);
      // Signatures and PEM bodies never appear either.
      expect(markdown).not.toMatch(/vault:v[0-9]+:/);
      expect(markdown).not.toContain('-----BEGIN');
    });

    test('a warning section exists exactly when there are warnings', () => {
      expect(markdown.includes(WARNING_HEAD)).toBe(explanation.warnings.length > 0);
      expect(markdown.includes(NO_WARNINGS)).toBe(explanation.warnings.length === 0);
    });
  });
});

describe('edge cases', () => {
  const plan = (resource_changes: unknown[], output_changes: Record<string, unknown> = {}) => ({
    format_version: '1.2',
    terraform_version: '1.12.6',
    resource_changes,
    output_changes,
  });
  const rc = (address: string, actions: string[], before: unknown, after: unknown, extra: object = {}) => ({
    address,
    mode: 'managed',
    type: address.split('.')[0],
    name: address.split('.')[1],
    change: { actions, before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
    ...extra,
  });

  test('GIVEN a plan without changes WHEN explained THEN only the summary and the all-clear remain', () => {
    const x = explainPlan(
      plan([rc('vault_policy.p', ['no-op'], { name: 'p', policy: '' }, { name: 'p', policy: '' })]),
    );
    expect(renderMarkdown(x, { title: 'dev' })).toBe(
      [
        '## Plan review: dev',
        '',
        '**Plan: 0 to add, 0 to change, 0 to destroy.**',
        '',
        NO_WARNINGS,
        '',
        '<sub>Plan format 1.2, engine 1.12.6.</sub>',
        '',
      ].join('\n'),
    );
  });

  test('GIVEN create-before-destroy and forget WHEN counted THEN replace counts in add and destroy, forget apart', () => {
    const x = explainPlan(
      plan([
        rc('vault_policy.a', ['create', 'delete'], { name: 'a', policy: '' }, { name: 'a', policy: '' }),
        rc('vault_policy.b', ['forget'], { name: 'b', policy: '' }, null),
      ]),
    );
    expect(x.summary.text).toBe('Plan: 1 to add, 0 to change, 1 to destroy, 1 to forget.');
    expect(x.warnings.map((w) => w.kind)).toEqual([WarningKind.REPLACE]);
  });

  test('GIVEN hostile names WHEN rendered THEN they cannot break out of code spans, tables or add HTML', () => {
    const policy = (p: string) => `path "${p}" { capabilities = ["read"] }`;
    const x = explainPlan(
      plan([
        rc(
          'vault_policy.p',
          ['update'],
          { name: 'p', policy: policy('a') },
          { name: 'p`|<b>', policy: policy('x`y|z\\u000a## injected') },
        ),
      ]),
    );
    const md = renderMarkdown(x, { title: '<script>alert(1)</script>' });
    expect(md).toContain("- added `x'y\\|z ## injected`: read");
    expect(md).toContain("#### `p` → `p'\\|<b>` (`vault_policy.p`, update)");
    expect(md).toContain('## Plan review: \\<script\\>alert(1)\\</script\\>');
    expect(md).not.toMatch(/^## injected/m);
  });

  test('GIVEN a policy that cannot be read WHEN explained THEN the section says so instead of failing', () => {
    const x = explainPlan(
      plan([
        rc('vault_policy.p', ['update'], { name: 'p', policy: 'path "a" {' }, { name: 'p', policy: 'path "a" {}' }),
      ]),
    );
    expect(x.policies[0].problem).toContain('Cannot read the Vault policy text');
    expect(renderMarkdown(x)).toContain(
      '- Not compared: `[PT033] Cannot read the Vault policy text: expected a name, found the end of the text at line 1, column 11.',
    );
  });

  test('GIVEN a floors change with unknown data WHEN explained THEN the after side says so', () => {
    const floors = (d: number, e: number) => ({
      path: 't/keys/k/config',
      data_json: JSON.stringify({ min_decryption_version: d, min_encryption_version: e }),
    });
    const change = rc('vault_generic_endpoint.K_Floors_1', ['update'], floors(1, 1), { path: 't/keys/k/config' });
    (change.change as any).after_unknown = { data_json: true };
    const md = renderMarkdown(explainPlan(plan([change])));
    expect(md).toContain(
      '- Floors (`vault_generic_endpoint.K_Floors_1`, update): min_decryption_version 1 → known after apply, min_encryption_version 1 → known after apply',
    );
  });

  test('GIVEN a bundle secret without custom metadata WHEN the bundle output is known THEN the new sequence comes from the bundle itself', () => {
    // A bundle secret without custom metadata (an older stack): the sequence is inside the unknown data_json.
    const dropCustomMetadata = (p: any) => {
      const secret = p.resource_changes.find((r: any) => r.address === BUNDLE).change;
      delete secret.after.custom_metadata;
      delete secret.before.metadata;
      delete secret.before.custom_metadata;
      secret.before.data_json = JSON.stringify({ envelope: {}, inputs_sha256: 'x', sequence: 1 });
    };
    // The stack emits no sequence output: one in the plan is not read.
    const strayOutput = (p: any) => {
      p.output_changes.bootstrap_bundle_sequence = {
        actions: ['update'],
        before: '1',
        after: '7',
        after_unknown: false,
        before_sensitive: false,
        after_sensitive: false,
      };
    };
    expect(
      explainFile('hand-rotation-prepublish.json', (p) => {
        dropCustomMetadata(p);
        strayOutput(p);
      }).lines,
    ).toContain(`- Sequence (\`${BUNDLE}\`, update): 1 → known after apply (the signed envelope is computed at apply)`);
    const withBundle = explainFile('hand-rotation-prepublish.json', (p) => {
      dropCustomMetadata(p);
      strayOutput(p);
      const c = p.output_changes.bootstrap_bundle;
      c.after = JSON.stringify({ ...JSON.parse(c.before), sequence: 2 });
      c.after_unknown = false;
    });
    expect(withBundle.lines).toContain(`- Sequence (\`${BUNDLE}\`, update): 1 → 2`);
  });

  test('GIVEN a bundle change without a sequence bump WHEN explained THEN the bundle section says nodes will refuse it', () => {
    const notBumped = explainFile('hand-activation.json', (p) => {
      const secret = p.resource_changes.find((r: any) => r.address === BUNDLE).change;
      secret.after.custom_metadata[0].data.sequence = '2';
    });
    expect(notBumped.lines).toContain(`- Sequence (\`${BUNDLE}\`, update): 2 → 2`);
    expect(notBumped.lines).toContain(
      '- The bundle changes but its sequence does not: nodes will refuse it. Bump the sequence.',
    );
    expect(notBumped.explanation.bundles[0].contentChanged).toBe(true);
  });

  test('GIVEN no bundle secret in the plan WHEN the bundle output changes THEN the sequence comes from the output', () => {
    const outputOnly = explainFile('hand-lowered-sequence.json', (p) => {
      p.resource_changes = p.resource_changes.filter((r: any) => r.address !== BUNDLE);
      p.prior_state.values.root_module.resources = p.prior_state.values.root_module.resources.filter(
        (r: any) => r.address !== BUNDLE,
      );
    });
    expect(outputOnly.lines).toContain('- Sequence (`bootstrap_bundle`, update): 3 → 2');
    expect(outputOnly.explanation.warnings.map((w) => `${w.kind} ${w.subject}`)).toEqual([
      'sequence-down bootstrap_bundle',
    ]);
  });

  test('GIVEN a new root that becomes the default in the same plan WHEN explained THEN both are named', () => {
    const root = (issuer: string, extra: object = {}) => ({
      backend: 'pki-cp',
      issuer_name: issuer,
      common_name: issuer,
      key_type: 'ec',
      key_bits: 384,
      ...extra,
    });
    const x = explainPlan({
      format_version: '1.2',
      resource_changes: [
        {
          ...rc('vault_pki_secret_backend_root_cert.Root_r2', ['create'], null, root('r2')),
          change: {
            actions: ['create'],
            before: null,
            after: root('r2'),
            after_unknown: { certificate: true, issuer_id: true },
          },
        },
        {
          ...rc(
            'vault_pki_secret_backend_config_issuers.Default',
            ['update'],
            { backend: 'pki-cp', default: 'id-1' },
            {
              backend: 'pki-cp',
            },
          ),
          change: {
            actions: ['update'],
            before: { backend: 'pki-cp', default: 'id-1' },
            after: { backend: 'pki-cp' },
            after_unknown: { default: true },
          },
        },
      ],
      output_changes: {
        bootstrap_bundle: { actions: ['update'], before: null, after_unknown: true },
      },
      prior_state: {
        values: {
          root_module: {
            resources: [
              {
                address: 'vault_pki_secret_backend_root_cert.Root_r1',
                mode: 'managed',
                type: 'vault_pki_secret_backend_root_cert',
                name: 'Root_r1',
                values: root('r1', { issuer_id: 'id-1' }),
              },
            ],
          },
        },
      },
      configuration: {
        root_module: {
          resources: [
            {
              address: 'vault_pki_secret_backend_config_issuers.Default',
              expressions: {
                default: {
                  references: [
                    'vault_pki_secret_backend_root_cert.Root_r2.issuer_id',
                    'vault_pki_secret_backend_root_cert.Root_r2',
                  ],
                },
              },
            },
          ],
        },
      },
    });
    const md = lines(renderMarkdown(x));
    expect(md).toContain(
      '- Default issuer of `pki-cp` (`vault_pki_secret_backend_config_issuers.Default`, update): `r1` → `r2 (new issuer)`',
    );
    expect(md).toContain(
      '- Expected: `r2` (in `pki-cp`) joins the bundle as `current`: it also becomes the default issuer.',
    );
  });

  test.each([
    [null, 'the top level is not a JSON object'],
    [[], 'the top level is not a JSON object'],
    [{ format_version: '2.0', resource_changes: [] }, 'unsupported format_version'],
    [{ format_version: '1.0', values: { root_module: {} } }, 'it is state JSON'],
    [{ hello: 'world' }, 'no resource_changes, output_changes or planned_values'],
    [{ resource_changes: {} }, 'resource_changes is not a list'],
    [{ resource_changes: [{ address: 'x' }] }, 'a resource_changes entry lacks address, type or change.actions'],
    [{ resource_changes: [], output_changes: [] }, 'output_changes is not an object'],
    ['{"format_version": "1.2", ', 'it is not valid JSON'],
  ])('GIVEN %j WHEN explained THEN a clear error (%s)', (input, reason) => {
    expect(() => explainPlan(input)).toThrow(PlatformTrustError);
    expect(() => explainPlan(input)).toThrow(reason);
  });

  test('the explanation is plain data (JSON round trip keeps it)', () => {
    const x: Explanation = explainFile('hand-ca-switch.json').explanation;
    expect(JSON.parse(JSON.stringify(x))).toEqual(x);
  });
});
