import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { User } from '../../core/identity/user.entity.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';

export function createMemberLoaders(em: EntityManager) {
  return {
    userById: byIdLoader(em, User),
    seatById: byIdLoader(em, MemberSeat),
    seatsByUser: groupLoader(em, MemberSeat, 'userId', { createdAt: 'asc' }),
  };
}
export type MemberLoaders = ReturnType<typeof createMemberLoaders>;

declare module '../../core/loaders.js' {
  interface Loaders {
    member: ReturnType<typeof createMemberLoaders>;
  }
}
