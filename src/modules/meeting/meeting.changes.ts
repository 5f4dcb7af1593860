import { LockMode } from '@mikro-orm/core';
import { requireRole, runForCommittee, type Context } from '../../core/context.js';
import { badInput, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { enqueue, type JobTask } from '../../core/jobs.js';
import { expectGlobalId } from '../../core/global-id.js';
import { Role } from '../../core/identity/user.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import { AttendanceStatus, Meeting, MeetingAttendance, MeetingStatus, MeetingVenue, type MeetingKind } from './meeting.entities.js';
import type { RescheduleMeetingInput } from './meeting.inputs.js';
import { readableMeeting } from './meeting.service.js';

/**
 * A meeting changes for one venue's committee. Emitted once per venue: for the host's venue inside the host's
 * request; for every other venue of a remote meeting by the `meeting.announce-change` job, acting for that
 * venue's committee with no viewer (its invitations are that committee's alone, so only it can name them).
 * Listeners read the event and write through `ctx.em`.
 */
export interface MeetingChange {
  meetingId: string;
  venueId: string;
  /** The venue's committee: the invitees act for it. */
  tenantId: string;
  hostTenantId: string;
  kind: MeetingKind;
  title: string;
  startsAt: Date;
  endsAt: Date;
  /** The venue's place. */
  location: string;
  invitees: { attendanceId: string; userId: string; status: AttendanceStatus }[];
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** The host cancelled a meeting (会议取消): per venue, its invitees. */
    'meeting.cancelled': MeetingChange & { reason: string };
    /** The host moved a meeting (会议改期): per venue, its invitees, with the start it had before. */
    'meeting.rescheduled': MeetingChange & { previousStartsAt: Date };
  }
}

const OFFICE = [Role.STAFF, Role.ADMIN];
const M = text('会议', 'Meeting');
export const ANNOUNCE_TASK = 'meeting.announce-change';

type Change = 'CANCELLED' | 'RESCHEDULED';
/** What an announcement needs of its context: a request's, or a committee's in a job. */
type AnnounceContext = Pick<Context, 'em' | 'kernel' | 'tenant'>;

/** The host's own meeting, locked for the rest of the request; a participant is told only the host may. */
async function hostMeeting(ctx: Context, globalId: string): Promise<Meeting> {
  requireRole(ctx, ...OFFICE);
  const id = expectGlobalId(globalId, 'Meeting');
  const m = await ctx.em.findOne(Meeting, { id, tenantId: ctx.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (m) return m;
  if (await readableMeeting(ctx, id)) throw forbidden(text('只有主办政协可以取消会议或改期', 'Only the host can cancel or move a meeting'));
  throw notFound(M);
}

/** Only a meeting that still takes place, has not started and where nobody has checked in may change. */
function mayChange(ctx: Context, m: Meeting, venues: readonly MeetingVenue[], to: Change): void {
  if (m.status === MeetingStatus.CANCELLED) throw invalidTransition(MeetingStatus.CANCELLED, to, text('会议已取消', 'The meeting has been cancelled'));
  if (m.startsAt <= ctx.clock.now()) throw invalidTransition('STARTED', to, text('会议已经开始，不能取消或改期', 'The meeting has started: it can no longer be cancelled or moved'));
  if (venues.some((v) => v.present > 0)) throw invalidTransition(AttendanceStatus.CHECKED_IN, to, text('已有委员签到，不能取消或改期', 'Members have checked in: the meeting can no longer be cancelled or moved'));
}

const figuresOf = (v: MeetingVenue) => ({ invited: v.invited, onLeave: v.onLeave });
type Figures = ReturnType<typeof figuresOf>;

/** The venue's share of the figures moves with the meeting: taken out where it was, put in where it is now. */
async function moveFigures(ctx: AnnounceContext, venue: MeetingVenue, f: Figures, from: Date, to: Date | null): Promise<void> {
  for (const [metric, n] of [['meeting.invited', f.invited], ['meeting.leave', f.onLeave]] as const) {
    await statistics.recordFact(ctx, { metric, tenantId: venue.tenantId, at: from, delta: -n });
    if (to) await statistics.recordFact(ctx, { metric, tenantId: venue.tenantId, at: to, delta: n });
  }
}

async function inviteesOf(ctx: AnnounceContext, venue: MeetingVenue): Promise<MeetingChange['invitees']> {
  const rows = await ctx.em.find(MeetingAttendance, { venueId: venue.id, tenantId: venue.tenantId }, { orderBy: { id: 'asc' } });
  return rows.map((a) => ({ attendanceId: a.id, userId: a.userId, status: a.status }));
}

function changeOf(m: Meeting, venue: MeetingVenue, invitees: MeetingChange['invitees'], startsAt: Date, endsAt: Date): MeetingChange {
  return { meetingId: m.id, venueId: venue.id, tenantId: venue.tenantId, hostTenantId: m.tenantId, kind: m.kind, title: m.title, startsAt, endsAt, location: venue.location, invitees };
}

/** One venue's part of a cancellation: its figures go, its invitees are told. */
async function announceCancelled(ctx: AnnounceContext, m: Meeting, venue: MeetingVenue): Promise<void> {
  await moveFigures(ctx, venue, figuresOf(venue), m.startsAt, null);
  await emit(ctx, 'meeting.cancelled', { ...changeOf(m, venue, await inviteesOf(ctx, venue), m.startsAt, m.endsAt), reason: m.cancelReason ?? '' });
}

/** One venue's part of a move, as it was when the host moved it (a later move is a change of its own). */
async function announceRescheduled(ctx: AnnounceContext, m: Meeting, venue: MeetingVenue, f: Figures, from: Date, startsAt: Date, endsAt: Date): Promise<void> {
  await moveFigures(ctx, venue, f, from, startsAt);
  // Cancelled since: the figures still move (the cancellation took them out where the meeting then was); nobody is told of the move.
  if (m.status === MeetingStatus.CANCELLED) return;
  await emit(ctx, 'meeting.rescheduled', { ...changeOf(m, venue, await inviteesOf(ctx, venue), startsAt, endsAt), previousStartsAt: from });
}

/**
 * The host cancels a meeting (取消会议) before it starts and before anyone checked in: no venue takes
 * check-ins, leave or notices any more, no attendance becomes an archive record, and the meeting counts in
 * no figure (held, invited, leave). Every invitee of every venue is notified.
 */
export async function cancelMeeting(ctx: Context, globalId: string, reason: string): Promise<Meeting> {
  if (!reason.trim()) throw badInput(text('请填写取消原因', 'A reason is required'), { field: 'reason' });
  if (reason.length > 500) throw badInput(text('取消原因不能超过 500 个字符', 'At most 500 characters'), { field: 'reason' });
  const m = await hostMeeting(ctx, globalId);
  const venues = await ctx.em.find(MeetingVenue, { meetingId: m.id }, { orderBy: { id: 'asc' }, refresh: true });
  mayChange(ctx, m, venues, 'CANCELLED');
  Object.assign(m, { status: MeetingStatus.CANCELLED, cancelledAt: ctx.clock.now(), cancelledBy: ctx.viewer.user.id, cancelReason: reason });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'meeting.held', tenantId: m.tenantId, at: m.startsAt, delta: -1 });
  for (const v of venues) {
    if (v.tenantId === ctx.tenant.id) await announceCancelled(ctx, m, v);
    else await enqueue(ctx.em, ANNOUNCE_TASK, { tenantId: v.tenantId, venueId: v.id, change: 'CANCELLED' });
  }
  return m;
}

/**
 * The host moves a meeting (会议改期) before it starts and before anyone checked in, optionally to another
 * place for its own venue (another committee's venue keeps its place). Invitations stand as they are: a
 * confirmation stays valid for the new time, a leave request or approved leave stands, and the member can
 * still answer again before the new start (ask for leave, or confirm). Every invitee is notified; the figures
 * move to the new month.
 */
export async function rescheduleMeeting(ctx: Context, globalId: string, input: RescheduleMeetingInput): Promise<Meeting> {
  if (input.endsAt <= input.startsAt) throw badInput(text('结束时间须晚于开始时间', 'endsAt must be after startsAt'), { field: 'endsAt' });
  if (input.startsAt < ctx.clock.now()) throw badInput(text('新的开始时间不能早于现在', 'startsAt is in the past'), { field: 'startsAt' });
  const m = await hostMeeting(ctx, globalId);
  const venues = await ctx.em.find(MeetingVenue, { meetingId: m.id }, { orderBy: { id: 'asc' }, refresh: true });
  mayChange(ctx, m, venues, 'RESCHEDULED');
  if (m.startsAt.getTime() === input.startsAt.getTime() && m.endsAt.getTime() === input.endsAt.getTime() && (!input.location || input.location === m.location)) {
    throw badInput(text('新的时间地点与原安排相同', 'Nothing changes: the time and place are as scheduled'), { field: 'startsAt' });
  }
  const from = m.startsAt;
  Object.assign(m, { previousStartsAt: from, startsAt: input.startsAt, endsAt: input.endsAt, rescheduledAt: ctx.clock.now(), ...(input.location ? { location: input.location } : {}) });
  for (const v of venues) if (v.tenantId === ctx.tenant.id && input.location) v.location = input.location;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'meeting.held', tenantId: m.tenantId, at: from, delta: -1 });
  await statistics.recordFact(ctx, { metric: 'meeting.held', tenantId: m.tenantId, at: m.startsAt, delta: 1 });
  for (const v of venues) {
    if (v.tenantId === ctx.tenant.id) await announceRescheduled(ctx, m, v, figuresOf(v), from, m.startsAt, m.endsAt);
    else {
      await enqueue(ctx.em, ANNOUNCE_TASK, {
        tenantId: v.tenantId,
        venueId: v.id,
        change: 'RESCHEDULED',
        ...figuresOf(v),
        previousStartsAt: from.toISOString(),
        startsAt: m.startsAt.toISOString(),
        endsAt: m.endsAt.toISOString(),
      });
    }
  }
  return m;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const count = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : 0);
const when = (v: unknown) => {
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new Error(`${ANNOUNCE_TASK}: bad time ${String(v)}`);
  return d;
};

/**
 * A change announced to another committee's venue, acting for that committee. The job was enqueued by the
 * host's request (`enqueuedBy`, stamped by app_enqueue_job): a venue whose meeting that committee does not
 * host is left alone, so no committee can announce changes to meetings it does not hold.
 */
export const announceChangeTask: JobTask = async (payload, { deps }) => {
  const host = (payload.enqueuedBy as { tenantId?: unknown } | undefined)?.tenantId;
  const tenantId = String(payload.tenantId);
  const venueId = String(payload.venueId);
  if (typeof host !== 'string' || !UUID.test(tenantId) || !UUID.test(venueId) || !['CANCELLED', 'RESCHEDULED'].includes(String(payload.change))) {
    throw new Error(`${ANNOUNCE_TASK}: the payload names no host, venue or change`);
  }
  await runForCommittee(deps, tenantId, `${ANNOUNCE_TASK}:${venueId}`, async (ctx) => {
    const venue = await ctx.em.findOne(MeetingVenue, { id: venueId, tenantId });
    if (!venue || venue.hostTenantId !== host) return;
    const m = await ctx.em.findOne(Meeting, { id: venue.meetingId, tenantId: host });
    if (!m) return;
    if (payload.change === 'CANCELLED') {
      if (m.status === MeetingStatus.CANCELLED) await announceCancelled(ctx, m, venue);
      return;
    }
    const f = { invited: count(payload.invited), onLeave: count(payload.onLeave) };
    await announceRescheduled(ctx, m, venue, f, when(payload.previousStartsAt), when(payload.startsAt), when(payload.endsAt));
  });
};
