import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { IsIn, IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import {} from 'type-graphql';
import { TenantLevel } from '../../core/identity/tenant.entity.js';
import { ConsultationForm, TopicSource, type ConsultationTopic, type TopicRecommendation } from './topic.entities.js';
import { SuggestionStatus, TopicStage } from './topic.state.js';

@InputType('CreateTopicInput', { description: "A topic for the acting committee's annual plan (新增协商议题)." })
export class CreateTopicInput implements Partial<ConsultationTopic> {
  @Field(() => String, { description: 'Title, 1–200 characters (议题名称).' })
  @Length(1, 200)
  title!: string;

  @Field(() => String, { description: 'Description, up to 5,000 characters (议题说明).' })
  @Length(1, 5000)
  description!: string;

  @Field(() => TopicSource, { description: 'Source (来源); MEMBER topics come from accepted recommendations.' })
  @IsIn([TopicSource.PARTY_GOVERNMENT, TopicSource.CPPCC, TopicSource.PUBLIC], { message: 'source must be PARTY_GOVERNMENT, CPPCC or PUBLIC; member topics come from recommendations' })
  source!: TopicSource;

  @Field(() => ConsultationForm, { description: 'Form (协商形式).' })
  @IsIn(Object.values(ConsultationForm))
  form!: ConsultationForm;

  @Field(() => Int, { description: 'Plan year (年度).' })
  @Min(2000)
  @Max(2100)
  year!: number;
}

@InputType('EditTopicInput', { description: 'Change the title and description of a topic not closed (修改议题); each edit is kept in its history. Fields left out stay as they are.' })
export class EditTopicInput implements Partial<ConsultationTopic> {
  @Field(() => ID, { description: 'The topic (议题).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Title, 1–200 characters (议题名称).' })
  @IsOptional()
  @Length(1, 200)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Description, up to 5,000 characters (议题说明).' })
  @IsOptional()
  @Length(1, 5000)
  description?: string;
}

@InputType('RecommendTopicInput', { description: "A member's topic recommendation (委员荐题)." })
export class RecommendTopicInput implements Partial<TopicRecommendation> {
  @Field(() => String, { description: 'Proposed title, 1–200 characters (建议议题).' })
  @Length(1, 200)
  title!: string;

  @Field(() => String, { description: 'Why it matters, up to 5,000 characters (荐题理由).' })
  @Length(1, 5000)
  reason!: string;

  @Field(() => ConsultationForm, { description: 'Proposed form (建议协商形式).' })
  @IsIn(Object.values(ConsultationForm))
  form!: ConsultationForm;

  @Field(() => Int, { description: 'Plan year (年度).' })
  @Min(2000)
  @Max(2100)
  year!: number;
}

@InputType('MoveTopicInput', { description: 'Move a topic to the next stage of the closed loop (议题环节流转).' })
export class MoveTopicInput {
  @Field(() => ID, { description: 'The topic (议题).' })
  id!: string;

  @Field(() => TopicStage, { description: 'The next stage (下一环节).' })
  @IsIn(Object.values(TopicStage))
  to!: TopicStage;

  @Field(() => String, {
    nullable: true,
    description: 'Comment for the history, up to 2,000 characters (备注). Required to close (CLOSED) while a suggestion is overdue: why the loop closes anyway.',
  })
  @IsOptional()
  @MaxLength(2000)
  comment?: string;
}

@InputType('AddSuggestionInput', { description: 'A suggestion from the consultation (协商建议).' })
export class AddSuggestionInput {
  @Field(() => ID, { description: 'The topic (议题).' })
  topicId!: string;

  @Field(() => String, { description: 'Text, 1–5,000 characters (建议内容).' })
  @Length(1, 5000)
  content!: string;

  @Field(() => ID, { nullable: true, description: 'Member who put it forward (提出委员): an active MemberSeat id on the topic’s committee.' })
  @IsOptional()
  proposedBy?: string;
}

@InputType('AssignSuggestionInput', { description: 'Assign a suggestion to a handling unit (交办).' })
export class AssignSuggestionInput {
  @Field(() => ID, { description: 'The suggestion (建议).' })
  id!: string;

  @Field(() => ID, { description: 'A HandlingUnit of the committee (承办单位); every account of the unit answers it.' })
  unit!: string;

  @Field(() => DateTime, { nullable: true, description: 'Feedback due by; default three months from now (反馈期限).' })
  @IsOptional()
  deadline?: Date;
}

@InputType('SuggestionFeedbackInput', { description: "A handling unit's written feedback (书面反馈), by the unit or entered by the office for it (代录)." })
export class SuggestionFeedbackInput {
  @Field(() => ID, { description: 'The suggestion (建议).' })
  id!: string;

  @Field(() => SuggestionStatus, { description: 'Outcome: ADOPTED, PARTLY_ADOPTED or NOT_ADOPTED (办理结果).' })
  @IsIn([SuggestionStatus.ADOPTED, SuggestionStatus.PARTLY_ADOPTED, SuggestionStatus.NOT_ADOPTED], { message: 'outcome must be ADOPTED, PARTLY_ADOPTED or NOT_ADOPTED' })
  outcome!: SuggestionStatus;

  @Field(() => String, { description: 'Written feedback, 1–10,000 characters (反馈内容).' })
  @Length(1, 10000)
  feedback!: string;

  @Field(() => String, { nullable: true, description: 'Reasons; required unless ADOPTED (理由说明).' })
  @IsOptional()
  @Length(1, 5000)
  reason?: string;
}

@InputType('TopicFilter', { description: 'Filters for consultation topics (议题筛选).' })
export class TopicFilter {
  @Field(() => Int, { nullable: true, description: 'Plan year (年度).' })
  @IsOptional()
  @Min(2000)
  @Max(2100)
  year?: number;

  @Field(() => [TopicStage], { nullable: true, description: 'Only these stages (环节).' })
  @IsOptional()
  stage?: TopicStage[];

  @Field(() => TopicSource, { nullable: true, description: 'Source (来源).' })
  @IsOptional()
  source?: TopicSource;

  @Field(() => ConsultationForm, { nullable: true, description: 'Form (协商形式).' })
  @IsOptional()
  form?: ConsultationForm;

  @Field(() => TenantLevel, { nullable: true, description: 'Level of the owning committee (议题所属层级).' })
  @IsOptional()
  level?: TenantLevel;

  @Field(() => Boolean, { nullable: true, description: "true: only the acting committee's own topics; false: only others' topics it can see (本级/其他)." })
  @IsOptional()
  own?: boolean;
}
