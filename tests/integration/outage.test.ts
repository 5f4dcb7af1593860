import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { loadConfig } from '../../src/core/config.js';
import { boot, type Running } from '../../src/app/boot.js';
import { signToken } from '../../src/core/auth.js';
import { TEST_JWT_SECRET, TEST_PROVINCES } from '../helpers/global-setup.js';
import { withDatabase } from '../helpers/external-db.js';

/**
 * The server reaches its database through a Unix-socket proxy this test can cut and restore: while it is cut,
 * new connections find no socket and open ones are dropped, as when PostgreSQL is down or restarting.
 */
class Outage {
  private server: net.Server | undefined;
  private readonly open = new Set<net.Socket>();
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppcc-px-'));
  constructor(private readonly target: { host: string; port: number }) {}
  get socket() {
    return path.join(this.dir, '.s.PGSQL.5432');
  }
  up(): Promise<void> {
    if (this.server?.listening) return Promise.resolve();
    fs.rmSync(this.socket, { force: true });
    this.server = net.createServer((client) => {
      // The embedded server is reached by its socket directory; one the suite did not start, over TCP.
      const upstream = this.target.host.startsWith('/') ? net.connect(path.join(this.target.host, `.s.PGSQL.${this.target.port}`)) : net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('error', () => {});
        s.on('close', () => this.open.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return new Promise((resolve) => this.server!.listen(this.socket, resolve));
  }
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.open) s.destroy();
    await closed;
  }
}

let running: Running;
let outage: Outage;
let url: string;
let token: string;
let db: pg.Client;

beforeAll(async () => {
  const { adminUrl, inspectUrl, template, dataDir } = inject('pg');
  const admin = new URL(adminUrl);
  const name = `o_${randomBytes(6).toString('hex')}`;
  db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  await db.query(`create database ${name} template ${template}`);
  outage = new Outage({ host: decodeURIComponent(admin.hostname), port: Number(admin.port) });
  await outage.up();
  const databaseUrl = `postgresql://${admin.username}:${admin.password}@${encodeURIComponent(outage.dir)}:5432/${name}`;
  running = await boot(loadConfig({}, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', dataDir, databaseUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: false }), pino({ level: process.env.TEST_LOG ?? 'silent' }));
  url = running.app.url;
  const owner = new pg.Client({ connectionString: withDatabase(inspectUrl, name) });
  await owner.connect();
  const row = (await owner.query(`select id, tenant_id from app_user where login = 'wh.staff'`)).rows[0];
  await owner.end();
  token = await signToken(TEST_JWT_SECRET, { sub: row.id, tid: row.tenant_id });
});
afterAll(async () => {
  await outage.up().catch(() => {});
  await running?.stop();
  await db.end();
  fs.rmSync(outage.dir, { recursive: true, force: true });
});

const post = async (query: string) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(4000), method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() };
};
const readyz = async () => {
  const r = await fetch(url.replace('/graphql', '/readyz'));
  return { status: r.status, body: await r.json() };
};

const UNAVAILABLE = {
  status: 503,
  retryAfter: '5',
  body: { errors: [{ message: '数据库暂时不可用，请 5 秒后重试', extensions: { code: 'SERVICE_UNAVAILABLE', details: { retryAfterSeconds: 5 } } }] },
};

describe('while PostgreSQL is unreachable', () => {
  it('requests get 503 SERVICE_UNAVAILABLE with Retry-After, /readyz says why, WebSockets are told to come back (1013); all recover when it is back', async () => {
    expect(await post('{ me { role } }')).toEqual({ status: 200, retryAfter: null, body: { data: { me: { role: 'STAFF' } } } });
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });

    await outage.down();
    expect(await post('{ me { role } }')).toEqual(UNAVAILABLE);
    expect(await post(`mutation { addMember(input: { login: "outage.m", displayName: "断线", sector: "经济界", term: "第十届" }) { id } }`)).toEqual(UNAVAILABLE);
    expect(await readyz()).toEqual({ status: 503, body: { status: 'unavailable', reason: 'database unreachable', detail: expect.any(String) } });
    const ws = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {}, connectionParams: { authorization: `Bearer ${token}` } });
    expect(await new Promise<number>((resolve) => ws.on('closed', (e) => resolve((e as { code: number }).code)))).toBe(1013);

    await outage.up();
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
    expect(await post('{ me { role } }')).toEqual({ status: 200, retryAfter: null, body: { data: { me: { role: 'STAFF' } } } });
  });
});
