import { randomUUID } from 'node:crypto';
import { runForCommittee, type ContextDeps } from '../../core/context.js';
import type { JobTask } from '../../core/jobs.js';
import { NotificationKind } from './notification.entity.js';
import { audienceOf, notify, type AudienceRequest, type NotificationRequest } from './notification.service.js';
export { afterQuietHours } from './notification.service.js';
import { deliver, dueDeliveries } from './notification.delivery.js';

/** Days before a deadline the reminder goes out, where a committee's tenants/ file says nothing. */
export const DEFAULT_REMINDER_DAYS = 3;
/** Overdue notices are made for deadlines passed within this long (the sweep runs every minute; this covers a long outage). */
const OVERDUE_LOOKBACK_MS = 7 * 24 * 3600_000;
/** This process, as the holder of delivery leases. */
const INSTANCE = randomUUID();

/** `notifications.reminderDays` from the committee's settings (tenant.config), or the default. */
export function reminderDays(config: unknown): number {
  const v = (config as { notifications?: { reminderDays?: unknown } } | null)?.notifications?.reminderDays;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 60 ? v : DEFAULT_REMINDER_DAYS;
}

interface DueItem {
  item_type: string;
  id: string;
  user_id: string;
  deadline: Date | string;
  label: string;
}

/**
 * One committee's timed work, as that committee: the overdue figures of the statistics (the same sweep a
 * roll-up read does), reminders N days before a deadline and the overdue notice once it passes (each
 * notification made as its reader, once: its dedupe key), and outbox messages due again. "Now" is the
 * application's clock, so a test moving its clock moves what is due.
 */
export async function sweepCommittee(deps: ContextDeps, tenantId: string): Promise<{ notices: number; deliveries: string[] }> {
  const now = deps.clock.now();
  const due = await runForCommittee(deps, tenantId, `sweep:${tenantId}`, async (ctx) => {
    await ctx.em.execute('select stat_sweep_overdue(?)', [now]);
    const [cfg] = await ctx.em.execute<{ config: unknown }[]>('select config from tenant where id = ?', [tenantId]);
    const days = reminderDays(cfg?.config);
    const horizon = new Date(now.getTime() + days * 24 * 3600_000);
    const since = new Date(now.getTime() - OVERDUE_LOOKBACK_MS);
    return ctx.em.execute<DueItem[]>(
      // Every active account of the unit the item is assigned to (a suggestion's unit, a proposal's lead unit).
      `select 'ConsultationSuggestion' as item_type, s.id, a.id as user_id, s.deadline, t.title || '：建议' || s.number as label
         from consultation_suggestion s join consultation_topic t on t.id = s.topic_id
         join app_user a on a.unit_id = s.unit_id and a.role = 'DEPARTMENT' and a.disabled_at is null
        where s.tenant_id = ? and s.status = 'ASSIGNED' and s.feedback_at is null
          and s.deadline > ? and s.deadline <= ?
       union all
       select 'Proposal', p.id, a.id, p.reply_deadline, p.title
         from proposal p join app_user a on a.unit_id = p.lead_unit_id and a.role = 'DEPARTMENT' and a.disabled_at is null
        where p.tenant_id = ? and p.status = 'ASSIGNED'
          and p.reply_deadline > ? and p.reply_deadline <= ?`,
      [tenantId, since, horizon, tenantId, since, horizon],
    );
  });
  let notices = 0;
  for (const row of due) {
    // Raw rows carry timestamps as text.
    const d = { ...row, deadline: new Date(row.deadline) };
    const overdue = d.deadline.getTime() <= now.getTime();
    const date = new Date(d.deadline.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const n: NotificationRequest = overdue
      ? { userId: d.user_id, tenantId, kind: NotificationKind.OVERDUE, itemType: d.item_type, itemId: d.id, title: `已逾期：${d.label}`, body: `办理期限 ${date} 已过，请尽快答复。`, dedupeKey: `overdue:${d.item_type}:${d.id}:${d.deadline.toISOString()}` }
      : { userId: d.user_id, tenantId, kind: NotificationKind.DEADLINE_NEAR, itemType: d.item_type, itemId: d.id, title: `即将到期：${d.label}`, body: `请于 ${date} 前答复。`, dedupeKey: `near:${d.item_type}:${d.id}:${d.deadline.toISOString()}` };
    if ((await notify(deps, n)) === 'CREATED') notices++;
  }
  return { notices, deliveries: await dueDeliveries(deps, tenantId) };
}

const tenantOf = (payload: Record<string, unknown>): string => {
  const t = (payload.tenantId ?? (payload.enqueuedBy as { tenantId?: unknown } | undefined)?.tenantId) as unknown;
  if (typeof t !== 'string') throw new Error('job payload names no committee');
  return t;
};

export const notificationTasks: Record<string, JobTask> = {
  'notification.notify': async (payload, { deps }) => {
    await notify(deps, payload as unknown as NotificationRequest);
  },
  /** One notification for each person of an audience (retried whole: each one's dedupe key keeps it once). */
  'notification.notify-audience': async (payload, { deps }) => {
    const { audience, enqueuedBy: _by, ...n } = payload as unknown as AudienceRequest & { enqueuedBy?: unknown };
    for (const userId of await audienceOf(deps, n.tenantId, audience)) await notify(deps, { ...n, userId });
  },
  'notification.deliver': async (payload, { deps, job, log }) => {
    const outcome = await deliver(deps, tenantOf(payload), String(payload.deliveryId), `${INSTANCE}:${job.id}`);
    log.debug({ outcome, deliveryId: payload.deliveryId }, 'delivery');
  },
  /** Every minute: one sweep job per committee (each retried on its own; the key keeps one pending per committee). */
  'notification.sweep': async (_payload, { deps, addJob }) => {
    const rows = await deps.orm.em.getConnection().execute<{ id: string }[]>('select id from tenant order by code');
    for (const r of rows) await addJob('notification.sweep-committee', { tenantId: r.id }, { jobKey: `sweep:${r.id}`, maxAttempts: 3 });
  },
  'notification.sweep-committee': async (payload, { deps, addJob }) => {
    const tenantId = String(payload.tenantId);
    const { deliveries } = await sweepCommittee(deps, tenantId);
    for (const id of deliveries) await addJob('notification.deliver', { tenantId, deliveryId: id }, { jobKey: `${tenantId}:deliver:${id}` });
  },
};
