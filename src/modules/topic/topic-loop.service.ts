import type { Context } from '../../core/context.js';
import { chinaDate } from '../../core/clock.js';
import { requireRole } from '../../core/context.js';
import { LockMode } from '@mikro-orm/core';
import { badInput, invalidTransition, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { emit } from '../../core/events.js';
import { Role } from '../../core/identity/user.entity.js';
import * as units from '../unit/unit.service.js';
import type { DeadlineExtension } from '../unit/unit.entities.js';
import type { DecideExtensionInput, RequestExtensionInput } from '../unit/unit.inputs.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import { recordChange, withClockChange } from '../history/history.service.js';
import { StateChange } from '../history/state-change.entity.js';
import { JOINT_ACTORS, JOINT_READERS } from '../joint/joint.service.js';
import * as statistics from '../statistics/statistics.service.js';
import { ConsultationSuggestion, ConsultationTopic } from './topic.entities.js';
import { ASSIGN_OPEN, OUTCOMES, SUGGESTION_OPEN, SuggestionStatus, defaultDeadline, effectiveStatus, topicStageZh } from './topic.state.js';
import type { AddSuggestionInput, AssignSuggestionInput, SuggestionFeedbackInput } from './topic.inputs.js';
import { ownTopic } from './topic-plan.service.js';

const SUGGESTION = text('建议', 'Suggestion');

// The closed loop (闭环): suggestions numbered per topic, assigned to a department, answered, overdue.

const suggestionChange = (ctx: Context, s: ConsultationSuggestion, from: string | null, to: string, comment?: string | null, move?: string) =>
  recordChange(ctx, { itemType: 'ConsultationSuggestion', itemId: s.id, jointItemId: s.topicId, ownerTenantId: s.tenantId, from, to, comment, move });


export async function readableSuggestion(ctx: Context, id: string): Promise<ConsultationSuggestion | null> {
  const s = await ctx.loaders.topic.suggestionById.load(id);
  if (!s) return null;
  if (ctx.viewer.role === Role.DEPARTMENT) return s.unitId && s.unitId === ctx.viewer.user.unitId ? s : null;
  return JOINT_READERS.includes(ctx.viewer.role) ? s : null;
}

/** Suggestions of a topic; visible to the owner and accepted participants (RLS and filter agree). */
export async function suggestionsOf(ctx: Context, t: ConsultationTopic, status?: SuggestionStatus | null): Promise<ConsultationSuggestion[]> {
  const all = await ctx.loaders.topic.suggestionsByTopic.load(t.id);
  const now = ctx.clock.now();
  return status ? all.filter((s) => effectiveStatus(s.status, s.deadline, now) === status) : all;
}

/**
 * When the suggestion turned OVERDUE, if it did: its deadline passed before feedback came (or none has come).
 * OVERDUE is derived from the deadline and the clock, never stored, so neither is this change.
 */
export function overdueSince(s: ConsultationSuggestion, now: Date): Date | null {
  if (!s.deadline || !s.assignedAt) return null;
  const answeredAt = s.feedbackAt ?? now;
  return answeredAt.getTime() > s.deadline.getTime() ? s.deadline : null;
}

/**
 * A suggestion's history: the stored changes, and ASSIGNED → OVERDUE at the deadline once it has passed
 * without feedback (the stored feedback row then reads from OVERDUE).
 */
export async function suggestionHistory(ctx: Context, s: ConsultationSuggestion): Promise<StateChange[]> {
  const rows = await ctx.loaders.joint.historyByItem.load(s.id);
  const since = overdueSince(s, ctx.clock.now());
  if (!since) return rows;
  return withClockChange(rows, s, { itemType: 'ConsultationSuggestion', jointItemId: s.topicId, from: SuggestionStatus.ASSIGNED, to: SuggestionStatus.OVERDUE, at: since });
}

export async function overdueSuggestions(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.STAFF, Role.LEADER, Role.ADMIN);
  return paginate(ctx.em, ConsultationSuggestion, { tenantId: ctx.tenant.id, status: SuggestionStatus.ASSIGNED, deadline: { $lt: ctx.clock.now() } }, page, ctx.config.maxPageSize);
}

export async function departmentSuggestions(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.DEPARTMENT);
  return paginate(ctx.em, ConsultationSuggestion, { tenantId: ctx.tenant.id, unitId: units.viewerUnit(ctx) }, page, ctx.config.maxPageSize);
}

export async function addSuggestion(ctx: Context, input: AddSuggestionInput): Promise<ConsultationSuggestion> {
  const t = await ownTopic(ctx, input.topicId);
  if (!SUGGESTION_OPEN.includes(t.stage)) throw invalidTransition(t.stage, 'SUGGESTION', text(`议题处于协商或交办环节时才能记录建议（当前：${topicStageZh(t.stage)}）`, `Suggestions are recorded in CONSULT or ASSIGN (the topic is in ${t.stage})`));
  let proposer: { userId: string; name: string } | null = null;
  if (input.proposedBy) {
    const seat = await ctx.em.findOne(MemberSeat, { id: expectGlobalId(input.proposedBy, 'MemberSeat', 'proposedBy'), tenantId: ctx.tenant.id, status: SeatStatus.ACTIVE });
    if (!seat) throw notFound(text('委员席位', 'Member seat'));
    const user = await ctx.loaders.member.userById.load(seat.userId);
    if (!user) throw notFound(text('委员席位', 'Member seat'));
    proposer = { userId: seat.userId, name: user.displayName };
  }
  // Numbering is per topic; the row lock serialises concurrent additions.
  await ctx.em.execute('select id from consultation_topic where id = ? for update', [t.id]);
  const [{ n }] = await ctx.em.execute<{ n: number }[]>('select coalesce(max(number), 0)::int as n from consultation_suggestion where topic_id = ?', [t.id]);
  // Created at the clock's moment: the adoption rate counts an adopted suggestion in the month it was proposed.
  const s = ctx.em.create(ConsultationSuggestion, { ...ownership(ctx.tenant), createdAt: ctx.clock.now(), topicId: t.id, number: n + 1, content: input.content, proposedByName: proposer?.name ?? null, status: SuggestionStatus.DRAFT });
  suggestionChange(ctx, s, null, SuggestionStatus.DRAFT);
  await statistics.recordFact(ctx, { metric: 'suggestion.total', tenantId: s.tenantId, at: s.createdAt });
  if (proposer) {
    await emit(ctx, 'duty.act', { kind: 'CONSULTATION_SUGGESTION', userId: proposer.userId, tenantId: ctx.tenant.id, sourceType: 'ConsultationSuggestion', sourceId: s.id, title: `${t.title}：建议${s.number}`, occurredAt: ctx.clock.now() });
  }
  await ctx.em.flush();
  return s;
}

async function ownSuggestion(ctx: Context, globalId: string): Promise<ConsultationSuggestion> {
  const s = await ctx.em.findOne(ConsultationSuggestion, { id: expectGlobalId(globalId, 'ConsultationSuggestion'), tenantId: ctx.tenant.id });
  if (!s) throw notFound(text('协商建议', 'Suggestion'));
  return s;
}

export async function assignSuggestion(ctx: Context, input: AssignSuggestionInput): Promise<ConsultationSuggestion> {
  requireRole(ctx, ...JOINT_ACTORS);
  const s = await ownSuggestion(ctx, input.id);
  const t = (await ctx.loaders.topic.topicById.load(s.topicId))!;
  if (!ASSIGN_OPEN.includes(t.stage)) throw invalidTransition(t.stage, 'ASSIGNED', text(`议题处于交办或落实环节时才能交办建议（当前：${topicStageZh(t.stage)}）`, `Suggestions are assigned in ASSIGN or IMPLEMENT (the topic is in ${t.stage})`));
  if (s.status !== SuggestionStatus.DRAFT) throw invalidTransition(s.status, SuggestionStatus.ASSIGNED, text('已交办的建议不能再次交办', 'This suggestion has already been assigned'));
  const [unitId] = await units.unitsOf(ctx, [input.unit], 'unit');
  const name = await units.unitName(ctx, unitId!);
  const now = ctx.clock.now();
  const deadline = input.deadline ?? defaultDeadline(now);
  if (deadline.getTime() <= now.getTime()) throw badInput(text('反馈期限须晚于现在', 'deadline must be in the future'), { field: 'deadline' });
  suggestionChange(ctx, s, s.status, SuggestionStatus.ASSIGNED, `${name}，${deadline.toISOString().slice(0, 10)} 前反馈`);
  Object.assign(s, { status: SuggestionStatus.ASSIGNED, unitId, departmentUnit: name, assignedAt: now, deadline });
  await ctx.em.flush();
  const itemKey = `ConsultationSuggestion:${s.id}`;
  await statistics.trackDeadline(ctx, { metric: 'suggestion.overdue', tenantId: s.tenantId, itemKey, dueAt: deadline });
  // Assigned again after 改办: the deadline already tracked moves to the new one (unless it was already overdue).
  await statistics.moveDeadline(ctx, { itemKey, dueAt: deadline });
  await emit(ctx, 'suggestion.assigned', { suggestionId: s.id, tenantId: s.tenantId, unitId: unitId!, title: `${t.title}：建议${s.number}`, deadline });
  return s;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A suggestion was assigned to a handling unit with a deadline (交办). */
    'suggestion.assigned': { suggestionId: string; tenantId: string; unitId: string; title: string; deadline: Date };
    /** The handling unit's feedback came in (办理反馈), or the office entered it for the unit. */
    'suggestion.feedback': { suggestionId: string; tenantId: string; title: string; unitName: string; outcome: string; byUserId: string; at: Date };
  }
}

/** The assigned suggestion, locked for the rest of the request, as an account of its unit acts on it. */
async function unitSuggestion(ctx: Context, globalId: string): Promise<ConsultationSuggestion> {
  requireRole(ctx, Role.DEPARTMENT);
  const unit = units.viewerUnit(ctx);
  const s = await lockedSuggestion(ctx, globalId);
  if (s.unitId !== unit) throw notFound(SUGGESTION);
  return s;
}

async function lockedSuggestion(ctx: Context, globalId: string): Promise<ConsultationSuggestion> {
  const s = await ctx.em.findOne(ConsultationSuggestion, { id: expectGlobalId(globalId, 'ConsultationSuggestion'), tenantId: ctx.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!s) throw notFound(SUGGESTION);
  return s;
}

/** 改办: the unit gives the suggestion back to the office with its reason; it is DRAFT again, to assign anew. */
export async function returnSuggestion(ctx: Context, globalId: string, reason: string): Promise<ConsultationSuggestion> {
  const s = await unitSuggestion(ctx, globalId);
  const from = effectiveStatus(s.status, s.deadline, ctx.clock.now());
  if (s.status !== SuggestionStatus.ASSIGNED) throw invalidTransition(from, SuggestionStatus.DRAFT, text('只有已交办、尚未反馈的建议可以申请改办', 'Only an assigned suggestion awaiting feedback can be given back'));
  units.expectNotOverdue(ctx, s.deadline);
  if (await units.pendingExtension(ctx, s.id)) throw invalidTransition('EXTENSION_REQUESTED', 'RETURNED', text('延期申请待审核期间不能申请改办', 'An item with an extension request waiting cannot be given back'));
  suggestionChange(ctx, s, from, SuggestionStatus.DRAFT, reason, 'RETURNED');
  Object.assign(s, { status: SuggestionStatus.DRAFT, unitId: null, departmentUnit: null, assignedAt: null, deadline: null });
  await ctx.em.flush();
  // No feedback is owed any more: the deadline will not turn overdue (a new assignment opens it again).
  await statistics.settleDeadline(ctx, { itemKey: `ConsultationSuggestion:${s.id}`, at: ctx.clock.now() });
  return s;
}

export async function requestSuggestionExtension(ctx: Context, globalId: string, input: RequestExtensionInput): Promise<DeadlineExtension> {
  const s = await unitSuggestion(ctx, globalId);
  if (s.status !== SuggestionStatus.ASSIGNED) throw invalidTransition(s.status, 'EXTENSION_REQUESTED', text('只有已交办、尚未反馈的建议可以申请延期', 'Only an assigned suggestion awaiting feedback can be given an extension request'));
  const x = await units.requestExtension(ctx, { itemType: 'ConsultationSuggestion', id: s.id, unitId: s.unitId!, deadline: s.deadline! }, input.until, input.reason);
  suggestionChange(ctx, s, SuggestionStatus.ASSIGNED, SuggestionStatus.ASSIGNED, `申请延至 ${chinaDate(input.until)}：${input.reason}`, 'EXTENSION_REQUESTED');
  await ctx.em.flush();
  return x;
}

export async function decideSuggestionExtension(ctx: Context, globalId: string, input: DecideExtensionInput): Promise<ConsultationSuggestion> {
  const s = await lockedSuggestion(ctx, globalId);
  const x = await units.decideExtension(ctx, s.id, s.deadline, input.granted, input.note);
  const now = ctx.clock.now();
  const from = effectiveStatus(s.status, s.deadline, now);
  if (s.status !== SuggestionStatus.ASSIGNED) throw invalidTransition(from, input.granted ? 'EXTENSION_GRANTED' : 'EXTENSION_REFUSED', text('该建议没有可审核的延期申请', 'This suggestion has no extension to decide'));
  if (input.granted) s.deadline = x.requestedUntil;
  const comment = input.granted ? `同意延至 ${chinaDate(x.requestedUntil)}${input.note ? `：${input.note}` : ''}` : `不同意延期：${input.note}`;
  suggestionChange(ctx, s, from, effectiveStatus(s.status, s.deadline, now), comment, input.granted ? 'EXTENSION_GRANTED' : 'EXTENSION_REFUSED');
  await ctx.em.flush();
  if (input.granted) await statistics.moveDeadline(ctx, { itemKey: `ConsultationSuggestion:${s.id}`, dueAt: x.requestedUntil });
  return s;
}

/** The handling unit files its written feedback and the outcome (办理反馈), or the office enters it for the unit (代录). */
export async function fileFeedback(ctx: Context, input: SuggestionFeedbackInput): Promise<ConsultationSuggestion> {
  requireRole(ctx, Role.DEPARTMENT, ...JOINT_ACTORS);
  const byOffice = ctx.viewer.role !== Role.DEPARTMENT;
  const s = byOffice ? await lockedSuggestion(ctx, input.id) : await unitSuggestion(ctx, input.id);
  if (s.status !== SuggestionStatus.ASSIGNED) throw invalidTransition(s.status, input.outcome, text('该建议已反馈办理结果', 'Feedback on this suggestion has already been filed'));
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) throw badInput(text('办理结果须为采纳、部分采纳或未采纳', 'outcome must be ADOPTED, PARTLY_ADOPTED or NOT_ADOPTED'), { field: 'outcome' });
  if (input.outcome !== SuggestionStatus.ADOPTED && !input.reason) throw badInput(text('建议未全部采纳时须说明理由', 'Give reasons when a suggestion is not fully adopted'), { field: 'reason' });
  const now = ctx.clock.now();
  const comment = byOffice ? [`代${s.departmentUnit}录入`, input.reason].filter(Boolean).join('：') : input.reason;
  suggestionChange(ctx, s, effectiveStatus(s.status, s.deadline, now), input.outcome, comment, byOffice ? 'ENTERED_FOR_UNIT' : undefined);
  Object.assign(s, { status: input.outcome, feedback: input.feedback, outcomeReason: input.reason ?? null, feedbackAt: now, feedbackEnteredBy: byOffice ? ctx.viewer.user.id : null });
  await ctx.em.flush();
  await statistics.settleDeadline(ctx, { itemKey: `ConsultationSuggestion:${s.id}`, at: now });
  // "17 suggestions, 16 adopted": partly adopted counts as adopted, as the committees report it.
  if (input.outcome !== SuggestionStatus.NOT_ADOPTED) {
    await statistics.recordFact(ctx, { metric: 'suggestion.adopted', tenantId: s.tenantId, at: now });
    await statistics.recordFact(ctx, { metric: 'suggestion.adopted_of_total', tenantId: s.tenantId, at: s.createdAt });
  }
  const t = await ctx.loaders.topic.topicById.load(s.topicId);
  await emit(ctx, 'suggestion.feedback', { suggestionId: s.id, tenantId: s.tenantId, title: `${t?.title ?? ''}：建议${s.number}`, unitName: s.departmentUnit ?? '', outcome: input.outcome, byUserId: ctx.viewer.user.id, at: now });
  return s;
}
