/**
 * Synthesizes a cdktf stack into a working directory and drives the real engine (OpenTofu) on it:
 * init (offline, from the provider mirror), plan, apply, outputs, and the "second plan is empty" check.
 * The state file lives in the working directory, so re-synthesizing a changed config and planning again
 * is exactly what a pull request does.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformBackend, TerraformStack } from 'cdktf';
import { toolchain, engineEnv } from './toolchain';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class EngineError extends Error {
  constructor(
    message: string,
    public readonly result: RunResult,
  ) {
    super(message);
  }
}

/** Planned change of one resource, from `tofu show -json`. */
export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
}

export class Workspace {
  /** Creates an empty working directory. */
  public static create(prefix = 'pt-ws-'): Workspace {
    return new Workspace(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  }

  private initialized = false;
  /** Extra environment for every engine run (VAULT_ADDR, VAULT_TOKEN). */
  public env: NodeJS.ProcessEnv = {};
  /** `tofu show -json` of the last successful plan (what the plan explainer reads). */
  public lastPlan: any = undefined;

  private constructor(public readonly dir: string) {}

  /**
   * Synthesizes the stack that `build` adds to a fresh app and copies its cdk.tf.json here.
   * Returns the synthesized JSON.
   */
  public synth(build: (app: App) => TerraformStack): any {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-synth-'));
    try {
      const app = new App({ outdir });
      const stack = build(app);
      // cdktf's implicit local backend would put state next to the process's working directory (the
      // repo root); keep it in this workspace instead.
      if (!stack.node.findAll().some((c) => c instanceof TerraformBackend)) {
        new LocalBackend(stack, { path: 'terraform.tfstate' });
      }
      app.synth();
      const file = path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json');
      fs.copyFileSync(file, path.join(this.dir, 'cdk.tf.json'));
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  /** Runs the engine with the given arguments; resolves with its output (never rejects on exit code). */
  public run(args: string[], opts: { timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(toolchain().tofu, args, {
        cwd: this.dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? this.dir,
          ...engineEnv(),
          // The plan's time (the stacks' plan_time variable), from this machine's clock as a CI runner sets it; not
          // for the apply of a saved plan, which keeps the plan's value (the engine refuses a different one).
          ...(appliesSavedPlan(args) ? {} : { TF_VAR_plan_time: new Date().toISOString() }),
          ...this.env,
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (opts.onSpawn && child.pid) opts.onSpawn(child.pid);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
    });
  }

  private async must(args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new EngineError(`tofu ${args[0]} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`, r);
    return r;
  }

  public async init(): Promise<void> {
    if (this.initialized) return;
    await this.must(['init', '-input=false', '-no-color']);
    this.initialized = true;
  }

  /**
   * Plans into `plan.out` and returns the planned resource changes (no-op and read entries left out).
   * Throws EngineError when the plan fails (for example a failed precondition).
   */
  public async plan(): Promise<{ changes: ResourceChange[]; json: any; result: RunResult }> {
    await this.init();
    const result = await this.run(['plan', '-input=false', '-no-color', '-out=plan.out', '-detailed-exitcode']);
    if (result.code !== 0 && result.code !== 2) {
      throw new EngineError(`tofu plan failed (exit ${result.code}):\n${result.stderr}\n${result.stdout}`, result);
    }
    const json = JSON.parse((await this.must(['show', '-json', 'plan.out'])).stdout);
    fs.writeFileSync(path.join(this.dir, 'plan.json'), JSON.stringify(json));
    this.lastPlan = json;
    const changes: ResourceChange[] = (json.resource_changes ?? [])
      .filter(
        (c: any) =>
          c.mode === 'managed' && !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])),
      )
      .map((c: any) => ({ address: c.address, type: c.type, actions: c.change.actions }));
    return { changes, json, result };
  }

  /** Plans and applies that plan. Returns the changes applied. */
  public async apply(): Promise<ResourceChange[]> {
    const { changes } = await this.plan();
    await this.must(['apply', '-input=false', '-no-color', '-auto-approve', 'plan.out']);
    return changes;
  }

  /** Applies with -auto-approve (no saved plan), returning the raw result; used by fault tests. */
  public applyRaw(opts: { onSpawn?: (pid: number) => void } = {}): Promise<RunResult> {
    return this.run(['apply', '-input=false', '-no-color', '-auto-approve'], opts);
  }

  /** Output values (sensitive ones included, as the runner would see them). */
  public async outputs(): Promise<Record<string, any>> {
    const r = await this.must(['output', '-json']);
    const raw = JSON.parse(r.stdout) as Record<string, { value: any }>;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value]));
  }

  /** Asserts that a plan right after apply has no changes; returns the changes otherwise (for the message). */
  public async expectNoChanges(): Promise<void> {
    await this.init();
    const r = await this.run(['plan', '-input=false', '-no-color', '-detailed-exitcode']);
    if (r.code !== 0) {
      throw new EngineError(`expected an empty plan, got exit ${r.code}:\n${r.stdout}\n${r.stderr}`, r);
    }
  }

  /** Removes the working directory. */
  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A failed run's message, normalised to one line per sentence (the engine wraps long messages). */
export function oneLine(text: string): string {
  return text.replace(/│/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Bundle freshness for the integration stacks: valid 30 days from the start of this run (one value per process, so
 * every synth of a test renders the same bundle), and a rollout window of one second (one refresh hint of 1 s), so
 * an activation can follow its pre-publish within a test.
 */
/** The start of today (UTC) plus `days` days, as ISO 8601 UTC: a date "in code" for this run. */
export function dayFromToday(days: number): string {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return new Date(today + days * 86400_000).toISOString().replace('.000Z', 'Z');
}

/** Waits out the rollout window of TEST_FRESHNESS, so that a version pre-published just now may be activated. */
export function rolloutWait(): Promise<void> {
  const windowMs = TEST_FRESHNESS.refreshHintSeconds * TEST_FRESHNESS.rolloutRefreshes * 1000;
  return new Promise((resolve) => setTimeout(resolve, windowMs + 1100));
}

export const TEST_FRESHNESS = {
  expires: `${new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10)}T00:00:00Z`,
  refreshHintSeconds: 1,
  rolloutRefreshes: 1,
} as const;

/** True for `apply <plan file>`: the command takes its variables from the saved plan. */
function appliesSavedPlan(args: readonly string[]): boolean {
  return args[0] === 'apply' && args.slice(1).some((a) => !a.startsWith('-'));
}
