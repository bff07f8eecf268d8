import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../../../scripts/plan-explain';
import { bundlePlan, bundleV1 } from './bundle-plans';

const FIXTURES = path.resolve(__dirname, '../../fixtures/plans');
const fixture = (name: string) => path.join(FIXTURES, name);
const USAGE = 'usage: plan-explain [--title <text>] [--fail-on-destructive] [--fail-on-trust-change] <plan.json | ->';

describe('plan-explain CLI', () => {
  test('GIVEN a plan file WHEN run THEN it prints the Markdown and exits 0', () => {
    const r = run([fixture('hand-activation.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('## Plan review');
    expect(r.stdout).toContain('**Plan: 0 to add, 4 to change, 0 to destroy.**');
  });

  test('GIVEN --title WHEN run THEN the heading carries it', () => {
    expect(run(['--title', 'dev', fixture('hand-activation.json')]).stdout.split('\n')[0]).toBe('## Plan review: dev');
    expect(run(['--title=staging', fixture('hand-activation.json')]).stdout.split('\n')[0]).toBe(
      '## Plan review: staging',
    );
  });

  test('GIVEN --fail-on-destructive and a destructive plan WHEN run THEN it prints the Markdown and exits 3', () => {
    const r = run(['--fail-on-destructive', fixture('hand-destructive.json')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('## ⚠️ Destructive changes');
    expect(r.stderr).toBe('plan-explain: the plan has destructive changes (see "Destructive changes"); exiting 3.\n');
  });

  test('GIVEN --fail-on-destructive and a plan going down in version WHEN run THEN it exits 3', () => {
    expect(run(['--fail-on-destructive', fixture('hand-lowered-sequence.json')]).code).toBe(3);
    expect(run(['--fail-on-destructive', fixture('hand-revert.json')]).code).toBe(3);
  });

  test('GIVEN --fail-on-destructive and a safe plan WHEN run THEN it exits 0', () => {
    expect(run(['--fail-on-destructive', fixture('hand-rotation-prepublish.json')]).code).toBe(0);
  });

  test('GIVEN a destructive plan without the option WHEN run THEN it exits 0', () => {
    expect(run([fixture('hand-destructive.json')]).code).toBe(0);
  });

  test('GIVEN "-" WHEN run THEN the plan is read from stdin', () => {
    const text = fs.readFileSync(fixture('hand-ca-switch.json'), 'utf8');
    const r = run(['-'], (p) => {
      expect(p).toBe('-');
      return text;
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(run([fixture('hand-ca-switch.json')]).stdout);
  });

  test('GIVEN a missing file WHEN run THEN it exits 1 with the reason', () => {
    const r = run([fixture('does-not-exist.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^plan-explain: cannot read .*does-not-exist\.json: ENOENT/);
  });

  test('GIVEN text that is not plan JSON WHEN run THEN it exits 1 with the reason', () => {
    const broken = run(['plan.json'], () => '{"format_version": "1.2",');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      'plan-explain: plan.json is not a readable plan: [PT034] Not a plan in JSON form: it is not valid JSON',
    );

    const state = run(['state.json'], () => JSON.stringify({ format_version: '1.0', values: {} }));
    expect(state.code).toBe(1);
    expect(state.stderr).toContain('it is state JSON (`tofu show -json` without a plan file), not a plan');
  });

  test.each([[[]], [['a.json', 'b.json']], [['--bogus', 'a.json']], [['--title']]])(
    'GIVEN bad usage %j WHEN run THEN it exits 2 with the usage line',
    (argv) => {
      const r = run(argv, () => '{}');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(USAGE);
    },
  );

  test('GIVEN --help WHEN run THEN it prints the usage, documents every option and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(USAGE);
    expect(r.stdout).toContain('  --fail-on-destructive   exit 3 when the plan deletes, replaces or lowers something');
    expect(r.stdout).toContain(
      '  --fail-on-trust-change  exit 4 when the plan changes what nodes trust (control-plane URL, public HTTPS roots,',
    );
    expect(r.stdout).toContain('require a second reviewer for trust changes');
    expect(run(['-h'])).toEqual(r);
  });

  test('GIVEN --fail-on-trust-change and a URL change WHEN run THEN it prints the Markdown and exits 4', () => {
    const r = run(['--fail-on-trust-change', fixture('hand-url-change.json')]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('## 🔐 Trust changes');
    expect(r.stderr).toBe(
      'plan-explain: the plan changes what nodes trust: 1 trust change (see "Trust changes"); a second reviewer is required; exiting 4.\n',
    );
    // Without the option the same plan exits 0.
    expect(run([fixture('hand-url-change.json')]).code).toBe(0);
  });

  test('GIVEN --fail-on-trust-change and a plan with no trust change WHEN run THEN it exits 0', () => {
    const before = bundleV1();
    const plan = bundlePlan({ before, after: { ...before, sequence: before.sequence + 1 } });
    const r = run(['--fail-on-trust-change', 'plan.json'], () => JSON.stringify(plan));
    expect(r).toEqual({ code: 0, stdout: expect.stringContaining('No trust change:'), stderr: '' });
  });

  test('GIVEN both options and a destructive plan that also changes trust WHEN run THEN it exits 3 and gives both reasons', () => {
    const r = run(['--fail-on-destructive', '--fail-on-trust-change', fixture('hand-destructive.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')).toEqual([
      'plan-explain: the plan has destructive changes (see "Destructive changes"); exiting 3.',
      'plan-explain: the plan changes what nodes trust: 1 trust change, 2 signing during a plan (see "Trust changes" and "Signing during a plan"); a second reviewer is required; exiting 3.',
      '',
    ]);
  });
});
