import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, createUnionType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { PageArgs } from '../../core/connection.js';
import { badInput, text } from '../../core/errors.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { StateChange } from '../history/state-change.entity.js';
import { ResearchContribution, ResearchProject, ResearchTeamMember } from '../research/research.entities.js';
import { ConsultationTopic } from '../topic/topic.entities.js';
import { JointParticipant } from '../joint/joint.entities.js';
import { Deadline } from './joint-work.types.js';
import { JOINT_READERS, respondToInvitation } from '../joint/joint.service.js';
import * as jointWork from './joint-work.service.js';
import { ResearchProjectConnection } from '../research/research.resolver.js';
import { ConsultationTopicConnection } from '../topic/topic.resolver.js';

export const JointItem = createUnionType({
  name: 'JointItem',
  description: 'A joint item (联动事项): a research project or a consultation topic.',
  types: () => [ResearchProject, ConsultationTopic] as const,
  resolveType: (v) => v.constructor.name,
});


@Resolver(() => JointParticipant)
export class JointParticipantResolver {
  @FieldResolver(() => Tenant, { description: 'The participating committee (参与单位).' })
  committee(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(p.tenantId);
  }

  @FieldResolver(() => Tenant, { description: 'The committee that owns the item (牵头单位).' })
  owner(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(p.ownerTenantId);
  }

  @FieldResolver(() => JointItem, { nullable: true, description: 'The item itself; null until the committee may see it, e.g. while an invitation is pending (联动事项).' })
  item(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    return p.itemType === 'ResearchProject' ? ctx.loaders.research.projectById.load(p.itemId) : ctx.loaders.topic.topicById.load(p.itemId);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Reason given with a decline (谢绝理由); only the declining committee and the owner read it, null for everyone else.' })
  reason(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    return ctx.tenant.id === p.tenantId || ctx.tenant.id === p.ownerTenantId ? (p.reason ?? null) : null;
  }

  @FieldResolver(() => DateTime, { nullable: true, description: 'When the committee answered (答复时间).' })
  respondedAt(@Root() p: JointParticipant) {
    return p.respondedAt ?? null;
  }

  @FieldResolver(() => [ResearchTeamMember], { description: "This committee's research team; visible to it and to the lead (调研组)." })
  async team(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    if (p.itemType !== 'ResearchProject') return [];
    return (await ctx.loaders.research.teamByProject.load(p.itemId)).filter((m) => m.tenantId === p.tenantId);
  }

  @FieldResolver(() => [ResearchContribution], { description: "This committee's contributions; visible to it and to the lead (子课题报告)." })
  async contributions(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    if (p.itemType !== 'ResearchProject') return [];
    return (await ctx.loaders.research.contributionsByProject.load(p.itemId)).filter((c) => c.tenantId === p.tenantId);
  }

  @FieldResolver(() => [StateChange], { description: 'Answers and changes of this participation (流转记录).' })
  history(@Root() p: JointParticipant, @Ctx() ctx: Context) {
    return ctx.loaders.joint.historyByItem.load(p.id);
  }

  @Mutation(() => JointParticipant, { description: 'Accept or decline an invitation to a joint item (答复邀请). STAFF or LEADER of the invited committee.' })
  respondToInvitation(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The invitation (邀请).' }) id: string,
    @Arg('accept', () => Boolean, { description: 'true to accept, false to decline (是否接受).' }) accept: boolean,
    @Arg('reason', () => String, { nullable: true, description: 'Required when declining, up to 2,000 characters (理由).' }) reason?: string,
  ) {
    if (reason && reason.length > 2000) throw badInput(text('理由最多 2,000 字', 'reason must be at most 2,000 characters'), { field: 'reason' });
    return respondToInvitation(ctx, id, accept, reason);
  }
}

@ObjectType('JointWork', { description: "A committee's joint work at a glance (联动工作台): invitations, shared projects and topics, deadlines." })
export class JointWork {}

@Resolver(() => JointWork)
export class JointWorkResolver {
  @Query(() => JointWork, { description: "The acting committee's joint work (联动工作台)." })
  jointWork(@Ctx() ctx: Context): JointWork {
    requireRole(ctx, ...JOINT_READERS);
    return new JointWork();
  }

  @FieldResolver(() => [JointParticipant], { description: 'Invitations and recommendations waiting for this committee (待答复邀请).' })
  invitations(@Ctx() ctx: Context) {
    return jointWork.pendingInvitations(ctx);
  }

  @FieldResolver(() => ResearchProjectConnection, { description: 'Research projects this committee leads or takes part in, still open (进行中的联合调研).' })
  projects(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return jointWork.openProjects(ctx, page);
  }

  @FieldResolver(() => ConsultationTopicConnection, { description: 'Joint topics this committee takes part in, and its own open topics (联动议题).' })
  topics(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return jointWork.openTopics(ctx, page);
  }

  @FieldResolver(() => [Deadline], { description: 'What falls due within the window, soonest first (近期到期).' })
  deadlines(@Ctx() ctx: Context, @Arg('withinDays', () => Int, { defaultValue: 30, description: 'Window in days, 1–366 (天数).' }) withinDays: number) {
    if (withinDays < 1 || withinDays > 366) throw badInput(text('withinDays 须在 1 至 366 之间', 'withinDays must be between 1 and 366'), { field: 'withinDays' });
    return jointWork.deadlines(ctx, withinDays);
  }
}

