import type { FilterQuery } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs, type PageOrder } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { TenantLevel, type Tenant } from '../../core/identity/tenant.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import type { MetricKey } from '../statistics/metrics.js';
import { Opinion, OpinionLevel, OpinionSource, OpinionStatus } from './opinion.entity.js';
import type { EditOpinionInput, InstructOpinionInput, OpinionOrder, SubmitOpinionInput } from './opinion.inputs.js';
import { inOrderOf } from '../../core/node-loader.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const HANDLERS = [Role.STAFF, Role.LEADER, Role.ADMIN];
const ADOPTED_AT: Record<TenantLevel, MetricKey> = {
  COUNTY: 'opinion.adopted.county',
  CITY: 'opinion.adopted.city',
  PROVINCE: 'opinion.adopted.province',
};

/**
 * Office and leaders see the committee's own reports and those forwarded to it; a member sees the reports
 * they wrote. The same rule as the RLS policy, stated explicitly so it holds with the ORM filter off.
 */
export function readRule(ctx: Context): FilterQuery<Opinion> {
  if (ctx.viewer.role === Role.MEMBER) return { tenantId: ctx.tenant.id, authorId: ctx.viewer.user.id };
  const reached = ctx.em.createQueryBuilder(OpinionLevel, 'l').select('l.opinion_id').where({ tenantId: ctx.tenant.id }).getKnexQuery();
  return { $or: [{ tenantId: ctx.tenant.id }, { id: { $in: reached as never } }] };
}

/** `received`: true, only reports forwarded up from below; false, only the committee's own; null, both. */
export async function listOpinions(ctx: Context, received: boolean | null, page: PageArgs, orderBy?: OpinionOrder) {
  requireRole(ctx, ...HANDLERS, Role.MEMBER);
  const origin = received === null ? [] : [{ tenantId: received ? { $ne: ctx.tenant.id } : ctx.tenant.id }];
  const where: FilterQuery<Opinion> = { $and: [readRule(ctx), ...origin] };
  const order: PageOrder<Opinion> | undefined = orderBy && { name: 'submitted', direction: orderBy.direction, key: { prop: 'submittedAt', type: 'date' } };
  return paginate(ctx.em, Opinion, where, page, ctx.config.maxPageSize, order);
}

export async function readableOpinion(ctx: Context, id: string): Promise<Opinion | null> {
  if (![...HANDLERS, Role.MEMBER].includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(Opinion, { $and: [{ id }, readRule(ctx)] });
}

/** `readableOpinion` for many ids in one statement. */
export async function readableOpinions(ctx: Context, ids: readonly string[]): Promise<(Opinion | null)[]> {
  if (![...HANDLERS, Role.MEMBER].includes(ctx.viewer.role)) return ids.map(() => null);
  return inOrderOf(ids, await ctx.em.find(Opinion, { $and: [{ id: { $in: [...ids] } }, readRule(ctx)] }));
}

async function findOpinion(ctx: Context, globalId: string): Promise<Opinion> {
  const id = expectGlobalId(globalId, 'Opinion');
  const o = await readableOpinion(ctx, id);
  if (!o) throw notFound(text('社情民意信息', 'Opinion'));
  return o;
}

/** The acting committee's level of a report it may see. */
async function myLevel(ctx: Context, o: Opinion): Promise<OpinionLevel> {
  const r = await ctx.em.findOne(OpinionLevel, { opinionId: o.id, tenantId: ctx.tenant.id });
  if (!r) throw notFound(text('社情民意信息', 'Opinion'));
  return r;
}

/** Levels of a report the viewer may see, lowest level first. */
export async function levelsOf(ctx: Context, o: Opinion): Promise<OpinionLevel[]> {
  const rows = await ctx.loaders.opinion.levelsByOpinion.load(o.id);
  return [...rows].sort((a, b) => b.depth - a.depth);
}

export async function submitOpinion(ctx: Context, input: SubmitOpinionInput): Promise<Opinion> {
  requireRole(ctx, Role.MEMBER, ...OFFICE);
  const now = ctx.clock.now();
  const o = ctx.em.create(Opinion, {
    ...ownership(ctx.tenant),
    title: input.title,
    content: input.content,
    authorId: ctx.viewer.user.id,
    source: ctx.viewer.role === Role.MEMBER ? OpinionSource.MEMBER : OpinionSource.OFFICE,
    status: OpinionStatus.SUBMITTED,
    submittedAt: now,
  });
  // The report before its first level: the level's insert policy checks the report it names (migration 0014).
  await ctx.em.flush();
  ctx.em.create(OpinionLevel, { ...ownership(ctx.tenant), opinionId: o.id, originTenantId: ctx.tenant.id, fromTenantId: null, depth: ctx.tenant.depth, receivedAt: now });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'opinion.submitted', tenantId: o.tenantId, at: now });
  return o;
}

export async function editOpinion(ctx: Context, globalId: string, input: EditOpinionInput): Promise<Opinion> {
  requireRole(ctx, ...OFFICE);
  const o = await findOpinion(ctx, globalId);
  if (o.tenantId !== ctx.tenant.id) throw notFound(text('社情民意信息', 'Opinion'));
  const level = await myLevel(ctx, o);
  if (level.forwardedAt) throw invalidTransition('FORWARDED', OpinionStatus.EDITED, text('已上报的信息不能再编辑', 'A report already forwarded cannot be edited'));
  if (input.title) o.title = input.title;
  if (input.content) o.content = input.content;
  o.status = OpinionStatus.EDITED;
  o.editedAt = ctx.clock.now();
  await ctx.em.flush();
  return o;
}

/**
 * Forward a report one level up. Only the level that holds it (received it and has not sent it on) may,
 * and only to its own parent: a report climbs county → city → province without skipping.
 */
export async function forwardOpinion(ctx: Context, globalId: string, toCode: string): Promise<Opinion> {
  requireRole(ctx, ...OFFICE);
  const o = await findOpinion(ctx, globalId);
  const level = await myLevel(ctx, o);
  if (level.forwardedAt) throw invalidTransition('FORWARDED', 'FORWARDED', text('该信息已经上报', 'This report has already been forwarded'));
  const parent: Tenant | null = ctx.tenant.parentId ? await ctx.loaders.tenant.byId.load(ctx.tenant.parentId) : null;
  if (!parent) throw invalidTransition(ctx.tenant.level, 'FORWARDED', text('省级政协没有可上报的上级', 'A province committee has no level above to forward to'));
  if (toCode !== parent.code) throw badInput(text(`信息只能逐级上报，报送至 ${parent.code}`, `a report goes up one level at a time, to ${parent.code}`), { field: 'to' });
  const now = ctx.clock.now();
  level.forwardedAt = now;
  ctx.em.create(OpinionLevel, { ...ownership(parent), opinionId: o.id, originTenantId: o.tenantId, fromTenantId: ctx.tenant.id, depth: parent.depth, receivedAt: now });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'opinion.forwarded', tenantId: ctx.tenant.id, at: now });
  await emit(ctx, 'opinion.forwarded', { opinionId: o.id, toTenantId: parent.id, fromName: ctx.tenant.name, title: o.title, at: now });
  return o;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A report was forwarded one level up (上报): the receiving committee `toTenantId` is told. */
    'opinion.forwarded': { opinionId: string; toTenantId: string; fromName: string; title: string; at: Date };
    /** A report was adopted (采用) at the level `byTenantName` (`levelId`). */
    'opinion.adopted': { opinionId: string; levelId: string; tenantId: string; authorId: string; byTenantName: string; title: string; byUserId: string };
    /** A leader's instruction was recorded on a report (批示) at the level `byTenantName`. */
    'opinion.instructed': { opinionId: string; tenantId: string; authorId: string | null; byTenantName: string; by: string | null; title: string; at: Date; byUserId: string };
  }
}

/**
 * Adopt at the acting level (采用). Adoption counts at every level it happens, credited to the committee
 * the report came from (that is how reports are ranked across the province).
 */
export async function adoptOpinion(ctx: Context, globalId: string): Promise<Opinion> {
  requireRole(ctx, ...HANDLERS);
  const o = await findOpinion(ctx, globalId);
  const level = await myLevel(ctx, o);
  if (level.adoptedAt) throw invalidTransition('ADOPTED', 'ADOPTED', text('本级已采用该信息', 'This report has already been adopted at this level'));
  const now = ctx.clock.now();
  level.adoptedAt = now;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'opinion.adopted', tenantId: o.tenantId, at: now });
  await statistics.recordFact(ctx, { metric: ADOPTED_AT[ctx.tenant.level], tenantId: o.tenantId, at: now });
  // The adoption rate counts reports, not adoptions: the report's first adoption at any level counts it,
  // in the month it was submitted (the rate's denominator counts it there).
  await statistics.recordOnce(ctx, { metric: 'opinion.adopted_of_submitted', tenantId: o.tenantId, itemKey: `Opinion:${o.id}`, at: o.submittedAt });
  if (o.source === OpinionSource.MEMBER) {
    await emit(ctx, 'duty.act', { kind: 'OPINION_ADOPTED', userId: o.authorId, tenantId: o.tenantId, sourceType: 'OpinionLevel', sourceId: level.id, title: o.title, occurredAt: now });
  }
  await emit(ctx, 'opinion.adopted', { opinionId: o.id, levelId: level.id, tenantId: o.tenantId, authorId: o.authorId, byTenantName: ctx.tenant.name, title: o.title, byUserId: ctx.viewer.user.id });
  return o;
}

export async function instructOpinion(ctx: Context, globalId: string, input: InstructOpinionInput): Promise<Opinion> {
  requireRole(ctx, ...HANDLERS);
  const o = await findOpinion(ctx, globalId);
  const level = await myLevel(ctx, o);
  if (level.instructedAt) throw invalidTransition('INSTRUCTED', 'INSTRUCTED', text('本级已记录领导批示', 'Instructions on this report are already recorded at this level'));
  const now = ctx.clock.now();
  level.instructedAt = now;
  level.instruction = input.instruction;
  level.instructedBy = input.by;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'opinion.instructed', tenantId: o.tenantId, at: now });
  await emit(ctx, 'opinion.instructed', { opinionId: o.id, tenantId: o.tenantId, authorId: o.source === OpinionSource.MEMBER ? o.authorId : null, byTenantName: ctx.tenant.name, by: input.by ?? null, title: o.title, at: now, byUserId: ctx.viewer.user.id });
  return o;
}
