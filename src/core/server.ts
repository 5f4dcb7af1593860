import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { WebSocketServer } from 'ws';
import { createSourceEventStream, execute, parse, specifiedRules, validate, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import { runInContext, type AppDeps, type Context, type SubscriptionContext } from './context.js';
import type { Application } from './module.js';
import { Notifier } from './notifier.js';
import { formatError } from './errors.js';
import { complexityError, complexityOf, depthLimitRule } from './limits.js';
import { requestStore } from './request-store.js';
import { buildAppSchema } from './schema.js';
import { verifyAuthorization } from './auth.js';
import { serveGraphqlWs } from './ws-transport.js';
import { isLiveSource } from './live-source.js';
import { attachFrames, mapResults, selectionKey, sharedExecution, sharedPayload, type LiveChannel } from './live-fanout.js';

export interface App {
  url: string;
  port: number;
  httpServer: http.Server;
  /** This instance's LISTEN/NOTIFY connection. */
  notifier: Notifier;
  /** Stop accepting, finish in-flight requests, close subscriptions. Does not close the ORM. */
  close(): Promise<void>;
}

/** What an HTTP operation's execution says about itself, for its commit and its log line. */
interface Outcome {
  ok: boolean;
  operation: string | null;
}

/** Extra HTTP routes (the console, exports, the explorer), mounted before /graphql; they reach data only through `deps`. */
export type HttpMount = (app: express.Express, api: { schema: GraphQLSchema; deps: AppDeps }) => void;

export async function createApp(config: Config, orm: MikroORM, jwtSecret: string, clock: Clock, log: Logger, application: Application, mount?: HttpMount): Promise<App> {
  const schema = await buildAppSchema(application.resolvers);
  const instanceId = randomUUID();
  const notifier = new Notifier(orm.config.getClientUrl(), log, instanceId);
  await notifier.start();
  const deps: AppDeps = { orm, kernel: application.kernel, jwtSecret, clock, config, log, notifier, instanceId };
  // By the request's EntityManager: Apollo hands resolvers and plugins a shallow copy of the context.
  const outcomes = new WeakMap<object, Outcome>();
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
  mount?.(app, { schema, deps });

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

  // The operation's part of a request: its complexity budget, and whether its answer is free of errors (the
  // request's transaction commits only then; see the /graphql route).
  const operationPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ request, document, operationName }) {
          const value = complexityOf(schema, document, operationName ?? undefined, request.variables);
          if (value !== null && value > config.maxComplexity) throw complexityError(value, config.maxComplexity);
        },
        async willSendResponse({ response, operationName }) {
          const body = response.body;
          outcomes.set(contextValue.em, { ok: body.kind === 'single' && !body.singleResult.errors?.length, operation: operationName ?? null });
        },
      };
    },
  };

  // No compression: live frames are written as ready-made bytes (ws-transport), which a negotiated
  // permessage-deflate would make invalid; a client that asks for it gets plain frames.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024, perMessageDeflate: false });
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
          try {
            const authorization = (args.contextValue as { authorization?: string }).authorization;
            const result = await runInContext(
              deps,
              authorization,
              requestId,
              async (ctx) => (await execute({ ...args, contextValue: ctx })) as ExecutionResult,
              (r) => !r.errors?.length,
            );
            return result.errors ? { ...result, errors: result.errors.map((e) => formatAsError(e, log, requestId)) } : result;
          } catch (e) {
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
    { keepAliveMs: 12_000, maxBufferedBytes: config.wsMaxBufferedBytes, framing: config.wsFraming, log },
  );

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthRule],
    formatError: (formatted, error) => formatError(formatted, error, log, requestStore.getStore()?.requestId),
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      operationPlugin,
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

  // One request, one transaction (runInContext): Apollo executes inside it, the transaction commits only when
  // the answer is free of errors, and the answer leaves after the commit. A context that cannot be built (no
  // or a bad token) is handed to Apollo as a failing context, so it answers in the error model.
  app.use('/graphql', express.json({ limit: config.bodyLimit }), async (req, res, next) => {
    try {
      const store = requestStore.getStore()!;
      const started = process.hrtime.bigint();
      const httpGraphQLRequest = toApolloRequest(req);
      let response: Awaited<ReturnType<typeof apollo.executeHTTPGraphQLRequest>>;
      let outcome: Outcome | undefined;
      let ctx: Context | undefined;
      try {
        ({ response, outcome, ctx } = await runInContext(
          deps,
          req.headers.authorization,
          store.requestId,
          async (c) => {
            const r = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => c });
            return { response: r, outcome: outcomes.get(c.em), ctx: c };
          },
          (r) => r.outcome?.ok === true,
        ));
      } catch (e) {
        response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest,
          context: async () => {
            throw e;
          },
        });
      }
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.setHeader('x-sql-statements', String(store.sqlStatements));
      // Answers depend on who asks: never cached.
      res.setHeader('cache-control', 'no-store');
      res.statusCode = response.status ?? 200;
      if (outcome && ctx) {
        ctx.log.info({ operation: outcome.operation, ok: outcome.ok, ms: Number(process.hrtime.bigint() - started) / 1e6, sql: store.sqlStatements }, 'graphql');
      }
      if (response.body.kind === 'complete') {
        res.send(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (e) {
      next(e);
    }
  });
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

/** The request as Apollo's HTTP layer takes it (what @as-integrations/express5 builds). */
function toApolloRequest(req: express.Request): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const q = req.url.indexOf('?');
  return { method: req.method.toUpperCase(), headers, search: q >= 0 ? req.url.slice(q) : '', body: req.body };
}

function formatAsError(e: unknown, log: Logger, requestId: string): GraphQLError {
  const gql = e instanceof GraphQLError ? e : new GraphQLError('error', { originalError: e as Error });
  const f = formatError(gql.toJSON(), gql, log, requestId);
  return new GraphQLError(f.message, { path: f.path, extensions: f.extensions });
}
