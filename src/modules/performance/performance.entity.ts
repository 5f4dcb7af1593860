import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { DateTime } from '../../core/scalars.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';
import { DutyCategory } from './scoring.js';

registerEnumType(DutyCategory, {
  name: 'DutyCategory',
  description: 'Category of a duty record (履职类别).',
  valuesConfig: {
    PROPOSAL: { description: 'Proposal filed (提案).' },
    OPINION: { description: 'Public-opinion report adopted (社情民意信息).' },
    RESEARCH: { description: 'Research and inspection (调研视察).' },
    SUPERVISION: { description: 'Democratic supervision (民主监督).' },
    CONSULTATION: { description: 'Consultation speech or suggestion (协商发言).' },
    DELIBERATION: { description: 'Speech in network deliberation (网络议政).' },
    MEETING: { description: 'Meeting attendance (会议出席).' },
    READING: { description: 'Reading share (读书分享).' },
    SECTOR_VISIT: { description: 'Sector activity or visit (界别活动).' },
    PUBLIC_WELFARE: { description: 'Public-welfare activity (公益活动).' },
    GRASSROOTS_CONTACT: { description: 'Contact with a village or community (联系村社).' },
    WORK_SUGGESTION: { description: 'Work suggestion (工作建议).' },
  },
});

export enum DutyRecordStatus {
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
  REJECTED = 'REJECTED',
}
registerEnumType(DutyRecordStatus, {
  name: 'DutyRecordStatus',
  description: 'Verification state of a duty record (审核状态).',
  valuesConfig: {
    PENDING: { description: 'Entered by the member, awaiting staff (待审核).' },
    VERIFIED: { description: 'Counts towards the score (已审核).' },
    REJECTED: { description: 'Does not count (未通过).' },
  },
});

export enum DutyRecordOrigin {
  AUTO = 'AUTO',
  MANUAL = 'MANUAL',
}
registerEnumType(DutyRecordOrigin, {
  name: 'DutyRecordOrigin',
  description: 'How a duty record came in (记录来源).',
  valuesConfig: { AUTO: { description: 'Seen by the platform (系统自动记录).' }, MANUAL: { description: 'Entered by hand (手工录入).' } },
});

/** One archive per member seat per year (一人一档、一年一档). */
@ObjectType('DutyArchive', { implements: NodeEntity, description: "A member's performance archive for one year (委员履职档案)." })
@Entity({ tableName: 'duty_archive' })
@Index({ properties: ['tenantId', 'year', 'score'] })
export class DutyArchive extends TenantOwned {
  @Property({ type: 'uuid' })
  seatId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => Int, { description: 'Year of the archive (年度).' })
  @Property({ type: 'smallint' })
  year!: number;

  @Field(() => Int, { description: 'Score under the committee rules (履职积分).' })
  @Property({ type: 'integer' })
  score: number = 0;

  @Field(() => Boolean, { description: 'Whether the yearly checklist is complete (年度清单是否完成).' })
  @Property({ type: 'boolean' })
  checklistDone: boolean = false;
}
declareScope('DutyArchive', (s) => ({ tenantId: s.tenantId }));

@ObjectType('DutyRecord', { implements: NodeEntity, description: 'One act of duty in an archive (履职记录).' })
@Entity({ tableName: 'duty_record' })
@Index({ properties: ['archiveId', 'id'] })
export class DutyRecord extends TenantOwned {
  @Property({ type: 'uuid' })
  archiveId!: string;

  @Field(() => DutyCategory, { description: 'Category (履职类别).' })
  @Enum({ items: () => DutyCategory, type: 'string' })
  category!: DutyCategory;

  @Field(() => String, { description: 'What was done (履职事项).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => DateTime, { description: 'When it happened (履职时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  @Field(() => DutyRecordStatus, { description: 'Verification state (审核状态).' })
  @Enum({ items: () => DutyRecordStatus, type: 'string' })
  status!: DutyRecordStatus;

  @Field(() => DutyRecordOrigin, { description: 'Automatic or entered (记录来源).' })
  @Enum({ items: () => DutyRecordOrigin, type: 'string' })
  origin!: DutyRecordOrigin;

  /** `Type:uuid` of the act's source record, so an automatic record is made once per act. */
  @Property({ type: 'string', length: 100, nullable: true })
  sourceKey?: string | null;

  @Property({ type: 'uuid', nullable: true })
  enteredBy?: string | null;

  @Property({ type: 'uuid', nullable: true })
  verifiedBy?: string | null;

  @Field(() => String, { nullable: true, description: 'Why the office rejected it, for the member to read (退回理由); null unless REJECTED.' })
  @Property({ type: 'string', length: 500, nullable: true })
  rejectReason?: string | null;
}
declareScope('DutyRecord', (s) => ({ tenantId: s.tenantId }));
