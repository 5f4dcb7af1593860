import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { TopicRecommendation } from '../topic/topic.entities.js';
import { PublicNeed, PublicNeedStatus } from './public-need.entity.js';
import { RecommendPublicNeedInput } from './public-need.inputs.js';
import * as needs from './public-need.service.js';

const PublicNeedConnection = Connection(PublicNeed, 'PublicNeed', '社会需求');

@Resolver(() => PublicNeed)
export class PublicNeedResolver {
  @Query(() => PublicNeedConnection, { description: "Needs the public raised for the acting committee (社会提需求列表). STAFF, LEADER or ADMIN." })
  publicNeeds(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('status', () => PublicNeedStatus, { nullable: true, description: 'Only this state.' }) status?: PublicNeedStatus,
  ) {
    return needs.listPublicNeeds(ctx, status, page);
  }

  @FieldResolver(() => TopicRecommendation, { nullable: true, description: 'The topic recommendation it became (转成的荐题).' })
  recommendation(@Root() n: PublicNeed, @Ctx() ctx: Context) {
    return n.recommendationId ? ctx.loaders.topic.recommendationById.load(n.recommendationId) : null;
  }

  @Mutation(() => PublicNeed, { description: 'Screen a new public need into a topic recommendation (转为荐题, source PUBLIC). STAFF or ADMIN.' })
  recommendPublicNeed(@Ctx() ctx: Context, @Arg('input', () => RecommendPublicNeedInput, { description: 'The recommendation.' }) input: RecommendPublicNeedInput) {
    return needs.recommendPublicNeed(ctx, input);
  }

  @Mutation(() => PublicNeed, { description: 'Dismiss a new public need with a reason (不予采纳). STAFF or ADMIN.' })
  dismissPublicNeed(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'Public need id.' }) id: string,
    @Arg('reason', () => String, { description: 'Why, 1–1000 characters.' }) reason: string,
  ) {
    return needs.dismissPublicNeed(ctx, id, reason);
  }
}
