import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { NodeEntity } from './node.js';
import { parseGlobalId } from './global-id.js';

@Resolver()
export class NodeResolver {
  @Query(() => NodeEntity, { nullable: true, description: 'Any record by its global id (按全局标识查询); null when it does not exist or is not visible to you.' })
  async node(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id.' }) id: string) {
    const parsed = parseGlobalId(id);
    const fetch = parsed && ctx.kernel.nodes.get(parsed.type);
    return fetch ? fetch(ctx, parsed.id) : null;
  }
}
