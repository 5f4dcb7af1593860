import { GraphQLScalarType } from 'graphql';
import { GraphQLISODateTime } from 'type-graphql';

/** type-graphql's ISO date-time scalar, described for the schema's readers like every other type. */
export const DateTime = new GraphQLScalarType({
  ...GraphQLISODateTime.toConfig(),
  name: 'DateTime',
  description: 'An instant as an ISO-8601 string in UTC, e.g. 2026-03-01T02:00:00.000Z (日期时间).',
});
