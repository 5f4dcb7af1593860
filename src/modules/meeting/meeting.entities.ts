import { ArrayType, Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope, type ScopeArgs } from '../../core/tenancy.js';

export enum MeetingKind {
  PLENARY = 'PLENARY',
  STANDING_COMMITTEE = 'STANDING_COMMITTEE',
  CHAIRS = 'CHAIRS',
  THEMATIC_CONSULTATION = 'THEMATIC_CONSULTATION',
  SECTOR_ACTIVITY = 'SECTOR_ACTIVITY',
  MEMBERS_HOME = 'MEMBERS_HOME',
  INSPECTION = 'INSPECTION',
}
registerEnumType(MeetingKind, {
  name: 'MeetingKind',
  description: 'Kind of meeting or activity (会议活动类型).',
  valuesConfig: {
    PLENARY: { description: 'Plenary session (全体会议, 全会).' },
    STANDING_COMMITTEE: { description: 'Standing committee meeting (常委会议).' },
    CHAIRS: { description: "Chairs' meeting (主席会议)." },
    THEMATIC_CONSULTATION: { description: 'Thematic consultation meeting (专题协商会).' },
    SECTOR_ACTIVITY: { description: 'Sector activity (界别活动).' },
    MEMBERS_HOME: { description: "Members' home activity (委员之家活动)." },
    INSPECTION: { description: 'Inspection (视察).' },
  },
});

export enum MeetingStatus {
  SCHEDULED = 'SCHEDULED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(MeetingStatus, {
  name: 'MeetingStatus',
  description: 'Whether a meeting still takes place (会议状态).',
  valuesConfig: {
    SCHEDULED: { description: 'Takes place as scheduled, or as last moved (已安排).' },
    CANCELLED: { description: 'Cancelled by the host (已取消): no check-in, leave or notice; it counts in no figure.' },
  },
});

export enum AttendanceStatus {
  INVITED = 'INVITED',
  CONFIRMED = 'CONFIRMED',
  LEAVE_REQUESTED = 'LEAVE_REQUESTED',
  ON_LEAVE = 'ON_LEAVE',
  CHECKED_IN = 'CHECKED_IN',
}
registerEnumType(AttendanceStatus, {
  name: 'AttendanceStatus',
  description: "A member's attendance at a meeting (参会状态).",
  valuesConfig: {
    INVITED: { description: 'Invited, no answer yet (已通知，待确认).' },
    CONFIRMED: { description: 'Will attend (确认参会).' },
    LEAVE_REQUESTED: { description: 'Asked for leave, awaiting staff (请假待批).' },
    ON_LEAVE: { description: 'Leave approved (已准假).' },
    CHECKED_IN: { description: 'Present: checked in at the venue (已签到).' },
  },
});

export enum CheckInMethod {
  CODE = 'CODE',
  STAFF = 'STAFF',
}
registerEnumType(CheckInMethod, {
  name: 'CheckInMethod',
  description: 'How a member was checked in (签到方式).',
  valuesConfig: { CODE: { description: "The venue's code, scanned by the member's app (扫码签到)." }, STAFF: { description: 'By staff on the member’s behalf (代签到).' } },
});

/** Host or any committee taking part: mirrors the RLS policy of migration 0060. */
const hostOrParticipant = (s: ScopeArgs) => ({ $or: [{ tenantId: s.tenantId }, { participantIds: { $contains: [s.tenantId] } }] });

/**
 * A meeting or activity (会议活动), owned by the committee that holds it. A remote joint meeting (远程协商) lists
 * the other committees taking part; each has a venue of its own.
 */
@ObjectType('Meeting', { implements: NodeEntity, description: 'A meeting or activity (会议活动); a remote joint meeting (远程协商) has a venue per participating committee.' })
@Entity({ tableName: 'meeting' })
@Index({ properties: ['tenantId', 'startsAt'] })
export class Meeting extends TenantOwned {
  /** The host first, then the other committees taking part. */
  @Property({ type: ArrayType, columnType: 'uuid[]' })
  participantIds!: string[];

  @Field(() => MeetingKind, { description: 'Kind (类型).' })
  @Enum({ items: () => MeetingKind, type: 'string' })
  kind!: MeetingKind;

  @Field(() => String, { description: 'Title (会议名称).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: "Where the host's venue is (主会场地点)." })
  @Property({ type: 'string', length: 200 })
  location!: string;

  @Field(() => Boolean, { description: 'A remote joint meeting with venues at other committees (远程协商).' })
  @Property({ type: 'boolean' })
  remote: boolean = false;

  @Field(() => DateTime, { description: 'Start (开始时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startsAt!: Date;

  @Field(() => DateTime, { description: 'End (结束时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  endsAt!: Date;

  @Property({ type: 'uuid' })
  scheduledBy!: string;

  @Field(() => MeetingStatus, { description: 'Whether it still takes place (会议状态).' })
  @Enum({ items: () => MeetingStatus, type: 'string' })
  status: MeetingStatus = MeetingStatus.SCHEDULED;

  @Field(() => DateTime, { nullable: true, description: 'When the host cancelled it (取消时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  cancelledAt?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  cancelledBy?: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was cancelled (取消原因).' })
  @Property({ type: 'string', length: 500, nullable: true })
  cancelReason?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the host last moved it (改期时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  rescheduledAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'The start it had before it was last moved (原定开始时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  previousStartsAt?: Date | null;
}
declareScope('Meeting', hostOrParticipant);

/**
 * One committee's venue of a meeting (会场), owned by that committee. Its figures are kept on the row, so the
 * host reads them without reading anyone's attendance.
 */
@ObjectType('MeetingVenue', { implements: NodeEntity, description: "A committee's venue of a meeting (会场), with its attendance figures." })
@Entity({ tableName: 'meeting_venue' })
export class MeetingVenue extends TenantOwned {
  @Property({ type: 'uuid' })
  meetingId!: string;

  @Property({ type: 'uuid' })
  hostTenantId!: string;

  @Field(() => String, { description: 'Where the venue is (会场地点).' })
  @Property({ type: 'string', length: 200 })
  location!: string;

  /** Signs the venue's check-in codes; never leaves the server. */
  @Property({ type: 'string', length: 64, hidden: true })
  checkinSecret!: string;

  @Field(() => Int, { description: 'Members invited (应到人数).' })
  @Property({ type: 'integer' })
  invited: number = 0;

  @Field(() => Int, { description: 'Members who confirmed (确认参会).' })
  @Property({ type: 'integer' })
  confirmed: number = 0;

  @Field(() => Int, { description: 'Leave requests awaiting staff (请假待批).' })
  @Property({ type: 'integer' })
  leaveRequested: number = 0;

  @Field(() => Int, { description: 'Members on approved leave (请假人数).' })
  @Property({ type: 'integer' })
  onLeave: number = 0;

  @Field(() => Int, { description: 'Members checked in (实到人数).' })
  @Property({ type: 'integer' })
  present: number = 0;

  @Field(() => DateTime, { nullable: true, description: 'When the one-click notice last went out (一键通知时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  noticeSentAt?: Date | null;
}
declareScope('MeetingVenue', (s) => ({ $or: [{ tenantId: s.tenantId }, { hostTenantId: s.tenantId }] }));

/** A member invited to a venue, with the answer, leave and check-in (参会记录). Owned by the venue's committee. */
@ObjectType('MeetingAttendance', { implements: NodeEntity, description: "A member's invitation to a meeting and what became of it (参会记录)." })
@Entity({ tableName: 'meeting_attendance' })
export class MeetingAttendance extends TenantOwned {
  @Property({ type: 'uuid' })
  meetingId!: string;

  @Property({ type: 'uuid' })
  venueId!: string;

  @Property({ type: 'uuid' })
  seatId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => AttendanceStatus, { description: 'Status (参会状态).' })
  @Enum({ items: () => AttendanceStatus, type: 'string' })
  status: AttendanceStatus = AttendanceStatus.INVITED;

  @Field(() => DateTime, { nullable: true, description: 'When the member confirmed or asked for leave (回复时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  answeredAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Reason for leave (请假事由).' })
  @Property({ type: 'string', length: 500, nullable: true })
  leaveReason?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When staff decided the leave (审批时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaveDecidedAt?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  leaveDecidedBy?: string | null;

  @Field(() => String, { nullable: true, description: "Staff's note on the leave decision (审批意见)." })
  @Property({ type: 'string', length: 500, nullable: true })
  leaveNote?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the member checked in (签到时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  checkedInAt?: Date | null;

  @Field(() => CheckInMethod, { nullable: true, description: 'How (签到方式).' })
  @Enum({ items: () => CheckInMethod, type: 'string', nullable: true })
  checkinMethod?: CheckInMethod | null;

  @Property({ type: 'uuid', nullable: true })
  checkedInBy?: string | null;
}
declareScope('MeetingAttendance', (s) => ({ tenantId: s.tenantId }));

/** The notice a member received (会议通知): a plain record; delivery hooks on the `meeting.noticed` event. */
@ObjectType('MeetingNotice', { implements: NodeEntity, description: 'A meeting notice to one member (会议通知).' })
@Entity({ tableName: 'meeting_notice' })
export class MeetingNotice extends TenantOwned {
  @Property({ type: 'uuid' })
  meetingId!: string;

  @Property({ type: 'uuid' })
  attendanceId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => String, { description: 'Text of the notice (通知内容).' })
  @Property({ type: 'text' })
  body!: string;

  @Field(() => DateTime, { description: 'When it was sent (发送时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  sentAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the member read it (阅读时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  readAt?: Date | null;
}
declareScope('MeetingNotice', (s) => ({ tenantId: s.tenantId }));
