#!/usr/bin/env node
// The installed `platform-trust` command (package.json "bin"): runs a subcommand and sets the exit code.
import { runPlatformTrust } from './main';

void runPlatformTrust(process.argv.slice(2)).then(
  (result) => {
    if (result.stdout) process.stdout.write(result.stdout);
    if (result.stderr) process.stderr.write(result.stderr);
    process.exitCode = result.code;
  },
  (e: unknown) => {
    process.stderr.write(`platform-trust: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
