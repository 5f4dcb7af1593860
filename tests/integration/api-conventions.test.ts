import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { newId } from '../../src/core/ids.js';

/** What front-ends expect of a GraphQL API (issue 12): Relay connections, orderBy, nodes(ids:), typed scalars, the tree in one query. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ maxPageSize: 50 });
});
afterAll(() => app.stop());

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
type Fetch = (args: Record<string, unknown>) => Promise<Page>;

const PAGE = `edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
const ids = (p: Page) => p.edges.map((e) => e.node.id);

/** Every page forward with `first`, checking each page's info; the ids in order. */
async function forward(fetch: Fetch, size: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const p: Page = await fetch({ first: size, after });
    expect(p.pageInfo).toEqual({
      hasNextPage: expect.any(Boolean),
      hasPreviousPage: seen.length > 0,
      startCursor: p.edges[0]?.cursor ?? null,
      endCursor: p.edges.at(-1)?.cursor ?? null,
    });
    seen.push(...ids(p));
    if (!p.pageInfo.hasNextPage) return seen;
    after = p.pageInfo.endCursor;
  }
}

/** Every page backward with `last`, from the end; the ids in list order. */
async function backward(fetch: Fetch, size: number): Promise<string[]> {
  const seen: string[] = [];
  let before: string | null = null;
  for (;;) {
    const p: Page = await fetch({ last: size, before });
    expect(p.pageInfo).toEqual({
      hasNextPage: seen.length > 0,
      hasPreviousPage: expect.any(Boolean),
      startCursor: p.edges[0]?.cursor ?? null,
      endCursor: p.edges.at(-1)?.cursor ?? null,
    });
    seen.unshift(...ids(p));
    if (!p.pageInfo.hasPreviousPage) return seen;
    before = p.pageInfo.startCursor;
  }
}

const PROPOSALS = (order: string) => `query($first: Int, $after: String, $last: Int, $before: String) { proposals(first: $first, after: $after, last: $last, before: $before${order}) { ${PAGE} } }`;
const proposalsAs = (login: string, order = ''): Fetch => async (args) => (await app.as(login)(PROPOSALS(order), args)).body.data.proposals;
const uuidOf = (gid: string) => Buffer.from(gid, 'base64url').toString().split(':')[1]!;

describe('Relay cursor connections', () => {
  it('last/before pages backward through the list forward pages give; hasPreviousPage and startCursor say where a page sits', async () => {
    const all = await forward(proposalsAs('wh.staff'), 3);
    expect(all.length).toBeGreaterThan(6);
    expect(await backward(proposalsAs('wh.staff'), 3)).toEqual(all);
    expect(await backward(proposalsAs('wh.staff'), 50)).toEqual(all);
    // A window between two cursors, from either end.
    const first = await proposalsAs('wh.staff')({ first: 2 });
    const around = await proposalsAs('wh.staff')({ first: 50, after: first.edges[0]!.cursor });
    const window = { after: first.edges[0]!.cursor, before: around.edges[4]!.cursor };
    expect(ids(await proposalsAs('wh.staff')({ first: 50, ...window }))).toEqual(all.slice(1, 5));
    const tail = await proposalsAs('wh.staff')({ last: 2, ...window });
    expect([ids(tail), tail.pageInfo.hasPreviousPage, tail.pageInfo.hasNextPage]).toEqual([all.slice(3, 5), true, true]);
  });

  it('first with last, last over the maximum and a forged cursor are BAD_USER_INPUT', async () => {
    const both = await app.as('wh.staff')(`{ proposals(first: 2, last: 2) { totalCount } }`);
    expect(both.body.errors?.[0]).toMatchObject({ message: 'Give first or last, not both', extensions: { code: 'BAD_USER_INPUT', details: { field: 'last' } } });
    const big = await app.as('wh.staff')(`{ proposals(last: 51) { totalCount } }`);
    expect(big.body.errors?.[0]).toMatchObject({ message: 'last must be at most 50', extensions: { code: 'BAD_USER_INPUT', details: { field: 'last' } } });
    const forged = await app.as('wh.staff')(`{ proposals(before: "bm9wZQ") { totalCount } }`);
    expect(forged.body.errors?.[0]).toMatchObject({ message: 'before is not a valid cursor', extensions: { code: 'BAD_USER_INPUT', details: { field: 'before' } } });
  });
});

describe('orderBy', () => {
  it('proposals by submission date, both ways, forward and backward alike', async () => {
    // Demo rows are made in date order (UUIDv7 from the clock): the newest of 五华's proposals is dated before all
    // the others, so creation order and date order differ.
    await app.db.query(`update proposal p set submitted_at = (select min(submitted_at) from proposal where tenant_id = t.tenant_id) - interval '1 day'
      from (select id, tenant_id from proposal where tenant_id = (select id from tenant where code = '530102') and submitted_at is not null order by id desc limit 1) t where p.id = t.id`);
    const list = (await app.as('wh.staff')(`{ proposals(first: 50) { edges { node { id submittedAt } } } }`)).body.data.proposals.edges.map((e: { node: { id: string; submittedAt: string } }) => e.node);
    const byDate = [...list].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || uuidOf(a.id).localeCompare(uuidOf(b.id))).map((n) => n.id);
    expect(new Set(list.map((n: { submittedAt: string }) => n.submittedAt)).size).toBeGreaterThan(5);
    expect(byDate).not.toEqual(list.map((n: { id: string }) => n.id));
    const asc = proposalsAs('wh.staff', ', orderBy: { field: SUBMITTED_AT }');
    const desc = proposalsAs('wh.staff', ', orderBy: { field: SUBMITTED_AT, direction: DESC }');
    expect(await forward(asc, 4)).toEqual(byDate);
    expect(await backward(asc, 4)).toEqual(byDate);
    expect(await forward(desc, 4)).toEqual([...byDate].reverse());
    expect(await backward(desc, 5)).toEqual([...byDate].reverse());
  });

  it("a cursor of one order is refused by another: BAD_USER_INPUT naming the argument", async () => {
    const plain = await proposalsAs('wh.staff')({ first: 1 });
    const r = await app.as('wh.staff')(`query($a: String) { proposals(after: $a, orderBy: { field: SUBMITTED_AT }) { totalCount } }`, { a: plain.pageInfo.endCursor });
    expect(r.body.errors?.[0]).toMatchObject({ message: 'after is not a valid cursor', extensions: { code: 'BAD_USER_INPUT', details: { field: 'after' } } });
  });

  it('public-opinion reports by submission date', async () => {
    const list = (await app.as('km.staff')(`{ opinions(first: 50) { edges { node { id submittedAt } } } }`)).body.data.opinions.edges.map((e: { node: { id: string; submittedAt: string } }) => e.node);
    expect(list.length).toBeGreaterThan(5);
    const byDate = [...list].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt) || uuidOf(b.id).localeCompare(uuidOf(a.id))).map((n) => n.id);
    const fetch: Fetch = async (args) =>
      (await app.as('km.staff')(`query($first: Int, $after: String, $last: Int, $before: String) { opinions(first: $first, after: $after, last: $last, before: $before, orderBy: { field: SUBMITTED_AT, direction: DESC }) { ${PAGE} } }`, args)).body.data.opinions;
    expect(await forward(fetch, 4)).toEqual(byDate);
    expect(await backward(fetch, 3)).toEqual(byDate);
  });

  it('members by name, and by score for a year (no archive counts as 0)', async () => {
    for (const name of ['赵六', '钱七', '孙八', '李九', '周十']) {
      expect(codeOf(await app.as('wh.staff')(`mutation($i: AddMemberInput!) { addMember(input: $i) { id } }`, { i: { login: `wh.o.${newId().slice(-8)}`, displayName: name, sector: '经济界', term: '第十届' } }))).toBeUndefined();
    }
    const members = (order: string): Fetch => async (args) =>
      (await app.as('wh.staff')(`query($first: Int, $after: String, $last: Int, $before: String) { members(first: $first, after: $after, last: $last, before: $before, orderBy: ${order}) { ${PAGE} } }`, args)).body.data.members;
    const expected = async (orderSql: string) =>
      (
        await app.db.query(
          `select s.id from member_seat s join tenant t on t.id = s.tenant_id left join app_user u on u.id = s.user_id and u.tenant_id = s.tenant_id
             left join duty_archive d on d.seat_id = s.id and d.year = 2026 where t.code = '530102' order by ${orderSql}`,
        )
      ).rows.map((r) => toGlobalId('MemberSeat', r.id));
    const byName = await expected(`coalesce(u.display_name, ''), s.id`);
    expect(byName.length).toBe(9);
    expect(await forward(members('{ field: NAME }'), 2)).toEqual(byName);
    expect(await backward(members('{ field: NAME }'), 4)).toEqual(byName);
    expect(await forward(members('{ field: NAME, direction: DESC }'), 3)).toEqual([...byName].reverse());
    const byScore = await expected(`coalesce(d.score, 0) desc, s.id desc`);
    const scores = (await app.db.query(`select count(distinct d.score)::int n from duty_archive d join tenant t on t.id = d.tenant_id where t.code = '530102' and d.year = 2026`)).rows[0].n;
    expect(scores).toBeGreaterThan(1);
    expect(await forward(members('{ field: SCORE, direction: DESC, year: 2026 }'), 2)).toEqual(byScore);
    expect(await backward(members('{ field: SCORE, direction: DESC, year: 2026 }'), 3)).toEqual(byScore);
    // The year is part of the order: a cursor of 2026's scores is no cursor of 2025's.
    const p = await members('{ field: SCORE, direction: DESC, year: 2026 }')({ first: 1 });
    const other = await app.as('wh.staff')(`query($a: String) { members(after: $a, orderBy: { field: SCORE, year: 2025 }) { totalCount } }`, { a: p.pageInfo.endCursor });
    expect(codeOf(other)).toBe('BAD_USER_INPUT');
  });
});

describe('nodes(ids:)', () => {
  it('fetches several records in the order asked; null for a missing, a foreign or a malformed id', async () => {
    const own = (await app.as('wh.staff')(`{ proposals(first: 2) { edges { node { id title } } } }`)).body.data.proposals.edges.map((e: { node: unknown }) => e.node);
    const foreign = (await app.as('pl.staff')(`{ proposals(first: 1) { edges { node { id } } } }`)).body.data.proposals.edges[0].node.id;
    const tenant = (await app.as('wh.staff')(`{ me { tenant { id code } } }`)).body.data.me.tenant;
    const r = await app.as('wh.staff')(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Proposal { title } ... on Tenant { code } } }`, {
      ids: [own[1].id, foreign, toGlobalId('Proposal', newId()), tenant.id, 'not-an-id', own[0].id],
    });
    expect(r.body).toEqual({ data: { nodes: [own[1], null, null, tenant, null, own[0]] } });
  });

  it('more ids than a page holds is BAD_USER_INPUT', async () => {
    const r = await app.as('wh.staff')(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array.from({ length: 51 }, () => 'x') });
    expect(r.body.errors?.[0]).toMatchObject({ message: 'ids must hold at most 50 ids', extensions: { code: 'BAD_USER_INPUT', details: { field: 'ids' } } });
  });
});

describe('schema conventions', () => {
  it('the date scalars say what they follow (specifiedByURL); the root types are described', async () => {
    // One `__type` per operation: introspection is asked in good faith (MAX_TOKENS and the introspection limit).
    const as = app.as('wh.staff');
    const [a, b, root] = await Promise.all([
      as(`{ a: __type(name: "DateTime") { specifiedByURL } }`),
      as(`{ b: __type(name: "LocalDate") { specifiedByURL } }`),
      as(`{ __schema { queryType { description } mutationType { description } subscriptionType { description } } }`),
    ]);
    expect({ ...a.body.data, ...b.body.data, ...root.body.data }).toEqual({
      a: { specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time' },
      b: { specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6' },
      __schema: {
        queryType: { description: expect.stringContaining('(查询)') },
        mutationType: { description: expect.stringContaining('(变更)') },
        subscriptionType: { description: expect.stringContaining('(实时订阅)') },
      },
    });
  });

  it('the whole three-level committee tree comes in one query within the default complexity budget', async () => {
    const r = await app.as('wh.staff')(`{ tenants { id code name level children { id code name level children { id code name level } } } }`);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const flat = (ts: { code: string; children?: unknown[] }[]): string[] => ts.flatMap((t) => [t.code, ...flat((t.children ?? []) as never)]);
    const codes = flat(r.body.data.tenants);
    const all = (await app.db.query(`select code from tenant order by code`)).rows.map((x) => x.code);
    expect(codes.sort()).toEqual(all);
    // One level more of children than the tree has is still over the budget.
    const deeper = await app.as('wh.staff')(`{ tenants { children { children { children { code } } } } }`);
    expect([deeper.status, codeOf(deeper)]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
  });
});
