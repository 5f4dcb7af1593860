import type { EntityManager } from '@mikro-orm/postgresql';
import { groupLoader } from '../../core/loader-kit.js';
import { SupervisionProgress } from './supervision.entities.js';

export function createSupervisionLoaders(em: EntityManager) {
  return {
    progressByTask: groupLoader(em, SupervisionProgress, 'taskId', { reportedAt: 'asc', id: 'asc' }),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    supervision: ReturnType<typeof createSupervisionLoaders>;
  }
}
