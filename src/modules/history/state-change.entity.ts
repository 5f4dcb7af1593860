import { Entity, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

/** One field an edit changed (修改内容): its value before and after. */
@ObjectType('FieldChange', { description: 'One field an edit changed, before and after (修改内容).' })
export class FieldChange {
  @Field(() => String, { description: 'Field name as in the API, e.g. title (字段).' })
  field!: string;

  @Field(() => String, { nullable: true, description: 'Value before the edit (修改前).' })
  before!: string | null;

  @Field(() => String, { nullable: true, description: 'Value after the edit (修改后).' })
  after!: string | null;
}

/**
 * One state change of a workflow item (状态变更记录): who, when, from, to, why. Owned by the committee that
 * made the change; visible to it, to the item's owner, and to the members of the joint item it belongs to.
 */
@ObjectType('StateChange', { implements: NodeEntity, description: 'One recorded state change of a workflow item (流转记录).' })
@Entity({ tableName: 'state_change' })
export class StateChange extends TenantOwned {
  @Property({ type: 'uuid' })
  ownerTenantId!: string;

  /** The participating committee a change of a participation concerns; it may read the change too. */
  @Property({ type: 'uuid', nullable: true })
  subjectTenantId?: string | null;

  @Field(() => String, { description: 'Type of the item that changed (事项类型).' })
  @Property({ type: 'string', length: 32 })
  itemType!: string;

  @Property({ type: 'uuid' })
  itemId!: string;

  /** The joint item whose members may read this change (the item itself, or the topic of a suggestion). */
  @Property({ type: 'uuid' })
  jointItemId!: string;

  @Field(() => String, { nullable: true, description: 'State before the change; null when the item was created (原状态).' })
  @Property({ type: 'string', length: 24, nullable: true })
  fromState?: string | null;

  @Field(() => String, { description: 'State after the change (新状态).' })
  @Property({ type: 'string', length: 24 })
  toState!: string;

  @Field(() => String, { nullable: true, description: 'What the change was when its states alone do not say it (动作): RETURNED (改办), EXTENSION_REQUESTED, EXTENSION_GRANTED, EXTENSION_REFUSED (延期), ENTERED_FOR_UNIT (代录).' })
  @Property({ type: 'string', length: 32, nullable: true })
  move?: string | null;

  @Property({ type: 'uuid' })
  actorUserId!: string;

  @Field(() => String, { description: 'Name of the person who made the change (操作人).' })
  @Property({ type: 'string', length: 64 })
  actorName!: string;

  /** Resolved by StateChangeResolver: a participation's comments are for the participant and the owner only. */
  @Property({ type: 'text', nullable: true })
  comment?: string | null;

  /** Resolved by StateChangeResolver (an empty list for a change of state). */
  @Property({ type: 'json', nullable: true })
  changes?: FieldChange[] | null;

  @Field(() => DateTime, { description: 'When the change happened (时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;
}
declareScope('StateChange', async (s) => {
  if (!s.joint) throw new Error('joint access is not set');
  return { $or: [{ tenantId: s.tenantId }, { ownerTenantId: s.tenantId }, { subjectTenantId: s.tenantId }, { jointItemId: { $in: await s.joint.items('MEMBER') } }] };
});
