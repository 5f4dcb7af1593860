import { readScoped, type Context, type ContextDeps } from '../../core/context.js';
import { notFound, text } from '../../core/errors.js';
import { DeliberationEvent, DeliberationSession, EventKind, SessionStatus } from './deliberation.entity.js';

// Numbering and the stream: every event of a session takes the next sequence number, gap-free in commit order.

/** Wakes every instance's subscribers of a session; delivered when the posting transaction commits. */
export const CHANNEL = 'deliberation';

/**
 * Takes the session's next sequence number. The update holds the session row lock until the request
 * commits, so concurrent writers queue here: numbers are handed out in commit order, and a rolled-back
 * writer gives its number back. Returns the status as seen under the lock.
 */
export async function nextSeq(ctx: Context, s: DeliberationSession): Promise<{ seq: number; status: SessionStatus }> {
  const rows = await ctx.em.execute<{ last_seq: number; status: SessionStatus }[]>(
    'update deliberation_session set last_seq = last_seq + 1 where id = ? returning last_seq, status',
    [s.id],
  );
  const row = rows[0];
  if (!row) throw notFound(text('网络议政会', 'Deliberation session'));
  return { seq: row.last_seq, status: row.status };
}

/** Locks the session row without taking a number (presence bookkeeping decides afterwards). */
export async function lockSession(ctx: Context, s: DeliberationSession): Promise<SessionStatus> {
  const rows = await ctx.em.execute<{ status: SessionStatus }[]>('select status from deliberation_session where id = ? for update', [s.id]);
  if (!rows[0]) throw notFound(text('网络议政会', 'Deliberation session'));
  return rows[0].status;
}

export async function append(ctx: Context, s: DeliberationSession, seq: number, data: Partial<DeliberationEvent> & { kind: EventKind }): Promise<DeliberationEvent> {
  const e = Object.assign(new DeliberationEvent(), {
    tenantId: s.tenantId,
    provinceId: s.provinceId,
    cityId: s.cityId ?? null,
    participantIds: s.participantIds,
    sessionId: s.id,
    seq,
    actorId: ctx.viewer.user.id,
    actorName: ctx.viewer.user.displayName,
    actorTenantId: ctx.tenant.id,
    at: ctx.clock.now(),
    ...data,
  });
  ctx.em.persist(e);
  s.lastSeq = seq;
  await ctx.em.flush();
  // Ids only: the stored rows are the truth; NOTIFY inside the transaction is delivered at commit.
  await ctx.em.execute('select pg_notify(?, ?)', [CHANNEL, `${s.id}:${seq}`]);
  return e;
}

export async function eventsAfter(ctx: Context, sessionId: string, afterSeq: number, limit: number): Promise<DeliberationEvent[]> {
  return ctx.em.find(DeliberationEvent, { sessionId, seq: { $gt: afterSeq } }, { orderBy: { seq: 'asc' }, limit });
}

/**
 * The same read for a live feed's wake, in one round trip in the token's scope (RLS, no request context); the
 * function takes a transaction id, so the statement's commit flushes the WAL before the rows arrive here
 * (migration 0007). An empty answer says nothing about why: the caller then reads with a full context, which
 * tells "nothing new" from "no longer allowed".
 */
export async function feedEventsAfter(deps: ContextDeps, authorization: unknown, sessionId: string, afterSeq: number, limit: number): Promise<DeliberationEvent[]> {
  const rows = await readScoped<Record<string, unknown>>(deps, authorization, 'deliberation_events_after', [sessionId, afterSeq, limit]);
  if (!rows.length) return [];
  const em = deps.orm.em.fork({ clear: true, useContext: false });
  return rows.map((r) => em.map(DeliberationEvent, r));
}
