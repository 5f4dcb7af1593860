import { Field, ID, InputType } from 'type-graphql';
import { ArrayMaxSize, IsIn, IsOptional, Length } from 'class-validator';
import { DateTime } from '../../core/scalars.js';
import { MeetingKind, type Meeting } from './meeting.entities.js';

@InputType('ScheduleMeetingInput', { description: 'A meeting or activity to hold (安排会议活动).' })
export class ScheduleMeetingInput implements Partial<Meeting> {
  @Field(() => MeetingKind, { description: 'Kind (类型).' })
  @IsIn(Object.values(MeetingKind))
  kind!: MeetingKind;

  @Field(() => String, { description: 'Title (会议名称), 4–200 characters.' })
  @Length(4, 200)
  title!: string;

  @Field(() => String, { description: "The host's venue (主会场地点)." })
  @Length(2, 200)
  location!: string;

  @Field(() => DateTime, { description: 'Start (开始时间).' })
  startsAt!: Date;

  @Field(() => DateTime, { description: 'End (结束时间), after the start.' })
  endsAt!: Date;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'A remote joint meeting (远程协商) with venues at other committees.' })
  @IsOptional()
  remote?: boolean;

  @Field(() => [String], { nullable: true, description: 'Codes of the other committees with a venue (分会场政协), remote meetings only.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @Length(6, 6, { each: true })
  participantCodes?: string[];
}

@InputType('InviteToMeetingInput', { description: "Members to invite to the committee's venue (邀请参会): by seat, by sector (界别), or both." })
export class InviteToMeetingInput {
  @Field(() => ID, { description: 'The venue (会场) of the acting committee.' })
  venue!: string;

  @Field(() => [ID], { nullable: true, description: 'Member seats (委员席位) to invite.' })
  @IsOptional()
  @ArrayMaxSize(1000)
  seats?: string[];

  @Field(() => [String], { nullable: true, description: 'Sectors (界别) whose serving members are all invited, e.g. 经济界.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @Length(1, 64, { each: true })
  sectors?: string[];
}

@InputType('RescheduleMeetingInput', { description: 'When (and optionally where) a meeting now takes place (会议改期).' })
export class RescheduleMeetingInput {
  @Field(() => DateTime, { description: 'New start (新的开始时间), not in the past.' })
  startsAt!: Date;

  @Field(() => DateTime, { description: 'New end (新的结束时间), after the start.' })
  endsAt!: Date;

  @Field(() => String, { nullable: true, description: "New place of the host's venue (新的主会场地点); unchanged when omitted." })
  @IsOptional()
  @Length(2, 200)
  location?: string | null;
}
