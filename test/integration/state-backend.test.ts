/**
 * Shared state with locking and no secret in state, against the real engine (OpenTofu), a real PostgreSQL (the `pg`
 * backend) and a real Vault-API server. One PostgreSQL and one Vault serve every case; each environment has a
 * database of its own.
 *
 * - Two applies of one environment started at once: one takes the lock, the other fails on it (no wait) or waits
 *   for it and then finds nothing to do; two saved plans applied at once: the second is refused as stale. In each,
 *   Vault rotated once and the bundle was published once, and the next plan is empty.
 * - A runner killed mid-apply on a live host: PostgreSQL ends its session and the lock with it. A runner whose
 *   host vanished (the server never sees the connection close): the lock stays; `tofu force-unlock` cannot clear a
 *   pg lock; ending the holder's session does (README, "Running it in production"); the re-apply converges.
 * - State and plans encrypted with a Vault transit key (OpenTofu's `openbao` key provider): the rows in PostgreSQL
 *   hold no plaintext of a seeded sentinel secret; a secret seeded write-only is in neither state nor plan.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, PgBackend, TerraformVariable } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { StateEncryption } from '../../lib/state';
import { StateKeyStack } from '../../stacks/state-key-stack';
import { HoldProxy, TcpProxy } from './hold-proxy';
import { PostgresServer } from './postgres';
import { VaultServer } from './vault-server';
import { RunResult, TEST_FRESHNESS, Workspace, oneLine } from './workspace';

const KEY = 'node-task-signer';

function environment(name: string, prePublish: boolean): EnvironmentConfig {
  return {
    name,
    controlPlaneUrl: `https://control.${name}.localhost`,
    taskSigning: prePublish ? { version: 2, activeVersion: 1 } : { version: 1 },
    bundle: { freshness: TEST_FRESHNESS, sequence: prePublish ? 2 : 1 },
    nodeDomain: `nodes.${name}.internal`,
  };
}

/** Child processes of `pid` (the provider plugins a killed engine leaves behind), from /proc. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(path.join(`/proc/${pid}/task`, task, 'children'), 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone already
  }
  return out;
}

/** SIGKILLs the engine and the provider plugins it started (which a SIGKILLed engine cannot stop itself). */
async function killEngine(pid: number, run: Promise<RunResult>): Promise<RunResult> {
  const providers = childPids(pid);
  process.kill(pid, 'SIGKILL');
  const result = await run;
  for (const p of providers) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // ended with the engine
    }
  }
  return result;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('state backend: pg locking, encryption (real engine, real PostgreSQL, real Vault-API server)', () => {
  let pg: PostgresServer;
  let bao: VaultServer;
  const workspaces: Workspace[] = [];
  const proxies: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    [pg, bao] = await Promise.all([PostgresServer.start(), VaultServer.start()]);
  });

  afterAll(async () => {
    for (const p of proxies) await p.close().catch(() => undefined);
    for (const ws of workspaces) ws.dispose();
    await Promise.all([pg?.stop(), bao?.stop()]);
  });

  /** A runner's working directory for environment `name`, with the stack synthesized against database `db`. */
  function runner(name: string, prePublish: boolean, connStr: string): Workspace {
    const ws = Workspace.create(`pt-state-${name}-`);
    ws.env = bao.env;
    ws.synth(
      (app: App) =>
        new PlatformTrustStack(app, {
          environment: environment(name, prePublish),
          backend: (stack) => new PgBackend(stack, { connStr }),
        }),
    );
    workspaces.push(ws);
    return ws;
  }

  async function latestVersion(name: string): Promise<number> {
    const res = await bao.root.read(`${name}/transit/keys/${KEY}`);
    if (res.status !== 200) throw new Error(`reading the key failed (${res.status}): ${JSON.stringify(res.body)}`);
    return res.body.data.latest_version;
  }

  /** How many times the bundle was written (KV v2 versions of bootstrap/bundle). */
  async function bundleWrites(name: string): Promise<number> {
    const res = await bao.root.read(`${name}/kv/metadata/bootstrap/bundle`);
    return res.status === 404 ? 0 : res.body.data.current_version;
  }

  /** The sessions holding an advisory lock on the environment's state row: who holds the pg backend's lock. */
  async function lockHolders(db: string): Promise<string[][]> {
    return pg.query(
      db,
      `SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.objid = (SELECT id FROM terraform_remote_state.states WHERE name = 'default')`,
    );
  }

  /** A database with the environment applied at version 1; returns its connection string. */
  async function deployed(name: string, params: Record<string, string> = {}, via?: TcpProxy): Promise<string> {
    await pg.createDatabase(name);
    const connStr = via
      ? `postgres://platform_trust@127.0.0.1:${via.port}/${name}?${new URLSearchParams({ sslmode: 'disable', ...params })}`
      : pg.connStr(name, params);
    await runner(name, false, connStr).apply();
    expect(await latestVersion(name)).toBe(1);
    expect(await bundleWrites(name)).toBe(1);
    return connStr;
  }

  const apply = (ws: Workspace, lockTimeout: string, planFile?: string) =>
    ws.run([
      'apply',
      '-input=false',
      '-no-color',
      '-auto-approve',
      `-lock-timeout=${lockTimeout}`,
      ...(planFile ? [planFile] : []),
    ]);

  test('two applies started at once without waiting: one takes the lock, the other fails on it and names it; one rotation, one bundle, an exact state', async () => {
    const connStr = await deployed('lka');
    const [a, b] = [runner('lka', true, connStr), runner('lka', true, connStr)];
    await Promise.all([a.init(), b.init()]);
    const results = await Promise.all([apply(a, '0s'), apply(b, '0s')]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 1]);
    const refused = results.find((r) => r.code === 1)!;
    const text = oneLine(refused.stderr);
    console.log(`[state-backend] the refused apply: ${text.slice(0, 600)}`);
    expect(text).toContain('Error acquiring the state lock');
    expect(text).toContain('Workspace is already locked: default');
    expect(await latestVersion('lka')).toBe(2);
    expect(await bundleWrites('lka')).toBe(2);
    await a.expectNoChanges();
    await b.expectNoChanges();
  });

  test("two applies started at once with a lock timeout: the second waits, then refreshes the first one's state and changes nothing", async () => {
    const connStr = await deployed('lkb');
    const [a, b] = [runner('lkb', true, connStr), runner('lkb', true, connStr)];
    await Promise.all([a.init(), b.init()]);
    const results = await Promise.all([apply(a, '5m'), apply(b, '5m')]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const summaries = results.map((r) => (r.stdout.match(/Apply complete! Resources: [^\n]*/) ?? [r.stdout])[0]).sort();
    expect(summaries[0]).toBe('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(summaries[1]).toMatch(/^Apply complete! Resources: [1-9]\d* added/);
    expect(await latestVersion('lkb')).toBe(2);
    expect(await bundleWrites('lkb')).toBe(2);
    await a.expectNoChanges();
  });

  test('two saved plans of the same change applied at once: the first applies, the second is refused as stale', async () => {
    const connStr = await deployed('lkc');
    const [a, b] = [runner('lkc', true, connStr), runner('lkc', true, connStr)];
    // Two pull requests' worth of review: both plans show the rotation.
    for (const ws of [a, b]) {
      const { changes } = await ws.plan();
      expect(changes.some((c) => /RotateToV2/.test(c.address))).toBe(true);
    }
    const results = await Promise.all([apply(a, '5m', 'plan.out'), apply(b, '5m', 'plan.out')]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    const refused = oneLine(results.find((r) => r.code === 1)!.stderr);
    expect(refused).toContain('Saved plan is stale');
    expect(await latestVersion('lkc')).toBe(2);
    expect(await bundleWrites('lkc')).toBe(2);
    await a.expectNoChanges();
  });

  test('a runner killed (SIGKILL) on a live host: PostgreSQL ends its session, and the lock with it, at once', async () => {
    const connStr = await deployed('lkd', { application_name: 'runner-lkd' });
    const ws = runner('lkd', true, connStr);
    await ws.init();
    let pid = 0;
    const running = ws.run(['plan', '-input=false', '-no-color', '-lock-timeout=0s'], { onSpawn: (p) => (pid = p) });
    await until('the plan to hold the lock', async () => (await lockHolders('lkd')).length > 0);
    expect((await lockHolders('lkd'))[0][1]).toBe('runner-lkd');
    expect((await killEngine(pid, running)).code).not.toBe(0);
    await until('the lock to be released', async () => (await lockHolders('lkd')).length === 0, 10000);
    const next = await ws.run(['plan', '-input=false', '-no-color', '-lock-timeout=0s', '-detailed-exitcode']);
    expect([next.code, next.stderr]).toEqual([2, '']);
  });

  test('a runner whose host vanished mid-apply (after Vault rotated, before state was saved): the lock stays, force-unlock cannot clear it, ending its session does; the re-apply adopts the rotation', async () => {
    const net = await TcpProxy.start(pg.port);
    proxies.push(net);
    const connStr = await deployed('lke', { application_name: 'runner-lke' }, net);
    // The engine is caught right after Vault rotated (the answer is held), then its host disappears.
    const vault = await HoldProxy.start({ target: bao.addr });
    proxies.push(vault);
    vault.rule = (_method, url) => (url.includes(`/transit/keys/${KEY}/rotate`) ? 'hold-response' : 'pass');
    const ws = runner('lke', true, connStr);
    ws.env = { ...bao.env, VAULT_ADDR: vault.addr };
    await ws.init();
    let pid = 0;
    const running = ws.applyRaw({ onSpawn: (p) => (pid = p) });
    await vault.nextHeld();
    expect(await latestVersion('lke')).toBe(2);
    net.partitionOnClientClose = true;
    const killed = await killEngine(pid, running);
    net.partitionOnClientClose = false;
    await vault.close();
    ws.env = bao.env;
    expect(killed.code).not.toBe(0);
    expect(await bundleWrites('lke')).toBe(1);

    // PostgreSQL never heard that the runner is gone: its session still holds the lock.
    const holders = await lockHolders('lke');
    expect(holders.map((h) => h[1])).toEqual(['runner-lke']);
    const refused = await apply(ws, '0s');
    expect(refused.code).toBe(1);
    const text = oneLine(refused.stderr);
    expect(text).toContain('Workspace is already locked: default');
    // The lock info printed is the refused run's own (its ID is new on every run): the pg backend stores no lock
    // info, so no run can learn the holder's ID, and force-unlock releases only a lock of its own session.
    const id = text.match(/ID: ([0-9a-f-]{36})/)?.[1];
    expect(id).toBeDefined();
    const forced = await ws.run(['force-unlock', '-force', id!]);
    console.log(`[state-backend] force-unlock ${id}: exit ${forced.code}: ${oneLine(forced.stdout + forced.stderr)}`);
    expect(await lockHolders('lke')).toEqual(holders);
    expect((await apply(ws, '0s')).code).toBe(1);

    // The documented procedure: find the session holding the advisory lock on the state row, end it.
    const ended = await pg.query('lke', `SELECT pg_terminate_backend(${Number(holders[0][0])})`);
    expect(ended).toEqual([['t']]);
    await until('the lock to be released', async () => (await lockHolders('lke')).length === 0, 10000);

    // The re-apply adopts the version Vault made (an empty write to the key's config), rotates nothing, and
    // publishes the bundle once.
    const replan = await ws.plan();
    const rotation = (replan.json.resource_changes as any[]).find((c) => /RotateToV2/.test(c.address));
    expect(rotation.change.after.path).toBe(`lke/transit/keys/${KEY}/config`);
    await ws.apply();
    expect(await latestVersion('lke')).toBe(2);
    expect(await bundleWrites('lke')).toBe(2);
    await ws.expectNoChanges();
  });

  test('state and plans encrypted with a Vault transit key (openbao key provider): the rows in PostgreSQL hold no plaintext of a seeded sentinel; a secret seeded write-only reaches neither state nor plan', async () => {
    // The environment's state key, in a stack of its own, applied once before the environment.
    const keys = Workspace.create('pt-state-key-');
    workspaces.push(keys);
    keys.env = bao.env;
    keys.synth((app) => new StateKeyStack(app, { environmentName: 'enc' }));
    await keys.apply();
    const key = (await bao.root.read('enc/state-transit/keys/state')).body.data;
    expect([key.type, key.exportable, key.allow_plaintext_backup, key.deletion_allowed]).toEqual([
      'aes256-gcm96',
      false,
      false,
      false,
    ]);

    await pg.createDatabase('enc');
    const stored = `sentinel-${randomBytes(12).toString('hex')}`;
    const writeOnly = `sentinel-${randomBytes(12).toString('hex')}`;
    const ws = Workspace.create('pt-state-enc-');
    workspaces.push(ws);
    // The key provider reads BAO_ADDR and BAO_TOKEN (not VAULT_*): the runner sets both to the same values.
    const runnerEnv = {
      ...bao.env,
      BAO_ADDR: bao.addr,
      BAO_TOKEN: bao.token,
      TF_VAR_stored_seed: JSON.stringify({ password: stored }),
      TF_VAR_write_only_seed: JSON.stringify({ password: writeOnly }),
    };
    ws.env = runnerEnv;
    const json = ws.synth((app) => {
      const stack = new PlatformTrustStack(app, {
        environment: environment('enc', false),
        backend: (s) => new PgBackend(s, { connStr: pg.connStr('enc') }),
        stateEncryption: StateEncryption.openBao({ key: { mountPath: 'enc/state-transit', keyName: 'state' } }),
      });
      const variable = (id: string) => new TerraformVariable(stack, id, { type: 'map(string)', sensitive: true });
      stack.secrets.seedSecret('apps/sentinel/stored', variable('stored_seed'));
      stack.secrets.seedSecret('apps/sentinel/write-only', variable('write_only_seed'), { writeOnlyVersion: 1 });
      return stack;
    });
    expect(json.terraform.encryption.key_provider.openbao.vault_transit).toEqual({
      key_name: 'state',
      transit_engine_path: '/enc/state-transit',
      key_length: 32,
    });
    await ws.apply();
    for (const [p, value] of [
      ['stored', stored],
      ['write-only', writeOnly],
    ]) {
      expect((await bao.root.read(`enc/kv/data/apps/sentinel/${p}`)).body.data.data).toEqual({ password: value });
    }

    // The state row in PostgreSQL: an encrypted envelope, no plaintext of the secret or of anything else.
    const rows = await pg.query('enc', 'SELECT name, data FROM terraform_remote_state.states');
    expect(rows.map((r) => r[0])).toEqual(['default']);
    const row = rows[0][1];
    for (const plain of [stored, writeOnly, 'vault_kv_secret_v2', KEY]) expect(row.includes(plain)).toBe(false);
    const envelope = JSON.parse(row);
    // Only the envelope's bookkeeping is readable: which key provider wrapped the data key, lineage and serial.
    expect(Object.keys(envelope).sort()).toEqual(['encrypted_data', 'encryption_version', 'lineage', 'meta', 'serial']);
    expect(Object.keys(envelope.meta)).toEqual(['key_provider.openbao.vault_transit']);
    // The plan file is encrypted as a whole.
    const planFile = fs.readFileSync(path.join(ws.dir, 'plan.out'));
    for (const plain of [stored, writeOnly, 'vault_kv_secret_v2']) expect(planFile.includes(plain)).toBe(false);

    // Decrypted (what a runner holding the key sees): the secret seeded through data_json is in state (so the
    // search above would have found it unencrypted); the write-only one is in neither state nor plan.
    const state = (await ws.run(['state', 'pull'])).stdout;
    expect(state.includes(stored)).toBe(true);
    expect(state.includes(writeOnly)).toBe(false);
    const plan = fs.readFileSync(path.join(ws.dir, 'plan.json'), 'utf8');
    expect(plan.includes(writeOnly)).toBe(false);

    // A runner whose token may not use the state key cannot read the state at all.
    const other = await bao.root.tokenWithPolicies(['default']);
    ws.env = { ...runnerEnv, BAO_TOKEN: other.token };
    const denied = await ws.run(['plan', '-input=false', '-no-color', '-lock-timeout=0s']);
    ws.env = runnerEnv;
    expect(denied.code).toBe(1);
    console.log(`[state-backend] a plan without the state key: ${oneLine(denied.stderr).slice(0, 400)}`);
    expect(oneLine(denied.stderr)).toMatch(/permission denied/);
    await ws.expectNoChanges();
  });
});
