import type { ModuleManifest } from '../../core/module.js';
import { MemberResolver, UserResolver, ViewerResolver } from './member.resolver.js';
import { createMemberLoaders } from './member.loaders.js';
import * as members from './member.service.js';

/** Accounts, the viewer and member rosters (委员名册); the User and MemberSeat entities are the kernel's. */
export const memberModule: ModuleManifest = {
  name: 'member',
  resolvers: [ViewerResolver, UserResolver, MemberResolver],
  loaders: { member: createMemberLoaders },
  nodes: {
    MemberSeat: (ctx, id) => members.readableSeat(ctx, id),
    User: (ctx, id) => members.readableUser(ctx, id),
  },
};
