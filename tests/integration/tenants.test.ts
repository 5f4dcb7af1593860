import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const TREE = `query Tree($code: String!) {
  tenant(code: $code) {
    code name level depth committeeName parent { code }
    children { code level parent { code } children { code level parent { code } } }
  }
}`;

describe('committee tree', () => {
  it('me: user, role and acting committee', async () => {
    const r = await app.as('wh.staff')(`{ me { role user { login displayName role homeTenant { code } } tenant { code name level committeeName } seats { id } } }`);
    expect(r.body).toEqual({
      data: {
        me: {
          role: 'STAFF',
          user: { login: 'wh.staff', displayName: '陈雪梅', role: 'STAFF', homeTenant: { code: '530102' } },
          tenant: { code: '530102', name: '五华区', level: 'COUNTY', committeeName: '五华区政协' },
          seats: [],
        },
      },
    });
  });

  it('a member with seats at two levels acts for either, as MEMBER', async () => {
    const q = `{ me { role tenant { code } seats { tenant { code } sector } } }`;
    const seats = [
      { tenant: { code: '530102' }, sector: '中国民主同盟' },
      { tenant: { code: '530100' }, sector: '中国民主同盟' },
    ];
    expect((await app.as('wh.member')(q)).body.data.me).toEqual({ role: 'MEMBER', tenant: { code: '530102' }, seats });
    expect((await app.as('wh.member', '530100')(q)).body.data.me).toEqual({ role: 'MEMBER', tenant: { code: '530100' }, seats });
  });

  it('tenants: the province roots, with ancestors of a county', async () => {
    const r = await app.as('wh.staff')(`{ tenants { code name level parent { code } }
      tenant(code: "530103") { ancestors { code name } } }`);
    expect(r.body.data).toEqual({
      tenants: [
        { code: '130000', name: '河北省', level: 'PROVINCE', parent: null },
        { code: '530000', name: '云南省', level: 'PROVINCE', parent: null },
      ],
      tenant: { ancestors: [{ code: '530000', name: '云南省' }, { code: '530100', name: '昆明市' }] },
    });
  });

  it('the whole 云南 tree: 16 cities, 129 counties, each child naming its parent', async () => {
    const r = await app.as('yn.staff')(TREE, { code: '530000' });
    const root = r.body.data.tenant;
    expect(root).toMatchObject({ code: '530000', name: '云南省', level: 'PROVINCE', depth: 0, committeeName: '云南省政协', parent: null });
    expect(root.children).toHaveLength(16);
    const counties = root.children.flatMap((c: any) => c.children);
    expect(counties).toHaveLength(129);
    for (const c of root.children) {
      expect(c).toMatchObject({ level: 'CITY', parent: { code: '530000' } });
      for (const k of c.children) expect(k).toEqual({ code: k.code, level: 'COUNTY', parent: { code: c.code } });
    }
    expect(root.children.find((c: any) => c.code === '530100').children.map((k: any) => k.code)).toEqual([
      '530102', '530103', '530111', '530112', '530113', '530114', '530115', '530124', '530125', '530126', '530127', '530128', '530129', '530181',
    ]);
  });

  it('loads the tree in a bounded number of SQL statements that does not grow with fan-out', async () => {
    const big = await app.as('yn.staff')(TREE, { code: '530000' });
    const small = await app.as('yn.staff')(TREE, { code: '130000' });
    const leaf = await app.as('yn.staff')(TREE, { code: '530102' });
    const count = (r: { headers: Headers }) => Number(r.headers.get('x-sql-statements'));
    expect(big.body.data.tenant.children.length).toBeGreaterThan(small.body.data.tenant.children.length);
    console.log(`committee tree with parents and children: 云南 ${count(big)} SQL statements, 河北 ${count(small)}, one county ${count(leaf)}`);
    // begin, RLS settings with the viewer (one round trip), committee, then one statement per tree level, commit.
    expect(count(big)).toBeLessThanOrEqual(10);
    expect(count(big)).toBe(count(small));
    expect(count(leaf)).toBeLessThanOrEqual(count(big));
  });

  it('node(id:) fetches a committee; a malformed code is BAD_USER_INPUT', async () => {
    const id = (await app.db.query(`select id from tenant where code = '530103'`)).rows[0].id;
    const r = await app.as('wh.staff')(`query($id: ID!) { node(id: $id) { id ... on Tenant { code name } } }`, { id: toGlobalId('Tenant', id) });
    expect(r.body).toEqual({ data: { node: { id: toGlobalId('Tenant', id), code: '530103', name: '盘龙区' } } });
    const bad = await app.as('wh.staff')(`{ tenant(code: "5301") { code } }`);
    expect(bad.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const none = await app.as('wh.staff')(`{ tenant(code: "999999") { code } }`);
    expect(none.body).toEqual({ data: { tenant: null } });
  });
});
