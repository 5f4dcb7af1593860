import type { FilterQuery } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, conflict, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { chinaMinute } from '../../core/clock.js';
import { expectGlobalId } from '../../core/global-id.js';
import { OrderDirection, paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import type { Tenant } from '../../core/identity/tenant.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import { committeesByCode } from '../joint/joint.service.js';
import { AttendanceStatus, CheckInMethod, Meeting, MeetingAttendance, MeetingNotice, MeetingStatus, MeetingVenue } from './meeting.entities.js';
import { canMove, venueFigures } from './meeting.state.js';
import { claimedVenue, newCheckinSecret, signCheckinCode, verifyCheckinCode } from './meeting.checkin.js';
import type { InviteToMeetingInput, ScheduleMeetingInput } from './meeting.inputs.js';
import { inOrderOf } from '../../core/node-loader.js';

declare module '../../core/events.js' {
  interface DomainEvents {
    /**
     * A venue's one-click notice (一键通知) went out: one stored notice per member named here. Delivery (SMS,
     * app push) listens to this; the notices are the record whether or not anything is delivered.
     */
    'meeting.noticed': { meetingId: string; venueId: string; tenantId: string; notices: { noticeId: string; userId: string }[]; title: string; body: string; startsAt: Date };
  }
}

const OFFICE = [Role.STAFF, Role.ADMIN];
const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN];
/** Check-in opens this long before the start (members arrive early) and closes at the end. */
export const CHECKIN_OPENS_BEFORE_MS = 2 * 3600_000;
const MAX_VENUES = 50;

const M = text('会议', 'Meeting');
const V = text('会场', 'Venue');
const A = text('参会记录', 'Attendance');

/** Staff and leaders see every meeting their committee holds or takes part in; a member, those they are invited to. */
function readRule(ctx: Context): FilterQuery<Meeting> {
  const visible = { $or: [{ tenantId: ctx.tenant.id }, { participantIds: { $contains: [ctx.tenant.id] } }] };
  if (ctx.viewer.role !== Role.MEMBER) return visible;
  const mine = ctx.em.createQueryBuilder(MeetingAttendance, 'a').select('a.meeting_id').where({ tenantId: ctx.tenant.id, userId: ctx.viewer.user.id }).getKnexQuery();
  return { $and: [visible, { id: { $in: mine as never } }] };
}

export async function listMeetings(ctx: Context, page: PageArgs, range: { from?: Date | null; to?: Date | null }) {
  requireRole(ctx, ...READERS, Role.MEMBER);
  if (range.from && range.to && range.to < range.from) throw badInput(text('结束时间早于开始时间', 'to is before from'), { field: 'to' });
  const when = [...(range.from ? [{ startsAt: { $gte: range.from } }] : []), ...(range.to ? [{ startsAt: { $lt: range.to } }] : [])];
  return paginate(ctx.em, Meeting, { $and: [readRule(ctx), ...when] }, page, ctx.config.maxPageSize, {
    name: 'starts',
    direction: OrderDirection.ASC,
    key: { prop: 'startsAt', type: 'date' },
  });
}

export async function readableMeeting(ctx: Context, id: string): Promise<Meeting | null> {
  if (![...READERS, Role.MEMBER].includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(Meeting, { $and: [{ id }, readRule(ctx)] });
}

/** `readableMeeting` for many ids in one statement. */
export async function readableMeetings(ctx: Context, ids: readonly string[]): Promise<(Meeting | null)[]> {
  if (![...READERS, Role.MEMBER].includes(ctx.viewer.role)) return ids.map(() => null);
  return inOrderOf(ids, await ctx.em.find(Meeting, { $and: [{ id: { $in: [...ids] } }, readRule(ctx)] }));
}

export async function readableVenue(ctx: Context, id: string): Promise<MeetingVenue | null> {
  const v = await ctx.em.findOne(MeetingVenue, { id, $or: [{ tenantId: ctx.tenant.id }, { hostTenantId: ctx.tenant.id }] });
  return v && (await readableMeeting(ctx, v.meetingId)) ? v : null;
}

export async function readableAttendance(ctx: Context, id: string): Promise<MeetingAttendance | null> {
  if (![...READERS, Role.MEMBER].includes(ctx.viewer.role)) return null;
  const own = ctx.viewer.role === Role.MEMBER ? { userId: ctx.viewer.user.id } : {};
  return ctx.em.findOne(MeetingAttendance, { id, tenantId: ctx.tenant.id, ...own });
}

export async function readableNotice(ctx: Context, id: string): Promise<MeetingNotice | null> {
  if (![...READERS, Role.MEMBER].includes(ctx.viewer.role)) return null;
  const own = ctx.viewer.role === Role.MEMBER ? { userId: ctx.viewer.user.id } : {};
  return ctx.em.findOne(MeetingNotice, { id, tenantId: ctx.tenant.id, ...own });
}

/** The venues the viewer may see: its own, and every venue of a meeting it hosts (figures only). */
export function venuesOf(ctx: Context, m: Meeting): Promise<MeetingVenue[]> {
  return ctx.loaders.meeting.venuesByMeeting.load(m.id);
}

/**
 * The people at a venue: only for the venue's own committee (the host of a joint meeting sees other venues'
 * figures, not their members); a member sees their own invitation.
 */
export async function attendancesOf(ctx: Context, v: MeetingVenue): Promise<MeetingAttendance[] | null> {
  if (v.tenantId !== ctx.tenant.id) return null;
  const rows = await ctx.loaders.meeting.attendancesByVenue.load(v.id);
  return ctx.viewer.role === Role.MEMBER ? rows.filter((a) => a.userId === ctx.viewer.user.id) : rows;
}

export async function scheduleMeeting(ctx: Context, input: ScheduleMeetingInput): Promise<Meeting> {
  requireRole(ctx, ...OFFICE);
  if (input.endsAt <= input.startsAt) throw badInput(text('结束时间须晚于开始时间', 'endsAt must be after startsAt'), { field: 'endsAt' });
  if (input.startsAt < ctx.clock.now()) throw badInput(text('不能安排已经开始的会议', 'startsAt is in the past'), { field: 'startsAt' });
  const codes = input.participantCodes ?? [];
  if (!input.remote && codes.length) throw badInput(text('只有远程协商会议才有其他会场', 'Only a remote meeting has venues at other committees'), { field: 'participantCodes' });
  if (input.remote && !codes.length) throw badInput(text('远程协商会议须至少邀请一个其他政协', 'A remote meeting names at least one other committee'), { field: 'participantCodes' });
  if (codes.length > MAX_VENUES) throw badInput(text(`分会场最多 ${MAX_VENUES} 个`, `At most ${MAX_VENUES} venues`), { field: 'participantCodes' });
  const others: Tenant[] = codes.length ? await committeesByCode(ctx, codes) : [];
  if (others.some((t) => t.id === ctx.tenant.id)) throw badInput(text('主办政协不必列为参加单位', 'The host is not a participant of its own meeting'), { field: 'participantCodes' });
  // 上联全国政协、下通市县: one province's committees; a committee of another province is not found.
  if (others.some((t) => t.provinceId !== ctx.tenant.provinceId)) throw notFound(text('政协', 'Committee'));
  const m = ctx.em.create(Meeting, {
    ...ownership(ctx.tenant),
    participantIds: [ctx.tenant.id, ...others.map((t) => t.id)],
    kind: input.kind,
    title: input.title,
    location: input.location,
    remote: !!input.remote,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    scheduledBy: ctx.viewer.user.id,
  });
  // The meeting before its venues: a venue's insert policy checks the meeting it names (migration 0060).
  await ctx.em.flush();
  for (const t of [ctx.tenant, ...others]) {
    ctx.em.create(MeetingVenue, {
      ...ownership(t),
      meetingId: m.id,
      hostTenantId: ctx.tenant.id,
      location: t.id === ctx.tenant.id ? input.location : `${t.name}分会场`,
      checkinSecret: newCheckinSecret(),
      ...venueFigures([]),
    });
  }
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'meeting.held', tenantId: ctx.tenant.id, at: m.startsAt });
  return m;
}

/** A cancelled meeting takes nothing more: no invitation, notice, answer, leave decision or check-in. */
export function takesPlace(meeting: Meeting, to: string): void {
  if (meeting.status === MeetingStatus.CANCELLED) throw invalidTransition(MeetingStatus.CANCELLED, to, text('会议已取消', 'The meeting has been cancelled'));
}

/** A venue of the acting committee, for its office. */
async function ownVenue(ctx: Context, globalId: string): Promise<{ venue: MeetingVenue; meeting: Meeting }> {
  requireRole(ctx, ...OFFICE);
  const venue = await ctx.em.findOne(MeetingVenue, { id: expectGlobalId(globalId, 'MeetingVenue', 'venue'), tenantId: ctx.tenant.id });
  if (!venue) throw notFound(V);
  const meeting = await ctx.em.findOne(Meeting, { id: venue.meetingId });
  if (!meeting) throw notFound(V);
  return { venue, meeting };
}

/** Recount a venue's figures from its attendance (the host reads them; nobody else writes them). */
async function recount(ctx: Context, venue: MeetingVenue): Promise<void> {
  await ctx.em.flush();
  const rows = await ctx.em.execute<{ status: AttendanceStatus }[]>('select status from meeting_attendance where venue_id = ?', [venue.id]);
  Object.assign(venue, venueFigures(rows.map((r) => r.status)));
  await ctx.em.flush();
}

/**
 * Invite members to the committee's venue by seat, by sector (界别), or both: serving seats of this committee
 * only; a member already invited is left as they are. Returns the venue.
 */
export async function inviteToMeeting(ctx: Context, input: InviteToMeetingInput): Promise<MeetingVenue> {
  const { venue, meeting } = await ownVenue(ctx, input.venue);
  takesPlace(meeting, AttendanceStatus.INVITED);
  if (meeting.endsAt <= ctx.clock.now()) throw invalidTransition('ENDED', 'INVITED', text('会议已经结束，不能再邀请', 'The meeting has ended'));
  const seatIds = (input.seats ?? []).map((s) => expectGlobalId(s, 'MemberSeat', 'seats'));
  const sectors = input.sectors ?? [];
  if (!seatIds.length && !sectors.length) throw badInput(text('请指定委员或界别', 'Name seats or sectors'), { field: 'seats' });
  const bySeat = seatIds.length ? await ctx.em.find(MemberSeat, { id: { $in: seatIds }, tenantId: ctx.tenant.id }) : [];
  if (bySeat.length !== new Set(seatIds).size) throw notFound(text('委员', 'Member seat'));
  if (bySeat.some((s) => s.status !== SeatStatus.ACTIVE)) throw badInput(text('已离任委员不能邀请', 'A seat that has ended cannot be invited'), { field: 'seats' });
  const bySector = sectors.length ? await ctx.em.find(MemberSeat, { tenantId: ctx.tenant.id, sector: { $in: sectors }, status: SeatStatus.ACTIVE }) : [];
  const seats = new Map([...bySeat, ...bySector].map((s) => [s.id, s]));
  const already = new Set((await ctx.em.find(MeetingAttendance, { venueId: venue.id }, { fields: ['seatId'] })).map((a) => a.seatId));
  const fresh = [...seats.values()].filter((s) => !already.has(s.id));
  for (const s of fresh) {
    ctx.em.create(MeetingAttendance, { ...ownership(ctx.tenant), meetingId: meeting.id, venueId: venue.id, seatId: s.id, userId: s.userId, status: AttendanceStatus.INVITED });
  }
  await recount(ctx, venue);
  if (fresh.length) await statistics.recordFact(ctx, { metric: 'meeting.invited', tenantId: ctx.tenant.id, at: meeting.startsAt, delta: fresh.length });
  ctx.loaders.meeting.attendancesByVenue.clear(venue.id);
  return venue;
}

const KIND_ZH: Record<string, string> = {
  PLENARY: '全体会议',
  STANDING_COMMITTEE: '常委会议',
  CHAIRS: '主席会议',
  THEMATIC_CONSULTATION: '专题协商会',
  SECTOR_ACTIVITY: '界别活动',
  MEMBERS_HOME: '委员之家活动',
  INSPECTION: '视察活动',
};

/**
 * One-click notice (一键通知): a stored notice for every member invited to the venue who has none yet, and a
 * `meeting.noticed` event naming them. Sending again reaches only those invited since.
 */
export async function sendMeetingNotice(ctx: Context, venueGlobalId: string): Promise<{ venue: MeetingVenue; sent: number }> {
  const { venue, meeting } = await ownVenue(ctx, venueGlobalId);
  takesPlace(meeting, 'NOTICED');
  if (meeting.endsAt <= ctx.clock.now()) throw invalidTransition('ENDED', 'NOTICED', text('会议已经结束', 'The meeting has ended'));
  const invited = await ctx.em.find(MeetingAttendance, { venueId: venue.id, status: { $ne: AttendanceStatus.ON_LEAVE } });
  const noticed = new Set((await ctx.em.find(MeetingNotice, { attendanceId: { $in: invited.map((a) => a.id) } }, { fields: ['attendanceId'] })).map((n) => n.attendanceId));
  const now = ctx.clock.now();
  const body = `【${ctx.tenant.name}】${KIND_ZH[meeting.kind]}通知：定于 ${chinaMinute(meeting.startsAt)}（北京时间）在${venue.location}召开“${meeting.title}”，请确认参会或请假。`;
  const notices = invited
    .filter((a) => !noticed.has(a.id))
    .map((a) => ctx.em.create(MeetingNotice, { ...ownership(ctx.tenant), meetingId: meeting.id, attendanceId: a.id, userId: a.userId, body, sentAt: now }));
  if (!notices.length) throw conflict(text('所有受邀委员都已收到通知', 'Every invited member already has a notice'));
  venue.noticeSentAt = now;
  await ctx.em.flush();
  await emit(ctx, 'meeting.noticed', { meetingId: meeting.id, venueId: venue.id, tenantId: ctx.tenant.id, notices: notices.map((n) => ({ noticeId: n.id, userId: n.userId })), title: meeting.title, body, startsAt: meeting.startsAt });
  return { venue, sent: notices.length };
}

export async function myNotices(ctx: Context, page: PageArgs, unreadOnly: boolean) {
  requireRole(ctx, Role.MEMBER);
  return paginate(ctx.em, MeetingNotice, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id, ...(unreadOnly ? { readAt: null } : {}) }, page, ctx.config.maxPageSize);
}

export async function markNoticeRead(ctx: Context, globalId: string): Promise<MeetingNotice> {
  requireRole(ctx, Role.MEMBER);
  const n = await ctx.em.findOne(MeetingNotice, { id: expectGlobalId(globalId, 'MeetingNotice'), tenantId: ctx.tenant.id, userId: ctx.viewer.user.id });
  if (!n) throw notFound(text('会议通知', 'Meeting notice'));
  n.readAt ??= ctx.clock.now();
  await ctx.em.flush();
  return n;
}

export async function myAttendances(ctx: Context, page: PageArgs) {
  requireRole(ctx, Role.MEMBER);
  return paginate(ctx.em, MeetingAttendance, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id }, page, ctx.config.maxPageSize);
}

/** The member's own invitation at the acting committee's venue, with its meeting. */
async function ownAttendance(ctx: Context, globalId: string) {
  requireRole(ctx, Role.MEMBER);
  const a = await ctx.em.findOne(MeetingAttendance, { id: expectGlobalId(globalId, 'MeetingAttendance'), tenantId: ctx.tenant.id, userId: ctx.viewer.user.id });
  if (!a) throw notFound(A);
  return withMeeting(ctx, a);
}

async function withMeeting(ctx: Context, a: MeetingAttendance) {
  const [meeting, venue] = await Promise.all([ctx.em.findOne(Meeting, { id: a.meetingId }), ctx.em.findOne(MeetingVenue, { id: a.venueId, tenantId: ctx.tenant.id })]);
  if (!meeting || !venue) throw notFound(A);
  return { a, meeting, venue };
}

const ATTENDANCE_ZH: Record<AttendanceStatus, string> = { INVITED: '已邀请', CONFIRMED: '已确认参加', LEAVE_REQUESTED: '请假待批', ON_LEAVE: '已准假', CHECKED_IN: '已签到' };

function move(a: MeetingAttendance, to: AttendanceStatus): void {
  if (!canMove(a.status, to)) throw invalidTransition(a.status, to, text(`参会状态为“${ATTENDANCE_ZH[a.status]}”时不能变为“${ATTENDANCE_ZH[to]}”`, `An attendance that is ${a.status} cannot become ${to}`));
  a.status = to;
}

function beforeStart(ctx: Context, meeting: Meeting, to: string) {
  takesPlace(meeting, to);
  if (meeting.startsAt <= ctx.clock.now()) throw invalidTransition('STARTED', to, text('会议已经开始，不能再确认或请假', 'The meeting has started: too late to confirm or ask for leave'));
}

export async function confirmAttendance(ctx: Context, globalId: string): Promise<MeetingAttendance> {
  const { a, meeting, venue } = await ownAttendance(ctx, globalId);
  beforeStart(ctx, meeting, AttendanceStatus.CONFIRMED);
  move(a, AttendanceStatus.CONFIRMED);
  a.answeredAt = ctx.clock.now();
  await recount(ctx, venue);
  return a;
}

export async function requestLeave(ctx: Context, globalId: string, reason: string): Promise<MeetingAttendance> {
  const { a, meeting, venue } = await ownAttendance(ctx, globalId);
  beforeStart(ctx, meeting, AttendanceStatus.LEAVE_REQUESTED);
  if (!reason.trim()) throw badInput(text('请填写请假事由', 'A reason is required'), { field: 'reason' });
  if (reason.length > 500) throw badInput(text('请假事由不能超过 500 个字符', 'At most 500 characters'), { field: 'reason' });
  move(a, AttendanceStatus.LEAVE_REQUESTED);
  a.leaveReason = reason;
  a.answeredAt = ctx.clock.now();
  await recount(ctx, venue);
  return a;
}

/** Staff approve leave (准假) or refuse it: a refused member is expected (CONFIRMED). */
export async function decideLeave(ctx: Context, globalId: string, approve: boolean, note?: string | null): Promise<MeetingAttendance> {
  requireRole(ctx, ...OFFICE);
  if (note && note.length > 500) throw badInput(text('审批意见不能超过 500 个字符', 'At most 500 characters'), { field: 'note' });
  const found = await ctx.em.findOne(MeetingAttendance, { id: expectGlobalId(globalId, 'MeetingAttendance'), tenantId: ctx.tenant.id });
  if (!found) throw notFound(A);
  const { a, meeting, venue } = await withMeeting(ctx, found);
  takesPlace(meeting, approve ? AttendanceStatus.ON_LEAVE : AttendanceStatus.CONFIRMED);
  if (a.status !== AttendanceStatus.LEAVE_REQUESTED) throw invalidTransition(a.status, approve ? AttendanceStatus.ON_LEAVE : AttendanceStatus.CONFIRMED, text('没有待审批的请假', 'There is no leave request to decide'));
  move(a, approve ? AttendanceStatus.ON_LEAVE : AttendanceStatus.CONFIRMED);
  a.leaveDecidedAt = ctx.clock.now();
  a.leaveDecidedBy = ctx.viewer.user.id;
  a.leaveNote = note ?? null;
  await recount(ctx, venue);
  if (approve) await statistics.recordFact(ctx, { metric: 'meeting.leave', tenantId: ctx.tenant.id, at: meeting.startsAt });
  return a;
}

function checkinOpen(ctx: Context, meeting: Meeting, staff: boolean) {
  takesPlace(meeting, AttendanceStatus.CHECKED_IN);
  const now = ctx.clock.now();
  if (now.getTime() < meeting.startsAt.getTime() - CHECKIN_OPENS_BEFORE_MS) throw invalidTransition('SCHEDULED', AttendanceStatus.CHECKED_IN, text('签到尚未开始', 'Check-in has not opened yet'));
  // Staff may still record someone who was there after the end (补签); the member's code only works while it runs.
  if (!staff && now >= meeting.endsAt) throw invalidTransition('ENDED', AttendanceStatus.CHECKED_IN, text('会议已经结束，签到已关闭', 'The meeting has ended: check-in is closed'));
}

/** Present: the venue's figures move, and the attendance becomes a record in the member's archive (MEETING). */
async function checkIn(ctx: Context, a: MeetingAttendance, meeting: Meeting, venue: MeetingVenue, method: CheckInMethod): Promise<MeetingAttendance> {
  move(a, AttendanceStatus.CHECKED_IN);
  a.checkedInAt = ctx.clock.now();
  a.checkinMethod = method;
  a.checkedInBy = ctx.viewer.user.id;
  await recount(ctx, venue);
  await statistics.recordFact(ctx, { metric: 'meeting.attended', tenantId: a.tenantId, at: meeting.startsAt });
  await emit(ctx, 'duty.act', {
    kind: 'MEETING_ATTENDANCE',
    userId: a.userId,
    tenantId: a.tenantId,
    sourceType: 'MeetingAttendance',
    sourceId: a.id,
    title: `出席${KIND_ZH[meeting.kind]}：${meeting.title}`,
    occurredAt: meeting.startsAt,
  });
  return a;
}

/** The venue screen's code (签到码): short-lived, signed with the venue's secret, bound to meeting and venue. */
export async function issueCheckinCode(ctx: Context, venueGlobalId: string) {
  const { venue, meeting } = await ownVenue(ctx, venueGlobalId);
  checkinOpen(ctx, meeting, false);
  return signCheckinCode(venue.checkinSecret, meeting.id, venue.id, ctx.clock.now());
}

/**
 * A member checks in with the code their app read from the venue screen. Any code that is not a current code
 * of a venue of the acting committee where the member is invited answers the same BAD_USER_INPUT.
 */
export async function checkInWithCode(ctx: Context, code: string): Promise<MeetingAttendance> {
  requireRole(ctx, Role.MEMBER);
  const invalid = () => badInput(text('签到码无效', 'The check-in code is not valid'), { field: 'code' });
  const venueId = code.length <= 2000 ? claimedVenue(code) : null;
  if (!venueId || !/^[0-9a-f-]{36}$/.test(venueId)) throw invalid();
  const venue = await ctx.em.findOne(MeetingVenue, { id: venueId, tenantId: ctx.tenant.id });
  if (!venue) throw invalid();
  const verdict = await verifyCheckinCode(venue.checkinSecret, code, venue.meetingId, venue.id, ctx.clock.now());
  if (verdict === 'EXPIRED') throw badInput(text('签到码已过期，请重新扫码', 'The check-in code has expired: scan it again'), { field: 'code' });
  if (verdict !== 'OK') throw invalid();
  const found = await ctx.em.findOne(MeetingAttendance, { venueId: venue.id, userId: ctx.viewer.user.id, tenantId: ctx.tenant.id });
  if (!found) throw notFound(A);
  const { a, meeting } = await withMeeting(ctx, found);
  checkinOpen(ctx, meeting, false);
  return checkIn(ctx, a, meeting, venue, CheckInMethod.CODE);
}

/** Staff check a member in on their behalf (代签到). */
export async function checkInMember(ctx: Context, globalId: string): Promise<MeetingAttendance> {
  requireRole(ctx, ...OFFICE);
  const found = await ctx.em.findOne(MeetingAttendance, { id: expectGlobalId(globalId, 'MeetingAttendance'), tenantId: ctx.tenant.id });
  if (!found) throw notFound(A);
  const { a, meeting, venue } = await withMeeting(ctx, found);
  checkinOpen(ctx, meeting, true);
  return checkIn(ctx, a, meeting, venue, CheckInMethod.STAFF);
}

export async function meetingOf(ctx: Context, meetingId: string): Promise<Meeting | null> {
  return ctx.loaders.meeting.meetingById.load(meetingId);
}
