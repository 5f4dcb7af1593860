import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { newId } from '../../core/ids.js';
import { setTreeShape } from './tenant.shape.js';
import { LEVEL_DEPTH, TenantLevel } from '../../core/identity/tenant.entity.js';

/** One committee as written in a tenants/ file. */
export interface TenantEntry {
  code: string;
  name: string;
  level: TenantLevel;
  parent?: string;
}

export interface TenantFile {
  province: string;
  description?: string;
  /** Per-committee settings (e.g. scoring rules), keyed by code; '*' applies to the whole file. */
  settings?: Record<string, unknown>;
  tenants: TenantEntry[];
}

export class TenantFileError extends Error {}

export interface SyncReport {
  file: string;
  inserted: number;
  updated: number;
  unchanged: number;
  /** The file's content was the one last synced (start-up's shortcut): its rows were not compared. */
  skipped?: true;
}

export interface SyncOptions {
  /** Province codes whose files load (TENANT_PROVINCES); every file when absent. */
  provinces?: readonly string[] | null;
  /**
   * Skip a file whose content (SHA-256) is the one last synced into this database (start-up does; the
   * tenants:sync command does not, and compares every row).
   */
  skipUnchanged?: boolean;
}

interface Planned extends TenantEntry {
  path: string;
  depth: number;
}

/** Check a whole file before anything is applied; the message names the file and the entry. */
export function validateTenantFile(file: string, raw: unknown): Planned[] {
  const fail = (msg: string, e?: Partial<TenantEntry>) =>
    new TenantFileError(`${file}: ${e ? `entry ${e.code ?? '?'}${e.name ? ` (${e.name})` : ''}: ` : ''}${msg}`);
  const doc = raw as TenantFile;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.tenants)) throw fail('expected { "province": "<code>", "tenants": [...] }');
  const byCode = new Map<string, TenantEntry>();
  for (const e of doc.tenants) {
    if (!e || typeof e.code !== 'string' || !/^\d{6}$/.test(e.code)) throw fail('code must be a 6-digit administrative division code', e);
    if (typeof e.name !== 'string' || !e.name.trim() || e.name.length > 64) throw fail('name must be 1–64 characters', e);
    if (!Object.values(TenantLevel).includes(e.level)) throw fail(`level must be one of ${Object.values(TenantLevel).join(', ')}`, e);
    if (byCode.has(e.code)) throw fail('duplicate code', e);
    byCode.set(e.code, e);
  }
  const roots = doc.tenants.filter((e) => !e.parent);
  if (roots.length !== 1 || roots[0]!.level !== TenantLevel.PROVINCE) throw fail('a file holds exactly one province (the only entry without a parent)');
  if (roots[0]!.code !== doc.province) throw fail(`"province" is ${doc.province} but the root entry is ${roots[0]!.code}`);
  const planned = new Map<string, Planned>();
  const resolve = (e: TenantEntry, seen: Set<string>): Planned => {
    const done = planned.get(e.code);
    if (done) return done;
    if (seen.has(e.code)) throw fail('parent chain forms a cycle', e);
    let p: Planned;
    if (!e.parent) {
      p = { ...e, path: e.code, depth: 0 };
    } else {
      const parentEntry = byCode.get(e.parent);
      if (!parentEntry) throw fail(`unknown parent ${e.parent}`, e);
      const parent = resolve(parentEntry, new Set([...seen, e.code]));
      if (LEVEL_DEPTH[e.level] <= LEVEL_DEPTH[parent.level]) throw fail(`level ${e.level} cannot sit under ${parent.level} ${parent.code}`, e);
      p = { ...e, path: `${parent.path}.${e.code}`, depth: parent.depth + 1 };
    }
    planned.set(e.code, p);
    return p;
  };
  for (const e of doc.tenants) resolve(e, new Set());
  return doc.tenants.map((e) => planned.get(e.code)!);
}

export function readTenantFiles(dir: string): { file: string; raw: unknown; settings: Record<string, unknown>; sha256: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new TenantFileError(`${f}: not valid JSON (${(e as Error).message})`);
      }
      return { file: f, raw, settings: ((raw as TenantFile)?.settings ?? {}) as Record<string, unknown>, sha256: createHash('sha256').update(text).digest('hex') };
    });
}

/**
 * Load every file in `dir` (or those of `options.provinces`) into the tenant table, one transaction per
 * file: a rejected file changes nothing, others still load. Idempotent: committees are matched by code and
 * only changes are written, a file's new committees in one statement and its changed ones in another.
 * Committees of a province left out of `provinces` stay as they are (records may refer to them).
 */
export async function syncTenants(ownerUrl: string, dir: string, options: SyncOptions = {}): Promise<SyncReport[]> {
  const all = readTenantFiles(dir);
  const wanted = options.provinces?.length ? new Set(options.provinces) : null;
  const files = wanted ? all.filter((f) => wanted.has(String((f.raw as TenantFile | null)?.province))) : all;
  const errors: string[] = [];
  if (wanted) {
    const found = new Set(files.map((f) => String((f.raw as TenantFile).province)));
    const missing = [...wanted].filter((p) => !found.has(p));
    if (missing.length) errors.push(`TENANT_PROVINCES names ${missing.join(', ')}, but ${dir} has no file for ${missing.length > 1 ? 'them' : 'it'}`);
  }
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const reports: SyncReport[] = [];
  try {
    const synced = new Map<string, string>(
      options.skipUnchanged ? (await client.query('select file, sha256 from tenant_source')).rows.map((r) => [r.file, r.sha256]) : [],
    );
    for (const { file, raw, settings, sha256 } of files) {
      if (synced.get(file) === sha256) {
        reports.push({ file, inserted: 0, updated: 0, unchanged: (raw as TenantFile).tenants.length, skipped: true });
        continue;
      }
      let planned: Planned[];
      try {
        planned = validateTenantFile(file, raw);
      } catch (e) {
        errors.push((e as Error).message);
        continue;
      }
      await client.query('begin');
      try {
        reports.push(await applyFile(client, file, planned, settings));
        await client.query(
          `insert into tenant_source (file, sha256, committees) values ($1, $2, $3)
           on conflict (file) do update set sha256 = excluded.sha256, committees = excluded.committees, synced_at = now()`,
          [file, sha256, planned.length],
        );
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        errors.push(e instanceof TenantFileError ? e.message : `${file}: ${(e as Error).message}`);
      }
    }
    // Fresh planner statistics once the tree has grown or changed (3,000 committees arriving at once would
    // otherwise be planned as the few it had until autovacuum gets to it).
    if (reports.some((r) => r.inserted || r.updated)) await client.query('analyze tenant');
    const shape = (
      await client.query(`select (select count(*) from tenant where parent_id is null)::int roots,
                                 coalesce((select max(n) from (select count(*) n from tenant where parent_id is not null group by parent_id) c), 0)::int fanout`)
    ).rows[0];
    setTreeShape(shape.roots, shape.fanout);
  } finally {
    await client.end();
  }
  if (errors.length) throw new TenantFileError(errors.join('\n'));
  return reports;
}

const COLUMNS = ['id', 'code', 'name', 'level', 'parent_id', 'province_id', 'city_id', 'path', 'depth', 'config', 'source_file'] as const;
const TYPES = ['uuid', 'varchar', 'varchar', 'varchar', 'uuid', 'uuid', 'uuid', 'varchar', 'smallint', 'jsonb', 'varchar'];

async function applyFile(client: pg.Client, file: string, planned: Planned[], settings: Record<string, unknown>): Promise<SyncReport> {
  const report: SyncReport = { file, inserted: 0, updated: 0, unchanged: 0 };
  const existing = new Map<string, { id: string; name: string; level: string; parent_id: string | null; path: string; source_file: string | null; config: unknown }>(
    (await client.query('select id, code, name, level, parent_id, path, source_file, config from tenant where code = any($1)', [planned.map((p) => p.code)])).rows.map((r) => [r.code, r]),
  );
  const ids = new Map<string, string>();
  const levelOf = new Map(planned.map((p) => [p.code, p.level]));
  for (const p of planned) {
    const row = existing.get(p.code);
    if (row && row.source_file && row.source_file !== file) throw new TenantFileError(`${file}: entry ${p.code} (${p.name}): already defined by ${row.source_file}`);
    ids.set(p.code, row?.id ?? newId());
  }
  // Column arrays of the rows to insert and of the rows to update, each written in one statement.
  const inserts: unknown[][] = COLUMNS.map(() => []);
  const updates: unknown[][] = COLUMNS.map(() => []);
  const add = (to: unknown[][], values: unknown[]) => values.forEach((v, i) => to[i]!.push(v));
  for (const p of planned) {
    const id = ids.get(p.code)!;
    const parentId = p.parent ? ids.get(p.parent)! : null;
    const codes = p.path.split('.');
    const provinceId = ids.get(codes[0]!)!;
    const cityCode = codes.find((c) => levelOf.get(c) === TenantLevel.CITY);
    const cityId = cityCode ? ids.get(cityCode)! : null;
    const config = { ...((settings['*'] as object) ?? {}), ...((settings[p.code] as object) ?? {}) };
    const values = [id, p.code, p.name, p.level, parentId, provinceId, cityId, p.path, p.depth, JSON.stringify(config), file];
    const row = existing.get(p.code);
    if (!row) {
      add(inserts, values);
      report.inserted++;
    } else if (row.name !== p.name || row.level !== p.level || row.parent_id !== parentId || row.path !== p.path || row.source_file !== file || canonical(row.config) !== canonical(config)) {
      add(updates, values);
      report.updated++;
    } else {
      report.unchanged++;
    }
  }
  const unnest = COLUMNS.map((_, i) => `$${i + 1}::${TYPES[i]}[]`).join(', ');
  // Parents and children may arrive in one statement: the foreign key on parent_id is checked at its end.
  if (report.inserted) await client.query(`insert into tenant (${COLUMNS.join(', ')}) select * from unnest(${unnest})`, inserts);
  if (report.updated) {
    await client.query(
      `update tenant t set ${COLUMNS.slice(2).map((c) => `${c} = v.${c}`).join(', ')}
         from unnest(${unnest}) as v(${COLUMNS.join(', ')}) where t.id = v.id`,
      updates,
    );
  }
  return report;
}

/** JSON with object keys sorted: jsonb does not keep key order, so a plain stringify would see changes. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
