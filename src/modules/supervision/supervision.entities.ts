import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { TenantOwned } from '../../core/tenant-owned.js';
import { NodeEntity } from '../../core/node.js';
import { declareScope } from '../../core/tenancy.js';

export enum SupervisionSource {
  INSTRUCTION = 'INSTRUCTION',
  CONSULTATION_OUTCOME = 'CONSULTATION_OUTCOME',
  RESEARCH_OUTCOME = 'RESEARCH_OUTCOME',
}
registerEnumType(SupervisionSource, {
  name: 'SupervisionSource',
  description: 'Where a supervision task comes from (督办来源).',
  valuesConfig: {
    INSTRUCTION: { description: 'A leader instruction (领导批示).' },
    CONSULTATION_OUTCOME: { description: 'A consultation outcome (协商成果).' },
    RESEARCH_OUTCOME: { description: 'A research outcome (调研成果).' },
  },
});

export enum SupervisionStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(SupervisionStatus, {
  name: 'SupervisionStatus',
  description: 'State of a supervision task (督办状态).',
  valuesConfig: { OPEN: { description: 'Being followed up (督办中).' }, CLOSED: { description: 'Closed with evidence (已销号).' } },
});

/** A task on the supervision ledger (督查督办事项), owned by the committee whose office follows it up. */
@ObjectType('SupervisionTask', { implements: NodeEntity, description: 'A task on the supervision ledger (督查督办事项): owner unit, deadline, progress, closure (销号).' })
@Entity({ tableName: 'supervision_task' })
@Index({ properties: ['tenantId', 'status', 'deadline'] })
export class SupervisionTask extends TenantOwned {
  @Field(() => SupervisionSource, { description: 'Source (督办来源).' })
  @Enum({ items: () => SupervisionSource, type: 'string' })
  source!: SupervisionSource;

  /** The record it came from (an instruction, a suggestion, a research outcome), as its node type and id. */
  @Property({ type: 'string', length: 32, nullable: true })
  sourceType?: string | null;

  @Property({ type: 'uuid', nullable: true })
  sourceId?: string | null;

  @Field(() => String, { description: 'Title (督办事项).' })
  @Property({ type: 'string', length: 200 })
  title!: string;

  @Field(() => String, { description: 'What is required (督办要求), e.g. the instruction text.' })
  @Property({ type: 'text' })
  requirement!: string;

  @Property({ type: 'uuid' })
  ownerUnitId!: string;

  @Field(() => String, { description: 'The unit responsible (责任单位).' })
  @Property({ type: 'string', length: 128 })
  ownerUnit!: string;

  @Field(() => DateTime, { description: 'When it was issued (交办时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Field(() => DateTime, { description: 'Deadline (办结时限).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  deadline!: Date;

  @Field(() => SupervisionStatus, { description: 'Status (状态).' })
  @Enum({ items: () => SupervisionStatus, type: 'string' })
  status: SupervisionStatus = SupervisionStatus.OPEN;

  @Field(() => DateTime, { nullable: true, description: 'Latest progress report (最近进展时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastProgressAt?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When it was closed (销号时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  closedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Evidence the task is done (销号佐证).' })
  @Property({ type: 'text', nullable: true })
  closureEvidence?: string | null;

  @Property({ type: 'uuid', nullable: true })
  closedBy?: string | null;

  @Property({ type: 'uuid' })
  createdBy!: string;
}
declareScope('SupervisionTask', (s) => ({ tenantId: s.tenantId }));

/** A progress report on a task (进展情况). */
@ObjectType('SupervisionProgress', { implements: NodeEntity, description: 'A progress report on a supervision task (办理进展).' })
@Entity({ tableName: 'supervision_progress' })
export class SupervisionProgress extends TenantOwned {
  @Property({ type: 'uuid' })
  taskId!: string;

  @Field(() => String, { description: 'What was done (进展情况).' })
  @Property({ type: 'text' })
  body!: string;

  @Field(() => DateTime, { description: 'When it was reported (报送时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  reportedAt!: Date;

  @Property({ type: 'uuid' })
  reportedBy!: string;

  @Field(() => String, { description: 'Who reported it (报送人).' })
  @Property({ type: 'string', length: 64 })
  reporterName!: string;
}
declareScope('SupervisionProgress', (s) => ({ tenantId: s.tenantId }));
