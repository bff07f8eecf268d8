/**
 * The control plane's Vault identity over time, against a real Vault-API server and the stack applied by the real
 * engine: AppRoleSession renews its token before the TTL ends, logs in again when the max TTL caps renewal or the
 * token is revoked, with no failed sign call; rides out Vault being unreachable at renewal time (a TCP proxy in front
 * of the server is cut for a while) with the token it holds and retries with backoff until Vault answers again; and
 * fails loudly (an `error` event with a CP code per failed attempt, then a typed error from every call once the
 * token's lease has ended) when it cannot log in again.
 *
 * The stack's AppRoleConsumer accepts TTLs of a minute and more; to see several TTLs in seconds, the test shortens the
 * control-plane role's token TTLs through Vault's API after the apply (no apply follows that would put them back).
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import {
  AppRoleSession,
  AppRoleSessionOptions,
  ControlPlaneError,
  ControlPlaneErrorCode,
  TaskSigner,
  VaultHttp,
} from '../../lib/control-plane';
import { TcpProxy } from './hold-proxy';
import { VaultClient, VaultServer } from './vault-server';
import { TEST_FRESHNESS, Workspace } from './workspace';

const ENV = 'cps';
const ROLE = `${ENV}-control-plane`;
/** Token TTL and max TTL of the control-plane role during the test, in seconds. */
const TOKEN_TTL = 3;
const TOKEN_MAX_TTL = 8;

/** What a session reported, with the lease end it held right after each report. */
interface SessionLog {
  readonly events: { kind: 'login' | 'renewed'; reason?: string; at: number; leaseEnd: number }[];
  readonly errors: ControlPlaneError[];
}

function record(session: AppRoleSession): SessionLog {
  const log: SessionLog = { events: [], errors: [] };
  session.on('login', ({ reason }) =>
    log.events.push({ kind: 'login', reason, at: Date.now(), leaseEnd: session.leaseEnd.getTime() }),
  );
  session.on('renewed', () =>
    log.events.push({ kind: 'renewed', at: Date.now(), leaseEnd: session.leaseEnd.getTime() }),
  );
  session.on('error', (e) => log.errors.push(e));
  return log;
}

/** Signs one task after another (and `parallel` at a time) until `until` resolves; counts results. */
async function signUntil(signer: TaskSigner, until: Promise<unknown>, parallel = 4) {
  const tally = { signed: 0, failed: 0, errors: [] as string[] };
  let done = false;
  void until.then(() => (done = true));
  const worker = async (w: number) => {
    for (let i = 0; !done; i++) {
      try {
        const s = await signer.sign(`task ${w}/${i}`);
        expect(s.signature).toMatch(/^vault:v1:/);
        tally.signed++;
      } catch (e) {
        tally.failed++;
        tally.errors.push((e as Error).message);
      }
      await sleep(40);
    }
  };
  await Promise.all(Array.from({ length: parallel }, (_, w) => worker(w)));
  return tally;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects when `promise` has not settled within `ms` (a hang is a failure, not a slow pass). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('control plane: AppRole session renewal and re-login (real engine, real server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let outputs: Record<string, any>;
  let mount: string;
  /** Wrapping tokens handed out so far (each holds one secret id). */
  const wrapped: string[] = [];
  const open: { session: AppRoleSession; signer?: TaskSigner; vault: VaultHttp; proxy?: TcpProxy }[] = [];

  /** As the deploy tooling does: a secret id of the control-plane role, response-wrapped. */
  async function wrapSecretId(): Promise<string> {
    const res = await fetch(`${bao.addr}/v1/auth/${mount}/role/${ROLE}/secret-id`, {
      method: 'POST',
      headers: { 'X-Vault-Token': bao.token, 'X-Vault-Wrap-TTL': '60s' },
    });
    const body: any = await res.json();
    if (!body?.wrap_info?.token) throw new Error(`no wrapped secret id (${res.status})`);
    wrapped.push(body.wrap_info.token);
    return body.wrap_info.token;
  }

  /** Logs in a session with `supplier` (through `proxy` when given) and starts a signer on it. */
  async function start(
    supplier: () => Promise<string>,
    options: Pick<AppRoleSessionOptions, 'renewAt' | 'retryBackoff'> & { proxy?: TcpProxy } = {},
  ) {
    const { proxy, ...sessionOptions } = options;
    const vault = new VaultHttp({ address: proxy ? `http://127.0.0.1:${proxy.port}` : bao.addr });
    const session = await AppRoleSession.login({
      vault,
      mount,
      roleId: outputs.control_plane_role_id,
      wrappedSecretId: supplier,
      ...sessionOptions,
    });
    const entry: (typeof open)[number] = { session, vault, proxy };
    open.push(entry);
    const log = record(session);
    entry.signer = await TaskSigner.start({ session, metadataPath: outputs.signing_metadata_path });
    return { session, signer: entry.signer, log };
  }

  /** The accessor of the session's current token (through the session: the test never sees the token). */
  async function accessorOf(session: AppRoleSession): Promise<string> {
    const res = await session.request('GET', 'auth/token/lookup-self');
    expect(res.status).toBe(200);
    return res.body!.data!.accessor as string;
  }

  /** Destroys every secret id of the control-plane role, as an incident response does. */
  async function destroySecretIds(root: VaultClient): Promise<number> {
    const list = await root.list(`auth/${mount}/role/${ROLE}/secret-id`);
    const accessors: string[] = list.status === 200 ? list.body.data.keys : [];
    for (const accessor of accessors) {
      const res = await root.write(`auth/${mount}/role/${ROLE}/secret-id-accessor/destroy`, {
        secret_id_accessor: accessor,
      });
      expect(res.status).toBe(204);
    }
    return accessors.length;
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create('pt-cps-');
    ws.env = bao.env;
    const environment: EnvironmentConfig = {
      name: ENV,
      controlPlaneUrl: `https://control.${ENV}.localhost`,
      nodeDomain: `nodes.${ENV}.internal`,
      taskSigning: { version: 1 },
      bundle: { freshness: TEST_FRESHNESS, sequence: 1 },
    };
    ws.synth((app: App) => new PlatformTrustStack(app, { environment }));
    await ws.apply();
    outputs = await ws.outputs();
    mount = outputs.control_plane_approle_mount;
    const tune = await bao.root.write(`auth/${mount}/role/${ROLE}`, {
      token_ttl: `${TOKEN_TTL}s`,
      token_max_ttl: `${TOKEN_MAX_TTL}s`,
    });
    expect(tune.status).toBe(204);
    const role = await bao.root.read(`auth/${mount}/role/${ROLE}`);
    expect(role.body.data).toMatchObject({ token_ttl: TOKEN_TTL, token_max_ttl: TOKEN_MAX_TTL });
  });

  /** Each case closes its sessions: none renews or logs in behind the next case. */
  afterEach(async () => {
    for (const { session, signer, vault, proxy } of open.splice(0)) {
      signer?.close();
      await session.close();
      vault.close();
      await proxy?.close();
    }
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test(`renews the token before each ${TOKEN_TTL} s TTL ends and logs in again at the ${TOKEN_MAX_TTL} s max TTL; signing never fails across several TTLs`, async () => {
    const { session, signer, log } = await start(wrapSecretId);
    const begin = Date.now();
    let leaseEnd = session.leaseEnd.getTime();
    const tally = await signUntil(signer, sleep(2.5 * TOKEN_MAX_TTL * 1000));
    const span = Date.now() - begin;
    console.log(
      `session over ${(span / 1000).toFixed(1)} s with token TTL ${TOKEN_TTL} s, max TTL ${TOKEN_MAX_TTL} s: ` +
        `${log.events.filter((e) => e.kind === 'renewed').length} renewals, ` +
        `logins ${JSON.stringify(log.events.filter((e) => e.kind === 'login').map((e) => e.reason))}, ` +
        `${tally.signed} signed, ${tally.failed} failed`,
    );
    expect(tally).toEqual({ signed: expect.any(Number), failed: 0, errors: [] });
    expect(tally.signed).toBeGreaterThan(50);
    expect(log.errors).toEqual([]);
    // Renewed within every TTL, and capped by the max TTL at least twice: each cap ends in a new login.
    const renewals = log.events.filter((e) => e.kind === 'renewed').length;
    const relogins = log.events.filter((e) => e.kind === 'login').map((e) => e.reason);
    expect(renewals).toBeGreaterThanOrEqual(Math.floor(span / (TOKEN_TTL * 1000)));
    expect(relogins.length).toBeGreaterThanOrEqual(2);
    // Only planned logins: none because a token had run out or was refused.
    expect(new Set(relogins)).toEqual(new Set(['max-ttl']));
    // Each renewal and login came before the lease it replaced had ended.
    const late = log.events.filter((e) => {
      const ended = e.at >= leaseEnd;
      leaseEnd = e.leaseEnd;
      return ended;
    });
    expect(late).toEqual([]);
    // The token in use is valid at Vault now.
    const self = await session.request('GET', 'auth/token/lookup-self');
    expect(self.status).toBe(200);
    expect(self.body!.data!.ttl).toBeGreaterThan(0);
  }, 60000);

  test('a revoked token: the session logs in again and every sign call, including those in flight, succeeds', async () => {
    const { session, signer, log } = await start(wrapSecretId);
    const before = await accessorOf(session);
    const revoked = await bao.root.write('auth/token/revoke-accessor', { accessor: before });
    expect(revoked.status).toBe(204);
    // Many calls meet the revoked token at once: one login serves them all.
    const burst = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => signer.sign(`after revoke ${i}`)));
    expect(burst.filter((r) => r.status === 'rejected')).toEqual([]);
    const tally = await signUntil(signer, sleep(1500));
    expect(tally).toEqual({ signed: expect.any(Number), failed: 0, errors: [] });
    const logins = log.events.filter((e) => e.kind === 'login').map((e) => e.reason);
    expect(logins).toHaveLength(1);
    expect(['token-refused', 'renew-failed']).toContain(logins[0]);
    expect(await accessorOf(session)).not.toBe(before);
    expect(log.errors).toEqual([]);
  });

  test('a refused secret id (destroyed) and a revoked token: the session unwraps a fresh wrapped secret id and goes on', async () => {
    let supplied = 0;
    const { session, signer, log } = await start(() => (supplied++, wrapSecretId()));
    expect(supplied).toBe(1);
    expect(await destroySecretIds(bao.root)).toBeGreaterThan(0);
    await bao.root.write('auth/token/revoke-accessor', { accessor: await accessorOf(session) });
    await expect(signer.sign('after the secret id was destroyed')).resolves.toMatchObject({ version: 1 });
    expect(supplied).toBe(2);
    expect(log.events.filter((e) => e.kind === 'login')).toHaveLength(1);
    expect(log.errors).toEqual([]);
  });

  test('Vault unreachable at renewal time (a TCP proxy in front of it cut for 1.5 s): an error event per failed attempt with backoff, the held token signs as soon as Vault answers again, and a retry logs in again before the lease ends, without a restart', async () => {
    const proxy = await TcpProxy.start(Number(new URL(bao.addr).port));
    const backoff = { initialMs: 500, maxMs: 2000 };
    // Renewal at 0.3 of the 3 s lease (0.9 s); the outage covers it and ends 1 s before the lease does.
    const { session, signer, log } = await start(wrapSecretId, { proxy, renewAt: 0.3, retryBackoff: backoff });
    const errorsAt: number[] = [];
    session.on('error', () => errorsAt.push(Date.now()));
    const leaseEnd = session.leaseEnd.getTime();
    const loggedIn = leaseEnd - TOKEN_TTL * 1000;
    const calls: { start: number; end: number; error?: unknown }[] = [];
    let done = false;
    const worker = async (w: number) => {
      for (let i = 0; !done; i++) {
        const call: (typeof calls)[number] = { start: Date.now(), end: 0 };
        await signer.sign(`outage ${w}/${i}`).then(
          (s) => expect(s.signature).toMatch(/^vault:v1:/),
          (e: unknown) => (call.error = e),
        );
        call.end = Date.now();
        calls.push(call);
        await sleep(40);
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(worker));
    await sleep(loggedIn + 500 - Date.now());
    const down = Date.now();
    proxy.interrupt();
    await sleep(leaseEnd - 1000 - Date.now());
    proxy.resume();
    const up = Date.now();
    const recovered = await within(
      new Promise<number>((resolve) => session.once('login', () => resolve(Date.now()))),
      TOKEN_TTL * 1000,
      'the login after the outage',
    );
    await sleep(1500);
    done = true;
    await workers;

    const before = calls.filter((c) => c.end < down);
    const during = calls.filter((c) => c.start >= down && c.end <= up);
    const heldToken = calls.filter((c) => c.start >= up && c.end <= recovered);
    const after = calls.filter((c) => c.start >= up);
    const failed = calls.filter((c) => c.error !== undefined);
    const gaps = errorsAt.slice(1).map((t, i) => t - errorsAt[i]);
    console.log(
      `outage ${up - down} ms (${down - loggedIn}-${up - loggedIn} ms after login, lease ${TOKEN_TTL} s, renewal at ` +
        `${Math.round(0.3 * TOKEN_TTL * 1000)} ms): ${log.errors.length} error events ${JSON.stringify(log.errors.map((e) => e.code))} ` +
        `at ${JSON.stringify(errorsAt.map((t) => t - loggedIn))} ms; recovered by login at ${recovered - loggedIn} ms ` +
        `(${recovered - up} ms after Vault answered again); signatures: ${before.length} ok before, ` +
        `${during.filter((c) => !c.error).length} ok / ${during.filter((c) => c.error).length} failed during, ` +
        `${heldToken.filter((c) => !c.error).length} ok with the held token between the outage and the login, ` +
        `${after.filter((c) => !c.error).length} ok / ${after.filter((c) => c.error).length} failed after`,
    );
    // Loud: one CP001 error event per failed renewal/login attempt, spaced by the backoff (doubling, capped).
    expect(log.errors.length).toBeGreaterThanOrEqual(2);
    expect(log.errors.every((e) => e instanceof ControlPlaneError)).toBe(true);
    expect(new Set(log.errors.map((e) => e.code))).toEqual(new Set([ControlPlaneErrorCode.VAULT_UNAVAILABLE]));
    expect(errorsAt[0]).toBeGreaterThanOrEqual(loggedIn + 0.3 * TOKEN_TTL * 1000);
    expect(errorsAt[errorsAt.length - 1]).toBeLessThanOrEqual(up);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(Math.min(backoff.maxMs, backoff.initialMs * 2 ** i) - 50);
      expect(gap).toBeLessThanOrEqual(backoff.maxMs + 500);
    });
    // Recovered by itself: a retry logged in again once Vault answered, before the held token's lease had ended.
    expect(log.events.filter((e) => e.kind === 'login').map((e) => e.reason)).toEqual(['renew-failed']);
    expect(recovered).toBeGreaterThan(up);
    expect(recovered).toBeLessThan(leaseEnd);
    expect(session.leaseEnd.getTime()).toBeGreaterThan(leaseEnd);
    // Signing: no failure before the outage or after it; in between, the held token signed as soon as Vault
    // answered, before the new login; during it, calls failed only as the proxy made them fail (the sign request
    // itself unanswered: CP001 naming the sign path, not a stored login error).
    expect(before.length).toBeGreaterThan(0);
    expect(heldToken.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(heldToken.length);
    expect(after.filter((c) => c.error)).toEqual([]);
    expect(failed.length).toBeGreaterThan(0);
    for (const call of failed) {
      expect(call.start).toBeGreaterThanOrEqual(down - 200);
      expect(call.start).toBeLessThanOrEqual(up);
      expect(call.error).toBeInstanceOf(ControlPlaneError);
      expect((call.error as ControlPlaneError).code).toBe(ControlPlaneErrorCode.VAULT_UNAVAILABLE);
      expect((call.error as Error).message).toMatch(/^\[CP001\] Vault did not answer POST \S+\/sign\//);
    }
    // The token in use is valid at Vault.
    const self = await session.request('GET', 'auth/token/lookup-self');
    expect(self.status).toBe(200);
  }, 30000);

  test('unrecoverable: the secret id is destroyed and the wrapped one handed over again was already used: the max-TTL login fails loudly (CP002 event per attempt; the held token signs until its lease ends, then CP002 from every call), never a hang', async () => {
    let first: string | undefined;
    // The deploy tooling hands over the same wrapping token again: Vault refuses to unwrap it a second time.
    const { session, signer, log } = await start(async () => (first ??= await wrapSecretId()));
    await destroySecretIds(bao.root);
    const started = Date.now();
    // No call needed: the session's own login at the max TTL fails and says so.
    await within(
      new Promise<void>((resolve) => session.once('error', () => resolve())),
      (TOKEN_MAX_TTL + 3) * 1000,
      'the error event',
    );
    // The login is due before the max TTL (about 7.3 s on a quiet machine); one second of slack for a loaded one.
    expect(Date.now() - started).toBeLessThanOrEqual(TOKEN_MAX_TTL * 1000 + 1000);
    expect(log.errors.map((e) => e.code)).toEqual([ControlPlaneErrorCode.UNWRAP_FAILED]);
    expect(log.errors[0]).toBeInstanceOf(ControlPlaneError);
    expect(log.errors[0].message).toMatch(/^\[CP002\] the response-wrapped secret id could not be unwrapped/);
    // The token held is still valid until its lease ends: calls go on with it.
    const leaseEnd = session.leaseEnd.getTime();
    expect(leaseEnd).toBeGreaterThan(Date.now());
    await expect(within(signer.sign('within the lease, after the failed login'), 5000, 'sign')).resolves.toMatchObject({
      version: 1,
    });
    expect(Date.now()).toBeLessThan(leaseEnd);
    // Once it has ended, every call fails with the stored error, at once, until a login succeeds.
    await sleep(leaseEnd - Date.now() + 100);
    for (const wait of [0, TOKEN_TTL * 1000]) {
      await sleep(wait);
      const t = Date.now();
      const error = await within(signer.sign('after the failed login'), 5000, 'sign').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ControlPlaneError);
      expect((error as ControlPlaneError).code).toBe(ControlPlaneErrorCode.UNWRAP_FAILED);
      expect(Date.now() - t).toBeLessThan(2000);
    }
    // Loud throughout: every retry (and every call's login after the lease) failed with CP002 and said so.
    expect(log.errors.length).toBeGreaterThanOrEqual(2);
    expect(new Set(log.errors.map((e) => e.code))).toEqual(new Set([ControlPlaneErrorCode.UNWRAP_FAILED]));
  }, 30000);
});
