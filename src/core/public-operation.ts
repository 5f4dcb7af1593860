import { Extensions } from 'type-graphql';
import { Kind, getOperationAST, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { AppError, text } from './errors.js';

const PUBLIC = 'cppcc.public';

/**
 * Marks a root field that runs before there is a viewer (signIn, refreshSession…): an operation made of one
 * such field runs in a PublicContext (runPublic), whatever Authorization header comes with it. Every other
 * field needs a viewer, so a field nobody marked fails closed: without a valid token it is UNAUTHENTICATED.
 */
export const Public = () => Extensions({ [PUBLIC]: true });

/**
 * How an operation is run: for a viewer (runInContext, the default), without one (runPublic), or, when it
 * reads no data at all (`bare`: only `__typename`, `__schema` and `__type` at its root), with its token
 * verified and nothing else (runVerified: no transaction, no statement).
 */
export type Access = 'viewer' | 'public' | 'bare';

/** Root fields answered from the schema alone. */
const META = new Set(['__schema', '__type']);

/** The names of the public root fields of a schema, and a quick test of whether a document could name one. */
export function publicFields(schema: GraphQLSchema): { names: Set<string>; mentions(query: string): boolean } {
  const names = new Set<string>();
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) if (field.extensions?.[PUBLIC] === true) names.add(field.name);
  }
  const pattern = names.size ? new RegExp(`\\b(${[...names].join('|')})\\b`) : null;
  return { names, mentions: (query) => !!pattern?.test(query) };
}

/** Root fields of a selection, through inline fragments and fragment spreads, without __typename. */
function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === '__typename' ? [] : [s.name.value];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFields(s.selectionSet, fragments, seen);
    const name = s.name.value;
    const f = fragments.get(name);
    if (!f || seen.has(name)) return [];
    seen.add(name);
    return rootFields(f.selectionSet, fragments, seen);
  });
}

const alone = () =>
  new AppError(
    'BAD_USER_INPUT',
    text('登录类操作（signIn、refreshSession、switchCommittee、signOut）须单独发送，每次一个', 'A sign-in operation (signIn, refreshSession, switchCommittee, signOut) is sent alone, one field per operation'),
    undefined,
    400,
  );

/**
 * Whether a parsed operation runs without a viewer: exactly one root field, and that one public. A public
 * field beside anything else is refused (BAD_USER_INPUT): it would run in a transaction scoped to a viewer,
 * or give a viewer's field none. Anything not understood here (no such operation) is `viewer`: the normal
 * path then answers it, a missing token first.
 */
export function accessOf(document: DocumentNode, operationName: string | null | undefined, names: Set<string>): Access {
  const op = getOperationAST(document, operationName ?? undefined);
  if (!op || op.operation === 'subscription') return 'viewer';
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const fields = rootFields(op.selectionSet, fragments);
  if (fields.every((f) => META.has(f))) return 'bare';
  const pub = fields.filter((f) => names.has(f));
  if (!pub.length) return 'viewer';
  if (fields.length !== 1) throw alone();
  return 'public';
}

/** Documents seen lately and how they run, by operation name and text: each is parsed here once, not per request. */
const seen = new Map<string, Access | AppError>();
const SEEN_MAX = 1000;
/** Longer texts are worked out every time (the cache stays within a few megabytes). */
const SEEN_KEY_MAX = 4096;

/**
 * accessOf for a request's query text: one that does not parse is `viewer` (its parse error is answered
 * there). A text that names no public field and has no `__` runs for a viewer without being parsed here.
 */
export function accessOfQuery(query: unknown, operationName: unknown, fields: ReturnType<typeof publicFields>, maxTokens: number): Access {
  if (typeof query !== 'string' || (!query.includes('__') && !fields.mentions(query))) return 'viewer';
  const name = typeof operationName === 'string' ? operationName : null;
  const key = `${name ?? ''}\n${query}`;
  let access = seen.get(key);
  if (access === undefined) {
    try {
      access = accessOf(parse(query, { maxTokens }), name, fields.names);
    } catch (e) {
      access = e instanceof AppError ? e : 'viewer';
    }
    if (key.length <= SEEN_KEY_MAX) {
      if (seen.size >= SEEN_MAX) seen.delete(seen.keys().next().value!);
      seen.set(key, access);
    }
  }
  if (access instanceof AppError) throw alone();
  return access;
}
