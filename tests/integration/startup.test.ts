import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/core/config.js';
import { signToken } from '../../src/core/auth.js';
import { boot, type Running } from '../../src/app/boot.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';
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
      expect(migrations).toEqual(['0001-foundation', '0002-joint-work', '0003-records-statistics', '0004-deliberation', '0005-deliberation-commit-numbering', '0006-deliberation-lookups', '0007-deliberation-durable-reads', '0012-statistics-under-force']);
      expect((await db.query(`select count(*)::int n from app_user where login = 'wh.staff'`)).rows[0].n).toBe(1);
      expect((await db.query(`select count(*)::int n from research_project where title = '推进高原特色现代农业高质量发展三级政协联动调研'`)).rows[0].n).toBe(1);
    } finally {
      await db.end();
    }
  });
});

/**
 * What an operator's owner role is (README, "External database set-up"): not a superuser, no BYPASSRLS, no
 * CREATEROLE here either (the application role already exists, as an operator may create it). Runs on
 * whichever server the suite uses, so the embedded run proves it too.
 */
describe('an owner that is not a superuser', () => {
  const { adminUrl, inspectUrl, prefix, dataDir } = inject('pg');
  const role = `${prefix}owner`;
  const name = `${prefix}o${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const ownerUrl = (() => {
    const u = new URL(withDatabase(adminUrl, name));
    u.username = role;
    u.password = password;
    return u.toString();
  })();
  const su = () => new pg.Client({ connectionString: inspectUrl });
  let running: Running | undefined;
  beforeAll(async () => {
    const c = su();
    await c.connect();
    await c.query(`create role ${role} login nosuperuser nobypassrls nocreaterole nocreatedb password '${password}'`);
    await c.query(`create database ${name} owner ${role}`);
    await c.end();
  });
  afterAll(async () => {
    await running?.stop();
    const c = su();
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`drop role if exists ${role}`);
    await c.end();
  });
  const config = (over: Partial<Config> = {}) => loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, databaseUrl: ownerUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: true, ...over });

  it('without CREATEROLE and a password for the application role that does not work, start-up says what to do', async () => {
    await expect(boot(config({ appDbPassword: 'not-the-password' }), pino({ level: 'silent' }))).rejects.toThrow(
      /permission denied.*give it CREATEROLE \(and, from PostgreSQL 16, ADMIN OPTION on cppcc_app\), or set APP_DB_PASSWORD to the password cppcc_app has/,
    );
  });

  it('runs migrations, the tree, the demo data and requests; FORCE holds it: without a committee it sees no account', async () => {
    running = await boot(config(), pino({ level: 'silent' }));
    const owner = new pg.Client({ connectionString: ownerUrl });
    const c = new pg.Client({ connectionString: withDatabase(inspectUrl, name) });
    await Promise.all([owner.connect(), c.connect()]);
    try {
      const [me, superuser] = await Promise.all([
        owner.query(`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`),
        c.query(`select count(*)::int n from app_user`),
      ]);
      expect(me.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
      expect(superuser.rows[0].n).toBeGreaterThan(20);
      expect((await owner.query(`select count(*)::int n from app_user`)).rows[0].n).toBe(0);
      // Seeds, once, as on the embedded server: the demo project and a year of records with their counters.
      expect((await c.query(`select (select count(*) from research_project)::int p, (select count(*) from proposal)::int r, (select count(*) from stat_counter)::int s`)).rows[0]).toEqual({
        p: 1,
        r: expect.any(Number),
        s: expect.any(Number),
      });
      const u = (await c.query(`select id, tenant_id from app_user where login = 'wh.member'`)).rows[0];
      const token = await signToken(TEST_JWT_SECRET, { sub: u.id, tid: u.tenant_id });
      const post = (query: string, variables?: object) =>
        fetch(running!.app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
      const before = (await c.query(`select coalesce(sum(subtree), 0)::int n from stat_counter where metric = 'proposal.submitted'`)).rows[0].n;
      // A proposal bumps its committee's and every ancestor's counter through the security-definer functions.
      expect(await post(`mutation($i: SubmitProposalInput!) { submitProposal(input: $i) { status } }`, { i: { title: '关于外部数据库的提案', content: '在非超级用户的属主下运行。', kind: 'MEMBER' } })).toEqual({
        data: { submitProposal: { status: 'SUBMITTED' } },
      });
      expect((await c.query(`select coalesce(sum(subtree), 0)::int n from stat_counter where metric = 'proposal.submitted'`)).rows[0].n).toBe(before + 3);
    } finally {
      await Promise.all([owner.end(), c.end()]);
    }
  });
});
