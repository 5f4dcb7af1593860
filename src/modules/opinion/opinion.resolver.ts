import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { User } from '../../core/identity/user.entity.js';
import { Opinion, OpinionLevel } from './opinion.entity.js';
import { EditOpinionInput, InstructOpinionInput, OpinionOrder, SubmitOpinionInput } from './opinion.inputs.js';
import * as opinions from './opinion.service.js';

const OpinionConnection = Connection(Opinion, 'Opinion', '社情民意信息');
const levelsComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 3 * childComplexity;


@Resolver(() => Opinion)
export class OpinionResolver {
  @Query(() => OpinionConnection, { description: "Public-opinion reports you may see (社情民意信息列表): the committee's own and those forwarded to it; a member's own." })
  opinions(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('received', () => Boolean, {
      nullable: true,
      description: 'true: only reports forwarded up from below (只看下级报送); false: only the committee’s own (只看本级); omitted: both.',
    })
    received?: boolean | null,
    @Arg('orderBy', () => OpinionOrder, { nullable: true, description: 'Sort order (排序); creation order when omitted.' }) orderBy?: OpinionOrder,
  ) {
    return opinions.listOpinions(ctx, received ?? null, page, orderBy);
  }

  @FieldResolver(() => Tenant, { description: 'Committee where the report was submitted (报送单位).' })
  tenant(@Root() o: Opinion, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(o.tenantId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Author (报送人); null above the owning committee.' })
  author(@Root() o: Opinion, @Ctx() ctx: Context) {
    // Stated here, not left to the account's visibility: the author may hold a seat on the level above too.
    return o.tenantId === ctx.tenant.id ? ctx.loaders.member.userById.load(o.authorId) : null;
  }

  @FieldResolver(() => [OpinionLevel], { description: 'Levels the report reached that you may see, lowest first (报送层级).', complexity: levelsComplexity })
  levels(@Root() o: Opinion, @Ctx() ctx: Context) {
    return opinions.levelsOf(ctx, o);
  }

  @Mutation(() => Opinion, { description: 'Submit a report to the acting committee (报送社情民意信息). MEMBER, STAFF or ADMIN.' })
  submitOpinion(@Ctx() ctx: Context, @Arg('input', () => SubmitOpinionInput, { description: 'The report.' }) input: SubmitOpinionInput) {
    return opinions.submitOpinion(ctx, input);
  }

  @Mutation(() => Opinion, { description: 'Edit an own report before it is forwarded (采编). STAFF or ADMIN.' })
  editOpinion(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Opinion id.' }) id: string,
    @Arg('input', () => EditOpinionInput, { description: 'The edits.' }) input: EditOpinionInput,
  ) {
    return opinions.editOpinion(ctx, id, input);
  }

  @Mutation(() => Opinion, { description: 'Forward a report held by the acting committee to the committee one level up (向上报送). STAFF or ADMIN.' })
  forwardOpinion(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Opinion id.' }) id: string,
    @Arg('to', () => String, { description: 'Code of the parent committee.' }) to: string,
  ) {
    return opinions.forwardOpinion(ctx, id, to);
  }

  @Mutation(() => Opinion, { description: 'Adopt a report at the acting level (采用). STAFF, LEADER or ADMIN; once per level.' })
  adoptOpinion(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Opinion id.' }) id: string) {
    return opinions.adoptOpinion(ctx, id);
  }

  @Mutation(() => Opinion, { description: 'Record a leader instruction at the acting level (领导批示). STAFF, LEADER or ADMIN; once per level.' })
  instructOpinion(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Opinion id.' }) id: string,
    @Arg('input', () => InstructOpinionInput, { description: 'The instruction.' }) input: InstructOpinionInput,
  ) {
    return opinions.instructOpinion(ctx, id, input);
  }
}

@Resolver(() => OpinionLevel)
export class OpinionLevelResolver {
  @FieldResolver(() => Tenant, { description: 'The committee at this level (层级政协).' })
  tenant(@Root() r: OpinionLevel, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(r.tenantId);
  }
}
