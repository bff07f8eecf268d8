import { runCheck } from '../../../lib/cli/check';
import { runPlatformTrust } from '../../../lib/cli/main';
import { lineOfAddress } from '../../../lib/cli/sarif';
import { runRotationStatus } from '../../../lib/cli/rotation-status';

// Plain Terraform JSON, written by hand: no cdktf metadata.
const key = (over: Record<string, unknown> = {}) => ({
  resource: {
    vault_transit_secret_backend_key: {
      signer: {
        backend: 'transit',
        name: 'node-task-signer',
        type: 'ed25519',
        exportable: false,
        allow_plaintext_backup: false,
        deletion_allowed: false,
        auto_rotate_period: 0,
        lifecycle: { prevent_destroy: true },
        ...over,
      },
    },
  },
});

const files = (byName: Record<string, unknown>) => ({
  expand: (arg: string) => [arg],
  readFile: (f: string) => {
    if (!(f in byName)) throw new Error('ENOENT');
    const v = byName[f];
    return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  },
});

describe('platform-trust check', () => {
  test('GIVEN plain Terraform JSON with an exportable transit key WHEN checked THEN it exits 3 and names rule and address', () => {
    const r = runCheck(['main.tf.json'], files({ 'main.tf.json': key({ exportable: true }) }));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('error PlatformTrust-TransitKeyExportable on vault_transit_secret_backend_key.signer');
    expect(r.stderr).toMatch(/1 file, 1 error, 0 warnings, 0 suppressed \(exit 3\)/);
  });

  test('GIVEN the same key without the finding WHEN checked THEN it exits 0 with no findings', () => {
    const r = runCheck(['main.tf.json'], files({ 'main.tf.json': key() }));
    expect(r.stdout).toBe('main.tf.json: no findings\n');
    expect(r.code).toBe(0);
  });

  test('GIVEN a suppression recorded in the JSON WHEN checked THEN a suppressible rule is suppressed and a custody rule is not', () => {
    const doc = {
      '//': {
        platform_trust_suppressions: [
          { path: '', rule: 'PlatformTrust-TransitKeyAutoRotate', reason: 'rotated by a scheduled job on purpose' },
          { path: '', rule: 'PlatformTrust-TransitKeyExportable', reason: 'recorded by hand, must be ignored' },
        ],
      },
      ...key({ auto_rotate_period: 3600 }),
    };
    const suppressedOnly = runCheck(['a.tf.json'], files({ 'a.tf.json': doc }));
    expect(suppressedOnly.code).toBe(0);
    expect(suppressedOnly.stdout).toContain('suppressed PlatformTrust-TransitKeyAutoRotate');
    expect(suppressedOnly.stdout).toContain('Reason: rotated by a scheduled job on purpose');

    const custody = runCheck(['a.tf.json'], files({ 'a.tf.json': { ...doc, ...key({ exportable: true }) } }));
    expect(custody.code).toBe(3);
    expect(custody.stdout).toContain('error PlatformTrust-TransitKeyExportable');
  });

  test('GIVEN --format sarif WHEN checked THEN it prints a SARIF 2.1.0 log with the rule, level and line of the element', () => {
    const text = JSON.stringify(key({ exportable: true }), null, 2);
    const r = runCheck(['--format', 'sarif', 'stack/main.tf.json'], files({ 'stack/main.tf.json': text }));
    expect(r.code).toBe(3);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    const [result] = run.results;
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('PlatformTrust-TransitKeyExportable');
    expect(result).toMatchObject({ ruleId: 'PlatformTrust-TransitKeyExportable', level: 'error' });
    const loc = result.locations[0];
    expect(loc.physicalLocation.artifactLocation.uri).toBe('stack/main.tf.json');
    expect(text.split('\n')[loc.physicalLocation.region.startLine - 1]).toContain('"signer": {');
    expect(loc.logicalLocations[0].fullyQualifiedName).toBe('vault_transit_secret_backend_key.signer');
  });

  test('GIVEN --format json WHEN checked THEN every file is listed with its findings and the exit code', () => {
    const r = runCheck(['--format=json', 'a.tf.json'], files({ 'a.tf.json': key({ exportable: true }) }));
    const report = JSON.parse(r.stdout);
    expect(report.exitCode).toBe(3);
    expect(report.files[0].findings.map((f: { ruleId: string }) => f.ruleId)).toEqual([
      'PlatformTrust-TransitKeyExportable',
    ]);
  });

  test('GIVEN only warnings WHEN --fail-on is error, warning or none THEN it exits 0, 3 and 0', () => {
    const doc = {
      resource: {
        vault_policy: {
          p: { name: 'p', policy: 'path "kv/data/apps/*" {\n  capabilities = ["read"]\n}\n' },
        },
        vault_mount: { kv: { path: 'kv', type: 'kv', options: { version: '2' } } },
      },
    };
    const f = files({ 'p.tf.json': doc });
    const byDefault = runCheck(['p.tf.json'], f);
    expect(byDefault.stdout).toContain('warning PlatformTrust-PolicyKvGlob');
    expect(byDefault.code).toBe(0);
    expect(runCheck(['--fail-on', 'warning', 'p.tf.json'], f).code).toBe(3);
    expect(runCheck(['--fail-on', 'none', 'p.tf.json'], f).code).toBe(0);
  });

  test.each([
    [[], 2],
    [['--format', 'xml', 'a.tf.json'], 2],
    [['--fail-on', 'sometimes', 'a.tf.json'], 2],
    [['--bogus', 'a.tf.json'], 2],
    [['missing.tf.json'], 1],
    [['broken.tf.json'], 1],
    [['array.tf.json'], 1],
  ])('GIVEN %j WHEN run THEN it exits %i', (argv, code) => {
    const r = runCheck(argv as string[], files({ 'broken.tf.json': '{"resource":', 'array.tf.json': '[]' }));
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });

  test('GIVEN a plan in the engine JSON output (show -json) WHEN checked THEN it exits 1 and says to check the configuration or explain the plan', () => {
    const plan = { format_version: '1.2', terraform_version: '1.12.6', planned_values: {}, resource_changes: [] };
    const r = runCheck(['plan.tf.json'], files({ 'plan.tf.json': plan }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("is not Terraform JSON: this is the engine's JSON output of a plan or state");
    expect(r.stderr).toContain('platform-trust explain');
  });

  test('GIVEN a resource address WHEN its line is looked up THEN the id key after the type key is found, or nothing', () => {
    const text = '{\n  "resource": {\n    "a": {\n      "x": {}\n    },\n    "b": {\n      "x": {}\n    }\n  }\n}';
    expect(lineOfAddress(text, 'b.x')).toBe(7);
    expect(lineOfAddress(text, 'c.x')).toBeUndefined();
  });
});

describe('platform-trust (the command)', () => {
  test.each(['explain', 'check', 'rotation-status'])(
    'GIVEN %s --help WHEN run THEN it prints its own usage and exits 0',
    async (command) => {
      const r = await runPlatformTrust([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`usage: platform-trust ${command} `)).toBe(true);
    },
  );

  test('GIVEN no command or an unknown one WHEN run THEN it exits 2 with the list of commands', async () => {
    for (const argv of [[], ['sign']]) {
      const r = await runPlatformTrust(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('rotation-status');
    }
    expect((await runPlatformTrust(['--help'])).code).toBe(0);
  });
});

describe('platform-trust rotation-status (installed)', () => {
  const environment = {
    name: 'prod',
    controlPlaneUrl: 'https://control.prod.example.internal',
    taskSigning: { version: 1 },
    bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
  };

  test('GIVEN --environment WHEN run as the installed command THEN it exits 2 and asks for --config', async () => {
    const r = await runRotationStatus(['--environment', 'dev', '--print-policy'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give the config with --config');
    expect((await runRotationStatus(['--help'])).stdout).not.toContain('--environment');
  });

  test('GIVEN --config WHEN run with --print-policy THEN it prints the policy of that environment and reads nothing', async () => {
    const r = await runRotationStatus(['--config', 'env.js', '--print-policy'], {
      env: {},
      load: () => ({ environment }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('prod/transit');
  });
});
