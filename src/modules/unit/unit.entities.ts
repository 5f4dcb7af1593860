import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

/** A handling unit (承办单位) in its committee's directory; its DEPARTMENT accounts act for it. */
@ObjectType('HandlingUnit', { implements: NodeEntity, description: "A handling unit (承办单位) in a committee's directory: a government department whose accounts (经办人, 负责人) answer the items assigned to it." })
@Entity({ tableName: 'handling_unit' })
export class HandlingUnit extends TenantOwned {
  @Field(() => String, { description: 'Name of the unit (单位名称), unique in the committee.' })
  @Property({ type: 'string', length: 128 })
  name!: string;
}
declareScope('HandlingUnit', (s) => ({ tenantId: s.tenantId }));

export enum ExtensionStatus {
  PENDING = 'PENDING',
  GRANTED = 'GRANTED',
  REFUSED = 'REFUSED',
}
registerEnumType(ExtensionStatus, {
  name: 'ExtensionStatus',
  description: 'State of a deadline extension request (延期申请状态).',
  valuesConfig: {
    PENDING: { description: 'Waiting for the office (待审核).' },
    GRANTED: { description: 'Granted: the deadline moved (已同意).' },
    REFUSED: { description: 'Refused: the deadline stands (不同意).' },
  },
});

/** A unit's request to move the deadline of an item assigned to it (延期申请), and the office's decision. */
@ObjectType('DeadlineExtension', { implements: NodeEntity, description: "A handling unit's request for a later deadline (延期申请) and the office's decision." })
@Entity({ tableName: 'deadline_extension' })
export class DeadlineExtension extends TenantOwned {
  @Property({ type: 'string', length: 32 })
  itemType!: string;

  @Property({ type: 'uuid' })
  itemId!: string;

  @Property({ type: 'uuid' })
  unitId!: string;

  @Field(() => DateTime, { description: 'The deadline when the request was made (原期限).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  previousDeadline!: Date;

  @Field(() => DateTime, { description: 'The deadline asked for (申请延至).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  requestedUntil!: Date;

  @Field(() => String, { description: 'Why the unit needs more time (延期理由).' })
  @Property({ type: 'text' })
  reason!: string;

  @Field(() => ExtensionStatus, { description: 'Pending, granted or refused (状态).' })
  @Enum({ items: () => ExtensionStatus, type: 'string' })
  status: ExtensionStatus = ExtensionStatus.PENDING;

  @Property({ type: 'uuid' })
  requestedBy!: string;

  @Field(() => DateTime, { description: 'When it was asked (申请时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  requestedAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  decidedBy?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the office decided (审核时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  decidedAt?: Date | null;

  @Field(() => String, { nullable: true, description: "The office's note with its decision (审核意见)." })
  @Property({ type: 'text', nullable: true })
  decisionNote?: string | null;
}
declareScope('DeadlineExtension', (s) => ({ tenantId: s.tenantId }));
