import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { MicroSuggestion } from './micro.entity.js';
import { MicroSuggestionFilter, ScreenMicroSuggestionInput, SubmitMicroSuggestionInput } from './micro.inputs.js';
import * as micro from './micro.service.js';
import { HandlingUnit } from '../unit/unit.entities.js';

const MicroConnection = Connection(MicroSuggestion, 'MicroSuggestion', '微建议');

@Resolver(() => MicroSuggestion)
export class MicroSuggestionResolver {
  @Query(() => MicroConnection, { description: "The acting committee's micro-suggestions you may see (微建议列表): all for office and leaders, your own for members, those forwarded to you for units." })
  microSuggestions(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => MicroSuggestionFilter, { nullable: true, description: 'Optional filters.' }) filter?: MicroSuggestionFilter,
  ) {
    return micro.listMicroSuggestions(ctx, filter, page);
  }

  @FieldResolver(() => Tenant, { description: 'The committee it was sent to (受理政协).' })
  tenant(@Root() m: MicroSuggestion, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(m.tenantId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The member who wrote it (提出委员); null for the handling unit.' })
  author(@Root() m: MicroSuggestion, @Ctx() ctx: Context) {
    return ctx.viewer.role === Role.DEPARTMENT ? null : ctx.loaders.member.userById.load(m.authorId);
  }

  @FieldResolver(() => HandlingUnit, { nullable: true, description: 'The handling unit it was forwarded to (承办单位).' })
  unit(@Root() m: MicroSuggestion, @Ctx() ctx: Context) {
    return m.unitId ? ctx.loaders.unit.unitById.load(m.unitId) : null;
  }

  @Mutation(() => MicroSuggestion, { description: 'Submit a micro-suggestion to the acting committee (提交微建议). MEMBER.' })
  submitMicroSuggestion(@Ctx() ctx: Context, @Arg('input', () => SubmitMicroSuggestionInput, { description: 'The suggestion.' }) input: SubmitMicroSuggestionInput) {
    return micro.submitMicroSuggestion(ctx, input);
  }

  @Mutation(() => MicroSuggestion, { description: 'Screen a submitted micro-suggestion (甄别): handle, forward or convert. STAFF or ADMIN; once.' })
  screenMicroSuggestion(@Ctx() ctx: Context, @Arg('input', () => ScreenMicroSuggestionInput, { description: 'The decision.' }) input: ScreenMicroSuggestionInput) {
    return micro.screenMicroSuggestion(ctx, input);
  }

  @Mutation(() => MicroSuggestion, { description: 'Reply to a micro-suggestion forwarded to you (承办单位答复). DEPARTMENT; once.' })
  replyMicroSuggestion(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Micro-suggestion id.' }) id: string,
    @Arg('reply', () => String, { description: 'The reply, 1–2000 characters.' }) reply: string,
  ) {
    return micro.replyMicroSuggestion(ctx, id, reply);
  }
}
