import { runInContext, type AppDeps, type SubscriptionContext } from '../../core/context.js';
import type { Notifier } from '../../core/notifier.js';
import { badInput, text } from '../../core/errors.js';
import { parseGlobalId } from '../../core/global-id.js';
import { Notification } from './notification.entity.js';
import { CHANNEL } from './notification.service.js';

/** Re-read without a wake-up too: NOTIFY is lost while a listener is away, the stored rows are not. */
const POLL_MS = 3000;
const PAGE = 100;

/** Per notifier, who waits for which inbox (`tenantId:userId`). */
const waiting = new WeakMap<Notifier, Map<string, Set<() => void>>>();
function wakeups(notifier: Notifier): Map<string, Set<() => void>> {
  let m = waiting.get(notifier);
  if (!m) {
    const map = new Map<string, Set<() => void>>();
    waiting.set(notifier, (m = map));
    notifier.listen(CHANNEL, (payload) => {
      for (const wake of map.get(payload) ?? []) wake();
    });
    notifier.onReconnect(() => {
      for (const set of map.values()) for (const wake of set) wake();
    });
  }
  return m;
}

/**
 * `notificationAdded`: the subscriber's notifications after `after` (a Notification id they already have,
 * or none: only new ones), in creation order, each once, then new ones as they are made. Every read runs as
 * the subscriber (runInContext), so a token that expired or an account disabled ends the stream with its error.
 */
export async function* subscribeNotifications(sc: SubscriptionContext, after: string | null | undefined): AsyncGenerator<Notification> {
  const deps: AppDeps = sc.deps;
  let cursor: string | null = null;
  if (after != null) {
    const p = parseGlobalId(after);
    if (!p || p.type !== 'Notification') throw badInput(text('after 不是通知的 id', 'after is not a Notification id'), { field: 'after' });
    cursor = p.id;
  }
  const who = await runInContext(deps, sc.authorization, sc.operationId, async (ctx) => {
    if (cursor === null) {
      const [last] = await ctx.em.find(Notification, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id }, { orderBy: { id: 'desc' }, limit: 1 });
      cursor = last?.id ?? '00000000-0000-0000-0000-000000000000';
    }
    return `${ctx.tenant.id}:${ctx.viewer.user.id}`;
  });
  const map = wakeups(deps.notifier);
  let wake: (() => void) | null = null;
  let woken = false;
  const onWake = () => {
    woken = true;
    wake?.();
  };
  const set = map.get(who) ?? new Set();
  map.set(who, set.add(onWake));
  try {
    for (;;) {
      woken = false;
      const rows = await runInContext(deps, sc.authorization, sc.operationId, (ctx) =>
        ctx.em.find(Notification, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id, id: { $gt: cursor! } }, { orderBy: { id: 'asc' }, limit: PAGE }),
      );
      for (const r of rows) {
        cursor = r.id;
        yield r;
      }
      if (rows.length === PAGE || woken) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, POLL_MS);
        wake = () => (clearTimeout(t), resolve());
      });
      wake = null;
    }
  } finally {
    set.delete(onWake);
    if (!set.size) map.delete(who);
  }
}
