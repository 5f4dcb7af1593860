import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, recountFigures, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import pg from 'pg';

/** 微建议 and 社会提需求 through the API, on 五华 (530102), its sibling 盘龙 (530103) and its parent 昆明 (530100). */
let app: TestApp;
let noFilter: TestApp;
beforeAll(async () => {
  [app, noFilter] = await Promise.all([startTestApp(), startTestApp({ ormTenantFilter: false, publicNeedsPerAddress: 3 })]);
});
afterAll(() => Promise.all([app.stop(), noFilter.stop()]));

const SUBMIT = `mutation($i: SubmitMicroSuggestionInput!) { submitMicroSuggestion(input: $i) { id status content screenDueAt author { login } tenant { code } } }`;
const SCREEN = `mutation($i: ScreenMicroSuggestionInput!) { screenMicroSuggestion(input: $i) { status screenNote draftKind draftTitle unit { name } } }`;
const REPLY = `mutation($id: ID!, $r: String!) { replyMicroSuggestion(id: $id, reply: $r) { status reply author { login } } }`;
const LIST = `query($f: MicroSuggestionFilter) { microSuggestions(first: 50, filter: $f) { totalCount edges { node { id content status } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on MicroSuggestion { content } } }`;
const userGid = async (a: TestApp, login: string) => toGlobalId('User', (await a.db.query('select id from app_user where login = $1', [login])).rows[0].id);
/** The handling unit a DEPARTMENT account belongs to: its global id and name. */
const unitOf = async (a: TestApp, login: string) => {
  const r = (await a.db.query('select u.id, u.name from app_user x join handling_unit u on u.id = x.unit_id where x.login = $1', [login])).rows[0];
  return { id: toGlobalId('HandlingUnit', r.id), name: r.name as string };
};

describe.each([
  ['with both walls', () => app],
  ['with the ORM filter off (RLS and the services alone)', () => noFilter],
])('micro-suggestions (微建议) %s', (_name, get) => {
  it('a member submits; the office handles, forwards or converts it; the unit replies; each counts in the archive and the roll-up', async () => {
    const a = get();
    a.clock.set(new Date('2026-03-02T02:00:00Z'));
    const texts = ['建议在五华区各社区增设老年助餐点，方便行动不便的老人就近用餐。', '建议翠湖周边增加夜间公交班次。', '建议将小学课后服务延长至下午六点。'];
    const ids: string[] = [];
    for (const content of texts) {
      const r = await a.as('wh.member')(SUBMIT, { i: { content } });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.submitMicroSuggestion).toEqual({ id: expect.any(String), status: 'SUBMITTED', content, screenDueAt: '2026-03-07T02:00:00.000Z', author: { login: 'wh.member' }, tenant: { code: '530102' } });
      ids.push(r.body.data.submitMicroSuggestion.id);
    }
    const deptUnit = await unitOf(a, 'wh.dept');
    const dept = deptUnit.id;
    expect((await a.as('wh.staff')(SCREEN, { i: { id: ids[0], decision: 'HANDLE', note: '已协调街道落实。' } })).body.data.screenMicroSuggestion).toEqual({ status: 'HANDLED', screenNote: '已协调街道落实。', draftKind: null, draftTitle: null, unit: null });
    expect((await a.as('wh.staff')(SCREEN, { i: { id: ids[1], decision: 'FORWARD', note: '请研究答复。', unit: dept } })).body.data.screenMicroSuggestion).toEqual({ status: 'FORWARDED', screenNote: '请研究答复。', draftKind: null, draftTitle: null, unit: { name: deptUnit.name } });
    expect((await a.as('wh.staff')(SCREEN, { i: { id: ids[2], decision: 'CONVERT', note: '宜形成提案。', draftKind: 'PROPOSAL', draftTitle: '关于延长小学课后服务时间的提案' } })).body.data.screenMicroSuggestion).toEqual({ status: 'CONVERTED', screenNote: '宜形成提案。', draftKind: 'PROPOSAL', draftTitle: '关于延长小学课后服务时间的提案', unit: null });
    // Screened once.
    expect(codeOf(await a.as('wh.staff')(SCREEN, { i: { id: ids[0], decision: 'HANDLE', note: '再次' } }))).toBe('INVALID_TRANSITION');
    // The unit sees only what it was sent, without the author, and replies once.
    expect((await a.as('wh.dept')(LIST)).body.data.microSuggestions.edges.map((e: any) => e.node.id)).toEqual([ids[1]]);
    expect(codeOf(await a.as('wh.dept')(REPLY, { id: ids[0], r: '答复' }))).toBe('NOT_FOUND');
    expect((await a.as('wh.dept')(REPLY, { id: ids[1], r: '已增开22路夜班车。' })).body.data.replyMicroSuggestion).toEqual({ status: 'REPLIED', reply: '已增开22路夜班车。', author: null });
    expect(codeOf(await a.as('wh.dept')(REPLY, { id: ids[1], r: '再答复' }))).toBe('INVALID_TRANSITION');
    // Three screened suggestions: three work-suggestion records in the member's archive (beside the template's own).
    const arch = await a.as('wh.member')(`{ dutyArchive(year: 2026) { records { category title } } }`);
    expect(arch.body.data.dutyArchive.records.filter((r: any) => r.category === 'WORK_SUGGESTION' && r.title.startsWith('微建议：')).map((r: any) => r.title).sort()).toEqual(texts.map((t) => `微建议：${t.slice(0, 40)}`).sort());
    const roll = await a.as('km.staff')(`{ rollup(period: "2026-03", code: "530102") { own { metrics { metric value } } } }`);
    const m = Object.fromEntries(roll.body.data.rollup.own.metrics.map((x: any) => [x.metric, x.value]));
    expect({ submitted: m['micro.submitted'] >= 3, screened: m['micro.screened'] >= 3, replied: m['micro.replied'] >= 1 }).toEqual({ submitted: true, screened: true, replied: true });

    // A recount from the records (after bulk loads, or as a repair) gives the same micro-suggestion figures.
    await recountFigures(a);
    const again = Object.fromEntries((await a.as('km.staff')(`{ rollup(period: "2026-03", code: "530102") { own { metrics { metric value } } } }`)).body.data.rollup.own.metrics.map((x: any) => [x.metric, x.value]));
    expect({ submitted: again['micro.submitted'], screened: again['micro.screened'], replied: again['micro.replied'] }).toEqual({ submitted: m['micro.submitted'], screened: m['micro.screened'], replied: m['micro.replied'] });
  });

  it('a member sees their own only; siblings, the parent and another member see none of them by list, node or mutation', async () => {
    const a = get();
    const mine = (await a.as('wh.member')(SUBMIT, { i: { content: '建议大观街道增设便民充电桩。' } })).body.data.submitMicroSuggestion.id;
    const other = await a.createUser(`wh.m${Date.now() % 100000}`, '530102', 'MEMBER');
    const otherLogin = (await a.db.query('select login from app_user where id = $1', [a.uuid(other)])).rows[0].login;
    expect((await a.as(otherLogin)(LIST)).body.data.microSuggestions.totalCount).toBe(0);
    expect((await a.as(otherLogin)(NODE, { id: mine })).body.data.node).toBeNull();
    for (const login of ['pl.staff', 'km.staff', 'yn.staff', 'pl.member']) {
      const list = await a.as(login)(LIST);
      expect({ login, ids: list.body.data.microSuggestions.edges.map((e: any) => e.node.id).filter((id: string) => id === mine) }).toEqual({ login, ids: [] });
      expect({ login, node: (await a.as(login)(NODE, { id: mine })).body.data.node }).toEqual({ login, node: null });
    }
    expect(codeOf(await a.as('pl.staff')(SCREEN, { i: { id: mine, decision: 'HANDLE', note: '越权' } }))).toBe('NOT_FOUND');
    expect(codeOf(await a.as('km.staff')(SCREEN, { i: { id: mine, decision: 'HANDLE', note: '越权' } }))).toBe('NOT_FOUND');
    // Roles: a member cannot screen, staff cannot submit, a unit of another committee cannot be named.
    expect(codeOf(await a.as('wh.member')(SCREEN, { i: { id: mine, decision: 'HANDLE', note: 'x' } }))).toBe('FORBIDDEN');
    expect(codeOf(await a.as('wh.staff')(SUBMIT, { i: { content: '办公室不提微建议。' } }))).toBe('FORBIDDEN');
    expect(codeOf(await a.as('wh.staff')(SCREEN, { i: { id: mine, decision: 'FORWARD', note: 'x', unit: (await unitOf(a, 'pl.dept')).id } }))).toBe('NOT_FOUND');
    expect(codeOf(await a.as('wh.staff')(SCREEN, { i: { id: mine, decision: 'FORWARD', note: 'x' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await a.as('wh.member')(SUBMIT, { i: { content: '长'.repeat(501) } }))).toBe('BAD_USER_INPUT');
    expect((await a.db.query('select status from micro_suggestion where id = $1', [a.uuid(mine)])).rows[0].status).toBe('SUBMITTED');
  });
});

const raise = (a: TestApp, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL('/public/needs', a.url), { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'en', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describe('needs raised by the public (社会提需求)', () => {
  it('accepted without an account, answered with nothing but 202, stored for that one committee; staff screen it into a PUBLIC topic recommendation', async () => {
    const content = '希望政协关注盘龙江沿岸步道照明不足、夜间出行不安全的问题。';
    const r = await raise(app, { committee: '530102', content, contact: '138****0000' });
    expect(r).toEqual({ status: 202, body: { accepted: true } });
    const row = (await app.db.query(`select t.code, n.status, n.contact from public_need n join tenant t on t.id = n.tenant_id where n.content = $1`, [content])).rows;
    expect(row).toEqual([{ code: '530102', status: 'NEW', contact: '138****0000' }]);
    const NEEDS = `{ publicNeeds(first: 20) { edges { node { id content status } } } }`;
    const listed = (await app.as('wh.staff')(NEEDS)).body.data.publicNeeds.edges.map((e: any) => e.node).filter((n: any) => n.content === content);
    expect(listed).toEqual([{ id: expect.any(String), content, status: 'NEW' }]);
    for (const login of ['pl.staff', 'km.staff', 'yn.staff']) {
      expect({ login, seen: (await app.as(login)(NEEDS)).body.data.publicNeeds.edges.filter((e: any) => e.node.content === content) }).toEqual({ login, seen: [] });
    }
    expect(codeOf(await app.as('wh.member')(NEEDS))).toBe('FORBIDDEN');
    const id = listed[0].id;
    const REC = `mutation($i: RecommendPublicNeedInput!) { recommendPublicNeed(input: $i) { status recommendation { id title source status memberName } } }`;
    expect(codeOf(await app.as('pl.staff')(REC, { i: { id, title: '盘龙江步道照明', form: 'COUNTERPART', year: 2026 } }))).toBe('NOT_FOUND');
    const rec = await app.as('wh.staff')(REC, { i: { id, title: '盘龙江沿岸步道照明改善', form: 'COUNTERPART', year: 2026 } });
    expect(rec.body.data.recommendPublicNeed).toEqual({ status: 'RECOMMENDED', recommendation: { id: expect.any(String), title: '盘龙江沿岸步道照明改善', source: 'PUBLIC', status: 'PENDING', memberName: '社会公众' } });
    expect(codeOf(await app.as('wh.staff')(`mutation($id: ID!) { dismissPublicNeed(id: $id, reason: "重复") { status } }`, { id }))).toBe('INVALID_TRANSITION');
    const accepted = await app.as('wh.staff')(`mutation($id: ID!) { acceptTopicRecommendation(id: $id) { status topic { source title } } }`, { id: rec.body.data.recommendPublicNeed.recommendation.id });
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data.acceptTopicRecommendation).toEqual({ status: 'ACCEPTED', topic: { source: 'PUBLIC', title: '盘龙江沿岸步道照明改善' } });
  });

  it('text only, within bounds, for a real committee; refusals write nothing and say why in the error model', async () => {
    const before = (await app.db.query('select count(*)::int n from public_need')).rows[0].n;
    expect((await raise(app, { committee: '999999', content: '这是一条足够长的需求内容。' })).body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await raise(app, { committee: '530102', content: '太短' })).status).toBe(400);
    expect((await raise(app, { committee: '530102', content: 12345678901 })).status).toBe(400);
    expect((await raise(app, { committee: '530102', content: '这是一条足够长的需求内容。', file: 'data:...' })).status).toBe(400);
    expect((await raise(app, 'committee=530102&content=xxxxxxxxxxxx', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(400);
    expect((await raise(app, { committee: '530102', content: '含有\u0000的需求内容内容内容' })).status).toBe(400);
    expect((await app.db.query('select count(*)::int n from public_need')).rows[0].n).toBe(before);
  });

  it('throttled per client address with the PostgreSQL counters: the fourth within the window is refused with Retry-After (limit 3 here), RLS alone keeps it to its committee', async () => {
    for (let i = 0; i < 3; i++) expect((await raise(noFilter, { committee: '530103', content: `第${i}条：希望增加社区图书室开放时间。` })).status).toBe(202);
    const refused = await fetch(new URL('/public/needs', noFilter.url), { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'en' }, body: JSON.stringify({ committee: '530103', content: '第四条：希望增加社区图书室开放时间。' }) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await noFilter.db.query(`select count(*)::int n from public_need where content like '第_条：希望增加社区图书室开放时间。'`)).rows[0].n).toBe(3);
    // With the ORM filter off, 五华's staff still see none of 盘龙's needs: RLS holds on its own.
    const seen = (await noFilter.as('wh.staff')(`{ publicNeeds(first: 50) { edges { node { content } } } }`)).body.data.publicNeeds.edges.filter((e: any) => e.node.content.includes('社区图书室'));
    expect(seen).toEqual([]);
    expect((await noFilter.as('pl.staff')(`{ publicNeeds(first: 50) { totalCount } }`)).body.data.publicNeeds.totalCount).toBeGreaterThanOrEqual(3);
  });
});

describe('public needs, wall two alone (the application role, no ORM, no service)', () => {
  it('the anonymous scope (a committee, no user) inserts its committee’s need and reads none; staff read only their own committee’s', async () => {
    const pg = (await import('pg')).default;
    const ids = Object.fromEntries((await app.db.query(`select code, id, province_id, city_id from tenant where code in ('530102','530103')`)).rows.map((r) => [r.code, r]));
    const staff = (await app.db.query(`select id from app_user where login = 'wh.staff'`)).rows[0].id;
    const c = new pg.Client({ connectionString: app.running.db.appUrl });
    await c.connect();
    const insert = (code: string) =>
      c.query(`insert into public_need (id, tenant_id, province_id, city_id, content, status, received_at) values (gen_random_uuid(), $1, $2, $3, '匿名提交的一条社会需求内容', 'NEW', now())`, [ids[code].id, ids[code].province_id, ids[code].city_id]);
    try {
      await c.query('begin');
      await c.query(`select set_config('app.tenant_id', $1, true), set_config('app.user_id', '', true)`, [ids['530102'].id]);
      await insert('530102');
      expect((await c.query('select count(*)::int n from public_need')).rows[0].n).toBe(0);
      expect((await c.query(`update public_need set status = 'DISMISSED'`)).rowCount).toBe(0);
      await c.query('savepoint s');
      await expect(insert('530103')).rejects.toThrow(/row-level security/);
      await c.query('rollback to savepoint s');
      // The same transaction, now as 五华's staff: its own needs, 盘龙's none.
      await c.query(`select set_config('app.user_id', $1, true)`, [staff]);
      const seen = (await c.query('select distinct tenant_id from public_need')).rows.map((r) => r.tenant_id);
      expect(seen).toEqual([ids['530102'].id]);
      await c.query('rollback');
      await c.query('begin');
      await expect(insert('530102')).rejects.toThrow(/row-level security/);
      await c.query('rollback');
    } finally {
      await c.end();
    }
  });
});
