import type { Context } from '../../core/context.js';
import { ownership } from '../../core/tenant-owned.js';
import { StateChange } from './state-change.entity.js';

export interface Change {
  itemType: string;
  itemId: string;
  /** The joint item whose members may read the change. */
  jointItemId: string;
  ownerTenantId: string;
  /** For changes of a participation: the participating committee, which may read it. */
  subjectTenantId?: string;
  from: string | null;
  to: string;
  comment?: string | null;
}

/** Record a state change made by the viewer, in the request's transaction. */
export function recordChange(ctx: Context, c: Change): StateChange {
  return ctx.em.create(StateChange, {
    ...ownership(ctx.tenant),
    ownerTenantId: c.ownerTenantId,
    subjectTenantId: c.subjectTenantId ?? null,
    itemType: c.itemType,
    itemId: c.itemId,
    jointItemId: c.jointItemId,
    fromState: c.from,
    toState: c.to,
    actorUserId: ctx.viewer.user.id,
    actorName: ctx.viewer.user.displayName,
    comment: c.comment ?? null,
    at: ctx.clock.now(),
  });
}
