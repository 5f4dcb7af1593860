import { ArrayType, Entity, Enum, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope, type ScopeArgs } from '../../core/tenancy.js';

export enum SessionStatus {
  SCHEDULED = 'SCHEDULED',
  LIVE = 'LIVE',
  PAUSED = 'PAUSED',
  ENDED = 'ENDED',
}
registerEnumType(SessionStatus, {
  name: 'DeliberationStatus',
  description: 'Where a deliberation session stands (议政会状态).',
  valuesConfig: {
    SCHEDULED: { description: 'Scheduled, not yet open (已安排).' },
    LIVE: { description: 'Open: participants speak now (进行中).' },
    PAUSED: { description: 'Paused by the host (暂停).' },
    ENDED: { description: 'Ended; the transcript is final (已结束).' },
  },
});

export enum EventKind {
  MESSAGE_POSTED = 'MESSAGE_POSTED',
  MESSAGE_HIDDEN = 'MESSAGE_HIDDEN',
  MESSAGE_SHOWN = 'MESSAGE_SHOWN',
  HAND_RAISED = 'HAND_RAISED',
  FLOOR_GRANTED = 'FLOOR_GRANTED',
  JOINED = 'JOINED',
  LEFT = 'LEFT',
  STATUS_CHANGED = 'STATUS_CHANGED',
  ONLINE = 'ONLINE',
  OFFLINE = 'OFFLINE',
}
registerEnumType(EventKind, {
  name: 'DeliberationEventKind',
  description: 'What happened in a session (议政事件类型).',
  valuesConfig: {
    MESSAGE_POSTED: { description: 'A speech or comment was posted (发言).' },
    MESSAGE_HIDDEN: { description: 'A moderator hid a message; `refSeq` names it (屏蔽发言).' },
    MESSAGE_SHOWN: { description: 'A moderator showed a hidden message again; `refSeq` names it (恢复显示).' },
    HAND_RAISED: { description: 'A participant asked for the floor (举手).' },
    FLOOR_GRANTED: { description: 'The host gave the floor to the earliest raised hand; `refSeq` names it (准予发言).' },
    JOINED: { description: 'A participant joined the session (加入).' },
    LEFT: { description: 'A participant left the session (退出).' },
    STATUS_CHANGED: { description: 'The session opened, paused, resumed or ended; `status` is the new one (状态变更).' },
    ONLINE: { description: "A user's first live connection to the session opened (上线)." },
    OFFLINE: { description: "A user's last live connection to the session closed (下线)." },
  },
});

export enum MessageKind {
  SPEECH = 'SPEECH',
  COMMENT = 'COMMENT',
}
registerEnumType(MessageKind, {
  name: 'DeliberationMessageKind',
  description: 'Kind of message (发言类型).',
  valuesConfig: {
    SPEECH: { description: 'A speech: counts in the member performance archive (发言).' },
    COMMENT: { description: 'A short comment (评论).' },
  },
});

/** Host or any participating committee: the joint-item rule, mirrored by the RLS policies of migration 0004. */
const hostOrParticipant = (s: ScopeArgs) => ({ $or: [{ tenantId: s.tenantId }, { participantIds: { $contains: [s.tenantId] } }] });

/**
 * A live network deliberation session (网络议政会). Owned by the host committee; the participating committees
 * (the host among them) are fixed when it is scheduled.
 */
@ObjectType('DeliberationSession', { implements: NodeEntity, description: 'A live network deliberation session (网络议政 / 远程协商) hosted by one committee.' })
@Entity({ tableName: 'deliberation_session' })
export class DeliberationSession extends TenantOwned {
  @Property({ type: ArrayType, columnType: 'uuid[]' })
  participantIds!: string[];

  /** The consultation topic (协商议题), when topics are linked; no foreign key yet. */
  @Property({ type: 'uuid', nullable: true })
  topicId?: string | null;

  @Field(() => String, { description: 'Title of the consultation topic discussed (协商议题).' })
  @Property({ type: 'string', length: 200 })
  topicTitle!: string;

  @Field(() => String, { description: 'Title of the session (议政会名称).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Agenda (议程).' })
  @Property({ type: 'text' })
  agenda: string = '';

  @Field(() => DateTime, { description: 'Planned start (开始时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startsAt!: Date;

  @Field(() => DateTime, { description: 'Planned end (结束时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  endsAt!: Date;

  @Field(() => SessionStatus, { description: 'Status (状态).' })
  @Enum({ items: () => SessionStatus, type: 'string' })
  status: SessionStatus = SessionStatus.SCHEDULED;

  /** Advanced only by the locking bump in SQL (see deliberation.service.ts `nextSeq`). */
  @Field(() => Int, { description: 'Sequence number of the latest event (最新事件序号); 0 before any event.' })
  @Property({ type: 'integer' })
  lastSeq: number = 0;

  @Property({ type: 'uuid' })
  createdBy!: string;

  /** Sequence number of the latest MESSAGE_HIDDEN or MESSAGE_SHOWN (0: none); see postMessage. */
  @Property({ type: 'integer' })
  moderationSeq: number = 0;
}
declareScope('DeliberationSession', hostOrParticipant, { durable: true });

/**
 * One stored event of a session, numbered per session without gaps in commit order. The actor's name and
 * committee are copied in: the transcript keeps who spoke, and readers in other committees need no access
 * to the speaker's account.
 */
@ObjectType('DeliberationEvent', { implements: NodeEntity, description: 'One event of a deliberation session (议政事件), in sequence.' })
@Entity({ tableName: 'deliberation_event' })
export class DeliberationEvent extends TenantOwned {
  @Property({ type: ArrayType, columnType: 'uuid[]' })
  participantIds!: string[];

  @Property({ type: 'uuid' })
  sessionId!: string;

  @Field(() => Int, { description: 'Sequence number in the session (序号): 1, 2, 3 … with no gaps, in commit order.' })
  // Messages are inserted without a number and numbered while their transaction commits (migration 0005),
  // so the column allows null; no committed row lacks one.
  @Property({ type: 'integer', nullable: true })
  seq!: number;

  @Field(() => EventKind, { description: 'What happened (事件类型).' })
  @Enum({ items: () => EventKind, type: 'string' })
  kind!: EventKind;

  @Field(() => MessageKind, { nullable: true, description: 'Speech or comment, for MESSAGE_POSTED (发言类型).' })
  @Enum({ items: () => MessageKind, type: 'string', nullable: true })
  messageKind?: MessageKind | null;

  @Property({ type: 'uuid' })
  actorId!: string;

  @Field(() => String, { description: 'Name of who caused the event (操作人).' })
  @Property({ type: 'string', length: 64 })
  actorName!: string;

  @Property({ type: 'uuid' })
  actorTenantId!: string;

  /** Stored even when hidden; the API shows null for a hidden message. */
  @Property({ type: 'text', nullable: true })
  text?: string | null;

  @Field(() => Int, { nullable: true, description: 'Sequence number of the message this one replies to (回复).' })
  @Property({ type: 'integer', nullable: true })
  replyToSeq?: number | null;

  @Field(() => Int, { nullable: true, description: 'Sequence number of the event this one acts on: the hidden message, the granted hand (关联序号).' })
  @Property({ type: 'integer', nullable: true })
  refSeq?: number | null;

  @Property({ type: 'uuid', nullable: true })
  targetUserId?: string | null;

  @Field(() => String, { nullable: true, description: 'Name of who was given the floor (获准发言人).' })
  @Property({ type: 'string', length: 64, nullable: true })
  targetName?: string | null;

  @Field(() => SessionStatus, { nullable: true, description: 'The new status, for STATUS_CHANGED (新状态).' })
  @Enum({ items: () => SessionStatus, type: 'string', nullable: true })
  status?: SessionStatus | null;

  @Field(() => String, { nullable: true, description: 'Reason a moderator gave, for MESSAGE_HIDDEN (屏蔽理由).' })
  @Property({ type: 'string', length: 500, nullable: true })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'Why this message was hidden, when it was (屏蔽理由).' })
  @Property({ type: 'string', length: 500, nullable: true })
  hiddenReason?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  hiddenAt?: Date | null;

  @Field(() => DateTime, { description: 'When it happened (时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Field(() => String, { name: 'text', nullable: true, description: 'Text of a message (内容); null when a moderator hid it.' })
  get shownText(): string | null {
    return this.hiddenAt ? null : (this.text ?? null);
  }

  @Field(() => Boolean, { description: 'Whether a moderator hid this message (已屏蔽).' })
  get hidden(): boolean {
    return !!this.hiddenAt;
  }
}
declareScope('DeliberationEvent', hostOrParticipant, { durable: true });

/** One live connection of a user to a session, on one server instance (在线状态). */
@Entity({ tableName: 'deliberation_presence' })
export class DeliberationPresence extends TenantOwned {
  @Property({ type: ArrayType, columnType: 'uuid[]' })
  participantIds!: string[];

  @Property({ type: 'uuid' })
  sessionId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'string', length: 64 })
  userName!: string;

  @Property({ type: 'uuid' })
  userTenantId!: string;

  @Property({ type: 'uuid' })
  instanceId!: string;

  @Property({ type: 'uuid', unique: true })
  connectionId!: string;
}
declareScope('DeliberationPresence', hostOrParticipant);
