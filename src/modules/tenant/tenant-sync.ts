import fs from 'node:fs';
import path from 'node:path';
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

export function readTenantFiles(dir: string): { file: string; raw: unknown; settings: Record<string, unknown> }[] {
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
      return { file: f, raw, settings: ((raw as TenantFile)?.settings ?? {}) as Record<string, unknown> };
    });
}

/**
 * Load every file in `dir` into the tenant table, one transaction per file: a rejected file changes
 * nothing, others still load. Idempotent: committees are matched by code and only changes are written.
 */
export async function syncTenants(ownerUrl: string, dir: string): Promise<SyncReport[]> {
  const files = readTenantFiles(dir);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const reports: SyncReport[] = [];
  const errors: string[] = [];
  try {
    for (const { file, raw, settings } of files) {
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
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        errors.push(e instanceof TenantFileError ? e.message : `${file}: ${(e as Error).message}`);
      }
    }
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
  for (const p of planned) {
    const id = ids.get(p.code)!;
    const parentId = p.parent ? ids.get(p.parent)! : null;
    const codes = p.path.split('.');
    const provinceId = ids.get(codes[0]!)!;
    const cityCode = codes.find((c) => levelOf.get(c) === TenantLevel.CITY);
    const cityId = cityCode ? ids.get(cityCode)! : null;
    const config = { ...((settings['*'] as object) ?? {}), ...((settings[p.code] as object) ?? {}) };
    const row = existing.get(p.code);
    if (!row) {
      await client.query(
        'insert into tenant (id, code, name, level, parent_id, province_id, city_id, path, depth, config, source_file) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)',
        [id, p.code, p.name, p.level, parentId, provinceId, cityId, p.path, p.depth, config, file],
      );
      report.inserted++;
    } else if (row.name !== p.name || row.level !== p.level || row.parent_id !== parentId || row.path !== p.path || row.source_file !== file || canonical(row.config) !== canonical(config)) {
      await client.query(
        'update tenant set name=$2, level=$3, parent_id=$4, province_id=$5, city_id=$6, path=$7, depth=$8, config=$9, source_file=$10 where id=$1',
        [id, p.name, p.level, parentId, provinceId, cityId, p.path, p.depth, config, file],
      );
      report.updated++;
    } else {
      report.unchanged++;
    }
  }
  return report;
}

/** JSON with object keys sorted: jsonb does not keep key order, so a plain stringify would see changes. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
