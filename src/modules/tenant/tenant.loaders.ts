import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '../../core/identity/tenant.entity.js';

export function createTenantLoaders(em: EntityManager) {
  const byId = new DataLoader<string, Tenant | null>(async (ids) => {
    const rows = await em.find(Tenant, { id: { $in: [...ids] } });
    rows.forEach(prime);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
  const byCode = new DataLoader<string, Tenant | null>(async (codes) => {
    const rows = await em.find(Tenant, { code: { $in: [...codes] } });
    rows.forEach(prime);
    const map = new Map(rows.map((r) => [r.code, r]));
    return codes.map((c) => map.get(c) ?? null);
  });
  const children = new DataLoader<string, Tenant[]>(async (parentIds) => {
    const rows = await em.find(Tenant, { parentId: { $in: [...parentIds] } }, { orderBy: { code: 'asc' } });
    const byParent = new Map<string, Tenant[]>();
    for (const r of rows) {
      prime(r);
      const list = byParent.get(r.parentId!);
      if (list) list.push(r);
      else byParent.set(r.parentId!, [r]);
    }
    // Grouped once: with every province loaded a tree level is hundreds of parents and thousands of rows.
    return parentIds.map((p) => byParent.get(p) ?? []);
  });
  // A tenant loaded by any route answers the other routes without another statement.
  function prime(t: Tenant) {
    byId.prime(t.id, t);
    byCode.prime(t.code, t);
  }
  return { byId, byCode, children, prime };
}
export type TenantLoaders = ReturnType<typeof createTenantLoaders>;

declare module '../../core/loaders.js' {
  interface Loaders {
    tenant: ReturnType<typeof createTenantLoaders>;
  }
}
