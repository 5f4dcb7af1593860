import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { JointParticipant } from './joint.entities.js';
import { StateChange } from '../history/state-change.entity.js';

export function createJointLoaders(em: EntityManager) {
  return {
    participantById: byIdLoader(em, JointParticipant),
    participantsByItem: groupLoader(em, JointParticipant, 'itemId', { id: 'asc' }),
    historyByItem: groupLoader(em, StateChange, 'itemId', { id: 'asc' }),
  };
}

declare module '../../core/loaders.js' {
  interface Loaders {
    joint: ReturnType<typeof createJointLoaders>;
  }
}
