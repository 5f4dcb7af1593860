import { BeforeCreate, BeforeUpdate, Entity, Enum, type EventArgs, Index, Property, raw } from '@mikro-orm/core';
import { indexOnWrite, searchVectorType, type SearchVector } from '../../text/search-vector.js';
import { DateTime } from '../../core/scalars.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope, type ScopeArgs } from '../../core/tenancy.js';

export enum OpinionSource {
  MEMBER = 'MEMBER',
  OFFICE = 'OFFICE',
}
registerEnumType(OpinionSource, {
  name: 'OpinionSource',
  description: 'Who submitted a report (报送来源).',
  valuesConfig: { MEMBER: { description: 'A member (委员报送).' }, OFFICE: { description: 'The committee office (机关采编).' } },
});

export enum OpinionStatus {
  SUBMITTED = 'SUBMITTED',
  EDITED = 'EDITED',
}
registerEnumType(OpinionStatus, {
  name: 'OpinionStatus',
  description: 'Editing state of a report (编辑状态).',
  valuesConfig: { SUBMITTED: { description: 'As submitted (已报送).' }, EDITED: { description: 'Edited by the office (已采编).' } },
});

/** A public-opinion report (社情民意信息), owned by the committee where it was submitted. */
@ObjectType('Opinion', { implements: NodeEntity, description: 'A public-opinion report (社情民意信息), forwarded upward level by level.' })
@Entity({ tableName: 'opinion' })
@Index({ properties: ['tenantId', 'id'] })
export class Opinion extends TenantOwned {
  @Field(() => String, { description: 'Title (标题).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'Body (正文).' })
  @Property({ type: 'text' })
  content!: string;

  /** Keyword-search index (全文检索): the jieba words of the text, written with it (search module); never read back. */
  @Property({ type: searchVectorType(), nullable: true, lazy: true, hidden: true })
  searchVector?: SearchVector | null;

  @BeforeCreate()
  @BeforeUpdate()
  protected indexForSearch(args: EventArgs<Opinion>): void {
    indexOnWrite<Opinion>(this, args, ['title', 'content'], this.title, this.content);
  }

  @Property({ type: 'uuid' })
  authorId!: string;

  @Field(() => OpinionSource, { description: 'Member or office (报送来源).' })
  @Enum({ items: () => OpinionSource, type: 'string' })
  source!: OpinionSource;

  @Field(() => OpinionStatus, { description: 'Editing state (编辑状态).' })
  @Enum({ items: () => OpinionStatus, type: 'string' })
  status: OpinionStatus = OpinionStatus.SUBMITTED;

  @Field(() => DateTime, { description: 'When it was submitted (报送时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  submittedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the office last edited it (采编时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  editedAt?: Date | null;
}

/**
 * Mirrors the RLS policy: the owner, and every committee holding a level of the report. `opinion_reached`
 * reads the same transaction-local committee the request set for RLS.
 */
export const opinionScope = (s: ScopeArgs) => ({ $or: [{ tenantId: s.tenantId }, { [raw((alias: string) => `opinion_reached(${alias}.id)`)]: true }] });
declareScope('Opinion', opinionScope);

/** One level a report reached (its own committee first), with what that level did with it. */
@ObjectType('OpinionLevel', { implements: NodeEntity, description: 'A level a report reached (报送层级): received, forwarded, adopted, instructed.' })
@Entity({ tableName: 'opinion_route' })
@Index({ properties: ['tenantId', 'id'] })
export class OpinionLevel extends TenantOwned {
  @Property({ type: 'uuid' })
  opinionId!: string;

  @Property({ type: 'uuid' })
  originTenantId!: string;

  @Property({ type: 'uuid', nullable: true })
  fromTenantId?: string | null;

  @Field(() => Int, { description: 'Depth of the level: 0 province, 1 city, 2 county (层级深度).' })
  @Property({ type: 'smallint' })
  depth!: number;

  @Field(() => DateTime, { description: 'When this level received it (接收时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  receivedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When this level forwarded it upward (上报时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  forwardedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When this level adopted it (采用时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  adoptedAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When a leader of this level wrote an instruction (批示时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  instructedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'The leader instruction (领导批示).' })
  @Property({ type: 'string', length: 1000, nullable: true })
  instruction?: string | null;

  @Field(() => String, { nullable: true, description: 'Who wrote the instruction (批示领导).' })
  @Property({ type: 'string', length: 64, nullable: true })
  instructedBy?: string | null;
}
declareScope('OpinionLevel', (s) => ({ $or: [{ tenantId: s.tenantId }, { fromTenantId: s.tenantId }, { originTenantId: s.tenantId }] }));
