import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../src/core/config.js';
import { application, boot, type Running } from '../../src/app/boot.js';
import type { ContextDeps } from '../../src/core/context.js';
import { ManualClock } from '../../src/core/clock.js';
import type { ModuleManifest } from '../../src/core/module.js';
import { signToken } from '../../src/core/auth.js';
import { TEST_JWT_SECRET, TEST_PROVINCES } from './global-setup.js';
import { withDatabase } from './external-db.js';
import { newId } from '../../src/core/ids.js';
import { parseGlobalId, toGlobalId } from '../../src/core/global-id.js';
import { rebuildCounters } from '../../src/modules/statistics/rebuild.js';

/**
 * The language the helpers ask for (`Accept-Language`). Messages are Chinese by default; these helpers ask
 * for English so that assertions on messages read plainly. tests/integration/messages.test.ts asks for both.
 */
export const TEST_LOCALE = 'en';
/** A WebSocket whose upgrade request says `Accept-Language: en`. */
class EnglishWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { headers: { 'accept-language': TEST_LOCALE } });
  }
}

export interface GqlResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[] };
}

export interface TestApp {
  running: Running;
  url: string;
  wsUrl: string;
  clock: ManualClock;
  /**
   * Superuser connections to this test's database, for setup and checks behind row-level security (a small
   * pool: tests query it concurrently). On the embedded server that is the owner; on an external one
   * (TEST_DATABASE_URL) the owner is not a superuser, and this is the harness's own role.
   */
  db: pg.Pool;
  /** The owner's URL of this test's database: what the app boots with (DATABASE_URL). */
  dbUrl: string;
  token(login: string, tenantCode?: string): Promise<string>;
  gql<T = any>(auth: string | null, query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  /** Call as a seeded login. */
  as(login: string, tenantCode?: string): <T = any>(query: string, variables?: Record<string, unknown>) => Promise<GqlResponse<T>>;
  ws(auth?: string): Client;
  /** Create an account (and a seat for MEMBERs) on any committee; returns its global id. */
  createUser(login: string, code: string, role: string, displayName?: string): Promise<string>;
  /** Database uuid of a row's global id. */
  uuid(globalId: string): string;
  stop(): Promise<void>;
}

/** A real server on its own database, cloned from the seeded template. */
export async function startTestApp(overrides: Partial<Config> = {}, options: { modules?: ModuleManifest[]; spanExporter?: SpanExporter; log?: Logger } = {}): Promise<TestApp> {
  const { adminUrl, inspectUrl, template, prefix, dataDir } = inject('pg');
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const dbUrl = withDatabase(adminUrl, name);
  const config = loadConfig({}, {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: dbUrl,
    jwtSecret: TEST_JWT_SECRET,
    seedDemo: false,
    // No job worker unless a test asks for one (notifications): a sweep running beside a test's own
    // truncate or counter checks would race them (a deadlock was seen on the external server).
    jobsWorker: false,
    // The demo's two provinces, as the template was synced (global-setup); a test wanting every tree syncs it.
    tenantProvinces: [...TEST_PROVINCES],
    ...overrides,
  });
  const clock = new ManualClock(new Date('2026-03-01T02:00:00Z'));
  const running = await boot(config, options.log ?? pino({ level: process.env.TEST_LOG ?? 'silent' }), clock, options);
  const db = new pg.Pool({ connectionString: withDatabase(inspectUrl, name), max: 4 });
  const url = running.app.url;
  const wsUrl = url.replace('http', 'ws');

  const token = async (login: string, tenantCode?: string) => {
    const row = (await db.query('select id, tenant_id from app_user where login = $1', [login])).rows[0];
    if (!row) throw new Error(`no user ${login}`);
    const tid = tenantCode ? (await db.query('select id from tenant where code = $1', [tenantCode])).rows[0].id : row.tenant_id;
    return signToken(TEST_JWT_SECRET, { sub: row.id, tid });
  };
  const gql = async (auth: string | null, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': TEST_LOCALE, ...(auth ? { authorization: auth.includes(' ') ? auth : `Bearer ${auth}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, body: await res.json() } as GqlResponse;
  };
  const clients: Client[] = [];
  return {
    running,
    url,
    wsUrl,
    clock,
    db,
    dbUrl,
    token,
    gql,
    as: (login, tenantCode) => {
      const t = token(login, tenantCode);
      return async (query, variables) => gql(await t, query, variables);
    },
    ws: (auth) => {
      const c = createClient({
        url: wsUrl,
        webSocketImpl: EnglishWebSocket,
        lazy: false,
        retryAttempts: 0,
        // Tests observe refusals through the 'closed' event; the default handler only logs them.
        onNonLazyError: () => {},
        connectionParams: auth ? { authorization: `Bearer ${auth}` } : {},
      });
      clients.push(c);
      return c;
    },
    createUser: async (login, code, role, displayName = login) => {
      const t = (await db.query('select id, province_id, city_id from tenant where code = $1', [code])).rows[0];
      const id = newId();
      await db.query(
        'insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role, unit_name) values ($1,$2,$3,$4,$5,$6,$7,$8)',
        [id, t.id, t.province_id, t.city_id, login, displayName, role, role === 'DEPARTMENT' ? `${displayName}单位` : null],
      );
      if (role === 'MEMBER') {
        await db.query(`insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, term) values ($1,$2,$3,$4,$5,'经济界','第十届')`, [newId(), t.id, t.province_id, t.city_id, id]);
      }
      return toGlobalId('User', id);
    },
    uuid: (globalId) => parseGlobalId(globalId)!.id,
    stop: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await running.stop();
      await db.end();
    },
  };
}

/** The first error's code, for compact assertions. */
/** What background work (jobs, notify, sweeps) runs with, for calling it directly against a test app's database. */
export function contextDeps(app: Pick<TestApp, 'running' | 'clock'>): ContextDeps {
  return { orm: app.running.orm, kernel: application().kernel, jwtSecret: TEST_JWT_SECRET, clock: app.clock, config: loadConfig({}, {}), log: pino({ level: 'silent' }) };
}

export const codeOf = (r: GqlResponse) => r.body.errors?.[0]?.extensions?.code;

/** Recounts every counter from the records (`rebuildCounters`, as after a bulk load), in one committed transaction. */
export async function recountFigures(app: Pick<TestApp, 'dbUrl'>): Promise<void> {
  const client = new pg.Client({ connectionString: app.dbUrl });
  await client.connect();
  try {
    await client.query('begin');
    await rebuildCounters(client);
    await client.query('commit');
  } finally {
    await client.end();
  }
}
