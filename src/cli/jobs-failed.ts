import pg from 'pg';
import { withDatabase } from './with-database.js';

/**
 * `npm run jobs:failed [-- --json]`: the jobs that used up their attempts (graphile-worker keeps them,
 * with their last error) and those still retrying after a failure, newest first. Read as the owner, who
 * owns the worker's schema.
 */
export const FAILED_JOBS_SQL = `select id, task_identifier as task, key, attempts, max_attempts, last_error, run_at, updated_at,
    attempts >= max_attempts as gave_up
  from graphile_worker.jobs where last_error is not null order by updated_at desc limit 200`;

await withDatabase(async (db) => {
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('graphile_worker.jobs') is not null as ok`);
    const rows = exists.rows[0].ok ? (await client.query(FAILED_JOBS_SQL)).rows : [];
    if (process.argv.includes('--json')) return void console.log(JSON.stringify(rows, null, 2));
    if (!rows.length) return void console.log('No failed jobs.');
    for (const r of rows) {
      console.log(`${r.gave_up ? 'FAILED ' : 'RETRYING'} #${r.id} ${r.task} attempts ${r.attempts}/${r.max_attempts}${r.key ? ` key ${r.key}` : ''} next ${new Date(r.run_at).toISOString()}`);
      console.log(`  ${String(r.last_error).split('\n')[0]}`);
    }
  } finally {
    await client.end();
  }
});
