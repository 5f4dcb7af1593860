import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';
import { LocalDate } from '../../core/scalars.js';

export type JointItemType = 'ResearchProject' | 'ConsultationTopic';

/** Access index: one row per committee that may see a joint item owned by another committee. */
@Entity({ tableName: 'joint_membership' })
export class JointMembership extends TenantOwned {
  @Property({ type: 'string', length: 32 })
  itemType!: JointItemType;

  @Property({ type: 'uuid' })
  itemId!: string;

  @Property({ type: 'uuid' })
  ownerTenantId!: string;

  /** MEMBER: an accepted participant (sees shared parts). VIEW: the record only (a topic recommended upward). */
  @Property({ type: 'string', length: 16 })
  access!: 'MEMBER' | 'VIEW';
}
declareScope('JointMembership', (s) => ({ $or: [{ tenantId: s.tenantId }, { ownerTenantId: s.tenantId }] }));

export enum ParticipationKind {
  INVITATION = 'INVITATION',
  TAKE_UP = 'TAKE_UP',
  RECOMMENDATION = 'RECOMMENDATION',
}
registerEnumType(ParticipationKind, {
  name: 'ParticipationKind',
  description: 'How a committee came to a joint item (参与方式).',
  valuesConfig: {
    INVITATION: { description: 'Invited by the owner (邀请参与).' },
    TAKE_UP: { description: "Took up a topic from an ancestor's published plan (承接上级议题)." },
    RECOMMENDATION: { description: 'A topic recommended upward to this committee (向上推荐议题).' },
  },
});

export enum ParticipationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(ParticipationStatus, {
  name: 'ParticipationStatus',
  description: 'Answer to an invitation or recommendation (参与状态).',
  valuesConfig: {
    PENDING: { description: 'Waiting for an answer (待答复).' },
    ACCEPTED: { description: 'Accepted, taken up or adopted (已接受).' },
    DECLINED: { description: 'Declined (已谢绝).' },
    WITHDRAWN: { description: 'No longer open: the item moved on before an answer (已撤回).' },
  },
});

/**
 * A committee's part in a joint item: an invitation (邀请), a take-up (承接) or a recommendation upward (推荐).
 * Owned by the participating committee; visible to it, to the item's owner and to the item's members.
 */
@ObjectType('JointParticipant', { implements: NodeEntity, description: "A committee's participation in a joint item (联动参与): invitation, take-up or upward recommendation." })
@Entity({ tableName: 'joint_participant' })
export class JointParticipant extends TenantOwned {
  @Field(() => String, { description: 'ResearchProject or ConsultationTopic (联动事项类型).' })
  @Property({ type: 'string', length: 32 })
  itemType!: JointItemType;

  @Property({ type: 'uuid' })
  itemId!: string;

  @Property({ type: 'uuid' })
  ownerTenantId!: string;

  @Field(() => ParticipationKind, { description: 'How the committee came to the item (参与方式).' })
  @Enum({ items: () => ParticipationKind, type: 'string' })
  kind!: ParticipationKind;

  @Field(() => ParticipationStatus, { description: 'Answer so far (状态).' })
  @Enum({ items: () => ParticipationStatus, type: 'string' })
  status!: ParticipationStatus;

  @Field(() => String, { description: 'Title of the item as sent (事项标题).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Message from the sender (邀请说明).' })
  @Property({ type: 'text', nullable: true })
  message?: string | null;

  @Field(() => LocalDate, { nullable: true, description: 'Answer requested by (答复期限).' })
  @Property({ type: 'string', columnType: 'date', nullable: true })
  respondBy?: string | null;

  /** Reason given with a decline: for the decliner and the owner only (JointParticipant.reason resolves it). */
  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  respondedAt?: Date | null;
}
declareScope('JointParticipant', async (s) => {
  if (!s.joint) throw new Error('joint access is not set');
  return { $or: [{ tenantId: s.tenantId }, { ownerTenantId: s.tenantId }, { itemId: { $in: await s.joint.items('MEMBER') } }] };
});
