import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { badInput, conflict, forbidden, invalidTransition, notFound } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { emit } from '../../core/events.js';
import { Role, User } from '../member/user.entity.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { isSameOrAncestor } from '../tenant/tenant.service.js';
import { recordChange } from '../history/history.service.js';
import { JointParticipant, ParticipationKind, ParticipationStatus } from '../joint/joint.entities.js';
import { JOINT_ACTORS, JOINT_READERS, committeesByCode, countTakingPart, grantMembership, invite, ownParticipation, withdrawPending } from '../joint/joint.service.js';
import * as statistics from '../statistics/statistics.service.js';
import { ConsultationPlan, ConsultationSuggestion, ConsultationTopic, PlanStatus, RecommendationStatus, TopicRecommendation, TopicSource } from './topic.entities.js';
import { ASSIGN_OPEN, OUTCOMES, SUGGESTION_OPEN, SuggestionStatus, TopicStage, canMoveTopic, defaultDeadline, effectiveStatus } from './topic.state.js';
import type { AddSuggestionInput, AssignSuggestionInput, CreateTopicInput, MoveTopicInput, RecommendTopicInput, SuggestionFeedbackInput, TopicFilter } from './topic.inputs.js';
import type { InviteCommitteesInput } from '../research/research.inputs.js';

const topicChange = (ctx: Context, t: ConsultationTopic, from: string | null, to: string, comment?: string | null) =>
  recordChange(ctx, { itemType: 'ConsultationTopic', itemId: t.id, jointItemId: t.id, ownerTenantId: t.tenantId, from, to, comment });
const suggestionChange = (ctx: Context, s: ConsultationSuggestion, from: string | null, to: string, comment?: string | null) =>
  recordChange(ctx, { itemType: 'ConsultationSuggestion', itemId: s.id, jointItemId: s.topicId, ownerTenantId: s.tenantId, from, to, comment });

// ---- reading -------------------------------------------------------------------------------------------

export async function readableTopic(ctx: Context, id: string): Promise<ConsultationTopic | null> {
  return JOINT_READERS.includes(ctx.viewer.role) ? ctx.loaders.topic.topicById.load(id) : null;
}

export async function readableSuggestion(ctx: Context, id: string): Promise<ConsultationSuggestion | null> {
  const s = await ctx.loaders.topic.suggestionById.load(id);
  if (!s) return null;
  if (ctx.viewer.role === Role.DEPARTMENT) return s.departmentUserId === ctx.viewer.user.id ? s : null;
  return JOINT_READERS.includes(ctx.viewer.role) ? s : null;
}

export async function readablePlan(ctx: Context, id: string): Promise<ConsultationPlan | null> {
  return JOINT_READERS.includes(ctx.viewer.role) ? ctx.loaders.topic.planById.load(id) : null;
}

export async function readableRecommendation(ctx: Context, id: string): Promise<TopicRecommendation | null> {
  const r = await ctx.loaders.topic.recommendationById.load(id);
  if (!r) return null;
  if (r.userId === ctx.viewer.user.id) return r;
  return [Role.STAFF, Role.LEADER, Role.ADMIN].includes(ctx.viewer.role) ? r : null;
}

async function visibleTopic(ctx: Context, globalId: string, field = 'topicId'): Promise<ConsultationTopic> {
  requireRole(ctx, ...JOINT_READERS);
  const t = await ctx.loaders.topic.topicById.load(expectGlobalId(globalId, 'ConsultationTopic', field));
  if (!t) throw notFound('Consultation topic');
  return t;
}

async function ownTopic(ctx: Context, globalId: string, field = 'topicId'): Promise<ConsultationTopic> {
  requireRole(ctx, ...JOINT_ACTORS);
  const t = await visibleTopic(ctx, globalId, field);
  if (t.tenantId !== ctx.tenant.id) throw forbidden('Only the committee that owns the topic can do this');
  return t;
}

/** A committee's plan for a year: its own, or an ancestor's published one; null for anyone else. */
export async function planOf(ctx: Context, code: string, year: number): Promise<ConsultationPlan | null> {
  requireRole(ctx, ...JOINT_READERS);
  const tenant = await ctx.loaders.tenant.byCode.load(code);
  if (!tenant) return null;
  return ctx.em.findOne(ConsultationPlan, { tenantId: tenant.id, year });
}

export async function listTopics(ctx: Context, filter: TopicFilter | undefined, page: PageArgs) {
  requireRole(ctx, ...JOINT_READERS);
  const where: Record<string, unknown>[] = [];
  if (filter?.year) where.push({ year: filter.year });
  if (filter?.stage?.length) where.push({ stage: { $in: filter.stage } });
  if (filter?.source) where.push({ source: filter.source });
  if (filter?.form) where.push({ form: filter.form });
  if (filter?.own === true) where.push({ tenantId: ctx.tenant.id });
  if (filter?.own === false) where.push({ tenantId: { $ne: ctx.tenant.id } });
  if (filter?.level) {
    const ids = (await ctx.em.find(Tenant, { level: filter.level, provinceId: ctx.tenant.provinceId }, { fields: ['id'] })).map((t) => t.id);
    where.push({ tenantId: { $in: ids } });
  }
  return paginate(ctx.em, ConsultationTopic, where.length ? { $and: where } : {}, page, ctx.config.maxPageSize);
}

/** Suggestions of a topic; visible to the owner and accepted participants (RLS and filter agree). */
export async function suggestionsOf(ctx: Context, t: ConsultationTopic, status?: SuggestionStatus | null): Promise<ConsultationSuggestion[]> {
  const all = await ctx.loaders.topic.suggestionsByTopic.load(t.id);
  const now = ctx.clock.now();
  return status ? all.filter((s) => effectiveStatus(s.status, s.deadline, now) === status) : all;
}

export async function overdueSuggestions(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.STAFF, Role.LEADER, Role.ADMIN);
  return paginate(ctx.em, ConsultationSuggestion, { tenantId: ctx.tenant.id, status: SuggestionStatus.ASSIGNED, deadline: { $lt: ctx.clock.now() } }, page, ctx.config.maxPageSize);
}

export async function departmentSuggestions(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.DEPARTMENT);
  return paginate(ctx.em, ConsultationSuggestion, { departmentUserId: ctx.viewer.user.id }, page, ctx.config.maxPageSize);
}

// ---- plans and topics ----------------------------------------------------------------------------------

async function planFor(ctx: Context, year: number): Promise<ConsultationPlan> {
  const found = await ctx.em.findOne(ConsultationPlan, { tenantId: ctx.tenant.id, year });
  return found ?? ctx.em.create(ConsultationPlan, { ...ownership(ctx.tenant), year, title: `${ctx.tenant.committeeName}${year}年度协商计划`, status: PlanStatus.DRAFT });
}

function newTopic(ctx: Context, plan: ConsultationPlan, data: Pick<ConsultationTopic, 'title' | 'description' | 'source' | 'form'> & { originTopicId?: string | null }) {
  const t = ctx.em.create(ConsultationTopic, {
    ...ownership(ctx.tenant),
    planId: plan.id,
    planPublished: plan.status === PlanStatus.PUBLISHED,
    year: plan.year,
    stage: TopicStage.SELECT,
    ...data,
  });
  topicChange(ctx, t, null, TopicStage.SELECT);
  return t;
}

export async function createTopic(ctx: Context, input: CreateTopicInput): Promise<ConsultationTopic> {
  requireRole(ctx, ...JOINT_ACTORS);
  const plan = await planFor(ctx, input.year);
  const t = newTopic(ctx, plan, { title: input.title, description: input.description, source: input.source, form: input.form });
  await ctx.em.flush();
  return t;
}

/** A LEADER publishes the annual plan (发布年度协商计划); descendants can then read and take up its topics. */
export async function publishPlan(ctx: Context, year: number): Promise<ConsultationPlan> {
  requireRole(ctx, Role.LEADER);
  const plan = await ctx.em.findOne(ConsultationPlan, { tenantId: ctx.tenant.id, year });
  if (!plan) throw notFound('Consultation plan');
  if (plan.status === PlanStatus.PUBLISHED) throw invalidTransition(plan.status, PlanStatus.PUBLISHED);
  plan.status = PlanStatus.PUBLISHED;
  plan.publishedAt = ctx.clock.now();
  await ctx.em.nativeUpdate(ConsultationTopic, { planId: plan.id, tenantId: ctx.tenant.id }, { planPublished: true });
  recordChange(ctx, { itemType: 'ConsultationPlan', itemId: plan.id, jointItemId: plan.id, ownerTenantId: plan.tenantId, from: PlanStatus.DRAFT, to: PlanStatus.PUBLISHED });
  await ctx.em.flush();
  return plan;
}

export async function moveTopic(ctx: Context, input: MoveTopicInput): Promise<ConsultationTopic> {
  const t = await ownTopic(ctx, input.id, 'id');
  if (!canMoveTopic(t.stage, input.to)) throw invalidTransition(t.stage, input.to);
  topicChange(ctx, t, t.stage, input.to, input.comment);
  if (input.to === TopicStage.CLOSED) await withdrawPending(ctx, t.id, 'Topic closed');
  t.stage = input.to;
  await ctx.em.flush();
  return t;
}

// ---- member recommendations (委员荐题) -----------------------------------------------------------------

export async function recommendTopic(ctx: Context, input: RecommendTopicInput): Promise<TopicRecommendation> {
  requireRole(ctx, Role.MEMBER);
  const r = ctx.em.create(TopicRecommendation, { ...ownership(ctx.tenant), userId: ctx.viewer.user.id, memberName: ctx.viewer.user.displayName, ...input, status: RecommendationStatus.PENDING });
  await ctx.em.flush();
  return r;
}

export async function listRecommendations(ctx: Context, status: RecommendationStatus | undefined, page: PageArgs) {
  requireRole(ctx, Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER);
  const mine = ctx.viewer.role === Role.MEMBER ? { userId: ctx.viewer.user.id } : {};
  return paginate(ctx.em, TopicRecommendation, { tenantId: ctx.tenant.id, ...mine, ...(status ? { status } : {}) }, page, ctx.config.maxPageSize);
}

async function pendingRecommendation(ctx: Context, globalId: string, to: RecommendationStatus): Promise<TopicRecommendation> {
  requireRole(ctx, ...JOINT_ACTORS);
  const r = await ctx.em.findOne(TopicRecommendation, { id: expectGlobalId(globalId, 'TopicRecommendation'), tenantId: ctx.tenant.id });
  if (!r) throw notFound('Topic recommendation');
  if (r.status !== RecommendationStatus.PENDING) throw invalidTransition(r.status, to);
  return r;
}

export async function acceptRecommendation(ctx: Context, globalId: string, description?: string | null): Promise<TopicRecommendation> {
  const r = await pendingRecommendation(ctx, globalId, RecommendationStatus.ACCEPTED);
  const t = newTopic(ctx, await planFor(ctx, r.year), { title: r.title, description: description ?? r.reason, source: TopicSource.MEMBER, form: r.form });
  r.status = RecommendationStatus.ACCEPTED;
  r.topicId = t.id;
  await ctx.em.flush();
  return r;
}

export async function declineRecommendation(ctx: Context, globalId: string, reason: string): Promise<TopicRecommendation> {
  const r = await pendingRecommendation(ctx, globalId, RecommendationStatus.DECLINED);
  if (!reason.trim()) throw badInput('A reason is required to decline', { field: 'reason' });
  r.status = RecommendationStatus.DECLINED;
  r.declineReason = reason;
  await ctx.em.flush();
  return r;
}

// ---- two-way selection (双向选择) ----------------------------------------------------------------------

/** A descendant takes up a topic from an ancestor's published plan and becomes a participant (承接). */
export async function takeUpTopic(ctx: Context, globalId: string, message?: string | null): Promise<JointParticipant> {
  requireRole(ctx, ...JOINT_ACTORS);
  const t = await visibleTopic(ctx, globalId);
  const owner = (await ctx.loaders.tenant.byId.load(t.tenantId))!;
  if (t.tenantId === ctx.tenant.id || !isSameOrAncestor(owner, ctx.tenant) || !t.planPublished) {
    throw badInput("Only a topic of an ancestor's published plan can be taken up", { field: 'topicId' });
  }
  if (t.stage === TopicStage.CLOSED) throw invalidTransition(t.stage, 'TAKE_UP', 'The topic is closed');
  if (await ctx.em.findOne(JointParticipant, { itemId: t.id, tenantId: ctx.tenant.id })) throw conflict('The committee already takes part in this topic');
  const p = ctx.em.create(JointParticipant, {
    ...ownership(ctx.tenant),
    itemType: 'ConsultationTopic',
    itemId: t.id,
    ownerTenantId: t.tenantId,
    kind: ParticipationKind.TAKE_UP,
    status: ParticipationStatus.ACCEPTED,
    title: t.title,
    message: message ?? null,
    respondedAt: ctx.clock.now(),
  });
  grantMembership(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: t.tenantId }, ctx.tenant, 'MEMBER');
  await countTakingPart(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: t.tenantId }, [t.tenantId, ctx.tenant.id]);
  recordChange(ctx, { itemType: 'JointParticipant', itemId: p.id, subjectTenantId: p.tenantId, jointItemId: t.id, ownerTenantId: t.tenantId, from: null, to: ParticipationStatus.ACCEPTED, comment: message });
  await ctx.em.flush();
  ctx.joint.invalidate();
  return p;
}

/** Recommend one of the committee's topics to its parent (向上推荐); the parent may then see and adopt it. */
export async function recommendUpward(ctx: Context, globalId: string, message?: string | null): Promise<JointParticipant> {
  const t = await ownTopic(ctx, globalId);
  if (!ctx.tenant.parentId) throw badInput('A province committee has no parent to recommend to', { field: 'topicId' });
  const parent = (await ctx.loaders.tenant.byId.load(ctx.tenant.parentId))!;
  if (await ctx.em.findOne(JointParticipant, { itemId: t.id, tenantId: parent.id })) throw conflict(`Already sent to ${parent.committeeName}`);
  const p = ctx.em.create(JointParticipant, {
    ...ownership(parent),
    itemType: 'ConsultationTopic',
    itemId: t.id,
    ownerTenantId: t.tenantId,
    kind: ParticipationKind.RECOMMENDATION,
    status: ParticipationStatus.PENDING,
    title: t.title,
    message: message ?? null,
  });
  grantMembership(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: t.tenantId }, parent, 'VIEW');
  recordChange(ctx, { itemType: 'JointParticipant', itemId: p.id, subjectTenantId: p.tenantId, jointItemId: t.id, ownerTenantId: t.tenantId, from: null, to: ParticipationStatus.PENDING, comment: message });
  await ctx.em.flush();
  return p;
}

/** The parent adopts a recommended topic into its own plan (the child takes part), or declines it. */
export async function answerRecommendation(ctx: Context, globalId: string, adopt: boolean, reason?: string | null): Promise<JointParticipant> {
  const p = await ownParticipation(ctx, globalId);
  if (p.kind !== ParticipationKind.RECOMMENDATION) throw badInput('This is not a recommended topic', { field: 'id' });
  const to = adopt ? ParticipationStatus.ACCEPTED : ParticipationStatus.DECLINED;
  if (p.status !== ParticipationStatus.PENDING) throw invalidTransition(p.status, to);
  if (!adopt && !reason?.trim()) throw badInput('A reason is required to decline', { field: 'reason' });
  const origin = await ctx.loaders.topic.topicById.load(p.itemId);
  if (!origin) throw notFound('Consultation topic');
  const child = (await ctx.loaders.tenant.byId.load(origin.tenantId))!;
  if (adopt) {
    const t = newTopic(ctx, await planFor(ctx, origin.year), { title: origin.title, description: origin.description, source: origin.source, form: origin.form, originTopicId: origin.id });
    ctx.em.create(JointParticipant, {
      ...ownership(child),
      itemType: 'ConsultationTopic',
      itemId: t.id,
      ownerTenantId: ctx.tenant.id,
      kind: ParticipationKind.RECOMMENDATION,
      status: ParticipationStatus.ACCEPTED,
      title: t.title,
      respondedAt: ctx.clock.now(),
    });
    grantMembership(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: ctx.tenant.id }, child, 'MEMBER');
    await ctx.em.flush();
    await countTakingPart(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: ctx.tenant.id }, [ctx.tenant.id, child.id]);
  } else {
    await ctx.em.nativeDelete('JointMembership', { itemId: origin.id, tenantId: ctx.tenant.id });
  }
  p.status = to;
  p.reason = adopt ? null : reason!;
  p.respondedAt = ctx.clock.now();
  recordChange(ctx, { itemType: 'JointParticipant', itemId: p.id, subjectTenantId: p.tenantId, jointItemId: p.itemId, ownerTenantId: p.ownerTenantId, from: ParticipationStatus.PENDING, to, comment: reason });
  await ctx.em.flush();
  ctx.joint.invalidate();
  return p;
}

/** The owner invites descendants into one of its topics (邀请下级参与). */
export async function inviteToTopic(ctx: Context, input: InviteCommitteesInput): Promise<JointParticipant[]> {
  const t = await ownTopic(ctx, input.itemId, 'itemId');
  if (t.stage === TopicStage.CLOSED) throw invalidTransition(t.stage, 'INVITATION', 'The topic is closed');
  const invitees = await committeesByCode(ctx, input.committeeCodes);
  for (const c of invitees) {
    if (c.id === ctx.tenant.id) throw badInput('A committee cannot invite itself', { field: 'committeeCodes', code: c.code });
    if (!isSameOrAncestor(ctx.tenant, c)) throw badInput(`${c.name} is not under ${ctx.tenant.committeeName}: topics invite descendants`, { field: 'committeeCodes', code: c.code });
  }
  const rows = await invite(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: t.tenantId, title: t.title }, invitees, input);
  await ctx.em.flush();
  return rows;
}

// ---- suggestions and the closed loop -------------------------------------------------------------------

export async function addSuggestion(ctx: Context, input: AddSuggestionInput): Promise<ConsultationSuggestion> {
  const t = await ownTopic(ctx, input.topicId);
  if (!SUGGESTION_OPEN.includes(t.stage)) throw invalidTransition(t.stage, 'SUGGESTION', `Suggestions are recorded in CONSULT or ASSIGN (the topic is in ${t.stage})`);
  let proposer: User | null = null;
  if (input.proposedBy) {
    proposer = await ctx.em.findOne(User, { id: expectGlobalId(input.proposedBy, 'User', 'proposedBy'), tenantId: ctx.tenant.id, role: Role.MEMBER });
    if (!proposer) throw notFound('Member');
  }
  // Numbering is per topic; the row lock serialises concurrent additions.
  await ctx.em.execute('select id from consultation_topic where id = ? for update', [t.id]);
  const [{ n }] = await ctx.em.execute<{ n: number }[]>('select coalesce(max(number), 0)::int as n from consultation_suggestion where topic_id = ?', [t.id]);
  const s = ctx.em.create(ConsultationSuggestion, { ...ownership(ctx.tenant), topicId: t.id, number: n + 1, content: input.content, proposedByName: proposer?.displayName ?? null, status: SuggestionStatus.DRAFT });
  suggestionChange(ctx, s, null, SuggestionStatus.DRAFT);
  await statistics.recordFact(ctx, { metric: 'suggestion.total', tenantId: s.tenantId, at: ctx.clock.now() });
  if (proposer) {
    await emit(ctx, 'duty.act', { kind: 'CONSULTATION_SUGGESTION', userId: proposer.id, tenantId: ctx.tenant.id, sourceType: 'ConsultationSuggestion', sourceId: s.id, title: `${t.title}：建议${s.number}`, occurredAt: ctx.clock.now() });
  }
  await ctx.em.flush();
  return s;
}

async function ownSuggestion(ctx: Context, globalId: string): Promise<ConsultationSuggestion> {
  const s = await ctx.em.findOne(ConsultationSuggestion, { id: expectGlobalId(globalId, 'ConsultationSuggestion'), tenantId: ctx.tenant.id });
  if (!s) throw notFound('Suggestion');
  return s;
}

export async function assignSuggestion(ctx: Context, input: AssignSuggestionInput): Promise<ConsultationSuggestion> {
  requireRole(ctx, ...JOINT_ACTORS);
  const s = await ownSuggestion(ctx, input.id);
  const t = (await ctx.loaders.topic.topicById.load(s.topicId))!;
  if (!ASSIGN_OPEN.includes(t.stage)) throw invalidTransition(t.stage, 'ASSIGNED', `Suggestions are assigned in ASSIGN or IMPLEMENT (the topic is in ${t.stage})`);
  if (s.status !== SuggestionStatus.DRAFT) throw invalidTransition(s.status, SuggestionStatus.ASSIGNED);
  const dept = await ctx.em.findOne(User, { id: expectGlobalId(input.departmentUserId, 'User', 'departmentUserId'), tenantId: ctx.tenant.id, role: Role.DEPARTMENT });
  if (!dept) throw notFound('Handling department');
  const now = ctx.clock.now();
  const deadline = input.deadline ?? defaultDeadline(now);
  if (deadline.getTime() <= now.getTime()) throw badInput('deadline must be in the future', { field: 'deadline' });
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
  if (s.departmentUserId !== ctx.viewer.user.id) throw notFound('Suggestion');
  if (s.status !== SuggestionStatus.ASSIGNED) throw invalidTransition(s.status, input.outcome);
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) throw badInput('outcome must be ADOPTED, PARTLY_ADOPTED or NOT_ADOPTED', { field: 'outcome' });
  if (input.outcome !== SuggestionStatus.ADOPTED && !input.reason) throw badInput('Give reasons when a suggestion is not fully adopted', { field: 'reason' });
  const now = ctx.clock.now();
  suggestionChange(ctx, s, effectiveStatus(s.status, s.deadline, now), input.outcome, input.reason);
  Object.assign(s, { status: input.outcome, feedback: input.feedback, outcomeReason: input.reason ?? null, feedbackAt: now });
  await ctx.em.flush();
  await statistics.settleDeadline(ctx, { itemKey: `ConsultationSuggestion:${s.id}`, at: now });
  // "17 suggestions, 16 adopted": partly adopted counts as adopted, as the committees report it.
  if (input.outcome !== SuggestionStatus.NOT_ADOPTED) await statistics.recordFact(ctx, { metric: 'suggestion.adopted', tenantId: s.tenantId, at: now });
  return s;
}

export function assertReader(ctx: Context): void {
  if (!JOINT_READERS.includes(ctx.viewer.role)) throw forbidden();
}
