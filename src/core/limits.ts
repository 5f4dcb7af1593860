import {
  GraphQLError,
  Kind,
  type ASTNode,
  type ASTVisitor,
  type OperationDefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { createRequire } from 'node:module';
import { AppError, TextGraphQLError, text, type Text } from './errors.js';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';

// The package's ESM build imports graphql's .mjs files, while type-graphql builds the schema with graphql's
// CommonJS build; two graphql realms cannot share a schema. Its CommonJS build uses the one realm.
const { getComplexity, fieldExtensionsEstimator, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

const limitError = (message: Text, node: ASTNode) => new TextGraphQLError(message, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

/**
 * Rejects operations nested deeper than `max` fields (fragments followed; introspection below `__schema` and
 * `__type` is bounded by goodFaithIntrospectionRule instead). A fragment's depth is worked out once, however
 * often it is spread, so a document of fragments spreading each other twice costs its size, not 2ⁿ.
 */
export function depthLimitRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const fragmentDepth = new Map<string, number>();
    const visiting = new Set<string>();
    const depthOf = (set: SelectionSetNode | undefined): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          if (s.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(s.selectionSet));
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(s.selectionSet));
        } else {
          const name = s.name.value;
          const f = fragments.get(name);
          // A cycle is NoFragmentCyclesRule's to report; here it adds nothing.
          if (!f || visiting.has(name)) continue;
          let d = fragmentDepth.get(name);
          if (d === undefined) {
            visiting.add(name);
            d = depthOf(f.selectionSet);
            visiting.delete(name);
            fragmentDepth.set(name, d);
          }
          deepest = Math.max(deepest, d);
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet);
        if (depth > max) context.reportError(limitError(text(`查询嵌套 ${depth} 层，上限为 ${max} 层`, `Query is nested ${depth} levels deep; the limit is ${max}`), node));
      },
    };
  };
}

/** Introspection fields that fan out over the schema: each may be asked once per operation. */
const INTROSPECTION_ONCE = new Set(['Query.__schema', 'Query.__type', '__Type.fields', '__Type.inputFields', '__Type.interfaces', '__Type.possibleTypes', '__Type.enumValues', '__Field.args', '__Directive.args']);

/** What one operation or fragment holds, fragments it spreads not yet added: aliases, and the introspection fields above. */
interface Counts {
  aliases: number;
  introspection: Map<string, number>;
  spreads: string[];
}

/**
 * Per operation, counted through the fragments it spreads (a fragment spread twice counts twice, each
 * fragment is counted once): at most `maxAliases` aliases, and introspection in good faith (graphql-java's
 * GoodFaithIntrospection): `__schema`, `__type` and each of the lists that walk the schema again
 * (`__Type.fields`, `…interfaces`, `__Field.args`, …) at most once. The full introspection query of
 * graphql-js's getIntrospectionQuery asks each once; 1,000 aliases of `__schema`, or types reached again
 * through their fields, are refused before they run.
 */
export function operationShapeRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    const byOwner = new Map<string, Counts>();
    const operations: { key: string; node: OperationDefinitionNode }[] = [];
    let owner: Counts | undefined;
    const open = (key: string) => {
      owner = { aliases: 0, introspection: new Map(), spreads: [] };
      byOwner.set(key, owner);
    };
    return {
      OperationDefinition: {
        enter(node) {
          const key = `operation:${operations.length}`;
          operations.push({ key, node });
          open(key);
        },
        leave: () => void (owner = undefined),
      },
      FragmentDefinition: {
        enter: (node) => open(`fragment:${node.name.value}`),
        leave: () => void (owner = undefined),
      },
      Field(node) {
        if (!owner) return;
        if (node.alias) owner.aliases++;
        const parent = context.getParentType();
        const key = `${parent && parent === context.getSchema().getQueryType() ? 'Query' : (parent?.name ?? '')}.${node.name.value}`;
        if (INTROSPECTION_ONCE.has(key)) owner.introspection.set(key, (owner.introspection.get(key) ?? 0) + 1);
      },
      FragmentSpread(node) {
        owner?.spreads.push(node.name.value);
      },
      Document: {
        leave() {
          const totals = new Map<string, Counts>();
          const visiting = new Set<string>();
          const total = (key: string): Counts => {
            const done = totals.get(key);
            if (done) return done;
            const own = byOwner.get(key);
            const sum: Counts = { aliases: own?.aliases ?? 0, introspection: new Map(own?.introspection), spreads: [] };
            if (own && !visiting.has(key)) {
              visiting.add(key);
              for (const name of own.spreads) {
                const f = `fragment:${name}`;
                if (visiting.has(f) || !byOwner.has(f)) continue;
                const t = total(f);
                sum.aliases += t.aliases;
                for (const [k, n] of t.introspection) sum.introspection.set(k, (sum.introspection.get(k) ?? 0) + n);
              }
              visiting.delete(key);
            }
            totals.set(key, sum);
            return sum;
          };
          for (const { key, node } of operations) {
            const t = total(key);
            if (t.aliases > maxAliases) context.reportError(limitError(text(`操作使用了 ${t.aliases} 个别名，上限为 ${maxAliases}（MAX_ALIASES）`, `Operation uses ${t.aliases} aliases; the limit is ${maxAliases} (MAX_ALIASES)`), node));
            for (const [field, n] of t.introspection) {
              if (n > 1) context.reportError(limitError(text(`内省查询 ${field.replace(/^Query\./, '')} 出现 ${n} 次，每个操作最多一次`, `Introspection asks for ${field.replace(/^Query\./, '')} ${n} times; once per operation is the limit`), node));
            }
          }
        },
      },
    };
  };
}

/** graphql's parser stops here; its message gets the variable's name (and loses a typo). */
export function parseLimitMessage(message: string): string {
  return message.replace(/Document contains more that (\d+) tokens\. Parsing aborted\./, 'Document contains more than $1 tokens (MAX_TOKENS). Parsing aborted.');
}

/** An answer too large to send: replaced by this error (HTTP 400), and the operation's writes rolled back. */
export function responseTooLarge(bytes: number, max: number): AppError {
  return new AppError('RESPONSE_TOO_LARGE', text(`响应为 ${bytes} 字节，超过上限 ${max}（MAX_RESPONSE_BYTES）：请减少字段或缩小分页`, `The answer is ${bytes} bytes; the limit is ${max} (MAX_RESPONSE_BYTES): ask for fewer fields or a smaller page`), undefined, 400);
}

/** Lists multiply what they hold: `first` when given, else the field's own estimate, else a small constant. */
const pageEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + args.first * Math.max(childComplexity, 1);
  return undefined;
};

/**
 * Complexities worked out, by document (Apollo's document store hands out the same parsed document for the
 * same text), then by schema, operation name and variables: the same operation with the same variables costs
 * the same every time, and walking it is a good part of a small request's CPU.
 */
const complexities = new WeakMap<DocumentNode, WeakMap<GraphQLSchema, Map<string, number | null>>>();
/** Per document: how many variable sets are kept, and up to what length of their JSON. */
const PER_DOCUMENT = 64;
const KEY_MAX = 1024;

/** Null when the variables do not fit the operation: execution then reports that as BAD_USER_INPUT. */
export function complexityOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): number | null {
  const key = `${operationName ?? ''}\n${variables ? JSON.stringify(variables) : ''}`;
  let bySchema = complexities.get(document);
  if (!bySchema) complexities.set(document, (bySchema = new WeakMap()));
  let known = bySchema.get(schema);
  if (!known) bySchema.set(schema, (known = new Map()));
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  let value: number | null;
  try {
    value = computeComplexity(schema, document, operationName, variables);
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    value = null;
  }
  if (key.length <= KEY_MAX) {
    if (known.size >= PER_DOCUMENT) known.delete(known.keys().next().value!);
    known.set(key, value);
  }
  return value;
}

function computeComplexity(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
  return getComplexity({
    schema,
    query: document,
    operationName,
    variables: variables ?? {},
    estimators: [pageEstimator, fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

export function complexityError(value: number, max: number): GraphQLError {
  return new TextGraphQLError(text(`查询复杂度 ${value} 超过上限 ${max}`, `Query complexity ${value} exceeds the limit of ${max}`), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
}
