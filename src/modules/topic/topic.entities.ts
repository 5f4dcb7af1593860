import { BeforeCreate, BeforeUpdate, Entity, Enum, type EventArgs, Property } from '@mikro-orm/core';
import { indexOnWrite, searchVectorType, type SearchVector } from '../../text/search-vector.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope, jointItemRule } from '../../core/tenancy.js';
import { SuggestionStatus, TopicStage } from './topic.state.js';

export enum TopicSource {
  PARTY_GOVERNMENT = 'PARTY_GOVERNMENT',
  MEMBER = 'MEMBER',
  CPPCC = 'CPPCC',
  PUBLIC = 'PUBLIC',
}
registerEnumType(TopicSource, {
  name: 'TopicSource',
  description: 'Where a consultation topic came from (议题来源).',
  valuesConfig: {
    PARTY_GOVERNMENT: { description: 'Assigned by the party committee or government (党政点题).' },
    MEMBER: { description: 'Recommended by members (委员荐题).' },
    CPPCC: { description: 'Selected by the CPPCC (政协选题).' },
    PUBLIC: { description: 'Raised by the public (社会提需求).' },
  },
});

export enum ConsultationForm {
  THEMATIC = 'THEMATIC',
  COUNTERPART = 'COUNTERPART',
  SECTOR = 'SECTOR',
  PROPOSAL_HANDLING = 'PROPOSAL_HANDLING',
  NETWORK = 'NETWORK',
  REMOTE = 'REMOTE',
}
registerEnumType(ConsultationForm, {
  name: 'ConsultationForm',
  description: 'Form of consultation (协商形式).',
  valuesConfig: {
    THEMATIC: { description: 'Plenary or standing-committee thematic consultation (专题协商).' },
    COUNTERPART: { description: 'Counterpart consultation with a government department (对口协商).' },
    SECTOR: { description: 'Sector consultation (界别协商).' },
    PROPOSAL_HANDLING: { description: 'Proposal-handling consultation (提案办理协商).' },
    NETWORK: { description: 'Network deliberation (网络议政).' },
    REMOTE: { description: 'Remote consultation (远程协商).' },
  },
});

registerEnumType(TopicStage, {
  name: 'TopicStage',
  description: 'Stage of the closed loop (闭环环节).',
  valuesConfig: {
    SELECT: { description: 'Topic selected (选题).' },
    RESEARCH: { description: 'Research (调研).' },
    CONSULT: { description: 'Consultation (协商).' },
    ASSIGN: { description: 'Suggestions assigned to departments (交办).' },
    IMPLEMENT: { description: 'Departments implementing (落实).' },
    FEEDBACK: { description: 'Written feedback (反馈).' },
    TRACK: { description: 'Follow-up tracking (跟踪).' },
    CLOSED: { description: 'Loop closed (办结).' },
  },
});

registerEnumType(SuggestionStatus, {
  name: 'SuggestionStatus',
  description: 'Where a consultation suggestion stands (建议办理状态).',
  valuesConfig: {
    DRAFT: { description: 'Recorded, not yet assigned (待交办).' },
    ASSIGNED: { description: 'Assigned, feedback not yet due (已交办).' },
    OVERDUE: { description: 'Past its deadline without feedback (逾期未反馈).' },
    ADOPTED: { description: 'Adopted (采纳).' },
    PARTLY_ADOPTED: { description: 'Partly adopted (部分采纳).' },
    NOT_ADOPTED: { description: 'Not adopted, with reasons (未采纳).' },
  },
});

export enum PlanStatus {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
}
registerEnumType(PlanStatus, {
  name: 'PlanStatus',
  description: 'State of an annual consultation plan (协商计划状态).',
  valuesConfig: { DRAFT: { description: 'Being prepared (编制中).' }, PUBLISHED: { description: 'Published; descendants may read and take up its topics (已发布).' } },
});

/** A committee's annual consultation plan (年度协商计划). */
@ObjectType('ConsultationPlan', { implements: NodeEntity, description: "A committee's annual consultation plan (年度协商计划)." })
@Entity({ tableName: 'consultation_plan' })
export class ConsultationPlan extends TenantOwned {
  @Field(() => Int, { description: 'Year (年度).' })
  @Property({ type: 'smallint' })
  year!: number;

  @Field(() => String, { description: 'Title (计划名称).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => PlanStatus, { description: 'Draft or published (状态).' })
  @Enum({ items: () => PlanStatus, type: 'string' })
  status: PlanStatus = PlanStatus.DRAFT;

  @Field(() => DateTime, { nullable: true, description: 'When it was published (发布时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  publishedAt?: Date | null;
}
declareScope('ConsultationPlan', (s) => ({ $or: [{ tenantId: s.tenantId }, { status: PlanStatus.PUBLISHED, tenantId: { $in: s.ancestorIds ?? [] } }] }));

/** A consultation topic (协商议题) in its committee's plan, possibly joint with other committees. */
@ObjectType('ConsultationTopic', { implements: NodeEntity, description: 'A consultation topic (协商议题) and its closed loop.' })
@Entity({ tableName: 'consultation_topic' })
export class ConsultationTopic extends TenantOwned {
  @Property({ type: 'uuid' })
  planId!: string;

  /** Mirrors the plan's status so descendants' visibility needs no join. */
  @Property({ type: 'boolean' })
  planPublished: boolean = false;

  @Field(() => Int, { description: 'Year of the plan (年度).' })
  @Property({ type: 'smallint' })
  year!: number;

  @Field(() => String, { description: 'Title (议题名称).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Description (议题说明).' })
  @Property({ type: 'text' })
  description!: string;

  /** Keyword-search index (全文检索): the jieba words of the text, written with it (search module); never read back. */
  @Property({ type: searchVectorType(), nullable: true, lazy: true, hidden: true })
  searchVector?: SearchVector | null;

  @BeforeCreate()
  @BeforeUpdate()
  protected indexForSearch(args: EventArgs<ConsultationTopic>): void {
    indexOnWrite<ConsultationTopic>(this, args, ['title', 'description'], this.title, this.description);
  }

  @Field(() => TopicSource, { description: 'Source (来源).' })
  @Enum({ items: () => TopicSource, type: 'string' })
  source!: TopicSource;

  @Field(() => ConsultationForm, { description: 'Form (协商形式).' })
  @Enum({ items: () => ConsultationForm, type: 'string' })
  form!: ConsultationForm;

  @Field(() => TopicStage, { description: 'Stage of the closed loop (环节).' })
  @Enum({ items: () => TopicStage, type: 'string' })
  stage: TopicStage = TopicStage.SELECT;

  /** The descendant's topic this one was adopted from (a recommendation upward). */
  @Property({ type: 'uuid', nullable: true })
  originTopicId?: string | null;
}
declareScope('ConsultationTopic', jointItemRule('id', 'ANY', (s) => [{ planPublished: true, tenantId: { $in: s.ancestorIds ?? [] } }]));

/** A numbered suggestion from a consultation (协商建议), assigned to a handling department. */
@ObjectType('ConsultationSuggestion', { implements: NodeEntity, description: 'A numbered suggestion from a consultation (协商建议), assigned to a handling department (承办单位).' })
@Entity({ tableName: 'consultation_suggestion' })
export class ConsultationSuggestion extends TenantOwned {
  @Property({ type: 'uuid' })
  topicId!: string;

  @Field(() => Int, { description: 'Number within the topic, from 1 (建议序号).' })
  @Property({ type: 'integer' })
  number!: number;

  @Field(() => String, { description: 'Text of the suggestion (建议内容).' })
  @Property({ type: 'text' })
  content!: string;

  /** Keyword-search index (全文检索): the jieba words of the text, written with it (search module); never read back. */
  @Property({ type: searchVectorType(), nullable: true, lazy: true, hidden: true })
  searchVector?: SearchVector | null;

  @BeforeCreate()
  @BeforeUpdate()
  protected indexForSearch(args: EventArgs<ConsultationSuggestion>): void {
    indexOnWrite<ConsultationSuggestion>(this, args, ['content'], '', this.content);
  }

  @Field(() => String, { nullable: true, description: 'Member who put it forward (提出委员).' })
  @Property({ type: 'string', length: 64, nullable: true })
  proposedByName?: string | null;

  /** Stored status; the API shows OVERDUE when an assigned suggestion passes its deadline. */
  @Enum({ items: () => SuggestionStatus, type: 'string' })
  status: SuggestionStatus = SuggestionStatus.DRAFT;

  /** The handling unit it is assigned to; every account of the unit sees and answers it. */
  @Property({ type: 'uuid', nullable: true })
  unitId?: string | null;

  /** Office staff who entered the feedback for the unit (代录); null when the unit filed it itself. */
  @Property({ type: 'uuid', nullable: true })
  feedbackEnteredBy?: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the handling unit (承办单位), as it was when assigned; readable wherever the suggestion is.' })
  @Property({ type: 'string', length: 128, nullable: true })
  departmentUnit?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was assigned (交办时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  assignedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'Written feedback due by (反馈期限).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deadline?: Date | null;

  @Field(() => String, { nullable: true, description: 'Written feedback from the department (书面反馈).' })
  @Property({ type: 'text', nullable: true })
  feedback?: string | null;

  @Field(() => String, { nullable: true, description: 'Reasons given with the outcome (理由说明).' })
  @Property({ type: 'text', nullable: true })
  outcomeReason?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When feedback was filed (反馈时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  feedbackAt?: Date | null;
}
declareScope('ConsultationSuggestion', jointItemRule('topicId', 'MEMBER'));

export enum RecommendationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
}
registerEnumType(RecommendationStatus, {
  name: 'RecommendationStatus',
  description: "State of a member's topic recommendation (荐题状态).",
  valuesConfig: {
    PENDING: { description: 'Waiting for the office (待处理).' },
    ACCEPTED: { description: 'Taken into the plan (已采纳).' },
    DECLINED: { description: 'Declined with a reason (未采纳).' },
  },
});

/** A member's recommendation of a topic to their own committee (委员荐题). */
@ObjectType('TopicRecommendation', { implements: NodeEntity, description: "A member's recommendation of a topic to their committee (委员荐题)." })
@Entity({ tableName: 'topic_recommendation' })
export class TopicRecommendation extends TenantOwned {
  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => String, { description: 'Member who recommended it (荐题委员).' })
  @Property({ type: 'string', length: 64 })
  memberName!: string;

  @Field(() => Int, { description: 'Plan year it is meant for (年度).' })
  @Property({ type: 'smallint' })
  year!: number;

  @Field(() => String, { description: 'Proposed title (建议议题).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Why it matters (荐题理由).' })
  @Property({ type: 'text' })
  reason!: string;

  @Field(() => ConsultationForm, { description: 'Proposed form (建议协商形式).' })
  @Enum({ items: () => ConsultationForm, type: 'string' })
  form!: ConsultationForm;

  @Field(() => RecommendationStatus, { description: 'State (状态).' })
  @Enum({ items: () => RecommendationStatus, type: 'string' })
  status: RecommendationStatus = RecommendationStatus.PENDING;

  @Field(() => String, { nullable: true, description: 'Reason for declining (未采纳理由).' })
  @Property({ type: 'text', nullable: true })
  declineReason?: string | null;

  @Property({ type: 'uuid', nullable: true })
  topicId?: string | null;

  @Field(() => TopicSource, { description: 'MEMBER (委员荐题), or PUBLIC when staff screened it from a need the public raised (社会提需求).' })
  @Enum({ items: () => TopicSource, type: 'string' })
  source: TopicSource = TopicSource.MEMBER;
}
declareScope('TopicRecommendation', (s) => ({ tenantId: s.tenantId }));
