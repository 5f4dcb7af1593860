import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { User } from '../../core/identity/user.entity.js';
import { DeadlineExtension, HandlingUnit } from './unit.entities.js';

export function createUnitLoaders(em: EntityManager) {
  return {
    unitById: byIdLoader(em, HandlingUnit),
    accountsByUnit: groupLoader(em, User, 'unitId', { id: 'asc' }),
    extensionsByItem: groupLoader(em, DeadlineExtension, 'itemId', { id: 'asc' }),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    unit: ReturnType<typeof createUnitLoaders>;
  }
}
