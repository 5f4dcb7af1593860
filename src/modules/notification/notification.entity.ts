import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

export enum NotificationKind {
  INVITATION_RECEIVED = 'INVITATION_RECEIVED',
  INVITATION_ANSWERED = 'INVITATION_ANSWERED',
  ASSIGNED = 'ASSIGNED',
  DEADLINE_NEAR = 'DEADLINE_NEAR',
  OVERDUE = 'OVERDUE',
  REPLY_RECEIVED = 'REPLY_RECEIVED',
  ADOPTED = 'ADOPTED',
  INSTRUCTED = 'INSTRUCTED',
  PROPOSAL_FILED = 'PROPOSAL_FILED',
  PROPOSAL_NOT_FILED = 'PROPOSAL_NOT_FILED',
  OPENING_SOON = 'OPENING_SOON',
  DIGEST = 'DIGEST',
  REPORT_FORWARDED = 'REPORT_FORWARDED',
  SESSION_SCHEDULED = 'SESSION_SCHEDULED',
  MEETING_NOTICE = 'MEETING_NOTICE',
  FLOOR_GRANTED = 'FLOOR_GRANTED',
  MEETING_CANCELLED = 'MEETING_CANCELLED',
  MEETING_RESCHEDULED = 'MEETING_RESCHEDULED',
}
registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'What a notification is about (通知类型).',
  valuesConfig: {
    INVITATION_RECEIVED: { description: 'Your committee was invited to joint work (收到联动邀请).' },
    INVITATION_ANSWERED: { description: 'An invited committee answered (邀请已答复).' },
    ASSIGNED: { description: 'An item was assigned to your unit (交办到本单位).' },
    DEADLINE_NEAR: { description: 'A deadline is near (期限临近提醒).' },
    OVERDUE: { description: 'A deadline passed without an answer (逾期提醒).' },
    REPLY_RECEIVED: { description: 'A reply or feedback came in (收到答复).' },
    ADOPTED: { description: 'A report or suggestion was adopted (被采用).' },
    INSTRUCTED: { description: 'A leader wrote an instruction on it (领导批示).' },
    PROPOSAL_FILED: { description: 'A proposal was filed (提案立案).' },
    OPENING_SOON: { description: 'A deliberation session or a meeting you take part in starts within 30 minutes (即将开始).' },
    DIGEST: { description: 'Your daily digest: unread notifications of the last day and what falls due soon (每日摘要).' },
    PROPOSAL_NOT_FILED: { description: 'A proposal was not filed, or was converted to an opinion letter (提案不予立案).' },
    REPORT_FORWARDED: { description: 'A public-opinion report was forwarded to your committee (社情民意信息报送本会).' },
    SESSION_SCHEDULED: { description: 'A network deliberation session you may take part in was scheduled (网络议政会安排).' },
    MEETING_NOTICE: { description: 'You were sent a meeting notice (会议通知, 一键通知).' },
    FLOOR_GRANTED: { description: 'You were given the floor in a deliberation session (获准发言).' },
    MEETING_CANCELLED: { description: 'A meeting you were invited to was cancelled (会议取消).' },
    MEETING_RESCHEDULED: { description: 'A meeting you were invited to was moved (会议改期).' },
  },
});

/**
 * One notification in a person's inbox (站内通知), for the committee they act for. It names its item by
 * global id only; title and body are written from what the reader could see when it was made.
 */
@ObjectType('Notification', { implements: NodeEntity, description: 'A notification in your inbox (站内通知).' })
@Entity({ tableName: 'notification' })
export class Notification extends NodeEntity {
  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  provinceId!: string;

  @Property({ type: 'uuid', nullable: true })
  cityId?: string | null;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => NotificationKind, { description: 'What it is about (通知类型).' })
  @Enum({ items: () => NotificationKind, type: 'string' })
  kind!: NotificationKind;

  @Field(() => String, { description: 'Title (标题).' })
  @Property({ type: 'text' })
  title!: string;

  @Field(() => String, { description: 'Text (内容).' })
  @Property({ type: 'text' })
  body: string = '';

  @Property({ type: 'string', nullable: true })
  itemType?: string | null;

  @Property({ type: 'uuid', nullable: true })
  itemId?: string | null;

  @Property({ type: 'text' })
  dedupeKey!: string;

  @Field(() => DateTime, { description: 'When it was made (通知时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When you marked it read (已读时间); null while unread.' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  readAt?: Date | null;
}
// A person's own notifications for the committee they act for; mirrors the RLS policy (migration 0030).
declareScope('Notification', (s) => ({ tenantId: s.tenantId, userId: s.userId }));

/** How a person wants to be told (通知偏好), per committee they act for. */
@ObjectType('NotificationPreferences', { description: 'How you want to be told (通知偏好).' })
@Entity({ tableName: 'notification_preference' })
export class NotificationPreference {
  @Property({ type: 'uuid', primary: true })
  id!: string;

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  provinceId!: string;

  @Property({ type: 'uuid', nullable: true })
  cityId?: string | null;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => [NotificationKind], { description: 'Kinds you do not want by e-mail or SMS (不外发的通知类型); they still reach the inbox.' })
  @Enum({ items: () => NotificationKind, type: 'string', array: true, columnType: 'text[]' })
  mutedKinds: NotificationKind[] = [];

  @Field(() => String, { nullable: true, description: 'E-mail address notifications go to (电子邮箱).' })
  @Property({ type: 'text', nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Mobile number SMS go to (手机号码).' })
  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @Field(() => Boolean, { description: 'Send e-mail (邮件通知).' })
  @Property({ type: 'boolean' })
  emailEnabled: boolean = true;

  @Field(() => Boolean, { description: 'Send SMS (短信通知).' })
  @Property({ type: 'boolean' })
  smsEnabled: boolean = false;

  @Field(() => Int, { nullable: true, description: 'Quiet hours start, minutes after midnight China time (免打扰开始); nothing goes out by e-mail or SMS from then until quietTo.' })
  @Property({ type: 'smallint', nullable: true })
  quietFrom?: number | null;

  @Field(() => Int, { nullable: true, description: 'Quiet hours end, minutes after midnight China time (免打扰结束).' })
  @Property({ type: 'smallint', nullable: true })
  quietTo?: number | null;
}
declareScope('NotificationPreference', (s) => ({ tenantId: s.tenantId, userId: s.userId }));
