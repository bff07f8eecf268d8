/**
 * The repository's `npm run rotation-status`: the same command as the installed `platform-trust rotation-status`
 * (lib/cli/rotation-status.ts), with messages prefixed `rotation-status`.
 *
 *   VAULT_ADDR=... VAULT_TOKEN=... node dist/scripts/rotation-status.js --environment dev [--json] [--now <iso>]
 */
import { CliDeps, readVaultFacts, renderText, runRotationStatus } from '../lib/cli/rotation-status';
import type { CliResult } from '../lib/cli/result';
import { environments } from '../stacks/environments';

export type { CliDeps, CliResult };
export { readVaultFacts, renderText };

/** Runs the command without touching the process (tests call this); `--environment` names stacks/environments.ts. */
export function run(argv: readonly string[], deps: CliDeps = {}): Promise<CliResult> {
  return runRotationStatus(argv, { environments, ...deps }, 'rotation-status');
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((result) => {
    if (result.stdout) process.stdout.write(result.stdout);
    if (result.stderr) process.stderr.write(result.stderr);
    process.exitCode = result.code;
  });
}
