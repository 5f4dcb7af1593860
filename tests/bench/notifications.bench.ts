/**
 * Notification fan-out and the cost it adds to a write (npm run bench:notifications).
 *
 *   npm run bench:notifications -- [--users 2000] [--notifications 10000] [--writes 2000] [--concurrency 4]
 *
 * On a throwaway embedded database: one instance (server and worker, JOBS_CONCURRENCY workers) and `--users`
 * STAFF accounts of 昆明市政协. 1) Fan-out: `--notifications` notify jobs (spread evenly over the users) are
 * enqueued in one transaction; it prints the time from their commit until every notification is in its
 * inbox (each made as its reader: token check, visibility fetch, insert, NOTIFY). 2) Write cost: the same
 * small write in a request transaction (runInContext), alternately without and with one notification queued
 * in it (the in-transaction enqueue of a listener), `--writes` of each; p50/p99 of both and the difference.
 * Prints figures; never fails on a timing.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/core/config.js';
import { boot } from '../../src/app/boot.js';
import { runInContext } from '../../src/core/context.js';
import { signToken } from '../../src/core/auth.js';
import { notifyLater } from '../../src/modules/notification/notification.service.js';
import { NotificationKind } from '../../src/modules/notification/notification.entity.js';
import { application } from '../../src/app/boot.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const USERS = arg('users', 2000);
const NOTIFICATIONS = arg('notifications', 10_000);
const WRITES = arg('writes', 2000);
const CONCURRENCY = arg('concurrency', 4);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'cppcc-bench-notify-'));
fs.chmodSync(dataDir, 0o755);
const JWT_SECRET = 'bench-notifications-secret-0123456789abcdef';
const config = loadConfig({}, { dataDir, embeddedPgPort: 20000 + Math.floor(Math.random() * 20000), port: 0, host: '127.0.0.1', seedDemo: false, jwtSecret: JWT_SECRET, jobsConcurrency: CONCURRENCY, jobsPollMs: 1000, logLevel: 'warn' });
const running = await boot(config, pino({ level: 'warn' }));
const owner = new pg.Client({ connectionString: running.db.ownerUrl });
await owner.connect();
try {
  const km = (await owner.query(`select id, province_id, city_id from tenant where code = '530100'`)).rows[0];
  await owner.query(
    `insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role)
     select app_uuid7(now()), $1, $2, $3, 'bench.' || g, '测试用户' || g, 'STAFF' from generate_series(1, $4::int) g`,
    [km.id, km.province_id, km.city_id, USERS],
  );
  const users = (await owner.query(`select id from app_user where login like 'bench.%' order by login`)).rows.map((r) => r.id as string);
  console.log(`users: ${users.length} STAFF of 昆明市政协; worker concurrency ${CONCURRENCY}`);

  // 1) Fan-out.
  const t0 = performance.now();
  await owner.query(
    `select graphile_worker.add_job('notification.notify', json_build_object('userId', u.id, 'tenantId', $1::uuid, 'kind', 'ASSIGNED', 'itemType', 'Tenant',
        'itemId', $1::uuid, 'title', '全市政协系统工作通知（第' || g || '号）', 'dedupeKey', 'bench:' || g || ':' || u.id), max_attempts => 5)
       from (select id, row_number() over (order by id) as k from app_user where login like 'bench.%') u
       cross join generate_series(1, $2::int) g
      where (g - 1) * $3::int + u.k <= $4::int`,
    [km.id, Math.ceil(NOTIFICATIONS / USERS), USERS, NOTIFICATIONS],
  );
  const enqueued = performance.now() - t0;
  let done = 0;
  let lastReport = performance.now();
  for (;;) {
    done = (await owner.query(`select count(*)::int n from notification where dedupe_key like 'bench:%'`)).rows[0].n;
    if (done >= NOTIFICATIONS) break;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.log(`  ${done} in inboxes after ${((lastReport - t0) / 1000).toFixed(0)} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const total = performance.now() - t0;
  const inboxes = (await owner.query(`select count(distinct user_id)::int n from notification where dedupe_key like 'bench:%'`)).rows[0].n;
  console.log(`fan-out: ${done} notifications in ${inboxes} inboxes; enqueue ${enqueued.toFixed(0)} ms, all in inboxes after ${(total / 1000).toFixed(2)} s (${((done / total) * 1000).toFixed(0)} per second)`);

  // 2) Write cost, with this instance's worker stopped so that it does not compete for the cores: the jobs
  //    the writes queue stay in the table.
  const deps = { orm: running.orm, kernel: application().kernel, jwtSecret: JWT_SECRET, clock: { now: () => new Date() }, config, log: pino({ level: 'silent' }) };
  const token = `Bearer ${await signToken(JWT_SECRET, { sub: users[0]!, tid: km.id })}`;
  const without: number[] = [];
  const withOne: number[] = [];
  const write = async (emit: boolean, i: number) => {
    const s = performance.now();
    await runInContext(deps, token, `bench-${i}`, async (ctx) => {
      await ctx.em.execute(`update notification set read_at = now() where tenant_id = ? and user_id = ? and dedupe_key = ?`, [km.id, users[0], `bench:1:${users[0]}`]);
      if (emit) {
        await notifyLater(ctx, { userId: users[(i % (users.length - 1)) + 1]!, tenantId: km.id, kind: NotificationKind.ASSIGNED, itemType: 'Tenant', itemId: km.id, title: '写入成本测试', dedupeKey: `cost:${i}` });
      }
    });
    (emit ? withOne : without).push(performance.now() - s);
  };
  await running.jobs.stop();
  for (let i = 0; i < 200; i++) await write(i % 2 === 0, -i - 1);
  without.length = 0;
  withOne.length = 0;
  for (let i = 0; i < WRITES * 2; i++) await write(i % 2 === 1, i);
  const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms`;
  console.log(`write without a notification: ${f(without)}`);
  console.log(`write queuing one notification: ${f(withOne)}`);
  console.log(`added: p50 ${(pct(withOne, 50) - pct(without, 50)).toFixed(2)} ms, p99 ${(pct(withOne, 99) - pct(without, 99)).toFixed(2)} ms (${WRITES} writes of each, alternating)`);
} finally {
  await owner.end();
  await running.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
