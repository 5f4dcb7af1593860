import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { User } from '../../core/identity/user.entity.js';
import { StateChange } from '../history/state-change.entity.js';
import { DeadlineExtension, HandlingUnit } from '../unit/unit.entities.js';
import { DecideExtensionInput, RequestExtensionInput, ReturnAssignmentInput } from '../unit/unit.inputs.js';
import { Proposal, ProposalStatus, Satisfaction } from './proposal.entity.js';
import { effectiveProposalStatus } from './proposal.state.js';
import { AssignProposalInput, EditProposalInput, ProposalFilter, ProposalOrder, ReplyProposalInput, ReviewProposalInput, SubmitProposalInput } from './proposal.inputs.js';
import * as proposals from './proposal.service.js';

const ProposalConnection = Connection(Proposal, 'Proposal', '提案');
const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 10 * childComplexity;


const users = async (ctx: Context, ids: string[]) => (await ctx.loaders.member.userById.loadMany(ids)).filter((u): u is User => u instanceof User);

@Resolver(() => Proposal)
export class ProposalResolver {
  @Query(() => ProposalConnection, { description: "The acting committee's proposals you may see (提案列表): all for office and leaders, your own for members, your unit's for handling units." })
  proposals(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ProposalFilter, { nullable: true, description: 'Optional filters.' }) filter?: ProposalFilter,
    @Arg('orderBy', () => ProposalOrder, { nullable: true, description: 'Sort order (排序); creation order when omitted.' }) orderBy?: ProposalOrder,
  ) {
    return proposals.listProposals(ctx, filter, page, orderBy);
  }

  @FieldResolver(() => Tenant, { description: 'The committee the proposal was submitted to (受理政协).' })
  tenant(@Root() p: Proposal, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(p.tenantId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who submitted it (提案人).' })
  proposer(@Root() p: Proposal, @Ctx() ctx: Context) {
    return ctx.loaders.member.userById.load(p.proposerId);
  }

  @FieldResolver(() => [User], { description: 'Co-proposers of a joint proposal (联名委员).', complexity: listComplexity })
  coProposers(@Root() p: Proposal, @Ctx() ctx: Context) {
    return users(ctx, p.coProposerIds);
  }

  @FieldResolver(() => ProposalStatus, { description: 'Handling status now (办理状态); OVERDUE once the reply deadline passes without a reply.' })
  status(@Root() p: Proposal, @Ctx() ctx: Context) {
    return effectiveProposalStatus(p, ctx.clock.now());
  }

  @FieldResolver(() => HandlingUnit, { nullable: true, description: 'Lead handling unit (主办单位); every account of the unit sees and answers it.' })
  leadUnit(@Root() p: Proposal, @Ctx() ctx: Context) {
    return p.leadUnitId ? ctx.loaders.unit.unitById.load(p.leadUnitId) : null;
  }

  @FieldResolver(() => [HandlingUnit], { description: 'Co-handling units (协办单位).', complexity: listComplexity })
  async coUnits(@Root() p: Proposal, @Ctx() ctx: Context) {
    return (await ctx.loaders.unit.unitById.loadMany(p.coUnitIds)).filter((u): u is HandlingUnit => u instanceof HandlingUnit);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Office staff who entered the reply for the lead unit (代录人); null when the unit replied itself.' })
  replyEnteredBy(@Root() p: Proposal, @Ctx() ctx: Context) {
    return p.replyEnteredBy ? ctx.loaders.member.userById.load(p.replyEnteredBy) : null;
  }

  @FieldResolver(() => [DeadlineExtension], { description: 'Deadline extension requests of the lead unit, oldest first (延期申请).', complexity: listComplexity })
  extensions(@Root() p: Proposal, @Ctx() ctx: Context) {
    return ctx.loaders.unit.extensionsByItem.load(p.id);
  }

  @FieldResolver(() => [StateChange], { description: 'Every move, oldest first (流转记录): filing, assignment, 改办, 延期, reply, rating, and ASSIGNED → OVERDUE at the deadline (by 系统) once it passed without a reply.', complexity: listComplexity })
  history(@Root() p: Proposal, @Ctx() ctx: Context) {
    return proposals.proposalHistory(ctx, p);
  }

  @Mutation(() => Proposal, { description: 'Submit a proposal (提交提案): MEMBER for MEMBER and JOINT, STAFF or ADMIN for SECTOR and PARTY_GROUP.' })
  submitProposal(@Ctx() ctx: Context, @Arg('input', () => SubmitProposalInput, { description: 'The proposal.' }) input: SubmitProposalInput) {
    return proposals.submitProposal(ctx, input);
  }

  @FieldResolver(() => [StateChange], { description: 'Edits made before the filing review, oldest first, each with the fields it changed (修改记录).', complexity: listComplexity })
  async edits(@Root() p: Proposal, @Ctx() ctx: Context) {
    return (await ctx.loaders.joint.historyByItem.load(p.id)).filter((c) => c.changes?.length);
  }

  @Mutation(() => Proposal, { description: 'Edit a proposal before its filing review (修改提案): the proposer; the office for SECTOR and PARTY_GROUP proposals. Kept in `edits`.' })
  editProposal(@Ctx() ctx: Context, @Arg('input', () => EditProposalInput, { description: 'What changes (修改内容).' }) input: EditProposalInput) {
    return proposals.editProposal(ctx, input);
  }

  @Mutation(() => Proposal, { description: 'Decide on filing (立案审查). STAFF or ADMIN; only a SUBMITTED proposal.' })
  reviewProposal(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => ReviewProposalInput, { description: 'The decision.' }) input: ReviewProposalInput,
  ) {
    return proposals.reviewProposal(ctx, id, input);
  }

  @Mutation(() => Proposal, { description: 'Assign a filed proposal to handling units with a deadline (交办), again after 改办. STAFF or ADMIN.' })
  assignProposal(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => AssignProposalInput, { description: 'Departments and deadline.' }) input: AssignProposalInput,
  ) {
    return proposals.assignProposal(ctx, id, input);
  }

  @Mutation(() => Proposal, { description: 'Give an assigned proposal back to the office (申请改办), with the reason; it returns to FILED for a new lead. An account of the lead unit.' })
  returnProposal(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => ReturnAssignmentInput, { description: 'The reason.' }) input: ReturnAssignmentInput,
  ) {
    return proposals.returnProposal(ctx, id, input.reason);
  }

  @Mutation(() => DeadlineExtension, { description: 'Ask for a later reply deadline (申请延期), before the deadline; one pending request at a time. An account of the lead unit.' })
  requestProposalExtension(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => RequestExtensionInput, { description: 'The date asked for and why.' }) input: RequestExtensionInput,
  ) {
    return proposals.requestProposalExtension(ctx, id, input);
  }

  @Mutation(() => Proposal, { description: "Grant or refuse the lead unit's pending extension request (延期审核); granted, the deadline moves. STAFF or ADMIN." })
  decideProposalExtension(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => DecideExtensionInput, { description: 'The decision.' }) input: DecideExtensionInput,
  ) {
    return proposals.decideProposalExtension(ctx, id, input);
  }

  @Mutation(() => Proposal, { description: 'Reply to an assigned proposal (答复). An account of the lead unit, or STAFF or ADMIN entering it for the unit (代录, kept in replyEnteredBy).' })
  replyProposal(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => ReplyProposalInput, { description: 'The reply.' }) input: ReplyProposalInput,
  ) {
    return proposals.replyProposal(ctx, id, input);
  }

  @Mutation(() => Proposal, { description: 'Rate the reply (满意度测评). Only the proposer, once the proposal is replied.' })
  rateProposal(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('satisfaction', () => Satisfaction, { description: 'The rating.' }) satisfaction: Satisfaction,
  ) {
    return proposals.rateProposal(ctx, id, satisfaction);
  }

  @Mutation(() => Proposal, { description: 'Flag a filed proposal as key, under supervision (重点督办). LEADER, STAFF or ADMIN.' })
  superviseProposal(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Proposal id.' }) id: string) {
    return proposals.superviseProposal(ctx, id);
  }
}
