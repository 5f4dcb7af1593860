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

/** How an operation is run: for a viewer (runInContext, the default) or without one (runPublic). */
export type Access = 'viewer' | 'public';

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
  if (!names.size) return 'viewer';
  const op = getOperationAST(document, operationName ?? undefined);
  if (!op || op.operation === 'subscription') return 'viewer';
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const fields = rootFields(op.selectionSet, fragments);
  const pub = fields.filter((f) => names.has(f));
  if (!pub.length) return 'viewer';
  if (fields.length !== 1) throw alone();
  return 'public';
}

/** accessOf for a request's query text: one that does not parse is `viewer` (its parse error is answered there). */
export function accessOfQuery(query: unknown, operationName: unknown, fields: ReturnType<typeof publicFields>, maxTokens: number): Access {
  if (typeof query !== 'string' || !fields.mentions(query)) return 'viewer';
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch {
    return 'viewer';
  }
  return accessOf(document, typeof operationName === 'string' ? operationName : null, fields.names);
}
