import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName } from '@mikro-orm/core';

/** A per-request loader of records by primary key, through the scoped EntityManager (filter + RLS apply). */
export function byIdLoader<T extends { id: string }>(em: EntityManager, entity: EntityName<T>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(entity, { id: { $in: [...ids] } } as never);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** A per-request loader of child lists grouped by a foreign key: one statement per batch. */
export function groupLoader<T extends object, K extends keyof T & string>(
  em: EntityManager,
  entity: EntityName<T>,
  key: K,
  orderBy: Record<string, 'asc' | 'desc'>,
): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const rows = (await em.find(entity, { [key]: { $in: [...keys] } } as never, { orderBy } as never)) as T[];
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const r of rows) groups.get(r[key] as unknown as string)?.push(r);
    return keys.map((k) => groups.get(k)!);
  });
}
