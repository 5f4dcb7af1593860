import { Migration } from '@mikro-orm/migrations';
import { INDEXED_TABLES, indexMissing } from './search-backfill.js';

/**
 * Keyword search (全文检索, issue 18) through PostgreSQL full-text search: each searchable table gets a
 * `search_vector` tsvector, the jieba words of its title (weight A) and body (weight B) under the `simple`
 * configuration, written by the application with the text (src/text/search-vector.ts), with a GIN index.
 * Existing rows are indexed here, committee by committee under that committee's app.tenant_id (row-level
 * security is forced on the owner too).
 */
export class Migration0090SearchIndex extends Migration {
  override async up(): Promise<void> {
    for (const table of Object.keys(INDEXED_TABLES)) {
      await this.execute(`alter table ${table} add column search_vector tsvector`);
      await this.execute(`create index ${table}_search on ${table} using gin (search_vector)`);
    }
    const tenants = (await this.execute('select id from tenant order by id')) as { id: string }[];
    for (const t of tenants) {
      await this.execute(`select set_config('app.tenant_id', ?, true)`, [t.id]);
      await indexMissing((sql, params) => this.execute(sql, params) as Promise<Record<string, unknown>[]>);
    }
    if (tenants.length) await this.execute(`select set_config('app.tenant_id', '', true)`);
  }
}
