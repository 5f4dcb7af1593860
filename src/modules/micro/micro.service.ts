import type { FilterQuery } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import * as units from '../unit/unit.service.js';
import * as statistics from '../statistics/statistics.service.js';
import { MicroScreening, MicroStatus, MicroSuggestion } from './micro.entity.js';
import type { MicroSuggestionFilter, ScreenMicroSuggestionInput, SubmitMicroSuggestionInput } from './micro.inputs.js';
import { inOrderOf } from '../../core/node-loader.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER, Role.DEPARTMENT];
/** The office screens a micro-suggestion within days (the seed reports: 3 working days; 5 calendar days here). */
export const SCREEN_DAYS = 5;
const WHAT = text('微建议', 'Micro-suggestion');

/** Inside the committee: office and leaders all, a member their own, a unit's accounts those forwarded to it. */
export function readRule(ctx: Context): FilterQuery<MicroSuggestion> {
  const me = ctx.viewer.user.id;
  const role = ctx.viewer.role;
  if (role === Role.MEMBER) return { tenantId: ctx.tenant.id, authorId: me };
  if (role === Role.DEPARTMENT) return { tenantId: ctx.tenant.id, unitId: units.viewerUnit(ctx) };
  return { tenantId: ctx.tenant.id };
}

export async function readableMicroSuggestion(ctx: Context, id: string): Promise<MicroSuggestion | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(MicroSuggestion, { $and: [{ id }, readRule(ctx)] });
}

/** `readableMicroSuggestion` for many ids in one statement. */
export async function readableMicroSuggestions(ctx: Context, ids: readonly string[]): Promise<(MicroSuggestion | null)[]> {
  if (!READERS.includes(ctx.viewer.role)) return ids.map(() => null);
  return inOrderOf(ids, await ctx.em.find(MicroSuggestion, { $and: [{ id: { $in: [...ids] } }, readRule(ctx)] }));
}

async function find(ctx: Context, globalId: string): Promise<MicroSuggestion> {
  const m = await readableMicroSuggestion(ctx, expectGlobalId(globalId, 'MicroSuggestion'));
  if (!m) throw notFound(WHAT);
  return m;
}

export async function listMicroSuggestions(ctx: Context, filter: MicroSuggestionFilter | undefined, page: PageArgs) {
  requireRole(ctx, ...READERS);
  const parts: FilterQuery<MicroSuggestion>[] = [readRule(ctx)];
  if (filter?.status) parts.push({ status: filter.status });
  if (filter?.overdue === true) parts.push({ status: MicroStatus.SUBMITTED, screenDueAt: { $lt: ctx.clock.now() } });
  if (filter?.overdue === false) parts.push({ $or: [{ status: { $ne: MicroStatus.SUBMITTED } }, { screenDueAt: { $gte: ctx.clock.now() } }] });
  return paginate(ctx.em, MicroSuggestion, { $and: parts }, page, ctx.config.maxPageSize);
}

export async function submitMicroSuggestion(ctx: Context, input: SubmitMicroSuggestionInput): Promise<MicroSuggestion> {
  requireRole(ctx, Role.MEMBER);
  const content = input.content.trim();
  if (content.length < 5) throw badInput(text('建议内容至少 5 个字', 'The suggestion needs at least 5 characters'), { field: 'content' });
  const now = ctx.clock.now();
  const m = ctx.em.create(MicroSuggestion, {
    ...ownership(ctx.tenant),
    authorId: ctx.viewer.user.id,
    content,
    status: MicroStatus.SUBMITTED,
    submittedAt: now,
    screenDueAt: new Date(now.getTime() + SCREEN_DAYS * 86400_000),
  });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'micro.submitted', tenantId: m.tenantId, at: now });
  return m;
}

/**
 * The office screens a suggestion once: handled on the spot, forwarded to a handling unit of the committee,
 * or turned into a proposal or report draft for the member to finish. Any of the three makes it an act of duty
 * in the member's archive (工作建议) and a screened suggestion in the roll-up.
 */
export async function screenMicroSuggestion(ctx: Context, input: ScreenMicroSuggestionInput): Promise<MicroSuggestion> {
  requireRole(ctx, ...OFFICE);
  const m = await find(ctx, input.id);
  const to = input.decision === MicroScreening.HANDLE ? MicroStatus.HANDLED : input.decision === MicroScreening.FORWARD ? MicroStatus.FORWARDED : MicroStatus.CONVERTED;
  if (m.status !== MicroStatus.SUBMITTED) throw invalidTransition(m.status, to, text('该微建议已甄别', 'This micro-suggestion has already been screened'));
  if (input.decision === MicroScreening.FORWARD) {
    if (!input.unit) throw badInput(text('转交时须指定承办单位', 'FORWARD needs a handling unit'), { field: 'unit' });
    [m.unitId] = await units.unitsOf(ctx, [input.unit], 'unit');
  } else if (input.unit) {
    throw badInput(text('只有转交才指定承办单位', 'A unit is named only when forwarding'), { field: 'unit' });
  }
  if (input.decision === MicroScreening.CONVERT) {
    if (!input.draftKind || !input.draftTitle) throw badInput(text('转化时须给出类型和标题', 'CONVERT needs draftKind and draftTitle'), { field: input.draftKind ? 'draftTitle' : 'draftKind' });
    m.draftKind = input.draftKind;
    m.draftTitle = input.draftTitle;
  } else if (input.draftKind || input.draftTitle) {
    throw badInput(text('只有转化才给出草稿', 'A draft is given only when converting'), { field: input.draftKind ? 'draftKind' : 'draftTitle' });
  }
  const now = ctx.clock.now();
  m.status = to;
  m.screenedAt = now;
  m.screenedBy = ctx.viewer.user.id;
  m.screenNote = input.note;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'micro.screened', tenantId: m.tenantId, at: now });
  await emit(ctx, 'duty.act', { kind: 'MICRO_SUGGESTION', userId: m.authorId, tenantId: m.tenantId, sourceType: 'MicroSuggestion', sourceId: m.id, title: `微建议：${m.content.slice(0, 40)}`, occurredAt: m.submittedAt });
  if (m.status === MicroStatus.FORWARDED) await emit(ctx, 'micro.forwarded', { microId: m.id, tenantId: m.tenantId, unitId: m.unitId!, title: `微建议：${m.content.slice(0, 40)}` });
  return m;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A micro-suggestion was forwarded to a handling unit (转交). */
    'micro.forwarded': { microId: string; tenantId: string; unitId: string; title: string };
    /** The unit answered it (答复): its author is told. */
    'micro.replied': { microId: string; tenantId: string; authorId: string; title: string };
  }
}

/** The unit a suggestion was forwarded to answers it, once. */
export async function replyMicroSuggestion(ctx: Context, globalId: string, reply: string): Promise<MicroSuggestion> {
  requireRole(ctx, Role.DEPARTMENT);
  const m = await find(ctx, globalId);
  if (m.unitId !== units.viewerUnit(ctx)) throw forbidden(text('只有受转交的承办单位可以答复', 'Only the unit it was forwarded to replies'));
  if (m.status !== MicroStatus.FORWARDED) throw invalidTransition(m.status, MicroStatus.REPLIED, text('该微建议不在待答复状态', 'This micro-suggestion is not waiting for a reply'));
  if (!reply.trim() || reply.length > 2000) throw badInput(text('答复须为 1–2000 个字', 'The reply must be 1–2000 characters'), { field: 'reply' });
  const now = ctx.clock.now();
  m.reply = reply;
  m.repliedAt = now;
  m.status = MicroStatus.REPLIED;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'micro.replied', tenantId: m.tenantId, at: now });
  await emit(ctx, 'micro.replied', { microId: m.id, tenantId: m.tenantId, authorId: m.authorId, title: `微建议：${m.content.slice(0, 40)}` });
  return m;
}
