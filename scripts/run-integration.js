#!/usr/bin/env node
// Runs the integration suite: builds or finds the toolchain (the pinned OpenTofu, the providers, the
// Vault-API server) first, with progress, says which engine and server the suite runs on, then runs jest
// in band against real servers. PLATFORM_TRUST_ENGINE chooses another engine explicitly (see
// scripts/toolchain.sh); extra arguments go to jest (for example test paths). The only way to skip it is the explicit
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
const env = spawnSync('bash', [path.join(root, 'scripts', 'toolchain.sh'), '--print-env'], {
  cwd: root,
  encoding: 'utf8',
});
if (env.status !== 0) {
  console.error(`[integration] FAILED: the toolchain is incomplete: ${env.stderr.trim()}`);
  process.exit(1);
}
const info = JSON.parse(env.stdout.slice(env.stdout.indexOf('{')));
const name = { opentofu: 'OpenTofu', terraform: 'Terraform', openbao: 'OpenBao', vault: 'Vault' };
console.log(
  `[integration] engine: ${name[info.kinds.tofu] ?? info.kinds.tofu} ${info.versions.tofu} (${info.sources.tofu}: ${info.tofu}); ` +
    `server: ${name[info.kinds.bao] ?? info.kinds.bao} ${info.versions.bao}; providers: vault ${info.versions.vaultProvider}, tls ${info.versions.tlsProvider}`,
);
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
