import http from 'node:http';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import compression from 'compression';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { WebSocketServer } from 'ws';
import { createSourceEventStream, execute, getOperationAST, parse, specifiedRules, validate, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import { runInContext, runPublic, runVerified, type AppDeps, type BareContext, type ClientInfo, type Context, type PublicContext, type SubscriptionContext } from './context.js';
import { accessOf, accessOfQuery, publicFields } from './public-operation.js';
import type { Application } from './module.js';
import { Notifier } from './notifier.js';
import { AppError, ErrorCode, RETRY_AFTER_SECONDS, TextGraphQLError, formatError, isDatabaseUnavailable, localeOf, refusal, say, text, type Locale } from './errors.js';
import { complexityError, complexityOf, depthLimitRule, operationShapeRule, parseLimitMessage, responseTooLarge } from './limits.js';
import { requestStore } from './request-store.js';
import { buildAppSchema } from './schema.js';
import { serveGraphqlWs, type WsExtra } from './ws-transport.js';
import { isLiveSource } from './live-source.js';
import { attachFrames, mapResults, selectionKey, sharedExecution, sharedPayload, type LiveChannel } from './live-fanout.js';
import { Metrics } from './metrics.js';
import { createTracing, traceIdOf } from './tracing.js';

export interface App {
  url: string;
  port: number;
  httpServer: http.Server;
  /** This instance's LISTEN/NOTIFY connection. */
  notifier: Notifier;
  metrics: Metrics;
  /**
   * Stop accepting, answer what is in flight (telling keep-alive clients to close), close WebSockets with
   * 1001, then stop GraphQL and the notification connection. Connections still open after
   * `shutdownGraceMs` are cut. Does not close the ORM.
   */
  close(): Promise<void>;
}

export interface AppOptions {
  /** Where trace spans go, whatever OTEL_TRACES_EXPORTER says (tests hand in an in-memory exporter). */
  spanExporter?: SpanExporter;
  /** Extra HTTP routes (the console, exports, the explorer), mounted before /graphql. */
  mount?: HttpMount;
}

/** What an HTTP operation's execution says about itself, for its commit, its log line and its metrics. */
interface Outcome {
  ok: boolean;
  operation: string | null;
  type: string | null;
  /** `OK` or the first error's code. */
  code: string;
  /** Complexity of the operation (null: not worked out, e.g. it did not validate). */
  cost: number | null;
}

/** What an operation runs with: a viewer's context, a sign-in operation's, or one that reads no data (core/public-operation.ts). */
type AnyContext = Context | PublicContext | BareContext;

/** Extra HTTP routes (the console, exports, the explorer), mounted before /graphql; they reach data only through `deps`. */
export type HttpMount = (app: express.Express, api: { schema: GraphQLSchema; deps: AppDeps }) => void;

/** Asking for an operation's cost in `extensions` (as Hot Chocolate does): the `GraphQL-Cost: report` header over HTTP, `extensions: { cost: "report" }` over WebSocket. */
const COST_REPORT = /^\s*report\s*$/i;

/** Sent instead of executing a subscription that came by HTTP. */
const subscriptionOverHttp = () =>
  new TextGraphQLError(text('订阅须通过 /graphql 上的 WebSocket（graphql-transport-ws）进行，不支持 HTTP', 'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP'), { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

const firstCode = (errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string => (errors?.length ? String(errors[0]!.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) : 'OK');

export async function createApp(config: Config, orm: MikroORM, jwtSecret: string, clock: Clock, log: Logger, application: Application, options: AppOptions = {}): Promise<App> {
  const schema = await buildAppSchema(application.resolvers);
  const publicRoot = publicFields(schema);
  const instanceId = randomUUID();
  const notifier = new Notifier(orm.config.getClientUrl(), log, instanceId);
  await notifier.start();
  const deps: AppDeps = { orm, kernel: application.kernel, jwtSecret, clock, config, log, notifier, instanceId };
  // By the request's logger, made for every request and kind of context: Apollo hands resolvers and plugins a
  // shallow copy of the context.
  const outcomes = new WeakMap<object, Outcome>();
  const depthRule = depthLimitRule(config.maxDepth);
  const shapeRule = operationShapeRule(config.maxAliases);
  const parseOptions = { maxTokens: config.maxTokens };
  const tracing = createTracing(config, options.spanExporter);
  /** graphql-ws's per-socket state, for the live-subscription gauge and the close log line. */
  const sockets = new Set<{ subscriptions: Record<string, unknown> }>();
  const metrics = new Metrics({
    pool: () => {
      const pool = (orm.em.getConnection().getKnex().client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number; numPendingCreates(): number; max: number } }).pool;
      return pool ? { used: pool.numUsed(), free: pool.numFree(), pendingAcquires: pool.numPendingAcquires(), pendingCreates: pool.numPendingCreates(), max: pool.max } : null;
    },
    webSockets: () => wsServer.clients.size,
    liveSubscriptions: () => {
      let n = 0;
      for (const s of sockets) for (const sub of Object.values(s.subscriptions)) if (sub) n++;
      return n;
    },
  });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let draining = false;
  /** Responses not yet finished: told to close their connection when a drain begins. */
  const inFlight = new Set<http.ServerResponse>();

  // Request id, the per-request store (SQL statement count, trace span) and the drain for every route.
  app.use((req, res, next) => {
    const requestId = String(req.headers['x-request-id'] ?? '').slice(0, 64) || randomUUID();
    res.setHeader('x-request-id', requestId);
    // While draining, every answer tells its keep-alive client to close: the connection ends after it.
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    requestStore.run({ requestId, sqlStatements: 0, locale: localeOf(req.headers['accept-language']) }, next);
  });
  // Large answers compressed (gzip, deflate or br, as the client accepts); small ones are not worth it.
  app.use(compression({ threshold: 2048 }));
  options.mount?.(app, { schema, deps });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'unavailable', reason: 'shutting down' });
      return;
    }
    try {
      await withTimeout(orm.em.getConnection().execute('select 1'), 2000, 'no answer within 2 s');
      res.json({ status: 'ready' });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      res.status(503).setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      res.json({ status: 'unavailable', reason: 'database unreachable', detail: err.code ?? err.message ?? String(e) });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  // Routes of modules outside GraphQL (sign-in and token refresh run before there is a viewer).
  for (const mount of application.routes) {
    const router = express.Router();
    mount(router, deps);
    app.use(router);
  }

  // The operation's part of a request: refusals before execution (a subscription by HTTP, the complexity
  // budget), its cost when asked for, and whether its answer is free of errors (the request's transaction
  // commits only then; see the /graphql route).
  const operationPlugin: ApolloServerPlugin<AnyContext> = {
    async requestDidStart({ contextValue }) {
      const outcome: Outcome = { ok: false, operation: null, type: null, code: 'OK', cost: null };
      outcomes.set(contextValue.log, outcome);
      return {
        async didResolveOperation({ request, document, operationName, operation }) {
          outcome.operation = operationName ?? null;
          outcome.type = operation?.operation ?? null;
          if (operation?.operation === 'subscription') throw subscriptionOverHttp();
          const value = complexityOf(schema, document, operationName ?? undefined, request.variables);
          outcome.cost = value;
          if (value !== null && value > config.maxComplexity) throw complexityError(value, config.maxComplexity);
        },
        async willSendResponse({ request, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          outcome.ok = body.kind === 'single' && !errors?.length;
          outcome.code = body.kind === 'single' ? firstCode(errors) : 'OK';
          // The database went away during execution: the same answer as when it was gone before.
          if (errors?.some((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
          }
          if (body.kind === 'single' && outcome.cost !== null && COST_REPORT.test(request.http?.headers.get('graphql-cost') ?? '')) {
            body.singleResult.extensions = { ...body.singleResult.extensions, cost: { complexity: outcome.cost, limit: config.maxComplexity } };
          }
        },
      };
    },
  };

  // No compression: live frames are written as ready-made bytes (ws-transport), which a negotiated
  // permessage-deflate would make invalid; a client that asks for it gets plain frames.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024, perMessageDeflate: false });
  /** What a socket's log lines say about it once its connection is accepted. */
  const who = new WeakMap<WsExtra, { connectionId: string; tenant?: string; user?: string; openedAt: number }>();
  const wsCleanup = serveGraphqlWs<{ authorization?: string }>(
    {
      schema,
      // The whole context is built once at connect (token, account, committee, seat), as for a request: a
      // token that could run nothing is refused here, and graphql-ws closes the socket with 4403 Forbidden.
      onConnect: async (c) => {
        const connectionId = randomUUID();
        const facts = { connectionId, openedAt: Date.now(), ip: c.extra.request.socket.remoteAddress };
        try {
          const viewer = await runInContext(deps, c.connectionParams?.authorization, connectionId, async (ctx) => ({ tenant: ctx.tenant.code, user: ctx.viewer.user.login }));
          who.set(c.extra, { ...facts, ...viewer });
          sockets.add(c);
          metrics.wsConnect('accepted');
          log.info({ ...facts, ...viewer }, 'websocket connected');
          return true;
        } catch (e) {
          if (e instanceof AppError && (e.code === ErrorCode.UNAUTHENTICATED || e.code === ErrorCode.FORBIDDEN)) {
            metrics.wsConnect('refused');
            log.info({ ...facts, code: e.code, reason: e.message }, 'websocket refused');
            return false;
          }
          if (isDatabaseUnavailable(e)) {
            metrics.wsConnect('unavailable');
            log.warn({ ...facts, err: e }, 'websocket refused: database unavailable');
            // RFC 6455 "Try Again Later": the client may reconnect shortly.
            c.extra.socket.close(1013, 'Database unavailable; try again later');
            return false;
          }
          throw e;
        }
      },
      onSubscribe: async (c, id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, parseOptions);
        } catch (e) {
          const err = e as GraphQLError;
          return [new GraphQLError(parseLimitMessage(err.message), { source: err.source, positions: err.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, [...specifiedRules, depthRule, shapeRule]);
        if (errors.length) return errors.map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
        const value = complexityOf(schema, document, payload.operationName ?? undefined, payload.variables ?? undefined);
        if (value !== null && value > config.maxComplexity) return [complexityError(value, config.maxComplexity)];
        const op = getOperationAST(document, payload.operationName ?? undefined);
        log.info({ connectionId: who.get(c.extra)?.connectionId, id, operation: op?.name?.value ?? payload.operationName ?? null, type: op?.operation ?? null }, 'websocket subscribe');
        const live: LiveChannel = { id, sendFrames: c.extra.sendFrames };
        const wantCost = COST_REPORT.test(String((payload.extensions as { cost?: unknown } | undefined)?.cost ?? ''));
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: { authorization: c.connectionParams?.authorization, live, cost: wantCost ? value : null, locale: localeOf(c.extra.request.headers['accept-language']), client: clientOf(c.extra.request) },
        };
      },
      onClose: (c, code, reason) => {
        sockets.delete(c);
        const facts = who.get(c.extra);
        if (facts) log.info({ connectionId: facts.connectionId, tenant: facts.tenant, user: facts.user, code, reason: reason || undefined, ms: Date.now() - facts.openedAt }, 'websocket closed');
      },
      // Queries and mutations over the socket run like HTTP ones: one transaction, one scope, the same limits.
      execute: async (args: ExecutionArgs) => {
        const requestId = randomUUID();
        const started = process.hrtime.bigint();
        const operation = getOperationAST(args.document, args.operationName ?? undefined);
        const locale = (args.contextValue as { locale?: Locale }).locale ?? 'zh';
        return requestStore.run({ requestId, sqlStatements: 0, locale }, async () => {
          let result: ExecutionResult;
          try {
            const { authorization, cost, client } = args.contextValue as { authorization?: string; cost?: number | null; client: ClientInfo };
            // A sign-in operation runs without the socket's viewer, as over HTTP (core/public-operation.ts).
            const run = <T,>(fn: (ctx: AnyContext) => Promise<T>, ok: (r: T) => boolean) => {
              const access = accessOf(args.document, args.operationName, publicRoot.names);
              if (access === 'bare') return runVerified(deps, authorization, requestId, fn);
              return access === 'public' ? runPublic(deps, client, requestId, fn, ok) : runInContext(deps, authorization, requestId, fn, ok);
            };
            result = await run(
              async (ctx) => {
                const r = (await execute({ ...args, contextValue: ctx })) as ExecutionResult;
                const bytes = Buffer.byteLength(JSON.stringify(r));
                if (bytes > config.maxResponseBytes) return { errors: [responseTooLarge(bytes, config.maxResponseBytes)] };
                return cost != null ? { ...r, extensions: { ...r.extensions, cost: { complexity: cost, limit: config.maxComplexity } } } : r;
              },
              (r) => !r.errors?.length,
            );
            if (result.errors) result = { ...result, errors: result.errors.map((e) => formatAsError(e, log, requestId)) };
          } catch (e) {
            result = { errors: [formatAsError(refusal(e), log, requestId)] };
          }
          const code = firstCode(result.errors as GraphQLError[] | undefined);
          metrics.operation('ws', operation?.operation ?? null, args.operationName ?? operation?.name?.value ?? null, code, Number(process.hrtime.bigint() - started) / 1e9);
          return result;
        });
      },
      // Subscriptions are long-lived: their resolvers build a context per read (SubscriptionContext), and
      // every error they yield goes through the same error model. Each event is executed once per distinct
      // selection (see sharedExecution) and the result is shared by every subscriber that asked the same. A
      // source may end a stream with an error (a token that expired): it is sent as the stream's last result.
      subscribe: async (args: ExecutionArgs) => {
        const contextValue: SubscriptionContext = {
          authorization: (args.contextValue as { authorization?: string }).authorization,
          deps,
          operationId: randomUUID(),
        };
        const locale = (args.contextValue as { locale?: Locale }).locale ?? 'zh';
        const fmt = (r: ExecutionResult): ExecutionResult =>
          r.errors ? { ...r, errors: r.errors.map((e) => formatAsError(e, log, contextValue.operationId, locale)) } : r;
        const source = await createSourceEventStream({ ...args, contextValue });
        if (!(Symbol.asyncIterator in source)) return fmt(source as ExecutionResult);
        const key = selectionKey(args.document, args.operationName ?? undefined, args.variableValues ?? undefined);
        const result = (payload: unknown) => {
          if (payload instanceof GraphQLError) return fmt({ errors: [payload] });
          const r = sharedExecution(payload, key, () => execute({ ...args, contextValue, rootValue: payload }));
          return r instanceof Promise ? r.then(fmt) : fmt(r);
        };
        const live = (args.contextValue as { live?: LiveChannel }).live;
        if (live && isLiveSource(source)) {
          attachFrames(source, live, (payload) => (payload instanceof GraphQLError ? Buffer.from(JSON.stringify(result(payload)), 'utf8') : sharedPayload(payload, key, () => result(payload))));
          return source as AsyncGenerator<ExecutionResult>;
        }
        return mapResults(source as AsyncGenerator<unknown>, result);
      },
    },
    wsServer,
    { keepAliveMs: 12_000, maxBufferedBytes: config.wsMaxBufferedBytes, framing: config.wsFraming, log },
  );

  const apollo = new ApolloServer<AnyContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    parseOptions,
    validationRules: [depthRule, shapeRule],
    formatError: (formatted, error) => {
      const f = formatError(formatted, error, log, requestStore.getStore()?.requestId);
      return f.extensions?.code === 'GRAPHQL_PARSE_FAILED' ? { ...f, message: parseLimitMessage(f.message) } : f;
    },
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
  // the answer is free of errors (and small enough to send), and the answer leaves after the commit. A context
  // that cannot be built (no or a bad token, no seat, no database) is handed to Apollo as a failing context, so
  // it answers in the error model with the refusal's HTTP status.
  app.use('/graphql', express.json({ limit: config.bodyLimit }), async (req, res, next) => {
    const store = requestStore.getStore()!;
    const started = process.hrtime.bigint();
    const span = tracing.requestSpan(`${req.method} /graphql`, req.headers, { 'http.request.method': req.method, 'url.path': '/graphql' });
    store.span = span;
    let outcome: Outcome | undefined;
    let ctx: AnyContext | undefined;
    let status = 500;
    try {
      const httpGraphQLRequest = toApolloRequest(req);
      let response: HTTPGraphQLResponse;
      try {
        // Sign-in operations (public root fields) run without a viewer; everything else needs one.
        const body = (req.method === 'GET' ? req.query : req.body) as { query?: unknown; operationName?: unknown } | undefined;
        const access = accessOfQuery(body?.query, body?.operationName, publicRoot, config.maxTokens);
        const run = <T,>(fn: (c: AnyContext) => Promise<T>, ok: (r: T) => boolean) => {
          if (access === 'bare') return runVerified(deps, req.headers.authorization, store.requestId, fn);
          return access === 'public' ? runPublic(deps, clientOf(req), store.requestId, fn, ok) : runInContext(deps, req.headers.authorization, store.requestId, fn, ok);
        };
        ({ response, outcome, ctx } = await run(
          async (c) => {
            let r = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => c });
            const o = outcomes.get(c.log);
            if (r.body.kind === 'complete' && o) {
              const bytes = Buffer.byteLength(r.body.string);
              if (bytes > config.maxResponseBytes) {
                const { http: _http, ...extensions } = responseTooLarge(bytes, config.maxResponseBytes).extensions;
                r = jsonResponse(400, { errors: [{ message: say(responseTooLarge(bytes, config.maxResponseBytes).text), extensions }] });
                Object.assign(o, { ok: false, code: 'RESPONSE_TOO_LARGE' });
              }
            }
            return { response: r, outcome: o, ctx: c };
          },
          (r) => r.outcome?.ok === true,
        ));
      } catch (e) {
        const refused = refusal(e);
        response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest,
          context: async () => {
            throw refused;
          },
        });
        outcome = undefined;
        if (response.body.kind === 'complete') {
          const code = firstCode((JSON.parse(response.body.string) as { errors?: { extensions?: Record<string, unknown> }[] }).errors);
          outcome = { ok: false, operation: null, type: null, code, cost: null };
        }
      }
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.setHeader('x-sql-statements', String(store.sqlStatements));
      if (outcome?.cost != null) res.setHeader('x-graphql-cost', String(outcome.cost));
      // Answers depend on who asks: never cached.
      res.setHeader('cache-control', 'no-store');
      status = res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.send(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (e) {
      next(e);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const code = outcome?.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
      const traceId = traceIdOf(span);
      (ctx?.log ?? log.child({ requestId: store.requestId })).info(
        { operation: outcome?.operation ?? null, type: outcome?.type ?? null, status, code, ms: seconds * 1000, sql: store.sqlStatements, ...(traceId ? { traceId } : {}) },
        'graphql',
      );
      metrics.operation('http', outcome?.type ?? null, outcome?.operation ?? null, code, seconds);
      metrics.httpResponse('/graphql', status);
      if (outcome?.operation || outcome?.type) span.updateName(`${outcome.type ?? 'graphql'} ${outcome.operation ?? ''}`.trim());
      span.setAttributes({
        'http.response.status_code': status,
        'db.round_trips': store.sqlStatements,
        ...(outcome?.type ? { 'graphql.operation.type': outcome.type } : {}),
        ...(outcome?.operation ? { 'graphql.operation.name': outcome.operation } : {}),
        ...(ctx?.viewer ? { 'cppcc.tenant': ctx.viewer.tenant.code } : {}),
      });
      tracing.end(span, code === 'OK' ? undefined : code);
    }
  });
  // Body parser failures (too large, not JSON) still answer in the error model.
  app.use((err: { type?: string; status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const tooLarge = err.type === 'entity.too.large';
    const status = tooLarge ? 413 : (err.status ?? 400);
    metrics.httpResponse('/graphql', status);
    res.status(status).json({
      errors: [{ message: say(tooLarge ? text(`请求体超过 ${config.bodyLimit}`, `Request body exceeds ${config.bodyLimit}`) : text('请求体不是有效的 JSON', 'Request body is not valid JSON'), localeOf(_req.headers['accept-language'])), extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as { port: number }).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    httpServer,
    notifier,
    metrics,
    close: () =>
      (closing ??= (async () => {
        draining = true;
        // Stop listening, but not http.Server#close: since Node 19 it also closes idle keep-alive connections
        // at once (see below for why not yet). The callback comes when the last connection has ended.
        const stopped = new Promise<void>((resolve) => net.Server.prototype.close.call(httpServer, () => resolve()));
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
        // Every answer during the drain says `Connection: close`, and Node ends its connection after it, so
        // busy keep-alive clients leave by themselves. Connections idle between requests are closed only
        // after a moment: closing one at the instant its client sends resets that request (it never reached
        // us), and a client that sends within the moment is answered instead.
        let idle: NodeJS.Timeout | undefined;
        const idleFrom = setTimeout(() => {
          httpServer.closeIdleConnections();
          idle = setInterval(() => httpServer.closeIdleConnections(), 50);
        }, Math.min(1000, config.shutdownGraceMs / 2));
        const graceOver = new Promise<'grace over'>((resolve) => setTimeout(() => resolve('grace over'), config.shutdownGraceMs).unref());
        const drained = await Promise.race([stopped.then(() => 'drained' as const), graceOver]);
        clearTimeout(idleFrom);
        clearInterval(idle);
        if (drained === 'grace over') {
          log.warn({ inFlight: inFlight.size, webSockets: wsServer.clients.size }, 'shutdown grace over; cutting the connections still open');
          httpServer.closeAllConnections();
          for (const client of wsServer.clients) client.terminate();
          await stopped;
        }
        await apollo.stop();
        await notifier.close();
        await tracing.shutdown();
      })()),
  };
}

/** The client of an HTTP request or of a WebSocket's upgrade request. */
function clientOf(req: http.IncomingMessage): ClientInfo {
  const ua = req.headers['user-agent'];
  return { address: req.socket.remoteAddress ?? 'unknown', userAgent: typeof ua === 'string' ? ua : null };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

function jsonResponse(status: number, body: unknown): HTTPGraphQLResponse {
  return { status, headers: new HeaderMap([['content-type', 'application/json; charset=utf-8']]), body: { kind: 'complete', string: `${JSON.stringify(body)}\n` } };
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

function formatAsError(e: unknown, log: Logger, requestId: string, locale?: Locale): GraphQLError {
  const gql = e instanceof GraphQLError ? e : new GraphQLError('error', { originalError: e as Error });
  const f = formatError(gql.toJSON(), gql, log, requestId, locale);
  return new GraphQLError(f.message, { path: f.path, extensions: f.extensions });
}
