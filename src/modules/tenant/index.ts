import type { ModuleManifest } from '../../core/module.js';
import { TenantResolver } from './tenant.resolver.js';
import { createTenantLoaders } from './tenant.loaders.js';

/** The committee tree (委员会树): reading it; the Tenant entity itself is the kernel's. */
export const tenantModule: ModuleManifest = {
  name: 'tenant',
  resolvers: [TenantResolver],
  loaders: { tenant: createTenantLoaders },
  nodes: { Tenant: (ctx, id) => ctx.loaders.tenant.byId.load(id) },
};
