import http from 'node:http';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { getIntrospectionQuery } from 'graphql';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { signToken } from '../../src/core/auth.js';
import { createTracing, traceIdOf } from '../../src/core/tracing.js';
import { loadConfig } from '../../src/core/config.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';

const spans = new InMemorySpanExporter();
const lines: Record<string, any>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
    done();
  },
});

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { spanExporter: spans, log: pino({ level: 'info' }, sink) });
});
afterAll(() => app.stop());

const metricsText = async () => (await fetch(app.url.replace('/graphql', '/metrics'))).text();
/** The value of one series in the Prometheus text (labels in the order the registry prints them). */
const series = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};
const until = async (pred: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 500 && !(await pred()); i++) await new Promise((r) => setTimeout(r, 20));
};

/** Raw HTTP, to see what goes over the wire (fetch decompresses). */
function raw(body: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }> {
  const u = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('/metrics', () => {
  it('counts operations by transport, type, name and outcome, and shows the pool, WebSockets and live subscribers', async () => {
    await app.as('wh.staff')(`query Me { me { role } }`);
    await app.as('wh.staff')(`query Me { me { role } }`);
    await app.as('wh.dept')(`query Members { members { totalCount } }`);
    const idle = app.ws(await app.token('wh.member'));
    await new Promise<void>((resolve) => idle.on('connected', () => resolve()));
    const schedule = await app.as('km.staff')(`mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`, {
      input: { topicTitle: '指标', title: '指标议政', agenda: '一', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T04:00:00Z', participantIds: [] },
    });
    const live = schedule.body.data.scheduleDeliberation.id;
    await app.as('km.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id: live });
    const staffWs = app.ws(await app.token('km.staff'));
    const stop = staffWs.subscribe({ query: `subscription($id: ID!) { deliberationEvents(sessionId: $id, afterSeq: 0) { seq } }`, variables: { id: live } }, { next: () => {}, error: () => {}, complete: () => {} });
    await until(async () => series(await metricsText(), 'cppcc_live_subscriptions') === 1);
    const text = await metricsText();
    expect({
      me: series(text, 'cppcc_graphql_operation_duration_seconds_count{transport="http",type="query",operation="Me",code="OK"}'),
      forbidden: series(text, 'cppcc_graphql_operation_duration_seconds_count{transport="http",type="query",operation="Members",code="FORBIDDEN"}'),
      poolMax: series(text, 'cppcc_db_pool_connections{state="max"}'),
      webSockets: series(text, 'cppcc_websocket_connections'),
      live: series(text, 'cppcc_live_subscriptions'),
      accepted: series(text, 'cppcc_websocket_connects_total{outcome="accepted"}'),
      ok200: (series(text, 'cppcc_http_responses_total{route="/graphql",status="200"}') ?? 0) >= 4,
      process: series(text, 'process_resident_memory_bytes')! > 0,
    }).toEqual({ me: 2, forbidden: 1, poolMax: 20, webSockets: 2, live: 1, accepted: 2, ok200: true, process: true });
    expect(text).toContain('cppcc_graphql_operation_duration_seconds_bucket{le="0.005",transport="http",type="query",operation="Me",code="OK"}');
    stop();
    await until(async () => series(await metricsText(), 'cppcc_live_subscriptions') === 0);
    expect(series(await metricsText(), 'cppcc_live_subscriptions')).toBe(0);
  });
});

describe('tracing', () => {
  it('is off unless an exporter is configured', () => {
    expect(loadConfig({}).tracesExporter).toBe('none');
    expect(createTracing(loadConfig({})).enabled).toBe(false);
    expect(createTracing(loadConfig({ OTEL_TRACES_EXPORTER: 'console' })).enabled).toBe(true);
    // Off, a caller's trace id still reaches the log line.
    const off = createTracing(loadConfig({}));
    expect(traceIdOf(off.requestSpan('POST /graphql', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf(off.requestSpan('POST /graphql', {}))).toBeUndefined();
  });

  it('a request with a traceparent is a server span in the caller\'s trace, named after its operation', async () => {
    spans.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const token = await app.token('wh.staff');
    const r = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${parent}-01` },
      body: JSON.stringify({ query: 'query Me { me { role } }' }),
    });
    expect(r.status).toBe(200);
    await until(() => spans.getFinishedSpans().length > 0);
    const [span] = spans.getFinishedSpans();
    expect({
      name: span!.name,
      kind: span!.kind,
      traceId: span!.spanContext().traceId,
      parent: span!.parentSpanContext?.spanId,
      attributes: span!.attributes,
      service: span!.resource.attributes['service.name'],
    }).toEqual({
      name: 'query Me',
      kind: SpanKind.SERVER,
      traceId,
      parent,
      attributes: { 'http.request.method': 'POST', 'url.path': '/graphql', 'http.response.status_code': 200, 'db.round_trips': expect.any(Number), 'graphql.operation.type': 'query', 'graphql.operation.name': 'Me', 'cppcc.tenant': '530102' },
      service: 'cppcc-linkage',
    });
    // The log line of the request carries the trace id.
    expect(lines.filter((l) => l.msg === 'graphql' && l.traceId === traceId)).toHaveLength(1);
  });
});

describe('log lines', () => {
  it('each HTTP operation is logged with its HTTP status and error code, also when it is refused before running', async () => {
    lines.length = 0;
    await app.as('wh.staff')(`query Me { me { role } }`);
    await app.as('wh.dept')(`query Members { members { totalCount } }`);
    const ids = (await app.db.query(`select u.id, t.id tid from app_user u, tenant t where u.login = 'wh.staff' and t.code = '530103'`)).rows[0];
    await app.gql(await signToken(TEST_JWT_SECRET, { sub: ids.id, tid: ids.tid }), `query Me { me { role } }`);
    await app.gql(null, `{ me { role } }`);
    const logged = lines.filter((l) => l.msg === 'graphql').map((l) => ({ operation: l.operation, status: l.status, code: l.code, tenant: l.tenant, user: l.user }));
    expect(logged).toEqual([
      { operation: 'Me', status: 200, code: 'OK', tenant: '530102', user: 'wh.staff' },
      { operation: 'Members', status: 200, code: 'FORBIDDEN', tenant: '530102', user: 'wh.dept' },
      { operation: null, status: 403, code: 'FORBIDDEN', tenant: undefined, user: undefined },
      { operation: null, status: 401, code: 'UNAUTHENTICATED', tenant: undefined, user: undefined },
    ]);
  });

  it('WebSocket connect, refusal, subscribe and close are logged', async () => {
    lines.length = 0;
    const client = app.ws(await app.token('pl.staff'));
    await new Promise<void>((resolve, reject) => client.subscribe({ query: 'query Who { me { role } }' }, { next: () => {}, error: reject, complete: resolve }));
    await client.dispose();
    const refused = app.ws('not-a-token');
    await new Promise<void>((resolve) => refused.on('closed', () => resolve()));
    await until(() => lines.some((l) => l.msg === 'websocket closed'));
    const ws = lines.filter((l) => l.msg.startsWith('websocket')).map((l) => ({ msg: l.msg, tenant: l.tenant, user: l.user, operation: l.operation, type: l.type, code: l.code }));
    expect(ws).toEqual([
      { msg: 'websocket connected', tenant: '530103', user: 'pl.staff', operation: undefined, type: undefined, code: undefined },
      { msg: 'websocket subscribe', tenant: undefined, user: undefined, operation: 'Who', type: 'query', code: undefined },
      { msg: 'websocket closed', tenant: '530103', user: 'pl.staff', operation: undefined, type: undefined, code: 1000 },
      { msg: 'websocket refused', tenant: undefined, user: undefined, operation: undefined, type: undefined, code: 'UNAUTHENTICATED' },
    ]);
  });
});

describe('HTTP answers', () => {
  it('large answers are compressed for a client that accepts it; small ones are not', async () => {
    const token = await app.token('wh.staff');
    const large = await raw(JSON.stringify({ query: getIntrospectionQuery() }), { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' });
    const text = gunzipSync(large.bytes).toString('utf8');
    expect({ status: large.status, encoding: large.headers['content-encoding'], smaller: large.bytes.length * 3 < text.length, types: JSON.parse(text).data.__schema.types.length > 50 }).toEqual({
      status: 200,
      encoding: 'gzip',
      smaller: true,
      types: true,
    });
    const small = await raw(JSON.stringify({ query: '{ me { role } }' }), { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' });
    expect({ encoding: small.headers['content-encoding'], body: JSON.parse(small.bytes.toString('utf8')) }).toEqual({ encoding: undefined, body: { data: { me: { role: 'STAFF' } } } });
  });

  it('the cost of an operation: in extensions when asked for (GraphQL-Cost: report), in x-graphql-cost always', async () => {
    const token = await app.token('wh.staff');
    const query = '{ me { role } members(first: 5) { totalCount edges { node { sector } } } }';
    const asked = await raw(JSON.stringify({ query }), { authorization: `Bearer ${token}`, 'graphql-cost': 'report' });
    const body = JSON.parse(asked.bytes.toString('utf8'));
    expect({ header: asked.headers['x-graphql-cost'], extensions: body.extensions }).toEqual({ header: String(body.extensions.cost.complexity), extensions: { cost: { complexity: expect.any(Number), limit: 5000 } } });
    expect(body.extensions.cost.complexity).toBeGreaterThan(5);
    const plain = await raw(JSON.stringify({ query }), { authorization: `Bearer ${token}` });
    expect({ header: plain.headers['x-graphql-cost'], extensions: JSON.parse(plain.bytes.toString('utf8')).extensions }).toEqual({ header: asked.headers['x-graphql-cost'], extensions: undefined });
    const ws = app.ws(token);
    const over = await new Promise<any>((resolve, reject) => {
      let last: unknown;
      ws.subscribe({ query, extensions: { cost: 'report' } }, { next: (r) => (last = r), error: reject, complete: () => resolve(last) });
    });
    expect(over.extensions).toEqual(body.extensions);
  });
});
