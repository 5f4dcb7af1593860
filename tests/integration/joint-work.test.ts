import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { Q, answer, ok, projectWithInvitations } from '../helpers/joint.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('the demo joint work (seeded through the services)', () => {
  it('a province-led project with 昆明 and 五华区 taking part and 盘龙区 declined', async () => {
    const r = await app.as('yn.staff')(`{ researchProjects(filter: { leading: true }) { edges { node {
      title status leadCommittee { code } participants { committee { code } status reason } team { displayName } contributions { committee { code } } } } } }`);
    const p = r.body.data.researchProjects.edges[0].node;
    expect(p).toMatchObject({ title: '推进高原特色现代农业高质量发展三级政协联动调研', status: 'IN_PROGRESS', leadCommittee: { code: '530000' } });
    expect(p.participants).toEqual([
      { committee: { code: '530100' }, status: 'ACCEPTED', reason: null },
      { committee: { code: '530102' }, status: 'ACCEPTED', reason: null },
      { committee: { code: '530103' }, status: 'DECLINED', reason: '本年度已承担市级重点调研任务，调研力量不足' },
    ]);
    expect(p.contributions.map((c: any) => c.committee.code)).toEqual(['530100', '530102']);
    expect(p.team).toHaveLength(6);
  });

  it("a published provincial plan, one topic taken up by 昆明, and 昆明's topic with suggestions in every state", async () => {
    const plan = await app.as('km.staff')(`{ consultationPlan(committeeCode: "530000", year: 2026) { status topics { title participants { committee { code } kind status } } } }`);
    expect(plan.body.data.consultationPlan).toEqual({
      status: 'PUBLISHED',
      topics: [
        { title: '加快打造世界一流“绿色食品牌”', participants: [{ committee: { code: '530100' }, kind: 'TAKE_UP', status: 'ACCEPTED' }] },
        { title: '推进以县城为重要载体的新型城镇化建设', participants: [] },
      ],
    });
    app.clock.set(new Date());
    const t = await app.as('km.staff')(`{ consultationTopics(filter: { own: true }) { edges { node { title stage suggestions { number status departmentUnit } } } } }`);
    const renewal = t.body.data.consultationTopics.edges.map((e: any) => e.node).find((n: any) => n.title === '推进城市更新和老旧小区改造');
    expect(renewal.stage).toBe('IMPLEMENT');
    expect(renewal.suggestions.map((s: any) => s.status)).toEqual(['ADOPTED', 'PARTLY_ADOPTED', 'NOT_ADOPTED', 'OVERDUE', 'ASSIGNED', 'DRAFT']);
    const overdue = await app.as('km.staff')(`{ overdueSuggestions { totalCount edges { node { number departmentUnit topic { title } } } } }`);
    expect(overdue.body.data.overdueSuggestions).toEqual({ totalCount: 1, edges: [{ node: { number: 4, departmentUnit: '昆明市住房和城乡建设局', topic: { title: '推进城市更新和老旧小区改造' } } }] });
  });
});

describe("a county office's joint work view", () => {
  it('shows invitations waiting, joint projects and topics, and what falls due soon', async () => {
    app.clock.set(new Date('2026-06-01T00:00:00Z'));
    const a = await projectWithInvitations(app, 'km.staff', '嵩明县花卉产业联动调研', ['530112']);
    const b = await projectWithInvitations(app, 'yn.staff', '滇中城市群协同发展调研', ['530112']);
    await answer(app, 'xs.staff', b.invitation['530112']!, true);
    await app.db.query(`update joint_participant set respond_by = '2026-06-10' where id = $1`, [app.uuid(a.invitation['530112']!)]);
    await app.db.query(`update research_project set end_date = '2026-06-20' where id = $1`, [app.uuid(b.id)]);
    const view = await app.as('xs.staff')(`{ jointWork {
      invitations { title status owner { code } item { __typename } }
      projects { totalCount edges { node { title leadCommittee { code } } } }
      topics { totalCount }
      deadlines(withinDays: 30) { kind title due }
    } }`);
    expect(view.body.data.jointWork).toEqual({
      invitations: [{ title: '嵩明县花卉产业联动调研', status: 'PENDING', owner: { code: '530100' }, item: null }],
      projects: { totalCount: 1, edges: [{ node: { title: '滇中城市群协同发展调研', leadCommittee: { code: '530000' } } }] },
      topics: { totalCount: 0 },
      deadlines: [
        { kind: 'INVITATION_ANSWER', title: '嵩明县花卉产业联动调研', due: '2026-06-10T00:00:00.000Z' },
        { kind: 'RESEARCH_END', title: '滇中城市群协同发展调研', due: '2026-06-20T00:00:00.000Z' },
      ],
    });
    const soon = await app.as('xs.staff')(`{ jointWork { deadlines(withinDays: 12) { kind } } }`);
    expect(soon.body.data.jointWork.deadlines).toEqual([{ kind: 'INVITATION_ANSWER' }]);
    const bad = await app.as('xs.staff')(`{ jointWork { deadlines(withinDays: 0) { kind } } }`);
    expect(bad.body.errors?.[0]).toMatchObject({ message: 'withinDays must be between 1 and 366', extensions: { code: 'BAD_USER_INPUT' } });
  });

  beforeAll(async () => {
    await app.createUser('xs.staff', '530112', 'STAFF', '西山区工作人员');
  });
});

describe("the lead's view of a project costs a fixed number of statements", () => {
  const VIEW = `query($id: ID!) { node(id: $id) { ... on ResearchProject {
    title leadCommittee { name } history { toState }
    participants { status committee { name parent { name } } team { displayName } contributions { title committee { code } } history { toState } item { __typename } }
    contributions { title } team { displayName } outcomes { text }
  } } }`;

  async function projectWith(codes: string[]) {
    const p = await projectWithInvitations(app, 'km.staff', `规模测试${codes.length}`, codes);
    for (const code of codes) {
      const login = `s${code}`;
      await app.createUser(login, code, 'STAFF');
      await answer(app, login, p.invitation[code]!, true);
    }
    ok(await app.as('km.staff')(Q.move, { input: { id: p.id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    for (const code of codes) ok(await app.as(`s${code}`)(Q.contribute, { projectId: p.id, input: { title: `${code}子课题`, body: '正文' } }), 'submitResearchContribution');
    return p.id;
  }

  it('two participants or six: the same statement count', async () => {
    const small = await projectWith(['530124', '530125']);
    const large = await projectWith(['530126', '530127', '530128', '530129', '530181', '530113']);
    const a = await app.as('km.staff')(VIEW, { id: small });
    const b = await app.as('km.staff')(VIEW, { id: large });
    expect(a.body.data.node.participants).toHaveLength(2);
    expect(b.body.data.node.participants).toHaveLength(6);
    expect(b.body.data.node.contributions).toHaveLength(6);
    const n = (r: { headers: Headers }) => Number(r.headers.get('x-sql-statements'));
    console.log(`lead's project view: ${n(a)} SQL statements with 2 participants, ${n(b)} with 6`);
    expect(n(b)).toBe(n(a));
    expect(n(b)).toBeLessThanOrEqual(16);
  });
});
