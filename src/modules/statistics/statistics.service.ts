import { requireRole, type Context } from '../../core/context.js';
import { notFound, text } from '../../core/errors.js';
import { Role } from '../../core/identity/user.entity.js';
import { isSameOrAncestor, tenantByCode } from '../tenant/tenant.service.js';
import type { Tenant } from '../../core/identity/tenant.entity.js';
import { METRICS, METRIC_BY_KEY, RATES, type MetricKey } from './metrics.js';
import { parsePeriod } from './period.js';

/*
 * The statistics API other modules call, always inside the request's transaction and right beside the
 * write that changes the figure, so a counter never disagrees with the records it counts.
 */

function metricDef(metric: MetricKey) {
  const def = METRIC_BY_KEY.get(metric);
  if (!def) throw new Error(`unknown metric ${metric}`);
  return def;
}

/**
 * One fact: `delta` more (or fewer) of `metric` for committee `tenantId` at moment `at`. Updates the
 * committee's own figure and the subtree figure of it and each ancestor.
 */
export async function recordFact(ctx: Pick<Context, 'em'>, f: { metric: MetricKey; tenantId: string; at: Date; delta?: number }): Promise<void> {
  const def = metricDef(f.metric);
  if (def.shared) throw new Error(`${f.metric} is a shared-item metric: use recordItem`);
  const delta = f.delta ?? 1;
  if (delta === 0) return;
  await ctx.em.execute('select stat_record(?, ?, ?, ?, ?)', [f.tenantId, f.metric, f.at, delta, def.grain === 'year']);
}

/**
 * Committee `tenantId` joins (or leaves) a shared item `itemKey` (e.g. `ResearchProject:<uuid>`). Each
 * participant's own figure counts it; an ancestor's subtree figure counts it once however many of its
 * descendants take part. The item's bucket is fixed by the first participant's `at`. Returns whether
 * anything changed (joining twice is a no-op).
 */
export async function recordItem(ctx: Context, f: { metric: MetricKey; tenantId: string; itemKey: string; at: Date; join?: boolean }): Promise<boolean> {
  if (!metricDef(f.metric).shared) throw new Error(`${f.metric} is not a shared-item metric`);
  const rows = await ctx.em.execute<{ changed: boolean }[]>('select stat_record_item(?, ?, ?, ?, ?) as changed', [f.itemKey, f.metric, f.tenantId, f.at, f.join ?? true]);
  return rows[0]!.changed;
}

/**
 * One fact about item `itemKey` that counts once however often it happens (a report adopted at several
 * levels is one adopted report): the first call counts it for `tenantId` at `at`, later ones change nothing.
 * Returns whether it counted.
 */
export async function recordOnce(ctx: Context, f: { metric: MetricKey; tenantId: string; itemKey: string; at: Date }): Promise<boolean> {
  const def = metricDef(f.metric);
  if (def.shared || def.grain !== 'month') throw new Error(`${f.metric} is not a once-per-item month metric`);
  const rows = await ctx.em.execute<{ counted: boolean }[]>('select stat_record_once(?, ?, ?, ?) as counted', [f.itemKey, f.metric, f.tenantId, f.at]);
  return rows[0]!.counted;
}

/**
 * An answer is due by `dueAt` (a proposal reply, a suggestion's feedback). If it has not come by then, the
 * `metric` (an overdue figure) counts it once, in the month of the deadline.
 */
export async function trackDeadline(ctx: Context, f: { metric: MetricKey; tenantId: string; itemKey: string; dueAt: Date }): Promise<void> {
  metricDef(f.metric);
  await ctx.em.execute('select stat_track_deadline(?, ?, ?, ?)', [f.itemKey, f.metric, f.tenantId, f.dueAt]);
}

/**
 * The deadline of `itemKey` moved to `dueAt` before it passed (an extension granted, a new assignment after
 * the item was given back), open again if it was settled. Returns false when it was already counted overdue:
 * then it stays as it was.
 */
export async function moveDeadline(ctx: Context, f: { itemKey: string; dueAt: Date }): Promise<boolean> {
  const rows = await ctx.em.execute<{ moved: boolean }[]>('select stat_move_deadline(?, ?) as moved', [f.itemKey, f.dueAt]);
  return rows[0]!.moved;
}

/** The answer for `itemKey` came at `at`. */
export async function settleDeadline(ctx: Context, f: { itemKey: string; at: Date }): Promise<void> {
  await ctx.em.execute('select stat_settle_deadline(?, ?)', [f.itemKey, f.at]);
}

export interface MetricValue { metric: string; label: string; value: number }
export interface RateValue { rate: string; label: string; numerator: number; denominator: number; value: number | null }
export interface Figures { metrics: MetricValue[]; rates: RateValue[] }
export interface RankingEntry { rank: number; tenant: Tenant; value: number }
export interface RollupResult {
  tenant: Tenant;
  period: string;
  from: string;
  to: string;
  own: Figures;
  subtree: Figures;
  children: { tenant: Tenant; subtree: Figures }[];
  rankings: { metric: string; label: string; entries: RankingEntry[] }[];
  silentChildren: Tenant[];
}

function figures(values: Map<string, number>): Figures {
  const v = (k: string) => values.get(k) ?? 0;
  return {
    metrics: METRICS.map((m) => ({ metric: m.key, label: m.label, value: v(m.key) })),
    rates: RATES.map((r) => ({
      rate: r.key,
      label: r.label,
      numerator: v(r.numerator),
      denominator: v(r.denominator),
      value: v(r.denominator) ? v(r.numerator) / v(r.denominator) : null,
    })),
  };
}

/** Competition ranking (1, 1, 3): equal values share a rank. */
export function rank<T>(items: { item: T; value: number }[]): { item: T; value: number; rank: number }[] {
  const sorted = [...items].sort((a, b) => b.value - a.value);
  return sorted.map((x) => ({ ...x, rank: 1 + sorted.filter((y) => y.value > x.value).length }));
}

const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN];
const YEAR_METRIC_LIST = `{${METRICS.filter((m) => m.grain === 'year').map((m) => m.key).join(',')}}`;
const MONTH_METRIC_LIST = `{${METRICS.filter((m) => m.grain === 'month').map((m) => m.key).join(',')}}`;

/**
 * The roll-up for a committee at or below the acting one: its own figures, its subtree's, each child's
 * subtree, rankings among the children, and the children that reported no public-opinion information.
 * Reads only counters (committees × metrics × (one row per whole year + at most 22 edge months)), never
 * records, with index-only scans; RLS on the counters lets the acting committee read its own subtree and nothing else.
 */
export async function rollup(ctx: Context, code: string | undefined, periodText: string): Promise<RollupResult> {
  requireRole(ctx, ...READERS);
  const period = parsePeriod(periodText);
  const target = code === undefined || code === null ? ctx.tenant : await tenantByCode(ctx, code);
  if (!target || !isSameOrAncestor(ctx.tenant, target)) throw notFound(text('政协组织', 'Committee'));
  const children = await ctx.loaders.tenant.children.load(target.id);
  const ids = [target.id, ...children.map((c) => c.id)];
  // Whole calendar years inside the period come from the year totals (one row per committee and metric),
  // the months before and after them from the month counters; per-year figures always from the year rows.
  // Overdue figures depend on time passing, not on a write: every deadline row is counted exactly once when
  // a sweep first finds it past due (stat_sweep_overdue flips its `counted` flag in the statement that bumps
  // the counters, under the row lock), and the read sweeps up to now first, so nothing past due is missed.
  const firstFull = period.from.endsWith('-01-01') ? period.fromYear : period.fromYear + 1;
  const endFull = Number(period.to.slice(0, 4));
  const [yFrom, yTo] = endFull > firstFull ? [`${firstFull}-01-01`, `${endFull}-01-01`] : [period.to, period.to];
  const idList = `{${ids.join(',')}}`;
  // Sweeps overdue deadlines up to now, then reads: one round trip (see stat_rollup_read in migration 0003).
  const rows = await ctx.em.execute<{ tenant_id: string; metric: string; own: string; subtree: string }[]>(
    `select tenant_id, metric, own::text as own, subtree::text as subtree
       from stat_rollup_read(?::timestamptz, ?::uuid[], ?::text[], ?::text[], ?::int, ?::int, ?::date, ?::date, ?::date, ?::date)`,
    [ctx.clock.now(), idList, MONTH_METRIC_LIST, YEAR_METRIC_LIST, period.fromYear, period.toYear, period.from, period.to, yFrom, yTo],
  );
  const own = new Map<string, number>();
  const sub = new Map<string, Map<string, number>>(ids.map((id) => [id, new Map()]));
  for (const r of rows) {
    if (r.tenant_id === target.id) own.set(r.metric, Number(r.own));
    sub.get(r.tenant_id)!.set(r.metric, Number(r.subtree));
  }
  const childFigures = children.map((c) => ({ tenant: c, subtree: figures(sub.get(c.id)!) }));
  const rankings = METRICS.filter((m) => 'ranked' in m && m.ranked).map((m) => ({
    metric: m.key,
    label: m.label,
    entries: rank(children.map((c) => ({ item: c, value: sub.get(c.id)!.get(m.key) ?? 0 }))).map((e) => ({ rank: e.rank, tenant: e.item, value: e.value })),
  }));
  return {
    tenant: target,
    period: period.label,
    from: period.from,
    to: period.to,
    own: figures(own),
    subtree: figures(sub.get(target.id)!),
    children: childFigures,
    rankings,
    silentChildren: children.filter((c) => !(sub.get(c.id)!.get('opinion.submitted') ?? 0)),
  };
}
