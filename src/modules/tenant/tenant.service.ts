import type { Context } from '../../core/context.js';
import { badInput, text } from '../../core/errors.js';
import { Tenant } from '../../core/identity/tenant.entity.js';

const CODE = /^\d{6}$/;

export async function tenantByCode(ctx: Context, code: string): Promise<Tenant | null> {
  if (!CODE.test(code)) throw badInput(text('code 须为 6 位行政区划代码', 'code must be a 6-digit administrative division code'), { field: 'code' });
  return ctx.loaders.tenant.byCode.load(code);
}

/** Root committees (provinces) of the deployment. */
export async function roots(ctx: Context): Promise<Tenant[]> {
  const rows = await ctx.em.find(Tenant, { parentId: null }, { orderBy: { code: 'asc' } });
  rows.forEach(ctx.loaders.tenant.prime);
  return rows;
}

export async function parentOf(ctx: Context, t: Tenant): Promise<Tenant | null> {
  return t.parentId ? ctx.loaders.tenant.byId.load(t.parentId) : null;
}

export async function childrenOf(ctx: Context, t: Tenant): Promise<Tenant[]> {
  return ctx.loaders.tenant.children.load(t.id);
}

/** Ancestors, root first. */
export async function ancestorsOf(ctx: Context, t: Tenant): Promise<Tenant[]> {
  const found = await ctx.loaders.tenant.byCode.loadMany(t.ancestorCodes());
  return found.filter((a): a is Tenant => a instanceof Tenant);
}

/** Whether `a` is `b` or one of its ancestors. */
export function isSameOrAncestor(a: Tenant, b: Tenant): boolean {
  return b.path === a.path || b.path.startsWith(`${a.path}.`);
}
