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
import { mountConsole } from '../../src/console/routes.js';
import { buildConsole } from '../../src/console/build.js';
import { generateLarge, recordCount, scratchDatabase } from '../../seeds/large.js';
import { chromiumPath } from '../helpers/browser.js';
import { chromium } from 'playwright-core';

/**
 * Cockpit load in headless Chromium, from navigation until the first chart is drawn (ECharts' `finished`,
 * recorded by the console as performance.now() since navigation start), for the province staff at the
 * database `seed:large` makes (default 2M records), p50/p95 over LOADS cold loads (a new browser context
 * each: empty cache), and the bytes the browser downloads. Prints; never fails.
 *   npm run bench:cockpit -- [--records 2000000] [--loads 20] [--period 2025] [--data-dir DIR]
 */
function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : d;
}
const RECORDS = Number(arg('records', '2000000'));
const LOADS = Number(arg('loads', '20'));
const PERIOD = arg('period', '2025');
const DATA_DIR = process.argv.includes('--data-dir') ? arg('data-dir', '') : undefined;
/** Tables of raw records: the cockpit reads none of them (only the counters), whatever the volume. */
const RAW = ['proposal', 'opinion', 'opinion_route', 'duty_record', 'consultation_suggestion'];
const COUNTERS = ['stat_counter', 'stat_counter_year'];
/** Scans (sequential and index) of each table so far, as the statistics collector has them. */
async function scans(owner: pg.Client): Promise<Record<string, number>> {
  // Backends report their table statistics within a second of going idle.
  await new Promise((r) => setTimeout(r, 2500));
  await owner.query('select pg_stat_clear_snapshot()');
  const r = await owner.query(`select relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) n from pg_stat_user_tables where relname = any($1)`, [[...RAW, ...COUNTERS]]);
  return Object.fromEntries(r.rows.map((x) => [x.relname as string, Number(x.n)]));
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const exe = chromiumPath();
  if (!exe) throw new Error('no chromium: apt-get install -y chromium');
  const bundle = await buildConsole();
  const { db, where, cleanup } = await scratchDatabase(DATA_DIR);
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  await owner.connect();
  const log = pino({ level: 'silent' });
  try {
    const have = await recordCount(owner);
    if (have < RECORDS) {
      const gen = await generateLarge(db.ownerUrl, RECORDS - have);
      console.log(`generated ${gen.records.toLocaleString('en-US')} records in ${(gen.ms / 1000).toFixed(1)} s (${where})`);
    } else console.log(`${have.toLocaleString('en-US')} records already in ${where}`);
    const province = (await owner.query(`select id from tenant where code = '530000'`)).rows[0];
    const userId = newId();
    await owner.query(`begin; select set_config('app.tenant_id', '${province.id}', true)`);
    await owner.query(`insert into app_user (id, tenant_id, province_id, login, display_name, role) values ($1, $2, $2, $3, '赵丽萍', 'STAFF')`, [userId, province.id, `bench.${userId.slice(0, 8)}`]);
    await owner.query('commit');
    const assembled = application();
    const orm = await createOrm(db.appUrl, { entities: assembled.entities });
    const config = loadConfig({}, { port: 0, host: '127.0.0.1', jwtSecret: db.jwtSecret });
    const app = await createApp(config, orm, db.jwtSecret, systemClock, log, assembled, { mount: mountConsole });
    const origin = new URL(app.url).origin;
    const token = await signToken(db.jwtSecret, { sub: userId, tid: province.id });
    const browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const firstChart: number[] = [];
      const wall: number[] = [];
      let bytes = 0;
      let requests = 0;
      const before = await scans(owner);
      for (let i = 0; i < LOADS + 2; i++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
        await context.addInitScript((t) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('cppcc.token', t), token);
        await context.route('**/*', (r) => (r.request().url().startsWith(origin) ? r.continue() : r.abort()));
        const page = await context.newPage();
        const sizes: Promise<number>[] = [];
        page.on('requestfinished', (req) => sizes.push(req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)));
        const t0 = performance.now();
        await page.goto(`${origin}/?period=${PERIOD}`);
        await page.waitForFunction(() => (globalThis as unknown as { __firstChartAt?: number }).__firstChartAt !== undefined, null, { timeout: 120_000 });
        const t1 = performance.now();
        const at = await page.evaluate(() => (globalThis as unknown as { __firstChartAt: number }).__firstChartAt);
        // The first two loads warm the server (JIT, plans); they are not counted.
        if (i >= 2) {
          firstChart.push(at);
          wall.push(t1 - t0);
          if (i === 2) {
            bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
            requests = sizes.length;
          }
        }
        await context.close();
      }
      const after = await scans(owner);
      console.log(
        `cockpit (province, period ${PERIOD}, ${(await recordCount(owner)).toLocaleString('en-US')} records): first chart drawn p50 ${pct(firstChart, 50).toFixed(0)} ms, ` +
          `p95 ${pct(firstChart, 95).toFixed(0)} ms over ${firstChart.length} cold loads (wall, goto to chart: p50 ${pct(wall, 50).toFixed(0)} ms, p95 ${pct(wall, 95).toFixed(0)} ms)`,
      );
      const delta = (t: string[]) => t.map((n) => `${n} ${(after[n] ?? 0) - (before[n] ?? 0)}`).join(', ');
      console.log(`table scans during the ${LOADS + 2} loads: raw records: ${delta(RAW)}; counters: ${delta(COUNTERS)}`);
      console.log(`downloaded by the browser on a cold load, headers included: ${(bytes / 1024).toFixed(1)} KiB in ${requests} requests (bodies as sent on the wire)`);
      console.log(`bundle: ${bundle.files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KiB`).join(', ')}`);
    } finally {
      await browser.close();
      await app.close();
      await orm.close(true);
    }
  } finally {
    await owner.end();
    await cleanup();
  }
}

await main();
