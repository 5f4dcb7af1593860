import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runForCommittee, type ContextDeps } from '../../core/context.js';
import type { JobTask } from '../../core/jobs.js';
import { chinaDate } from '../../core/clock.js';
import { committeesWithTimedWork, deadlineNotice, deadlinesBetween, openingNotice, openingsBetween, OPENING_NOTICE_MS, OVERDUE_LOOKBACK_MS } from './notification.sweep.js';
import { digestCommittee } from './notification.digest.js';
import { audienceOf, notify, type AudienceRequest, type NotificationRequest } from './notification.service.js';
export { afterQuietHours } from './notification.service.js';
import { deliver, dueDeliveries } from './notification.delivery.js';

/** Days before a deadline the reminder goes out, where a committee's tenants/ file says nothing. */
export const DEFAULT_REMINDER_DAYS = 3;
/** This process, as the holder of delivery leases. */
const INSTANCE = randomUUID();

/** `notifications.reminderDays` from the committee's settings (tenant.config), or the default. */
export function reminderDays(config: unknown): number {
  const v = (config as { notifications?: { reminderDays?: unknown } } | null)?.notifications?.reminderDays;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 60 ? v : DEFAULT_REMINDER_DAYS;
}

/** Dedupe keys this instance remembers per (committee, reader), at most; the oldest are forgotten first. */
const MADE_MEMORY = 100_000;
const made = new WeakMap<object, Set<string>>();
/**
 * What this instance (its ORM: two instances in one process keep apart) already saw made. A reminder stays
 * in the sweep's window for days and a 30-minute notice for 30 sweeps; without this, every sweep would make
 * each again as its reader (a transaction each) only to find its dedupe key taken. The database's unique
 * key stays the rule: this only spares asking again.
 */
function madeBy(deps: ContextDeps): { has(k: string): boolean; add(k: string): void } {
  let set = made.get(deps.orm);
  if (!set) made.set(deps.orm, (set = new Set()));
  const s = set;
  return {
    has: (k) => s.has(k),
    add: (k) => {
      s.add(k);
      if (s.size > MADE_MEMORY) s.delete(s.values().next().value!);
    },
  };
}

/**
 * One committee's timed work, as that committee: the overdue figures of the statistics (the same sweep a
 * roll-up read does); reminders N days before a deadline (a suggestion's feedback, a proposal's reply, a
 * joint invitation's `respondBy`, a research contribution due by the project's end) and the overdue notice
 * once it passes; the "starting in 30 minutes" notice of deliberation sessions and meetings; and outbox
 * messages due again. Each notification is made as its reader, once (its dedupe key). "Now" is the
 * application's clock, so a test moving its clock moves what is due.
 */
export async function sweepCommittee(deps: ContextDeps, tenantId: string): Promise<{ notices: number; deliveries: string[] }> {
  const now = deps.clock.now();
  const wanted = await runForCommittee(deps, tenantId, `sweep:${tenantId}`, async (ctx) => {
    await ctx.em.execute('select stat_sweep_overdue(?)', [now]);
    const [cfg] = await ctx.em.execute<{ config: unknown }[]>('select config from tenant where id = ?', [tenantId]);
    const horizon = new Date(now.getTime() + reminderDays(cfg?.config) * 24 * 3600_000);
    const due = await deadlinesBetween(ctx, new Date(now.getTime() - OVERDUE_LOOKBACK_MS), horizon);
    const openings = await openingsBetween(ctx, now, new Date(now.getTime() + OPENING_NOTICE_MS));
    return [...due.map((r) => deadlineNotice(tenantId, r, now)), ...openings.map((r) => openingNotice(tenantId, r))];
  });
  let notices = 0;
  const made = madeBy(deps);
  for (const n of wanted) {
    const key = `${n.tenantId}:${n.userId}:${n.dedupeKey}`;
    if (made.has(key)) continue;
    const outcome = await notify(deps, n);
    if (outcome === 'CREATED') notices++;
    // Not seeing the item may change (a seat, an acceptance): only what exists is remembered.
    if (outcome !== 'NOT_VISIBLE') made.add(key);
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
  /**
   * Every minute: the overdue figures of each province's whole tree (one subtree sweep per province), then one
   * sweep job per committee with timed work (each retried on its own; the key keeps one pending per committee).
   * A committee with nothing due costs a check in one statement, not a job.
   */
  'notification.sweep': async (_payload, { deps, addJob }) => {
    const now = deps.clock.now();
    const rows = await deps.orm.em.getConnection().execute<{ id: string; config: unknown; root: boolean }[]>('select id, config, parent_id is null as root from tenant order by code');
    for (const r of rows.filter((r) => r.root)) await runForCommittee(deps, r.id, `sweep-figures:${r.id}`, (ctx) => ctx.em.execute('select stat_sweep_overdue(?)', [now]));
    for (const id of await committeesWithTimedWork(deps.orm.em.fork() as EntityManager, rows, now, reminderDays)) {
      await addJob('notification.sweep-committee', { tenantId: id }, { jobKey: `sweep:${id}`, maxAttempts: 3 });
    }
  },
  'notification.sweep-committee': async (payload, { deps, addJob }) => {
    const tenantId = String(payload.tenantId);
    const { deliveries } = await sweepCommittee(deps, tenantId);
    for (const id of deliveries) await addJob('notification.deliver', { tenantId, deliveryId: id }, { jobKey: `${tenantId}:deliver:${id}` });
  },
  /**
   * Daily at 08:00 China time (00:00 UTC, the cron's zone): one digest job per committee for today's China
   * date; the key keeps one per committee and day, the digests' own keys one per person and day.
   */
  'notification.digest': async (_payload, { deps, addJob }) => {
    const day = chinaDate(deps.clock.now());
    const rows = await deps.orm.em.getConnection().execute<{ id: string }[]>('select id from tenant order by code');
    for (const r of rows) await addJob('notification.digest-committee', { tenantId: r.id, day }, { jobKey: `digest:${r.id}:${day}`, maxAttempts: 3 });
  },
  'notification.digest-committee': async (payload, { deps, log }) => {
    const day = String(payload.day ?? chinaDate(deps.clock.now()));
    log.debug({ day, digests: await digestCommittee(deps, String(payload.tenantId), day, reminderDays) }, 'digests');
  },
};
