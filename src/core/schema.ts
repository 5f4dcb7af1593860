import 'reflect-metadata';
import { ArgumentValidationError, buildSchema } from 'type-graphql';
import { validateOrReject, type ValidatorOptions } from 'class-validator';
import { printSchema, type GraphQLSchema } from 'graphql';
import { NodeResolver } from './node.resolver.js';
import { DateTime } from './scalars.js';
import { TenantResolver } from '../modules/tenant/tenant.resolver.js';
import { MemberResolver, UserResolver, ViewerResolver } from '../modules/member/member.resolver.js';
import { JointParticipantResolver, JointWorkResolver } from '../modules/joint/joint.resolver.js';
import { ResearchContributionResolver, ResearchResolver, ResearchTeamMemberResolver } from '../modules/research/research.resolver.js';
import { PlanResolver, RecommendationResolver, SuggestionResolver, TopicResolver } from '../modules/topic/topic.resolver.js';
import { DeliberationEventResolver, DeliberationPresenceResolver, DeliberationResolver } from '../modules/deliberation/deliberation.resolver.js';
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
  JointParticipantResolver,
  JointWorkResolver,
  ResearchResolver,
  ResearchContributionResolver,
  ResearchTeamMemberResolver,
  PlanResolver,
  TopicResolver,
  SuggestionResolver,
  RecommendationResolver,
  DeliberationResolver,
  DeliberationEventResolver,
  DeliberationPresenceResolver,
  ProposalResolver,
  OpinionResolver,
  OpinionLevelResolver,
  PerformanceResolver,
  StatisticsResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** What type-graphql's built-in validation does, with class-validator loaded once (it imports it per argument). */
const VALIDATION: ValidatorOptions = { forbidUnknownValues: false, whitelist: false, skipMissingProperties: true };
async function validateInput(value: unknown): Promise<void> {
  const items = (Array.isArray(value) ? value : [value]).filter((v): v is object => v !== null && typeof v === 'object');
  try {
    await Promise.all(items.map((v) => validateOrReject(v, VALIDATION)));
  } catch (err) {
    throw new ArgumentValidationError(err as ConstructorParameters<typeof ArgumentValidationError>[0]);
  }
}

/** The executable schema, built once per process from the resolvers. */
export function getSchema(): Promise<GraphQLSchema> {
  return (built ??= buildSchema({
    resolvers: [...resolvers] as [Function, ...Function[]],
    validateFn: validateInput,
    scalarsMap: [{ type: Date, scalar: DateTime }],
    // Subscriptions bring their own `subscribe` (stored events + LISTEN/NOTIFY across instances); an
    // in-process topic PubSub would miss what other instances commit, so none is offered.
    pubSub: {
      publish: () => {
        throw new Error('no in-process PubSub: subscriptions use their own subscribe function');
      },
      subscribe: () => {
        throw new Error('no in-process PubSub: subscriptions use their own subscribe function');
      },
    },
  }));
}

const HEADER = '# Emitted from the code by `npm run schema`; do not edit. `npm run schema:check` fails when it is stale.\n\n';

export async function schemaSdl(): Promise<string> {
  return HEADER + printSchema(await getSchema()) + '\n';
}
