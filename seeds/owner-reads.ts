import type pg from 'pg';

/**
 * Rows of committee-owned tables, read by the owner the way row-level security lets it: one committee at a
 * time, each under its own `app.tenant_id`, in one transaction. FORCE holds the owner to the policies like
 * everyone else unless it is a superuser, which an operator's owner role is not (README, "External database
 * set-up"); a seed that read every committee's rows in one plain statement would see none of them.
 * Call outside a transaction.
 */
export async function readPerCommittee<T extends pg.QueryResultRow>(client: pg.Client, codes: readonly string[], sql: string, params: unknown[] = []): Promise<T[]> {
  const rows: T[] = [];
  await client.query('begin');
  try {
    for (const code of codes) {
      await client.query(`select set_config('app.tenant_id', coalesce((select id::text from tenant where code = $1), ''), true)`, [code]);
      rows.push(...(await client.query<T>(sql, params)).rows);
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
  return rows;
}

/** The committees demo accounts and rosters live on (seeds/demo-users.json). */
export const DEMO_COMMITTEES = ['530000', '530100', '530102', '530103', '130821'] as const;
