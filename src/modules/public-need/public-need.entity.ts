import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

export enum PublicNeedStatus {
  NEW = 'NEW',
  RECOMMENDED = 'RECOMMENDED',
  DISMISSED = 'DISMISSED',
}
registerEnumType(PublicNeedStatus, {
  name: 'PublicNeedStatus',
  description: 'Where a need raised by the public stands (社会需求状态).',
  valuesConfig: {
    NEW: { description: 'Not screened yet (待甄别).' },
    RECOMMENDED: { description: 'Screened into a topic recommendation (已转为荐题).' },
    DISMISSED: { description: 'Not taken up, with a reason (不予采纳).' },
  },
});

/** A need the public raised for one committee (社会提需求), without an account. */
@ObjectType('PublicNeed', { implements: NodeEntity, description: 'A need the public raised for the committee (社会提需求), screened by staff into a topic recommendation.' })
@Entity({ tableName: 'public_need' })
@Index({ properties: ['tenantId', 'id'] })
export class PublicNeed extends TenantOwned {
  @Field(() => String, { description: 'What was asked for (需求内容).' })
  @Property({ type: 'text' })
  content!: string;

  @Field(() => String, { nullable: true, description: 'How to reach the person, as they gave it (联系方式).' })
  @Property({ type: 'text', nullable: true })
  contact?: string | null;

  @Field(() => PublicNeedStatus, { description: 'State (状态).' })
  @Enum({ items: () => PublicNeedStatus, type: 'string' })
  status: PublicNeedStatus = PublicNeedStatus.NEW;

  @Field(() => DateTime, { description: 'When it arrived (收到时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  receivedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When staff screened it (甄别时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  screenedAt?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  screenedBy?: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was not taken up (不予采纳理由).' })
  @Property({ type: 'text', nullable: true })
  dismissReason?: string | null;

  @Property({ type: 'uuid', nullable: true })
  recommendationId?: string | null;
}
declareScope('PublicNeed', (s) => ({ tenantId: s.tenantId }));
