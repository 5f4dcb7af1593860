import { signToken } from '../../core/auth.js';
import { runForCommittee, runInContext, type CommitteeContext, type ContextDeps } from '../../core/context.js';
import { AppError } from '../../core/errors.js';
import { NotificationKind } from './notification.entity.js';
import { insertNotification } from './notification.service.js';
import { deadlinesBetween } from './notification.sweep.js';

/** How far back the digest looks for unread notifications. */
const DIGEST_WINDOW_MS = 24 * 3600_000;
/** Titles listed per section; the rest is counted. */
const DIGEST_LINES = 10;

type Due = Awaited<ReturnType<typeof deadlinesBetween>>[number];
export type DigestOutcome = 'CREATED' | 'DUPLICATE' | 'NOTHING' | 'NOT_VISIBLE';

/** Everyone who acts for the committee: its own active accounts (office, leadership, units) and its serving members. */
async function people(ctx: CommitteeContext): Promise<string[]> {
  const t = ctx.tenant.id;
  const rows = await ctx.em.execute<{ id: string }[]>(
    `select a.id from app_user a where a.tenant_id = ? and a.role <> 'MEMBER' and a.disabled_at is null
     union
     select s.user_id from member_seat s join app_user u on u.id = s.user_id where s.tenant_id = ? and s.status = 'ACTIVE' and u.disabled_at is null
     order by 1`,
    [t, t],
  );
  return rows.map((r) => r.id);
}

const lines = (items: string[]) => [...items.slice(0, DIGEST_LINES).map((l) => `· ${l}`), ...(items.length > DIGEST_LINES ? [`……另有 ${items.length - DIGEST_LINES} 条`] : [])];

/**
 * One person's digest for `day` (a China date), made as that person (their context, both walls): their
 * unread notifications of the last day, and the items due within the committee's reminder days that they
 * must act on and may still see (each fetched as `node(id:)` would). Nothing to say, nothing is made. The
 * dedupe key carries the day, so two workers, a retry or a second run make one. It goes out by e-mail when
 * their preferences allow (never by SMS: a summary is not urgent).
 */
export async function digestForUser(deps: ContextDeps, tenantId: string, userId: string, day: string, due: Due[]): Promise<DigestOutcome> {
  const token = await signToken(deps.jwtSecret, { sub: userId, tid: tenantId }, '5m');
  const dedupeKey = `digest:${day}`;
  try {
    return await runInContext(deps, `Bearer ${token}`, `digest:${day}:${userId}`, async (ctx) => {
      const [done] = await ctx.em.execute<{ one: number }[]>('select 1 as one from notification where tenant_id = ? and user_id = ? and dedupe_key = ?', [tenantId, userId, dedupeKey]);
      if (done) return 'DUPLICATE' as const;
      const since = new Date(ctx.clock.now().getTime() - DIGEST_WINDOW_MS);
      const unread = await ctx.em.execute<{ title: string }[]>(
        `select title from notification where tenant_id = ? and user_id = ? and read_at is null and created_at > ? and kind <> ? order by id`,
        [tenantId, userId, since, NotificationKind.DIGEST],
      );
      const visible: Due[] = [];
      for (const d of due) {
        const fetch = ctx.kernel.nodes.get(d.item_type);
        if (fetch && (await fetch(ctx, d.id))) visible.push(d);
      }
      if (!unread.length && !visible.length) return 'NOTHING' as const;
      const parts = [
        ...(unread.length ? [`未读通知 ${unread.length} 条：`, ...lines(unread.map((u) => u.title))] : []),
        ...(visible.length ? [`近期到期 ${visible.length} 项：`, ...lines(visible.map((d) => `${d.label}（${d.day} 到期）`))] : []),
      ];
      const created = await insertNotification(
        ctx,
        { userId, tenantId, kind: NotificationKind.DIGEST, itemType: null, itemId: null, title: `每日摘要（${day}）：${unread.length} 条未读，${visible.length} 项即将到期`, body: parts.join('\n'), dedupeKey },
        ['EMAIL'],
      );
      return created ? ('CREATED' as const) : ('DUPLICATE' as const);
    });
  } catch (e) {
    // The person can no longer act for the committee (account disabled, seat ended): no digest.
    if (e instanceof AppError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) return 'NOT_VISIBLE';
    throw e;
  }
}

/**
 * The committee's digests for `day`: who acts for it, who of them has unread notifications of the last day
 * and what falls due within its reminder days (read as the committee, migration 0120), then one digest per
 * person with something to say, each in its own transaction as that person (who decides what they may see).
 */
export async function digestCommittee(deps: ContextDeps, tenantId: string, day: string, reminderDaysOf: (config: unknown) => number): Promise<Record<DigestOutcome, number>> {
  const now = deps.clock.now();
  const { who, due, unread } = await runForCommittee(deps, tenantId, `digest:${tenantId}:${day}`, async (ctx) => {
    const [cfg] = await ctx.em.execute<{ config: unknown }[]>('select config from tenant where id = ?', [tenantId]);
    const horizon = new Date(now.getTime() + reminderDaysOf(cfg?.config) * 24 * 3600_000);
    const since = new Date(now.getTime() - DIGEST_WINDOW_MS);
    const unread = await ctx.em.execute<{ user_id: string }[]>(
      `select distinct user_id from notification where tenant_id = ? and read_at is null and created_at > ? and kind <> ?`,
      [tenantId, since, NotificationKind.DIGEST],
    );
    return { who: await people(ctx), due: await deadlinesBetween(ctx, now, horizon), unread: new Set(unread.map((r) => r.user_id)) };
  });
  const byUser = new Map<string, Due[]>();
  for (const d of due) byUser.set(d.user_id, [...(byUser.get(d.user_id) ?? []), d]);
  const counts: Record<DigestOutcome, number> = { CREATED: 0, DUPLICATE: 0, NOTHING: 0, NOT_VISIBLE: 0 };
  for (const userId of who) {
    // Nothing unread and nothing due: nothing to say, without opening their context (most people, most days).
    if (!unread.has(userId) && !byUser.has(userId)) counts.NOTHING++;
    else counts[await digestForUser(deps, tenantId, userId, day, byUser.get(userId) ?? [])]++;
  }
  return counts;
}
