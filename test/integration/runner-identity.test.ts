/**
 * The CI runner's own identity against a real Vault-API server with the real engine. The root token enables the
 * audit device and applies the identity stack (JWT auth method, the dev stack's plan and apply roles with policies
 * derived from it) once, as an operator does, and is then revoked. From there on only JWTs that the test mints with
 * its own RSA key (the public key given to the auth method; RS256, as GitHub Actions signs) reach Vault:
 * - the plan role, logged in with a pull request's claims, plans every lifecycle step of the dev stack (initial
 *   state, task key pre-publish, activation after the rollout window, retirement, the three CA rotation phases) and is
 *   refused every write it might try (403); the audit log shows no write by it;
 * - the apply role, logged in with the main branch's claims in the deployment environment, applies every step;
 * - tokens with a pull request's claims, a pull_request_target event, another repository, a wrong audience or
 *   issuer, an expired lifetime or another key's signature are refused the roles they ask for.
 */
import { createSign, generateKeyPairSync, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { GITHUB_ACTIONS_ISSUER, RunnerAccess } from '../../lib/ci';
import { RootRotationPhase } from '../../lib/pki';
import { CiIdentityStack } from '../../stacks/ci-identity-stack';
import { dev } from '../../stacks/environments';
import { VaultClient, VaultServer } from './vault-server';
import { TEST_FRESHNESS, Workspace, dayFromToday, rolloutWait } from './workspace';

const REPO = 'platform-org/platform-trust';
const AUDIENCE = 'https://vault.ci.localhost';
const ROOT_1 = { issuerName: 'dev-control-plane-root' };
const ROOT_2 = { issuerName: 'dev-control-plane-root-2' };
const OVERLAP_UNTIL = dayFromToday(10);

const base: EnvironmentConfig = {
  ...dev,
  bundle: { sequence: 1, freshness: TEST_FRESHNESS },
  controlPlaneTrust: { platformCa: { root: ROOT_1 } },
  // The roles' tokens are short-lived and bound to one job: the provider uses them as they are.
  vault: { skipChildToken: true },
};
const ca = (phase: RootRotationPhase, asOf?: string): EnvironmentConfig['controlPlaneTrust'] => ({
  platformCa: { root: ROOT_1, rotation: { next: ROOT_2, overlapUntil: OVERLAP_UNTIL, phase }, asOf },
});
const retired = { taskSigning: { version: 2 } };

/** The lifecycle of the dev stack, in order: each step is one reviewed change. */
const STEPS: Array<{ label: string; config: EnvironmentConfig; waitRollout?: boolean }> = [
  { label: 'initial', config: base },
  { label: 'task key pre-publish v2', config: { ...base, taskSigning: { version: 2, activeVersion: 1 } } },
  {
    label: 'task key activate v2',
    config: { ...base, taskSigning: { version: 2, grace: [{ version: 1, until: dayFromToday(10) }] } },
    waitRollout: true,
  },
  { label: 'task key retire v1', config: { ...base, ...retired } },
  { label: 'CA publish next', config: { ...base, ...retired, controlPlaneTrust: ca(RootRotationPhase.PUBLISH_NEXT) } },
  {
    label: 'CA switch',
    config: { ...base, ...retired, controlPlaneTrust: ca(RootRotationPhase.SWITCH) },
    waitRollout: true,
  },
  {
    label: 'CA drop previous',
    config: { ...base, ...retired, controlPlaneTrust: ca(RootRotationPhase.DROP_PREVIOUS, dayFromToday(11)) },
  },
].map((s, i) => ({ ...s, config: { ...s.config, bundle: { ...s.config.bundle, sequence: i + 1 } } }));

// --- JWTs, minted here as the CI system would ------------------------------------------------------------------

const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');

function mint(key: KeyObject, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'ci-test' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key);
  return `${header}.${body}.${b64url(signature)}`;
}

/** GitHub Actions' claims for a workflow run of REPO. */
function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const c: Record<string, unknown> = {
    iss: GITHUB_ACTIONS_ISSUER,
    aud: AUDIENCE,
    repository: REPO,
    repository_owner: 'platform-org',
    ref: 'refs/heads/main',
    event_name: 'push',
    environment: 'dev',
    sub: `repo:${REPO}:environment:dev`,
    iat: now,
    nbf: now - 5,
    exp: now + 300,
    ...over,
  };
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k];
  return c;
}

const PULL_REQUEST = {
  ref: 'refs/pull/7/merge',
  event_name: 'pull_request',
  environment: undefined,
  sub: `repo:${REPO}:pull_request`,
};

describe('the CI runner identity: plan and apply roles from JWTs (real engine, real Vault-API server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let identityWs: Workspace;
  let ciKey: KeyObject;
  let auditFile: string;
  let planReader: VaultClient;
  const t0 = Date.now();
  const timings: Record<string, number> = {};

  async function login(role: string, jwt: string) {
    return bao.root.as('').write('auth/ci-jwt/login', { role, jwt });
  }

  async function token(role: string, over: Record<string, unknown>): Promise<VaultClient> {
    const res = await login(role, mint(ciKey, claims(over)));
    if (res.status !== 200) throw new Error(`login to ${role} failed (${res.status}): ${JSON.stringify(res.body)}`);
    return bao.root.as(res.body.auth.client_token);
  }

  function useToken(client: VaultClient): void {
    ws.env = { VAULT_ADDR: bao.addr, VAULT_TOKEN: client.token };
  }

  function devStack(config: EnvironmentConfig) {
    return (app: App) => new PlatformTrustStack(app, { environment: config });
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create('pt-ci-dev-');
    identityWs = Workspace.create('pt-ci-identity-');
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    ciKey = pair.privateKey;
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

    // Operator, once: an audit device, then the identity stack with the administrator's (here: root) token.
    auditFile = path.join(bao.auditDir, 'audit.log');
    const audit = await bao.root.write('sys/audit/file', { type: 'file', options: { file_path: auditFile } });
    expect(audit.status).toBe(204);
    identityWs.env = bao.env;
    identityWs.synth((app: App): TerraformStack => {
      const env = new PlatformTrustStack(app, { environment: STEPS[0].config });
      return new CiIdentityStack(app, {
        identity: { audience: AUDIENCE, repository: REPO, validationPublicKeys: [publicPem] },
        environments: [env],
      });
    });
    await identityWs.apply();
    await identityWs.expectNoChanges();
    // The root token is not used again: revoke it.
    expect((await bao.root.write('auth/token/revoke-self')).status).toBe(204);
    expect((await bao.root.read('auth/token/lookup-self')).status).toBe(403);
    timings.bootstrap = Date.now() - t0;
  });

  afterAll(async () => {
    ws?.dispose();
    identityWs?.dispose();
    await bao?.stop();
    console.log(`runner-identity timings (ms): ${JSON.stringify({ ...timings, total: Date.now() - t0 })}`);
  });

  test('1. the derived policies are the same at every lifecycle step: the operator applies the identity once', () => {
    const derive = (config: EnvironmentConfig) => {
      const access = RunnerAccess.of(new PlatformTrustStack(new App(), { environment: config }));
      return { plan: access.planRules, apply: access.applyRules, sudo: access.applySudoPaths };
    };
    const first = derive(STEPS[0].config);
    for (const step of STEPS.slice(1)) expect([step.label, derive(step.config)]).toEqual([step.label, first]);
    // The plan policy reads only; the apply policy holds the one sign right, pinned; sudo only to enable AppRole.
    const caps = new Set(first.plan.flatMap((r) => r.capabilities));
    expect([...caps]).toEqual(['read']);
    expect(first.apply.filter((r) => r.path.includes('/sign/')).map((r) => [r.path, r.allowedParameters])).toEqual([
      ['dev/transit/sign/bundle-signer', { input: [], key_version: ['1'] }],
    ]);
    expect(first.sudo).toEqual(['sys/auth/dev-approle']);
  });

  test('2. tokens: the roles bind the claims, the audience, the issuer, the lifetime and the key', async () => {
    const attempts: Array<[string, string, string]> = [
      ['pull request asks for apply', 'dev-apply', mint(ciKey, claims(PULL_REQUEST))],
      [
        'pull_request_target on main asks for apply',
        'dev-apply',
        mint(ciKey, claims({ event_name: 'pull_request_target' })),
      ],
      ['main without the deployment environment', 'dev-apply', mint(ciKey, claims({ environment: undefined }))],
      ['another branch in the environment', 'dev-apply', mint(ciKey, claims({ ref: 'refs/heads/feature' }))],
      ['another repository, plan', 'dev-plan', mint(ciKey, claims({ ...PULL_REQUEST, repository: 'fork/x' }))],
      ['wrong audience', 'dev-plan', mint(ciKey, claims({ ...PULL_REQUEST, aud: 'https://elsewhere' }))],
      ['wrong issuer', 'dev-plan', mint(ciKey, claims({ ...PULL_REQUEST, iss: 'https://issuer.example' }))],
      [
        'expired',
        'dev-plan',
        mint(ciKey, claims({ ...PULL_REQUEST, iat: 1_000, nbf: 1_000, exp: Math.floor(Date.now() / 1000) - 600 })),
      ],
      [
        'signed by another key',
        'dev-plan',
        mint(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, claims(PULL_REQUEST)),
      ],
    ];
    const results: Array<[string, number, boolean]> = [];
    for (const [name, role, jwt] of attempts) {
      const res = await login(role, jwt);
      results.push([name, res.status, res.body?.auth?.client_token !== undefined]);
    }
    expect(results.map(([name, status, got]) => [name, status >= 400 && status < 500, got])).toEqual(
      attempts.map(([name]) => [name, true, false]),
    );

    // A pull request gets the plan role: only its policy, no default policy, 15 minutes.
    const plan = await login('dev-plan', mint(ciKey, claims(PULL_REQUEST)));
    expect(plan.status).toBe(200);
    expect([plan.body.auth.policies, plan.body.auth.lease_duration]).toEqual([['dev-ci-plan'], 900]);
    // The main branch in the deployment environment gets the apply role and its sudo policy.
    const apply = await login('dev-apply', mint(ciKey, claims()));
    expect(apply.status).toBe(200);
    expect([apply.body.auth.policies.sort(), apply.body.auth.lease_duration]).toEqual([
      ['dev-ci-apply', 'dev-ci-apply-sudo'],
      1800,
    ]);
  });

  test('3. every lifecycle step: the plan role plans it, the apply role applies it, the plan role sees no change after', async () => {
    const seen: Record<string, string[]> = {};
    for (const step of STEPS) {
      const started = Date.now();
      if (step.waitRollout) await rolloutWait();
      ws.synth(devStack(step.config));
      // The pull request: a plan with the plan role's token.
      useToken(await token('dev-plan', PULL_REQUEST));
      const planned = await ws.plan();
      expect([step.label, planned.changes.length > 0]).toEqual([step.label, true]);
      // The merge to main: plan and apply with the apply role's token.
      useToken(await token('dev-apply', {}));
      const applied = await ws.apply();
      seen[step.label] = applied.map((c) => `${c.actions.join(',')} ${c.address.replace(/_[0-9A-F]{8}$/, '')}`);
      // The next pull request finds nothing to change.
      planReader = await token('dev-plan', PULL_REQUEST);
      useToken(planReader);
      await ws.expectNoChanges();
      timings[step.label] = Date.now() - started;
    }
    expect(seen['task key pre-publish v2']).toContain('create vault_generic_endpoint.TaskSigningKey_RotateToV2');
    expect(seen['CA publish next']).toContain(
      'create vault_pki_secret_backend_root_cert.ControlPlaneTrust_Root-dev-control-plane-root-2',
    );
    // Vault's facts, read with the plan role (the root token is gone).
    const key = (await planReader.read('dev/transit/keys/node-task-signer')).body.data;
    expect([key.latest_version, key.min_decryption_version, key.min_encryption_version]).toEqual([2, 2, 2]);
    const issuers = (await planReader.read('dev/pki-control-plane/config/issuers')).body.data;
    const current = (await planReader.read(`dev/pki-control-plane/issuer/${issuers.default}`)).body.data;
    expect(current.issuer_name).toBe('dev-control-plane-root-2');
  });

  test('4. the plan role is refused every write it might try, and every secret the stack does not publish', async () => {
    const plan = await token('dev-plan', PULL_REQUEST);
    const input = Buffer.from('x').toString('base64');
    const attempts: Array<[string, () => Promise<{ status: number }>]> = [
      ['rotate the task key', () => plan.write('dev/transit/keys/node-task-signer/rotate')],
      ['move the floors', () => plan.write('dev/transit/keys/node-task-signer/config', { min_decryption_version: 1 })],
      ['create a key', () => plan.write('dev/transit/keys/other', { type: 'ed25519' })],
      ['sign with the bundle key', () => plan.write('dev/transit/sign/bundle-signer', { input, key_version: '1' })],
      ['sign with the task key', () => plan.write('dev/transit/sign/node-task-signer', { input, key_version: '2' })],
      ['export the task key', () => plan.read('dev/transit/export/signing-key/node-task-signer')],
      ['publish a bundle', () => plan.write('dev/kv/data/bootstrap/bundle', { data: { envelope: 'forged' } })],
      [
        'write a publication record',
        () => plan.write('dev/kv/data/bootstrap/bundle-published/node-task-signer/v3', { data: { version: '3' } }),
      ],
      ['write bundle metadata', () => plan.write('dev/kv/metadata/bootstrap/bundle', { max_versions: 1 })],
      ['read a secret', () => plan.read('dev/kv/data/apps/control-plane/db')],
      ['list secrets', () => plan.list('dev/kv/metadata/apps')],
      ['write the control-plane policy', () => plan.write('sys/policies/acl/dev-control-plane', { policy: '' })],
      ['write its own policy', () => plan.write('sys/policies/acl/dev-ci-plan', { policy: 'path "*" {}' })],
      ['change its role', () => plan.write('auth/ci-jwt/role/dev-plan', { token_policies: ['dev-ci-apply'] })],
      ['create a child token', () => plan.write('auth/token/create', { ttl: '1h' })],
      ['mint a control-plane secret id', () => plan.write('auth/dev-approle/role/dev-control-plane/secret-id')],
      ['mount an engine', () => plan.write('sys/mounts/dev/other', { type: 'kv' })],
      ['enable an auth method', () => plan.write('sys/auth/other', { type: 'userpass' })],
      [
        'generate a root',
        () => plan.write('dev/pki-control-plane/issuers/generate/root/internal', { common_name: 'evil' }),
      ],
      [
        'issue a server cert',
        () => plan.write('dev/pki-control-plane/issue/control-plane-https', { common_name: 'x' }),
      ],
      ['write its cubbyhole', () => plan.write('cubbyhole/x', { a: 'b' })],
      [
        'delete a revocation record',
        () => plan.request('DELETE', 'dev/kv/data/bootstrap/bundle-published/revoked/task-key/v1'),
      ],
    ];
    const results: Array<[string, number]> = [];
    for (const [name, attempt] of attempts) results.push([name, (await attempt()).status]);
    expect(results).toEqual(attempts.map(([name]) => [name, 403]));
  });

  test('4b. the apply role deletes nothing but revocation records (dropped after their retention): not the bundle, not a publication record', async () => {
    const apply = await token('dev-apply', {});
    const del = async (p: string) => (await apply.request('DELETE', p)).status;
    expect(await del('dev/kv/data/bootstrap/bundle-published/revoked/task-key/v9')).toBe(204);
    expect(await del('dev/kv/data/bootstrap/bundle')).toBe(403);
    expect(await del('dev/kv/metadata/bootstrap/bundle')).toBe(403);
    expect(await del('dev/kv/data/bootstrap/bundle-published/node-task-signer/v1')).toBe(403);
    expect(await del('dev/kv/metadata/bootstrap/bundle-published/revoked/task-key/v9')).toBe(403);
  });

  test('5. the audit log: the plan role read, and never wrote; the apply role wrote', () => {
    const entries = fs
      .readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'response');
    // Requests made with a role's token. A login's response carries the token it issues: the login is the CI
    // system's token exchange, not a request of the role.
    const by = (policy: string) =>
      entries.filter((e) => (e.auth?.token_policies ?? []).includes(policy) && e.request.path !== 'auth/ci-jwt/login');
    const writes = (list: any[]) =>
      list.filter((e) => ['create', 'update', 'delete'].includes(e.request.operation) && !e.error);
    const planned = by('dev-ci-plan');
    const applied = by('dev-ci-apply');
    // Meaningful: the plan role made many reads, and the apply role's writes are in the same log.
    expect(planned.filter((e) => e.request.operation === 'read' && !e.error).length).toBeGreaterThan(50);
    expect(writes(applied).length).toBeGreaterThan(20);
    expect(writes(planned).map((e) => `${e.request.operation} ${e.request.path}`)).toEqual([]);
    // Its refused attempts (test 4) are there, each with an error.
    expect(planned.filter((e) => e.request.path === 'dev/transit/sign/bundle-signer').map((e) => e.error)).toEqual([
      expect.stringContaining('permission denied'),
    ]);
    // And the apply role never read a secret outside the stack's own paths.
    expect(applied.filter((e) => /\/data\/apps\//.test(e.request.path))).toEqual([]);
  });
});
