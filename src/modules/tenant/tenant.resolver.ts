import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import * as tenants from './tenant.service.js';

import { MAX_ANCESTORS, treeShape } from './tenant.shape.js';

// Lists of committees cost what they can hold in the tree as loaded (see tenant.shape.ts).
type Cost = { childComplexity: number };
const rootsComplexity = ({ childComplexity }: Cost) => 1 + treeShape.roots * childComplexity;
const childrenComplexity = ({ childComplexity }: Cost) => 1 + treeShape.fanout * childComplexity;
const ancestorsComplexity = ({ childComplexity }: Cost) => 1 + MAX_ANCESTORS * childComplexity;


@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => Tenant, { nullable: true, description: 'A committee by its administrative division code (按行政区划代码查询政协).' })
  tenant(@Ctx() ctx: Context, @Arg('code', () => String, { description: 'Six-digit code, e.g. 530102.' }) code: string) {
    return tenants.tenantByCode(ctx, code);
  }

  @Query(() => [Tenant], { description: 'Province committees of this deployment, roots of the tree (省级政协).', complexity: rootsComplexity })
  tenants(@Ctx() ctx: Context) {
    return tenants.roots(ctx);
  }

  @FieldResolver(() => Tenant, { nullable: true, description: 'The committee one level up (上级政协); null for a province.' })
  parent(@Root() t: Tenant, @Ctx() ctx: Context) {
    return tenants.parentOf(ctx, t);
  }

  @FieldResolver(() => [Tenant], { description: 'Committees one level down (下级政协), by code.', complexity: childrenComplexity })
  children(@Root() t: Tenant, @Ctx() ctx: Context) {
    return tenants.childrenOf(ctx, t);
  }

  @FieldResolver(() => [Tenant], { description: 'All committees above, province first (上级政协链).', complexity: ancestorsComplexity })
  ancestors(@Root() t: Tenant, @Ctx() ctx: Context) {
    return tenants.ancestorsOf(ctx, t);
  }
}
