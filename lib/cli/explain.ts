/**
 * `platform-trust explain`: explains a saved plan for review: prints Markdown for a pull-request comment.
 *
 *   tofu plan -out=plan.tfplan && tofu show -json plan.tfplan > plan.json
 *   npx platform-trust explain [--title <text>] [--fail-on-destructive] [--fail-on-trust-change] <plan.json | ->
 *
 * Exit codes: 0 printed; 1 the input cannot be read or is not plan JSON; 2 bad usage;
 * 3 printed, and the plan has destructive changes (only with --fail-on-destructive);
 * 4 printed, and the plan changes what nodes trust (a revocation included), may change it (cannot be ruled out
 * until apply), or signs during a plan (only with --fail-on-trust-change; 3 wins when both apply).
 * The Markdown goes to stdout, messages to stderr. Plan JSON holds sensitive values in plain text:
 * the explanation never prints them, but keep plan.json itself out of logs and artifacts.
 */
import { readFileSync } from 'node:fs';
import { exitDecision, explainPlan, renderMarkdown } from '../review/plan-explainer';
import { CliResult } from './result';

const ARGS = '[--title <text>] [--fail-on-destructive] [--fail-on-trust-change] <plan.json | ->';

const help = (usage: string) => `${usage}

Explains a saved plan (tofu show -json <planfile>) for review: prints Markdown for a pull-request comment.
An emergency (the bundle revokes a key version or a root) comes first, then trust changes, then anything signed
during the plan, then destructive changes.

options:
  --title <text>          shown after "Plan review" in the heading (for example the environment)
  --fail-on-destructive   exit 3 when the plan deletes, replaces or lowers something
  --fail-on-trust-change  exit 4 when the plan changes what nodes trust (control-plane URL, public HTTPS roots,
                          node-cert CA chain, bundle keys, bundle format, expiry, refresh hint, revocations, a
                          rollout override), when such a change cannot be ruled out until apply, or when
                          something is signed during the plan; for repositories that
                          require a second reviewer for trust changes
  -h, --help              print this help

exit codes: 0 printed; 1 the input cannot be read or is not plan JSON; 2 bad usage;
  3 destructive changes (with --fail-on-destructive); 4 trust change (with --fail-on-trust-change);
  3 wins when both apply. The Markdown goes to stdout, messages to stderr.
`;

/**
 * Runs the command without touching the process (tests call this). `readInput` reads a path, "-" is stdin;
 * `name` prefixes messages and the usage line (`plan-explain` for the repository script).
 */
export function runExplain(
  argv: readonly string[],
  readInput: (path: string) => string = defaultRead,
  name = 'platform-trust explain',
): CliResult {
  const USAGE = `usage: ${name} ${ARGS}`;
  let failOnDestructive = false;
  let failOnTrustChange = false;
  let title: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fail-on-destructive') failOnDestructive = true;
    else if (a === '--fail-on-trust-change') failOnTrustChange = true;
    else if (a === '--title') {
      if (i + 1 >= argv.length) return { code: 2, stdout: '', stderr: `${name}: --title needs a value\n${USAGE}\n` };
      title = argv[++i];
    } else if (a.startsWith('--title=')) title = a.slice('--title='.length);
    else if (a === '-h' || a === '--help') return { code: 0, stdout: help(USAGE), stderr: '' };
    else if (a.startsWith('--')) return { code: 2, stdout: '', stderr: `${name}: unknown option ${a}\n${USAGE}\n` };
    else files.push(a);
  }
  if (files.length !== 1) {
    return { code: 2, stdout: '', stderr: `${name}: give exactly one plan JSON file\n${USAGE}\n` };
  }
  const file = files[0];
  let text: string;
  try {
    text = readInput(file);
  } catch (e) {
    return { code: 1, stdout: '', stderr: `${name}: cannot read ${file}: ${(e as Error).message}\n` };
  }
  let markdown: string;
  let decision: ReturnType<typeof exitDecision>;
  try {
    const explanation = explainPlan(text);
    markdown = renderMarkdown(explanation, { title });
    decision = exitDecision(explanation, { failOnDestructive, failOnTrustChange });
  } catch (e) {
    return {
      code: 1,
      stdout: '',
      stderr: `${name}: ${file} is not a readable plan: ${(e as Error).message}\n`,
    };
  }
  return {
    code: decision.code,
    stdout: markdown,
    stderr: decision.reasons.map((r) => `${name}: ${r}\n`).join(''),
  };
}

function defaultRead(path: string): string {
  return readFileSync(path === '-' ? 0 : path, 'utf8');
}
