import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { Q, answer, ok, projectWithInvitations, topicOf } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';

/**
 * Joint research, joint topics and suggestions feed the precomputed roll-up in the same transaction as the
 * work itself. Every figure, own, subtree and per child, is checked against a count over the raw records.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  app.clock.set(new Date('2026-11-02T02:00:00Z'));
  await app.createUser('gd.staff', '530111', 'STAFF');
  await app.createUser('qj.staff', '530300', 'STAFF');
});
afterAll(() => app.stop());

const METRICS = ['research.projects', 'topic.joint', 'suggestion.total', 'suggestion.adopted', 'suggestion.adopted_of_total', 'suggestion.overdue'] as const;
const FIG = `{ metrics { metric value } }`;
const ROLLUP = `query($code: String) { rollup(code: $code, period: "2026") { own ${FIG} subtree ${FIG} children { tenant { code } subtree ${FIG} } } }`;

async function work() {
  const userId = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
  // Two siblings in one project: 昆明 and the province count it once in their subtree.
  const a = await projectWithInvitations(app, 'wh.staff', '五华牵头调研', ['530103', '530111']);
  await answer(app, 'pl.staff', a.invitation['530103']!, true);
  await answer(app, 'gd.staff', a.invitation['530111']!, false, '另有任务');
  // A city project a county joins, and one across two cities.
  const b = await projectWithInvitations(app, 'km.staff', '昆明牵头调研', ['530102']);
  await answer(app, 'wh.staff', b.invitation['530102']!, true);
  const c = await projectWithInvitations(app, 'qj.staff', '曲靖牵头调研', ['530100']);
  await answer(app, 'km.staff', c.invitation['530100']!, true);
  // A joint topic and its suggestions: adopted, partly, not adopted, overdue, still running.
  const t = await topicOf(app, 'km.staff', '统计联动议题');
  const inv = ok<any[]>(await app.as('km.staff')(Q.inviteTopic, { input: { itemId: t.id, committeeCodes: ['530102', '530103'] } }), 'inviteToTopic');
  await answer(app, 'pl.staff', inv.find((i) => i.committee.code === '530103').id, true);
  for (const to of ['RESEARCH', 'CONSULT']) ok(await app.as('km.staff')(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
  const s = [];
  for (let i = 0; i < 5; i++) s.push(ok(await app.as('km.staff')(Q.addSuggestion, { input: { topicId: t.id, content: `建议${i}` } }), 'addConsultationSuggestion').id);
  ok(await app.as('km.staff')(Q.moveTopic, { input: { id: t.id, to: 'ASSIGN' } }), 'moveConsultationTopic');
  const dept = toGlobalId('HandlingUnit', (await app.db.query(`select unit_id from app_user where login = 'km.dept'`)).rows[0].unit_id);
  for (const id of s.slice(0, 4)) ok(await app.as('km.staff')(Q.assign, { input: { id, unit: dept, deadline: '2026-11-10T00:00:00Z' } }), 'assignSuggestion');
  ok(await app.as('km.dept')(Q.feedback, { input: { id: s[0], outcome: 'ADOPTED', feedback: '已采纳' } }), 'fileSuggestionFeedback');
  ok(await app.as('km.dept')(Q.feedback, { input: { id: s[1], outcome: 'PARTLY_ADOPTED', feedback: '部分采纳', reason: '分步实施' } }), 'fileSuggestionFeedback');
  app.clock.set(new Date('2026-11-20T00:00:00Z'));
  // Answered after its deadline: it stays counted overdue.
  ok(await app.as('km.dept')(Q.feedback, { input: { id: s[2], outcome: 'NOT_ADOPTED', feedback: '暂不采纳', reason: '条件不具备' } }), 'fileSuggestionFeedback');
}

/** The same figures counted straight from the records (everything here happens in 2026, China time). */
async function bruteForce(now: Date) {
  const q = (sql: string, params: unknown[] = []) => app.db.query(sql, params).then((r) => r.rows);
  const tenants = await q('select id, code, path from tenant');
  const members = {
    'research.projects': await q(`select id item, tenant_id t from research_project
      union select item_id, tenant_id from joint_participant where item_type = 'ResearchProject' and status = 'ACCEPTED'`),
    'topic.joint': await q(`select item_id item, tenant_id t from joint_participant where item_type = 'ConsultationTopic' and status = 'ACCEPTED'
      union select item_id, owner_tenant_id from joint_participant where item_type = 'ConsultationTopic' and status = 'ACCEPTED'`),
  };
  const suggestions = await q('select tenant_id t, status, deadline, feedback_at from consultation_suggestion');
  const path = new Map(tenants.map((t) => [t.id, t.path as string]));
  const under = (a: string, t: string) => path.get(t) === path.get(a) || path.get(t)!.startsWith(`${path.get(a)}.`);
  const figures = (code: string, subtree: boolean) => {
    const a = tenants.find((t) => t.code === code)!.id;
    const inScope = (t: string) => (subtree ? under(a, t) : t === a);
    const shared = (rows: { item: string; t: string }[]) => new Set(rows.filter((r) => inScope(r.t)).map((r) => r.item)).size;
    const mine = suggestions.filter((s) => inScope(s.t));
    return {
      'research.projects': shared(members['research.projects']),
      'topic.joint': shared(members['topic.joint']),
      'suggestion.total': mine.length,
      'suggestion.adopted': mine.filter((s) => ['ADOPTED', 'PARTLY_ADOPTED'].includes(s.status)).length,
      // Everything here is proposed in 2026: the share's numerator is the same count, by proposal month.
      'suggestion.adopted_of_total': mine.filter((s) => ['ADOPTED', 'PARTLY_ADOPTED'].includes(s.status)).length,
      'suggestion.overdue': mine.filter((s) => s.deadline && s.deadline <= now && (!s.feedback_at || s.feedback_at > s.deadline)).length,
    };
  };
  return figures;
}

const pick = (f: { metrics: { metric: string; value: number }[] }) => Object.fromEntries(f.metrics.filter((m) => (METRICS as readonly string[]).includes(m.metric)).map((m) => [m.metric, m.value]));

describe('joint work in the statistics roll-up', () => {
  it('matches a brute-force count over the raw records at every level: own, subtree and each child', async () => {
    await work();
    const expected = await bruteForce(app.clock.now());
    for (const [login, code] of [['yn.staff', '530000'], ['km.staff', '530100'], ['qj.staff', '530300'], ['wh.staff', '530102']] as const) {
      const r = (await app.as(login)(ROLLUP, { code })).body.data.rollup;
      expect({ code, own: pick(r.own), subtree: pick(r.subtree) }).toEqual({ code, own: expected(code, false), subtree: expected(code, true) });
      for (const child of r.children) expect({ code: child.tenant.code, subtree: pick(child.subtree) }).toEqual({ code: child.tenant.code, subtree: expected(child.tenant.code, true) });
    }
    // Real counts were compared, and shared projects count once at 昆明: its own figure plus its
    // children's subtrees exceeds its subtree total (五华 and 盘龙 share one project, 昆明 and 五华 another).
    const km = (await app.as('km.staff')(ROLLUP, { code: '530100' })).body.data.rollup;
    const childSum = km.children.reduce((n: number, c: any) => n + pick(c.subtree)['research.projects'], 0);
    expect(pick(km.subtree)['research.projects']).toBe(expected('530100', true)['research.projects']);
    expect(pick(km.own)['research.projects'] + childSum).toBeGreaterThan(pick(km.subtree)['research.projects']);
    expect(expected('530100', false)).toEqual({ 'research.projects': 3, 'topic.joint': 2, 'suggestion.total': 11, 'suggestion.adopted': 4, 'suggestion.adopted_of_total': 4, 'suggestion.overdue': 3 });
  });
});

describe('joint work in member archives', () => {
  it('a research contribution and a consultation suggestion become automatic records of the members concerned', async () => {
    app.clock.set(new Date('2026-11-21T02:00:00Z'));
    const user = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
    const p = await projectWithInvitations(app, 'wh.staff', '档案联动测试课题', ['530103']);
    ok(await app.as('wh.staff')(Q.team, { projectId: p.id, members: [{ userId: await user('wh.member'), teamRole: '组长' }] }), 'setResearchTeam');
    ok(await app.as('wh.staff')(Q.move, { input: { id: p.id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    ok(await app.as('wh.staff')(Q.contribute, { projectId: p.id, input: { title: '五华区子报告', body: '正文' } }), 'submitResearchContribution');
    const t = await topicOf(app, 'wh.staff', '档案联动测试议题');
    for (const to of ['RESEARCH', 'CONSULT']) ok(await app.as('wh.staff')(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    ok(await app.as('wh.staff')(Q.addSuggestion, { input: { topicId: t.id, content: '完善社区议事协商机制', proposedBy: toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = 'wh.member' and t.code = '530102'`)).rows[0].id) } }), 'addConsultationSuggestion');
    const archive = await app.as('wh.member')(`{ dutyArchive(year: 2026) { records { category title origin status } } }`);
    const records = archive.body.data.dutyArchive.records.filter((r: any) => r.title.startsWith('档案联动测试')).sort((a: any, b: any) => b.title.localeCompare(a.title));
    expect(records).toEqual([
      { category: expect.any(String), title: '档案联动测试课题', origin: 'AUTO', status: 'VERIFIED' },
      { category: expect.any(String), title: '档案联动测试议题：建议1', origin: 'AUTO', status: 'VERIFIED' },
    ]);
    expect(new Set(records.map((r: any) => r.category)).size).toBe(2);
  });
});
