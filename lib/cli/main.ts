/**
 * The `platform-trust` command: one command with subcommands, each with `--help`.
 *
 *   npx platform-trust explain [options] <plan.json | ->      explain a saved plan for review (Markdown)
 *   npx platform-trust check [options] <file or folder>...     run the rule pack over Terraform JSON
 *   npx platform-trust rotation-status [options]               what is due in an environment's rotation schedule
 */
import { runCheck } from './check';
import { runExplain } from './explain';
import { CliResult } from './result';

const HELP = `usage: platform-trust <command> [options]

commands:
  explain          explain a saved plan (tofu show -json) for review: Markdown for a pull-request comment
  check            run the PlatformTrust rule pack over cdk.tf.json or *.tf.json files (text, JSON or SARIF)
  rotation-status  read Vault (read-only) and say what is due in an environment's rotation schedule

Run "platform-trust <command> --help" for a command's options and exit codes.
`;

/** Runs `platform-trust <argv>` without touching the process. */
export async function runPlatformTrust(argv: readonly string[]): Promise<CliResult> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'explain':
      return runExplain(rest);
    case 'check':
      return runCheck(rest);
    case 'rotation-status': {
      // Loaded only for this command: it reads the environment configs, which load cdktf.
      const { runRotationStatus } = await import('./rotation-status');
      return runRotationStatus(rest);
    }
    case undefined:
      return { code: 2, stdout: '', stderr: `platform-trust: give a command\n${HELP}` };
    case '-h':
    case '--help':
    case 'help':
      return { code: 0, stdout: HELP, stderr: '' };
    default:
      return { code: 2, stdout: '', stderr: `platform-trust: unknown command ${command}\n${HELP}` };
  }
}
