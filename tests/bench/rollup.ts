import 'reflect-metadata';
import pg from 'pg';
import pino from 'pino';
import { createOrm } from '../../src/core/database.js';
import { application } from '../../src/app/boot.js';
import { createApp } from '../../src/core/server.js';
import { loadConfig } from '../../src/core/config.js';
import { systemClock } from '../../src/core/clock.js';
import { signToken } from '../../src/core/auth.js';
import { newId } from '../../src/core/ids.js';
import { EVENTS_SQL } from '../../src/modules/statistics/rebuild.js';
import { generateLarge, scratchDatabase } from '../../seeds/large.js';

/**
 * Province roll-up latency (the `rollup` GraphQL query over HTTP, 2025, province with its 16 cities) at
 * 200k and 2M records, against the same figures computed naively from the raw tables. Prints; never fails.
 * BENCH_ROLLUP_RECORDS=200000,1000000 measures at other sizes (2M takes a quarter of an hour to generate here).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const SIZES = (process.env.BENCH_ROLLUP_RECORDS ?? '200000,2000000').split(',').map(Number);
if (SIZES.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('BENCH_ROLLUP_RECORDS is a comma-separated list of record counts');
const QUERY = `{ rollup(period: "2025") { own { metrics { metric value } rates { rate numerator denominator } } subtree { metrics { value } } children { tenant { code } subtree { metrics { metric value } rates { rate value } } } rankings { metric entries { rank value } } silentChildren { code } } }`;

const NAIVE = `
  with e as (${EVENTS_SQL}),
  m as (
    select e.m, e.t from e where (e.at at time zone 'Asia/Shanghai')::date >= '2025-01-01' and (e.at at time zone 'Asia/Shanghai')::date < '2026-01-01'
    union all select 'perf.archives', tenant_id from duty_archive where year = 2025
  )
  select coalesce(c.city_id, c.id) as child, m.m, count(*) n, sum(case when c.id = c.province_id then 1 else 0 end) own
    from m join tenant c on c.id = m.t where c.province_id = $1
   group by 1, 2`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const { db, cleanup } = await scratchDatabase();
  const log = pino({ level: 'silent' });
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  await owner.connect();
  const province = (await owner.query(`select id, province_id, city_id from tenant where code = '530000'`)).rows[0];
  const userId = newId();
  await owner.query(`begin; select set_config('app.tenant_id', '${province.id}', true)`);
  await owner.query(`insert into app_user (id, tenant_id, province_id, login, display_name, role) values ($1, $2, $2, 'bench.staff', '赵丽萍', 'STAFF')`, [userId, province.id]);
  await owner.query('commit');
  const assembled = application();
  const orm = await createOrm(db.appUrl, { entities: assembled.entities });
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', jwtSecret: db.jwtSecret });
  const app = await createApp(config, orm, db.jwtSecret, systemClock, log, assembled);
  const token = await signToken(db.jwtSecret, { sub: userId, tid: province.id });
  const rollup = async () => {
    const t0 = performance.now();
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: QUERY }) });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return performance.now() - t0;
  };
  const naive = async () => {
    const t0 = performance.now();
    await owner.query(NAIVE, [province.id]);
    return performance.now() - t0;
  };
  const results: string[] = [];
  try {
    let round = 1;
    for (const target of SIZES) {
      const have = (await owner.query(`select (select count(*) from proposal) + (select count(*) from opinion) + (select count(*) from opinion_route) + (select count(*) from duty_record) n`)).rows[0].n;
      const gen = await generateLarge(db.ownerUrl, target - Number(have), round++);
      for (let i = 0; i < 20; i++) await rollup();
      const fast: number[] = [];
      for (let i = 0; i < RUNS; i++) fast.push(await rollup());
      await naive();
      const slow: number[] = [];
      for (let i = 0; i < Math.max(5, Math.round(RUNS / 20)); i++) slow.push(await naive());
      const line =
        `${gen.records.toLocaleString('en-US')} records (generated in ${(gen.ms / 1000).toFixed(1)} s): ` +
        `rollup p50 ${pct(fast, 50).toFixed(2)} ms, p95 ${pct(fast, 95).toFixed(2)} ms over ${fast.length} runs; ` +
        `naive p50 ${pct(slow, 50).toFixed(1)} ms, p95 ${pct(slow, 95).toFixed(1)} ms over ${slow.length} runs; ` +
        `ratio (naive p50 / rollup p50) ${(pct(slow, 50) / pct(fast, 50)).toFixed(0)}x`;
      console.log(line);
      results.push(line);
    }
  } finally {
    await app.close();
    await orm.close(true);
    await owner.end();
    await cleanup();
  }
}

await main();
