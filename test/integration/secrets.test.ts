/**
 * Platform secrets baseline against a real Vault-API server with the real engine: the KV v2 mount, an
 * API-created file audit device, AppRole consumers with grants per layout category, and one secret
 * seeded from a sensitive variable. Every consumer logs in with AppRole and runs the whole
 * operation x category matrix; `sys/capabilities-self` is compared with each consumer's rendered
 * policy; the audit log holds the requests with tokens, accessors and secret values HMAC'd.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { acceptVaultProvider5x } from '../../lib/core';
import { PolicyRule } from '../../lib/core/policy-document';
import { AppRoleConsumer, AuditDeviceType, PlatformSecrets, SecretPath } from '../../lib/secrets';
import { VaultServer, VaultClient, VaultResponse } from './vault-server';
import { Workspace } from './workspace';

const MOUNT = 'it/kv';
const AUDIT_NAME = 'file';
const SEED_VARIABLE = 'billing_seed';
const SEED_PATH = 'apps/billing/seeded';
/** A marker in every plaintext secret value of this run: it must never show up in the audit log. */
const MARKER = `plain-${randomBytes(8).toString('hex')}`;
const SEED_VALUE = { api_key: `${MARKER}-seeded-api-key`, region: 'eu-1' };

type Op = 'read' | 'write' | 'list' | 'delete' | 'undelete' | 'destroy' | 'metadata';
const OPS: readonly Op[] = ['read', 'write', 'list', 'delete', 'undelete', 'destroy', 'metadata'];

interface Target {
  /** Row label: the category, plus what makes the row special. */
  readonly label: string;
  /** One secret of the category (seeded as root before every cell). */
  readonly secret: string;
  /** The folder holding it (what LIST takes). */
  readonly folder: string;
}

const TARGETS: readonly Target[] = [
  { label: 'registry', secret: SecretPath.registry('harbor-robot'), folder: 'registry/' },
  { label: 'signing', secret: SecretPath.signing('node-task-signer'), folder: 'signing/' },
  { label: 'apps', secret: SecretPath.app('billing', 'db'), folder: SecretPath.appFolder('billing') },
  { label: 'apps (other app)', secret: SecretPath.app('payments', 'db'), folder: SecretPath.appFolder('payments') },
  {
    label: 'apps (sibling prefix)',
    secret: SecretPath.app('billing-old', 'db'),
    folder: SecretPath.appFolder('billing-old'),
  },
  { label: 'operators', secret: SecretPath.operator('alice', 'ssh'), folder: SecretPath.operatorFolder('alice') },
  { label: 'operators (other)', secret: SecretPath.operator('bob', 'ssh'), folder: SecretPath.operatorFolder('bob') },
  { label: 'bootstrap', secret: 'bootstrap/bundle', folder: 'bootstrap/' },
];

/** The consumers of the matrix, their grants, and what those grants mean: target label -> allowed operations. */
interface ConsumerSpec {
  readonly role: string;
  readonly grant: (secrets: PlatformSecrets, consumer: AppRoleConsumer) => void;
  readonly allowed: Readonly<Record<string, readonly Op[]>>;
}

const CONSUMERS: readonly ConsumerSpec[] = [
  {
    role: 'registry-puller',
    grant: (s, c) => s.grantRead(c, SecretPath.registry('harbor-robot')),
    allowed: { registry: ['read'] },
  },
  {
    role: 'billing',
    grant: (s, c) => {
      s.grantRead(c, SecretPath.appFolder('billing'), { subtree: true });
      s.grantWrite(c, SecretPath.appFolder('billing'), { subtree: true });
      s.grantList(c, SecretPath.appFolder('billing'));
    },
    allowed: { apps: ['read', 'write', 'list'] },
  },
  {
    role: 'ops-admin',
    grant: (s, c) => {
      const ssh = SecretPath.operator('alice', 'ssh');
      s.grantRead(c, ssh);
      s.grantDelete(c, ssh);
      s.grantUndelete(c, ssh);
      s.grantDestroy(c, ssh);
      s.grantReadMetadata(c, ssh);
    },
    allowed: { operators: ['read', 'delete', 'undelete', 'destroy', 'metadata'] },
  },
  {
    role: 'signing-reader',
    grant: (s, c) => s.grantRead(c, SecretPath.signing('node-task-signer')),
    allowed: { signing: ['read'] },
  },
];

interface Built {
  secrets: PlatformSecrets;
  consumers: Record<string, AppRoleConsumer>;
}

function build(auditFile: string, into: Built) {
  return (app: App) => {
    const stack = new TerraformStack(app, 'secrets');
    // A relative path keeps the state in the workspace: cdktf's default local backend path is absolute,
    // under the process's working directory (the repository root), and would be shared between runs.
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    new VaultProvider(stack, 'vault', {});
    acceptVaultProvider5x(stack);
    const secrets = new PlatformSecrets(stack, 'Secrets', {
      mountPath: MOUNT,
      audit: {
        name: AUDIT_NAME,
        auditDevice: { type: AuditDeviceType.FILE, path: auditFile },
        createApiDevice: true,
      },
    });
    const consumers: Record<string, AppRoleConsumer> = {};
    const add = (role: string, extra: { boundCidrs?: string[] } = {}) =>
      (consumers[role] = new AppRoleConsumer(stack, `Consumer-${role}`, {
        roleName: role,
        backend: secrets.appRoleBackend,
        ...extra,
      }));
    for (const spec of CONSUMERS) spec.grant(secrets, add(spec.role));
    // A subtree grant plus an exact grant on one secret under it (see the "most specific path" test).
    const janitor = add('billing-janitor');
    secrets.grantRead(janitor, SecretPath.appFolder('billing'), { subtree: true });
    secrets.grantDelete(janitor, SecretPath.app('billing', 'db'));
    // AppRole CIDR binding: loopback logs in, 10/8 does not.
    secrets.grantRead(add('cidr-local', { boundCidrs: ['127.0.0.1/32'] }), SecretPath.registry('harbor-robot'));
    secrets.grantRead(add('cidr-remote', { boundCidrs: ['10.0.0.0/8'] }), SecretPath.registry('harbor-robot'));

    const seed = new TerraformVariable(stack, SEED_VARIABLE, { type: 'map(string)', sensitive: true });
    secrets.seedSecret(SEED_PATH, seed);

    new TerraformOutput(stack, 'role_ids', {
      staticId: true,
      value: Object.fromEntries(Object.entries(consumers).map(([role, c]) => [role, c.roleId])),
    });
    new TerraformOutput(stack, 'approle_mount', { staticId: true, value: secrets.appRoleBackend.mountPath });
    into.secrets = secrets;
    into.consumers = consumers;
    return stack;
  };
}

/** The plaintext value root seeds at `p`. */
const valueOf = (p: string) => `${MARKER}:${p}`;
const leaf = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const ok = (r: VaultResponse) => r.status >= 200 && r.status < 300;

/**
 * Vault's choice among a policy's rules for a concrete path: an exact rule wins; otherwise the glob rule
 * with the longest prefix (the subset of Vault's priority rules that this library renders: no "+").
 * Capabilities of different rules are never united.
 */
function effectiveCapabilities(rules: readonly PolicyRule[], apiPath: string): string[] {
  const exact = rules.find((r) => r.path === apiPath);
  const glob = rules
    .filter((r) => r.path.endsWith('*') && apiPath.startsWith(r.path.slice(0, -1)))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const rule = exact ?? glob;
  return rule ? [...rule.capabilities].sort() : ['deny'];
}

/** Concrete paths to ask `sys/capabilities-self` about for a rule path (a glob gets a secret and a deeper one). */
function probesFor(rulePath: string): string[] {
  if (!rulePath.endsWith('*')) return rulePath.endsWith('/') ? [rulePath, rulePath.slice(0, -1)] : [rulePath];
  const prefix = rulePath.slice(0, -1);
  return [`${prefix}db`, `${prefix}team/deep`];
}

describe('platform secrets (real engine, real Vault-API server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let synthesized: any;
  let appliedChanges: string[];
  let approleMount: string;
  let roleIds: Record<string, string>;
  const built = {} as Built;
  const clients: Record<string, VaultClient> = {};
  const accessors: Record<string, string> = {};
  const secretIds: string[] = [];
  let auditFile: string;
  const timings: Record<string, number> = {};

  async function mintSecretId(role: string): Promise<string> {
    const res = await bao.root.write(`auth/${approleMount}/role/${role}/secret-id`);
    expect([role, res.status]).toEqual([role, 200]);
    secretIds.push(res.body.data.secret_id);
    return res.body.data.secret_id;
  }

  async function login(role: string): Promise<VaultClient> {
    const client = await bao.root.loginAppRole(approleMount, roleIds[role], await mintSecretId(role));
    const self = await client.read('auth/token/lookup-self');
    expect(self.status).toBe(200);
    accessors[role] = self.body.data.accessor;
    return client;
  }

  /** Root writes the target secret with its known value; returns the new version. */
  async function seed(secret: string): Promise<number> {
    const res = await bao.root.write(`${MOUNT}/data/${secret}`, { data: { value: valueOf(secret) } });
    if (res.status !== 200) throw new Error(`seeding ${secret} failed (${res.status}): ${JSON.stringify(res.body)}`);
    return res.body.data.version;
  }

  async function auditHash(input: string): Promise<string> {
    const res = await bao.root.write(`sys/audit-hash/${AUDIT_NAME}`, { input });
    expect(res.status).toBe(200);
    return res.body.data?.hash ?? res.body.hash;
  }

  beforeAll(async () => {
    let t = Date.now();
    bao = await VaultServer.start();
    timings['server start'] = Date.now() - t;
    auditFile = path.join(bao.auditDir, 'platform-audit.log');
    ws = Workspace.create();
    ws.env = { ...bao.env, [`TF_VAR_${SEED_VARIABLE}`]: JSON.stringify(SEED_VALUE) };
    synthesized = ws.synth(build(auditFile, built));
    t = Date.now();
    appliedChanges = (await ws.apply()).map((c) => `${c.type}:${c.actions.join(',')}`);
    timings['plan + apply'] = Date.now() - t;
    t = Date.now();
    const outputs = await ws.outputs();
    timings['outputs'] = Date.now() - t;
    approleMount = outputs.approle_mount;
    roleIds = outputs.role_ids;
    // Root seeds every target of the matrix directly through the API (seedSecret refuses signing/ and bootstrap/).
    for (const target of TARGETS) await seed(target.secret);
    t = Date.now();
    for (const role of [...CONSUMERS.map((c) => c.role), 'billing-janitor']) clients[role] = await login(role);
    timings['logins'] = Date.now() - t;
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
    console.log(
      `timings (ms): ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  });

  test('apply creates the mount, the audit device, the AppRole mount, the roles and the seeded secret', async () => {
    expect(appliedChanges.filter((c) => !c.endsWith(':create'))).toEqual([]);
    expect(synthesized.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    expect(fs.existsSync(path.join(ws.dir, 'terraform.tfstate'))).toBe(true);
    expect(appliedChanges.filter((c) => c.startsWith('vault_approle_auth_backend_role:'))).toHaveLength(7);
    const mounts = await bao.root.read('sys/mounts');
    expect(mounts.body.data[`${MOUNT}/`]).toMatchObject({ type: 'kv', options: { version: '2' } });
    const audit = await bao.root.read('sys/audit');
    expect(audit.body.data[`${AUDIT_NAME}/`]).toMatchObject({
      type: 'file',
      options: { file_path: auditFile, format: 'json', mode: '0600' },
    });
    expect((fs.statSync(auditFile).mode & 0o777).toString(8)).toBe('600');
    const role = await bao.root.read(`auth/${approleMount}/role/cidr-local`);
    expect(role.body.data).toMatchObject({
      secret_id_bound_cidrs: ['127.0.0.1/32'],
      token_bound_cidrs: ['127.0.0.1'],
      token_policies: ['cidr-local'],
      bind_secret_id: true,
    });
  });

  test('seedSecret: the value arrives through TF_VAR_* only, never in cdk.tf.json, and lands in KV', async () => {
    const json = JSON.stringify(synthesized);
    const onDisk = fs.readFileSync(path.join(ws.dir, 'cdk.tf.json'), 'utf8');
    for (const text of [json, onDisk]) {
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain('eu-1');
    }
    expect(synthesized.variable[SEED_VARIABLE]).toMatchObject({ sensitive: true, type: 'map(string)' });
    const [resource] = Object.values(synthesized.resource.vault_kv_secret_v2) as any[];
    expect(resource).toMatchObject({
      name: SEED_PATH,
      data_json: `\${jsonencode(var.${SEED_VARIABLE})}`,
      disable_read: true,
    });
    // Seeded only after the audit device is on, so the seeding write itself is audited.
    expect(resource.depends_on).toEqual([expect.stringMatching(/^vault_audit\./)]);
    const asRoot = await bao.root.read(`${MOUNT}/data/${SEED_PATH}`);
    expect(asRoot.status).toBe(200);
    expect(asRoot.body.data.data).toEqual(SEED_VALUE);
    // The owning consumer reads it through its subtree grant.
    const asBilling = await clients['billing'].read(`${MOUNT}/data/${SEED_PATH}`);
    expect(asBilling.status).toBe(200);
    expect(asBilling.body.data.data).toEqual(SEED_VALUE);
  });

  test('a second plan right after apply shows no changes', async () => {
    const t = Date.now();
    await ws.expectNoChanges();
    timings['second plan'] = Date.now() - t;
  });

  test('every consumer x category x operation cell, against the real server', async () => {
    const t = Date.now();
    const expectedRows: string[] = [];
    const actualRows: string[] = [];
    const observedRows: string[] = [];
    const header = `${'consumer'.padEnd(16)}${'category'.padEnd(24)}${OPS.map((o) => o.padEnd(10)).join('')}`;

    for (const spec of CONSUMERS) {
      const c = clients[spec.role];
      for (const target of TARGETS) {
        const want = spec.allowed[target.label] ?? [];
        const expectedCells: string[] = [];
        const actualCells: string[] = [];
        const observedCells: string[] = [];
        for (const op of OPS) {
          const { statuses, effect } = await runCell(c, spec.role, op, target);
          const allowed = statuses.every((s) => s >= 200 && s < 300);
          const denied = statuses.every((s) => s === 403);
          const verdict = allowed && effect === true ? 'allow' : denied && effect === false ? 'deny' : 'ERROR';
          expectedCells.push((want.includes(op) ? 'allow' : 'deny').padEnd(10));
          actualCells.push(verdict.padEnd(10));
          observedCells.push(`${statuses.join('/')}${verdict === 'ERROR' ? `!${effect}` : ''}`.padEnd(10));
        }
        const prefix = `${spec.role.padEnd(16)}${target.label.padEnd(24)}`;
        expectedRows.push(prefix + expectedCells.join(''));
        actualRows.push(prefix + actualCells.join(''));
        observedRows.push(prefix + observedCells.join(''));
      }
    }
    timings['matrix'] = Date.now() - t;
    console.log(`observed HTTP statuses (403 = denied)\n${header}\n${observedRows.join('\n')}`);
    expect([header, ...actualRows].join('\n')).toBe([header, ...expectedRows].join('\n'));
  });

  /**
   * Runs one cell with a freshly seeded secret; returns the HTTP statuses of the requests the operation
   * takes and whether its effect is visible to root afterwards (true = happened, false = nothing changed).
   */
  async function runCell(
    c: VaultClient,
    role: string,
    op: Op,
    target: Target,
  ): Promise<{ statuses: number[]; effect: boolean }> {
    const api = (prefix: string) => `${MOUNT}/${prefix}/${target.secret}`;
    const version = await seed(target.secret);
    const rootData = () => bao.root.read(api('data'));
    switch (op) {
      case 'read': {
        const r = await c.read(api('data'));
        return { statuses: [r.status], effect: ok(r) && r.body.data.data.value === valueOf(target.secret) };
      }
      case 'write': {
        const r = await c.write(api('data'), { data: { value: `written-by-${role}` } });
        const after = await rootData();
        return { statuses: [r.status], effect: after.body.data.data.value === `written-by-${role}` };
      }
      case 'list': {
        const r = await c.list(`${MOUNT}/metadata/${target.folder}`);
        return { statuses: [r.status], effect: ok(r) && r.body.data.keys.includes(leaf(target.secret)) };
      }
      case 'delete': {
        const soft = await c.delete(api('data'));
        const versions = await c.write(api('delete'), { versions: [version] });
        const after = await rootData();
        return { statuses: [soft.status, versions.status], effect: after.status === 404 };
      }
      case 'undelete': {
        expect((await bao.root.delete(api('data'))).status).toBe(204);
        const r = await c.write(api('undelete'), { versions: [version] });
        const after = await rootData();
        return { statuses: [r.status], effect: after.status === 200 };
      }
      case 'destroy': {
        const versions = await c.write(api('destroy'), { versions: [version] });
        const all = await c.delete(api('metadata'));
        const after = await bao.root.read(api('metadata'));
        return { statuses: [versions.status, all.status], effect: after.status === 404 };
      }
      case 'metadata': {
        const r = await c.read(api('metadata'));
        return { statuses: [r.status], effect: ok(r) && r.body.data.current_version === version };
      }
    }
  }

  test('LIST: the rule is written with the trailing "/", and a LIST request without it still passes', async () => {
    const billing = clients['billing'];
    await seed(SecretPath.app('billing', 'db'));
    const withSlash = await billing.list(`${MOUNT}/metadata/apps/billing/`);
    const withoutSlash = await billing.list(`${MOUNT}/metadata/apps/billing`);
    expect([withSlash.status, withoutSlash.status]).toEqual([200, 200]);
    expect(withoutSlash.body.data.keys).toContain('db');
    // A GET ?list=true is the same LIST operation.
    const viaGet = await billing.read(`${MOUNT}/metadata/apps/billing?list=true`);
    expect(viaGet.status).toBe(200);
    // The category folder itself is not granted.
    expect((await billing.list(`${MOUNT}/metadata/apps/`)).status).toBe(403);
  });

  test('sys/capabilities-self of every role matches its rendered policy rules', async () => {
    const everyRulePath = new Set<string>();
    for (const role of Object.keys(clients)) {
      for (const rule of built.consumers[role].policyDocument.toRules()) everyRulePath.add(rule.path);
    }
    const probes = [...new Set([...everyRulePath].flatMap(probesFor))].sort();
    const expected: string[] = [];
    const actual: string[] = [];
    for (const role of Object.keys(clients)) {
      const rules = built.consumers[role].policyDocument.toRules();
      const res = await clients[role].write('sys/capabilities-self', { paths: probes });
      expect(res.status).toBe(200);
      for (const probe of probes) {
        expected.push(`${role.padEnd(16)} ${probe.padEnd(48)} ${effectiveCapabilities(rules, probe).join(',')}`);
        actual.push(`${role.padEnd(16)} ${probe.padEnd(48)} ${[...(res.body.data[probe] ?? [])].sort().join(',')}`);
      }
    }
    expect(actual.join('\n')).toBe(expected.join('\n'));
    // The grants say exactly this (spot check of the rendered rules themselves).
    expect(built.consumers['ops-admin'].policyDocument.toRules().map((r) => `${r.path} ${r.capabilities}`)).toEqual([
      'it/kv/data/operators/alice/ssh read,delete',
      'it/kv/delete/operators/alice/ssh update',
      'it/kv/destroy/operators/alice/ssh update',
      'it/kv/metadata/operators/alice/ssh read,delete',
      'it/kv/undelete/operators/alice/ssh update',
    ]);
  });

  test('an exact grant inside a subtree grant keeps the subtree capabilities (Vault picks the most specific rule, so PolicyDocument folds them in)', async () => {
    // billing-janitor: grantRead(apps/billing/, subtree) + grantDelete(apps/billing/db). Vault does not
    // unite rules: the exact `data/apps/billing/db` rule wins over the glob, so the rendered exact rule
    // must carry the glob's read too, or reading db would be denied.
    const janitor = clients['billing-janitor'];
    await seed(SecretPath.app('billing', 'db'));
    await seed(SecretPath.app('billing', 'other'));
    const caps = await janitor.write('sys/capabilities-self', {
      paths: [`${MOUNT}/data/apps/billing/db`, `${MOUNT}/data/apps/billing/other`],
    });
    expect(caps.body.data).toMatchObject({
      [`${MOUNT}/data/apps/billing/db`]: ['delete', 'read'],
      [`${MOUNT}/data/apps/billing/other`]: ['read'],
    });
    expect((await janitor.read(`${MOUNT}/data/apps/billing/other`)).status).toBe(200);
    expect((await janitor.read(`${MOUNT}/data/apps/billing/db`)).status).toBe(200);
    expect((await janitor.delete(`${MOUNT}/data/apps/billing/db`)).status).toBe(204);
  });

  test('the audit device logs the requests with tokens, accessors and secret values HMAC-hashed', async () => {
    const puller = clients['registry-puller'];
    const robot = SecretPath.registry('harbor-robot');
    await seed(robot);
    expect((await puller.read(`${MOUNT}/data/${robot}`)).status).toBe(200);
    expect((await puller.read(`${MOUNT}/data/operators/alice/ssh`)).status).toBe(403);

    const [tokenHash, accessorHash, valueHash] = await Promise.all([
      auditHash(puller.token),
      auditHash(accessors['registry-puller']),
      auditHash(valueOf(robot)),
    ]);
    const entries = fs
      .readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l));
    // The apply enabled the device before any other write (every other resource depends on it), so the
    // engine's own writes are in the log: the mounts, each policy and each AppRole role.
    const applyWrites = new Set(
      entries.filter((e) => e.type === 'request' && e.request?.operation !== 'read').map((e) => e.request?.path),
    );
    const roles = Object.keys(roleIds);
    expect(roles).toHaveLength(7);
    const expectedWrites = [
      `sys/mounts/${MOUNT}`,
      `${MOUNT}/config`,
      `sys/auth/${approleMount}`,
      ...roles.map((r) => `sys/policies/acl/${r}`),
      ...roles.map((r) => `auth/${approleMount}/role/${r}`),
    ];
    expect(expectedWrites.filter((p) => !applyWrites.has(p))).toEqual([]);
    const mine = entries.filter((e) => e.auth?.accessor === accessorHash);
    const allowedRead = mine.find(
      (e) => e.type === 'response' && e.request?.path === `${MOUNT}/data/${robot}` && !e.error,
    );
    expect(allowedRead).toBeDefined();
    expect(allowedRead.request.operation).toBe('read');
    expect(allowedRead.auth.client_token).toBe(tokenHash);
    expect(allowedRead.auth.client_token).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(allowedRead.auth.policies).toEqual(['default', 'registry-puller']);
    expect(allowedRead.response.data.data.value).toBe(valueHash);
    expect(allowedRead.response.data.data.value).toMatch(/^hmac-sha256:/);
    const deniedRead = mine.find(
      (e) => e.type === 'response' && e.request?.path === `${MOUNT}/data/operators/alice/ssh`,
    );
    expect(deniedRead).toBeDefined();
    expect(deniedRead.error).toMatch(/permission denied/);
    // The request side is logged too, before the response.
    const request = mine.find((e) => e.type === 'request' && e.request?.id === allowedRead.request.id);
    expect(request).toMatchObject({ auth: { client_token: tokenHash }, request: { path: `${MOUNT}/data/${robot}` } });
    // The engine's seeding write (from the sensitive variable) is logged with the value hashed.
    const seedWrite = entries.find(
      (e) => e.type === 'request' && e.request?.path === `${MOUNT}/data/${SEED_PATH}` && e.request?.data?.data,
    );
    expect(seedWrite).toBeDefined();
    expect(seedWrite.request.data.data.api_key).toBe(await auditHash(SEED_VALUE.api_key));
    // Every consumer's matrix requests are in the log under its own (hashed) accessor.
    for (const role of CONSUMERS.map((c) => c.role)) {
      const hash = await auditHash(accessors[role]);
      const paths = new Set(entries.filter((e) => e.auth?.accessor === hash).map((e) => e.request?.path));
      expect([role, paths.has(`${MOUNT}/data/registry/harbor-robot`)]).toEqual([role, true]);
      expect([role, paths.has(`${MOUNT}/destroy/operators/alice/ssh`)]).toEqual([role, true]);
    }
    // No plaintext secret value, token or secret id anywhere in the log.
    const raw = fs.readFileSync(auditFile, 'utf8');
    expect(raw).not.toContain(MARKER);
    expect(raw).not.toContain(bao.token);
    for (const c of Object.values(clients)) expect(raw).not.toContain(c.token);
    for (const id of secretIds) expect(raw).not.toContain(id);
    for (const accessor of Object.values(accessors)) expect(raw).not.toContain(accessor);
  });

  test('AppRole CIDR binding: a 127.0.0.1/32 role logs in and reads; a 10.0.0.0/8 role is refused', async () => {
    const local = await login('cidr-local');
    expect((await local.read(`${MOUNT}/data/registry/harbor-robot`)).status).toBe(200);
    const refused = await bao.root.as('').write(`auth/${approleMount}/login`, {
      role_id: roleIds['cidr-remote'],
      secret_id: await mintSecretId('cidr-remote'),
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errors)).toMatch(/CIDR|unauthorized|source address/i);
  });
});
