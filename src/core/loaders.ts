import type { EntityManager } from '@mikro-orm/postgresql';
import { createTenantLoaders } from '../modules/tenant/tenant.loaders.js';
import { createMemberLoaders } from '../modules/member/member.loaders.js';
import { createJointLoaders } from '../modules/joint/joint.loaders.js';
import { createResearchLoaders } from '../modules/research/research.loaders.js';
import { createTopicLoaders } from '../modules/topic/topic.loaders.js';
import { createOpinionLoaders } from '../modules/opinion/opinion.loaders.js';
import { createPerformanceLoaders } from '../modules/performance/performance.loaders.js';

/** Per-request DataLoaders of every module, made with the request's scoped EntityManager. */
export function createLoaders(em: EntityManager) {
  return {
    tenant: createTenantLoaders(em),
    member: createMemberLoaders(em),
    joint: createJointLoaders(em),
    research: createResearchLoaders(em),
    topic: createTopicLoaders(em),
    opinion: createOpinionLoaders(em),
    performance: createPerformanceLoaders(em),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
