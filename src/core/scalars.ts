import { GraphQLScalarType, Kind } from 'graphql';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function parse(value: unknown): string {
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new TypeError('LocalDate must be a calendar date YYYY-MM-DD');
  }
  return value;
}

/** A calendar date without time or zone, e.g. 2026-03-31 (日期). */
export const LocalDate = new GraphQLScalarType({
  name: 'LocalDate',
  description: 'A calendar date YYYY-MM-DD without time or zone (日期).',
  serialize: (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : parse(v)),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('LocalDate must be a string YYYY-MM-DD');
    return parse(ast.value);
  },
});

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new TypeError('DateTime must be an ISO 8601 instant with a zone, e.g. 2026-03-31T09:00:00+08:00');
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new TypeError('DateTime is not a valid instant');
  return d;
}

/** An instant in ISO 8601 with zone, serialized in UTC (时间). */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, ISO 8601 with zone; sent in UTC, e.g. 2026-03-31T01:00:00.000Z (时间).',
  serialize: (v) => (v instanceof Date ? v.toISOString() : parseInstant(v).toISOString()),
  parseValue: parseInstant,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return parseInstant(ast.value);
  },
});
