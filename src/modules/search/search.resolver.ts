import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { SearchItemType, SearchResult, SimilarProposal } from './search.types.js';
import * as searching from './search.service.js';

@Resolver()
export class SearchResolver {
  @Query(() => SearchResult, { description: 'Keyword search in Chinese (全文检索) over proposals, reports, topics and suggestions you may read, ranked, with highlights.', complexity: 50 })
  search(
    @Ctx() ctx: Context,
    @Arg('query', () => String, { description: 'Words to look for, up to 200 characters (检索词).' }) query: string,
    @Arg('types', () => [SearchItemType], { nullable: true, description: 'Kinds to search; all you may read when omitted.' }) types?: SearchItemType[],
    @Arg('first', () => Int, { defaultValue: 20, description: 'Hits to return, 1–50.' }) first: number = 20,
  ) {
    return searching.search(ctx, query, types, first);
  }

  @Query(() => [SimilarProposal], { description: "The acting committee's earlier proposals close to a draft, with their replies (相似提案). MEMBER, STAFF, LEADER or ADMIN.", complexity: 50 })
  similarProposals(
    @Ctx() ctx: Context,
    @Arg('title', () => String, { description: 'Title of the draft (案由).' }) title: string,
    @Arg('content', () => String, { description: 'Body of the draft (提案内容).' }) content: string,
    @Arg('first', () => Int, { defaultValue: 5, description: 'At most this many, 1–10.' }) first: number = 5,
  ) {
    return searching.similarProposals(ctx, title, content, first);
  }
}
