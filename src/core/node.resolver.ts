import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { NodeEntity } from './node.js';
import { parseGlobalId } from './global-id.js';
import { badInput, text } from './errors.js';
import { loadNode } from './node-loader.js';

function fetchNode(ctx: Context, id: string): Promise<object | null> {
  const parsed = parseGlobalId(id);
  const fetch = parsed && ctx.kernel.nodes.get(parsed.type);
  return fetch ? fetch(ctx, parsed.id) : Promise.resolve(null);
}

/** `nodes` costs what it returns: one selection per id asked for (its SQL is one statement per type). */
const nodesComplexity = ({ args, childComplexity }: { args: { ids?: unknown }; childComplexity: number }) =>
  1 + (Array.isArray(args.ids) ? args.ids.length : 1) * childComplexity;

@Resolver()
export class NodeResolver {
  @Query(() => NodeEntity, { nullable: true, description: 'Any record by its global id (按全局标识查询); null when it does not exist or is not visible to you.' })
  async node(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id.' }) id: string) {
    return fetchNode(ctx, id);
  }

  @Query(() => [NodeEntity], {
    nullable: 'items',
    complexity: nodesComplexity,
    description: 'Several records by their global ids, in the order given (批量按全局标识查询); null for each that does not exist, is not visible to you or is no valid id.',
  })
  async nodes(@Ctx() ctx: Context, @Arg('ids', () => [ID], { description: 'Global ids, at most the server page size (MAX_PAGE_SIZE).' }) ids: string[]) {
    if (ids.length > ctx.config.maxPageSize) throw badInput(text(`ids 最多 ${ctx.config.maxPageSize} 个`, `ids must hold at most ${ctx.config.maxPageSize} ids`), { field: 'ids' });
    // Batched per type: one statement per type for types with a batch form, whatever the number of ids.
    return Promise.all(
      ids.map((id) => {
        const parsed = parseGlobalId(id);
        return parsed ? loadNode(ctx, parsed.type, parsed.id) : null;
      }),
    );
  }
}
