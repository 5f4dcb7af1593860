import { Arg, Args, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';
import { IsIn, IsOptional, Length } from 'class-validator';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';
import { DutyArchive, DutyRecord } from './performance.entity.js';
import { DutyCategory } from './scoring.js';
import * as performance from './performance.service.js';

export const DutyRecordConnection = Connection(DutyRecord, 'DutyRecord', '履职记录');

const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 20 * childComplexity;

@InputType('AddDutyRecordInput', { description: 'A duty entered by hand (录入履职记录): verified at once when staff enter it, pending when a member does.' })
export class AddDutyRecordInput implements Partial<DutyRecord> {
  @Field(() => ID, { nullable: true, description: 'Member seat (委员席位) on the acting committee; staff must give it, a member may omit it (own seat).' })
  @IsOptional()
  seat?: string;

  @Field(() => DutyCategory, { description: 'Category (履职类别).' })
  @IsIn(Object.values(DutyCategory))
  category!: DutyCategory;

  @Field(() => String, { description: 'What was done (履职事项), 2–200 characters.' })
  @Length(2, 200)
  title!: string;

  @Field(() => DateTime, { description: 'When it happened (履职时间); not in the future.' })
  occurredAt!: Date;
}

@ObjectType('ChecklistStatus', { description: 'One item of the yearly checklist and how far it is done (年度履职清单，如“十个一”).' })
export class ChecklistStatus {
  @Field(() => String, { description: 'Item key (清单项代码).' })
  key!: string;

  @Field(() => String, { description: 'Item as the committee words it (清单项), e.g. 提交一件提案.' })
  label!: string;

  @Field(() => DutyCategory, { description: 'Category that fulfils it (对应履职类别).' })
  category!: DutyCategory;

  @Field(() => Int, { description: 'How many are required (要求数量).' })
  count!: number;

  @Field(() => Int, { description: 'How many are done, at most the required number (已完成数量).' })
  done!: number;

  @Field(() => Boolean, { description: 'Whether the item is complete (是否完成).' })
  complete!: boolean;
}

@ObjectType('RankedArchive', { description: 'An archive and its place in the committee ranking (履职排名).' })
export class RankedArchive {
  @Field(() => Int, { description: 'Rank in the committee for the year; equal scores share a rank (名次).' })
  rank!: number;

  @Field(() => DutyArchive, { description: 'The archive (履职档案).' })
  archive!: DutyArchive;
}

@Resolver(() => DutyArchive)
export class PerformanceResolver {
  @Query(() => DutyArchive, { description: "A member's archive for a year (委员履职档案): a member's own; staff and leaders any seat of the committee." })
  dutyArchive(
    @Ctx() ctx: Context,
    @Arg('year', () => Int, { description: 'Year (年度).' }) year: number,
    @Arg('seat', () => ID, { nullable: true, description: 'MemberSeat id; a member may omit it.' }) seat?: string,
  ) {
    return performance.archive(ctx, seat, year);
  }

  @Query(() => [RankedArchive], { description: "The committee's members ranked by score for a year (委员履职排名). STAFF, LEADER or ADMIN.", complexity: listComplexity })
  dutyRanking(
    @Ctx() ctx: Context,
    @Arg('year', () => Int, { description: 'Year (年度).' }) year: number,
    @Arg('first', () => Int, { nullable: true, description: 'How many from the top (default 20).' }) first?: number,
  ) {
    return performance.committeeRanking(ctx, year, first);
  }

  @FieldResolver(() => MemberSeat, { nullable: true, description: 'The member seat (委员席位).' })
  seat(@Root() a: DutyArchive, @Ctx() ctx: Context) {
    return ctx.loaders.member.seatById.load(a.seatId);
  }

  @FieldResolver(() => Int, { description: 'Rank within the committee for the year (委员排名).' })
  rank(@Root() a: DutyArchive, @Ctx() ctx: Context) {
    return performance.rankOf(ctx, a);
  }

  @FieldResolver(() => [DutyRecord], { description: 'Records of the year, oldest first (履职记录).', complexity: listComplexity })
  records(@Root() a: DutyArchive, @Ctx() ctx: Context) {
    return ctx.loaders.performance.recordsByArchive.load(a.id);
  }

  @FieldResolver(() => [ChecklistStatus], { description: 'The yearly checklist and its progress (年度履职清单).' })
  checklist(@Root() a: DutyArchive, @Ctx() ctx: Context) {
    return performance.checklistOf(ctx, a);
  }

  @FieldResolver(() => [String], { description: 'Checklist items still lacking (尚未完成的清单项).' })
  async lacking(@Root() a: DutyArchive, @Ctx() ctx: Context) {
    return (await performance.checklistOf(ctx, a)).filter((i) => !i.complete).map((i) => i.label);
  }

  @Mutation(() => DutyRecord, { description: 'Enter a duty record (录入履职记录). MEMBER for self (pending), STAFF or ADMIN for a seat (verified).' })
  addDutyRecord(@Ctx() ctx: Context, @Arg('input', () => AddDutyRecordInput, { description: 'The record.' }) input: AddDutyRecordInput) {
    return performance.addDutyRecord(ctx, input);
  }

  @Query(() => DutyRecordConnection, { description: "Records members entered that await verification, oldest first (待审核履职记录): the office's queue. STAFF or ADMIN." })
  pendingDutyRecords(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return performance.pendingRecords(ctx, page);
  }

  @Mutation(() => DutyRecord, { description: 'Verify or reject a pending record (审核履职记录); a rejection gives the reason the member reads. STAFF or ADMIN.' })
  verifyDutyRecord(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'DutyRecord id.' }) id: string,
    @Arg('approve', () => Boolean, { description: 'true verifies, false rejects.' }) approve: boolean,
    @Arg('reason', () => String, { nullable: true, description: 'Why it is rejected (退回理由), 2–500 characters; required with approve: false, not given otherwise.' }) reason?: string,
  ) {
    return performance.verifyDutyRecord(ctx, id, approve, reason);
  }
}

@Resolver(() => DutyRecord)
export class DutyRecordResolver {
  @FieldResolver(() => MemberSeat, { nullable: true, description: 'The member seat whose archive holds the record (委员席位).' })
  async seat(@Root() r: DutyRecord, @Ctx() ctx: Context) {
    const a = await ctx.loaders.performance.archiveById.load(r.archiveId);
    return a ? ctx.loaders.member.seatById.load(a.seatId) : null;
  }
}
