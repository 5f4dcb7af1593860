import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/core/config.js';
import { boot, type Running } from '../../src/app/boot.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';
import { migrationsList } from '../../src/migrations/index.js';
import { withDatabase } from '../helpers/external-db.js';

/** Several instances starting together on an empty database: one does the start-up work, all serve. */
const started: Running[] = [];
afterAll(async () => {
  await Promise.all(started.map((r) => r.stop()));
});

describe('start-up', () => {
  it('two instances booting at once on an empty database both come up; migrations and demo data are applied once', { timeout: 90_000 }, async () => {
    const { adminUrl, inspectUrl, prefix, dataDir } = inject('pg');
    const name = `${prefix}s${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const databaseUrl = withDatabase(adminUrl, name);
    const config = () => loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, databaseUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: true });
    const log = pino({ level: 'silent' });
    started.push(...(await Promise.all([boot(config(), log), boot(config(), log)])));
    for (const r of started) expect((await fetch(r.app.url.replace('/graphql', '/readyz'))).status).toBe(200);
    const db = new pg.Client({ connectionString: withDatabase(inspectUrl, name) });
    await db.connect();
    try {
      const migrations = (await db.query('select name from mikro_orm_migrations order by id')).rows.map((r) => r.name);
      expect(migrations).toEqual(migrationsList.map((m) => m.name));
      expect((await db.query(`select count(*)::int n from app_user where login = 'wh.staff'`)).rows[0].n).toBe(1);
      expect((await db.query(`select count(*)::int n from research_project where title = '推进高原特色现代农业高质量发展三级政协联动调研'`)).rows[0].n).toBe(1);
      // Meetings and supervision tasks, told once however many instances start.
      expect((await db.query(`select count(*)::int n from meeting where title = '“委员之家”协商议事活动：老旧小区加装电梯'`)).rows[0].n).toBe(1);
      expect((await db.query(`select count(*)::int n from supervision_task`)).rows[0].n).toBe(4);
    } finally {
      await db.end();
    }
  });
});

// Only when the suite runs on the embedded server (not on one it did not start: TEST_DATABASE_URL).
describe.runIf(!inject('pg').external)('the embedded PostgreSQL', () => {
  it('listens on no TCP port (none can fall in the ephemeral range and be connected to itself): it is reached by a Unix socket in its data directory', async () => {
    const { adminUrl, dataDir } = inject('pg');
    const db = new pg.Client({ connectionString: adminUrl });
    await db.connect();
    try {
      const row = (await db.query(`select inet_server_port() as port, current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as sockets`)).rows[0];
      expect(row).toEqual({ port: null, listen: '', sockets: `${dataDir}/pg` });
    } finally {
      await db.end();
    }
  });
});
