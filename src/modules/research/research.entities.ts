import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope, jointItemRule } from '../../core/tenancy.js';
import { LocalDate } from '../../core/scalars.js';
import { ResearchStatus } from './research.state.js';

registerEnumType(ResearchStatus, {
  name: 'ResearchStatus',
  description: 'Lifecycle of a joint research project (调研课题状态).',
  valuesConfig: {
    DRAFT: { description: 'Being drafted by the lead (起草).' },
    INVITING: { description: 'Inviting participants (邀请参与).' },
    IN_PROGRESS: { description: 'Research under way (调研中).' },
    REPORTING: { description: 'Compiling and reviewing the combined report (形成报告).' },
    SUBMITTED: { description: 'Report submitted to the party committee or government (已报送).' },
    CLOSED: { description: 'Finished, outcomes recorded (已办结).' },
    CANCELLED: { description: 'Cancelled (已取消).' },
  },
});

/** A joint research project (联合调研课题), owned by the lead committee. */
@ObjectType('ResearchProject', { implements: NodeEntity, description: 'A joint research project (联合调研课题) led by one committee with invited participants.' })
@Entity({ tableName: 'research_project' })
export class ResearchProject extends TenantOwned {
  @Field(() => String, { description: 'Title (课题名称).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Background (调研背景).' })
  @Property({ type: 'text' })
  background!: string;

  @Field(() => String, { description: 'Goals (调研目标).' })
  @Property({ type: 'text' })
  goals!: string;

  @Field(() => LocalDate, { description: 'Planned start (开始日期).' })
  @Property({ type: 'string', columnType: 'date' })
  startDate!: string;

  @Field(() => LocalDate, { description: 'Planned end (结束日期).' })
  @Property({ type: 'string', columnType: 'date' })
  endDate!: string;

  @Field(() => ResearchStatus, { description: 'Lifecycle state (状态).' })
  @Enum({ items: () => ResearchStatus, type: 'string' })
  status: ResearchStatus = ResearchStatus.DRAFT;

  @Field(() => String, { nullable: true, description: 'Combined report compiled by the lead (综合调研报告); visible to every accepted participant.' })
  @Property({ type: 'text', nullable: true })
  combinedReport?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the report was submitted, e.g. 省委、省政府 (报送对象).' })
  @Property({ type: 'string', length: 128, nullable: true })
  submittedTo?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  submittedAt?: Date | null;
}
declareScope('ResearchProject', jointItemRule('id', 'MEMBER'));

/** A person on a committee's research team (调研组成员). Visible to that committee and the lead. */
@ObjectType('ResearchTeamMember', { implements: NodeEntity, description: "A person on a committee's research team (调研组成员)." })
@Entity({ tableName: 'research_team_member' })
export class ResearchTeamMember extends TenantOwned {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'uuid' })
  ownerTenantId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => String, { description: 'Name (姓名).' })
  @Property({ type: 'string', length: 64 })
  displayName!: string;

  @Field(() => String, { description: 'Role of the person in their committee: MEMBER, STAFF or LEADER (身份).' })
  @Property({ type: 'string', length: 16 })
  userRole!: string;

  @Field(() => String, { description: 'Role on the team, e.g. 组长 or 成员 (组内职务).' })
  @Property({ type: 'string', length: 32 })
  teamRole!: string;
}
declareScope('ResearchTeamMember', (s) => ({ $or: [{ tenantId: s.tenantId }, { ownerTenantId: s.tenantId }] }));

@ObjectType('ResearchFigure', { description: 'One figure reported in a contribution (调研数据).' })
export class ResearchFigure {
  @Field(() => String, { description: 'What was measured (指标).' })
  label!: string;

  @Field(() => Number, { description: 'Value (数值).' })
  value!: number;

  @Field(() => String, { nullable: true, description: 'Unit (单位).' })
  unit?: string | null;
}

export enum ContributionStatus {
  DRAFT = 'DRAFT',
  SUBMITTED = 'SUBMITTED',
}
registerEnumType(ContributionStatus, {
  name: 'ContributionStatus',
  description: 'Whether a contribution is still being written or was submitted (子课题报告状态).',
  valuesConfig: {
    DRAFT: { description: "Being written by the committee's team; only that committee reads it (草稿)." },
    SUBMITTED: { description: "Submitted by the committee's office; the lead reads it (已提交)." },
  },
});

/** A participant's contribution (子课题报告): sub-report, findings, figures. Visible to it and the lead. */
@ObjectType('ResearchContribution', { implements: NodeEntity, description: "A committee's contribution to a joint research project (子课题报告)." })
@Entity({ tableName: 'research_contribution' })
export class ResearchContribution extends TenantOwned {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'uuid' })
  ownerTenantId!: string;

  @Field(() => String, { description: 'Title (标题).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Sub-report text (报告正文).' })
  @Property({ type: 'text' })
  body!: string;

  @Field(() => String, { nullable: true, description: 'Findings and suggestions (主要发现与建议).' })
  @Property({ type: 'text', nullable: true })
  findings?: string | null;

  @Field(() => [ResearchFigure], { description: 'Figures reported (调研数据).' })
  @Property({ type: 'json' })
  figures: ResearchFigure[] = [];

  @Field(() => ContributionStatus, { description: 'Draft or submitted (状态).' })
  @Enum({ items: () => ContributionStatus, type: 'string' })
  status: ContributionStatus = ContributionStatus.SUBMITTED;

  @Field(() => String, { nullable: true, description: 'Who last wrote the text (撰写人).' })
  @Property({ type: 'string', length: 64, nullable: true })
  writtenByName?: string | null;

  @Field(() => String, { nullable: true, description: 'Who submitted it (提交人); null while a draft.' })
  @Property({ type: 'string', length: 64, nullable: true })
  submittedByName?: string | null;
}
// A draft is the committee's own: the lead reads a participant's contribution once it is submitted.
declareScope('ResearchContribution', (s) => ({ $or: [{ tenantId: s.tenantId }, { ownerTenantId: s.tenantId, status: ContributionStatus.SUBMITTED }] }));

/** One review of the combined report (审定): 秘书长会议, 主席会议 …; each is kept. Visible like the project. */
@ObjectType('ResearchReview', { implements: NodeEntity, description: 'One review of the combined report (报告审定), e.g. by the 秘书长会议 or the 主席会议.' })
@Entity({ tableName: 'research_review' })
export class ResearchReview extends TenantOwned {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Field(() => String, { description: 'Body that reviewed the report (审定机构), e.g. 主席会议.' })
  @Property({ type: 'string', length: 64 })
  reviewBody!: string;

  @Field(() => LocalDate, { description: 'Date of the review (审定日期).' })
  @Property({ type: 'string', columnType: 'date' })
  reviewedOn!: string;

  @Field(() => String, { nullable: true, description: 'What the review concluded (审定意见).' })
  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Field(() => String, { nullable: true, description: 'Who recorded it (录入人); null for a review recorded before reviews were a list.' })
  @Property({ type: 'string', length: 64, nullable: true })
  recordedByName?: string | null;
}
declareScope('ResearchReview', jointItemRule('projectId', 'MEMBER'));

export enum OutcomeKind {
  INSTRUCTION = 'INSTRUCTION',
  ADOPTED_SUGGESTION = 'ADOPTED_SUGGESTION',
}
registerEnumType(OutcomeKind, {
  name: 'OutcomeKind',
  description: 'Kind of research outcome (成果类型).',
  valuesConfig: {
    INSTRUCTION: { description: 'A leader wrote instructions on the report (领导批示).' },
    ADOPTED_SUGGESTION: { description: 'A suggestion of the report was adopted (建议被采纳).' },
  },
});

/** An outcome of a submitted report (成果): leader instructions (批示) or a suggestion adopted. */
@ObjectType('ResearchOutcome', { implements: NodeEntity, description: 'An outcome of a research report (调研成果): leader instructions (批示) or an adopted suggestion.' })
@Entity({ tableName: 'research_outcome' })
export class ResearchOutcome extends TenantOwned {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Field(() => OutcomeKind, { description: 'Kind (类型).' })
  @Enum({ items: () => OutcomeKind, type: 'string' })
  kind!: OutcomeKind;

  @Field(() => String, { nullable: true, description: 'Who wrote the instructions, e.g. 省委主要领导 (批示人).' })
  @Property({ type: 'string', length: 128, nullable: true })
  author?: string | null;

  @Field(() => String, { description: 'Text of the instructions or the adopted suggestion (内容).' })
  @Property({ type: 'text' })
  text!: string;

  @Field(() => LocalDate, { description: 'When it happened (日期).' })
  @Property({ type: 'string', columnType: 'date' })
  occurredOn!: string;
}
declareScope('ResearchOutcome', jointItemRule('projectId', 'MEMBER'));
