import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../tenant-owned.js';
import { NodeEntity } from '../node.js';
import { declareScope } from '../tenancy.js';
import { LocalDate } from '../scalars.js';

export enum SeatStatus {
  ACTIVE = 'ACTIVE',
  ENDED = 'ENDED',
}
registerEnumType(SeatStatus, {
  name: 'SeatStatus',
  description: 'Whether a member seat is current (委员状态).',
  valuesConfig: { ACTIVE: { description: 'Serving (在任).' }, ENDED: { description: 'Term ended or left (已离任).' } },
});

/**
 * A member seat (委员席位) on one committee. One person may hold seats at several levels (e.g. a county
 * member who is also a city member); each seat belongs to the committee that holds it.
 */
@ObjectType('MemberSeat', { implements: NodeEntity, description: 'A member seat on a committee (委员席位): who, which sector, which term.' })
@Entity({ tableName: 'member_seat' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
export class MemberSeat extends TenantOwned {
  @Property({ type: 'uuid' })
  @Index()
  userId!: string;

  @Field(() => String, { description: 'Sector the member represents (界别), e.g. 经济界.' })
  @Property({ type: 'string', length: 64 })
  sector!: string;

  @Field(() => String, { nullable: true, description: 'Position on the committee (职务), e.g. 常委.' })
  @Property({ type: 'string', length: 64, nullable: true })
  title?: string | null;

  @Field(() => String, { description: 'Term of the committee (届次), e.g. 第十三届.' })
  @Property({ type: 'string', length: 32 })
  term!: string;

  @Field(() => String, { nullable: true, description: 'Contact phone number (联系电话).' })
  @Property({ type: 'string', nullable: true })
  phone?: string | null;

  @Field(() => SeatStatus, { description: 'Serving or ended (状态).' })
  @Enum({ items: () => SeatStatus, type: 'string' })
  status: SeatStatus = SeatStatus.ACTIVE;

  @Field(() => LocalDate, { nullable: true, description: 'Day the seat ended (离任日期); null while serving.' })
  @Property({ type: 'string', columnType: 'date', nullable: true })
  endedOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Why the seat ended (离任原因), e.g. 换届 or 工作调动.' })
  @Property({ type: 'string', length: 500, nullable: true })
  endReason?: string | null;
}
// A seat is visible to its committee, and to the person who holds it (so they can switch committees).
declareScope('MemberSeat', (s) => ({ $or: [{ tenantId: s.tenantId }, { userId: s.userId }] }));
