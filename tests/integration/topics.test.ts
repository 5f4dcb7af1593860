import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { Q, counts, ok, topicOf } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';

let app: TestApp;
const userId = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
/** The handling unit of a DEPARTMENT account. */
const unitId = async (login: string) => toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', [login])).rows[0].unit_id);
const seatId = async (login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
beforeAll(async () => {
  app = await startTestApp();
  await app.createUser('qj.leader', '530300', 'LEADER', '曲靖市政协领导');
  await app.createUser('qj.staff', '530300', 'STAFF', '曲靖市工作人员');
  await app.createUser('km.dept2', '530100', 'DEPARTMENT', '昆明市市场监管局');
});
afterAll(() => app.stop());

const PLAN = `query($code: String!, $year: Int!) { consultationPlan(committeeCode: $code, year: $year) { year status committee { code } topics { title source form stage } } }`;
const PUBLISH = `mutation($year: Int!) { publishConsultationPlan(year: $year) { status year } }`;

describe('annual plans and member recommendations', () => {
  it('members recommend, staff accept into the plan or decline with a reason', async () => {
    const rec = `mutation($input: RecommendTopicInput!) { recommendTopic(input: $input) { id status memberName } }`;
    const a = ok(await app.as('pl.member')(rec, { input: { title: '盘龙江沿岸慢行系统建设', reason: '市民休闲需求强烈', form: 'SECTOR', year: 2028 } }), 'recommendTopic');
    const b = ok(await app.as('pl.member')(rec, { input: { title: '夜间经济发展', reason: '促进消费', form: 'COUNTERPART', year: 2028 } }), 'recommendTopic');
    expect(a).toEqual({ id: expect.any(String), status: 'PENDING', memberName: '尹红梅' });
    expect(codeOf(await app.as('pl.staff')(rec, { input: { title: 't', reason: 'r', form: 'SECTOR', year: 2028 } }))).toBe('FORBIDDEN');

    const accepted = ok(await app.as('pl.staff')(`mutation($id: ID!) { acceptTopicRecommendation(id: $id) { status topic { title source form year stage } } }`, { id: a.id }), 'acceptTopicRecommendation');
    expect(accepted).toEqual({ status: 'ACCEPTED', topic: { title: '盘龙江沿岸慢行系统建设', source: 'MEMBER', form: 'SECTOR', year: 2028, stage: 'SELECT' } });
    const noReason = await app.as('pl.staff')(`mutation($id: ID!) { declineTopicRecommendation(id: $id, reason: " ") { status } }`, { id: b.id });
    expect(noReason.body.errors?.[0]).toMatchObject({ message: 'A reason is required to decline', extensions: { code: 'BAD_USER_INPUT' } });
    const declined = ok(await app.as('pl.staff')(`mutation($id: ID!) { declineTopicRecommendation(id: $id, reason: "已纳入区政府专项工作") { status declineReason } }`, { id: b.id }), 'declineTopicRecommendation');
    expect(declined).toEqual({ status: 'DECLINED', declineReason: '已纳入区政府专项工作' });
    const again = await app.as('pl.staff')(`mutation($id: ID!) { acceptTopicRecommendation(id: $id) { status } }`, { id: b.id });
    expect(again.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION', details: { from: 'DECLINED', to: 'ACCEPTED' } } });

    const mine = await app.as('pl.member')(`{ topicRecommendations(first: 10) { totalCount edges { node { title status } } } }`);
    expect(mine.body.data.topicRecommendations.edges.map((e: any) => e.node)).toEqual([
      { title: '盘龙江沿岸慢行系统建设', status: 'ACCEPTED' },
      { title: '夜间经济发展', status: 'DECLINED' },
    ]);
    expect((await app.as('km.staff')(`{ topicRecommendations { totalCount } }`)).body.data.topicRecommendations.totalCount).toBe(0);
  });

  it('a LEADER publishes the plan; descendants then read it, siblings never do', async () => {
    await topicOf(app, 'qj.staff', '珠江源生态保护', 2027);
    expect(codeOf(await app.as('qj.staff')(PUBLISH, { year: 2027 }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('qj.leader')(PUBLISH, { year: 2031 }))).toBe('NOT_FOUND');
    expect(ok(await app.as('qj.leader')(PUBLISH, { year: 2027 }), 'publishConsultationPlan')).toEqual({ status: 'PUBLISHED', year: 2027 });
    expect(codeOf(await app.as('qj.leader')(PUBLISH, { year: 2027 }))).toBe('INVALID_TRANSITION');
    // 昆明 is 曲靖's sibling: no plan, no topics.
    expect((await app.as('km.staff')(PLAN, { code: '530300', year: 2027 })).body).toEqual({ data: { consultationPlan: null } });
    // 昆明's unpublished plan is invisible to its own counties; the province's published one is visible.
    await topicOf(app, 'km.staff', '昆明草稿议题', 2027);
    expect((await app.as('wh.staff')(PLAN, { code: '530100', year: 2027 })).body).toEqual({ data: { consultationPlan: null } });
    const yn = await app.as('wh.staff')(PLAN, { code: '530000', year: 2026 });
    expect(yn.body.data.consultationPlan).toMatchObject({ status: 'PUBLISHED', committee: { code: '530000' } });
    expect(yn.body.data.consultationPlan.topics.map((t: any) => t.title)).toEqual(['加快打造世界一流“绿色食品牌”', '推进以县城为重要载体的新型城镇化建设']);
  });
});

describe('two-way selection', () => {
  it("a descendant takes up a topic from an ancestor's published plan, once", async () => {
    const yn = (await app.as('wh.staff')(PLAN, { code: '530000', year: 2026 })).body.data.consultationPlan;
    expect(yn).not.toBeNull();
    const topics = await app.as('wh.staff')(`{ consultationTopics(filter: { year: 2026, own: false, level: PROVINCE }) { edges { node { id title } } } }`);
    const target = topics.body.data.consultationTopics.edges.find((e: any) => e.node.title === '推进以县城为重要载体的新型城镇化建设').node.id;
    const take = `mutation($id: ID!) { takeUpTopic(topicId: $id, message: "结合五华实际开展协商") { kind status committee { code } owner { code } item { ... on ConsultationTopic { title } } } }`;
    expect(ok(await app.as('wh.staff')(take, { id: target }), 'takeUpTopic')).toEqual({ kind: 'TAKE_UP', status: 'ACCEPTED', committee: { code: '530102' }, owner: { code: '530000' }, item: { title: '推进以县城为重要载体的新型城镇化建设' } });
    expect(codeOf(await app.as('wh.staff')(take, { id: target }))).toBe('CONFLICT');
    // Now 五华 takes part: it sees the topic's shared parts, e.g. who takes part.
    const view = await app.as('wh.staff')(`query($id: ID!) { node(id: $id) { ... on ConsultationTopic { participants { committee { code } kind } } } }`, { id: target });
    expect(view.body.data.node.participants).toEqual([{ committee: { code: '530102' }, kind: 'TAKE_UP' }]);
    // A topic of an unpublished plan, or of a sibling, cannot be seen, so cannot be taken up.
    const draft = await topicOf(app, 'km.staff', '未发布议题', 2029);
    expect(codeOf(await app.as('wh.staff')(take, { id: draft.id }))).toBe('NOT_FOUND');
    const own = await topicOf(app, 'wh.staff', '五华自有议题', 2026);
    expect((await app.as('wh.staff')(take, { id: own.id })).body.errors?.[0]).toMatchObject({ message: "Only a topic of an ancestor's published plan can be taken up", extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('a committee recommends its topic upward; the parent sees it and adopts it into its own plan', async () => {
    const t = await topicOf(app, 'pl.staff', '盘龙区农贸市场提升改造', 2026);
    const rec = ok(await app.as('pl.staff')(`mutation($id: ID!) { recommendTopicUpward(topicId: $id, message: "建议全市统筹推进") { id kind status committee { code } } }`, { id: t.id }), 'recommendTopicUpward');
    expect(rec).toEqual({ id: expect.any(String), kind: 'RECOMMENDATION', status: 'PENDING', committee: { code: '530100' } });
    expect(codeOf(await app.as('pl.staff')(`mutation($id: ID!) { recommendTopicUpward(topicId: $id) { id } }`, { id: t.id }))).toBe('CONFLICT');
    // The parent sees the recommended topic (it was sent up), not its suggestions' workings; the province sees nothing.
    const NODE = `query($id: ID!) { node(id: $id) { ... on ConsultationTopic { title committee { code } } } }`;
    expect((await app.as('km.staff')(NODE, { id: t.id })).body.data.node).toEqual({ title: '盘龙区农贸市场提升改造', committee: { code: '530103' } });
    expect((await app.as('yn.staff')(NODE, { id: t.id })).body.data.node).toBeNull();
    expect((await app.as('wh.staff')(NODE, { id: t.id })).body.data.node).toBeNull();
    const waiting = (await app.as('km.staff')(`{ jointWork { invitations { id kind title } } }`)).body.data.jointWork.invitations;
    expect(waiting).toContainEqual({ id: rec.id, kind: 'RECOMMENDATION', title: '盘龙区农贸市场提升改造' });

    const adopted = ok(await app.as('km.staff')(`mutation($id: ID!) { answerTopicRecommendation(id: $id, adopt: true) { status } }`, { id: rec.id }), 'answerTopicRecommendation');
    expect(adopted).toEqual({ status: 'ACCEPTED' });
    const kmTopics = await app.as('km.staff')(`{ consultationTopics(filter: { own: true, year: 2026 }) { edges { node { title source origin { title committee { code } } participants { committee { code } status kind } } } } }`);
    expect(kmTopics.body.data.consultationTopics.edges.map((e: any) => e.node)).toContainEqual({
      title: '盘龙区农贸市场提升改造',
      source: 'CPPCC',
      origin: { title: '盘龙区农贸市场提升改造', committee: { code: '530103' } },
      participants: [{ committee: { code: '530103' }, status: 'ACCEPTED', kind: 'RECOMMENDATION' }],
    });
    expect(codeOf(await app.as('yn.staff')(`mutation($id: ID!) { recommendTopicUpward(topicId: $id) { id } }`, { id: (await topicOf(app, 'yn.staff', '省级议题', 2026)).id }))).toBe('BAD_USER_INPUT');
  });

  it('an upper committee invites descendants only', async () => {
    const t = await topicOf(app, 'km.staff', '昆明市联动议题', 2026);
    const call = app.as('km.staff');
    const bad = async (codes: string[], message: string) => {
      const r = await call(Q.inviteTopic, { input: { itemId: t.id, committeeCodes: codes } });
      expect(r.body.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
    };
    await bad(['530300'], '曲靖市 is not under 昆明市政协: topics invite descendants');
    await bad(['530000'], '云南省 is not under 昆明市政协: topics invite descendants');
    await bad(['530100'], 'A committee cannot invite itself');
    const inv = ok(await call(Q.inviteTopic, { input: { itemId: t.id, committeeCodes: ['530102', '530111'], respondBy: '2026-03-15' } }), 'inviteToTopic');
    expect(inv.map((i: any) => [i.committee.code, i.status])).toEqual([['530102', 'PENDING'], ['530111', 'PENDING']]);
  });
});

describe('the closed loop', () => {
  it('moves one stage at a time, numbers suggestions, assigns with a default three-month deadline, turns OVERDUE on the clock, and takes feedback', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    const t = await topicOf(app, 'km.staff', '优化营商环境', 2026);
    const call = app.as('km.staff');
    expect(codeOf(await call(Q.addSuggestion, { input: { topicId: t.id, content: '过早' } }))).toBe('INVALID_TRANSITION');
    const skip = await call(Q.moveTopic, { input: { id: t.id, to: 'CONSULT' } });
    expect(skip.body.errors?.[0]).toMatchObject({ message: 'A topic in SELECT cannot move to CONSULT', extensions: { code: 'INVALID_TRANSITION', details: { from: 'SELECT', to: 'CONSULT' } } });
    for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const [s1, s2, s3] = await Promise.all(['压缩企业开办时间', '推行“一业一证”改革', '建立涉企政策直达机制'].map(async (content, i) =>
      ok(await call(Q.addSuggestion, { input: { topicId: t.id, content, proposedBy: i === 0 ? await seatId('km.member', '530100') : undefined } }), 'addConsultationSuggestion')));
    expect([s1, s2, s3].map((s: any) => s.number).sort()).toEqual([1, 2, 3]);
    const dept = await unitId('km.dept2');
    expect((await call(Q.assign, { input: { id: s1.id, unit: dept } })).body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION', details: { from: 'CONSULT', to: 'ASSIGNED' } } });
    ok(await call(Q.moveTopic, { input: { id: t.id, to: 'ASSIGN' } }), 'moveConsultationTopic');
    expect(codeOf(await call(Q.assign, { input: { id: s1.id, unit: await userId('km.staff') } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call(Q.assign, { input: { id: s1.id, unit: await unitId('wh.dept') } }))).toBe('NOT_FOUND');
    expect((await call(Q.assign, { input: { id: s1.id, unit: dept, deadline: '2026-02-01T00:00:00Z' } })).body.errors?.[0]).toMatchObject({ message: 'deadline must be in the future', extensions: { code: 'BAD_USER_INPUT' } });
    const a1 = ok(await call(Q.assign, { input: { id: s1.id, unit: dept } }), 'assignSuggestion');
    expect(a1).toEqual({ id: s1.id, status: 'ASSIGNED', deadline: '2026-06-01T02:00:00.000Z', departmentUnit: '昆明市市场监管局单位' });
    ok(await call(Q.assign, { input: { id: s2.id, unit: dept, deadline: '2026-04-30T16:00:00Z' } }), 'assignSuggestion');
    expect(codeOf(await call(Q.assign, { input: { id: s1.id, unit: dept } }))).toBe('INVALID_TRANSITION');

    // The department sees what is assigned to it; another department does not.
    const mine = await app.as('km.dept2')(`{ assignedSuggestions { totalCount edges { node { number status } } } }`);
    expect(mine.body.data.assignedSuggestions).toEqual({ totalCount: 2, edges: [{ node: { number: s1.number, status: 'ASSIGNED' } }, { node: { number: s2.number, status: 'ASSIGNED' } }].sort((x, y) => x.node.number - y.node.number) });
    expect((await app.as('wh.dept')(`query($id: ID!) { node(id: $id) { id } }`, { id: s1.id })).body.data.node).toBeNull();
    expect(codeOf(await app.as('wh.dept')(Q.feedback, { input: { id: s1.id, outcome: 'ADOPTED', feedback: 'x' } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('km.member')(Q.feedback, { input: { id: s1.id, outcome: 'ADOPTED', feedback: 'x' } }))).toBe('FORBIDDEN');

    // Time passes: s2's deadline goes by without feedback.
    app.clock.set(new Date('2026-05-10T00:00:00Z'));
    const SUG = `query($id: ID!) { node(id: $id) { ... on ConsultationTopic { suggestions { number status } overdue: suggestions(status: OVERDUE) { number } } } }`;
    const byNumber = (list: any[]) => [...list].sort((x, y) => x.number - y.number);
    const now = (await call(SUG, { id: t.id })).body.data.node;
    expect(byNumber(now.suggestions).map((s: any) => s.status)).toEqual([s1, s2, s3].sort((x: any, y: any) => x.number - y.number).map((s: any) => (s.id === s1.id ? 'ASSIGNED' : s.id === s2.id ? 'OVERDUE' : 'DRAFT')));
    expect(now.overdue).toEqual([{ number: s2.number }]);
    const overdue = await call(`{ overdueSuggestions { totalCount edges { node { id status } } } }`);
    expect(overdue.body.data.overdueSuggestions.edges.map((e: any) => e.node).filter((n: any) => n.id === s2.id)).toEqual([{ id: s2.id, status: 'OVERDUE' }]);

    const dep = app.as('km.dept2');
    const noReason = await dep(Q.feedback, { input: { id: s2.id, outcome: 'NOT_ADOPTED', feedback: '经研究暂不实施' } });
    expect(noReason.body.errors?.[0]).toMatchObject({ message: 'Give reasons when a suggestion is not fully adopted', extensions: { code: 'BAD_USER_INPUT' } });
    const badOutcome = await dep(Q.feedback, { input: { id: s2.id, outcome: 'OVERDUE', feedback: 'x' } });
    expect(codeOf(badOutcome)).toBe('BAD_USER_INPUT');
    expect(ok(await dep(Q.feedback, { input: { id: s2.id, outcome: 'NOT_ADOPTED', feedback: '经研究暂不实施', reason: '需国家层面授权' } }), 'fileSuggestionFeedback')).toEqual({ status: 'NOT_ADOPTED' });
    expect(ok(await dep(Q.feedback, { input: { id: s1.id, outcome: 'ADOPTED', feedback: '已将企业开办时间压缩至1个工作日' } }), 'fileSuggestionFeedback')).toEqual({ status: 'ADOPTED' });
    expect(codeOf(await dep(Q.feedback, { input: { id: s1.id, outcome: 'ADOPTED', feedback: '再次' } }))).toBe('INVALID_TRANSITION');

    const h = await call(`query($id: ID!) { node(id: $id) { ... on ConsultationSuggestion { status feedback outcomeReason history { fromState toState actorName } } } }`, { id: s2.id });
    expect(h.body.data.node).toEqual({
      status: 'NOT_ADOPTED',
      feedback: '经研究暂不实施',
      outcomeReason: '需国家层面授权',
      history: [
        { fromState: null, toState: 'DRAFT', actorName: '王春燕' },
        { fromState: 'DRAFT', toState: 'ASSIGNED', actorName: '王春燕' },
        { fromState: 'ASSIGNED', toState: 'OVERDUE', actorName: '系统' },
        { fromState: 'OVERDUE', toState: 'NOT_ADOPTED', actorName: '昆明市市场监管局' },
      ],
    });
    for (const to of ['IMPLEMENT', 'FEEDBACK', 'TRACK', 'CLOSED']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    expect(codeOf(await call(Q.moveTopic, { input: { id: t.id, to: 'SELECT' } }))).toBe('INVALID_TRANSITION');
  });

  it('turning OVERDUE is in a suggestion’s history; a topic with an overdue suggestion closes only with a reason, which is kept', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    const t = await topicOf(app, 'km.staff', '逾期建议闭环测试', 2026);
    const call = app.as('km.staff');
    for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const s = [];
    for (const content of ['按期反馈的建议', '逾期后反馈的建议', '一直未反馈的建议']) s.push(ok(await call(Q.addSuggestion, { input: { topicId: t.id, content } }), 'addConsultationSuggestion'));
    ok(await call(Q.moveTopic, { input: { id: t.id, to: 'ASSIGN' } }), 'moveConsultationTopic');
    const dept = await unitId('km.dept2');
    for (const x of s) ok(await call(Q.assign, { input: { id: x.id, unit: dept, deadline: '2026-03-10T00:00:00Z' } }), 'assignSuggestion');
    ok(await app.as('km.dept2')(Q.feedback, { input: { id: s[0].id, outcome: 'ADOPTED', feedback: '已落实' } }), 'fileSuggestionFeedback');
    app.clock.set(new Date('2026-03-20T02:00:00Z'));
    ok(await app.as('km.dept2')(Q.feedback, { input: { id: s[1].id, outcome: 'ADOPTED', feedback: '逾期落实' } }), 'fileSuggestionFeedback');

    const H = `query($id: ID!) { node(id: $id) { ... on ConsultationSuggestion { number status history { fromState toState actorName comment at } } } }`;
    const history = async (id: string) => (await call(H, { id })).body.data.node;
    const assigned = [
      { fromState: null, toState: 'DRAFT', actorName: '王春燕', comment: null, at: '2026-03-01T02:00:00.000Z' },
      { fromState: 'DRAFT', toState: 'ASSIGNED', actorName: '王春燕', comment: '昆明市市场监管局单位，2026-03-10 前反馈', at: '2026-03-01T02:00:00.000Z' },
    ];
    const overdue = { fromState: 'ASSIGNED', toState: 'OVERDUE', actorName: '系统', comment: null, at: '2026-03-10T00:00:00.000Z' };
    expect(await history(s[0].id)).toEqual({ number: 1, status: 'ADOPTED', history: [...assigned, { fromState: 'ASSIGNED', toState: 'ADOPTED', actorName: '昆明市市场监管局', comment: null, at: '2026-03-01T02:00:00.000Z' }] });
    expect(await history(s[1].id)).toEqual({ number: 2, status: 'ADOPTED', history: [...assigned, overdue, { fromState: 'OVERDUE', toState: 'ADOPTED', actorName: '昆明市市场监管局', comment: null, at: '2026-03-20T02:00:00.000Z' }] });
    expect(await history(s[2].id)).toEqual({ number: 3, status: 'OVERDUE', history: [...assigned, overdue] });
    // The same history through the topic, for an accepted participant as for the owner.
    const viaTopic = await call(`query($id: ID!) { node(id: $id) { ... on ConsultationTopic { suggestions(status: OVERDUE) { number history { toState } } } } }`, { id: t.id });
    expect(viaTopic.body.data.node).toEqual({ suggestions: [{ number: 3, history: [{ toState: 'DRAFT' }, { toState: 'ASSIGNED' }, { toState: 'OVERDUE' }] }] });

    for (const to of ['IMPLEMENT', 'FEEDBACK', 'TRACK']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const refused = await call(Q.moveTopic, { input: { id: t.id, to: 'CLOSED' } });
    expect(refused.body).toEqual({
      data: null,
      errors: [{
        message: 'Suggestion 3 is overdue: closing the topic needs the reason in comment',
        path: ['moveConsultationTopic'],
        locations: expect.any(Array),
        extensions: { code: 'BAD_USER_INPUT', details: { field: 'comment', overdueSuggestions: [3] } },
      }],
    });
    const stage = async () => (await call(`query($id: ID!) { node(id: $id) { ... on ConsultationTopic { stage history { toState comment } } } }`, { id: t.id })).body.data.node;
    expect((await stage()).stage).toBe('TRACK');
    expect(ok(await call(Q.moveTopic, { input: { id: t.id, to: 'CLOSED', comment: '承办单位机构改革后职能划转，第3条转入下年度跟踪' } }), 'moveConsultationTopic')).toEqual({ stage: 'CLOSED' });
    expect((await stage()).history.at(-1)).toEqual({ toState: 'CLOSED', comment: '承办单位机构改革后职能划转，第3条转入下年度跟踪' });
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
  });

  it('a suggestion names who put it forward by their MemberSeat, like every other member reference', async () => {
    const t = await topicOf(app, 'km.staff', '提出委员按席位记录', 2026);
    const call = app.as('km.staff');
    for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const ADD = `mutation($input: AddSuggestionInput!) { addConsultationSuggestion(input: $input) { number proposedByName } }`;
    const before = await counts(app, ['consultation_suggestion', 'duty_record']);
    const byUser = await call(ADD, { input: { topicId: t.id, content: '按账号提出', proposedBy: await userId('km.member') } });
    expect(byUser.body).toEqual({
      data: null,
      errors: [{ message: 'proposedBy is not a MemberSeat id', path: ['addConsultationSuggestion'], locations: expect.any(Array), extensions: { code: 'BAD_USER_INPUT', details: { field: 'proposedBy' } } }],
    });
    // 周明远 sits on 昆明 as well as on 五华区: his 昆明 seat is the one that speaks here; the other is not 昆明's.
    const foreign = await call(ADD, { input: { topicId: t.id, content: '外会席位', proposedBy: await seatId('wh.member', '530102') } });
    expect(foreign.body.errors?.[0]).toMatchObject({ message: 'Member seat not found', extensions: { code: 'NOT_FOUND' } });
    expect(await counts(app, ['consultation_suggestion', 'duty_record'])).toEqual(before);
    expect((await call(ADD, { input: { topicId: t.id, content: '按席位提出', proposedBy: await seatId('wh.member', '530100') } })).body).toEqual({ data: { addConsultationSuggestion: { number: 1, proposedByName: '周明远' } } });
    const archive = await app.as('wh.member', '530100')(`{ dutyArchive(year: 2026) { records { category title } } }`);
    expect(archive.body.data.dutyArchive.records.filter((r: any) => r.title.startsWith('提出委员按席位记录'))).toEqual([{ category: 'CONSULTATION', title: '提出委员按席位记录：建议1' }]);
  });

  it('bad topic input is refused and writes nothing', async () => {
    const before = await counts(app, ['consultation_topic', 'consultation_plan', 'state_change', 'consultation_suggestion']);
    const call = app.as('km.staff');
    const create = (input: Record<string, unknown>) => call(Q.createTopic, { input: { title: '标题', description: '说明', source: 'CPPCC', form: 'THEMATIC', year: 2026, ...input } });
    expect(codeOf(await create({ title: '' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await create({ description: '长'.repeat(5001) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await create({ year: 1999 }))).toBe('BAD_USER_INPUT');
    expect((await create({ source: 'MEMBER' })).body.errors?.[0]?.extensions?.details.fields).toEqual([{ field: 'source', messages: ['source must be PARTY_GOVERNMENT, CPPCC or PUBLIC; member topics come from recommendations'] }]);
    expect(codeOf(await create({ form: 'CHAT' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('km.member')(Q.createTopic, { input: { title: 't', description: 'd', source: 'CPPCC', form: 'THEMATIC', year: 2026 } }))).toBe('FORBIDDEN');
    expect(await counts(app, ['consultation_topic', 'consultation_plan', 'state_change', 'consultation_suggestion'])).toEqual(before);
  });
});

describe('numbering under concurrency', () => {
  it('concurrent suggestions get distinct consecutive numbers', async () => {
    const t = await topicOf(app, 'wh.staff', '并发编号测试', 2026);
    const call = app.as('wh.staff');
    for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => call(Q.addSuggestion, { input: { topicId: t.id, content: `建议${i}` } })));
    expect(made.map((r) => ok(r, 'addConsultationSuggestion').number).sort((a: number, b: number) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

