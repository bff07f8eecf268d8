/**
 * Explains a saved plan for review: prints Markdown for a pull-request comment.
 *
 *   tofu plan -out=plan.tfplan && tofu show -json plan.tfplan > plan.json
 *   node dist/scripts/plan-explain.js [--title <text>] [--fail-on-destructive] <plan.json | ->
 *
 * Exit codes: 0 printed; 1 the input cannot be read or is not plan JSON; 2 bad usage;
 * 3 printed, and the plan has destructive changes (only with --fail-on-destructive).
 * The Markdown goes to stdout, messages to stderr. Plan JSON holds sensitive values in plain text:
 * the explanation never prints them, but keep plan.json itself out of logs and artifacts.
 */
import { readFileSync } from 'node:fs';
import { explainPlan, renderMarkdown } from '../lib/review/plan-explainer';

const USAGE = 'usage: plan-explain [--title <text>] [--fail-on-destructive] <plan.json | ->';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without touching the process (tests call this). `readInput` reads a path, "-" is stdin. */
export function run(argv: readonly string[], readInput: (path: string) => string = defaultRead): CliResult {
  let failOnDestructive = false;
  let title: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fail-on-destructive') failOnDestructive = true;
    else if (a === '--title') {
      if (i + 1 >= argv.length)
        return { code: 2, stdout: '', stderr: `plan-explain: --title needs a value\n${USAGE}\n` };
      title = argv[++i];
    } else if (a.startsWith('--title=')) title = a.slice('--title='.length);
    else if (a === '-h' || a === '--help') return { code: 0, stdout: `${USAGE}\n`, stderr: '' };
    else if (a.startsWith('--'))
      return { code: 2, stdout: '', stderr: `plan-explain: unknown option ${a}\n${USAGE}\n` };
    else files.push(a);
  }
  if (files.length !== 1) {
    return { code: 2, stdout: '', stderr: `plan-explain: give exactly one plan JSON file\n${USAGE}\n` };
  }
  const file = files[0];
  let text: string;
  try {
    text = readInput(file);
  } catch (e) {
    return { code: 1, stdout: '', stderr: `plan-explain: cannot read ${file}: ${(e as Error).message}\n` };
  }
  let markdown: string;
  let destructive: boolean;
  try {
    const explanation = explainPlan(text);
    markdown = renderMarkdown(explanation, { title });
    destructive = explanation.warnings.length > 0;
  } catch (e) {
    return {
      code: 1,
      stdout: '',
      stderr: `plan-explain: ${file} is not a readable plan: ${(e as Error).message}\n`,
    };
  }
  if (failOnDestructive && destructive) {
    return {
      code: 3,
      stdout: markdown,
      stderr: 'plan-explain: the plan has destructive changes (see "Destructive changes"); exiting 3.\n',
    };
  }
  return { code: 0, stdout: markdown, stderr: '' };
}

function defaultRead(path: string): string {
  return readFileSync(path === '-' ? 0 : path, 'utf8');
}

if (require.main === module) {
  const result = run(process.argv.slice(2));
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
