import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { badInput, text } from '../../core/errors.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { StateChange } from '../history/state-change.entity.js';
import { User } from '../../core/identity/user.entity.js';
import { DeadlineExtension, HandlingUnit } from '../unit/unit.entities.js';
import { DecideExtensionInput, RequestExtensionInput, ReturnAssignmentInput } from '../unit/unit.inputs.js';
import { JointParticipant } from '../joint/joint.entities.js';
import { InviteCommitteesInput } from '../joint/joint.inputs.js';
import * as plans from './topic-plan.service.js';
import * as selection from './topic-selection.service.js';
import * as loop from './topic-loop.service.js';
import { ConsultationPlan, ConsultationSuggestion, ConsultationTopic, RecommendationStatus, TopicRecommendation } from './topic.entities.js';
import { SuggestionStatus, effectiveStatus } from './topic.state.js';
import { AddSuggestionInput, AssignSuggestionInput, CreateTopicInput, EditTopicInput, MoveTopicInput, RecommendTopicInput, SuggestionFeedbackInput, TopicFilter } from './topic.inputs.js';

export const ConsultationTopicConnection = Connection(ConsultationTopic, 'ConsultationTopic', '协商议题');
const SuggestionConnection = Connection(ConsultationSuggestion, 'ConsultationSuggestion', '协商建议');
const RecommendationConnection = Connection(TopicRecommendation, 'TopicRecommendation', '委员荐题');


const reason = (r: string | undefined | null) => {
  if (r && r.length > 2000) throw badInput(text('理由最多 2,000 字', 'reason must be at most 2,000 characters'), { field: 'reason' });
  return r;
};

@Resolver(() => ConsultationPlan)
export class PlanResolver {
  @Query(() => ConsultationPlan, { nullable: true, description: "A committee's plan for a year: your own, or an ancestor's published plan (年度协商计划)." })
  consultationPlan(
    @Ctx() ctx: Context,
    @Arg('committeeCode', () => String, { description: 'Administrative division code (政协代码).' }) code: string,
    @Arg('year', () => Int, { description: 'Year (年度).' }) year: number,
  ) {
    return plans.planOf(ctx, code, year);
  }

  @FieldResolver(() => Tenant, { description: 'The committee (所属政协).' })
  committee(@Root() p: ConsultationPlan, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(p.tenantId);
  }

  @FieldResolver(() => [ConsultationTopic], { description: 'Topics of the plan (计划议题).' })
  topics(@Root() p: ConsultationPlan, @Ctx() ctx: Context) {
    return ctx.loaders.topic.topicsByPlan.load(p.id);
  }

  @Mutation(() => ConsultationPlan, { description: "Publish the acting committee's plan for a year (发布年度协商计划). LEADER." })
  publishConsultationPlan(@Ctx() ctx: Context, @Arg('year', () => Int, { description: 'Year (年度).' }) year: number) {
    return plans.publishPlan(ctx, year);
  }
}

@Resolver(() => ConsultationTopic)
export class TopicResolver {
  @Query(() => ConsultationTopicConnection, { description: "Topics you may see: your own, joint ones, and ancestors' published plans (协商议题)." })
  consultationTopics(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => TopicFilter, { nullable: true, description: 'Optional filters (筛选).' }) filter?: TopicFilter,
  ) {
    return plans.listTopics(ctx, filter, page);
  }

  @FieldResolver(() => Tenant, { description: 'The owning committee (所属政协).' })
  committee(@Root() t: ConsultationTopic, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(t.tenantId);
  }

  @FieldResolver(() => ConsultationPlan, { nullable: true, description: 'The annual plan it belongs to (所属计划).' })
  plan(@Root() t: ConsultationTopic, @Ctx() ctx: Context) {
    return ctx.loaders.topic.planById.load(t.planId);
  }

  @FieldResolver(() => ConsultationTopic, { nullable: true, description: "The descendant's topic this was adopted from, if you may see it (来源议题)." })
  origin(@Root() t: ConsultationTopic, @Ctx() ctx: Context) {
    return t.originTopicId ? ctx.loaders.topic.topicById.load(t.originTopicId) : null;
  }

  @FieldResolver(() => [JointParticipant], { description: 'Committees invited, taking part, or recommended to (参与单位).' })
  participants(@Root() t: ConsultationTopic, @Ctx() ctx: Context) {
    return ctx.loaders.joint.participantsByItem.load(t.id);
  }

  @FieldResolver(() => [ConsultationSuggestion], { description: 'Numbered suggestions with their status; for the owner and accepted participants (协商建议).' })
  suggestions(
    @Root() t: ConsultationTopic,
    @Ctx() ctx: Context,
    @Arg('status', () => SuggestionStatus, { nullable: true, description: 'Only this status (状态).' }) status?: SuggestionStatus,
  ) {
    return loop.suggestionsOf(ctx, t, status);
  }

  @FieldResolver(() => [StateChange], { description: 'Every stage change and edit, oldest first (流转记录).' })
  history(@Root() t: ConsultationTopic, @Ctx() ctx: Context) {
    return ctx.loaders.joint.historyByItem.load(t.id);
  }

  @Mutation(() => ConsultationTopic, { description: "Add a topic to the acting committee's plan (新增议题). STAFF or LEADER." })
  createConsultationTopic(@Ctx() ctx: Context, @Arg('input', () => CreateTopicInput, { description: 'The topic (议题).' }) input: CreateTopicInput) {
    return plans.createTopic(ctx, input);
  }

  @Mutation(() => ConsultationTopic, { description: 'Edit the title and description of a topic not closed (修改议题); kept in its history. Owner STAFF or LEADER.' })
  editConsultationTopic(@Ctx() ctx: Context, @Arg('input', () => EditTopicInput, { description: 'What changes (修改内容).' }) input: EditTopicInput) {
    return plans.editTopic(ctx, input);
  }

  @Mutation(() => ConsultationTopic, { description: 'Move a topic to the next stage of the closed loop (环节流转). Owner STAFF or LEADER.' })
  moveConsultationTopic(@Ctx() ctx: Context, @Arg('input', () => MoveTopicInput, { description: 'Next stage (下一环节).' }) input: MoveTopicInput) {
    return plans.moveTopic(ctx, input);
  }

  @Mutation(() => JointParticipant, { description: "Take up a topic from an ancestor's published plan (承接上级议题). STAFF or LEADER." })
  takeUpTopic(
    @Ctx() ctx: Context,
    @Arg('topicId', () => ID, { description: 'The topic (议题).' }) topicId: string,
    @Arg('message', () => String, { nullable: true, description: 'Note, up to 2,000 characters (说明).' }) message?: string,
  ) {
    return selection.takeUpTopic(ctx, topicId, reason(message));
  }

  @Mutation(() => JointParticipant, { description: 'Recommend one of your topics to the parent committee (向上级推荐议题). STAFF or LEADER.' })
  recommendTopicUpward(
    @Ctx() ctx: Context,
    @Arg('topicId', () => ID, { description: 'The topic (议题).' }) topicId: string,
    @Arg('message', () => String, { nullable: true, description: 'Note, up to 2,000 characters (推荐说明).' }) message?: string,
  ) {
    return selection.recommendUpward(ctx, topicId, reason(message));
  }

  @Mutation(() => JointParticipant, { description: 'Adopt a topic recommended by a child committee into your plan, or decline it (采纳下级推荐议题).' })
  answerTopicRecommendation(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The recommendation (推荐).' }) id: string,
    @Arg('adopt', () => Boolean, { description: 'true to adopt (是否采纳).' }) adopt: boolean,
    @Arg('reason', () => String, { nullable: true, description: 'Required when declining (理由).' }) why?: string,
  ) {
    return selection.answerRecommendation(ctx, id, adopt, reason(why));
  }

  @Mutation(() => [JointParticipant], { description: 'Invite descendant committees into a topic (邀请下级参与议题). Owner STAFF or LEADER.' })
  inviteToTopic(@Ctx() ctx: Context, @Arg('input', () => InviteCommitteesInput, { description: 'Topic and committees (邀请).' }) input: InviteCommitteesInput) {
    return selection.inviteToTopic(ctx, input);
  }
}

@Resolver(() => ConsultationSuggestion)
export class SuggestionResolver {
  @FieldResolver(() => SuggestionStatus, { description: 'Status now; OVERDUE once the deadline passes without feedback (办理状态).' })
  status(@Root() s: ConsultationSuggestion, @Ctx() ctx: Context) {
    return effectiveStatus(s.status, s.deadline, ctx.clock.now());
  }

  @FieldResolver(() => ConsultationTopic, { nullable: true, description: 'The topic (议题).' })
  topic(@Root() s: ConsultationSuggestion, @Ctx() ctx: Context) {
    return ctx.loaders.topic.topicById.load(s.topicId);
  }

  @FieldResolver(() => [StateChange], { description: 'Every status change, oldest first (流转记录), including ASSIGNED → OVERDUE at the deadline (by 系统) once it passed without feedback, 改办 and 延期.' })
  history(@Root() s: ConsultationSuggestion, @Ctx() ctx: Context) {
    return loop.suggestionHistory(ctx, s);
  }

  @FieldResolver(() => HandlingUnit, { nullable: true, description: "The handling unit it is assigned to (承办单位); null when unassigned or to a committee that is not the unit's." })
  unit(@Root() s: ConsultationSuggestion, @Ctx() ctx: Context) {
    return s.unitId ? ctx.loaders.unit.unitById.load(s.unitId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Office staff who entered the feedback for the unit (代录人); null when the unit filed it itself.' })
  feedbackEnteredBy(@Root() s: ConsultationSuggestion, @Ctx() ctx: Context) {
    return s.feedbackEnteredBy ? ctx.loaders.member.userById.load(s.feedbackEnteredBy) : null;
  }

  @FieldResolver(() => [DeadlineExtension], { description: "The unit's deadline extension requests, oldest first (延期申请); for the owner committee only." })
  async extensions(@Root() s: ConsultationSuggestion, @Ctx() ctx: Context) {
    return s.tenantId === ctx.tenant.id ? ctx.loaders.unit.extensionsByItem.load(s.id) : [];
  }

  @Query(() => SuggestionConnection, { description: "The acting committee's suggestions past their deadline without feedback (逾期未反馈建议)." })
  overdueSuggestions(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return loop.overdueSuggestions(ctx, page);
  }

  @Query(() => SuggestionConnection, { description: "Suggestions assigned to the signed-in account's handling unit (本单位承办建议). DEPARTMENT." })
  assignedSuggestions(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return loop.departmentSuggestions(ctx, page);
  }

  @Mutation(() => ConsultationSuggestion, { description: 'Record a numbered suggestion of the consultation (记录协商建议). Owner STAFF or LEADER.' })
  addConsultationSuggestion(@Ctx() ctx: Context, @Arg('input', () => AddSuggestionInput, { description: 'The suggestion (建议).' }) input: AddSuggestionInput) {
    return loop.addSuggestion(ctx, input);
  }

  @Mutation(() => ConsultationSuggestion, { description: 'Assign a suggestion to a handling unit with a deadline (交办), again after 改办. Owner STAFF or LEADER.' })
  assignSuggestion(@Ctx() ctx: Context, @Arg('input', () => AssignSuggestionInput, { description: 'Unit and deadline (承办单位与期限).' }) input: AssignSuggestionInput) {
    return loop.assignSuggestion(ctx, input);
  }

  @Mutation(() => ConsultationSuggestion, { description: 'File written feedback and the outcome (办理反馈). An account of the assigned unit, or owner STAFF or LEADER entering it for the unit (代录, kept in feedbackEnteredBy).' })
  fileSuggestionFeedback(@Ctx() ctx: Context, @Arg('input', () => SuggestionFeedbackInput, { description: 'Feedback (反馈).' }) input: SuggestionFeedbackInput) {
    return loop.fileFeedback(ctx, input);
  }

  @Mutation(() => ConsultationSuggestion, { description: 'Give an assigned suggestion back to the office (申请改办), with the reason; it is DRAFT again, to assign to another unit. An account of the assigned unit.' })
  returnSuggestion(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The suggestion (建议).' }) id: string,
    @Arg('input', () => ReturnAssignmentInput, { description: 'The reason.' }) input: ReturnAssignmentInput,
  ) {
    return loop.returnSuggestion(ctx, id, input.reason);
  }

  @Mutation(() => DeadlineExtension, { description: 'Ask for a later feedback deadline (申请延期), before the deadline; one pending request at a time. An account of the assigned unit.' })
  requestSuggestionExtension(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The suggestion (建议).' }) id: string,
    @Arg('input', () => RequestExtensionInput, { description: 'The date asked for and why.' }) input: RequestExtensionInput,
  ) {
    return loop.requestSuggestionExtension(ctx, id, input);
  }

  @Mutation(() => ConsultationSuggestion, { description: "Grant or refuse the unit's pending extension request (延期审核); granted, the deadline moves. STAFF or ADMIN of the owner committee." })
  decideSuggestionExtension(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The suggestion (建议).' }) id: string,
    @Arg('input', () => DecideExtensionInput, { description: 'The decision.' }) input: DecideExtensionInput,
  ) {
    return loop.decideSuggestionExtension(ctx, id, input);
  }
}

@Resolver(() => TopicRecommendation)
export class RecommendationResolver {
  @Query(() => RecommendationConnection, { description: "Members' topic recommendations: all for the office, a member's own for a member (委员荐题)." })
  topicRecommendations(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('status', () => RecommendationStatus, { nullable: true, description: 'Only this state (状态).' }) status?: RecommendationStatus,
  ) {
    return plans.listRecommendations(ctx, status, page);
  }

  @FieldResolver(() => ConsultationTopic, { nullable: true, description: 'The topic it became, once accepted (形成议题).' })
  topic(@Root() r: TopicRecommendation, @Ctx() ctx: Context) {
    return r.topicId ? ctx.loaders.topic.topicById.load(r.topicId) : null;
  }

  @Mutation(() => TopicRecommendation, { description: 'Recommend a topic to your committee (委员荐题). MEMBER.' })
  recommendTopic(@Ctx() ctx: Context, @Arg('input', () => RecommendTopicInput, { description: 'The recommendation (荐题).' }) input: RecommendTopicInput) {
    return plans.recommendTopic(ctx, input);
  }

  @Mutation(() => TopicRecommendation, { description: 'Accept a recommendation into the plan as a topic (采纳荐题). STAFF or LEADER.' })
  acceptTopicRecommendation(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The recommendation (荐题).' }) id: string,
    @Arg('description', () => String, { nullable: true, description: 'Topic description, defaults to the reason (议题说明).' }) description?: string,
  ) {
    if (description && description.length > 5000) throw badInput(text('议题说明最多 5,000 字', 'description must be at most 5,000 characters'), { field: 'description' });
    return plans.acceptRecommendation(ctx, id, description);
  }

  @Mutation(() => TopicRecommendation, { description: 'Decline a recommendation with a reason (不予采纳). STAFF or LEADER.' })
  declineTopicRecommendation(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The recommendation (荐题).' }) id: string,
    @Arg('reason', () => String, { description: 'Reason (理由).' }) why: string,
  ) {
    return plans.declineRecommendation(ctx, id, reason(why) ?? '');
  }
}
