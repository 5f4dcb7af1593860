import { requireRole, type Context } from '../../core/context.js';
import { badInput, conflict, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { emit } from '../../core/events.js';
import { uuidLiteral } from '../../core/ids.js';
import { Role } from '../../core/identity/user.entity.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { isSameOrAncestor } from '../tenant/tenant.service.js';
import { ParticipationStatus } from '../joint/joint.entities.js';
import { chinaYear } from '../performance/performance.service.js';
import { DeliberationEvent, DeliberationSession, EventKind, MessageKind, SessionStatus } from './deliberation.entity.js';
import type { DeliberationFilter, HideDeliberationMessageInput, PostDeliberationMessageInput, ScheduleDeliberationInput, ShowDeliberationMessageInput } from './deliberation.inputs.js';
import { append, nextSeq } from './deliberation.stream.js';

// Sessions and moderation: scheduling, the session's states, joining, speaking, hands and the floor, hiding.

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
    if (!topic) throw notFound(text('协商议题', 'Consultation topic'));
    const joined = (await ctx.loaders.joint.participantsByItem.load(topic.id)).filter((p) => p.status === ParticipationStatus.ACCEPTED).map((p) => p.tenantId);
    const allowed = new Set([topic.tenantId, ...joined]);
    if (!allowed.has(host.id)) throw badInput(text('主办单位未参与该议题', 'The host committee does not take part in this topic'), { field: 'topicId' });
    const outside = ids.filter((id) => !allowed.has(id));
    if (outside.length) throw badInput(text('部分单位未参与该议题', 'Some committees do not take part in this topic'), { field: 'participantIds', refused: outside.length });
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
  if (refused.length) throw badInput(text('部分单位不能参加该网络议政会', 'Some committees cannot take part in this session'), { field: 'participantIds', refused: refused.length });
  return [host.id, ...ids];
}

export async function listSessions(ctx: Context, filter: DeliberationFilter | undefined, page: PageArgs) {
  requireRole(ctx, ...READERS);
  return paginate(ctx.em, DeliberationSession, filter?.status ? { status: filter.status } : {}, page, ctx.config.maxPageSize);
}

/** A session the viewer may read (host or participant); null otherwise, exactly like a missing id. */
export async function readableSession(ctx: Context, id: string): Promise<DeliberationSession | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(DeliberationSession, { id });
}

export async function readableEvent(ctx: Context, id: string): Promise<DeliberationEvent | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(DeliberationEvent, { id });
}

async function visibleSession(ctx: Context, globalId: string, roles: Role[]): Promise<DeliberationSession> {
  requireRole(ctx, ...roles);
  const id = expectGlobalId(globalId, 'DeliberationSession', 'sessionId');
  const s = await ctx.em.findOne(DeliberationSession, { id });
  if (!s) throw notFound(text('网络议政会', 'Deliberation session'));
  return s;
}

async function hostedSession(ctx: Context, globalId: string): Promise<DeliberationSession> {
  const s = await visibleSession(ctx, globalId, HOSTS);
  if (s.tenantId !== ctx.tenant.id) throw forbidden(text('只有主办单位可以主持该网络议政会', 'Only the host committee moderates this session'));
  return s;
}

const isModerator = (ctx: Context, s: DeliberationSession) => s.tenantId === ctx.tenant.id && HOSTS.includes(ctx.viewer.role);

export async function scheduleSession(ctx: Context, input: ScheduleDeliberationInput): Promise<DeliberationSession> {
  requireRole(ctx, ...HOSTS);
  const topicId = input.topicId ? expectGlobalId(input.topicId, 'ConsultationTopic', 'topicId') : null;
  if (!(input.endsAt > input.startsAt)) throw badInput(text('结束时间须晚于开始时间', 'endsAt must be after startsAt'), { field: 'endsAt' });
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
  await emit(ctx, 'deliberation.scheduled', { sessionId: s.id, tenantId: s.tenantId, hostName: ctx.tenant.name, participantIds, title: s.title, startsAt: s.startsAt, byUserId: ctx.viewer.user.id });
  return s;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A session was scheduled (网络议政会安排) by the host `tenantId`, with committees `participantIds` taking part. */
    'deliberation.scheduled': { sessionId: string; tenantId: string; hostName: string; participantIds: string[]; title: string; startsAt: Date; byUserId: string };
    /** The host gave the floor (安排发言) to `userId`, acting for `tenantId`. */
    'deliberation.floor-granted': { sessionId: string; eventId: string; userId: string; tenantId: string; title: string };
  }
}

const TRANSITIONS: Record<'open' | 'pause' | 'resume' | 'end', { from: SessionStatus[]; to: SessionStatus; zh: string; en: string }> = {
  open: { from: [SessionStatus.SCHEDULED], to: SessionStatus.LIVE, zh: '开始', en: 'opened' },
  pause: { from: [SessionStatus.LIVE], to: SessionStatus.PAUSED, zh: '暂停', en: 'paused' },
  resume: { from: [SessionStatus.PAUSED], to: SessionStatus.LIVE, zh: '继续', en: 'resumed' },
  end: { from: [SessionStatus.LIVE, SessionStatus.PAUSED], to: SessionStatus.ENDED, zh: '结束', en: 'ended' },
};
const SESSION_STATUS_ZH: Record<SessionStatus, string> = { SCHEDULED: '已安排', LIVE: '进行中', PAUSED: '暂停', ENDED: '已结束' };
const sessionStatusZh = (s: SessionStatus) => `“${SESSION_STATUS_ZH[s]}”`;
/** What cannot be done in a session that is not live: speaking, raising a hand … */
const notLive = (status: SessionStatus, zh: string, en: string) =>
  text(`网络议政会当前为${sessionStatusZh(status)}，不能${zh}`, `A session that is ${status} takes no ${en}`);

export async function changeStatus(ctx: Context, globalId: string, step: keyof typeof TRANSITIONS): Promise<DeliberationSession> {
  const s = await hostedSession(ctx, globalId);
  const t = TRANSITIONS[step];
  const { seq, status } = await nextSeq(ctx, s);
  if (!t.from.includes(status)) throw invalidTransition(status, t.to, text(`网络议政会当前为${sessionStatusZh(status)}，不能${t.zh}`, `A session that is ${status} cannot be ${t.en}`));
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
  if ((await attendance(ctx, s)) === EventKind.JOINED) throw conflict(text('您已加入该网络议政会', 'You have already joined this session'));
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.JOINED, text('网络议政会已结束，不能加入', 'The session has ended and cannot be joined'));
  return append(ctx, s, seq, { kind: EventKind.JOINED });
}

export async function leave(ctx: Context, globalId: string): Promise<DeliberationEvent> {
  const s = await visibleSession(ctx, globalId, SPEAKERS);
  if ((await attendance(ctx, s)) !== EventKind.JOINED) throw conflict(text('您尚未加入该网络议政会', 'You have not joined this session'));
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.LEFT, text('网络议政会已结束，无需退出', 'The session has ended; there is nothing to leave'));
  return append(ctx, s, seq, { kind: EventKind.LEFT });
}

/**
 * Speakers whose act of duty for a session is committed (session, moderation, user, committee, archive
 * year), as this instance saw it: their next speeches skip the archive work, which would find the record
 * there and change nothing. Only a commit adds to it, so it can only miss (a speech through another
 * instance), and a miss is the archive's own once-per-act insert. A record goes only when a moderator hides
 * speeches, which moves the session's `moderationSeq`, read with the session on every message: every key
 * made before then stops matching, on every instance. Past 50,000 it restarts.
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
  if (!row) throw notFound(text('网络议政会', 'Deliberation session'));
  const { attendance, ...columns } = row;
  return { s: ctx.em.map(DeliberationSession, columns as never), attendance };
}

export async function postMessage(ctx: Context, input: PostDeliberationMessageInput): Promise<DeliberationEvent> {
  const { s, attendance } = await sessionForMessage(ctx, input.sessionId);
  if (s.status !== SessionStatus.LIVE) throw invalidTransition(s.status, EventKind.MESSAGE_POSTED, notLive(s.status, '发言', 'messages'));
  if (!isModerator(ctx, s) && attendance !== EventKind.JOINED) throw forbidden(text('请先加入网络议政会再发言', 'Join the session before speaking'));
  if (input.replyToSeq != null) {
    const target = await ctx.em.findOne(DeliberationEvent, { sessionId: s.id, seq: input.replyToSeq, kind: EventKind.MESSAGE_POSTED });
    if (!target) throw badInput(text('replyToSeq 不是本场网络议政会的发言', 'replyToSeq does not name a message of this session'), { field: 'replyToSeq' });
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
  const act = input.messageKind === MessageKind.SPEECH && ctx.viewer.role === Role.MEMBER ? `${s.id}:${s.moderationSeq}:${ctx.viewer.user.id}:${ctx.tenant.id}:${chinaYear(e.at)}` : null;
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
  // of sessions and events do (they are declared durable: see runInContext; migration 0007).
  let numbered: { seq: number } | undefined;
  try {
    [numbered] = await ctx.commitSoFar<{ seq: number }>(`select seq from deliberation_event where id = ${uuidLiteral(e.id)}`, { deferFlush: !recordsAct });
  } catch (err) {
    const status = notLiveAtCommit(err);
    if (status) throw invalidTransition(status, EventKind.MESSAGE_POSTED, notLive(status, '发言', 'messages'));
    throw err;
  }
  if (act) rememberSpoken(act);
  if (!numbered) throw notFound(text('议政发言', 'Deliberation message'));
  // Stored as numbered: nothing for the unit of work to write back.
  ctx.em.getUnitOfWork().unsetIdentity(e);
  e.seq = numbered.seq;
  return e;
}

/** The status the numbering trigger found when it refused a message (SQLSTATE CP001), or null. */
function notLiveAtCommit(err: unknown): SessionStatus | null {
  const e = err as { code?: unknown; sqlState?: unknown; detail?: unknown } | null;
  if (!e || (e.code !== 'CP001' && e.sqlState !== 'CP001')) return null;
  return typeof e.detail === 'string' && e.detail in SESSION_STATUS_ZH ? (e.detail as SessionStatus) : SessionStatus.ENDED;
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
  if ((await attendance(ctx, s)) !== EventKind.JOINED) throw forbidden(text('请先加入网络议政会再举手', 'Join the session before asking for the floor'));
  if ((await waitingHands(ctx, s)).some((h) => h.actorId === ctx.viewer.user.id)) throw conflict(text('您已举手', 'Your hand is already raised'));
  const { seq, status } = await nextSeq(ctx, s);
  if (status !== SessionStatus.LIVE) throw invalidTransition(status, EventKind.HAND_RAISED, notLive(status, '举手', 'raised hands'));
  return append(ctx, s, seq, { kind: EventKind.HAND_RAISED });
}

/** Gives the floor to the earliest raised hand still waiting. */
export async function grantFloor(ctx: Context, globalId: string): Promise<DeliberationEvent> {
  const s = await hostedSession(ctx, globalId);
  const { seq, status } = await nextSeq(ctx, s);
  if (status !== SessionStatus.LIVE) throw invalidTransition(status, EventKind.FLOOR_GRANTED, notLive(status, '安排发言', 'granting of the floor'));
  const next = (await waitingHands(ctx, s))[0];
  if (!next) throw conflict(text('没有等待发言的举手', 'No raised hand is waiting'));
  const granted = await append(ctx, s, seq, { kind: EventKind.FLOOR_GRANTED, refSeq: next.seq, targetUserId: next.actorId, targetName: next.actorName });
  await emit(ctx, 'deliberation.floor-granted', { sessionId: s.id, eventId: granted.id, userId: next.actorId, tenantId: next.actorTenantId, title: s.title });
  return granted;
}

export async function hideMessage(ctx: Context, input: HideDeliberationMessageInput): Promise<DeliberationEvent> {
  const s = await hostedSession(ctx, input.sessionId);
  const msg = await ctx.em.findOne(DeliberationEvent, { sessionId: s.id, seq: input.seq, kind: EventKind.MESSAGE_POSTED });
  if (!msg) throw notFound(text('发言', 'Message'));
  if (msg.hiddenAt) throw conflict(text('该发言已被隐藏', 'The message is already hidden'));
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.MESSAGE_HIDDEN, text('网络议政会已结束，发言不能再隐藏', 'The session has ended; its messages can no longer be hidden'));
  msg.hiddenAt = ctx.clock.now();
  msg.hiddenReason = input.reason;
  // A hidden speech earns nothing: the speaker's record for the session goes unless another speech stands.
  if (msg.messageKind === MessageKind.SPEECH && !(await otherVisibleSpeech(ctx, s, msg))) {
    await emit(ctx, 'duty.withdrawn', { ...speechAct(s, msg) });
  }
  s.moderationSeq = seq;
  return append(ctx, s, seq, { kind: EventKind.MESSAGE_HIDDEN, refSeq: msg.seq, reason: input.reason });
}

/** Shows a hidden message again (恢复显示); a speech then counts for its speaker again. */
export async function showMessage(ctx: Context, input: ShowDeliberationMessageInput): Promise<DeliberationEvent> {
  const s = await hostedSession(ctx, input.sessionId);
  const msg = await ctx.em.findOne(DeliberationEvent, { sessionId: s.id, seq: input.seq, kind: EventKind.MESSAGE_POSTED });
  if (!msg) throw notFound(text('发言', 'Message'));
  if (!msg.hiddenAt) throw conflict(text('该发言未被隐藏', 'The message is not hidden'));
  const { seq, status } = await nextSeq(ctx, s);
  if (status === SessionStatus.ENDED) throw invalidTransition(status, EventKind.MESSAGE_SHOWN, text('网络议政会已结束，发言不能再恢复显示', 'The session has ended; its messages can no longer be shown again'));
  msg.hiddenAt = null;
  msg.hiddenReason = null;
  if (msg.messageKind === MessageKind.SPEECH && !(await otherVisibleSpeech(ctx, s, msg))) {
    await emit(ctx, 'duty.act', { kind: 'DELIBERATION_SPEECH', ...speechAct(s, msg), title: s.title, occurredAt: msg.at });
  }
  s.moderationSeq = seq;
  return append(ctx, s, seq, { kind: EventKind.MESSAGE_SHOWN, refSeq: msg.seq });
}

/** The speaker's act of duty for the session, as postMessage reports it; credited by the host, across the session's committees. */
const speechAct = (s: DeliberationSession, msg: DeliberationEvent) =>
  ({ userId: msg.actorId, tenantId: msg.actorTenantId, sourceType: 'DeliberationSession', sourceId: s.id, jointTenantIds: s.participantIds }) as const;

/**
 * Whether the speaker of `msg` has another speech in the session that is not hidden, as committed now; read
 * under the session row lock (nextSeq). A speech still being posted is not seen: it commits after this
 * request, and its archive work runs unless its poster's instance already held a key from before this move.
 */
async function otherVisibleSpeech(ctx: Context, s: DeliberationSession, msg: DeliberationEvent): Promise<boolean> {
  await ctx.em.flush();
  const n = await ctx.em.count(DeliberationEvent, {
    sessionId: s.id,
    kind: EventKind.MESSAGE_POSTED,
    messageKind: MessageKind.SPEECH,
    actorId: msg.actorId,
    actorTenantId: msg.actorTenantId,
    hiddenAt: null,
    id: { $ne: msg.id },
  });
  return n > 0;
}
