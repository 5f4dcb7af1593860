import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../../src/core/config.js';
import { appDbPassword } from '../../src/core/secrets.js';
import { APP_ROLE } from '../../src/core/database.js';
import { rlsScopeSql } from '../../src/core/tenancy.js';
import { newId } from '../../src/core/ids.js';
import { TEST_JWT_SECRET } from './global-setup.js';
import { withDatabase } from './external-db.js';

/*
 * Wall two on its own: direct SQL as the application role, under the same transaction-local settings a
 * request sets (rlsScopeSql, the statement buildContext sends), with no ORM and no service in between.
 */

export interface RlsDb {
  appUrl: string;
  /**
   * Superuser connections: fixtures and checks, behind row-level security. On the embedded server that is
   * the owner; on an external one (TEST_DATABASE_URL) the owner is held by FORCE like everyone, and this is
   * the harness's own superuser (TEST_DATABASE_ADMIN_URL).
   */
  admin: pg.Pool;
  /** Application-role connections: what a request runs as. */
  app: pg.Pool;
  close(): Promise<void>;
}

/** A database of its own, cloned from the migrated, seeded template; app-role and superuser pools on it. */
export async function cloneDatabase(): Promise<RlsDb> {
  const { adminUrl, inspectUrl, template } = inject('pg');
  const name = `rls_${randomBytes(6).toString('hex')}`;
  const creator = new pg.Client({ connectionString: adminUrl });
  await creator.connect();
  await creator.query(`create database ${name} template ${template}`);
  await creator.end();
  const u = new URL(withDatabase(adminUrl, name));
  u.username = APP_ROLE;
  u.password = appDbPassword(loadConfig({}, { jwtSecret: TEST_JWT_SECRET }), TEST_JWT_SECRET);
  const appUrl = u.toString();
  const admin = new pg.Pool({ connectionString: withDatabase(inspectUrl, name), max: 4 });
  const app = new pg.Pool({ connectionString: appUrl, max: 4 });
  const role = (await app.query('select current_user as u, (select rolbypassrls or rolsuper from pg_roles where rolname = current_user) as bypass')).rows[0];
  if (role.u !== APP_ROLE || role.bypass) throw new Error(`app pool runs as ${role.u} (bypass: ${role.bypass})`);
  return {
    appUrl,
    admin,
    app,
    close: async () => {
      await Promise.all([admin.end(), app.end()]);
    },
  };
}

export interface Committee {
  id: string;
  code: string;
  name: string;
  provinceId: string;
  cityId: string | null;
  path: string;
}

export async function committees(db: pg.Pool | pg.PoolClient, codes: string[]): Promise<Record<string, Committee>> {
  const rows = (await db.query(`select id, code, name, province_id, city_id, path from tenant where code = any ($1)`, [codes])).rows;
  const out: Record<string, Committee> = {};
  for (const r of rows) out[r.code] = { id: r.id, code: r.code, name: r.name, provinceId: r.province_id, cityId: r.city_id, path: r.path };
  for (const c of codes) if (!out[c]) throw new Error(`committee ${c} is not in the seeded tree`);
  return out;
}

/** What a request sets: an acting committee and a user; null: nothing set at all. */
export type Scope = { tenantId: string; userId: string } | null;

/**
 * Runs `fn` as the application role inside one transaction with the scope set the way buildContext sets
 * it (transaction-local), then rolls back, so nothing a test writes survives unless `commit` is set.
 */
export async function inScope<T>(pool: pg.Pool, scope: Scope, fn: (c: pg.PoolClient) => Promise<T>, opts: { commit?: boolean } = {}): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    if (scope) await c.query(rlsScopeSql(scope));
    const out = await fn(c);
    await c.query(opts.commit ? 'commit' : 'rollback');
    return out;
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

export interface Outcome {
  ok: boolean;
  rowCount: number;
  rows: any[];
  code?: string;
  message?: string;
  /** Why PostgreSQL refused: a row-level security check, a missing privilege, or something else. */
  refusal?: 'rls' | 'privilege' | 'fk' | 'other';
}

/**
 * One statement under a savepoint: its outcome, and the transaction goes on whatever happened. `undo`: roll
 * its effects back even when it succeeded (to try the next statement against the same rows).
 */
export async function attempt(c: pg.PoolClient | pg.Client, sql: string, params: unknown[] = [], opts: { undo?: boolean } = {}): Promise<Outcome> {
  await c.query('savepoint attempt');
  try {
    const r = await c.query(sql, params);
    await c.query(opts.undo ? 'rollback to savepoint attempt' : 'release savepoint attempt');
    return { ok: true, rowCount: r.rowCount ?? 0, rows: r.rows };
  } catch (e: any) {
    await c.query('rollback to savepoint attempt');
    // Wall two refuses through a policy, or through the guard trigger that keeps a participation pointing at
    // what it was created for (migration 0014), which runs before the policies' checks.
    const wallTwo = /row-level security|a participation keeps its item/.test(e.message);
    // A foreign key refusing a delete (23503, or 23001 for ON DELETE RESTRICT) comes after the policy let the
    // statement reach the row.
    const refusal = e.code === '42501' ? (wallTwo ? 'rls' : /permission denied/.test(e.message) ? 'privilege' : 'other') : e.code === '23503' || e.code === '23001' ? 'fk' : 'other';
    return { ok: false, rowCount: 0, rows: [], code: e.code, message: e.message, refusal };
  }
}

// ---- the catalog -----------------------------------------------------------------------------------------

export interface Column {
  name: string;
  /** information_schema data_type ('ARRAY', 'uuid', 'character varying', …). */
  dataType: string;
  /** udt_name ('_uuid', 'int4', 'varchar', …). */
  udt: string;
  nullable: boolean;
  hasDefault: boolean;
  maxLength: number | null;
}

export interface TableInfo {
  name: string;
  columns: Column[];
  pk: string[];
  /** Single-column foreign keys: column → referenced table and column. */
  fks: Map<string, { table: string; column: string }>;
  /** Values a column's `col in (…)` check constraint allows, in declared order. */
  allowed: Map<string, string[]>;
  rls: boolean;
  force: boolean;
  /** Commands the table's policies cover: r (select), a (insert), w (update), d (delete), * (all). */
  policyCommands: string[];
  /** What the application role may do with the table by grant. */
  grants: { select: boolean; insert: boolean; update: boolean; delete: boolean };
}

/** Every table of the application schema (public), straight from the system catalog. */
export async function readCatalog(db: pg.Pool): Promise<Map<string, TableInfo>> {
  const tables = (
    await db.query(
      `select c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity,
              coalesce((select array_agg(distinct p.polcmd::text)::text[] from pg_policy p where p.polrelid = c.oid), '{}') as cmds,
              has_table_privilege($1, c.oid, 'select') s, has_table_privilege($1, c.oid, 'insert') i,
              has_table_privilege($1, c.oid, 'update') u, has_table_privilege($1, c.oid, 'delete') d
         from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by c.relname`,
      [APP_ROLE],
    )
  ).rows;
  const cols = (
    await db.query(
      `select table_name, column_name, data_type, udt_name, is_nullable = 'YES' as nullable, column_default is not null as has_default, character_maximum_length
         from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
    )
  ).rows;
  const cons = (
    await db.query(
      `select k.conrelid::regclass::text as tbl, k.contype, k.confrelid::regclass::text as ref,
              (select array_agg(a.attname::text order by x.n) from unnest(k.conkey) with ordinality x(att, n) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.att) as cols,
              (select array_agg(a.attname::text order by x.n) from unnest(k.confkey) with ordinality x(att, n) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.att) as refcols,
              pg_get_constraintdef(k.oid) as def
         from pg_constraint k where k.connamespace = 'public'::regnamespace and k.contype in ('p', 'f', 'c')`,
    )
  ).rows;
  const out = new Map<string, TableInfo>();
  for (const t of tables) {
    out.set(t.relname, {
      name: t.relname,
      columns: cols
        .filter((c) => c.table_name === t.relname)
        .map((c) => ({ name: c.column_name, dataType: c.data_type, udt: c.udt_name, nullable: c.nullable, hasDefault: c.has_default, maxLength: c.character_maximum_length })),
      pk: [],
      fks: new Map(),
      allowed: new Map(),
      rls: t.relrowsecurity,
      force: t.relforcerowsecurity,
      policyCommands: t.cmds,
      grants: { select: t.s, insert: t.i, update: t.u, delete: t.d },
    });
  }
  for (const k of cons) {
    const t = out.get(k.tbl);
    if (!t) continue;
    if (k.contype === 'p') t.pk = k.cols;
    if (k.contype === 'f' && k.cols.length === 1) t.fks.set(k.cols[0], { table: k.ref, column: k.refcols[0] });
    if (k.contype === 'c') {
      // CHECK (((status)::text = ANY ((ARRAY['A'::character varying, 'B'::character varying])::text[])))
      const m = /^CHECK \(\(\((\w+)\)::text = ANY \(\(ARRAY\[(.*)\]\)::text\[\]\)\)\)$/.exec(k.def);
      if (m) t.allowed.set(m[1]!, [...m[2]!.matchAll(/'([^']*)'::character varying/g)].map((x) => x[1]!));
    }
  }
  return out;
}

/** Tables that belong to a committee: they carry its id. */
export const isTenantOwned = (t: TableInfo) => t.columns.some((c) => c.name === 'tenant_id');

/** Does the table's set of policies cover every command (FOR ALL counts for all four)? */
export const coversAllCommands = (t: TableInfo) => t.policyCommands.includes('*') || ['r', 'a', 'w', 'd'].every((c) => t.policyCommands.includes(c));

// ---- the fixture -----------------------------------------------------------------------------------------

/**
 * Columns that say whose a row is, and what they hold for committee X: every foreign key to the tenant
 * table is X's id (tenant_id, owner_tenant_id, origin_tenant_id, …) except province_id and city_id, which are
 * X's own; `participant_ids` lists X alone; `path` is X's path (the statistics tables' RLS key).
 */
export function tenantValue(t: TableInfo, col: Column, x: Committee): { value: unknown } | undefined {
  const fk = t.fks.get(col.name);
  if (fk?.table === 'tenant') return { value: col.name === 'province_id' ? x.provinceId : col.name === 'city_id' ? x.cityId : x.id };
  if (col.name === 'participant_ids' && col.udt === '_uuid') return { value: [x.id] };
  if (col.name === 'path' && t.columns.some((c) => c.name === 'tenant_id')) return { value: x.path };
  return undefined;
}

export type Row = Record<string, unknown>;

/**
 * Per-table values generic filling cannot produce, reviewed by hand. Keep it short: a table missing here
 * still gets a generic row (and fails loudly if that row is refused by a constraint).
 */
export const OVERRIDES: Record<string, Record<string, (row: Row, seq: number) => unknown>> = {
  // check (ends_at > starts_at); every generic timestamp is the same instant.
  deliberation_session: { ends_at: () => '2025-06-01T02:00:00Z' },
  // A null seq fires the numbering trigger at commit, which wants a LIVE session: number the row here.
  deliberation_event: { seq: (_row, seq) => seq },
  // The level a committee writes for itself is its own report's first one (no sender); sent levels are
  // written by the sender for its parent (tests/integration/rls-shared.test.ts).
  opinion_route: { from_tenant_id: () => null },
  // check (requested_until > previous_deadline).
  deadline_extension: { requested_until: () => '2025-07-01T00:00:00Z' },
  // check (ends_at > starts_at), check (deadline > issued_at).
  meeting: { ends_at: () => '2025-06-01T02:00:00Z' },
  supervision_task: { deadline: () => '2025-07-01T00:00:00Z' },
  // check (channel in ('EMAIL', 'SMS')); unique per notification and channel, and every row has its own notification.
  notification_delivery: { channel: () => 'EMAIL' },
};

/**
 * Builds rows for every tenant-owned table from the catalog: tenant columns for the chosen committee,
 * NOT NULL foreign keys to another table pointing at that committee's row of it (inserted first), other
 * NOT NULL columns without a default filled by type (a `col in (…)` check gives the first allowed value;
 * strings and integers are unique per row). Nullable columns stay null.
 */
export class Fixture {
  /** Rows to insert as the superuser, parents first. */
  readonly pending: { table: string; row: Row }[] = [];
  /** The one "main" row of each table for each committee code. */
  readonly main = new Map<string, Map<string, Row>>();
  private seq = 0;

  constructor(readonly catalog: Map<string, TableInfo>) {}

  next(): number {
    return ++this.seq;
  }

  /** The committee's main row of `table` (built with its parents on first use). */
  mainRow(table: string, x: Committee): Row {
    const byCode = this.main.get(table) ?? new Map<string, Row>();
    this.main.set(table, byCode);
    const found = byCode.get(x.code);
    if (found) return found;
    const row = this.build(table, x, (ref) => this.mainRow(ref, x));
    byCode.set(x.code, row);
    this.pending.push({ table, row });
    return row;
  }

  /**
   * A row of `table` for the committee whose parents are fresh rows of their own (queued for insertion by
   * the owner), the row itself not queued: what a test tries to insert as the application role. Fresh
   * parents keep unique keys that involve a parent (one seat per user, one team place per project) free.
   */
  candidate(table: string, x: Committee): Row {
    const fresh = (ref: string): Row => {
      const r = this.build(ref, x, fresh);
      this.pending.push({ table: ref, row: r });
      return r;
    };
    return this.build(table, x, fresh);
  }

  build(table: string, x: Committee, parent: (ref: string) => Row): Row {
    const t = this.catalog.get(table);
    if (!t) throw new Error(`fixture: no table ${table}`);
    const row: Row = {};
    const n = this.next();
    for (const col of t.columns) {
      const override = OVERRIDES[table]?.[col.name];
      if (override) {
        row[col.name] = override(row, n);
        continue;
      }
      const tv = tenantValue(t, col, x);
      if (tv) {
        row[col.name] = tv.value;
        continue;
      }
      const fk = t.fks.get(col.name);
      if (fk && !col.nullable) {
        row[col.name] = parent(fk.table)[fk.column];
        continue;
      }
      if (col.nullable || (col.hasDefault && !t.pk.includes(col.name))) continue;
      row[col.name] = this.valueFor(t, col, n);
    }
    return row;
  }

  private valueFor(t: TableInfo, col: Column, n: number): unknown {
    const allowed = t.allowed.get(col.name);
    if (allowed?.length) return allowed[0];
    switch (col.udt) {
      case 'uuid':
        return newId();
      case 'varchar':
      case 'text': {
        const s = `rls-${t.name}-${col.name}-${n}-${randomBytes(3).toString('hex')}`;
        return col.maxLength ? s.slice(-col.maxLength) : s;
      }
      case 'int2':
      case 'int4':
      case 'int8':
        return n;
      case 'bool':
        return false;
      case 'date':
        return '2025-06-01';
      case 'timestamptz':
      case 'timestamp':
        return '2025-06-01T00:00:00Z';
      case 'jsonb':
      case 'json':
        return '{}';
      default:
        throw new Error(`fixture: no generic value for ${t.name}.${col.name} (${col.udt}); add it to OVERRIDES in tests/helpers/rls.ts`);
    }
  }

  /** Inserts everything queued, as the superuser, in one transaction; names the table a row was refused by. */
  async flush(admin: pg.Pool): Promise<void> {
    const c = await admin.connect();
    try {
      await c.query('begin');
      for (const { table, row } of this.pending.splice(0)) {
        const { sql, params } = insertSql(table, row);
        // Each row under its committee's settings, as the application writes: what a trigger does as the owner
        // (stat_counter_year kept from stat_counter) is held by FORCE where the owner is not a superuser.
        if (typeof row.tenant_id === 'string') await c.query(`select set_config('app.tenant_id', $1, true)`, [row.tenant_id]);
        try {
          await c.query(sql, params);
        } catch (e: any) {
          throw new Error(`fixture: inserting into ${table} failed (${e.code}: ${e.message}); extend OVERRIDES in tests/helpers/rls.ts. Row: ${JSON.stringify(row)}`);
        }
      }
      await c.query('commit');
    } catch (e) {
      await c.query('rollback').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }
}

export function insertSql(table: string, row: Row): { sql: string; params: unknown[] } {
  const cols = Object.keys(row);
  return {
    sql: `insert into ${pg.escapeIdentifier(table)} (${cols.map((c) => pg.escapeIdentifier(c)).join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
    params: cols.map((c) => row[c]),
  };
}

/** `where` matching exactly the given rows by primary key (compared as text, so any key type works). */
export function byKeys(t: TableInfo, rows: Row[], from = 1): { where: string; params: unknown[] } {
  if (!t.pk.length) throw new Error(`${t.name} has no primary key`);
  const cols = t.pk.map((c) => `${pg.escapeIdentifier(c)}::text`).join(', ');
  const params = t.pk.map((c) => rows.map((r) => (r[c] instanceof Date ? (r[c] as Date).toISOString() : String(r[c]))));
  const arrays = t.pk.map((_, i) => `$${from + i}::text[]`).join(', ');
  return { where: `(${cols}) in (select * from unnest(${arrays}))`, params };
}

/** The same row under a new primary key (for insert attempts), other columns unchanged. */
export function copyWithNewKey(t: TableInfo, row: Row): Row {
  const copy = { ...row };
  for (const c of t.pk) {
    const col = t.columns.find((x) => x.name === c)!;
    if (col.udt !== 'uuid') throw new Error(`${t.name}: copying a row needs a uuid primary key`);
    copy[c] = newId();
  }
  return copy;
}
