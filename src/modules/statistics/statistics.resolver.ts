import { Arg, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import * as statistics from './statistics.service.js';

/*
 * The roll-up returns plain objects (hundreds of small figures per answer): `simpleResolvers` lets GraphQL
 * read their properties directly instead of wrapping every field in a resolver.
 */
const listComplexity = ({ childComplexity }: { childComplexity: number }) => 1 + 30 * childComplexity;

@ObjectType('MetricValue', { description: 'One counted figure (统计指标) for a committee and period.' , simpleResolvers: true })
export class MetricValue {
  @Field(() => String, { description: 'Stable metric key (指标代码), e.g. opinion.adopted.' })
  metric!: string;

  @Field(() => String, { description: 'Name of the figure as reported (指标名称), e.g. 采用数.' })
  label!: string;

  @Field(() => Int, { description: 'The count for the period (数值).' })
  value!: number;
}

@ObjectType('RateValue', { description: 'A rate (比率) recomputed from rolled-up numerator and denominator, never averaged.' , simpleResolvers: true })
export class RateValue {
  @Field(() => String, { description: 'Stable rate key (比率代码), e.g. proposal.satisfaction_rate.' })
  rate!: string;

  @Field(() => String, { description: 'Name of the rate (比率名称), e.g. 满意率.' })
  label!: string;

  @Field(() => Int, { description: 'Numerator (分子).' })
  numerator!: number;

  @Field(() => Int, { description: 'Denominator (分母).' })
  denominator!: number;

  @Field(() => Float, { nullable: true, description: 'numerator / denominator; null when the denominator is 0 (比率值).' })
  value!: number | null;
}

@ObjectType('Figures', { description: 'A set of figures (统计数据): counts and rates.' , simpleResolvers: true })
export class Figures {
  @Field(() => [MetricValue], { description: 'Counted figures, in catalogue order (统计指标).' })
  metrics!: MetricValue[];

  @Field(() => [RateValue], { description: 'Rates from numerators and denominators (比率).' })
  rates!: RateValue[];
}

@ObjectType('ChildRollup', { description: "One child committee's subtree figures (下级汇总)." , simpleResolvers: true })
export class ChildRollup {
  @Field(() => Tenant, { description: 'The child committee (下级政协).' })
  tenant!: Tenant;

  @Field(() => Figures, { description: 'Figures of the child and everything below it (下级及其所属合计).' })
  subtree!: Figures;
}

@ObjectType('RankingEntry', { description: 'A place in a ranking (排名).' , simpleResolvers: true })
export class RankingEntry {
  @Field(() => Int, { description: 'Rank, 1 first; equal values share a rank (名次).' })
  rank!: number;

  @Field(() => Tenant, { description: 'The committee ranked (政协).' })
  tenant!: Tenant;

  @Field(() => Int, { description: 'Its subtree figure (数值).' })
  value!: number;
}

@ObjectType('Ranking', { description: 'Children ranked by one figure (量化排名).' , simpleResolvers: true })
export class Ranking {
  @Field(() => String, { description: 'Metric key ranked by (指标代码).' })
  metric!: string;

  @Field(() => String, { description: 'Name of the figure (指标名称).' })
  label!: string;

  @Field(() => [RankingEntry], { description: 'Children from first to last (排名列表).' })
  entries!: RankingEntry[];
}

@ObjectType('Rollup', { description: 'Statistics rolled up county → city → province (统计逐级汇总) for one committee and period.' , simpleResolvers: true })
export class Rollup {
  @Field(() => Tenant, { description: 'The committee the figures are for (统计对象).' })
  tenant!: Tenant;

  @Field(() => String, { description: 'The period as asked, e.g. 2025-Q2 (统计期间).' })
  period!: string;

  @Field(() => String, { description: 'First day of the period (起始日期), China time.' })
  from!: string;

  @Field(() => String, { description: 'First day after the period (截止日期，不含).' })
  to!: string;

  @Field(() => Figures, { description: "The committee's own figures (本级)." })
  own!: Figures;

  @Field(() => Figures, { description: 'The committee and everything below it (本级及所属合计).' })
  subtree!: Figures;

  @Field(() => [ChildRollup], { description: 'Each child committee with its subtree figures (分下级汇总).', complexity: listComplexity })
  children!: ChildRollup[];

  @Field(() => [Ranking], { description: 'Children ranked by the published figures (量化排名).', complexity: listComplexity })
  rankings!: Ranking[];

  @Field(() => [Tenant], { description: 'Children that reported no public-opinion information in the period (零报送通报).', complexity: listComplexity })
  silentChildren!: Tenant[];
}

@Resolver(() => Rollup)
export class StatisticsResolver {
  @Query(() => Rollup, {
    description: 'Rolled-up statistics (统计汇总) of the acting committee or one below it, for a period. STAFF, LEADER or ADMIN.',
  })
  rollup(
    @Ctx() ctx: Context,
    @Arg('period', () => String, { description: 'YYYY, YYYY-Qn, YYYY-MM or YYYY-MM..YYYY-MM.' }) period: string,
    @Arg('code', () => String, { nullable: true, description: 'A committee at or below the acting one; default the acting committee.' }) code?: string,
  ) {
    return statistics.rollup(ctx, code, period);
  }
}
