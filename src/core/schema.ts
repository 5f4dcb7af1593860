import 'reflect-metadata';
import { ArgumentValidationError, buildSchema } from 'type-graphql';
import { validateOrReject, type ValidatorOptions } from 'class-validator';
import { GraphQLSchema, defaultFieldResolver, getNullableType, isInputObjectType, isObjectType, printSchema, type GraphQLArgument, type GraphQLFieldResolver } from 'graphql';
import { DateTime } from './scalars.js';
import { badInput, text } from './errors.js';
/** Schemas built per resolver list: type-graphql's metadata is global, so one build per process and list. */
const built = new Map<string, Promise<GraphQLSchema>>();

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

/** The executable schema of the assembled application's resolvers, built once per process. */
export function buildAppSchema(resolvers: readonly Function[]): Promise<GraphQLSchema> {
  const key = resolvers.map((r) => r.name).join(',');
  let schema = built.get(key);
  if (!schema) built.set(key, (schema = buildOnce(resolvers)));
  return schema;
}

/** type-graphql describes every field but not the root types; the SDL is the front-ends' documentation. */
const ROOT_DESCRIPTIONS = {
  Query: 'Reads (查询): everything the signed-in user may see for the committee they act for.',
  Mutation: 'Changes (变更): each runs in one transaction and writes nothing if any error is returned.',
  Subscription: 'Live streams over graphql-ws (实时订阅): stored events first, then new ones as they commit.',
};

function describeRoots(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (type) type.description = ROOT_DESCRIPTIONS[type.name as keyof typeof ROOT_DESCRIPTIONS];
  }
  return schema;
}

async function buildOnce(resolvers: readonly Function[]): Promise<GraphQLSchema> {
  return refuseNul(describeRoots(await buildSchema({
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
  })));
}

/**
 * Every field that takes arguments first refuses a string holding NUL (U+0000) anywhere in them, as
 * BAD_USER_INPUT naming each such field the way validation names fields (`displayName`, `committeeCodes.1`;
 * an argument that is not an input object by its own name). PostgreSQL cannot store NUL in text, and the
 * driver's refusal would reach the client as INTERNAL_SERVER_ERROR. One place, before any resolver or
 * subscription runs, for literals and variables, over HTTP and WebSocket alike.
 */
function refuseNul(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const check = (args: Record<string, unknown>) => {
        const found: string[] = [];
        for (const arg of field.args) nulPaths(args[arg.name], rootPath(arg), found);
        if (found.length) {
          throw badInput(text('输入不符合要求', 'Input is not valid'), { fields: found.map((f) => ({ field: f, messages: [`${f} must not contain the NUL character (U+0000)`] })) });
        }
      };
      const guard = (fn: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> => (source, args, ctx, info) => {
        check(args);
        return fn(source, args, ctx, info);
      };
      if (field.subscribe) field.subscribe = guard(field.subscribe);
      else field.resolve = guard(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

/** Fields of an input object argument are named without it, as class-validator names them. */
const rootPath = (arg: GraphQLArgument) => (isInputObjectType(getNullableType(arg.type)) ? '' : arg.name);

function nulPaths(value: unknown, path: string, found: string[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, path ? `${path}.${i}` : String(i), found));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) nulPaths(v, path ? `${path}.${k}` : k, found);
  }
}

const HEADER = '# Emitted from the code by `npm run schema`; do not edit. `npm run schema:check` fails when it is stale.\n\n';

/**
 * The SDL, its types in name order (fields keep their declared order): the artifact then depends on what the
 * schema is, never on the order in which files happen to be imported.
 */
export async function schemaSdl(resolvers: readonly Function[]): Promise<string> {
  const schema = await buildAppSchema(resolvers);
  const config = schema.toConfig();
  const types = [...config.types].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return HEADER + printSchema(new GraphQLSchema({ ...config, types })) + '\n';
}
