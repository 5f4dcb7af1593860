import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { WebSocketServer } from 'ws';
import { createSourceEventStream, execute, Kind, parse, print, specifiedRules, validate, visit, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import { buildContext, type AppDeps, type Context, type ContextHandle, type SubscriptionContext } from './context.js';
import { Notifier } from './notifier.js';
import { formatError } from './errors.js';
import { complexityError, complexityOf, depthLimitRule } from './limits.js';
import { requestStore } from './request-store.js';
import { getSchema } from './schema.js';
import { verifyAuthorization } from './auth.js';
import { serveGraphqlWs } from './ws-transport.js';
import { isLiveSource } from './live-source.js';

export interface App {
  url: string;
  port: number;
  httpServer: http.Server;
  /** This instance's LISTEN/NOTIFY connection. */
  notifier: Notifier;
  /** Stop accepting, finish in-flight requests, close subscriptions. Does not close the ORM. */
  close(): Promise<void>;
}

type ApolloContext = Context & { handle: ContextHandle };

export async function createApp(config: Config, orm: MikroORM, jwtSecret: string, clock: Clock, log: Logger): Promise<App> {
  const schema = await getSchema();
  const instanceId = randomUUID();
  const notifier = new Notifier(orm.config.getClientUrl(), log, instanceId);
  await notifier.start();
  const deps: AppDeps = { orm, jwtSecret, clock, config, log, notifier, instanceId };
  const depthRule = depthLimitRule(config.maxDepth);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  // Request id and the per-request store (SQL statement count) for every route.
  app.use((req, res, next) => {
    const requestId = String(req.headers['x-request-id'] ?? '').slice(0, 64) || randomUUID();
    res.setHeader('x-request-id', requestId);
    requestStore.run({ requestId, sqlStatements: 0 }, next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  const transactionPlugin: ApolloServerPlugin<ApolloContext> = {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ request, document, operationName }) {
          const value = complexityOf(schema, document, operationName ?? undefined, request.variables);
          if (value !== null && value > config.maxComplexity) throw complexityError(value, config.maxComplexity);
        },
        async willSendResponse({ response, operationName }) {
          const body = response.body;
          const ok = body.kind === 'single' && !body.singleResult.errors?.length;
          await contextValue.handle.finish(ok);
          const store = requestStore.getStore();
          if (store) response.http.headers.set('x-sql-statements', String(store.sqlStatements));
          // Answers depend on who asks: never cached (the header Apollo's cache-control plugin would set,
          // without its per-field hook on every resolved field).
          response.http.headers.set('cache-control', 'no-store');
          contextValue.log.info(
            { operation: operationName ?? null, ok, ms: Number(process.hrtime.bigint() - started) / 1e6, sql: store?.sqlStatements },
            'graphql',
          );
        },
      };
    },
  };

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const wsCleanup = serveGraphqlWs<{ authorization?: string }>(
    {
      schema,
      // Refused at connect: graphql-ws closes the socket with 4403 Forbidden.
      onConnect: async (c) => {
        try {
          await verifyAuthorization(jwtSecret, c.connectionParams?.authorization);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (c, id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [e as GraphQLError];
        }
        const errors = validate(schema, document, [...specifiedRules, depthRule]);
        if (errors.length) return errors;
        const value = complexityOf(schema, document, payload.operationName ?? undefined, payload.variables ?? undefined);
        if (value !== null && value > config.maxComplexity) return [complexityError(value, config.maxComplexity)];
        const live: LiveChannel = { id, sendFrames: c.extra.sendFrames };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: { authorization: c.connectionParams?.authorization, live },
        };
      },
      // Queries and mutations over the socket run like HTTP ones: one transaction, one scope.
      execute: async (args: ExecutionArgs) => {
        const requestId = randomUUID();
        return requestStore.run({ requestId, sqlStatements: 0 }, async () => {
          let handle: ContextHandle;
          try {
            handle = await buildContext(deps, (args.contextValue as { authorization?: string }).authorization, requestId);
          } catch (e) {
            return { errors: [formatAsError(e, log, requestId)] } as ExecutionResult;
          }
          try {
            const result = (await execute({ ...args, contextValue: handle.ctx })) as ExecutionResult;
            await handle.finish(!result.errors?.length);
            return result.errors ? { ...result, errors: result.errors.map((e) => formatAsError(e, log, requestId)) } : result;
          } catch (e) {
            await handle.finish(false);
            return { errors: [formatAsError(e, log, requestId)] } as ExecutionResult;
          }
        });
      },
      // Subscriptions are long-lived: their resolvers build a context per read (SubscriptionContext), and
      // every error they yield goes through the same error model. Each event is executed once per distinct
      // selection (see sharedExecution) and the result is shared by every subscriber that asked the same.
      subscribe: async (args: ExecutionArgs) => {
        const contextValue: SubscriptionContext = {
          authorization: (args.contextValue as { authorization?: string }).authorization,
          deps,
          operationId: randomUUID(),
        };
        const fmt = (r: ExecutionResult): ExecutionResult =>
          r.errors ? { ...r, errors: r.errors.map((e) => formatAsError(e, log, contextValue.operationId)) } : r;
        const source = await createSourceEventStream({ ...args, contextValue });
        if (!(Symbol.asyncIterator in source)) return fmt(source as ExecutionResult);
        const key = selectionKey(args.document, args.operationName ?? undefined, args.variableValues ?? undefined);
        const result = (payload: unknown) => {
          const r = sharedExecution(payload, key, () => execute({ ...args, contextValue, rootValue: payload }));
          return r instanceof Promise ? r.then(fmt) : fmt(r);
        };
        const live = (args.contextValue as { live?: LiveChannel }).live;
        if (live && isLiveSource(source)) {
          attachFrames(source, live, (payload) => sharedPayload(payload, key, () => result(payload)));
          return source as AsyncGenerator<ExecutionResult>;
        }
        return mapResults(source as AsyncGenerator<unknown>, result);
      },
    },
    wsServer,
    { keepAliveMs: 12_000, maxBufferedBytes: config.wsMaxBufferedBytes, log },
  );

  const apollo = new ApolloServer<ApolloContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthRule],
    formatError: (formatted, error) => formatError(formatted, error, log, requestStore.getStore()?.requestId),
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      transactionPlugin,
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestStore.getStore()!.requestId;
        const handle = await buildContext(deps, req.headers.authorization, requestId);
        return Object.assign(Object.create(null), handle.ctx, { handle }) as ApolloContext;
      },
    }),
  );
  // Body parser failures (too large, not JSON) still answer in the error model.
  app.use((err: { type?: string; status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const tooLarge = err.type === 'entity.too.large';
    res.status(tooLarge ? 413 : (err.status ?? 400)).json({
      errors: [{ message: tooLarge ? `Request body exceeds ${config.bodyLimit}` : 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const port = (httpServer.address() as { port: number }).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    httpServer,
    notifier,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
        await apollo.stop();
        await stopped;
        await notifier.close();
      })()),
  };
}

/**
 * Results of one event, per selection. The live hubs hand the same event object to every subscriber of a
 * stream, and what a subscriber receives depends only on the event and its selection: subscription root
 * fields return their event (their arguments choose the stream at subscribe time, where authorization is
 * checked), and the fields below read the event itself, never the subscriber. So the first subscriber to
 * take an event executes it; the others with the same selection reuse that result.
 */
const executed = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();

function sharedExecution(payload: unknown, key: string, run: () => ExecutionResult | Promise<ExecutionResult>): ExecutionResult | Promise<ExecutionResult> {
  if (typeof payload !== 'object' || payload === null) return run();
  let byKey = executed.get(payload);
  if (!byKey) executed.set(payload, (byKey = new Map()));
  let r = byKey.get(key);
  if (!r) byKey.set(key, (r = run()));
  return r;
}

/** Where a subscription's frames go when its source is live (see attachFrames). */
interface LiveChannel {
  id: string;
  sendFrames(head: Buffer, bodies: Buffer[], tail: Buffer): void;
}

/** The `payload` of a `next` message, serialized and UTF-8 encoded once per event and selection. */
const serialized = new WeakMap<object, Map<string, Buffer | Promise<Buffer>>>();
const encode = (r: ExecutionResult) => Buffer.from(JSON.stringify(r), 'utf8');

function sharedPayload(payload: unknown, key: string, run: () => ExecutionResult | Promise<ExecutionResult>): Buffer | Promise<Buffer> {
  if (typeof payload !== 'object' || payload === null) {
    const r = run();
    return r instanceof Promise ? r.then(encode) : encode(r);
  }
  let byKey = serialized.get(payload);
  if (!byKey) serialized.set(payload, (byKey = new Map()));
  let s = byKey.get(key);
  if (s === undefined) {
    const r = run();
    byKey.set(key, (s = r instanceof Promise ? r.then(encode) : encode(r)));
  }
  return s;
}

const FRAME_TAIL = Buffer.from('}');

/**
 * Writes each event of a live source as a graphql-transport-ws `next` message straight to the socket, in
 * order: the same message graphql-ws would send (`{id, type: "next", payload: result}`), built from the
 * event's shared serialized result; the events handed over together leave in one write. graphql-ws keeps
 * the subscription (its iteration waits for the end and then sends `complete`; the client's `complete` or a
 * closed socket returns the source).
 */
function attachFrames(source: { attach(sink: (values: unknown[]) => void): void }, live: LiveChannel, payloadOf: (v: unknown) => Buffer | Promise<Buffer>): void {
  const head = Buffer.from(`{"id":${JSON.stringify(live.id)},"type":"next","payload":`, 'utf8');
  let pending: Promise<void> | undefined;
  source.attach((values) => {
    const bodies = values.map(payloadOf);
    if (!pending && !bodies.some((b) => b instanceof Promise)) return live.sendFrames(head, bodies as Buffer[], FRAME_TAIL);
    // A result still being computed: later frames wait for it, so the order holds.
    pending = (pending ?? Promise.resolve()).then(() => Promise.all(bodies)).then((ready) => live.sendFrames(head, ready, FRAME_TAIL));
  });
}

/**
 * What decides a subscription's per-event result: the operation's text and the variables used below the
 * root fields. Variables used only as root field arguments (the session, `afterSeq`) choose the stream,
 * not the shape of each event, so subscribers resuming from different points still share.
 */
function selectionKey(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): string {
  const rootArgVars = new Set<string>();
  const usedBelow = new Set<string>();
  let depth = 0;
  let inRootArgs = 0;
  let inOperation = false;
  visit(document, {
    // Fragments count as "below": only the operation's own root fields choose the stream.
    OperationDefinition: { enter: () => void ((depth = 0), (inOperation = true)), leave: () => void (inOperation = false) },
    SelectionSet: { enter: () => void depth++, leave: () => void depth-- },
    Argument: {
      enter: () => void (inOperation && depth === 1 && inRootArgs++),
      leave: () => void (inOperation && depth === 1 && inRootArgs--),
    },
    Variable: (node, _key, parent) => {
      // Declarations in the operation header are not uses.
      if (parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.VARIABLE_DEFINITION) return;
      (inRootArgs > 0 ? rootArgVars : usedBelow).add(node.name.value);
    },
  });
  const vars = Object.entries(variables ?? {})
    .filter(([name]) => usedBelow.has(name) || !rootArgVars.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${operationName ?? ''}\n${print(document)}\n${JSON.stringify(vars)}`;
}

/** Maps each event to its result; no extra promise when the result is at hand (the usual case). */
function mapResults(source: AsyncGenerator<unknown>, fn: (payload: unknown) => ExecutionResult | Promise<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  const step = (r: IteratorResult<unknown>): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
    if (r.done) return { done: true, value: undefined };
    const v = fn(r.value);
    return v instanceof Promise ? v.then((value) => ({ done: false, value })) : { done: false, value: v };
  };
  return {
    next: () => source.next().then(step),
    return: async (v?: unknown) => {
      await source.return(v as never);
      return { done: true, value: undefined };
    },
    throw: (e?: unknown) => source.throw(e) as never,
    [Symbol.asyncIterator]() {
      return this;
    },
    async [Symbol.asyncDispose]() {
      await source.return(undefined as never);
    },
  } as AsyncGenerator<ExecutionResult>;
}

function formatAsError(e: unknown, log: Logger, requestId: string): GraphQLError {
  const gql = e instanceof GraphQLError ? e : new GraphQLError('error', { originalError: e as Error });
  const f = formatError(gql.toJSON(), gql, log, requestId);
  return new GraphQLError(f.message, { path: f.path, extensions: f.extensions });
}
