import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { OrderDirection } from '../../core/connection.js';
import { DateTime } from '../../core/scalars.js';
import { ArrayMaxSize, IsIn, IsOptional, Length, Max, Min } from 'class-validator';
import { ProposalKind, ProposalStatus, ReplyClass, type Proposal } from './proposal.entity.js';

export enum ReviewDecision {
  FILED = 'FILED',
  NOT_FILED = 'NOT_FILED',
  CONVERTED = 'CONVERTED',
}
registerEnumType(ReviewDecision, {
  name: 'ReviewDecision',
  description: 'Outcome of the filing review (立案审查结果).',
  valuesConfig: {
    FILED: { description: 'Filed as a proposal (立案).' },
    NOT_FILED: { description: 'Not filed; a note gives the reason (不予立案).' },
    CONVERTED: { description: 'Converted to an opinion letter (转为意见建议).' },
  },
});

@InputType('EditProposalInput', { description: 'Change a proposal before its filing review (修改提案); each edit is kept in `edits`. Fields left out stay as they are.' })
export class EditProposalInput implements Partial<Proposal> {
  @Field(() => ID, { description: 'The proposal (提案).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Title (案由), 4–200 characters.' })
  @IsOptional()
  @Length(4, 200)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Body (提案内容), up to 20000 characters.' })
  @IsOptional()
  @Length(10, 20000)
  content?: string;
}

@InputType('SubmitProposalInput', { description: 'A new proposal (提交提案).' })
export class SubmitProposalInput implements Partial<Proposal> {
  @Field(() => String, { description: 'Title (案由), 4–200 characters.' })
  @Length(4, 200)
  title!: string;

  @Field(() => String, { description: 'Body (提案内容), up to 20000 characters.' })
  @Length(10, 20000)
  content!: string;

  @Field(() => ProposalKind, { description: 'Who submits it (提案者类别). MEMBER and JOINT by a member; SECTOR and PARTY_GROUP by staff.' })
  @IsIn(Object.values(ProposalKind))
  kind!: ProposalKind;

  @Field(() => [ID], { nullable: true, description: 'Co-proposers of a JOINT proposal (联名委员): active MemberSeat ids on this committee, each once, other than the proposer; at least one.' })
  @IsOptional()
  @ArrayMaxSize(50)
  coProposers?: string[];

  @Field(() => String, { nullable: true, description: 'Sector or group name for SECTOR and PARTY_GROUP (界别或党派团体).' })
  @IsOptional()
  @Length(1, 64)
  onBehalfOf?: string;
}

@InputType('ReviewProposalInput', { description: 'The filing decision (立案审查).' })
export class ReviewProposalInput {
  @Field(() => ReviewDecision, { description: 'The decision (审查结果).' })
  @IsIn(Object.values(ReviewDecision))
  decision!: ReviewDecision;

  @Field(() => String, { nullable: true, description: 'Review note; required when not filed (审查意见).' })
  @IsOptional()
  @Length(1, 500)
  note?: string;

  @Field(() => Int, { nullable: true, description: 'Term it is filed under (届次), 1–99; required when FILED, only then.' })
  @IsOptional()
  @Min(1)
  @Max(99)
  term?: number;

  @Field(() => Int, { nullable: true, description: 'Session of the term (会次), 1–99; required when FILED, only then.' })
  @IsOptional()
  @Min(1)
  @Max(99)
  session?: number;
}

@InputType('AssignProposalInput', { description: 'Assignment to handling units (交办).' })
export class AssignProposalInput {
  @Field(() => ID, { description: 'Lead handling unit (主办单位): a HandlingUnit of this committee.' })
  leadUnit!: string;

  @Field(() => [ID], { nullable: true, description: 'Co-handling units (协办单位): HandlingUnits of this committee, each once, other than the lead.' })
  @IsOptional()
  @ArrayMaxSize(10)
  coUnits?: string[];

  @Field(() => DateTime, { description: 'Reply deadline (答复期限), in the future.' })
  replyDeadline!: Date;
}

@InputType('ReplyProposalInput', { description: 'The reply of the lead unit (答复), by the unit or entered by the office for it (代录).' })
export class ReplyProposalInput {
  @Field(() => ReplyClass, { description: 'Class of the reply (答复类别).' })
  @IsIn(Object.values(ReplyClass))
  replyClass!: ReplyClass;

  @Field(() => String, { description: 'Text of the reply (答复内容).' })
  @Length(1, 20000)
  text!: string;
}

@InputType('ProposalFilter', { description: 'Filters for the proposal list (提案筛选).' })
export class ProposalFilter {
  @Field(() => ProposalStatus, { nullable: true, description: 'Only this status (办理状态).' })
  @IsOptional()
  @IsIn(Object.values(ProposalStatus))
  status?: ProposalStatus;

  @Field(() => Boolean, { nullable: true, description: 'Only key proposals under supervision (重点督办).' })
  @IsOptional()
  keySupervision?: boolean;

  @Field(() => Int, { nullable: true, description: 'Only those submitted in this year, China time (年度).' })
  @IsOptional()
  @Min(2000)
  @Max(2100)
  year?: number;

  @Field(() => Int, { nullable: true, description: 'Only those filed under this term (届次).' })
  @IsOptional()
  @Min(1)
  @Max(99)
  term?: number;

  @Field(() => Int, { nullable: true, description: 'Only those filed under this session (会次).' })
  @IsOptional()
  @Min(1)
  @Max(99)
  session?: number;

  @Field(() => ID, { nullable: true, description: 'Only those assigned to this handling unit, as lead or co-handler (承办单位).' })
  @IsOptional()
  unit?: string;

  @Field(() => String, { nullable: true, description: 'Only those whose title or body contains this text, case-insensitively (关键词), 1–100 characters.' })
  @IsOptional()
  @Length(1, 100)
  keyword?: string;
}

export enum ProposalOrderField {
  SUBMITTED_AT = 'SUBMITTED_AT',
}
registerEnumType(ProposalOrderField, {
  name: 'ProposalOrderField',
  description: 'What proposals can be sorted by (提案排序字段).',
  valuesConfig: { SUBMITTED_AT: { description: 'Submission time (提交时间).' } },
});

@InputType('ProposalOrder', { description: 'Sort order of the proposal list (提案排序); without it, creation order.' })
export class ProposalOrder {
  @Field(() => ProposalOrderField, { description: 'Sort key (排序字段).' })
  @IsIn(Object.values(ProposalOrderField))
  field!: ProposalOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction (排序方向), ASC by default.' })
  @IsIn(Object.values(OrderDirection))
  direction!: OrderDirection;
}
