import { requireRole, type Context } from '../../core/context.js';
import { badInput, invalidTransition, notFound, text } from '../../core/errors.js';
import type { DutyAct, DutyWithdrawal } from '../../core/events.js';
import { expectGlobalId } from '../../core/global-id.js';
import { applyOrmScope, applyRlsScope } from '../../core/tenancy.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { isSameOrAncestor } from '../tenant/tenant.service.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import { DutyArchive, DutyRecord, DutyRecordOrigin, DutyRecordStatus } from './performance.entity.js';
import { CATEGORY_OF_ACT, checklist, score, type DutyCategory } from './scoring.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN];

/** Archives are by calendar year in China time. */
export const chinaYear = (d: Date) => new Date(d.getTime() + 8 * 3600_000).getUTCFullYear();
const midYear = (year: number) => new Date(Date.UTC(year, 5, 1));

async function counts(ctx: Context, archiveId: string): Promise<Partial<Record<DutyCategory, number>>> {
  const rows = await ctx.em.execute<{ category: DutyCategory; n: number }[]>(
    `select category, count(*)::int as n from duty_record where archive_id = ? and status = 'VERIFIED' group by category`,
    [archiveId],
  );
  return Object.fromEntries(rows.map((r) => [r.category, r.n]));
}

/** Recompute an archive's score and checklist from its verified records; move the statistics by the change. */
async function recompute(ctx: Context, a: DutyArchive): Promise<void> {
  await ctx.em.flush();
  const rules = await ctx.loaders.performance.rulesByTenant.load(a.tenantId);
  const c = await counts(ctx, a.id);
  const next = score(rules, c);
  const done = checklist(rules, c).every((i) => i.complete);
  const [dScore, dDone] = [next - a.score, Number(done) - Number(a.checklistDone)];
  a.score = next;
  a.checklistDone = done;
  await ctx.em.flush();
  if (dScore) await statistics.recordFact(ctx, { metric: 'perf.score_sum', tenantId: a.tenantId, at: midYear(a.year), delta: dScore });
  if (dDone) await statistics.recordFact(ctx, { metric: 'perf.checklist_done', tenantId: a.tenantId, at: midYear(a.year), delta: dDone });
}

async function archiveFor(ctx: Context, seat: MemberSeat, year: number): Promise<DutyArchive> {
  const found = await ctx.em.findOne(DutyArchive, { seatId: seat.id, year });
  if (found) return found;
  const a = ctx.em.create(DutyArchive, { ...ownership({ id: seat.tenantId, provinceId: seat.provinceId, cityId: seat.cityId }), seatId: seat.id, userId: seat.userId, year, score: 0, checklistDone: false });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'perf.archives', tenantId: a.tenantId, at: midYear(year) });
  return a;
}

/**
 * The platform writes an automatic record into the archive of the committee that gets the credit, which
 * may not be the acting one (a city adopting a county member's report). It does so as that committee, for
 * this step only, under both walls; nothing read here goes back to the acting user.
 */
async function asCommittee<T>(ctx: Context, tenantId: string, joint: readonly string[] | undefined, fn: () => Promise<T>): Promise<T> {
  if (tenantId === ctx.tenant.id) return fn();
  // Credit flows down to a committee below the acting one (the level that adopted a report is an ancestor
  // of the report's committee), or between committees of one joint item (a host moderating a participant's
  // speech); anything else is a programming error and fails closed.
  const target = await ctx.loaders.tenant.byId.load(tenantId);
  const jointly = !!joint && joint.includes(ctx.tenant.id) && joint.includes(tenantId);
  if (!target || !(isSameOrAncestor(ctx.tenant, target) || jointly)) throw new Error('duty act credited outside the acting subtree');
  await ctx.em.flush();
  const userId = ctx.viewer.user.id;
  await applyRlsScope(ctx.em, { tenantId, userId });
  applyOrmScope(ctx.em, { tenantId, userId });
  try {
    const result = await fn();
    await ctx.em.flush();
    return result;
  } finally {
    await applyRlsScope(ctx.em, { tenantId: ctx.tenant.id, userId });
    applyOrmScope(ctx.em, { tenantId: ctx.tenant.id, userId });
  }
}

export async function recordAct(ctx: Context, act: DutyAct): Promise<void> {
  await asCommittee(ctx, act.tenantId, act.jointTenantIds, async () => {
    const seat = await ctx.em.findOne(MemberSeat, { tenantId: act.tenantId, userId: act.userId, status: SeatStatus.ACTIVE });
    if (!seat) return;
    const archive = await archiveFor(ctx, seat, chinaYear(act.occurredAt));
    const r = Object.assign(new DutyRecord(), {
      ...ownership({ id: archive.tenantId, provinceId: archive.provinceId, cityId: archive.cityId }),
      archiveId: archive.id,
      category: CATEGORY_OF_ACT[act.kind],
      title: act.title.slice(0, 200),
      occurredAt: act.occurredAt,
      status: DutyRecordStatus.VERIFIED,
      origin: DutyRecordOrigin.AUTO,
      sourceKey: `${act.sourceType}:${act.sourceId}`,
    });
    // Once per act and seat, whatever year it falls in (a research project credited again next year), also
    // when two requests report the same act at once (a member's first two speeches in a session): the second
    // insert finds the first one's key and changes nothing. Under RLS as any insert.
    const inserted = await ctx.em.execute<{ id: string }[]>(
      `insert into duty_record (id, tenant_id, province_id, city_id, created_at, updated_at, archive_id, category, title, occurred_at, status, origin, source_key)
       select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
        where not exists (select 1 from duty_record x join duty_archive xa on xa.id = x.archive_id where xa.seat_id = ? and x.source_key = ?)
       on conflict (archive_id, source_key) do nothing returning id`,
      [r.id, r.tenantId, r.provinceId, r.cityId ?? null, r.createdAt, r.updatedAt, r.archiveId, r.category, r.title, r.occurredAt, r.status, r.origin, r.sourceKey, seat.id, r.sourceKey],
    );
    if (inserted.length) await recompute(ctx, archive);
  });
}

/**
 * The act no longer counts: its automatic record leaves the member's archive (whichever year it is in, the
 * seat serving or ended) and the score and statistics follow.
 */
export async function withdrawAct(ctx: Context, w: DutyWithdrawal): Promise<void> {
  await asCommittee(ctx, w.tenantId, w.jointTenantIds, async () => {
    const seat = await ctx.em.findOne(MemberSeat, { tenantId: w.tenantId, userId: w.userId });
    if (!seat) return;
    const removed = await ctx.em.execute<{ archive_id: string }[]>(
      `delete from duty_record r using duty_archive a
        where a.id = r.archive_id and a.seat_id = ? and r.source_key = ? and r.origin = 'AUTO' returning r.archive_id`,
      [seat.id, `${w.sourceType}:${w.sourceId}`],
    );
    for (const archiveId of new Set(removed.map((x) => x.archive_id))) {
      const a = await ctx.em.findOne(DutyArchive, { id: archiveId });
      if (a) await recompute(ctx, a);
    }
    if (removed.length) ctx.loaders.performance.recordsByArchive.clearAll();
  });
}

/** A seat on the acting committee: a member's own; for staff and leaders any. */
async function seatFor(ctx: Context, seatGlobalId: string | undefined | null): Promise<MemberSeat> {
  if (ctx.viewer.role === Role.MEMBER) {
    const own = await ctx.em.findOne(MemberSeat, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id });
    if (!own || (seatGlobalId && expectGlobalId(seatGlobalId, 'MemberSeat', 'seat') !== own.id)) throw notFound(text('委员席位', 'Member seat'));
    return own;
  }
  if (!seatGlobalId) throw badInput(text('请指定委员席位（seat）', 'seat is required'), { field: 'seat' });
  const seat = await ctx.em.findOne(MemberSeat, { id: expectGlobalId(seatGlobalId, 'MemberSeat', 'seat'), tenantId: ctx.tenant.id });
  if (!seat) throw notFound(text('委员席位', 'Member seat'));
  return seat;
}

function checkYear(year: number) {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput(text('年份须在 2000 至 2100 之间', 'year must be between 2000 and 2100'), { field: 'year' });
}

export async function archive(ctx: Context, seatGlobalId: string | undefined, year: number): Promise<DutyArchive> {
  requireRole(ctx, Role.MEMBER, ...READERS);
  checkYear(year);
  return archiveFor(ctx, await seatFor(ctx, seatGlobalId), year);
}

export async function addDutyRecord(
  ctx: Context,
  input: { seat?: string; category: DutyCategory; title: string; occurredAt: Date },
): Promise<DutyRecord> {
  requireRole(ctx, Role.MEMBER, ...OFFICE);
  const seat = await seatFor(ctx, input.seat);
  if (input.occurredAt > ctx.clock.now()) throw badInput(text('履职时间不能晚于现在', 'occurredAt cannot be in the future'), { field: 'occurredAt' });
  const a = await archiveFor(ctx, seat, chinaYear(input.occurredAt));
  const byOffice = ctx.viewer.role !== Role.MEMBER;
  const r = ctx.em.create(DutyRecord, {
    ...ownership(ctx.tenant),
    archiveId: a.id,
    category: input.category,
    title: input.title,
    occurredAt: input.occurredAt,
    status: byOffice ? DutyRecordStatus.VERIFIED : DutyRecordStatus.PENDING,
    origin: DutyRecordOrigin.MANUAL,
    enteredBy: ctx.viewer.user.id,
    verifiedBy: byOffice ? ctx.viewer.user.id : null,
  });
  await ctx.em.flush();
  if (byOffice) await recompute(ctx, a);
  return r;
}

/** The committee's records awaiting verification (待审核履职记录), oldest first: the office's queue. */
export async function pendingRecords(ctx: Context, page: PageArgs) {
  requireRole(ctx, ...OFFICE);
  return paginate(ctx.em, DutyRecord, { tenantId: ctx.tenant.id, status: DutyRecordStatus.PENDING }, page, ctx.config.maxPageSize);
}

/** Verify a pending record, or reject it with the reason the member reads. */
export async function verifyDutyRecord(ctx: Context, globalId: string, approve: boolean, reason?: string | null): Promise<DutyRecord> {
  requireRole(ctx, ...OFFICE);
  const why = reason?.trim() ?? '';
  if (!approve && (why.length < 2 || why.length > 500)) throw badInput(text('退回须说明理由（2 至 500 字）', 'A rejection needs its reason, 2–500 characters'), { field: 'reason' });
  if (approve && reason != null) throw badInput(text('只有退回时才填写理由', 'A reason is given only with a rejection'), { field: 'reason' });
  const r = await ctx.em.findOne(DutyRecord, { id: expectGlobalId(globalId, 'DutyRecord'), tenantId: ctx.tenant.id });
  if (!r) throw notFound(text('履职记录', 'Duty record'));
  const to = approve ? DutyRecordStatus.VERIFIED : DutyRecordStatus.REJECTED;
  if (r.status !== DutyRecordStatus.PENDING) throw invalidTransition(r.status, to, r.status === DutyRecordStatus.VERIFIED ? text('该履职记录已审核通过', 'This duty record has already been verified') : text('该履职记录已被退回', 'This duty record has already been rejected'));
  r.status = to;
  r.verifiedBy = ctx.viewer.user.id;
  r.rejectReason = approve ? null : why;
  await ctx.em.flush();
  if (approve) await recompute(ctx, (await ctx.em.findOne(DutyArchive, { id: r.archiveId }))!);
  return r;
}

export async function readableArchive(ctx: Context, id: string): Promise<DutyArchive | null> {
  const a = await ctx.em.findOne(DutyArchive, { id, tenantId: ctx.tenant.id });
  if (!a) return null;
  return READERS.includes(ctx.viewer.role) || a.userId === ctx.viewer.user.id ? a : null;
}

export async function readableRecord(ctx: Context, id: string): Promise<DutyRecord | null> {
  const r = await ctx.em.findOne(DutyRecord, { id, tenantId: ctx.tenant.id });
  if (!r) return null;
  return (await readableArchive(ctx, r.archiveId)) ? r : null;
}

/** Rank within the committee for the year: 1 + archives with a higher score. */
export async function rankOf(ctx: Context, a: DutyArchive): Promise<number> {
  const rows = await ctx.em.execute<{ n: number }[]>('select count(*)::int as n from duty_archive where tenant_id = ? and year = ? and score > ?', [a.tenantId, a.year, a.score]);
  return rows[0]!.n + 1;
}

export async function checklistOf(ctx: Context, a: DutyArchive) {
  const rules = await ctx.loaders.performance.rulesByTenant.load(a.tenantId);
  const records = await ctx.loaders.performance.recordsByArchive.load(a.id);
  const c: Partial<Record<DutyCategory, number>> = {};
  for (const r of records) if (r.status === DutyRecordStatus.VERIFIED) c[r.category] = (c[r.category] ?? 0) + 1;
  return checklist(rules, c);
}

/** The committee's archives for a year by score (委员履职排名), competition ranks. */
export async function committeeRanking(ctx: Context, year: number, first: number | undefined) {
  requireRole(ctx, ...READERS);
  checkYear(year);
  const limit = first ?? 20;
  if (limit < 1 || limit > ctx.config.maxPageSize) throw badInput(text(`first 须为 1 至 ${ctx.config.maxPageSize}`, `first must be 1 to ${ctx.config.maxPageSize}`), { field: 'first' });
  const rows = await ctx.em.find(DutyArchive, { tenantId: ctx.tenant.id, year }, { orderBy: { score: 'desc', id: 'asc' }, limit });
  return statistics.rank(rows.map((a) => ({ item: a, value: a.score }))).map((e) => ({ rank: e.rank, archive: e.item }));
}
