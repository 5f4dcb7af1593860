import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { uuidLiteral } from './ids.js';

export const TENANT_FILTER = 'tenant';

/** What a request acts as: one user for one committee. Built once per request in buildContext. */
export interface ScopeArgs {
  tenantId: string;
  userId: string;
  /** The acting committee's province and city (not itself): whose published plans it may read. */
  ancestorIds?: string[];
  /** Joint items the committee may see (mirrors joint_membership under RLS). */
  joint?: JointAccess;
}

export interface JointAccess {
  /** Item ids where the committee is an accepted participant (MEMBER), or has any access (ANY). */
  items(access: 'MEMBER' | 'ANY'): Promise<string[]>;
  /** Forget what was read: call after writing memberships in the same request. */
  invalidate(): void;
}

type ScopeRule = ((s: ScopeArgs) => FilterQuery<any> | Promise<FilterQuery<any>>) | 'global';
const rules = new Map<string, ScopeRule>();
const durable = new Set<string>();

/**
 * Every entity declares how it is scoped: tenant-owned entities give the ORM condition that mirrors their
 * RLS policy; tables readable by everyone say 'global'. An entity that declares nothing cannot be queried
 * (the filter throws, and createOrm refuses to start), so a forgotten declaration fails closed instead of
 * leaking. `durable`: its rows may be committed without waiting for the disk, so a transaction that read
 * any takes a transaction id before it commits, and the answer leaves only once they are on disk (see
 * runInContext).
 */
export function declareScope(entityName: string, rule: ScopeRule, options: { durable?: boolean } = {}): void {
  rules.set(entityName, rule);
  if (options.durable) durable.add(entityName);
}

export const isDurable = (entityName: string): boolean => durable.has(entityName);

/** Of these entity names, those that declare no scope. */
export const undeclaredScopes = (entityNames: string[]): string[] => entityNames.filter((n) => !rules.has(n));

/** Joint items: the owner, plus committees with access through joint_membership (RLS: app_member_of / app_can_view). */
export function jointItemRule(idField: string, access: 'MEMBER' | 'ANY', extra: (s: ScopeArgs) => FilterQuery<any>[] = () => []) {
  return async (s: ScopeArgs) => {
    if (!s.joint) throw new Error('joint access is not set');
    return { $or: [{ tenantId: s.tenantId }, { [idField]: { $in: await s.joint.items(access) } }, ...extra(s)] };
  };
}

export const tenantFilter = {
  name: TENANT_FILTER,
  default: true,
  async cond(args: ScopeArgs | undefined, _type: string, _em: unknown, _opts: unknown, entityName?: string) {
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
export function createJointAccess(em: EntityManager, tenantId: string): JointAccess {
  let rows: Promise<{ item_id: string; access: string }[]> | undefined;
  const load = () => (rows ??= em.execute('select item_id, access from joint_membership where tenant_id = ?', [tenantId]));
  return {
    async items(access) {
      return (await load()).filter((r) => access === 'ANY' || r.access === access).map((r) => r.item_id);
    },
    invalidate() {
      rows = undefined;
    },
  };
}

export async function applyRlsScope(em: EntityManager, scope: Partial<ScopeArgs>): Promise<void> {
  await em.execute(rlsScopeSql(scope));
}

/**
 * applyRlsScope's statement as text, its values inlined (UUIDs only, see uuidLiteral; an absent value is the
 * empty setting), so the request paths can send it in one round trip with the statements around it.
 */
export function rlsScopeSql(scope: Partial<ScopeArgs>): string {
  const v = (id: string | undefined) => (id ? uuidLiteral(id) : `''`);
  return `select set_config('app.tenant_id', ${v(scope.tenantId)}, true), set_config('app.user_id', ${v(scope.userId)}, true)`;
}

/** First wall: point the ORM's default tenant filter at the scope. */
export function applyOrmScope(em: EntityManager, scope: ScopeArgs): void {
  em.setFilterParams(TENANT_FILTER, scope);
}
