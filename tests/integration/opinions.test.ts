import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { newId } from '../../src/core/ids.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // The template carries a year of demo activity; these tests count from a clean slate.
  await app.db.query('truncate proposal, opinion, opinion_route, duty_record, duty_archive, stat_counter, stat_deadline, stat_item, stat_item_member');
});
afterAll(() => app.stop());

const SUBMIT = `mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) { id source status tenant { code } } }`;
const FORWARD = `mutation($id: ID!, $to: String!) { forwardOpinion(id: $id, to: $to) { id } }`;
const ADOPT = `mutation($id: ID!) { adoptOpinion(id: $id) { id } }`;
const INSTRUCT = `mutation($id: ID!, $input: InstructOpinionInput!) { instructOpinion(id: $id, input: $input) { id } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Opinion { id title levels { depth tenant { code } adoptedAt instruction } } } }`;
const routes = (id: string) => app.db.query('select count(*)::int n from opinion_route where opinion_id = $1', [Buffer.from(id, 'base64url').toString().split(':')[1]]).then((r) => r.rows[0].n as number);

const ok = (r: { body: { errors?: unknown[] } }) => expect(r.body.errors).toBeUndefined();

async function submit(login = 'wh.member') {
  const r = await app.as(login)(SUBMIT, { input: { title: '关于农村寄宿制学校营养餐的建议', content: '部分山区寄宿制学校营养餐标准偏低，建议提高补助标准并加强监管。' } });
  return r.body.data.submitOpinion.id as string;
}

describe('public-opinion reports (社情民意信息)', () => {
  it('climbs one level at a time; each level adopts and instructs; the receiving level sees it, others do not', async () => {
    const id = await submit();
    const seen = async (login: string) => (await app.as(login)(NODE, { id })).body.data.node;
    expect(await seen('km.staff')).toBeNull();
    expect((await app.as('wh.staff')(FORWARD, { id, to: '530100' })).body).toEqual({ data: { forwardOpinion: { id } } });
    expect(await seen('km.staff')).toEqual({ id, title: '关于农村寄宿制学校营养餐的建议', levels: [{ depth: 1, tenant: { code: '530100' }, adoptedAt: null, instruction: null }] });
    for (const login of ['yn.staff', 'pl.staff']) expect(await seen(login)).toBeNull();
    const received = await app.as('km.staff')(`{ opinions(first: 50, received: true) { edges { node { id author { login } } } } }`);
    expect(received.body.data.opinions.edges).toContainEqual({ node: { id, author: null } });
    expect((await app.as('km.leader')(ADOPT, { id })).body).toEqual({ data: { adoptOpinion: { id } } });
    expect((await app.as('km.staff')(FORWARD, { id, to: '530000' })).body.errors).toBeUndefined();
    expect((await app.as('yn.staff')(ADOPT, { id })).body.errors).toBeUndefined();
    expect((await app.as('yn.leader')(INSTRUCT, { id, input: { instruction: '请省教育厅研究办理。', by: '李文华' } })).body.errors).toBeUndefined();
    expect(await seen('yn.staff')).toEqual({ id, title: '关于农村寄宿制学校营养餐的建议', levels: [{ depth: 0, tenant: { code: '530000' }, adoptedAt: '2026-03-01T02:00:00.000Z', instruction: '请省教育厅研究办理。' }] });
    expect((await seen('wh.staff')).levels.map((l: any) => [l.tenant.code, !!l.adoptedAt])).toEqual([['530102', false], ['530100', true], ['530000', true]]);
    // Adopted at two levels: two automatic records in the author's archive on 五华区.
    const recs = await app.db.query(`select r.category, t.code from duty_record r join tenant t on t.id = r.tenant_id join duty_archive a on a.id = r.archive_id join app_user u on u.id = a.user_id where u.login = 'wh.member' and r.category = 'OPINION'`);
    expect(recs.rows).toEqual([{ category: 'OPINION', code: '530102' }, { category: 'OPINION', code: '530102' }]);
    const r = await app.as('yn.staff')(`{ rollup(period: "2026-Q1", code: "530102") { own { metrics { metric value } } } }`);
    const own = Object.fromEntries(r.body.data.rollup.own.metrics.map((m: any) => [m.metric, m.value]));
    expect([own['opinion.submitted'], own['opinion.adopted'], own['opinion.adopted.city'], own['opinion.adopted.province'], own['opinion.instructed']]).toEqual([1, 2, 1, 1, 1]);
  });

  it('forwarded twice, skipping a level, or from a level that does not hold it: coded errors, nothing written', async () => {
    const id = await submit();
    const skip = await app.as('wh.staff')(FORWARD, { id, to: '530000' });
    expect(skip.body.errors?.[0]).toMatchObject({ message: 'a report goes up one level at a time, to 530100', extensions: { code: 'BAD_USER_INPUT' } });
    expect(await routes(id)).toBe(1);
    await app.as('wh.staff')(FORWARD, { id, to: '530100' });
    const twice = await app.as('wh.staff')(FORWARD, { id, to: '530100' });
    expect(twice.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION', details: { from: 'FORWARDED', to: 'FORWARDED' } } });
    expect(codeOf(await app.as('yn.staff')(FORWARD, { id, to: '530000' }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('pl.staff')(ADOPT, { id }))).toBe('NOT_FOUND');
    await app.as('km.staff')(ADOPT, { id });
    expect(codeOf(await app.as('km.staff')(ADOPT, { id }))).toBe('INVALID_TRANSITION');
    expect(await routes(id)).toBe(2);
    const missing = await app.as('km.staff')(ADOPT, { id: toGlobalId('Opinion', newId()) });
    expect(missing.body.errors).toEqual((await app.as('pl.staff')(ADOPT, { id })).body.errors);
  });

  it('one report adopted by the county, the city and the province is one adopted report: the adoption rate is a share of reports', async () => {
    app.clock.set(new Date('2026-04-02T02:00:00Z'));
    await app.db.query('truncate opinion, opinion_route, stat_counter, stat_once');
    const id = await submit('wh.member');
    await submit('m530102.001');
    ok(await app.as('wh.staff')(ADOPT, { id }));
    ok(await app.as('wh.staff')(FORWARD, { id, to: '530100' }));
    ok(await app.as('km.staff')(ADOPT, { id }));
    ok(await app.as('km.staff')(FORWARD, { id, to: '530000' }));
    app.clock.set(new Date('2026-05-06T02:00:00Z'));
    ok(await app.as('yn.staff')(ADOPT, { id }));
    const figures = async (code: string, period: string) => {
      const r = (await app.as('yn.staff')(`query($c: String!, $p: String!) { rollup(code: $c, period: $p) { own { metrics { metric value } rates { rate numerator denominator value } } subtree { rates { rate numerator denominator value } } } }`, { c: code, p: period })).body.data.rollup;
      const m = Object.fromEntries(r.own.metrics.map((x: any) => [x.metric, x.value]));
      const rate = (f: any) => f.rates.find((x: any) => x.rate === 'opinion.adoption_rate');
      return {
        adoptions: [m['opinion.adopted'], m['opinion.adopted.county'], m['opinion.adopted.city'], m['opinion.adopted.province']],
        adoptedReports: m['opinion.adopted_of_submitted'],
        own: rate(r.own),
        subtree: rate(r.subtree),
      };
    };
    const share = { rate: 'opinion.adoption_rate', numerator: 1, denominator: 2, value: 0.5 };
    // April: two reports, one adopted (at three levels, the last in May); the adoptions are counted as they happened.
    expect(await figures('530102', '2026-04')).toEqual({ adoptions: [2, 1, 1, 0], adoptedReports: 1, own: share, subtree: share });
    expect(await figures('530102', '2026-Q2')).toEqual({ adoptions: [3, 1, 1, 1], adoptedReports: 1, own: share, subtree: share });
    expect(await figures('530102', '2026-05')).toEqual({ adoptions: [1, 0, 0, 1], adoptedReports: 0, own: { ...share, numerator: 0, denominator: 0, value: null }, subtree: { ...share, numerator: 0, denominator: 0, value: null } });
    for (const code of ['530100', '530000']) {
      const f = await figures(code, '2026-Q2');
      expect({ code, subtree: f.subtree }).toEqual({ code, subtree: share });
    }
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
  });

  it('received: true lists what came up from below, received: false the committee’s own only, no filter both', async () => {
    app.clock.set(new Date('2026-03-02T02:00:00Z'));
    await app.db.query('truncate opinion, opinion_route');
    const fromBelow = await submit('wh.member');
    await app.as('wh.staff')(FORWARD, { id: fromBelow, to: '530100' });
    const own = await submit('km.member');
    const list = async (arg: string) => (await app.as('km.staff')(`{ opinions(first: 50${arg}) { totalCount edges { node { id tenant { code } } } } }`)).body;
    const page = (...ids: [string, string][]) => ({ data: { opinions: { totalCount: ids.length, edges: ids.map(([id, code]) => ({ node: { id, tenant: { code } } })) } } });
    expect(await list(', received: true')).toEqual(page([fromBelow, '530102']));
    expect(await list(', received: false')).toEqual(page([own, '530100']));
    expect(await list('')).toEqual(page([fromBelow, '530102'], [own, '530100']));
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
  });

  it('a member sees only their own reports; a sibling sees none by list or id', async () => {
    const id = await submit('m530102.001');
    const other = await app.as('m530102.002')(`{ opinions(first: 100) { edges { node { id } } } }`);
    expect(other.body.data.opinions.edges.map((e: any) => e.node.id)).not.toContain(id);
    const sib = await app.as('pl.staff')(`{ opinions(first: 100) { totalCount edges { node { tenant { code } } } } }`);
    expect(new Set(sib.body.data.opinions.edges.map((e: any) => e.node.tenant.code))).not.toContain('530102');
    expect((await app.as('pl.staff')(NODE, { id })).body).toEqual({ data: { node: null } });
  });
});
