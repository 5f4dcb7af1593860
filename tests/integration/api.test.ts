import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ maxPageSize: 50 });
});
afterAll(() => app.stop());

const ADD = `mutation($input: AddMemberInput!) { addMember(input: $input) { id sector title term status user { login displayName } tenant { code } } }`;
const users = () => app.db.query('select count(*)::int n from app_user').then((r) => r.rows[0].n as number);
const seats = () => app.db.query('select count(*)::int n from member_seat').then((r) => r.rows[0].n as number);

describe('writes', () => {
  it('addMember creates the account and the seat on the acting committee', async () => {
    const r = await app.as('pl.staff')(ADD, { input: { login: 'pl.m.new', displayName: '张云', sector: '文化艺术界', term: '第十届' } });
    expect(r.body).toEqual({
      data: {
        addMember: {
          id: expect.any(String),
          sector: '文化艺术界',
          title: null,
          term: '第十届',
          status: 'ACTIVE',
          user: { login: 'pl.m.new', displayName: '张云' },
          tenant: { code: '530103' },
        },
      },
    });
  });

  it('invalid input: BAD_USER_INPUT naming the fields, nothing written', async () => {
    const [u, s] = [await users(), await seats()];
    const r = await app.as('pl.staff')(ADD, { input: { login: 'x', displayName: '', sector: 'a'.repeat(65), term: '第十届' } });
    expect(r.body).toEqual({
      data: null,
      errors: [
        {
          message: 'Input is not valid',
          path: ['addMember'],
          locations: expect.any(Array),
          extensions: {
            code: 'BAD_USER_INPUT',
            details: {
              fields: [
                { field: 'login', messages: ['login must be 3–64 letters, digits, dot, dash or underscore'] },
                { field: 'displayName', messages: ['displayName must be longer than or equal to 1 characters'] },
                { field: 'sector', messages: ['sector must be shorter than or equal to 64 characters'] },
              ],
            },
          },
        },
      ],
    });
    expect([await users(), await seats()]).toEqual([u, s]);
  });

  it('a missing required field or wrong enum is refused before execution', async () => {
    const r = await app.as('pl.staff')(ADD, { input: { login: 'abc.def', displayName: '某', sector: '界' } });
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    const e = await app.as('pl.staff')(`mutation { updateMember(id: "x", input: { status: GONE }) { id } }`);
    expect(codeOf(e)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a taken login is CONFLICT and leaves nothing half-written', async () => {
    const [u, s] = [await users(), await seats()];
    const r = await app.as('pl.staff')(ADD, { input: { login: 'wh.staff', displayName: '重名', sector: '经济界', term: '第十届' } });
    expect(r.body.errors).toEqual([{ message: 'Login wh.staff is already taken', path: ['addMember'], locations: expect.any(Array), extensions: { code: 'CONFLICT' } }]);
    expect([await users(), await seats()]).toEqual([u, s]);
  });

  it('an operation with any error writes nothing, even its successful parts', async () => {
    const [u, s] = [await users(), await seats()];
    const r = await app.as('pl.staff')(`mutation {
      a: addMember(input: { login: "pl.ok.one", displayName: "甲", sector: "经济界", term: "第十届" }) { id }
      b: addMember(input: { login: "wh.staff", displayName: "乙", sector: "经济界", term: "第十届" }) { id }
    }`);
    expect(codeOf(r)).toBe('CONFLICT');
    expect([await users(), await seats()]).toEqual([u, s]);
  });

  it('an id of the wrong type or malformed is BAD_USER_INPUT', async () => {
    const tenantId = (await app.as('pl.staff')(`{ me { tenant { id } } }`)).body.data.me.tenant.id;
    for (const id of [tenantId, 'not-an-id']) {
      const r = await app.as('pl.staff')(`mutation($id: ID!) { removeMember(id: $id) }`, { id });
      expect(r.body.errors?.[0]).toMatchObject({ message: 'id is not a MemberSeat id', extensions: { code: 'BAD_USER_INPUT', details: { field: 'id' } } });
    }
  });
});

describe('cursor connections', () => {
  it('pages forward with first/after until hasNextPage is false, totalCount constant', async () => {
    const Q = `query($after: String) { members(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    const total = (await app.db.query(`select count(*)::int n from member_seat s join tenant t on t.id = s.tenant_id where t.code = '530102'`)).rows[0].n;
    for (;;) {
      const r: any = await app.as('wh.staff')(Q, { after });
      const c = r.body.data.members;
      expect(c.totalCount).toBe(total);
      seen.push(...c.edges.map((e: any) => e.node.id));
      expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)?.cursor ?? null);
      pages++;
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 2));
  });

  it('refuses a page larger than the maximum and a forged cursor', async () => {
    const big = await app.as('wh.staff')(`{ members(first: 51) { totalCount } }`);
    expect(big.body.errors?.[0]).toMatchObject({ message: 'first must be at most 50', extensions: { code: 'BAD_USER_INPUT' } });
    const cur = await app.as('wh.staff')(`{ members(after: "bm9wZQ") { totalCount } }`);
    expect(cur.body.errors?.[0]).toMatchObject({ message: 'after is not a valid cursor', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('filters by status and sector', async () => {
    const r = await app.as('wh.staff')(`{ members(filter: { sector: "医药卫生界", status: ACTIVE }) { totalCount edges { node { sector status } } } }`);
    expect(r.body).toEqual({ data: { members: { totalCount: 1, edges: [{ node: { sector: '医药卫生界', status: 'ACTIVE' } }] } } });
  });
});

describe('limits', () => {
  it('refuses operations nested too deep', async () => {
    const deep = `{ tenants { children { children { parent { parent { children { children { parent { parent { children { children { parent { code } } } } } } } } } } } } }`;
    const r = await app.as('wh.staff')(deep);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]).toMatchObject({ message: 'Query is nested 13 levels deep; the limit is 12', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('refuses operations that are too complex', async () => {
    const r = await app.as('wh.staff')(`{ tenants { children { children { children { children { code } } } } } }`);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.message).toMatch(/^Query complexity \d+ exceeds the limit of 5000$/);
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a body over the size limit with 413', async () => {
    const r = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { role } }`, pad: 'x'.repeat(200_000) }) });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ errors: [{ message: '请求体超过 100kb', extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('an unexpected failure reaches the client without SQL, stack or detail', async () => {
    // Break the database underneath this request's scope: the error must be generic.
    // (Not member_seat: every request reads the viewer's seat while its context is built.)
    await app.db.query('alter table proposal rename to proposal_gone');
    try {
      const r = await app.as('wh.staff')(`{ proposals { totalCount edges { node { id } } } }`);
      expect(r.body.errors).toEqual([{ message: 'Internal server error', path: expect.any(Array), locations: expect.any(Array), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } }]);
      expect(r.body.data).toBeNull();
      expect(JSON.stringify(r.body)).not.toMatch(/proposal_gone|select|relation|\.ts|stack/i);
    } finally {
      await app.db.query('alter table proposal_gone rename to proposal');
    }
  });
});

describe('operations endpoints', () => {
  it('healthz and readyz answer', async () => {
    const base = app.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });
});
