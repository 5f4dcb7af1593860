import { type Context } from '../../core/context.js';
import { LIVE_INSTANCES_SQL } from '../../core/notifier.js';
import { DeliberationPresence, DeliberationSession, EventKind, SessionStatus } from './deliberation.entity.js';
import { append, lockSession, nextSeq } from './deliberation.stream.js';

// Presence (在线状态): who is connected to a session now, on any live instance.

/**
 * Serializes the presence bookkeeping of one user in one session (on any instance) without touching the
 * session row, so connections and disconnections do not queue behind posters; only the user's first
 * connection and last disconnection take a sequence number (and so the session row lock).
 */
async function lockPresence(ctx: Context, sessionId: string): Promise<void> {
  await ctx.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`deliberation-presence:${sessionId}:${ctx.viewer.user.id}`]);
}

/**
 * A live connection opened: record it, and when it is the user's first connection to the session tell
 * everyone (ONLINE). The presence lock keeps two instances from both announcing the same user.
 */
export async function connectPresence(ctx: Context, s: DeliberationSession, connectionId: string, instanceId: string): Promise<void> {
  if (s.status === SessionStatus.ENDED) return;
  await lockPresence(ctx, s.id);
  // The user's connections through instances that died (their rows stayed behind) are gone: drop them.
  await ctx.em.nativeDelete(DeliberationPresence, { sessionId: s.id, userId: ctx.viewer.user.id, instanceId: { $nin: await liveInstances(ctx, instanceId) } });
  const others = await ctx.em.count(DeliberationPresence, { sessionId: s.id, userId: ctx.viewer.user.id });
  ctx.em.persist(
    Object.assign(new DeliberationPresence(), {
      tenantId: s.tenantId,
      provinceId: s.provinceId,
      cityId: s.cityId ?? null,
      participantIds: s.participantIds,
      sessionId: s.id,
      userId: ctx.viewer.user.id,
      userName: ctx.viewer.user.displayName,
      userTenantId: ctx.tenant.id,
      instanceId,
      connectionId,
    }),
  );
  await ctx.em.flush();
  // Ended meanwhile: the stream completes and its disconnection removes the row; no ONLINE after the end.
  if (others === 0 && (await lockSession(ctx, s)) !== SessionStatus.ENDED) {
    const { seq } = await nextSeq(ctx, s);
    await append(ctx, s, seq, { kind: EventKind.ONLINE });
  }
}

export async function disconnectPresence(ctx: Context, sessionId: string, connectionId: string, instanceId: string): Promise<void> {
  const s = await ctx.em.findOne(DeliberationSession, { id: sessionId });
  if (!s) return;
  await lockPresence(ctx, sessionId);
  const removed = await ctx.em.nativeDelete(DeliberationPresence, { sessionId, connectionId });
  if (!removed || s.status === SessionStatus.ENDED) return;
  const left = await ctx.em.count(DeliberationPresence, { sessionId, userId: ctx.viewer.user.id, instanceId: { $in: await liveInstances(ctx, instanceId) } });
  if (left === 0 && (await lockSession(ctx, s)) !== SessionStatus.ENDED) {
    const { seq } = await nextSeq(ctx, s);
    await append(ctx, s, seq, { kind: EventKind.OFFLINE });
  }
}

export interface PresenceEntry {
  userName: string;
  tenantId: string;
  connections: number;
}

/**
 * Instances alive now (their notification connection is up; see LIVE_INSTANCES_SQL), and `own`, the caller's
 * instance, which counts as alive even while its notification connection reconnects.
 */
async function liveInstances(ctx: Context, own?: string): Promise<string[]> {
  const ids = (await ctx.em.execute<{ instance_id: string }[]>(LIVE_INSTANCES_SQL)).map((r) => r.instance_id);
  return own && !ids.includes(own) ? [...ids, own] : ids;
}

/**
 * Who is connected now, on any live instance: one entry per user, in order of arrival. Connections held by an
 * instance that died (a crash leaves its rows behind) do not count; the user's next connection removes them.
 */
export async function presenceOf(ctx: Context, s: DeliberationSession): Promise<PresenceEntry[]> {
  const rows = await ctx.em.find(DeliberationPresence, { sessionId: s.id, instanceId: { $in: await liveInstances(ctx) } }, { orderBy: { id: 'asc' } });
  const byUser = new Map<string, PresenceEntry>();
  for (const r of rows) {
    const e = byUser.get(r.userId) ?? { userName: r.userName, tenantId: r.userTenantId, connections: 0 };
    e.connections++;
    byUser.set(r.userId, e);
  }
  return [...byUser.values()];
}
