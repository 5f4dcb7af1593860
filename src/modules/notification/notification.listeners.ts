import type { Context } from '../../core/context.js';
import type { DomainEvents } from '../../core/events.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { NotificationKind } from './notification.entity.js';
import { notifyLater } from './notification.service.js';

/** A proposal filed, a report adopted: the member whose act it was is told (their archive records it too). */
export async function onDutyAct(ctx: Context, act: DomainEvents['duty.act']): Promise<void> {
  const kind = act.kind === 'PROPOSAL_FILED' ? NotificationKind.PROPOSAL_FILED : act.kind === 'OPINION_ADOPTED' ? NotificationKind.ADOPTED : null;
  if (!kind) return;
  await notifyLater(ctx, {
    userId: act.userId,
    tenantId: act.tenantId,
    kind,
    itemType: act.sourceType,
    itemId: act.sourceId,
    title: kind === NotificationKind.PROPOSAL_FILED ? `提案已立案：${act.title}` : `社情民意信息被采用：${act.title}`,
    dedupeKey: `${kind}:${act.sourceType}:${act.sourceId}:${act.occurredAt.toISOString()}`,
  });
}

/** A suggestion assigned to a handling unit (交办): each active account of the unit is told. */
export async function onSuggestionAssigned(ctx: Context, e: DomainEvents['suggestion.assigned']): Promise<void> {
  const date = new Date(e.deadline.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const accounts = await ctx.em.find(User, { tenantId: e.tenantId, unitId: e.unitId, role: Role.DEPARTMENT, disabledAt: null }, { fields: ['id'], orderBy: { id: 'asc' } });
  for (const a of accounts) {
    await notifyLater(ctx, {
      userId: a.id,
      tenantId: e.tenantId,
      kind: NotificationKind.ASSIGNED,
      itemType: 'ConsultationSuggestion',
      itemId: e.suggestionId,
      title: `交办建议：${e.title}`,
      body: `请于 ${date} 前反馈办理结果。`,
      dedupeKey: `assigned:ConsultationSuggestion:${e.suggestionId}:${e.deadline.toISOString()}`,
    });
  }
}
