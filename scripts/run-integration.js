#!/usr/bin/env node
// Runs the integration suite: builds or finds the toolchain (OpenTofu, providers, VaultServer) first,
// with progress, then runs jest in band against real servers. The only way to skip it is the explicit
// opt-out PLATFORM_TRUST_SKIP_INTEGRATION=1, which CI never sets.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (process.env.PLATFORM_TRUST_SKIP_INTEGRATION === '1') {
  console.log('[integration] skipped: PLATFORM_TRUST_SKIP_INTEGRATION=1 (explicit opt-out)');
  process.exit(0);
}
const tc = spawnSync('bash', [path.join(root, 'scripts', 'toolchain.sh')], { stdio: 'inherit', cwd: root });
if (tc.status !== 0) {
  console.error('[integration] FAILED: the toolchain could not be built; see the messages above.');
  process.exit(tc.status || 1);
}
const jest = spawnSync(
  process.execPath,
  [
    require.resolve('jest/bin/jest'),
    '--config',
    path.join(root, 'jest.integration.config.js'),
    '--runInBand',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root },
);
process.exit(jest.status === null ? 1 : jest.status);
