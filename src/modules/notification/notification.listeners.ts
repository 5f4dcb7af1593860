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

const chinaTime = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

/** A meeting cancelled (会议取消): each invitee of the venue is told, whatever they had answered. */
export async function onMeetingCancelled(ctx: { em: Context['em'] }, e: DomainEvents['meeting.cancelled']): Promise<void> {
  for (const i of e.invitees) {
    await notifyLater(ctx, {
      userId: i.userId,
      tenantId: e.tenantId,
      kind: NotificationKind.MEETING_CANCELLED,
      itemType: 'Meeting',
      itemId: e.meetingId,
      title: `会议取消：${e.title}`,
      body: `原定 ${chinaTime(e.startsAt)}（北京时间）在${e.location}召开的“${e.title}”已取消。取消原因：${e.reason}`,
      dedupeKey: `meeting-cancelled:Meeting:${e.meetingId}`,
    });
  }
}

/** A meeting moved (会议改期): each invitee of the venue is told the new time; their answer stands. */
export async function onMeetingRescheduled(ctx: { em: Context['em'] }, e: DomainEvents['meeting.rescheduled']): Promise<void> {
  for (const i of e.invitees) {
    await notifyLater(ctx, {
      userId: i.userId,
      tenantId: e.tenantId,
      kind: NotificationKind.MEETING_RESCHEDULED,
      itemType: 'Meeting',
      itemId: e.meetingId,
      title: `会议改期：${e.title}`,
      body: `“${e.title}”由 ${chinaTime(e.previousStartsAt)} 改为 ${chinaTime(e.startsAt)}（北京时间）在${e.location}召开。已确认参会的仍然有效，不能参加的请在会前请假。`,
      dedupeKey: `meeting-rescheduled:Meeting:${e.meetingId}:${e.startsAt.toISOString()}`,
    });
  }
}
