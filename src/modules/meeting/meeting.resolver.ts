import { Arg, Args, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { DateTime } from '../../core/scalars.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { User } from '../../core/identity/user.entity.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';
import { Meeting, MeetingAttendance, MeetingNotice, MeetingVenue } from './meeting.entities.js';
import { InviteToMeetingInput, RescheduleMeetingInput, ScheduleMeetingInput } from './meeting.inputs.js';
import * as changes from './meeting.changes.js';
import * as meetings from './meeting.service.js';

const MeetingConnection = Connection(Meeting, 'Meeting', '会议活动');
const MeetingNoticeConnection = Connection(MeetingNotice, 'MeetingNotice', '会议通知');
const MeetingAttendanceConnection = Connection(MeetingAttendance, 'MeetingAttendance', '参会记录');
const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 10 * childComplexity;

@ObjectType('MeetingCheckInCode', { description: 'A check-in code for the venue screen (会场签到码), valid for a short time.' })
export class MeetingCheckInCode {
  @Field(() => String, { description: "The code (签到码), shown as a QR code; the member's app submits it." })
  code!: string;

  @Field(() => DateTime, { description: 'When it stops being accepted (失效时间).' })
  expiresAt!: Date;
}

@ObjectType('MeetingNoticeResult', { description: 'What a one-click notice did (一键通知结果).' })
export class MeetingNoticeResult {
  @Field(() => MeetingVenue, { description: 'The venue (会场).' })
  venue!: MeetingVenue;

  @Field(() => Int, { description: 'Notices sent now (本次发送条数).' })
  sent!: number;
}

@Resolver(() => Meeting)
export class MeetingResolver {
  @Query(() => MeetingConnection, { description: 'Meetings and activities (会议活动) the committee holds or takes part in, by start; a member, those they are invited to.' })
  meetings(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('from', () => DateTime, { nullable: true, description: 'Starting at or after (开始时间起).' }) from?: Date | null,
    @Arg('to', () => DateTime, { nullable: true, description: 'Starting before (开始时间止).' }) to?: Date | null,
  ) {
    return meetings.listMeetings(ctx, page, { from, to });
  }

  @FieldResolver(() => Tenant, { description: 'The committee holding it (主办政协).' })
  host(@Root() m: Meeting, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(m.tenantId);
  }

  @FieldResolver(() => [MeetingVenue], {
    description: "Venues you may see (会场): your committee's own; the host sees every venue's figures.",
    complexity: listComplexity,
  })
  venues(@Root() m: Meeting, @Ctx() ctx: Context) {
    return meetings.venuesOf(ctx, m);
  }

  @Mutation(() => Meeting, { description: 'Schedule a meeting or activity (安排会议活动); remote ones get a venue per named committee. STAFF or ADMIN.' })
  scheduleMeeting(@Ctx() ctx: Context, @Arg('input', () => ScheduleMeetingInput, { description: 'The meeting.' }) input: ScheduleMeetingInput) {
    return meetings.scheduleMeeting(ctx, input);
  }

  @Mutation(() => Meeting, {
    description: 'Cancel a meeting (取消会议) before it starts and before anyone checked in; every venue follows, every invitee is notified. STAFF or ADMIN of the host.',
  })
  cancelMeeting(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The meeting.' }) id: string,
    @Arg('reason', () => String, { description: 'Why (取消原因), up to 500 characters.' }) reason: string,
  ) {
    return changes.cancelMeeting(ctx, id, reason);
  }

  @Mutation(() => Meeting, {
    description: 'Move a meeting (会议改期) before it starts and before anyone checked in; answers stand, every invitee is notified. STAFF or ADMIN of the host.',
  })
  rescheduleMeeting(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The meeting.' }) id: string,
    @Arg('input', () => RescheduleMeetingInput, { description: 'The new time (and place).' }) input: RescheduleMeetingInput,
  ) {
    return changes.rescheduleMeeting(ctx, id, input);
  }

  @Mutation(() => MeetingVenue, { description: "Invite members to the committee's venue by seat or sector (邀请参会). STAFF or ADMIN." })
  inviteToMeeting(@Ctx() ctx: Context, @Arg('input', () => InviteToMeetingInput, { description: 'Who to invite.' }) input: InviteToMeetingInput) {
    return meetings.inviteToMeeting(ctx, input);
  }

  @Mutation(() => MeetingNoticeResult, { description: 'One-click notice (一键通知) to every member invited to the venue who has none yet. STAFF or ADMIN.' })
  sendMeetingNotice(@Ctx() ctx: Context, @Arg('venue', () => ID, { description: 'The venue.' }) venue: string) {
    return meetings.sendMeetingNotice(ctx, venue);
  }

  @Mutation(() => MeetingCheckInCode, { description: 'A fresh check-in code for the venue screen (签到码), from two hours before the start to the end. STAFF or ADMIN.' })
  issueMeetingCheckInCode(@Ctx() ctx: Context, @Arg('venue', () => ID, { description: 'The venue.' }) venue: string) {
    return meetings.issueCheckinCode(ctx, venue);
  }

  @Mutation(() => MeetingAttendance, { description: 'Confirm attending (确认参会), before the start. MEMBER, own invitation.' })
  confirmMeetingAttendance(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'The attendance.' }) id: string) {
    return meetings.confirmAttendance(ctx, id);
  }

  @Mutation(() => MeetingAttendance, { description: 'Ask for leave with a reason (请假), before the start. MEMBER, own invitation.' })
  requestMeetingLeave(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The attendance.' }) id: string,
    @Arg('reason', () => String, { description: 'Reason (请假事由), up to 500 characters.' }) reason: string,
  ) {
    return meetings.requestLeave(ctx, id, reason);
  }

  @Mutation(() => MeetingAttendance, { description: 'Approve or refuse a leave request (审批请假); refused, the member is expected. STAFF or ADMIN.' })
  decideMeetingLeave(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The attendance.' }) id: string,
    @Arg('approve', () => Boolean, { description: 'true: leave granted (准假).' }) approve: boolean,
    @Arg('note', () => String, { nullable: true, description: 'Note (审批意见), up to 500 characters.' }) note?: string | null,
  ) {
    return meetings.decideLeave(ctx, id, approve, note);
  }

  @Mutation(() => MeetingAttendance, { description: "Check in with the venue screen's code (扫码签到). MEMBER." })
  checkInToMeeting(@Ctx() ctx: Context, @Arg('code', () => String, { description: 'The code the app read.' }) code: string) {
    return meetings.checkInWithCode(ctx, code);
  }

  @Mutation(() => MeetingAttendance, { description: "Check a member in on their behalf (代签到). STAFF or ADMIN." })
  checkInMeetingMember(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'The attendance.' }) id: string) {
    return meetings.checkInMember(ctx, id);
  }

  @Query(() => MeetingAttendanceConnection, { description: 'Your invitations on the acting committee (我的会议). MEMBER.' })
  myMeetingAttendances(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return meetings.myAttendances(ctx, page);
  }

  @Query(() => MeetingNoticeConnection, { description: 'Your meeting notices on the acting committee (会议通知). MEMBER.' })
  myMeetingNotices(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('unreadOnly', () => Boolean, { nullable: true, defaultValue: false, description: 'Only those not read yet (仅未读).' }) unreadOnly: boolean,
  ) {
    return meetings.myNotices(ctx, page, unreadOnly);
  }

  @Mutation(() => MeetingNotice, { description: 'Mark a notice read (已读). MEMBER, own notice.' })
  readMeetingNotice(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'The notice.' }) id: string) {
    return meetings.markNoticeRead(ctx, id);
  }
}

@Resolver(() => MeetingVenue)
export class MeetingVenueResolver {
  @FieldResolver(() => Tenant, { description: 'The committee of this venue (会场所属政协).' })
  tenant(@Root() v: MeetingVenue, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(v.tenantId);
  }

  @FieldResolver(() => Meeting, { nullable: true, description: 'The meeting (会议).' })
  meeting(@Root() v: MeetingVenue, @Ctx() ctx: Context) {
    return meetings.meetingOf(ctx, v.meetingId);
  }

  @FieldResolver(() => [MeetingAttendance], {
    nullable: true,
    description: "Who was invited and what became of it (参会名单): for the venue's own committee only (null elsewhere); a member, their own.",
    complexity: listComplexity,
  })
  attendances(@Root() v: MeetingVenue, @Ctx() ctx: Context) {
    return meetings.attendancesOf(ctx, v);
  }
}

@Resolver(() => MeetingAttendance)
export class MeetingAttendanceResolver {
  @FieldResolver(() => User, { nullable: true, description: 'The member (委员).' })
  member(@Root() a: MeetingAttendance, @Ctx() ctx: Context) {
    return ctx.loaders.member.userById.load(a.userId);
  }

  @FieldResolver(() => MemberSeat, { nullable: true, description: 'The seat invited (委员席位).' })
  seat(@Root() a: MeetingAttendance, @Ctx() ctx: Context) {
    return ctx.loaders.member.seatById.load(a.seatId);
  }

  @FieldResolver(() => Meeting, { nullable: true, description: 'The meeting (会议).' })
  meeting(@Root() a: MeetingAttendance, @Ctx() ctx: Context) {
    return meetings.meetingOf(ctx, a.meetingId);
  }
}

@Resolver(() => MeetingNotice)
export class MeetingNoticeResolver {
  @FieldResolver(() => Meeting, { nullable: true, description: 'The meeting (会议).' })
  meeting(@Root() n: MeetingNotice, @Ctx() ctx: Context) {
    return meetings.meetingOf(ctx, n.meetingId);
  }
}
