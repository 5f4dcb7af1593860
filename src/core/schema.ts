import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { printSchema, type GraphQLSchema } from 'graphql';
import { NodeResolver } from './node.resolver.js';
import { TenantResolver } from '../modules/tenant/tenant.resolver.js';
import { MemberResolver, UserResolver, ViewerResolver } from '../modules/member/member.resolver.js';
import { ProposalResolver } from '../modules/proposal/proposal.resolver.js';
import { OpinionLevelResolver, OpinionResolver } from '../modules/opinion/opinion.resolver.js';
import { PerformanceResolver } from '../modules/performance/performance.resolver.js';
import { StatisticsResolver } from '../modules/statistics/statistics.resolver.js';

export const resolvers = [
  NodeResolver,
  TenantResolver,
  ViewerResolver,
  UserResolver,
  MemberResolver,
  ProposalResolver,
  OpinionResolver,
  OpinionLevelResolver,
  PerformanceResolver,
  StatisticsResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema, built once per process from the resolvers. */
export function getSchema(): Promise<GraphQLSchema> {
  return (built ??= buildSchema({
    resolvers: [...resolvers] as [Function, ...Function[]],
    validate: { forbidUnknownValues: false, whitelist: false },
  }));
}

const HEADER = '# Emitted from the code by `npm run schema`; do not edit. `npm run schema:check` fails when it is stale.\n\n';

export async function schemaSdl(): Promise<string> {
  return HEADER + printSchema(await getSchema()) + '\n';
}
