import { readScoped, requireRole, type Context, type ContextDeps } from '../../core/context.js';
import { badInput, conflict, forbidden, invalidTransition, notFound } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { emit } from '../../core/events.js';
import { uuidLiteral } from '../../core/ids.js';
import { LIVE_INSTANCES_SQL } from '../../core/notifier.js';
import { Role } from '../member/user.entity.js';
import { Tenant } from '../tenant/tenant.entity.js';
import { isSameOrAncestor } from '../tenant/tenant.service.js';
import { ParticipationStatus } from '../joint/joint.entities.js';
import { chinaYear } from '../performance/performance.service.js';
import { DeliberationEvent, DeliberationPresence, DeliberationSession, EventKind, MessageKind, SessionStatus } from './deliberation.entity.js';
import type { DeliberationFilter, HideDeliberationMessageInput, PostDeliberationMessageInput, ScheduleDeliberationInput } from './deliberation.inputs.js';

/** Wakes every instance's subscribers of a session; delivered when the posting transaction commits. */
export const CHANNEL = 'deliberation';

/** Host staff and leaders schedule, run and moderate. */
const HOSTS = [Role.STAFF, Role.LEADER];
/** Who may take part from a participating committee. */
const SPEAKERS = [Role.MEMBER, Role.STAFF, Role.LEADER];
/** Who may read sessions and follow them live. */
export const READERS = [Role.MEMBER, Role.STAFF, Role.LEADER, Role.ADMIN];

/**
 * Who may take part. On a consultation topic: the topic's owner and its accepted participants, and the host
 * must be one of them (the joint-item rule). Without a linked topic: committees of the host's province.
 */
export async function checkParticipants(ctx: Context, host: Tenant, tenantIds: string[], topicId: string | null): Promise<string[]> {
  const ids = [...new Set(tenantIds.map((g, i) => expectGlobalId(g, 'Tenant', `participantIds.${i}`)))].filter((id) => id !== host.id);
  if (topicId) {
    const topic = await ctx.loaders.topic.topicById.load(topicId);
    if (!topic) throw notFound('Consultation topic');
    const joined = (await ctx.loaders.joint.participantsByItem.load(topic.id)).filter((p) => p.status === ParticipationStatus.ACCEPTED).map((p) => p.tenantId);
    const allowed = new Set([topic.tenantId, ...joined]);
    if (!allowed.has(host.id)) throw badInput('The host committee does not take part in this topic', { field: 'topicId' });
    const outside = ids.filter((id) => !allowed.has(id));
    if (outside.length) throw badInput('Some committees do not take part in this topic', { field: 'participantIds', refused: outside.length });
    return [host.id, ...ids];
  }
  const found = ids.length ? await ctx.em.find(Tenant, { id: { $in: ids } }) : [];
  const byId = new Map(found.map((t) => [t.id, t]));
  const refused = ids.filter((id) => {
    const t = byId.get(id);
    if (!t) return true;
    const related = isSameOrAncestor(t, host) || isSameOrAncestor(host, t);
    return !related && t.provinceId !== host.provinceId;
  });
  if (refused.length) throw badInput('Some committees cannot take part in this session', { field: 'participantIds', refused: refused.length });
  return [host.id, ...ids];
}

/** Transactions (by their entity manager) that have taken a transaction id for durableRead. */
const flushing = new WeakSet<object>();

/**
 * Messages commit without waiting for the disk (postMessage, migration 0007), so a read of sessions or events
 * could see one that a crash in the next instant would undo. Every read that answers with them calls this:
 * the request's transaction takes a transaction id (once), so its commit, which comes before the answer
 * leaves, flushes the WAL, and with it every commit this read could see.
 */
export async function durableRead(ctx: Context): Promise<void> {
  if (flushing.has(ctx.em)) return;
  flushing.add(ctx.em);
  await ctx.em.execute('select pg_current_xact_id()');
}

export async function listSessions(ctx: Context, filter: DeliberationFilter | undefined, page: PageArgs) {
  requireRole(ctx, ...READERS);
  await durableRead(ctx);
  return paginate(ctx.em, DeliberationSession, filter?.status ? { status: filter.status } : {}, page, ctx.config.maxPageSize);
}

/** A session the viewer may read (host or participant); null otherwise, exactly like a missing id. */
export async function readableSession(ctx: Context, id: string): Promise<DeliberationSession | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  await durableRead(ctx);
  return ctx.em.findOne(DeliberationSession, { id });
}

export async function readableEvent(ctx: Context, id: string): Promise<DeliberationEvent | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  await durableRead(ctx);
  return ctx.em.findOne(DeliberationEvent, { id });
}

async function visibleSession(ctx: Context, globalId: string, roles: Role[]): Promise<DeliberationSession> {
  requireRole(ctx, ...roles);
  const id = expectGlobalId(globalId, 'DeliberationSession', 'sessionId');
  const s = await ctx.em.findOne(DeliberationSession, { id });
  if (!s) throw notFound('Deliberation session');
  return s;
}

async function hostedSession(ctx: Context, globalId: string): Promise<DeliberationSession> {
  const s = await visibleSession(ctx, globalId, HOSTS);
  if (s.tenantId !== ctx.tenant.id) throw forbidden('Only the host committee moderates this session');
  return s;
}

const isModerator = (ctx: Context, s: DeliberationSession) => s.tenantId === ctx.tenant.id && HOSTS.includes(ctx.viewer.role);

/**
 * Takes the session's next sequence number. The update holds the session row lock until the request
 * commits, so concurrent writers queue here: numbers are handed out in commit order, and a rolled-back
 * writer gives its number back. Returns the status as seen under the lock.
 */
async function nextSeq(ctx: Context, s: DeliberationSession): Promise<{ seq: number; status: SessionStatus }> {
  const rows = await ctx.em.execute<{ last_seq: number; status: SessionStatus }[]>(
    'update deliberation_session set last_seq = last_seq + 1 where id = ? returning last_seq, status',
    [s.id],
  );
  const row = rows[0];
  if (!row) throw notFound('Deliberation session');
  return { seq: row.last_seq, status: row.status };
}

/** Locks the session row without taking a number (presence bookkeeping decides afterwards). */
async function lockSession(ctx: Context, s: DeliberationSession): Promise<SessionStatus> {
  const rows = await ctx.em.execute<{ status: SessionStatus }[]>('select status from deliberation_session where id = ? for update', [s.id]);
  if (!rows[0]) throw notFound('Deliberation session');
  return rows[0].status;
}

async function append(ctx: Context, s: DeliberationSession, seq: number, data: Partial<DeliberationEvent> & { kind: EventKind }): Promise<DeliberationEvent> {
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

export async function scheduleSession(ctx: Context, input: ScheduleDeliberationInput): Promise<DeliberationSession> {
  requireRole(ctx, ...HOSTS);
  const topicId = input.topicId ? expectGlobalId(input.topicId, 'ConsultationTopic', 'topicId') : null;
  if (!(input.endsAt > input.startsAt)) throw badInput('endsAt must be after startsAt', { field: 'endsAt' });
  const participantIds = await checkParticipants(ctx, ctx.tenant, input.participantIds, topicId);
  const s = Object.assign(new DeliberationSession(), {
    ...ownership(ctx.tenant),
    participantIds,
    topicId,
    topicTitle: input.topicTitle.trim(),
    title: input.title.trim(),
    agenda: input.agenda ?? '',
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    createdBy: ctx.viewer.user.id,
  });
  ctx.em.persist(s);
  await ctx.em.flush();
  return s;
}

const TRANSITIONS: Record<'open' | 'pause' | 'resume' | 'end', { from: SessionStatus[]; to: SessionStatus }> = {
  open: { from: [SessionStatus.SCHEDULED], to: SessionStatus.LIVE },
  pause: { from: [SessionStatus.LIVE], to: SessionStatus.PAUSED },
  resume: { from: [SessionStatus.PAUSED], to: SessionStatus.LIVE },
  end: { from: [SessionStatus.LIVE, SessionStatus.PAUSED], to: SessionStatus.ENDED },
};

export async function changeStatus(ctx: Context, globalId: string, step: keyof typeof TRANSITIONS): Promise<DeliberationSession> {
  const s = await hostedSession(ctx, globalId);
  const t = TRANSITIONS[step];
  const { seq, status } = await nextSeq(ctx, s);
  if (!t.from.includes(status)) throw invalidTransition(status, t.to);
  s.status = t.to;
  await append(ctx, s, seq, { kind: EventKind.STATUS_CHANGED, status: t.to });
  return s;
}

/**
 * JOINED or LEFT, whichever user `?2` did last in session `?1`: one index step (migration 0006) under RLS,
 * answering only what the viewer did, so it skips the ORM's query building.
 */
const ATTENDANCE_SQL = `select kind from deliberation_event where session_id = ? and actor_id = ? and kind in ('JOINED', 'LEFT') order by seq desc limit 1`;

/** JOINED or LEFT, whichever the user did last in this session (null: never joined). */
async function attendance(ctx: Context, s: DeliberationSession): Promise<EventKind | null> {
  const rows = await ctx.em.execute<{ kind: EventKind }[]>(ATTENDANCE_SQL, [s.id, ctx.viewer.user.id]);
  return rows[0]?.kind ?? null;
}

export async function join(ctx: Context, globalId: string): Promise<DeliberationEvent> {
  const s = await visibleSession(ctx, globalId, SPEAKERS);
  if ((await attendance(ctx, s)) === EventKind.JOINED) throw conflict('You have already joined this session');
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.JOINED);
  return append(ctx, s, seq, { kind: EventKind.JOINED });
}

export async function leave(ctx: Context, globalId: string): Promise<DeliberationEvent> {
  const s = await visibleSession(ctx, globalId, SPEAKERS);
  if ((await attendance(ctx, s)) !== EventKind.JOINED) throw conflict('You have not joined this session');
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.LEFT);
  return append(ctx, s, seq, { kind: EventKind.LEFT });
}

/**
 * Speakers whose act of duty for a session is committed (session, user, committee, archive year), as this
 * instance saw it: their next speeches skip the archive work, which would find the record there and change
 * nothing. Only a commit adds to it and archive records are never deleted, so it can only miss (a speech
 * through another instance), and a miss is the archive's own once-per-act insert. Past 50,000 it restarts.
 */
const spoken = new Set<string>();
const rememberSpoken = (key: string) => {
  if (spoken.size >= 50_000) spoken.clear();
  spoken.add(key);
};

/**
 * The session a message goes to, and the poster's attendance in it (their last JOINED or LEFT), in one
 * statement: the hottest read of a live session. Both walls hold: RLS as for any statement, and the ORM
 * filter's rule for sessions (host or participant, `hostOrParticipant`) written into the query, since the
 * ORM does not filter plain SQL. Missing and foreign sessions are NOT_FOUND alike.
 */
async function sessionForMessage(ctx: Context, globalId: string): Promise<{ s: DeliberationSession; attendance: EventKind | null }> {
  requireRole(ctx, ...SPEAKERS);
  const id = expectGlobalId(globalId, 'DeliberationSession', 'sessionId');
  const [row] = await ctx.em.execute<({ attendance: EventKind | null } & Record<string, unknown>)[]>(
    `select s.*, (${ATTENDANCE_SQL}) as attendance
       from deliberation_session s where s.id = ? and (s.tenant_id = ? or s.participant_ids @> array[?]::uuid[])`,
    [id, ctx.viewer.user.id, id, ctx.tenant.id, ctx.tenant.id],
  );
  if (!row) throw notFound('Deliberation session');
  const { attendance, ...columns } = row;
  return { s: ctx.em.map(DeliberationSession, columns as never), attendance };
}

export async function postMessage(ctx: Context, input: PostDeliberationMessageInput): Promise<DeliberationEvent> {
  const { s, attendance } = await sessionForMessage(ctx, input.sessionId);
  if (s.status !== SessionStatus.LIVE) throw invalidTransition(s.status, EventKind.MESSAGE_POSTED);
  if (!isModerator(ctx, s) && attendance !== EventKind.JOINED) throw forbidden('Join the session before speaking');
  if (input.replyToSeq != null) {
    const target = await ctx.em.findOne(DeliberationEvent, { sessionId: s.id, seq: input.replyToSeq, kind: EventKind.MESSAGE_POSTED });
    if (!target) throw badInput('replyToSeq does not name a message of this session', { field: 'replyToSeq' });
  }
  const e = Object.assign(new DeliberationEvent(), {
    tenantId: s.tenantId,
    provinceId: s.provinceId,
    cityId: s.cityId ?? null,
    participantIds: s.participantIds,
    sessionId: s.id,
    kind: EventKind.MESSAGE_POSTED,
    messageKind: input.messageKind,
    actorId: ctx.viewer.user.id,
    actorName: ctx.viewer.user.displayName,
    actorTenantId: ctx.tenant.id,
    text: input.text,
    replyToSeq: input.replyToSeq ?? null,
    at: ctx.clock.now(),
  });
  ctx.em.persist(e);
  // Speaking in a session is one act of duty per member and session (参加一次网络议政), however often the
  // member takes the floor in it: the archive keeps one record for the session, made at the first speech.
  const act = input.messageKind === MessageKind.SPEECH && ctx.viewer.role === Role.MEMBER ? `${s.id}:${ctx.viewer.user.id}:${ctx.tenant.id}:${chinaYear(e.at)}` : null;
  const recordsAct = !!act && !spoken.has(act);
  if (recordsAct) {
    await emit(ctx, 'duty.act', {
      kind: 'DELIBERATION_SPEECH',
      userId: ctx.viewer.user.id,
      tenantId: ctx.tenant.id,
      sourceType: 'DeliberationSession',
      sourceId: s.id,
      title: s.title,
      occurredAt: e.at,
    });
  }
  // The row is numbered while the transaction commits (migration 0005): commit here, so the session row
  // lock is held for the commit alone, and read the number back in the same round trip (under RLS, like any
  // read of the request). When it writes only the message (no archive record, which other modules read),
  // the commit does not wait for the disk while it holds the lock; the answer, the live feeds and every read
  // of sessions and events do (durableRead, migration 0007).
  let numbered: { seq: number } | undefined;
  try {
    [numbered] = await ctx.commitSoFar<{ seq: number }>(`select seq from deliberation_event where id = ${uuidLiteral(e.id)}`, { deferFlush: !recordsAct });
  } catch (err) {
    const status = notLiveAtCommit(err);
    if (status) throw invalidTransition(status, EventKind.MESSAGE_POSTED);
    throw err;
  }
  if (act) rememberSpoken(act);
  if (!numbered) throw notFound('Deliberation message');
  // Stored as numbered: nothing for the unit of work to write back.
  ctx.em.getUnitOfWork().unsetIdentity(e);
  e.seq = numbered.seq;
  return e;
}

/** The status the numbering trigger found when it refused a message (SQLSTATE CP001), or null. */
function notLiveAtCommit(err: unknown): string | null {
  const e = err as { code?: unknown; sqlState?: unknown; detail?: unknown } | null;
  if (!e || (e.code !== 'CP001' && e.sqlState !== 'CP001')) return null;
  return typeof e.detail === 'string' ? e.detail : 'ENDED';
}

/** Hands raised and not yet granted, oldest first. */
async function waitingHands(ctx: Context, s: DeliberationSession): Promise<DeliberationEvent[]> {
  const [raised, granted] = await Promise.all([
    ctx.em.find(DeliberationEvent, { sessionId: s.id, kind: EventKind.HAND_RAISED }, { orderBy: { seq: 'asc' } }),
    ctx.em.find(DeliberationEvent, { sessionId: s.id, kind: EventKind.FLOOR_GRANTED }),
  ]);
  const done = new Set(granted.map((g) => g.refSeq));
  return raised.filter((r) => !done.has(r.seq));
}

export async function raiseHand(ctx: Context, globalId: string): Promise<DeliberationEvent> {
  const s = await visibleSession(ctx, globalId, [Role.MEMBER]);
  if ((await attendance(ctx, s)) !== EventKind.JOINED) throw forbidden('Join the session before asking for the floor');
  if ((await waitingHands(ctx, s)).some((h) => h.actorId === ctx.viewer.user.id)) throw conflict('Your hand is already raised');
  const { seq, status } = await nextSeq(ctx, s);
  if (status !== SessionStatus.LIVE) throw invalidTransition(status, EventKind.HAND_RAISED);
  return append(ctx, s, seq, { kind: EventKind.HAND_RAISED });
}

/** Gives the floor to the earliest raised hand still waiting. */
export async function grantFloor(ctx: Context, globalId: string): Promise<DeliberationEvent> {
  const s = await hostedSession(ctx, globalId);
  const { seq, status } = await nextSeq(ctx, s);
  if (status !== SessionStatus.LIVE) throw invalidTransition(status, EventKind.FLOOR_GRANTED);
  const next = (await waitingHands(ctx, s))[0];
  if (!next) throw conflict('No raised hand is waiting');
  return append(ctx, s, seq, { kind: EventKind.FLOOR_GRANTED, refSeq: next.seq, targetUserId: next.actorId, targetName: next.actorName });
}

export async function hideMessage(ctx: Context, input: HideDeliberationMessageInput): Promise<DeliberationEvent> {
  const s = await hostedSession(ctx, input.sessionId);
  const msg = await ctx.em.findOne(DeliberationEvent, { sessionId: s.id, seq: input.seq, kind: EventKind.MESSAGE_POSTED });
  if (!msg) throw notFound('Message');
  if (msg.hiddenAt) throw conflict('The message is already hidden');
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.MESSAGE_HIDDEN);
  msg.hiddenAt = ctx.clock.now();
  msg.hiddenReason = input.reason;
  return append(ctx, s, seq, { kind: EventKind.MESSAGE_HIDDEN, refSeq: msg.seq, reason: input.reason });
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
