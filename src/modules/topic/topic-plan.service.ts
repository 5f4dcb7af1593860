import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { badInput, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { recordChange, recordEdit } from '../history/history.service.js';
import { JOINT_ACTORS, JOINT_READERS, retitleParticipations, withdrawPending } from '../joint/joint.service.js';
import { ConsultationPlan, ConsultationSuggestion, ConsultationTopic, PlanStatus, RecommendationStatus, TopicRecommendation, TopicSource } from './topic.entities.js';
import { SuggestionStatus, TopicStage, canMoveTopic, topicStageZh } from './topic.state.js';
import type { CreateTopicInput, EditTopicInput, MoveTopicInput, RecommendTopicInput, TopicFilter } from './topic.inputs.js';

// Annual plans (年度协商计划), topics and members' topic recommendations (委员推荐选题).

const topicChange = (ctx: Context, t: ConsultationTopic, from: string | null, to: string, comment?: string | null) =>
  recordChange(ctx, { itemType: 'ConsultationTopic', itemId: t.id, jointItemId: t.id, ownerTenantId: t.tenantId, from, to, comment });

export async function readableTopic(ctx: Context, id: string): Promise<ConsultationTopic | null> {
  return JOINT_READERS.includes(ctx.viewer.role) ? ctx.loaders.topic.topicById.load(id) : null;
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

export async function visibleTopic(ctx: Context, globalId: string, field = 'topicId'): Promise<ConsultationTopic> {
  requireRole(ctx, ...JOINT_READERS);
  const t = await ctx.loaders.topic.topicById.load(expectGlobalId(globalId, 'ConsultationTopic', field));
  if (!t) throw notFound(text('协商议题', 'Consultation topic'));
  return t;
}

export async function ownTopic(ctx: Context, globalId: string, field = 'topicId'): Promise<ConsultationTopic> {
  requireRole(ctx, ...JOINT_ACTORS);
  const t = await visibleTopic(ctx, globalId, field);
  if (t.tenantId !== ctx.tenant.id) throw forbidden(text('只有议题所属单位可以进行此操作', 'Only the committee that owns the topic can do this'));
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

export async function planFor(ctx: Context, year: number): Promise<ConsultationPlan> {
  const found = await ctx.em.findOne(ConsultationPlan, { tenantId: ctx.tenant.id, year });
  return found ?? ctx.em.create(ConsultationPlan, { ...ownership(ctx.tenant), year, title: `${ctx.tenant.committeeName}${year}年度协商计划`, status: PlanStatus.DRAFT });
}

export function newTopic(ctx: Context, plan: ConsultationPlan, data: Pick<ConsultationTopic, 'title' | 'description' | 'source' | 'form'> & { originTopicId?: string | null }) {
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
  if (!plan) throw notFound(text('协商计划', 'Consultation plan'));
  if (plan.status === PlanStatus.PUBLISHED) throw invalidTransition(plan.status, PlanStatus.PUBLISHED, text('该年度协商计划已经发布', 'This consultation plan has already been published'));
  plan.status = PlanStatus.PUBLISHED;
  plan.publishedAt = ctx.clock.now();
  await ctx.em.nativeUpdate(ConsultationTopic, { planId: plan.id, tenantId: ctx.tenant.id }, { planPublished: true });
  recordChange(ctx, { itemType: 'ConsultationPlan', itemId: plan.id, jointItemId: plan.id, ownerTenantId: plan.tenantId, from: PlanStatus.DRAFT, to: PlanStatus.PUBLISHED });
  await ctx.em.flush();
  return plan;
}

export async function moveTopic(ctx: Context, input: MoveTopicInput): Promise<ConsultationTopic> {
  const t = await ownTopic(ctx, input.id, 'id');
  if (!canMoveTopic(t.stage, input.to)) throw invalidTransition(t.stage, input.to, text(`议题当前处于${topicStageZh(t.stage)}环节，不能转到${topicStageZh(input.to)}环节`, `A topic in ${t.stage} cannot move to ${input.to}`));
  if (input.to === TopicStage.CLOSED && !input.comment?.trim()) {
    // The loop closes with suggestions still overdue only when the office says why; the reason stays in the history.
    const overdue = await ctx.em.find(ConsultationSuggestion, { topicId: t.id, status: SuggestionStatus.ASSIGNED, deadline: { $lt: ctx.clock.now() } }, { orderBy: { number: 'asc' } });
    if (overdue.length) {
      const numbers = overdue.map((s) => s.number);
      throw badInput(text(`第 ${numbers.join('、')} 号建议已逾期未反馈：办结议题须在 comment 中说明理由`, `Suggestion${numbers.length > 1 ? 's' : ''} ${numbers.join(', ')} ${numbers.length > 1 ? 'are' : 'is'} overdue: closing the topic needs the reason in comment`), {
        field: 'comment',
        overdueSuggestions: numbers,
      });
    }
  }
  topicChange(ctx, t, t.stage, input.to, input.comment);
  if (input.to === TopicStage.CLOSED) await withdrawPending(ctx, t.id, 'Topic closed');
  t.stage = input.to;
  await ctx.em.flush();
  return t;
}

/** Edit a topic's title and description (修改议题) while its loop is not closed. Owner STAFF or LEADER. */
export async function editTopic(ctx: Context, input: EditTopicInput): Promise<ConsultationTopic> {
  const t = await ownTopic(ctx, input.id, 'id');
  if (t.stage === TopicStage.CLOSED) throw invalidTransition(t.stage, 'EDIT', text('已办结的议题不能修改', 'A closed topic cannot be edited'));
  const edit = recordEdit(ctx, { itemType: 'ConsultationTopic', itemId: t.id, jointItemId: t.id, ownerTenantId: t.tenantId, state: t.stage }, t, {
    title: input.title ?? undefined,
    description: input.description ?? undefined,
  });
  if (edit && input.title != null) await retitleParticipations(ctx, t.id, t.title);
  await ctx.em.flush();
  return t;
}

export async function recommendTopic(ctx: Context, input: RecommendTopicInput): Promise<TopicRecommendation> {
  requireRole(ctx, Role.MEMBER);
  const r = ctx.em.create(TopicRecommendation, { ...ownership(ctx.tenant), userId: ctx.viewer.user.id, memberName: ctx.viewer.user.displayName, ...input, status: RecommendationStatus.PENDING, source: TopicSource.MEMBER });
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
  if (!r) throw notFound(text('委员荐题', 'Topic recommendation'));
  if (r.status !== RecommendationStatus.PENDING) throw invalidTransition(r.status, to, r.status === RecommendationStatus.ACCEPTED ? text('该荐题已被采纳', 'This recommendation has already been accepted') : text('该荐题已不予采纳', 'This recommendation has already been declined'));
  return r;
}

export async function acceptRecommendation(ctx: Context, globalId: string, description?: string | null): Promise<TopicRecommendation> {
  const r = await pendingRecommendation(ctx, globalId, RecommendationStatus.ACCEPTED);
  const t = newTopic(ctx, await planFor(ctx, r.year), { title: r.title, description: description ?? r.reason, source: r.source, form: r.form });
  r.status = RecommendationStatus.ACCEPTED;
  r.topicId = t.id;
  await ctx.em.flush();
  return r;
}

export async function declineRecommendation(ctx: Context, globalId: string, reason: string): Promise<TopicRecommendation> {
  const r = await pendingRecommendation(ctx, globalId, RecommendationStatus.DECLINED);
  if (!reason.trim()) throw badInput(text('不予采纳须说明理由', 'A reason is required to decline'), { field: 'reason' });
  r.status = RecommendationStatus.DECLINED;
  r.declineReason = reason;
  await ctx.em.flush();
  return r;
}
