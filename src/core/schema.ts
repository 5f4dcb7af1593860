import 'reflect-metadata';
import { ArgumentValidationError, buildSchema } from 'type-graphql';
import { validateOrReject, type ValidatorOptions } from 'class-validator';
import { GraphQLSchema, printSchema } from 'graphql';
import { DateTime } from './scalars.js';
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

function buildOnce(resolvers: readonly Function[]): Promise<GraphQLSchema> {
  return buildSchema({
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
  });
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
