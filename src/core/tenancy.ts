import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';

export const TENANT_FILTER = 'tenant';

/** What a request acts as: one user for one committee. Built once per request in buildContext. */
export interface ScopeArgs {
  tenantId: string;
  userId: string;
}

type ScopeRule = ((s: ScopeArgs) => FilterQuery<any>) | 'global';
const rules = new Map<string, ScopeRule>();

/**
 * Every entity declares how it is scoped: tenant-owned entities give the ORM condition that mirrors their
 * RLS policy; tables readable by everyone say 'global'. An entity that declares nothing cannot be queried
 * (the filter throws), so a forgotten declaration fails closed instead of leaking.
 */
export function declareScope(entityName: string, rule: ScopeRule): void {
  rules.set(entityName, rule);
}

export const byTenant = (s: ScopeArgs) => ({ tenantId: s.tenantId });

export const tenantFilter = {
  name: TENANT_FILTER,
  default: true,
  cond(args: ScopeArgs | undefined, _type: string, _em: unknown, _opts: unknown, entityName?: string) {
    const rule = entityName ? rules.get(entityName) : undefined;
    if (rule === 'global') return {};
    if (!rule) throw new Error(`entity ${entityName} declares no tenant scope`);
    if (!args?.tenantId || !args.userId) throw new Error('tenant scope is not set');
    return rule(args);
  },
};

/**
 * Second wall: the transaction-local settings the RLS policies read. Must run inside the request's
 * transaction; `is_local = true` so a pooled connection never carries them to another request.
 */
export async function applyRlsScope(em: EntityManager, scope: Partial<ScopeArgs>): Promise<void> {
  await em.execute(`select set_config('app.tenant_id', ?, true), set_config('app.user_id', ?, true)`, [
    scope.tenantId ?? '',
    scope.userId ?? '',
  ]);
}

/** First wall: point the ORM's default tenant filter at the scope. */
export function applyOrmScope(em: EntityManager, scope: ScopeArgs): void {
  em.setFilterParams(TENANT_FILTER, scope);
}
