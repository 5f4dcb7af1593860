import type { EntityManager } from '@mikro-orm/postgresql';
import { groupLoader } from '../../core/loader-kit.js';
import { OpinionLevel } from './opinion.entity.js';

export function createOpinionLoaders(em: EntityManager) {
  return {
    levelsByOpinion: groupLoader(em, OpinionLevel, 'opinionId', { depth: 'desc' }),
  };
}
export type OpinionLoaders = ReturnType<typeof createOpinionLoaders>;

declare module '../../core/loaders.js' {
  interface Loaders {
    opinion: ReturnType<typeof createOpinionLoaders>;
  }
}
