import { BeforeCreate, BeforeUpdate, Entity, Enum, type EventArgs, Index, Property } from '@mikro-orm/core';
import { indexOnWrite, searchVectorType, type SearchVector } from '../../text/search-vector.js';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

export enum MicroStatus {
  SUBMITTED = 'SUBMITTED',
  HANDLED = 'HANDLED',
  FORWARDED = 'FORWARDED',
  REPLIED = 'REPLIED',
  CONVERTED = 'CONVERTED',
}
registerEnumType(MicroStatus, {
  name: 'MicroSuggestionStatus',
  description: 'Where a micro-suggestion stands (微建议状态).',
  valuesConfig: {
    SUBMITTED: { description: 'Waiting for the office to screen it (待甄别).' },
    HANDLED: { description: 'Handled by the office on the spot (即时办理).' },
    FORWARDED: { description: 'Forwarded to a handling unit, waiting for its reply (转交办理).' },
    REPLIED: { description: 'The handling unit replied (已答复).' },
    CONVERTED: { description: 'Turned into a proposal or report draft (转为提案或信息稿).' },
  },
});

export enum MicroScreening {
  HANDLE = 'HANDLE',
  FORWARD = 'FORWARD',
  CONVERT = 'CONVERT',
}
registerEnumType(MicroScreening, {
  name: 'MicroSuggestionScreening',
  description: "The office's decision on a micro-suggestion (甄别处理方式).",
  valuesConfig: {
    HANDLE: { description: 'Handle on the spot (即时办理).' },
    FORWARD: { description: 'Forward to a handling unit for a reply (转交承办单位).' },
    CONVERT: { description: 'Turn into a proposal or report draft (转为提案或社情民意信息稿).' },
  },
});

export enum DraftKind {
  PROPOSAL = 'PROPOSAL',
  OPINION = 'OPINION',
}
registerEnumType(DraftKind, {
  name: 'MicroSuggestionDraftKind',
  description: 'What a micro-suggestion is turned into (转化类型).',
  valuesConfig: { PROPOSAL: { description: 'A proposal draft (提案草稿).' }, OPINION: { description: 'A public-opinion report draft (社情民意信息稿).' } },
});

/** A member's micro-suggestion (微建议): short, screened by the office within days. */
@ObjectType('MicroSuggestion', { implements: NodeEntity, description: "A member's micro-suggestion (微建议), at most 500 characters, screened by the office." })
@Entity({ tableName: 'micro_suggestion' })
@Index({ properties: ['tenantId', 'id'] })
export class MicroSuggestion extends TenantOwned {
  @Property({ type: 'uuid' })
  authorId!: string;

  @Field(() => String, { description: 'The suggestion (建议内容), 5–500 characters.' })
  @Property({ type: 'text' })
  content!: string;

  /** Keyword-search index (全文检索): the jieba words of the text, written with it (search module); never read back. */
  @Property({ type: searchVectorType(), nullable: true, lazy: true, hidden: true })
  searchVector?: SearchVector | null;

  @BeforeCreate()
  @BeforeUpdate()
  protected indexForSearch(args: EventArgs<MicroSuggestion>): void {
    indexOnWrite<MicroSuggestion>(this, args, ['content'], '', this.content);
  }

  @Field(() => MicroStatus, { description: 'State (状态).' })
  @Enum({ items: () => MicroStatus, type: 'string' })
  status: MicroStatus = MicroStatus.SUBMITTED;

  @Field(() => DateTime, { description: 'When it was submitted (提交时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  submittedAt!: Date;

  @Field(() => DateTime, { description: 'When the office should have screened it (甄别时限).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  screenDueAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the office screened it (甄别时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  screenedAt?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  screenedBy?: string | null;

  @Field(() => String, { nullable: true, description: "The office's note: what was done, or why it was forwarded (甄别意见)." })
  @Property({ type: 'text', nullable: true })
  screenNote?: string | null;

  /** The handling unit it was forwarded to. */
  @Property({ type: 'uuid', nullable: true })
  unitId?: string | null;

  @Field(() => String, { nullable: true, description: "The handling unit's reply (承办单位答复)." })
  @Property({ type: 'text', nullable: true })
  reply?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the unit replied (答复时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  repliedAt?: Date | null;

  @Field(() => DraftKind, { nullable: true, description: 'What it was turned into (转化类型).' })
  @Enum({ items: () => DraftKind, type: 'string', nullable: true })
  draftKind?: DraftKind | null;

  @Field(() => String, { nullable: true, description: 'Title the office gave the draft (草稿标题); the body is the suggestion.' })
  @Property({ type: 'text', nullable: true })
  draftTitle?: string | null;
}
// Inside the committee the service narrows by role (a member their own, a unit what it was sent).
declareScope('MicroSuggestion', (s) => ({ tenantId: s.tenantId }));
