import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import type { Client } from 'graphql-ws';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
let small: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  small = await startTestApp({ maxResponseBytes: 512 });
});
afterAll(() => Promise.all([app.stop(), small.stop()]));

const TREE = `{ tenants { code name children { code name } } }`;
const validationFailed = (message: string) => ({ errors: [{ message, locations: [{ line: 1, column: expect.any(Number) }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });

function wsRun(client: Client, query: string): Promise<unknown> {
  return new Promise((resolve) => {
    let result: unknown;
    client.subscribe({ query }, { next: (r) => (result = r), error: (e) => resolve({ error: e }), complete: () => resolve(result) });
  });
}

describe('limits on what one operation may ask', () => {
  it('1,000 aliases of the schema: refused by the token limit before anything runs, the limit named', async () => {
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __schema { types { name fields { name } } }`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(45_000);
    const r = await app.as('wh.staff')(query);
    expect({ status: r.status, body: r.body }).toEqual({
      status: 400,
      body: { errors: [{ message: 'Syntax Error: Document contains more than 2000 tokens (MAX_TOKENS). Parsing aborted.', locations: [{ line: 1, column: expect.any(Number) }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] },
    });
  });

  it('more aliases than MAX_ALIASES, counted through fragments: refused, the limit named', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `m${i}: me { role }`).join(' ');
    expect((await app.as('wh.staff')(`{ ${aliases(30)} }`)).body.data.m29).toEqual({ role: 'STAFF' });
    const direct = await app.as('wh.staff')(`{ ${aliases(31)} }`);
    expect({ status: direct.status, body: direct.body }).toEqual({ status: 400, body: validationFailed('Operation uses 31 aliases; the limit is 30 (MAX_ALIASES)') });
    // 8 aliases in a fragment spread under 4 aliases: 4 × 8 + 4 = 36 fields under their own names.
    const spread = await app.as('wh.staff')(`fragment R on Query { ${aliases(8)} } { a: me { tenant { code } } b: me { role } c: me { role } d: me { role } ...R }`);
    expect(spread.status).toBe(200);
    const nested = await app.as('wh.staff')(`fragment R on Tenant { ${Array.from({ length: 8 }, (_, i) => `c${i}: code`).join(' ')} } { a: me { tenant { ...R } } b: me { tenant { ...R } } c: me { tenant { ...R } } d: me { tenant { ...R } } }`);
    expect({ status: nested.status, body: nested.body }).toEqual({ status: 400, body: validationFailed('Operation uses 36 aliases; the limit is 30 (MAX_ALIASES)') });
  });

  it('introspection in good faith: the full introspection query runs; the schema asked twice, or types nested through fields again, are refused', async () => {
    const full = await app.as('wh.staff')(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true }));
    expect({ status: full.status, errors: full.body.errors, types: full.body.data.__schema.types.length > 50 }).toEqual({ status: 200, errors: undefined, types: true });
    const twice = await app.as('wh.staff')(`{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`);
    expect({ status: twice.status, body: twice.body }).toEqual({ status: 400, body: validationFailed('Introspection asks for __schema 2 times; once per operation is the limit') });
    const cycle = await app.as('wh.staff')(`{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`);
    // graphql-js's own MaxIntrospectionDepthRule says so too.
    expect({ status: cycle.status, body: cycle.body }).toEqual({
      status: 400,
      body: { errors: [...validationFailed('Maximum introspection depth exceeded').errors, ...validationFailed('Introspection asks for __Type.fields 3 times; once per operation is the limit').errors] },
    });
  });

  it('an answer larger than MAX_RESPONSE_BYTES is refused with the limit named, and what the operation wrote is rolled back', async () => {
    const tree = await small.as('yn.staff')(TREE);
    expect({ status: tree.status, body: tree.body }).toEqual({
      status: 400,
      body: { errors: [{ message: expect.stringMatching(/^The answer is \d+ bytes; the limit is 512 \(MAX_RESPONSE_BYTES\): ask for fewer fields or a smaller page$/), extensions: { code: 'RESPONSE_TOO_LARGE' } }] },
    });
    const before = (await small.db.query('select count(*)::int n from app_user')).rows[0].n;
    const write = await small.as('pl.staff')(`mutation { addMember(input: { login: "big.answer", displayName: "大", sector: "经济界", term: "第十届" }) { id ${Array.from({ length: 20 }, (_, i) => `t${i}: tenant { code name }`).join(' ')} } }`);
    expect(write.body.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    expect((await small.db.query('select count(*)::int n from app_user')).rows[0].n).toBe(before);
    const ws = await wsRun(small.ws(await small.token('yn.staff')), TREE);
    expect(ws).toEqual({ errors: [{ message: expect.stringMatching(/the limit is 512 \(MAX_RESPONSE_BYTES\)/), extensions: { code: 'RESPONSE_TOO_LARGE' } }] });
  });
});

describe('documents the engine should never see', () => {
  it('a subscription sent by HTTP POST: 400 BAD_REQUEST saying where subscriptions are served', async () => {
    const r = await app.as('wh.member')(`subscription { deliberationEvents(sessionId: "x", afterSeq: 0) { seq } }`);
    expect({ status: r.status, body: r.body }).toEqual({
      status: 400,
      body: { errors: [{ message: 'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP', extensions: { code: 'BAD_REQUEST' } }] },
    });
  });

  it('a 2,000-deep document is refused by the parse limit, over HTTP and WebSocket; one just inside it by the depth limit', async () => {
    const nest = (n: number) => {
      let q = 'code';
      for (let i = 0; i < n; i++) q = `parent { ${q} }`;
      return `{ me { tenant { ${q} } } }`;
    };
    const tooLong = { errors: [{ message: 'Syntax Error: Document contains more than 2000 tokens (MAX_TOKENS). Parsing aborted.', locations: [{ line: 1, column: expect.any(Number) }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] };
    const http = await app.as('wh.staff')(nest(2000));
    expect({ status: http.status, body: http.body }).toEqual({ status: 400, body: tooLong });
    const ws = await wsRun(app.ws(await app.token('wh.staff')), nest(2000));
    expect(ws).toEqual({ error: tooLong.errors });
    const deep = await app.as('wh.staff')(nest(600));
    expect({ status: deep.status, body: deep.body }).toEqual({ status: 400, body: validationFailed('Query is nested 603 levels deep; the limit is 12') });
  });
});
