import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { badInput, conflict, invalidTransition, notFound, text } from '../../core/errors.js';
import { isSameOrAncestor } from '../tenant/tenant.service.js';
import { recordChange } from '../history/history.service.js';
import { JointParticipant, ParticipationKind, ParticipationStatus } from '../joint/joint.entities.js';
import { JOINT_ACTORS, addParticipant, answeredAlready, committeesByCode, countTakingPart, invite, ownParticipation } from '../joint/joint.service.js';
import { TopicStage } from './topic.state.js';
import type { InviteCommitteesInput } from '../joint/joint.inputs.js';
import { newTopic, ownTopic, planFor, visibleTopic } from './topic-plan.service.js';

// Two-way selection (双向选择): taking up an ancestor's topic, recommending upward, inviting descendants.

/** A descendant takes up a topic from an ancestor's published plan and becomes a participant (承接). */
export async function takeUpTopic(ctx: Context, globalId: string, message?: string | null): Promise<JointParticipant> {
  requireRole(ctx, ...JOINT_ACTORS);
  const t = await visibleTopic(ctx, globalId);
  const owner = (await ctx.loaders.tenant.byId.load(t.tenantId))!;
  if (t.tenantId === ctx.tenant.id || !isSameOrAncestor(owner, ctx.tenant) || !t.planPublished) {
    throw badInput(text('只能承接上级已发布计划中的议题', "Only a topic of an ancestor's published plan can be taken up"), { field: 'topicId' });
  }
  if (t.stage === TopicStage.CLOSED) throw invalidTransition(t.stage, 'TAKE_UP', text('议题已办结', 'The topic is closed'));
  if (await ctx.em.findOne(JointParticipant, { itemId: t.id, tenantId: ctx.tenant.id })) throw conflict(text('本单位已参与该议题', 'The committee already takes part in this topic'));
  const item = { type: 'ConsultationTopic' as const, id: t.id, ownerTenantId: t.tenantId, title: t.title };
  const p = addParticipant(ctx, item, ctx.tenant, { kind: ParticipationKind.TAKE_UP, status: ParticipationStatus.ACCEPTED, message, grant: 'MEMBER' });
  await countTakingPart(ctx, item, [t.tenantId, ctx.tenant.id]);
  await ctx.em.flush();
  ctx.joint.invalidate();
  return p;
}

/** Recommend one of the committee's topics to its parent (向上推荐); the parent may then see and adopt it. */
export async function recommendUpward(ctx: Context, globalId: string, message?: string | null): Promise<JointParticipant> {
  const t = await ownTopic(ctx, globalId);
  if (!ctx.tenant.parentId) throw badInput(text('省级政协没有可推荐的上级', 'A province committee has no parent to recommend to'), { field: 'topicId' });
  const parent = (await ctx.loaders.tenant.byId.load(ctx.tenant.parentId))!;
  if (await ctx.em.findOne(JointParticipant, { itemId: t.id, tenantId: parent.id })) throw conflict(text(`已推荐给${parent.committeeName}`, `Already sent to ${parent.committeeName}`));
  const item = { type: 'ConsultationTopic' as const, id: t.id, ownerTenantId: t.tenantId, title: t.title };
  const p = addParticipant(ctx, item, parent, { kind: ParticipationKind.RECOMMENDATION, status: ParticipationStatus.PENDING, message, grant: 'VIEW' });
  await ctx.em.flush();
  return p;
}

/** The parent adopts a recommended topic into its own plan (the child takes part), or declines it. */
export async function answerRecommendation(ctx: Context, globalId: string, adopt: boolean, reason?: string | null): Promise<JointParticipant> {
  const p = await ownParticipation(ctx, globalId);
  if (p.kind !== ParticipationKind.RECOMMENDATION) throw badInput(text('这不是下级推荐的议题', 'This is not a recommended topic'), { field: 'id' });
  const to = adopt ? ParticipationStatus.ACCEPTED : ParticipationStatus.DECLINED;
  if (p.status !== ParticipationStatus.PENDING) throw invalidTransition(p.status, to, answeredAlready(p.status));
  if (!adopt && !reason?.trim()) throw badInput(text('不予采纳须说明理由', 'A reason is required to decline'), { field: 'reason' });
  const origin = await ctx.loaders.topic.topicById.load(p.itemId);
  if (!origin) throw notFound(text('协商议题', 'Consultation topic'));
  const child = (await ctx.loaders.tenant.byId.load(origin.tenantId))!;
  if (adopt) {
    const t = newTopic(ctx, await planFor(ctx, origin.year), { title: origin.title, description: origin.description, source: origin.source, form: origin.form, originTopicId: origin.id });
    // The topic before the rows that name it: their insert policies check its owner (migration 0014).
    await ctx.em.flush();
    const item = { type: 'ConsultationTopic' as const, id: t.id, ownerTenantId: ctx.tenant.id, title: t.title };
    addParticipant(ctx, item, child, { kind: ParticipationKind.RECOMMENDATION, status: ParticipationStatus.ACCEPTED, grant: 'MEMBER', history: false });
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
  if (t.stage === TopicStage.CLOSED) throw invalidTransition(t.stage, 'INVITATION', text('议题已办结', 'The topic is closed'));
  const invitees = await committeesByCode(ctx, input.committeeCodes);
  for (const c of invitees) {
    if (c.id === ctx.tenant.id) throw badInput(text('不能邀请本单位', 'A committee cannot invite itself'), { field: 'committeeCodes', code: c.code });
    if (!isSameOrAncestor(ctx.tenant, c)) throw badInput(text(`${c.name}不是${ctx.tenant.committeeName}的下级：议题只能邀请下级参与`, `${c.name} is not under ${ctx.tenant.committeeName}: topics invite descendants`), { field: 'committeeCodes', code: c.code });
  }
  const rows = await invite(ctx, { type: 'ConsultationTopic', id: t.id, ownerTenantId: t.tenantId, title: t.title }, invitees, input);
  await ctx.em.flush();
  return rows;
}
