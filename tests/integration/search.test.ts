import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { GROUPS } from '../fixtures/near-duplicates.js';
import pg from 'pg';
import { indexMissing, pgExecute } from '../../src/migrations/search-backfill.js';

/** Keyword search and similar proposals through the API: 五华 (530102), its sibling 盘龙 (530103), its parent 昆明 (530100). */
let app: TestApp;
let noFilter: TestApp;
beforeAll(async () => {
  [app, noFilter] = await Promise.all([startTestApp(), startTestApp({ ormTenantFilter: false })]);
});
afterAll(() => Promise.all([app.stop(), noFilter.stop()]));

const SEARCH = `query($q: String!, $t: [SearchItemType!]) { search(query: $q, types: $t) { words hits { type title snippet score highlights { start length } titleHighlights { start length } node { id } } } }`;
const SIMILAR = `query($t: String!, $c: String!) { similarProposals(title: $t, content: $c) { title status replyText replyClass score proposal { id title } } }`;
const group = (key: string) => GROUPS.find((g) => g.key === key)!.versions;

async function seed(a: TestApp) {
  const ok = (r: any) => {
    expect(r.body.errors).toBeUndefined();
    return r.body.data;
  };
  const submit = async (login: string, code: string, v: { title: string; content: string }) =>
    ok(await a.as(login, code)(`mutation($i: SubmitProposalInput!) { submitProposal(input: $i) { id } }`, { i: { ...v, kind: 'MEMBER' } })).submitProposal.id as string;
  // The template's synthetic year has proposals and reports on the same subjects; these tests count from none.
  await a.db.query('truncate proposal, opinion, opinion_route, duty_record, duty_archive');
  const dept = toGlobalId('HandlingUnit', (await a.db.query(`select unit_id from app_user where login = 'wh.dept'`)).rows[0].unit_id);
  a.clock.set(new Date('2025-03-01T02:00:00Z'));
  const estates = await submit('wh.member', '530102', group('old-estates')[0]!);
  ok(await a.as('wh.staff')(`mutation($id: ID!) { reviewProposal(id: $id, input: { decision: FILED, note: "立案", term: 13, session: 3 }) { id } }`, { id: estates }));
  ok(await a.as('wh.staff')(`mutation($id: ID!, $i: AssignProposalInput!) { assignProposal(id: $id, input: $i) { id } }`, { id: estates, i: { leadUnit: dept, replyDeadline: '2025-06-01T00:00:00.000Z' } }));
  ok(await a.as('wh.dept')(`mutation($id: ID!) { replyProposal(id: $id, input: { replyClass: A, text: "已将48个老旧小区列入2025年改造计划，同步加装电梯。" }) { id } }`, { id: estates }));
  const buses = await submit('wh.member', '530102', group('night-bus')[0]!);
  const sibling = await submit('pl.member', '530103', group('old-estates')[1]!);
  const parent = await submit('km.member', '530100', group('old-estates')[2]!);
  // A report of 五华 forwarded to 昆明: 昆明 may find it, 盘龙 may not.
  const op = ok(await a.as('wh.staff')(`mutation { submitOpinion(input: { title: "老旧小区加装电梯推进缓慢", content: "群众反映老旧小区加装电梯审批环节多、资金分摊难。" }) { id } }`)).submitOpinion.id;
  ok(await a.as('wh.staff')(`mutation($id: ID!) { forwardOpinion(id: $id, to: "530100") { id } }`, { id: op }));
  a.clock.set(new Date('2026-03-01T02:00:00Z'));
  return { estates, buses, sibling, parent, op };
}

describe('the full-text index (search_vector)', () => {
  it('is there for every row the template holds, seeded with plain SQL or written through the ORM', async () => {
    for (const table of ['proposal', 'opinion', 'consultation_topic', 'consultation_suggestion']) {
      const { rows } = await app.db.query(`select count(*)::int n, count(*) filter (where search_vector is null)::int missing from ${table}`);
      expect(rows[0].n, table).toBeGreaterThan(0);
      expect(rows[0].missing, table).toBe(0);
    }
  });

  it('indexMissing (the migration\'s backfill) indexes the committee\'s own unindexed rows under its app.tenant_id, no other', async () => {
    const tenant = async (code: string) => (await app.db.query('select id from tenant where code = $1', [code])).rows[0].id as string;
    const [wh, pl] = [await tenant('530102'), await tenant('530103')];
    const missing = async (t: string) => (await app.db.query('select count(*)::int n from proposal where tenant_id = $1 and search_vector is null', [t])).rows[0].n as number;
    await app.db.query('update proposal set search_vector = null where tenant_id = any($1)', [[wh, pl]]);
    const whRows = await missing(wh);
    expect(whRows).toBeGreaterThan(0);
    const owner = new pg.Client({ connectionString: app.dbUrl });
    await owner.connect();
    try {
      await owner.query('begin');
      await owner.query(`select set_config('app.tenant_id', $1, true)`, [wh]);
      expect(await indexMissing(pgExecute(owner), 7)).toBeGreaterThanOrEqual(whRows);
      await owner.query('commit');
    } finally {
      await owner.end();
    }
    expect(await missing(wh)).toBe(0);
    expect(await missing(pl)).toBeGreaterThan(0);
    const { rows } = await app.db.query(`select count(*)::int n from proposal where tenant_id = $1 and search_vector @@ to_tsquery('simple', '建议 | 提案 | 政协 | 发展')`, [wh]);
    expect(rows[0].n).toBeGreaterThan(0);
  });
});

describe.each([
  ['with both walls', () => app],
  ['with the ORM filter off (RLS and the read rules alone)', () => noFilter],
])('search and similar proposals %s', (_name, get) => {
  let ids: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    ids = await seed(get());
  });

  it('finds by Chinese words, ranked, with highlights that point at the words', async () => {
    const r = await get().as('wh.staff')(SEARCH, { q: '老旧小区加装电梯' });
    expect(r.body.errors).toBeUndefined();
    const { words, hits } = r.body.data.search;
    expect(words).toEqual(expect.arrayContaining(['老旧', '小区', '电梯']));
    expect(hits.map((h: any) => h.node.id)).toEqual(expect.arrayContaining([ids.estates, ids.op]));
    expect(hits.map((h: any) => h.node.id)).not.toContain(ids.buses);
    const scores = hits.map((h: any) => h.score);
    expect(scores).toEqual([...scores].sort((x: number, y: number) => y - x));
    for (const h of hits) {
      expect(h.highlights.length + h.titleHighlights.length).toBeGreaterThan(0);
      for (const x of h.highlights) expect(words).toContain(h.snippet.substr(x.start, x.length).toLowerCase());
      for (const x of h.titleHighlights) expect(words).toContain(h.title.substr(x.start, x.length).toLowerCase());
    }
    const only = await get().as('wh.staff')(SEARCH, { q: '老旧小区加装电梯', t: ['OPINION'] });
    expect(only.body.data.search.hits.map((h: any) => h.node.id)).toContain(ids.op);
    expect(new Set(only.body.data.search.hits.map((h: any) => h.type))).toEqual(new Set(['OPINION']));
    expect(codeOf(await get().as('wh.staff')(SEARCH, { q: '的 了 和' }))).toBe('BAD_USER_INPUT');
  });

  it('never shows what the viewer may not read: siblings none, the parent only what was forwarded to it, a member their own', async () => {
    const found = async (login: string, code?: string) => (await get().as(login, code)(SEARCH, { q: '老旧小区加装电梯' })).body.data.search.hits.map((h: any) => h.node.id) as string[];
    const pl = await found('pl.staff');
    expect(pl).toContain(ids.sibling);
    expect(pl.filter((id) => [ids.estates, ids.op, ids.parent].includes(id))).toEqual([]);
    const km = await found('km.staff');
    expect(km).toEqual(expect.arrayContaining([ids.parent, ids.op]));
    expect(km.filter((id) => [ids.estates, ids.sibling].includes(id))).toEqual([]);
    const yn = await found('yn.staff');
    expect(yn.filter((id) => [ids.estates, ids.sibling, ids.parent, ids.op].includes(id))).toEqual([]);
    const other = await get().createUser(`wh.s${Math.floor(Math.random() * 1e6)}`, '530102', 'MEMBER');
    const otherLogin = (await get().db.query('select login from app_user where id = $1', [get().uuid(other)])).rows[0].login;
    expect(await found(otherLogin)).toEqual([]);
    expect(await found('wh.member')).toContain(ids.estates);
    expect((await found('wh.dept'))).toContain(ids.estates);
    expect((await found('wh.dept'))).not.toContain(ids.buses);
  });

  it("similarProposals: the committee's earlier close proposals with their replies; the proposal itself only where the role reads it", async () => {
    const draft = group('old-estates')[2]!;
    const other = await get().createUser(`wh.d${Math.floor(Math.random() * 1e6)}`, '530102', 'MEMBER');
    const otherLogin = (await get().db.query('select login from app_user where id = $1', [get().uuid(other)])).rows[0].login;
    const r = await get().as(otherLogin)(SIMILAR, { t: draft.title, c: draft.content });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.similarProposals).toEqual([
      { title: group('old-estates')[0]!.title, status: 'REPLIED', replyText: '已将48个老旧小区列入2025年改造计划，同步加装电梯。', replyClass: 'A', score: expect.any(Number), proposal: null },
    ]);
    const own = await get().as('wh.member')(SIMILAR, { t: draft.title, c: draft.content });
    expect(own.body.data.similarProposals.map((s: any) => s.proposal)).toEqual([{ id: ids.estates, title: group('old-estates')[0]!.title }]);
    // 盘龙 and 昆明 get their own earlier proposals, never 五华's.
    const pl = await get().as('pl.staff')(SIMILAR, { t: draft.title, c: draft.content });
    expect(pl.body.data.similarProposals.map((s: any) => s.title)).toEqual([group('old-estates')[1]!.title]);
    const km = await get().as('km.staff')(SIMILAR, { t: group('old-estates')[0]!.title, c: group('old-estates')[0]!.content });
    expect(km.body.data.similarProposals.map((s: any) => s.title)).toEqual([draft.title]);
    // Unrelated drafts find nothing close.
    const none = await get().as('wh.member')(SIMILAR, { t: '关于打造普洱茶区域公用品牌的提案', c: '建议统一普洱茶标准和溯源体系。' });
    expect(none.body.data.similarProposals).toEqual([]);
    expect(codeOf(await get().as('wh.dept')(SIMILAR, { t: draft.title, c: draft.content }))).toBe('FORBIDDEN');
  });

  it('the index is written with the text and follows edits; what it finds in a sibling committee reaches nobody outside it', async () => {
    const a = get();
    const submitted = await a.as('pl.member', '530103')(`mutation($i: SubmitProposalInput!) { submitProposal(input: $i) { id } }`, {
      i: { title: '关于加强松华坝水源区保护的提案', content: '松华坝水库是主城饮用水源，库区周边农家乐污水直排。建议划定保护红线，实施生态搬迁。', kind: 'MEMBER' },
    });
    expect(submitted.body.errors).toBeUndefined();
    const id = submitted.body.data.submitProposal.id as string;
    const ids = async (login: string, q: string, code?: string) => {
      const r = await a.as(login, code)(SEARCH, { q });
      expect(r.body.errors).toBeUndefined();
      return r.body.data.search.hits.map((h: any) => h.node.id) as string[];
    };
    expect(await ids('pl.staff', '松华坝水库')).toContain(id);
    // The row matches the index (read as the superuser, behind RLS) …
    const matched = await a.db.query(`select count(*)::int n from proposal where id = $1 and search_vector @@ to_tsquery('simple', '松华 | 水库')`, [a.uuid(id)]);
    expect(matched.rows[0].n).toBe(1);
    // … and no one outside 盘龙 finds it: neither its sibling, its parent, the province, nor another member.
    for (const login of ['wh.staff', 'km.staff', 'yn.staff', 'wh.member']) expect(await ids(login, '松华坝水库'), login).not.toContain(id);
    // An edit re-indexes: the new words find it, the words it no longer has do not.
    const edited = await a.as('pl.member', '530103')(`mutation($i: EditProposalInput!) { editProposal(input: $i) { id } }`, {
      i: { id, title: '关于加强云龙水库水源区保护的提案', content: '云龙水库库区周边农家乐污水直排。建议划定保护红线，实施生态搬迁。' },
    });
    expect(edited.body.errors).toBeUndefined();
    expect(await ids('pl.staff', '云龙')).toContain(id);
    expect(await ids('pl.staff', '松华坝')).not.toContain(id);
    for (const login of ['wh.staff', 'km.staff']) expect(await ids(login, '云龙')).not.toContain(id);
  });
});
