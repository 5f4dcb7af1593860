import DataLoader from 'dataloader';
import type { Context } from './context.js';

/**
 * Records of any type by (type, id), batched per request and type: ids asked for in the same tick are fetched
 * with the type's batch form (one statement per type) when its manifest gives one, otherwise one id at a time
 * with its `node(id:)` fetcher. Either way the read rule is the type's own: null for what the viewer may not see.
 */
const perRequest = new WeakMap<object, Map<string, DataLoader<string, object | null>>>();

function loaderFor(ctx: Context, type: string): DataLoader<string, object | null> | null {
  const one = ctx.kernel.nodes.get(type);
  if (!one) return null;
  // The request's loaders object lives exactly as long as the request.
  let byType = perRequest.get(ctx.loaders);
  if (!byType) perRequest.set(ctx.loaders, (byType = new Map()));
  let loader = byType.get(type);
  if (!loader) {
    const many = ctx.kernel.nodeBatches.get(type);
    loader = new DataLoader<string, object | null>(async (ids) => {
      if (!many) return Promise.all(ids.map((id) => one(ctx, id)));
      const rows = await many(ctx, ids);
      if (rows.length !== ids.length) throw new Error(`batch fetcher of ${type} answered ${rows.length} records for ${ids.length} ids`);
      return rows;
    });
    byType.set(type, loader);
  }
  return loader;
}

/** One record by type and id, through the request's batch of that type; null for an unknown type. */
export function loadNode(ctx: Context, type: string, id: string): Promise<object | null> {
  const loader = loaderFor(ctx, type);
  return loader ? loader.load(id) : Promise.resolve(null);
}

/** Order `rows` by `ids` (a batch fetcher's answer): null where no row has the id. */
export function inOrderOf<T extends { id: string }>(ids: readonly string[], rows: readonly T[]): (T | null)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}
