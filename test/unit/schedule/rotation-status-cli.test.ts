import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../scripts/rotation-status';
import { dev } from '../../../stacks/environments';

const VAULT = { VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 'read-only' };

describe('rotation-status: usage', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-rs-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN --help THEN it prints the options and the exit codes, and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--print-policy');
    expect(r.stdout).toContain('exit codes: 0 nothing due; 10 something is soon; 11 something is due or overdue');
  });

  test.each([
    [[], 'give exactly one of --environment and --config'],
    [['--environment', 'dev', '--config', 'x.json'], 'give exactly one of --environment and --config'],
    [['--environment'], '--environment needs a value'],
    [
      ['--environment', 'dev', '--now', '2027-01-01'],
      '--now must be ISO 8601 UTC like 2027-01-31T00:00:00Z, got 2027-01-01',
    ],
    [['--environment', 'dev', '--export', 'x'], '--export goes with --config'],
    [['--environment', 'dev', '--apply'], 'unknown argument --apply'],
    [['--environment', 'nowhere'], 'no environment "nowhere" in stacks/environments.ts (dev, staging, prod)'],
  ])('GIVEN %j THEN it exits 2 with the reason', async (argv, reason) => {
    const r = await run(argv, { env: VAULT });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`rotation-status: ${reason}`);
  });

  test('GIVEN no VAULT_ADDR or VAULT_TOKEN THEN it exits 2 before reading anything', async () => {
    const r = await run(['--environment', 'dev'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set VAULT_ADDR and VAULT_TOKEN');
  });

  test('GIVEN --print-policy THEN it prints read on the five paths and reads nothing (no Vault needed)', async () => {
    const r = await run(['--environment', 'dev', '--print-policy'], { env: {} });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^path "[^"]+"/gm)).toEqual([
      'path "dev/transit/keys/node-task-signer"',
      'path "dev/transit/keys/bundle-signer"',
      'path "dev/kv/metadata/bootstrap/bundle"',
      'path "dev/kv/data/bootstrap/bundle"',
      'path "dev/kv/metadata/bootstrap/bundle-published/*"',
    ]);
    expect(r.stdout.match(/capabilities = \["read"\]/g)).toHaveLength(5);
  });

  test('GIVEN --config with a JSON file or a module THEN the config is the named export, "environment" or the default', async () => {
    const json = path.join(dir, 'env.json');
    fs.writeFileSync(json, JSON.stringify({ ...dev, name: 'from-json' }));
    const mod = path.join(dir, 'env.js');
    fs.writeFileSync(
      mod,
      `exports.environment = ${JSON.stringify({ ...dev, name: 'env-export' })};\nexports.prod = ${JSON.stringify({ ...dev, name: 'prod-export', mounts: { kv: 'p/kv' } })};\n`,
    );
    const first = async (argv: string[]) => (await run([...argv, '--print-policy'])).stdout.split('\n')[0];
    expect(await first(['--config', json])).toBe('path "from-json/transit/keys/node-task-signer" {');
    expect(await first(['--config', mod])).toBe('path "env-export/transit/keys/node-task-signer" {');
    expect((await run(['--config', mod, '--export', 'prod', '--print-policy'])).stdout).toContain(
      'path "p/kv/data/bootstrap/bundle"',
    );
  });

  test('GIVEN --config that cannot be loaded or holds no config THEN it exits 2 and says so', async () => {
    const missing = await run(['--config', path.join(dir, 'absent.js')], { env: VAULT });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot load');
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ hello: 'world' }));
    const none = await run(['--config', other, '--export', 'prod'], { env: VAULT });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('has no EnvironmentConfig export "prod"');
  });

  test('GIVEN a Vault address where nothing listens THEN it exits 1: Vault could not be read', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const r = await run(['--environment', 'dev'], {
      env: { VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_TOKEN: 't' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach Vault at http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});
