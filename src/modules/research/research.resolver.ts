import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { badInput, text } from '../../core/errors.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { StateChange } from '../history/state-change.entity.js';
import { JointParticipant } from '../joint/joint.entities.js';
import { inviteCommittees } from './research.service.js';
import * as research from './research.service.js';
import { ResearchContribution, ResearchOutcome, ResearchProject, ResearchReview, ResearchTeamMember } from './research.entities.js';
import { LocalDate } from '../../core/scalars.js';
import { InviteCommitteesInput } from '../joint/joint.inputs.js';
import { ContributionInput, CreateResearchProjectInput, EditContributionInput, EditResearchProjectInput, MoveResearchProjectInput, OutcomeInput, ResearchFilter, ReviewInput, TeamMemberInput } from './research.inputs.js';

export const ResearchProjectConnection = Connection(ResearchProject, 'ResearchProject', '联合调研课题');


@Resolver(() => ResearchProject)
export class ResearchResolver {
  @Query(() => ResearchProjectConnection, { description: 'Research projects the acting committee leads or takes part in (联合调研课题).' })
  researchProjects(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ResearchFilter, { nullable: true, description: 'Optional filters (筛选).' }) filter?: ResearchFilter,
  ) {
    return research.listProjects(ctx, filter, page);
  }

  @FieldResolver(() => Tenant, { description: 'The lead committee (牵头单位).' })
  leadCommittee(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(p.tenantId);
  }

  @FieldResolver(() => [JointParticipant], { description: 'Invited and participating committees with their answers (参与单位).' })
  participants(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.joint.participantsByItem.load(p.id);
  }

  @FieldResolver(() => [ResearchTeamMember], { description: 'Team members you may see: the lead sees every team, a participant its own (调研组成员).' })
  team(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.research.teamByProject.load(p.id);
  }

  @FieldResolver(() => [ResearchContribution], { description: 'Contributions you may see: the lead sees all, a participant its own (子课题报告).' })
  contributions(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.research.contributionsByProject.load(p.id);
  }

  @FieldResolver(() => [ResearchOutcome], { description: 'Leader instructions and adopted suggestions (成果).' })
  outcomes(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.research.outcomesByProject.load(p.id);
  }

  @FieldResolver(() => [ResearchReview], { description: 'Every review of the combined report, by date (报告审定记录), e.g. 秘书长会议 then 主席会议.' })
  reviews(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.research.reviewsByProject.load(p.id);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Body of the latest review, e.g. 主席会议 (审定机构); every review is in `reviews`.' })
  async reviewBody(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return (await research.latestReview(ctx, p))?.reviewBody ?? null;
  }

  @FieldResolver(() => LocalDate, { nullable: true, description: 'Date of the latest review (审定日期).' })
  async reviewedOn(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return (await research.latestReview(ctx, p))?.reviewedOn ?? null;
  }

  @FieldResolver(() => [StateChange], { description: 'Every state change and edit, oldest first (流转记录).' })
  history(@Root() p: ResearchProject, @Ctx() ctx: Context) {
    return ctx.loaders.joint.historyByItem.load(p.id);
  }

  @Mutation(() => ResearchProject, { description: 'Open a joint research project led by the acting committee (新建联合调研). STAFF or LEADER.' })
  createResearchProject(@Ctx() ctx: Context, @Arg('input', () => CreateResearchProjectInput, { description: 'The project (课题).' }) input: CreateResearchProjectInput) {
    return research.createProject(ctx, input);
  }

  @Mutation(() => [JointParticipant], { description: 'Invite committees of the same province into a project (邀请参与调研). Lead STAFF or LEADER.' })
  inviteToResearch(@Ctx() ctx: Context, @Arg('input', () => InviteCommitteesInput, { description: 'Project and committees (邀请).' }) input: InviteCommitteesInput) {
    return inviteCommittees(ctx, input);
  }

  @Mutation(() => ResearchProject, { description: 'Move a project along its lifecycle (课题状态流转). Lead STAFF or LEADER.' })
  moveResearchProject(@Ctx() ctx: Context, @Arg('input', () => MoveResearchProjectInput, { description: 'Target state (目标状态).' }) input: MoveResearchProjectInput) {
    return research.moveProject(ctx, input);
  }

  @Mutation(() => [ResearchTeamMember], { description: "Name the acting committee's team on a project, replacing the previous list (确定调研组)." })
  setResearchTeam(
    @Ctx() ctx: Context,
    @Arg('projectId', () => ID, { description: 'The project (课题).' }) projectId: string,
    @Arg('members', () => [TeamMemberInput], { description: 'Members and staff of the acting committee (成员).' }) members: TeamMemberInput[],
  ) {
    if (members.length > 100) throw badInput(text('调研组最多 100 人', 'A team has at most 100 people'), { field: 'members' });
    return research.setTeam(ctx, projectId, members);
  }

  @Mutation(() => ResearchContribution, { description: "Submit the acting committee's contribution (提交子课题报告)." })
  submitResearchContribution(
    @Ctx() ctx: Context,
    @Arg('projectId', () => ID, { description: 'The project (课题).' }) projectId: string,
    @Arg('input', () => ContributionInput, { description: 'The contribution (报告).' }) input: ContributionInput,
  ) {
    return research.submitContribution(ctx, projectId, input);
  }

  @Mutation(() => ResearchContribution, {
    description: "Start the acting committee's contribution as a draft (撰写子课题报告), which only that committee reads until its office submits it. A MEMBER on the committee's team for the project, or STAFF or LEADER.",
  })
  draftResearchContribution(
    @Ctx() ctx: Context,
    @Arg('projectId', () => ID, { description: 'The project (课题).' }) projectId: string,
    @Arg('input', () => ContributionInput, { description: 'The contribution (报告).' }) input: ContributionInput,
  ) {
    return research.draftContribution(ctx, projectId, input);
  }

  @Mutation(() => ResearchContribution, {
    description: "Edit a contribution of the acting committee (修改子课题报告): a draft by a MEMBER on the team or the office; a submitted one by STAFF or LEADER before the project is REPORTING. Kept in its history.",
  })
  editResearchContribution(@Ctx() ctx: Context, @Arg('input', () => EditContributionInput, { description: 'What changes (修改内容).' }) input: EditContributionInput) {
    return research.editContribution(ctx, input);
  }

  @Mutation(() => ResearchContribution, { description: "Submit a draft contribution of the acting committee (提交子课题报告); the lead then reads it. STAFF or LEADER." })
  submitResearchContributionDraft(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'The draft (草稿).' }) id: string) {
    return research.submitContributionDraft(ctx, id);
  }

  @Mutation(() => ResearchProject, { description: 'Edit the title, background and goals of a project not closed or cancelled (修改课题); kept in its history. Lead STAFF or LEADER.' })
  editResearchProject(@Ctx() ctx: Context, @Arg('input', () => EditResearchProjectInput, { description: 'What changes (修改内容).' }) input: EditResearchProjectInput) {
    return research.editProject(ctx, input);
  }

  @Mutation(() => ResearchProject, { description: 'The lead compiles the combined report (形成综合报告), in REPORTING.' })
  compileResearchReport(
    @Ctx() ctx: Context,
    @Arg('projectId', () => ID, { description: 'The project (课题).' }) projectId: string,
    @Arg('report', () => String, { description: 'Report text, up to 100,000 characters (报告正文).' }) report: string,
  ) {
    if (!report.trim() || report.length > 100_000) throw badInput(text('报告正文须为 1 至 100,000 字', 'report must be 1–100,000 characters'), { field: 'report' });
    return research.compileReport(ctx, projectId, report);
  }

  @Mutation(() => ResearchProject, { description: 'Record a review of the combined report (审定), in REPORTING; each review is kept in `reviews`.' })
  recordResearchReview(
    @Ctx() ctx: Context,
    @Arg('projectId', () => ID, { description: 'The project (课题).' }) projectId: string,
    @Arg('input', () => ReviewInput, { description: 'The review (审定).' }) input: ReviewInput,
  ) {
    return research.recordReview(ctx, projectId, input);
  }

  @Mutation(() => ResearchOutcome, { description: 'Record leader instructions or an adopted suggestion after submission (记录成果).' })
  recordResearchOutcome(
    @Ctx() ctx: Context,
    @Arg('projectId', () => ID, { description: 'The project (课题).' }) projectId: string,
    @Arg('input', () => OutcomeInput, { description: 'The outcome (成果).' }) input: OutcomeInput,
  ) {
    return research.recordOutcome(ctx, projectId, input);
  }
}

@Resolver(() => ResearchContribution)
export class ResearchContributionResolver {
  @FieldResolver(() => Tenant, { description: 'The contributing committee (提交单位).' })
  committee(@Root() c: ResearchContribution, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(c.tenantId);
  }

  @FieldResolver(() => [StateChange], { description: 'Drafted, edited, submitted, oldest first (流转记录); what happened while a draft only its committee reads.' })
  history(@Root() c: ResearchContribution, @Ctx() ctx: Context) {
    return ctx.loaders.joint.historyByItem.load(c.id);
  }
}

@Resolver(() => ResearchTeamMember)
export class ResearchTeamMemberResolver {
  @FieldResolver(() => Tenant, { description: 'Committee of the team member (所属政协).' })
  committee(@Root() m: ResearchTeamMember, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(m.tenantId);
  }
}
