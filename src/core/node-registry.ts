import type { Context } from './context.js';

type Fetcher = (ctx: Context, id: string) => Promise<object | null>;
const fetchers = new Map<string, Fetcher>();

/**
 * Each module registers how `node(id:)` fetches its types. A fetcher applies the same read rule as the
 * module's own queries, so a record you may not see is null here too: missing and foreign look alike.
 */
export function registerNode(type: string, fetch: Fetcher): void {
  fetchers.set(type, fetch);
}

export function nodeFetcher(type: string): Fetcher | undefined {
  return fetchers.get(type);
}
