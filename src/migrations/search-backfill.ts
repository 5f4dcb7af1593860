import { searchVector } from '../text/search-vector.js';

/*
 * Filling the search index (全文检索索引) of rows that have none: the rows migration 0090 found, and rows the
 * seeds write with plain SQL. The tables and their title and body columns are those migration 0090 indexed.
 */

/** What each searchable table indexes: the SQL of its title and body (a suggestion has no title). */
export const INDEXED_TABLES: Record<string, { title: string; body: string }> = {
  proposal: { title: 'title', body: 'content' },
  opinion: { title: 'title', body: 'content' },
  consultation_topic: { title: 'title', body: 'description' },
  consultation_suggestion: { title: "''", body: 'content' },
  micro_suggestion: { title: "''", body: 'content' },
};

export type Execute = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Indexes the rows that have no index yet, among those the connection may see and update (row-level
 * security holds: the caller sets app.tenant_id; only that committee's own rows, the ones it may update): rows written before migration 0090, and rows seeds write
 * with plain SQL. Returns how many rows it indexed.
 */
export async function indexMissing(execute: Execute, batch = 500): Promise<number> {
  let n = 0;
  for (const [table, f] of Object.entries(INDEXED_TABLES)) {
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const rows = (await execute(
        `select id, ${f.title} as title, ${f.body} as body from ${table} where search_vector is null and tenant_id = app_tenant() and id > ?::uuid order by id limit ${batch}`,
        [after],
      )) as { id: string; title: string; body: string }[];
      if (!rows.length) break;
      after = rows.at(-1)!.id;
      const vs = rows.map((r) => searchVector(r.title, r.body));
      await execute(
        `update ${table} t set search_vector = setweight(to_tsvector('simple', x.a), 'A') || setweight(to_tsvector('simple', x.b), 'B')
           from jsonb_to_recordset(?::jsonb) as x(id uuid, a text, b text) where t.id = x.id`,
        [JSON.stringify(rows.map((r, i) => ({ id: r.id, a: vs[i]!.A, b: vs[i]!.B })))],
      );
      n += rows.length;
      if (rows.length < batch) break;
    }
  }
  return n;
}

/** `indexMissing` over a node-postgres client (seeds, scripts): `?` placeholders become $1, $2, … */
export const pgExecute =
  (client: { query(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }): Execute =>
  async (sql, params) => {
    let i = 0;
    return (await client.query(sql.replace(/\?/g, () => `$${++i}`), params)).rows;
  };
