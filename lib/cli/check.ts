/**
 * `platform-trust check`: runs the PlatformTrust rule pack over Terraform JSON files: a synthesized `cdk.tf.json`
 * (of any cdktf app) or hand-written `*.tf.json`. It reads the files only: no cdktf, no engine, no Vault.
 *
 *   npx platform-trust check cdktf.out                      # every cdk.tf.json and *.tf.json below
 *   npx platform-trust check --format sarif --output platform-trust.sarif cdktf.out/stacks/dev/cdk.tf.json
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { JsonCheckFinding, checkTerraformJson } from '../checks/json-checks';
import { PLATFORM_TRUST_RULES } from '../checks/rules';
import { CheckLevel } from '../checks/types';
import { CliResult } from './result';
import { CheckedFile, toSarif } from './sarif';

const ARGS = '[--format text|json|sarif] [--output <file>] [--fail-on error|warning|none] <file or folder>...';

const help = (usage: string) => `${usage}

Runs the PlatformTrust rule pack (the rules of the PlatformTrustChecks Aspect) over Terraform JSON: a synthesized
cdk.tf.json of any cdktf app, or plain Terraform JSON (*.tf.json). A folder is searched for cdk.tf.json and
*.tf.json files (node_modules, .terraform and dot folders are skipped). Suppressions recorded in the JSON by
PlatformTrustChecks.suppress are honoured; a suppressed finding is listed and does not fail the check.

options:
  --format <f>     text (default): one block per finding; json: every file with its findings;
                   sarif: a SARIF 2.1.0 log for code-scanning UIs
  --output <file>  write the report to this file instead of stdout (the summary still goes to stderr)
  --fail-on <l>    error (default): exit 3 when an unsuppressed error is found; warning: also for warnings;
                   none: exit 0 whatever is found
  -h, --help       print this help

exit codes: 0 checked, nothing at the --fail-on level; 1 a file cannot be read or is not Terraform JSON;
  2 bad usage; 3 findings at the --fail-on level.
`;

/** What the check reads from the outside (tests replace it). */
export interface CheckDeps {
  /** Reads a file. @default fs.readFileSync(path, 'utf8') */
  readonly readFile?: (file: string) => string;
  /** The files to check for one argument: the file itself, or the Terraform JSON files below a folder. */
  readonly expand?: (arg: string) => string[];
  /** Writes `--output`. @default fs.writeFileSync */
  readonly writeFile?: (file: string, text: string) => void;
}

type Format = 'text' | 'json' | 'sarif';
type FailOn = 'error' | 'warning' | 'none';

/** Runs the command without touching the process (tests call this). */
export function runCheck(argv: readonly string[], deps: CheckDeps = {}, name = 'platform-trust check'): CliResult {
  const USAGE = `usage: ${name} ${ARGS}`;
  const usageError = (message: string): CliResult => ({
    code: 2,
    stdout: '',
    stderr: `${name}: ${message}\n${USAGE}\n`,
  });
  let format: Format = 'text';
  let failOn: FailOn = 'error';
  let output: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = (): string | undefined => inline ?? (i + 1 < argv.length ? argv[++i] : undefined);
    if (a === '-h' || a === '--help') return { code: 0, stdout: help(USAGE), stderr: '' };
    if (flag === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif')
        return usageError(`--format must be text, json or sarif, got ${v ?? 'nothing'}`);
      format = v;
    } else if (flag === '--fail-on') {
      const v = value();
      if (v !== 'error' && v !== 'warning' && v !== 'none')
        return usageError(`--fail-on must be error, warning or none, got ${v ?? 'nothing'}`);
      failOn = v;
    } else if (flag === '--output') {
      const v = value();
      if (!v) return usageError('--output needs a file');
      output = v;
    } else if (a.startsWith('-') && a !== '-') return usageError(`unknown option ${a}`);
    else args.push(a);
  }
  if (args.length === 0) return usageError('give at least one file or folder');

  const readFile = deps.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const expand = deps.expand ?? expandArg;
  const checked: CheckedFile[] = [];
  for (const arg of args) {
    let files: string[];
    try {
      files = expand(arg);
    } catch (e) {
      return { code: 1, stdout: '', stderr: `${name}: cannot read ${arg}: ${(e as Error).message}\n` };
    }
    if (files.length === 0) {
      return { code: 1, stdout: '', stderr: `${name}: no cdk.tf.json or *.tf.json file in ${arg}\n` };
    }
    for (const file of files) {
      let text: string;
      let json: unknown;
      try {
        text = readFile(file);
      } catch (e) {
        return { code: 1, stdout: '', stderr: `${name}: cannot read ${file}: ${(e as Error).message}\n` };
      }
      try {
        json = JSON.parse(text);
      } catch (e) {
        return { code: 1, stdout: '', stderr: `${name}: ${file} is not JSON: ${(e as Error).message}\n` };
      }
      let findings: JsonCheckFinding[];
      try {
        findings = checkTerraformJson(json);
      } catch (e) {
        return { code: 1, stdout: '', stderr: `${name}: ${file} is not Terraform JSON: ${(e as Error).message}\n` };
      }
      checked.push({ uri: file.split(path.sep).join('/'), text, findings });
    }
  }

  const all = checked.flatMap((f) => f.findings);
  const open = all.filter((f) => !f.suppression);
  const errors = open.filter((f) => f.level === CheckLevel.ERROR).length;
  const warnings = open.length - errors;
  const suppressed = all.length - open.length;
  const failing = failOn === 'none' ? 0 : failOn === 'warning' ? open.length : errors;
  const code = failing > 0 ? 3 : 0;
  const summary = `${name}: ${checked.length} file${checked.length === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${suppressed} suppressed (exit ${code})\n`;

  let report: string;
  if (format === 'sarif') {
    report = `${JSON.stringify(toSarif(checked, PLATFORM_TRUST_RULES, { name: 'platform-trust', version: packageVersion() }), null, 2)}\n`;
  } else if (format === 'json') {
    report = `${JSON.stringify({ files: checked.map((f) => ({ file: f.uri, findings: f.findings })), errors, warnings, suppressed, exitCode: code }, null, 2)}\n`;
  } else {
    report = renderFindingsText(checked);
  }
  if (output !== undefined) {
    try {
      (deps.writeFile ?? ((f: string, t: string) => writeFileSync(f, t)))(output, report);
    } catch (e) {
      return { code: 1, stdout: '', stderr: `${name}: cannot write ${output}: ${(e as Error).message}\n` };
    }
    return { code, stdout: '', stderr: summary };
  }
  return { code, stdout: report, stderr: summary };
}

/** The findings as text: per file, one block per finding (level, rule, element, message). */
export function renderFindingsText(files: readonly CheckedFile[]): string {
  const out: string[] = [];
  for (const file of files) {
    out.push(
      `${file.uri}: ${file.findings.length === 0 ? 'no findings' : `${file.findings.length} finding${file.findings.length === 1 ? '' : 's'}`}`,
    );
    for (const f of file.findings) {
      const level = f.suppression ? 'suppressed' : f.level;
      out.push(`  ${level} ${f.ruleId} on ${f.address ?? (f.path || 'the stack')}`);
      out.push(`    ${f.message}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The Terraform JSON files for one argument: the file itself, or every cdk.tf.json and *.tf.json below a folder. */
export function expandArg(arg: string): string[] {
  if (!statSync(arg).isDirectory()) return [arg];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.tf.json')) out.push(full);
    }
  };
  walk(arg);
  return out;
}

/** This package's version, for the SARIF tool entry. */
function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cdktf-platform-trust' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not ours: keep looking
    }
  }
  return '0.0.0';
}
