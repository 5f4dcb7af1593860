import type { EntityManager } from '@mikro-orm/postgresql';
import { createTenantLoaders } from '../modules/tenant/tenant.loaders.js';
import { createMemberLoaders } from '../modules/member/member.loaders.js';

/** Per-request DataLoaders of every module, made with the request's scoped EntityManager. */
export function createLoaders(em: EntityManager) {
  return {
    tenant: createTenantLoaders(em),
    member: createMemberLoaders(em),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
