import { Arg, Args, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { NodeEntity } from '../../core/node.js';
import { SupervisionProgress, SupervisionTask } from './supervision.entities.js';
import { OpenSupervisionTaskInput, SupervisionLedgerFilter } from './supervision.inputs.js';
import { HandlingUnit } from '../unit/unit.entities.js';
import * as supervision from './supervision.service.js';

const SupervisionTaskConnection = Connection(SupervisionTask, 'SupervisionTask', '督查督办事项');
const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 10 * childComplexity;

@ObjectType('SupervisionUnitLine', { description: 'One unit responsible in a supervision report (责任单位情况).' })
export class SupervisionUnitLine {
  @Field(() => String, { description: 'The unit (责任单位).' })
  ownerUnit!: string;

  @Field(() => Int, { description: 'Tasks issued in the period (交办数).' })
  issued!: number;

  @Field(() => Int, { description: 'Closed in the period (销号数).' })
  closed!: number;

  @Field(() => Int, { description: 'Of those, by the deadline (按期销号).' })
  closedOnTime!: number;

  @Field(() => Int, { description: 'Of those, after the deadline (逾期销号).' })
  closedLate!: number;

  @Field(() => Int, { description: 'Late at the end of the period (逾期未销号).' })
  overdue!: number;
}

@ObjectType('SupervisionReport', { description: 'Periodic supervision report (督查专报): what was closed, what is late, and by whom.' })
export class SupervisionReport {
  @Field(() => String, { description: 'The committee (政协).' })
  tenantName!: string;

  @Field(() => String, { description: 'Period as asked (统计期间).' })
  period!: string;

  @Field(() => String, { description: 'First day (起, inclusive, China time).' })
  from!: string;

  @Field(() => String, { description: 'Day after the last (止, exclusive).' })
  to!: string;

  @Field(() => Int, { description: 'Tasks issued in the period (交办数).' })
  issued!: number;

  @Field(() => [SupervisionTask], { description: 'Tasks closed in the period (本期销号).' })
  closed!: SupervisionTask[];

  @Field(() => Int, { description: 'Closed by the deadline (按期销号).' })
  closedOnTime!: number;

  @Field(() => Int, { description: 'Closed after the deadline (逾期销号).' })
  closedLate!: number;

  @Field(() => [SupervisionTask], { description: 'Open past the deadline at the end of the period, or now if it has not ended (逾期未销号).' })
  late!: SupervisionTask[];

  @Field(() => [SupervisionUnitLine], { description: 'By unit responsible (按责任单位).' })
  byUnit!: SupervisionUnitLine[];
}

@Resolver(() => SupervisionTask)
export class SupervisionTaskResolver {
  @Query(() => SupervisionTaskConnection, { description: "The committee's supervision ledger (督查督办台账), by deadline; a department sees its own tasks." })
  supervisionLedger(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => SupervisionLedgerFilter, { nullable: true, description: 'Filters (筛选).' }) filter?: SupervisionLedgerFilter,
  ) {
    return supervision.ledger(ctx, filter, page);
  }

  @Query(() => SupervisionReport, { description: 'Periodic supervision report (督查专报) for a period (2026, 2026-Q1, 2026-03, 2026-01..2026-06). STAFF, LEADER or ADMIN.' })
  supervisionReport(@Ctx() ctx: Context, @Arg('period', () => String, { description: 'The period.' }) period: string) {
    return supervision.report(ctx, period);
  }

  @FieldResolver(() => Boolean, { description: 'Open and past the deadline now (逾期).' })
  overdue(@Root() t: SupervisionTask, @Ctx() ctx: Context) {
    return supervision.isOverdue(t, ctx.clock.now());
  }

  @FieldResolver(() => Boolean, { nullable: true, description: 'Closed by the deadline (按期销号); null while open.' })
  closedOnTime(@Root() t: SupervisionTask) {
    return supervision.closedOnTime(t);
  }

  @FieldResolver(() => HandlingUnit, { nullable: true, description: 'The handling unit responsible (责任单位).' })
  owner(@Root() t: SupervisionTask, @Ctx() ctx: Context) {
    return ctx.loaders.unit.unitById.load(t.ownerUnitId);
  }

  @FieldResolver(() => NodeEntity, { nullable: true, description: 'The record the task comes from, if you may see it (来源记录).' })
  sourceRecord(@Root() t: SupervisionTask, @Ctx() ctx: Context) {
    return supervision.sourceOf(ctx, t);
  }

  @FieldResolver(() => [SupervisionProgress], { description: 'Progress reports, oldest first (办理进展).', complexity: listComplexity })
  progress(@Root() t: SupervisionTask, @Ctx() ctx: Context) {
    return ctx.loaders.supervision.progressByTask.load(t.id);
  }

  @Mutation(() => SupervisionTask, { description: 'Put a task on the ledger (督办立项). STAFF or ADMIN.' })
  openSupervisionTask(@Ctx() ctx: Context, @Arg('input', () => OpenSupervisionTaskInput, { description: 'The task.' }) input: OpenSupervisionTaskInput) {
    return supervision.openTask(ctx, input);
  }

  @Mutation(() => SupervisionTask, { description: 'Report progress on an open task (报送进展). The unit responsible (DEPARTMENT), STAFF or ADMIN.' })
  reportSupervisionProgress(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The task.' }) id: string,
    @Arg('body', () => String, { description: 'What was done (进展情况), up to 5000 characters.' }) body: string,
  ) {
    return supervision.reportProgress(ctx, id, body);
  }

  @Mutation(() => SupervisionTask, { description: 'Close a task with evidence (销号). STAFF or ADMIN.' })
  closeSupervisionTask(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'The task.' }) id: string,
    @Arg('evidence', () => String, { description: 'Evidence it is done (销号佐证), up to 5000 characters.' }) evidence: string,
  ) {
    return supervision.closeTask(ctx, id, evidence);
  }
}
