import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { ArrayMaxSize, IsIn, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { MessageKind, SessionStatus, type DeliberationEvent, type DeliberationSession } from './deliberation.entity.js';

export const MAX_MESSAGE = 2000;
const NOT_BLANK = /\S/;

@InputType('ScheduleDeliberationInput', { description: 'A new deliberation session of the acting committee (安排网络议政).' })
export class ScheduleDeliberationInput implements Partial<Omit<DeliberationSession, 'topicId'>> {
  @Field(() => ID, { nullable: true, description: 'Consultation topic (协商议题) the session discusses, when it is on the platform.' })
  @IsOptional()
  topicId?: string;

  @Field(() => String, { description: 'Title of the consultation topic (协商议题名称).' })
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'topicTitle must not be blank' })
  topicTitle!: string;

  @Field(() => String, { description: 'Title of the session (议政会名称).' })
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Agenda (议程).' })
  @IsOptional()
  @Length(0, 5000)
  agenda?: string;

  @Field(() => DateTime, { description: 'Planned start (开始时间).' })
  startsAt!: Date;

  @Field(() => DateTime, { description: 'Planned end (结束时间); after the start.' })
  endsAt!: Date;

  @Field(() => [ID], { description: 'Other participating committees (参与政协), as Tenant ids; the host always takes part.' })
  @ArrayMaxSize(200)
  participantIds!: string[];
}

@InputType('PostDeliberationMessageInput', { description: 'A speech or comment in a live session (发言).' })
export class PostDeliberationMessageInput implements Partial<Pick<DeliberationEvent, 'messageKind' | 'text' | 'replyToSeq'>> {
  @Field(() => ID, { description: 'The session (议政会), a DeliberationSession id.' })
  sessionId!: string;

  @Field(() => MessageKind, { description: 'Speech or comment (发言类型).' })
  @IsIn(Object.values(MessageKind))
  messageKind!: MessageKind;

  @Field(() => String, { description: `Text (内容), 1–${MAX_MESSAGE} characters, not blank.` })
  @Length(1, MAX_MESSAGE)
  @Matches(NOT_BLANK, { message: 'text must not be blank' })
  text!: string;

  @Field(() => Int, { nullable: true, description: 'Sequence number of the message this replies to (回复).' })
  @IsOptional()
  @Min(1)
  replyToSeq?: number;
}

@InputType('HideDeliberationMessageInput', { description: 'Hide a message, with a reason (屏蔽发言). It stays stored.' })
export class HideDeliberationMessageInput {
  @Field(() => ID, { description: 'The session (议政会), a DeliberationSession id.' })
  sessionId!: string;

  @Field(() => Int, { description: 'Sequence number of the message (序号).' })
  @Min(1)
  @Max(2_000_000_000)
  seq!: number;

  @Field(() => String, { description: 'Reason shown to everyone (屏蔽理由).' })
  @Length(1, 500)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason!: string;
}

@InputType('ShowDeliberationMessageInput', { description: 'Show a hidden message again (恢复显示).' })
export class ShowDeliberationMessageInput {
  @Field(() => ID, { description: 'The session (议政会), a DeliberationSession id.' })
  sessionId!: string;

  @Field(() => Int, { description: 'Sequence number of the message (序号).' })
  @Min(1)
  @Max(2_000_000_000)
  seq!: number;
}

@InputType('DeliberationFilter', { description: 'Filters for deliberation sessions (议政会筛选).' })
export class DeliberationFilter {
  @Field(() => SessionStatus, { nullable: true, description: 'Only sessions in this status (状态).' })
  @IsOptional()
  @IsIn(Object.values(SessionStatus))
  status?: SessionStatus;
}
