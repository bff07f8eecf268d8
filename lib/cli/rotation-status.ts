/**
 * `platform-trust rotation-status`: says what is due in an environment's rotation schedule: reads Vault (read-only: HTTP GETs, never a write) and the
 * environment config with its rotation policy, and prints each due item with the one-line change to propose.
 *
 *   VAULT_ADDR=... VAULT_TOKEN=... npx platform-trust rotation-status --config dist/environments/prod.js [--json]
 *   npx platform-trust rotation-status --config dist/environments/prod.js --print-policy
 *
 * Exit codes: 0 nothing due; 10 something is soon (nothing due); 11 something is due or overdue; 1 Vault could not
 * be read (unreachable, a read refused, an answer that is not what the stack writes); 2 bad usage or config.
 * It proposes the change; a person makes the pull request and reviews its plan.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  ScheduleConfig,
  ScheduleLocations,
  VaultFacts,
  bundleFactsFromReads,
  effectiveKeySchedule,
  keyFactsFromRead,
  missingBundle,
  missingKey,
  planRotations,
  readOnlyPolicy,
  readPaths,
  readableVersions,
  recordCreatedTime,
  scheduleLocations,
  statusExitCode,
} from '../schedule';
import type { DueItem, RotationStatus } from '../schedule';
import { parseIsoUtc } from '../kernel/iso-time';
import { EnvironmentConfig, resolveMounts } from '../../stacks/environment';
import { CliResult } from './result';

const args = (named: boolean) =>
  `${named ? '(--environment <name> | --config <module> [--export <name>])' : '--config <module> [--export <name>]'} [--json] [--now <iso>] [--print-policy]`;

const help = (usage: string, named: readonly EnvironmentConfig[] | undefined) => `${usage}

Reads Vault (read-only) and the environment config with its rotation policy (EnvironmentConfig.rotationPolicy),
and says what is due: pre-publish, activate or retire a signing key version, renew the bundle's expiry, rotate an
expiring control-plane root, drop a revocation no bundle needs any more. Each item comes with the one-line change
to propose in a pull request; a person still reviews the plan.

options:
${named ? `  --environment <name>  an environment of stacks/environments.ts (${named.map((e) => e.name).join(', ')})\n` : ''}  --config <module>     a compiled module (.js) or a JSON file with the environment config; the export named by
                        --export, else "environment", else the default export
  --export <name>       the export of --config that holds the EnvironmentConfig
  --json                print the status as JSON (environment, now, items, exit code) instead of text
  --now <iso>           compute the schedule for this time (ISO 8601 UTC) instead of the clock; the facts still
                        come from Vault
  --print-policy        print the Vault policy a token for this command needs (read on five paths) and exit 0;
                        reads nothing
  -h, --help            print this help

environment: VAULT_ADDR and VAULT_TOKEN (a token with only the --print-policy policy is enough; the command sends
GET requests only).

exit codes: 0 nothing due; 10 something is soon; 11 something is due or overdue; 1 Vault could not be read;
  2 bad usage or config. The report goes to stdout, messages to stderr.
`;

export interface CliDeps {
  /** VAULT_ADDR and VAULT_TOKEN come from here. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The clock when `--now` is not given. @default Date.now */
  readonly clock?: () => number;
  /** Loads a `--config` module (absolute path). @default require */
  readonly load?: (file: string) => unknown;
  /**
   * Named environments that `--environment` picks from (the repository's stacks/environments.ts).
   * @default - none: the installed command reads the config with `--config` only
   */
  readonly environments?: readonly EnvironmentConfig[];
}

/** A Vault read failed in a way the command cannot explain by a missing object. */
class ReadError extends Error {}

interface Options {
  environment?: string;
  config?: string;
  exportName?: string;
  json: boolean;
  now?: number;
  printPolicy: boolean;
}

function parseArgs(argv: readonly string[], named: boolean): Options | { help: true } | { error: string } {
  const o: Options = { json: false, printPolicy: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string): string | undefined => {
      if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) return undefined;
      return argv[++i];
    };
    const [flag] = a.split('=', 1);
    if (a === '-h' || a === '--help') return { help: true };
    else if (a === '--json') o.json = true;
    else if (a === '--print-policy') o.printPolicy = true;
    else if (flag === '--environment' || flag === '--config' || flag === '--export' || flag === '--now') {
      const v = value(flag);
      if (v === undefined || v === '') return { error: `${flag} needs a value` };
      if (flag === '--environment') o.environment = v;
      else if (flag === '--config') o.config = v;
      else if (flag === '--export') o.exportName = v;
      else {
        const now = parseIsoUtc(v);
        if (now === undefined) return { error: `--now must be ISO 8601 UTC like 2027-01-31T00:00:00Z, got ${v}` };
        o.now = now;
      }
    } else return { error: `unknown argument ${a}` };
  }
  if (!named && o.environment !== undefined) {
    return { error: "--environment is for this repository's own environments: give the config with --config" };
  }
  if (!named && o.config === undefined) return { error: 'give the environment config with --config' };
  if ((o.environment === undefined) === (o.config === undefined)) {
    return { error: 'give exactly one of --environment and --config' };
  }
  if (o.exportName !== undefined && o.config === undefined) return { error: '--export goes with --config' };
  return o;
}

const isConfig = (v: unknown): v is EnvironmentConfig => {
  const o = v as Record<string, unknown> | undefined;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.name === 'string' &&
    typeof o.taskSigning === 'object' &&
    typeof o.bundle === 'object'
  );
};

/** The environment config from `--environment` or `--config` (throws with a message for stderr). */
function loadConfig(
  o: Options,
  load: (file: string) => unknown,
  environments: readonly EnvironmentConfig[] = [],
): EnvironmentConfig {
  if (o.environment !== undefined) {
    const env = environments.find((e) => e.name === o.environment);
    if (!env) {
      throw new Error(
        `no environment "${o.environment}" in stacks/environments.ts (${environments.map((e) => e.name).join(', ')})`,
      );
    }
    return env;
  }
  const file = path.resolve(o.config!);
  let mod: unknown;
  try {
    mod = load(file);
  } catch (e) {
    throw new Error(`cannot load ${o.config}: ${(e as Error).message}`);
  }
  const m = mod as Record<string, unknown>;
  const names = o.exportName !== undefined ? [o.exportName] : ['environment', 'default'];
  for (const name of names) {
    if (isConfig(m?.[name])) return m[name] as EnvironmentConfig;
  }
  if (o.exportName === undefined && isConfig(mod)) return mod;
  throw new Error(
    `${o.config} has no EnvironmentConfig ${o.exportName !== undefined ? `export "${o.exportName}"` : 'as "environment", the default export or the whole module'}`,
  );
}

function defaultLoad(file: string): unknown {
  // A JSON file or a compiled CommonJS module; TypeScript sources must be compiled first.
  return createRequire(__filename)(file);
}

/** GETs a Vault API path; resolves with the status and the parsed body. Never sends anything but GET. */
async function vaultGet(addr: string, token: string, apiPath: string): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${addr.replace(/\/+$/, '')}/v1/${apiPath}`, {
      method: 'GET',
      headers: { 'X-Vault-Token': token },
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ReadError(`cannot reach Vault at ${addr}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Reads one path: the body on 200, undefined on 404 (nothing there), a ReadError otherwise. */
async function readPath(addr: string, token: string, apiPath: string): Promise<unknown> {
  const r = await vaultGet(addr, token, apiPath);
  if (r.status === 200) return r.body;
  if (r.status === 404) return undefined;
  const errors = (r.body as { errors?: unknown[] } | undefined)?.errors;
  const why =
    Array.isArray(errors) && errors.length ? errors.join('; ').replace(/\s+/g, ' ').trim() : `HTTP ${r.status}`;
  const hint = r.status === 403 ? ' (the token needs read on this path: see --print-policy)' : '';
  throw new ReadError(`GET /v1/${apiPath} answered ${r.status}: ${why}${hint}`);
}

/** Everything the planner needs, read with GETs only. */
export async function readVaultFacts(
  addr: string,
  token: string,
  config: ScheduleConfig,
  loc: ScheduleLocations,
): Promise<VaultFacts> {
  const get = (p: string) => readPath(addr, token, p);
  const key = async (name: string, written: ScheduleConfig['taskSigning']) => {
    const body = await get(readPaths.key(loc, name));
    if (body === undefined) return missingKey(name);
    const facts = keyFactsFromRead(name, body);
    // The publication record of a pre-published version (the only one an activation waits for).
    const s = effectiveKeySchedule(written);
    const published: Record<number, string> = {};
    if (s.version > s.active && facts.latestVersion >= s.version) {
      const record = await get(readPaths.record(loc, name, s.version));
      const time = record === undefined ? undefined : recordCreatedTime(record);
      if (time !== undefined) published[s.version] = time;
    }
    return { ...facts, published };
  };
  const taskKey = await key(loc.taskKeyName, config.taskSigning);
  const bundleKey = await key(loc.bundleKeyName, config.bundleSigning ?? { version: 1 });
  const metadata = await get(readPaths.bundleMetadata(loc));
  let bundle = missingBundle();
  if (metadata !== undefined) {
    const bodies = new Map<number, unknown>();
    for (const v of readableVersions(metadata)) {
      const body = await get(`${readPaths.bundleData(loc)}?version=${v.version}`);
      if (body !== undefined) bodies.set(v.version, body);
    }
    bundle = bundleFactsFromReads(metadata, bodies);
  }
  return { taskKey, bundleKey, bundle };
}

const SEVERITY_TEXT: Record<DueItem['severity'], string> = { overdue: 'OVERDUE', due: 'DUE', soon: 'SOON' };
const SUBJECT_TEXT: Record<DueItem['key'], string> = {
  'task-key': 'task key',
  'bundle-key': 'bundle key',
  bundle: 'bundle',
  'control-plane-root': 'control-plane root',
};

/** The status as text: one block per item, then a summary line with the exit code. */
export function renderText(status: RotationStatus, code: number): string {
  const out = [`rotation-status: environment ${status.environment} at ${status.now}`];
  for (const i of status.items) {
    out.push('');
    out.push(`${SEVERITY_TEXT[i.severity]} ${i.kind}: ${SUBJECT_TEXT[i.key]} ${i.name} (due ${i.dueAt})`);
    out.push(`  ${i.explanation}`);
    out.push(i.change ? `  change: ${i.change.text}` : '  change: none yet');
  }
  const count = (s: DueItem['severity']) => status.items.filter((i) => i.severity === s).length;
  out.push('');
  out.push(
    status.items.length
      ? `${count('overdue')} overdue, ${count('due')} due, ${count('soon')} soon (exit ${code}). Propose each change in a pull request; its plan is the review.`
      : 'Nothing is due (exit 0).',
  );
  return `${out.join('\n')}\n`;
}

/**
 * Runs the command without touching the process (tests call this). `name` prefixes messages and the usage line
 * (`rotation-status` for the repository script).
 */
export async function runRotationStatus(
  argv: readonly string[],
  deps: CliDeps = {},
  name = 'platform-trust rotation-status',
): Promise<CliResult> {
  const USAGE = `usage: ${name} ${args(deps.environments !== undefined)}`;
  const fail = (code: number, message: string) => ({ code, stdout: '', stderr: `${name}: ${message}\n` });
  const parsed = parseArgs(argv, deps.environments !== undefined);
  if ('help' in parsed) return { code: 0, stdout: help(USAGE, deps.environments), stderr: '' };
  if ('error' in parsed) return fail(2, `${parsed.error}\n${USAGE}`);
  let config: EnvironmentConfig;
  try {
    config = loadConfig(parsed, deps.load ?? defaultLoad, deps.environments);
  } catch (e) {
    return fail(2, (e as Error).message);
  }
  let loc: ScheduleLocations;
  try {
    loc = scheduleLocations(config, resolveMounts(config));
  } catch (e) {
    return fail(2, `the environment config cannot be read: ${(e as Error).message}`);
  }
  if (parsed.printPolicy) return { code: 0, stdout: readOnlyPolicy(loc), stderr: '' };

  const env = deps.env ?? process.env;
  const addr = env.VAULT_ADDR;
  const token = env.VAULT_TOKEN;
  if (!addr || !token) return fail(2, 'set VAULT_ADDR and VAULT_TOKEN (a read-only token: see --print-policy)');
  if (!/^https?:\/\/[^\s/]+/.test(addr)) return fail(2, `VAULT_ADDR is not an http(s) URL: ${addr}`);

  const now = parsed.now ?? (deps.clock ?? Date.now)();
  let facts: VaultFacts;
  try {
    facts = await readVaultFacts(addr, token, config, loc);
  } catch (e) {
    return fail(1, (e as Error).message);
  }
  let status: RotationStatus;
  try {
    status = planRotations({ config, facts, now });
  } catch (e) {
    return fail(2, `the rotation policy cannot be used: ${(e as Error).message}`);
  }
  const code = statusExitCode(status.items);
  const stdout = parsed.json
    ? `${JSON.stringify({ ...status, exitCode: code, facts }, null, 2)}\n`
    : renderText(status, code);
  return { code, stdout, stderr: '' };
}
