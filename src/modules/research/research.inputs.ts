import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, IsIn, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { LocalDate } from '../../core/scalars.js';
import { TenantLevel } from '../../core/identity/tenant.entity.js';
import { OutcomeKind, type ResearchContribution, type ResearchProject } from './research.entities.js';
import { ResearchStatus } from './research.state.js';

@InputType('CreateResearchProjectInput', { description: 'A new joint research project led by the acting committee (新建联合调研课题).' })
export class CreateResearchProjectInput implements Partial<ResearchProject> {
  @Field(() => String, { description: 'Title, 1–200 characters (课题名称).' })
  @Length(1, 200)
  title!: string;

  @Field(() => String, { description: 'Background, up to 5,000 characters (调研背景).' })
  @Length(1, 5000)
  background!: string;

  @Field(() => String, { description: 'Goals, up to 5,000 characters (调研目标).' })
  @Length(1, 5000)
  goals!: string;

  @Field(() => LocalDate, { description: 'Planned start (开始日期).' })
  startDate!: string;

  @Field(() => LocalDate, { description: 'Planned end, not before the start (结束日期).' })
  endDate!: string;
}

@InputType('TeamMemberInput', { description: 'A person on the research team (调研组成员).' })
export class TeamMemberInput {
  @Field(() => ID, { description: 'User id of a member or staff of the acting committee (用户).' })
  userId!: string;

  @Field(() => String, { description: 'Role on the team, e.g. 组长 (组内职务).' })
  @Length(1, 32)
  teamRole!: string;
}

@InputType('ResearchFigureInput', { description: 'One figure in a contribution (调研数据).' })
export class ResearchFigureInput {
  @Field(() => String, { description: 'What was measured (指标).' })
  @Length(1, 100)
  label!: string;

  @Field(() => Float, { description: 'Value (数值).' })
  value!: number;

  @Field(() => String, { nullable: true, description: 'Unit (单位).' })
  @IsOptional()
  @Length(1, 20)
  unit?: string;
}

@InputType('ContributionInput', { description: "A committee's contribution to joint research (子课题报告)." })
export class ContributionInput {
  @Field(() => String, { description: 'Title, 1–200 characters (标题).' })
  @Length(1, 200)
  title!: string;

  @Field(() => String, { description: 'Sub-report text, up to 50,000 characters (报告正文).' })
  @Length(1, 50000)
  body!: string;

  @Field(() => String, { nullable: true, description: 'Findings and suggestions, up to 10,000 characters (主要发现与建议).' })
  @IsOptional()
  @MaxLength(10000)
  findings?: string;

  @Field(() => [ResearchFigureInput], { nullable: true, description: 'Figures, at most 100 (调研数据).' })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  figures?: ResearchFigureInput[];
}

@InputType('MoveResearchProjectInput', { description: 'Move a project along its lifecycle (课题状态流转).' })
export class MoveResearchProjectInput {
  @Field(() => ID, { description: 'The project (课题).' })
  id!: string;

  @Field(() => ResearchStatus, { description: 'Target state (目标状态).' })
  @IsIn(Object.values(ResearchStatus))
  to!: ResearchStatus;

  @Field(() => String, { nullable: true, description: 'Comment for the history, up to 2,000 characters (备注).' })
  @IsOptional()
  @MaxLength(2000)
  comment?: string;

  @Field(() => String, { nullable: true, description: 'Where the report goes, required for SUBMITTED, e.g. 省委、省政府 (报送对象).' })
  @IsOptional()
  @Length(1, 128)
  submittedTo?: string;
}

@InputType('ReviewInput', { description: 'A review of the combined report (报告审定); each review is kept.' })
export class ReviewInput {
  @Field(() => String, { description: 'Reviewing body, e.g. 秘书长会议 or 主席会议 (审定机构).' })
  @Length(1, 64)
  reviewBody!: string;

  @Field(() => LocalDate, { description: 'Date of the review (审定日期), not in the future.' })
  reviewedOn!: string;

  @Field(() => String, { nullable: true, description: 'What the review concluded, up to 5,000 characters (审定意见).' })
  @IsOptional()
  @Length(1, 5000)
  note?: string;
}

@InputType('OutcomeInput', { description: 'An outcome of a submitted report (调研成果).' })
export class OutcomeInput {
  @Field(() => OutcomeKind, { description: 'Kind (类型).' })
  @IsIn(Object.values(OutcomeKind))
  kind!: OutcomeKind;

  @Field(() => String, { nullable: true, description: 'Who wrote the instructions (批示人).' })
  @IsOptional()
  @Length(1, 128)
  author?: string;

  @Field(() => String, { description: 'Text, up to 5,000 characters (内容).' })
  @Length(1, 5000)
  text!: string;

  @Field(() => LocalDate, { description: 'Date (日期), not in the future.' })
  occurredOn!: string;
}

@InputType('ResearchFilter', { description: 'Filters for research projects (课题筛选).' })
export class ResearchFilter {
  @Field(() => [ResearchStatus], { nullable: true, description: 'Only these states (状态).' })
  @IsOptional()
  status?: ResearchStatus[];

  @Field(() => Int, { nullable: true, description: 'Only projects starting in this year (年度).' })
  @IsOptional()
  @Min(2000)
  @Max(2100)
  year?: number;

  @Field(() => TenantLevel, { nullable: true, description: 'Only projects led by committees of this level (牵头单位层级).' })
  @IsOptional()
  level?: TenantLevel;

  @Field(() => Boolean, { nullable: true, description: 'true: only projects the acting committee leads; false: only those it takes part in (牵头/参与).' })
  @IsOptional()
  leading?: boolean;
}

@InputType('EditResearchProjectInput', { description: 'Change the title and description of a project not closed or cancelled (修改课题); each edit is kept in its history. Fields left out stay as they are.' })
export class EditResearchProjectInput implements Partial<ResearchProject> {
  @Field(() => ID, { description: 'The project (课题).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Title, 1–200 characters (课题名称).' })
  @IsOptional()
  @Length(1, 200)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Background, up to 5,000 characters (调研背景).' })
  @IsOptional()
  @Length(1, 5000)
  background?: string;

  @Field(() => String, { nullable: true, description: 'Goals, up to 5,000 characters (调研目标).' })
  @IsOptional()
  @Length(1, 5000)
  goals?: string;
}

@InputType('EditContributionInput', {
  description: 'Change a contribution of the acting committee (修改子课题报告): a draft while contributions are open, a submitted one before the project is REPORTING. Fields left out stay as they are.',
})
export class EditContributionInput implements Partial<ResearchContribution> {
  @Field(() => ID, { description: 'The contribution (子课题报告).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Title, 1–200 characters (标题).' })
  @IsOptional()
  @Length(1, 200)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Sub-report text, up to 50,000 characters (报告正文).' })
  @IsOptional()
  @Length(1, 50000)
  body?: string;

  @Field(() => String, { nullable: true, description: 'Findings and suggestions, up to 10,000 characters (主要发现与建议).' })
  @IsOptional()
  @MaxLength(10000)
  findings?: string;
}
