import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { User } from '../../core/identity/user.entity.js';
import { Proposal, Satisfaction } from './proposal.entity.js';
import { StateChange } from '../history/state-change.entity.js';
import { AssignProposalInput, EditProposalInput, ProposalFilter, ProposalOrder, ReplyProposalInput, ReviewProposalInput, SubmitProposalInput } from './proposal.inputs.js';
import * as proposals from './proposal.service.js';

const ProposalConnection = Connection(Proposal, 'Proposal', '提案');
const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 10 * childComplexity;


const users = async (ctx: Context, ids: string[]) => (await ctx.loaders.member.userById.loadMany(ids)).filter((u): u is User => u instanceof User);

@Resolver(() => Proposal)
export class ProposalResolver {
  @Query(() => ProposalConnection, { description: "The acting committee's proposals you may see (提案列表): all for office and leaders, your own for members, assigned ones for departments." })
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

  @FieldResolver(() => User, { nullable: true, description: 'Lead handling department (主办单位).' })
  leadDepartment(@Root() p: Proposal, @Ctx() ctx: Context) {
    return p.leadDepartmentId ? ctx.loaders.member.userById.load(p.leadDepartmentId) : null;
  }

  @FieldResolver(() => [User], { description: 'Co-handling departments (协办单位).', complexity: listComplexity })
  coDepartments(@Root() p: Proposal, @Ctx() ctx: Context) {
    return users(ctx, p.coDepartmentIds);
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

  @Mutation(() => Proposal, { description: 'Assign a filed proposal to handling departments with a deadline (交办). STAFF or ADMIN.' })
  assignProposal(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Proposal id.' }) id: string,
    @Arg('input', () => AssignProposalInput, { description: 'Departments and deadline.' }) input: AssignProposalInput,
  ) {
    return proposals.assignProposal(ctx, id, input);
  }

  @Mutation(() => Proposal, { description: 'Reply to an assigned proposal (答复). The lead DEPARTMENT, or STAFF entering it.' })
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
