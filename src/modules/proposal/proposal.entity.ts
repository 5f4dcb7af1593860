import { ArrayType, BeforeCreate, BeforeUpdate, Entity, Enum, type EventArgs, Index, Property } from '@mikro-orm/core';
import { indexOnWrite, searchVectorType, type SearchVector } from '../../text/search-vector.js';
import { DateTime } from '../../core/scalars.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

export enum ProposalKind {
  MEMBER = 'MEMBER',
  JOINT = 'JOINT',
  SECTOR = 'SECTOR',
  PARTY_GROUP = 'PARTY_GROUP',
}
registerEnumType(ProposalKind, {
  name: 'ProposalKind',
  description: 'Who submits a proposal (提案者类别).',
  valuesConfig: {
    MEMBER: { description: 'One member (委员个人提案).' },
    JOINT: { description: 'Several members jointly (委员联名提案).' },
    SECTOR: { description: 'A sector of the committee (界别提案).' },
    PARTY_GROUP: { description: 'A party or people’s organisation group (党派团体提案).' },
  },
});

export enum ProposalStatus {
  SUBMITTED = 'SUBMITTED',
  FILED = 'FILED',
  NOT_FILED = 'NOT_FILED',
  CONVERTED = 'CONVERTED',
  ASSIGNED = 'ASSIGNED',
  OVERDUE = 'OVERDUE',
  REPLIED = 'REPLIED',
  RATED = 'RATED',
}
registerEnumType(ProposalStatus, {
  name: 'ProposalStatus',
  description: 'Where a proposal is in its handling (提案办理状态).',
  valuesConfig: {
    SUBMITTED: { description: 'Submitted, awaiting review (待审查).' },
    FILED: { description: 'Accepted for filing (立案).' },
    NOT_FILED: { description: 'Not filed, with a reason (不予立案).' },
    CONVERTED: { description: 'Converted to an opinion letter (转为意见建议).' },
    ASSIGNED: { description: 'Assigned to handling units, reply not yet due (已交办).' },
    OVERDUE: { description: 'Assigned and past its reply deadline without a reply (逾期未答复); never stored, derived from the deadline and the clock.' },
    REPLIED: { description: 'Replied by the lead department (已答复).' },
    RATED: { description: 'Satisfaction rated by the proposer (已测评).' },
  },
});

export enum ReplyClass {
  A = 'A',
  B = 'B',
  C = 'C',
}
registerEnumType(ReplyClass, {
  name: 'ReplyClass',
  description: 'Class of a reply (答复类别).',
  valuesConfig: {
    A: { description: 'Solved or adopted (A类：已解决或采纳).' },
    B: { description: 'Being solved or planned (B类：正在解决或列入计划).' },
    C: { description: 'Explained, not feasible for now (C类：留作参考或说明情况).' },
  },
});

export enum Satisfaction {
  SATISFIED = 'SATISFIED',
  BASICALLY_SATISFIED = 'BASICALLY_SATISFIED',
  DISSATISFIED = 'DISSATISFIED',
}
registerEnumType(Satisfaction, {
  name: 'Satisfaction',
  description: "The proposer's rating of the reply (满意度).",
  valuesConfig: {
    SATISFIED: { description: 'Satisfied (满意).' },
    BASICALLY_SATISFIED: { description: 'Basically satisfied (基本满意).' },
    DISSATISFIED: { description: 'Dissatisfied (不满意).' },
  },
});

export const caseNumber = (term: number, session: number, seq: number) => `第${term}届第${session}次会议第${String(seq).padStart(4, '0')}号`;

/** A proposal (提案) submitted to the committee that owns it, and its handling. */
@ObjectType('Proposal', { implements: NodeEntity, description: 'A proposal (提案) and its handling: filing, assignment, reply, satisfaction.' })
@Entity({ tableName: 'proposal' })
@Index({ properties: ['tenantId', 'id'] })
export class Proposal extends TenantOwned {
  @Field(() => String, { description: 'Title (案由).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Body of the proposal (提案内容).' })
  @Property({ type: 'text' })
  content!: string;

  /** Keyword-search index (全文检索): the jieba words of the text, written with it (search module); never read back. */
  @Property({ type: searchVectorType(), nullable: true, lazy: true, hidden: true })
  searchVector?: SearchVector | null;

  @BeforeCreate()
  @BeforeUpdate()
  protected indexForSearch(args: EventArgs<Proposal>): void {
    indexOnWrite<Proposal>(this, args, ['title', 'content'], this.title, this.content);
  }

  @Field(() => ProposalKind, { description: 'Who submits it (提案者类别).' })
  @Enum({ items: () => ProposalKind, type: 'string' })
  kind!: ProposalKind;

  /** The submitting user (the first proposer, or the staff member entering a sector or group proposal). */
  @Property({ type: 'uuid' })
  proposerId!: string;

  @Property({ type: ArrayType, columnType: 'uuid[]' })
  coProposerIds: string[] = [];

  @Field(() => String, { nullable: true, description: 'Sector or party group the proposal speaks for (界别或党派团体名称).' })
  @Property({ type: 'string', length: 64, nullable: true })
  onBehalfOf?: string | null;

  /** Stored status; the API shows OVERDUE when an assigned proposal passes its deadline (ProposalResolver.status). */
  @Enum({ items: () => ProposalStatus, type: 'string' })
  status: ProposalStatus = ProposalStatus.SUBMITTED;

  @Field(() => String, { nullable: true, description: 'Review note, the reason when not filed (审查意见).' })
  @Property({ type: 'string', length: 500, nullable: true })
  reviewNote?: string | null;

  @Property({ type: 'uuid', nullable: true })
  leadUnitId?: string | null;

  @Property({ type: ArrayType, columnType: 'uuid[]' })
  coUnitIds: string[] = [];

  /** Staff who entered the reply for the lead unit (代录); null when the unit replied itself. */
  @Property({ type: 'uuid', nullable: true })
  replyEnteredBy?: string | null;

  @Field(() => Int, { nullable: true, description: 'Term of the committee it is filed under (届次); set at filing.' })
  @Property({ type: 'smallint', nullable: true })
  term?: number | null;

  @Field(() => Int, { nullable: true, description: 'Session of the term it is filed under (会次); set at filing.' })
  @Property({ type: 'smallint', nullable: true })
  session?: number | null;

  @Field(() => Int, { nullable: true, description: 'Sequence of the case number (案号序号): 1, 2, 3 … in filing order within the committee, term and session, without gaps.' })
  @Property({ type: 'integer', nullable: true })
  caseSeq?: number | null;

  @Field(() => String, { nullable: true, description: 'Case number (案号), e.g. 第13届第3次会议第0012号; set at filing, unique in the committee.' })
  caseNumber(): string | null {
    return this.caseSeq && this.term && this.session ? caseNumber(this.term, this.session, this.caseSeq) : null;
  }

  @Field(() => DateTime, { nullable: true, description: 'Reply deadline (答复期限).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  replyDeadline?: Date | null;

  @Field(() => ReplyClass, { nullable: true, description: 'Class of the reply (答复类别).' })
  @Enum({ items: () => ReplyClass, type: 'string', nullable: true })
  replyClass?: ReplyClass | null;

  @Field(() => String, { nullable: true, description: 'Text of the reply (答复内容).' })
  @Property({ type: 'text', nullable: true })
  replyText?: string | null;

  @Field(() => Satisfaction, { nullable: true, description: "Proposer's satisfaction (满意度)." })
  @Enum({ items: () => Satisfaction, type: 'string', nullable: true })
  satisfaction?: Satisfaction | null;

  @Field(() => Boolean, { description: 'Flagged as a key proposal for supervision (重点督办).' })
  @Property({ type: 'boolean' })
  keySupervision: boolean = false;

  @Field(() => DateTime, { description: 'When it was submitted (提交时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  submittedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When it was reviewed (审查时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  reviewedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was assigned (交办时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  assignedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was replied (答复时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  repliedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When satisfaction was rated (测评时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  ratedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was flagged for supervision (督办时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  supervisedAt?: Date | null;
}
declareScope('Proposal', (s) => ({ tenantId: s.tenantId }));
