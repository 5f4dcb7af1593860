import pg from 'pg';
import { generateActivity } from './activity.js';
import { readPerCommittee } from './owner-reads.js';
import { rebuildCounters } from '../src/modules/statistics/rebuild.js';

const DAY = 86400_000;
const CODES = ['530000', '530100', '530102', '530103'];

/**
 * A year of demo activity on the demo committees (云南省, 昆明市, 五华区, 盘龙区) up to `now` (the clock's) and
 * nothing after it, with 盘龙区 reporting no public-opinion information last quarter, so the roll-up shows
 * something real on first start, written for the demo rosters. Idempotent: it runs only on a database with
 * no records yet.
 */
export async function seedRecords(ownerUrl: string, now = new Date()): Promise<{ created: boolean }> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    if ((await readPerCommittee(client, CODES, `select 1 from proposal union all select 1 from opinion limit 1`)).length) return { created: false };
    const q = Math.floor(now.getUTCMonth() / 3);
    const lastQuarterStart = new Date(Date.UTC(now.getUTCFullYear(), (q - 1) * 3, 1) - 8 * 3600_000);
    const thisQuarterStart = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1) - 8 * 3600_000);
    await generateActivity(client, {
      codes: [...CODES],
      seats: 0,
      records: 160,
      from: new Date(now.getTime() - 365 * DAY),
      to: now,
      now,
      silent: { code: '530103', from: lastQuarterStart, to: thisQuarterStart },
      loginPrefix: '',
    });
    await client.query('begin');
    await rebuildCounters(client);
    await client.query('commit');
    return { created: true };
  } finally {
    await client.end();
  }
}
