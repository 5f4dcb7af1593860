import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { FieldChange, StateChange } from './state-change.entity.js';

@Resolver(() => StateChange)
export class StateChangeResolver {
  /**
   * A change of a participation (an invitation answered, a decline and its reason) is between the item's
   * owner and that participant: the item's other members see that it happened, not what was said.
   */
  @FieldResolver(() => String, { nullable: true, description: "Comment given with the change (备注); on a participation's changes, only the participant and the owner read it." })
  comment(@Root() c: StateChange, @Ctx() ctx: Context): string | null {
    const between = !c.subjectTenantId || ctx.tenant.id === c.subjectTenantId || ctx.tenant.id === c.ownerTenantId;
    return between ? (c.comment ?? null) : null;
  }

  @FieldResolver(() => [FieldChange], { description: 'For an edit (修改), the fields it changed, each before and after; empty for a change of state. An edit keeps the state: fromState and toState are the same.' })
  changes(@Root() c: StateChange): FieldChange[] {
    return c.changes ?? [];
  }
}
