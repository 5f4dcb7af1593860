import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { badInput, invalidTransition, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { emit } from '../../core/events.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import { recordChange } from '../history/history.service.js';
import { StateChange } from '../history/state-change.entity.js';
import { JOINT_ACTORS, JOINT_READERS } from '../joint/joint.service.js';
import * as statistics from '../statistics/statistics.service.js';
import { ConsultationSuggestion, ConsultationTopic } from './topic.entities.js';
import { ASSIGN_OPEN, OUTCOMES, SUGGESTION_OPEN, SuggestionStatus, defaultDeadline, effectiveStatus, topicStageZh } from './topic.state.js';
import type { AddSuggestionInput, AssignSuggestionInput, SuggestionFeedbackInput } from './topic.inputs.js';
import { ownTopic } from './topic-plan.service.js';

// The closed loop (闭环): suggestions numbered per topic, assigned to a department, answered, overdue.

const suggestionChange = (ctx: Context, s: ConsultationSuggestion, from: string | null, to: string, comment?: string | null) =>
  recordChange(ctx, { itemType: 'ConsultationSuggestion', itemId: s.id, jointItemId: s.topicId, ownerTenantId: s.tenantId, from, to, comment });

export async function readableSuggestion(ctx: Context, id: string): Promise<ConsultationSuggestion | null> {
  const s = await ctx.loaders.topic.suggestionById.load(id);
  if (!s) return null;
  if (ctx.viewer.role === Role.DEPARTMENT) return s.departmentUserId === ctx.viewer.user.id ? s : null;
  return JOINT_READERS.includes(ctx.viewer.role) ? s : null;
}

/** Suggestions of a topic; visible to the owner and accepted participants (RLS and filter agree). */
export async function suggestionsOf(ctx: Context, t: ConsultationTopic, status?: SuggestionStatus | null): Promise<ConsultationSuggestion[]> {
  const all = await ctx.loaders.topic.suggestionsByTopic.load(t.id);
  const now = ctx.clock.now();
  return status ? all.filter((s) => effectiveStatus(s.status, s.deadline, now) === status) : all;
}

/** Who turns a suggestion OVERDUE: nobody does, its deadline passes (the history shows the clock by this name). */
export const CLOCK_ACTOR = '系统';
const NO_ACTOR = '00000000-0000-0000-0000-000000000000';

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
 * without feedback (the stored feedback row then reads from OVERDUE). The derived row's id is the
 * suggestion's with the deadline as its time, so it is the same on every read and sorts by its moment.
 */
export async function suggestionHistory(ctx: Context, s: ConsultationSuggestion): Promise<StateChange[]> {
  const rows = await ctx.loaders.joint.historyByItem.load(s.id);
  const since = overdueSince(s, ctx.clock.now());
  if (!since) return rows;
  const hex = since.getTime().toString(16).padStart(12, '0');
  const overdue = Object.assign(new StateChange(), {
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}${s.id.slice(13)}`,
    tenantId: s.tenantId,
    provinceId: s.provinceId,
    cityId: s.cityId ?? null,
    ownerTenantId: s.tenantId,
    subjectTenantId: null,
    itemType: 'ConsultationSuggestion',
    itemId: s.id,
    jointItemId: s.topicId,
    fromState: SuggestionStatus.ASSIGNED,
    toState: SuggestionStatus.OVERDUE,
    actorUserId: NO_ACTOR,
    actorName: CLOCK_ACTOR,
    comment: null,
    at: since,
    createdAt: since,
    updatedAt: since,
  });
  const after = rows.findIndex((r) => r.at.getTime() > since.getTime());
  return after < 0 ? [...rows, overdue] : [...rows.slice(0, after), overdue, ...rows.slice(after)];
}

export async function overdueSuggestions(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.STAFF, Role.LEADER, Role.ADMIN);
  return paginate(ctx.em, ConsultationSuggestion, { tenantId: ctx.tenant.id, status: SuggestionStatus.ASSIGNED, deadline: { $lt: ctx.clock.now() } }, page, ctx.config.maxPageSize);
}

export async function departmentSuggestions(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.DEPARTMENT);
  return paginate(ctx.em, ConsultationSuggestion, { departmentUserId: ctx.viewer.user.id }, page, ctx.config.maxPageSize);
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
  const dept = await ctx.em.findOne(User, { id: expectGlobalId(input.departmentUserId, 'User', 'departmentUserId'), tenantId: ctx.tenant.id, role: Role.DEPARTMENT });
  if (!dept) throw notFound(text('承办单位', 'Handling department'));
  const now = ctx.clock.now();
  const deadline = input.deadline ?? defaultDeadline(now);
  if (deadline.getTime() <= now.getTime()) throw badInput(text('反馈期限须晚于现在', 'deadline must be in the future'), { field: 'deadline' });
  suggestionChange(ctx, s, s.status, SuggestionStatus.ASSIGNED, `${dept.unitName ?? dept.displayName}，${deadline.toISOString().slice(0, 10)} 前反馈`);
  Object.assign(s, { status: SuggestionStatus.ASSIGNED, departmentUserId: dept.id, departmentUnit: dept.unitName ?? dept.displayName, assignedAt: now, deadline });
  await ctx.em.flush();
  await statistics.trackDeadline(ctx, { metric: 'suggestion.overdue', tenantId: s.tenantId, itemKey: `ConsultationSuggestion:${s.id}`, dueAt: deadline });
  return s;
}

/** The handling department files its written feedback and the outcome (办理反馈). */
export async function fileFeedback(ctx: Context, input: SuggestionFeedbackInput): Promise<ConsultationSuggestion> {
  requireRole(ctx, Role.DEPARTMENT);
  const s = await ownSuggestion(ctx, input.id);
  if (s.departmentUserId !== ctx.viewer.user.id) throw notFound(text('协商建议', 'Suggestion'));
  if (s.status !== SuggestionStatus.ASSIGNED) throw invalidTransition(s.status, input.outcome, text('该建议已反馈办理结果', 'Feedback on this suggestion has already been filed'));
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) throw badInput(text('办理结果须为采纳、部分采纳或未采纳', 'outcome must be ADOPTED, PARTLY_ADOPTED or NOT_ADOPTED'), { field: 'outcome' });
  if (input.outcome !== SuggestionStatus.ADOPTED && !input.reason) throw badInput(text('建议未全部采纳时须说明理由', 'Give reasons when a suggestion is not fully adopted'), { field: 'reason' });
  const now = ctx.clock.now();
  suggestionChange(ctx, s, effectiveStatus(s.status, s.deadline, now), input.outcome, input.reason);
  Object.assign(s, { status: input.outcome, feedback: input.feedback, outcomeReason: input.reason ?? null, feedbackAt: now });
  await ctx.em.flush();
  await statistics.settleDeadline(ctx, { itemKey: `ConsultationSuggestion:${s.id}`, at: now });
  // "17 suggestions, 16 adopted": partly adopted counts as adopted, as the committees report it.
  if (input.outcome !== SuggestionStatus.NOT_ADOPTED) {
    await statistics.recordFact(ctx, { metric: 'suggestion.adopted', tenantId: s.tenantId, at: now });
    await statistics.recordFact(ctx, { metric: 'suggestion.adopted_of_total', tenantId: s.tenantId, at: s.createdAt });
  }
  return s;
}
