import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/core/config.js';
import { migrate, startDatabase, type Database } from '../src/core/database.js';
import { syncTenants } from '../src/modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../src/core/paths.js';
import { generateActivity } from './activity.js';
import { rebuildCounters } from '../src/modules/statistics/rebuild.js';

/**
 * The database to fill, migrated and with the committee tree: DATABASE_URL when set; otherwise an embedded
 * PostgreSQL in `keepDir` (kept afterwards) or in a temporary directory (removed by `cleanup`).
 */
export async function scratchDatabase(keepDir?: string): Promise<{ db: Database; where: string; cleanup(): Promise<void> }> {
  const external = !!process.env.DATABASE_URL;
  const dataDir = external ? undefined : keepDir ? path.resolve(keepDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'cppcc-large-'));
  const temporary = !external && !keepDir;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.chmodSync(dataDir, 0o755);
  }
  const config = loadConfig(process.env, dataDir ? { dataDir, embeddedPgPort: 20000 + Math.floor(Math.random() * 20000) } : {});
  const db = await startDatabase(config);
  await migrate(db.ownerUrl);
  await syncTenants(db.ownerUrl, TENANTS_DIR);
  return {
    db,
    where: external ? 'DATABASE_URL' : temporary ? `a temporary embedded PostgreSQL in ${dataDir} (removed on exit)` : `the embedded PostgreSQL in ${dataDir}`,
    cleanup: async () => {
      await db.stop();
      if (temporary) fs.rmSync(dataDir!, { recursive: true, force: true });
    },
  };
}

export async function recordCount(client: pg.Client): Promise<number> {
  const r = await client.query(`select (select count(*) from proposal) + (select count(*) from opinion) + (select count(*) from opinion_route) + (select count(*) from duty_record) n`);
  return Number(r.rows[0].n);
}

/**
 * A realistic province: every committee of 云南 (1 + 16 + 129) with ~30k member seats, three years of
 * proposals, public-opinion reports and their levels, archives and duty records, about `records` rows in
 * all (added on top of what is there, under a fresh login prefix), then the counters rebuilt.
 */
export async function generateLarge(ownerUrl: string, records: number, round = 1): Promise<{ ms: number; records: number }> {
  const started = Date.now();
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const codes = (await client.query(`select code from tenant where path like '530000%' order by code`)).rows.map((r) => r.code as string);
    const perCommittee = Math.ceil(records / codes.length / 1.07);
    const seats = round === 1 ? Math.round(30000 / codes.length) : 0;
    await generateActivity(client, {
      codes,
      seats: Math.max(seats, 1),
      records: perCommittee,
      from: new Date('2023-01-01T00:00:00+08:00'),
      to: new Date('2025-12-31T00:00:00+08:00'),
      now: new Date('2026-01-15T00:00:00+08:00'),
      loginPrefix: round === 1 ? 'large.' : `large.r${round}.`,
    });
    await client.query('begin');
    await rebuildCounters(client);
    await client.query('commit');
    // A freshly loaded database is vacuumed as well as analysed, as autovacuum would do in time: the
    // counters' visibility map lets roll-up reads stay index-only.
    await client.query('vacuum analyze');
    return { ms: Date.now() - started, records: await recordCount(client) };
  } finally {
    await client.end();
  }
}

const USAGE = `Usage: npm run seed:large -- [--records N] [--data-dir DIR]

Generates a realistic province (云南: 1 + 16 + 129 committees, ~30k member seats, three years of proposals,
public-opinion reports and their levels, archives and duty records; about N records, default 200000, at
least 1000) and rebuilds the statistics counters, then prints what it wrote.

Where it writes:
  DATABASE_URL set     into that database (owner connection): migrated, committees synced, records added
                       on top of what is there. Nothing else is touched.
  --data-dir DIR       into an embedded PostgreSQL kept in DIR (created if missing); serve it afterwards
                       with DATA_DIR=DIR npm start.
  neither (default)    into an embedded PostgreSQL in a fresh temporary directory, removed on exit: a dry
                       run that shows the generator works and how long it takes. The project's own
                       database (.data) is never touched.`;

function parseArgs(argv: string[]): { records: number; dataDir?: string } {
  let records = 200_000;
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--records' || a.startsWith('--records=')) {
      records = Number(a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    } else if (a === '--data-dir' || a.startsWith('--data-dir=')) {
      dataDir = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!dataDir) fail('--data-dir needs a directory');
    } else fail(`unknown argument: ${a}`);
  }
  if (!Number.isInteger(records) || records < 1000) fail('--records must be an integer ≥ 1000');
  return { records, dataDir };
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const isMain = process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isMain) {
  const { records, dataDir } = parseArgs(process.argv.slice(2));
  if (dataDir && process.env.DATABASE_URL) fail('give either DATABASE_URL or --data-dir, not both');
  const { db, where, cleanup } = await scratchDatabase(dataDir);
  console.log(`writing about ${records} records into ${where}`);
  try {
    const r = await generateLarge(db.ownerUrl, records);
    const c = new pg.Client({ connectionString: db.ownerUrl });
    await c.connect();
    const seatsN = (await c.query('select count(*)::int n from member_seat')).rows[0].n;
    const counters = (await c.query('select count(*)::int n from stat_counter')).rows[0].n;
    await c.end();
    console.log(`generated ${r.records} records, ${seatsN} member seats, ${counters} counter rows in ${(r.ms / 1000).toFixed(1)} s`);
  } finally {
    await cleanup();
  }
}
