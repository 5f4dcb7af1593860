import { GraphQLScalarType, type ValueNode } from 'graphql';
import { GraphQLDateTime, GraphQLLocalDate } from 'graphql-scalars';

/*
 * The date scalars are graphql-scalars' (RFC 3339 parsing and calendar checks), with the range PostgreSQL and
 * RFC 3339 share: years 0001 to 9999. PostgreSQL has no year 0 (its driver error would surface as
 * INTERNAL_SERVER_ERROR), and a later year is no RFC 3339 date-time. An instant is checked once in UTC,
 * where it is stored and sent: 0001-01-01T00:00:00+08:00 is in year 0 there. Both say what they follow in
 * `specifiedByURL` (`@specifiedBy` in the SDL).
 */

const LOCAL_DATE_RANGE = 'LocalDate must be a calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-31';
const DATE_TIME_RANGE = 'DateTime must be an RFC 3339 instant with a zone (e.g. 2026-03-31T09:00:00+08:00) from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z';

function localDate(parse: () => unknown): string {
  let value: unknown;
  try {
    value = parse();
  } catch {
    throw new TypeError(LOCAL_DATE_RANGE);
  }
  if (typeof value !== 'string' || value < '0001-01-01') throw new TypeError(LOCAL_DATE_RANGE);
  return value;
}

function instant(parse: () => unknown): Date {
  let value: unknown;
  try {
    value = parse();
  } catch {
    throw new TypeError(DATE_TIME_RANGE);
  }
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError(DATE_TIME_RANGE);
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw new TypeError(DATE_TIME_RANGE);
  return value;
}

/** A calendar date without time or zone, e.g. 2026-03-31 (日期). */
export const LocalDate = new GraphQLScalarType<string, string>({
  ...GraphQLLocalDate.toConfig(),
  description: 'A calendar date YYYY-MM-DD without time or zone, 0001-01-01 to 9999-12-31 (日期): RFC 3339 full-date.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
  serialize: (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : localDate(() => GraphQLLocalDate.serialize(v))),
  parseValue: (v) => localDate(() => GraphQLLocalDate.parseValue(v)),
  parseLiteral: (ast: ValueNode) => localDate(() => GraphQLLocalDate.parseLiteral(ast, undefined)),
});

/** An instant in ISO 8601 with zone, serialized in UTC (时间). */
export const DateTime = new GraphQLScalarType<Date, string>({
  ...GraphQLDateTime.toConfig(),
  description: 'An instant, RFC 3339 date-time with zone, years 0001 to 9999 in UTC; sent in UTC, e.g. 2026-03-31T01:00:00.000Z (时间).',
  specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
  serialize: (v) => instant(() => (v instanceof Date ? v : GraphQLDateTime.parseValue(v))).toISOString(),
  parseValue: (v) => instant(() => GraphQLDateTime.parseValue(v)),
  parseLiteral: (ast: ValueNode) => instant(() => GraphQLDateTime.parseLiteral(ast, undefined)),
});
