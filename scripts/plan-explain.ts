/**
 * The repository's `npm run plan:explain`: the same command as the installed `platform-trust explain`
 * (lib/cli/explain.ts), with messages prefixed `plan-explain`.
 *
 *   node dist/scripts/plan-explain.js [--title <text>] [--fail-on-destructive] [--fail-on-trust-change] <plan.json | ->
 */
import { runExplain } from '../lib/cli/explain';
import type { CliResult } from '../lib/cli/result';

export type { CliResult };

/** Runs the command without touching the process (tests call this). `readInput` reads a path, "-" is stdin. */
export function run(argv: readonly string[], readInput?: (path: string) => string): CliResult {
  return runExplain(argv, readInput, 'plan-explain');
}

if (require.main === module) {
  const result = run(process.argv.slice(2));
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
