/**
 * Finds the toolchain built by scripts/toolchain.sh (the pinned OpenTofu or the engine PLATFORM_TRUST_ENGINE
 * names, the vault and tls providers in a filesystem mirror, the Vault-API server). Loaded by jest's setupFiles for the integration suite, before cdktf is
 * imported, so cdktf's own matchers (toBeValidTerraform, toPlanSuccessfully) use the same engine.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Toolchain {
  /** Absolute path of the tofu (or terraform) binary. */
  readonly tofu: string;
  /** Absolute path of the bao (or vault) binary. */
  readonly bao: string;
  /** CLI config file that points provider installation at the filesystem mirror. */
  readonly cliConfig: string;
  readonly mirror: string;
  readonly versions: Record<string, string>;
  /** `opentofu` or `terraform` (engine), `openbao` or `vault` (server). */
  readonly kinds: { readonly tofu: 'opentofu' | 'terraform'; readonly bao: 'openbao' | 'vault' };
}

/** The repository root: the nearest folder above this file with scripts/toolchain.sh (works from dist/ too). */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'scripts', 'toolchain.sh'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`scripts/toolchain.sh not found above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot(__dirname);
let cached: Toolchain | undefined;

/**
 * Reads the toolchain description. The integration suite never downloads anything: `npm test` runs
 * scripts/toolchain.sh first, which builds what is missing from the Go module proxy (with progress).
 * If it is still missing here, the suite fails with the reason.
 */
export function toolchain(): Toolchain {
  if (cached) return cached;
  let out: string;
  try {
    out = execFileSync('bash', [path.join(repoRoot, 'scripts', 'toolchain.sh'), '--print-env'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(
      `The integration toolchain (engine, providers, Vault-API server) is not built: ${(err.stderr || err.stdout || String(e)).trim()}\n` +
        'Run `npm run toolchain` (or `npm test`, which builds it first).',
    );
  }
  const start = out.indexOf('{');
  cached = JSON.parse(out.slice(start)) as Toolchain;
  return cached;
}

/** The engine the suite runs on: `opentofu` (the default, pinned) or `terraform` (chosen explicitly). */
export function engineKind(): 'opentofu' | 'terraform' {
  return toolchain().kinds.tofu;
}

/** Environment for the engine: offline provider installation, no prompts, no colour. */
export function engineEnv(): NodeJS.ProcessEnv {
  const t = toolchain();
  return {
    TF_CLI_CONFIG_FILE: t.cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TERRAFORM_BINARY_NAME: t.tofu,
  };
}
