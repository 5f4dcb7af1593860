import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { Q, answer, counts, ok, projectInput, projectWithInvitations } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { newId } from '../../src/core/ids.js';

let app: TestApp;
const userId = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const TABLES = ['research_project', 'joint_participant', 'joint_membership', 'research_team_member', 'research_contribution', 'state_change'];

describe('joint research lifecycle', () => {
  it('runs from draft to closed with invitations, teams, contributions, report, review, submission and outcomes', async () => {
    app.clock.set(new Date('2026-10-10T02:00:00Z'));
    const { id, invitation } = await projectWithInvitations(app, 'yn.staff', '全省县域经济高质量发展联动调研', ['530100', '530102', '530103']);
    await answer(app, 'km.staff', invitation['530100']!, true);
    await answer(app, 'wh.leader', invitation['530102']!, true);
    await answer(app, 'pl.staff', invitation['530103']!, false, '力量不足');
    ok(await app.as('km.staff')(Q.team, { projectId: id, members: [{ userId: await userId('km.member'), teamRole: '组长' }, { userId: await userId('km.staff'), teamRole: '联络员' }] }), 'setResearchTeam');
    ok(await app.as('yn.staff')(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    ok(await app.as('km.staff')(Q.contribute, { projectId: id, input: { title: '昆明子课题', body: '调研正文', findings: '建议若干', figures: [{ label: '走访企业', value: 42, unit: '家' }] } }), 'submitResearchContribution');
    ok(await app.as('wh.staff')(Q.contribute, { projectId: id, input: { title: '五华子课题', body: '调研正文' } }), 'submitResearchContribution');
    const yn = app.as('yn.leader');
    ok(await yn(Q.move, { input: { id, to: 'REPORTING', comment: '进入报告阶段' } }), 'moveResearchProject');
    ok(await yn(`mutation($id: ID!) { compileResearchReport(projectId: $id, report: "综合调研报告全文") { combinedReport } }`, { id }), 'compileResearchReport');
    ok(await yn(`mutation($id: ID!) { recordResearchReview(projectId: $id, input: { reviewBody: "主席会议", reviewedOn: "2026-09-20" }) { reviewBody } }`, { id }), 'recordResearchReview');
    ok(await yn(Q.move, { input: { id, to: 'SUBMITTED', submittedTo: '省委、省政府' } }), 'moveResearchProject');
    ok(await yn(`mutation($id: ID!) { recordResearchOutcome(projectId: $id, input: { kind: INSTRUCTION, author: "省委主要领导", text: "请省发展改革委牵头研究落实。", occurredOn: "2026-10-08" }) { kind } }`, { id }), 'recordResearchOutcome');
    ok(await yn(Q.move, { input: { id, to: 'CLOSED' } }), 'moveResearchProject');

    const view = await app.as('yn.staff')(`query($id: ID!) { node(id: $id) { ... on ResearchProject {
      title status combinedReport reviewBody reviewedOn submittedTo leadCommittee { code }
      participants { kind status reason committee { code } team { displayName teamRole } contributions { title figures { label value unit } committee { code } } }
      outcomes { kind author text occurredOn }
      history { fromState toState actorName comment }
    } } }`, { id });
    expect(view.body).toEqual({
      data: {
        node: {
          title: '全省县域经济高质量发展联动调研',
          status: 'CLOSED',
          combinedReport: '综合调研报告全文',
          reviewBody: '主席会议',
          reviewedOn: '2026-09-20',
          submittedTo: '省委、省政府',
          leadCommittee: { code: '530000' },
          participants: [
            { kind: 'INVITATION', status: 'ACCEPTED', reason: null, committee: { code: '530100' }, team: [{ displayName: '刘家和', teamRole: '组长' }, { displayName: '王春燕', teamRole: '联络员' }], contributions: [{ title: '昆明子课题', figures: [{ label: '走访企业', value: 42, unit: '家' }], committee: { code: '530100' } }] },
            { kind: 'INVITATION', status: 'ACCEPTED', reason: null, committee: { code: '530102' }, team: [], contributions: [{ title: '五华子课题', figures: [], committee: { code: '530102' } }] },
            { kind: 'INVITATION', status: 'DECLINED', reason: '力量不足', committee: { code: '530103' }, team: [], contributions: [] },
          ],
          outcomes: [{ kind: 'INSTRUCTION', author: '省委主要领导', text: '请省发展改革委牵头研究落实。', occurredOn: '2026-10-08' }],
          history: [
            { fromState: null, toState: 'DRAFT', actorName: '赵丽萍', comment: null },
            { fromState: 'DRAFT', toState: 'INVITING', actorName: '赵丽萍', comment: null },
            { fromState: 'INVITING', toState: 'IN_PROGRESS', actorName: '赵丽萍', comment: null },
            { fromState: 'IN_PROGRESS', toState: 'REPORTING', actorName: '李文华', comment: '进入报告阶段' },
            { fromState: 'REPORTING', toState: 'SUBMITTED', actorName: '李文华', comment: null },
            { fromState: 'SUBMITTED', toState: 'CLOSED', actorName: '李文华', comment: null },
          ],
        },
      },
    });
    // An invitation keeps its own history: who answered, when, why.
    const inv = await app.as('pl.staff')(`query($id: ID!) { node(id: $id) { ... on JointParticipant { status history { fromState toState actorName comment } } } }`, { id: invitation['530103'] });
    expect(inv.body.data.node).toEqual({ status: 'DECLINED', history: [{ fromState: null, toState: 'PENDING', actorName: '赵丽萍', comment: null }, { fromState: 'PENDING', toState: 'DECLINED', actorName: '吴海燕', comment: '力量不足' }] });
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
  });

  it('reviews are a list, each kept (秘书长会议, 主席会议 …); a review dated in the future is refused', async () => {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '多次审定测试课题', ['530102']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    const call = app.as('km.leader');
    for (const to of ['IN_PROGRESS', 'REPORTING']) ok(await call(Q.move, { input: { id, to } }), 'moveResearchProject');
    ok(await call(`mutation($id: ID!) { compileResearchReport(projectId: $id, report: "综合调研报告") { id } }`, { id }), 'compileResearchReport');
    const REVIEW = `mutation($id: ID!, $input: ReviewInput!) { recordResearchReview(projectId: $id, input: $input) { reviewBody reviewedOn reviews { reviewBody reviewedOn note recordedByName } } }`;
    const first = { reviewBody: '秘书长会议', reviewedOn: '2026-02-20', note: '原则同意，请修改完善后提交主席会议' };
    const second = { reviewBody: '主席会议', reviewedOn: '2026-02-27' };
    expect((await call(REVIEW, { id, input: first })).body).toEqual({
      data: { recordResearchReview: { reviewBody: '秘书长会议', reviewedOn: '2026-02-20', reviews: [{ ...first, recordedByName: '孙永红' }] } },
    });
    const future = await call(REVIEW, { id, input: { reviewBody: '常委会议', reviewedOn: '2026-03-02' } });
    expect(future.body).toEqual({
      data: null,
      errors: [{ message: 'reviewedOn cannot be in the future', path: ['recordResearchReview'], locations: expect.any(Array), extensions: { code: 'BAD_USER_INPUT', details: { field: 'reviewedOn' } } }],
    });
    ok(await call(REVIEW, { id, input: second }), 'recordResearchReview');
    const reviews = [{ ...first, recordedByName: '孙永红' }, { ...second, note: null, recordedByName: '孙永红' }];
    const q = `query($id: ID!) { node(id: $id) { ... on ResearchProject { reviewBody reviewedOn reviews { reviewBody reviewedOn note recordedByName } } } }`;
    // The lead and an accepted participant read the same list; the latest review is the project's.
    for (const login of ['km.staff', 'wh.staff']) {
      expect({ login, node: (await app.as(login)(q, { id })).body.data.node }).toEqual({ login, node: { reviewBody: '主席会议', reviewedOn: '2026-02-27', reviews } });
    }
    expect((await app.as('pl.staff')(q, { id })).body).toEqual({ data: { node: null } });
  });

  it('refuses out-of-order transitions with INVALID_TRANSITION and changes nothing', async () => {
    const call = app.as('km.staff');
    const p = ok(await call(Q.createProject, { input: projectInput('乱序流转测试') }), 'createResearchProject');
    const before = await counts(app, TABLES);
    for (const to of ['IN_PROGRESS', 'REPORTING', 'SUBMITTED', 'CLOSED', 'DRAFT']) {
      const r = await call(Q.move, { input: { id: p.id, to } });
      expect(r.body.errors).toEqual([{ message: `A project that is DRAFT cannot move to ${to}`, path: ['moveResearchProject'], locations: expect.any(Array), extensions: { code: 'INVALID_TRANSITION', details: { from: 'DRAFT', to } } }]);
    }
    const inv = await call(Q.invite, { input: { itemId: p.id, committeeCodes: ['530102'] } });
    expect(inv.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION', details: { from: 'DRAFT', to: 'INVITATION' } } });
    ok(await call(Q.move, { input: { id: p.id, to: 'CANCELLED' } }), 'moveResearchProject');
    const after = await counts(app, TABLES);
    expect(after).toEqual({ ...before, state_change: before.state_change + 1 });
    expect(codeOf(await call(Q.move, { input: { id: p.id, to: 'INVITING' } }))).toBe('INVALID_TRANSITION');
  });

  it('submission needs a compiled, reviewed report and a recipient', async () => {
    const { id } = await projectWithInvitations(app, 'km.staff', '报送前置条件测试', ['530102']);
    const call = app.as('km.staff');
    ok(await call(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    ok(await call(Q.move, { input: { id, to: 'REPORTING' } }), 'moveResearchProject');
    const r = await call(Q.move, { input: { id, to: 'SUBMITTED' } });
    expect(r.body.errors?.[0]).toMatchObject({ message: 'Before submission the project needs: combinedReport, review, submittedTo', extensions: { code: 'BAD_USER_INPUT', details: { missing: ['combinedReport', 'review', 'submittedTo'] } } });
    const review = await call(`mutation($id: ID!) { recordResearchReview(projectId: $id, input: { reviewBody: "主席会议", reviewedOn: "2026-09-20" }) { id } }`, { id });
    expect(review.body.errors?.[0]).toMatchObject({ message: 'Compile the combined report before recording its review', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('only the lead committee’s STAFF or LEADER moves the project', async () => {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '权限测试课题', ['530102']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    const asParticipant = await app.as('wh.staff')(Q.move, { input: { id, to: 'IN_PROGRESS' } });
    expect(asParticipant.body.errors?.[0]).toMatchObject({ message: 'Only the lead committee can do this', extensions: { code: 'FORBIDDEN' } });
    for (const login of ['km.member', 'km.dept', 'km.admin']) expect(codeOf(await app.as(login)(Q.move, { input: { id, to: 'IN_PROGRESS' } }))).toBe('FORBIDDEN');
    expect(ok(await app.as('km.leader')(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject')).toEqual({ status: 'IN_PROGRESS' });
  });

  it('a team holds only people of the acting committee', async () => {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '调研组成员测试', ['530102']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    const foreign = await app.as('wh.staff')(Q.team, { projectId: id, members: [{ userId: await userId('pl.member'), teamRole: '成员' }] });
    expect(foreign.body.errors?.[0]).toMatchObject({ message: 'Team member not found', extensions: { code: 'NOT_FOUND' } });
    const dept = await app.as('wh.staff')(Q.team, { projectId: id, members: [{ userId: await userId('wh.dept'), teamRole: '成员' }] });
    expect(codeOf(dept)).toBe('NOT_FOUND');
    const team = ok(await app.as('wh.staff')(Q.team, { projectId: id, members: [{ userId: await userId('wh.member'), teamRole: '组长' }] }), 'setResearchTeam');
    expect(team).toEqual([{ displayName: '周明远', teamRole: '组长' }]);
  });
});

describe('research in member archives (调研视察)', () => {
  // Members with nothing in their 2026 archives yet, so the scores below move by the research points alone.
  const MEMBERS = [['km.res.a', '530100'], ['wh.res.a', '530102'], ['wh.res.b', '530102'], ['wh.res.c', '530102']] as const;
  beforeAll(async () => {
    for (const [login, code] of MEMBERS) await app.createUser(login, code, 'MEMBER');
  });
  /** Each member's records of the project, read from their own archive. */
  const credits = async (title: string) => {
    const out: Record<string, unknown[]> = {};
    for (const [login, code] of MEMBERS) {
      const r = await app.as(login, code)(`{ dutyArchive(year: 2026) { records { category title origin status } } }`);
      out[login] = r.body.data.dutyArchive.records.filter((x: any) => x.title.startsWith(title));
    }
    return out;
  };
  const record = (title: string) => [{ category: 'RESEARCH', title, origin: 'AUTO', status: 'VERIFIED' }];

  it('one record per member per project, for the members on a team — participants and the lead alike; the team as it stands', async () => {
    const title = '档案计分调研课题';
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', title, ['530102']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    ok(await app.as('km.staff')(Q.team, { projectId: id, members: [{ userId: await userId('km.res.a'), teamRole: '组长' }, { userId: await userId('km.staff'), teamRole: '联络员' }] }), 'setResearchTeam');
    ok(await app.as('wh.staff')(Q.team, { projectId: id, members: [{ userId: await userId('wh.res.a'), teamRole: '组长' }, { userId: await userId('wh.res.b'), teamRole: '成员' }] }), 'setResearchTeam');
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    // Three contributions of 五华区, the last a reviewer's note: still one record each for its two members.
    for (const t of ['五华区子课题报告', '五华区补充数据', '审稿意见']) ok(await app.as('wh.staff')(Q.contribute, { projectId: id, input: { title: t, body: '正文' } }), 'submitResearchContribution');
    expect(await credits(title)).toEqual({ 'km.res.a': [], 'wh.res.a': record(title), 'wh.res.b': record(title), 'wh.res.c': [] });

    // The lead's team is credited once its own work is in: the combined report.
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'REPORTING' } }), 'moveResearchProject');
    ok(await app.as('km.staff')(`mutation($id: ID!) { compileResearchReport(projectId: $id, report: "综合调研报告") { id } }`, { id }), 'compileResearchReport');
    expect(await credits(title)).toEqual({ 'km.res.a': record(title), 'wh.res.a': record(title), 'wh.res.b': record(title), 'wh.res.c': [] });

    // 五华区 changes its team: who joins is credited, who leaves is not any more; their scores follow.
    const score = async (login: string) => (await app.as(login)(`{ dutyArchive(year: 2026) { score } }`)).body.data.dutyArchive.score as number;
    const [leaving, joining] = [await score('wh.res.b'), await score('wh.res.c')];
    ok(await app.as('wh.staff')(Q.team, { projectId: id, members: [{ userId: await userId('wh.res.a'), teamRole: '组长' }, { userId: await userId('wh.res.c'), teamRole: '成员' }] }), 'setResearchTeam');
    expect(await credits(title)).toEqual({ 'km.res.a': record(title), 'wh.res.a': record(title), 'wh.res.b': [], 'wh.res.c': record(title) });
    expect([leaving, joining]).toEqual([8, 0]);
    expect([await score('wh.res.b'), await score('wh.res.c')]).toEqual([0, 8]);
    const roll = await app.as('wh.staff')(`{ rollup(period: "2026") { own { metrics { metric value } } } }`);
    const sum = (await app.db.query(`select sum(score)::int n from duty_archive a join tenant t on t.id = a.tenant_id where t.code = '530102' and a.year = 2026`)).rows[0].n;
    expect(roll.body.data.rollup.own.metrics.find((m: any) => m.metric === 'perf.score_sum')).toEqual({ metric: 'perf.score_sum', value: sum });
  });
});

describe('bad input changes nothing', () => {
  it('empty or oversized text, reversed dates: BAD_USER_INPUT', async () => {
    const before = await counts(app, TABLES);
    const call = app.as('km.staff');
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ...projectInput(''), title: '' }, ['title']],
      [{ ...projectInput('x'), background: '很'.repeat(5001) }, ['background']],
      [{ ...projectInput('x'), title: 'a'.repeat(201), goals: '' }, ['title', 'goals']],
    ];
    for (const [input, fields] of cases) {
      const r = await call(Q.createProject, { input });
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      expect(r.body.errors![0]!.extensions!.details.fields.map((f: { field: string }) => f.field)).toEqual(fields);
    }
    const reversed = await call(Q.createProject, { input: { ...projectInput('日期颠倒'), startDate: '2026-05-01', endDate: '2026-04-01' } });
    expect(reversed.body.errors?.[0]).toMatchObject({ message: 'endDate must not be before startDate', extensions: { code: 'BAD_USER_INPUT', details: { field: 'endDate' } } });
    const badDate = await call(Q.createProject, { input: { ...projectInput('日期格式'), startDate: '2026-02-30' } });
    expect(codeOf(badDate)).toBe('BAD_USER_INPUT');
    expect(await counts(app, TABLES)).toEqual(before);
  });

  it('inviting itself, another province, an unknown committee, twice: coded errors, nothing written', async () => {
    const { id } = await projectWithInvitations(app, 'km.staff', '邀请校验测试', ['530102']);
    const before = await counts(app, TABLES);
    const call = app.as('km.staff');
    const expectError = async (codes: string[], code: string, message: string) => {
      const r = await call(Q.invite, { input: { itemId: id, committeeCodes: codes } });
      expect(r.body.errors?.[0]).toMatchObject({ message, extensions: { code } });
    };
    await expectError(['530100'], 'BAD_USER_INPUT', 'A committee cannot invite itself');
    await expectError(['530103', '130821'], 'BAD_USER_INPUT', '承德县 is in another province');
    await expectError(['539999'], 'NOT_FOUND', 'Committee not found');
    await expectError(['530103', '530103'], 'BAD_USER_INPUT', 'A committee is named twice');
    await expectError(['530103', '530102'], 'CONFLICT', 'Already invited or taking part: 五华区');
    await expectError([], 'BAD_USER_INPUT', 'Name at least one committee');
    expect(await counts(app, TABLES)).toEqual(before);
  });

  it('unknown and foreign ids read the same: NOT_FOUND', async () => {
    const { id } = await projectWithInvitations(app, 'pl.staff', '盘龙区自有课题', ['530103'.replace('3', '3')].filter(() => false).concat(['530102']));
    const missing = toGlobalId('ResearchProject', newId());
    for (const target of [id, missing]) {
      const r = await app.as('km.staff')(Q.move, { input: { id: target, to: 'IN_PROGRESS' } });
      expect(r.body.errors).toEqual([{ message: 'Research project not found', path: ['moveResearchProject'], locations: expect.any(Array), extensions: { code: 'NOT_FOUND' } }]);
      const c = await app.as('km.staff')(Q.contribute, { projectId: target, input: { title: 't', body: 'b' } });
      expect(c.body.errors?.[0]).toMatchObject({ message: 'Research project not found', extensions: { code: 'NOT_FOUND' } });
    }
    const wrongType = await app.as('km.staff')(Q.move, { input: { id: await userId('km.staff'), to: 'IN_PROGRESS' } });
    expect(wrongType.body.errors?.[0]).toMatchObject({ message: 'projectId is not a ResearchProject id', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('answering twice, or a withdrawn invitation, is INVALID_TRANSITION', async () => {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '重复答复测试', ['530102', '530103']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    const again = await app.as('wh.staff')(Q.respond, { id: invitation['530102'], accept: false, reason: '改变主意' });
    expect(again.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION', details: { from: 'ACCEPTED', to: 'DECLINED' } } });
    const noReason = await app.as('pl.staff')(Q.respond, { id: invitation['530103'], accept: false });
    expect(noReason.body.errors?.[0]).toMatchObject({ message: 'A reason is required to decline', extensions: { code: 'BAD_USER_INPUT' } });
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'CANCELLED' } }), 'moveResearchProject');
    const late = await app.as('pl.staff')(Q.respond, { id: invitation['530103'], accept: true });
    expect(late.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_TRANSITION', details: { from: 'WITHDRAWN', to: 'ACCEPTED' } } });
  });
});

describe('list filters', () => {
  it('research projects by status, year, lead level and leading/participating', async () => {
    await app.createUser('fm.staff', '530124', 'STAFF', '富民县工作人员');
    const led = await projectWithInvitations(app, 'fm.staff', '富民县自有课题', ['530100']);
    await answer(app, 'km.staff', led.invitation['530100']!, true);
    const call = app.as('km.staff');
    const titles = async (filter: Record<string, unknown>) =>
      (await call(`query($f: ResearchFilter) { researchProjects(first: 100, filter: $f) { edges { node { title } } } }`, { f: filter })).body.data.researchProjects.edges.map((e: any) => e.node.title);
    expect(await titles({ level: 'COUNTY', leading: false })).toEqual(['富民县自有课题']);
    const province = await titles({ level: 'PROVINCE' });
    expect(province).toContain('推进高原特色现代农业高质量发展三级政协联动调研');
    expect(province).not.toContain('富民县自有课题');
    expect(await titles({ status: ['INVITING'], leading: false })).toEqual(['富民县自有课题']);
    expect(await titles({ year: 2031 })).toEqual([]);
    const joined = await titles({ year: 2026, leading: false });
    expect(joined).toEqual(expect.arrayContaining(['富民县自有课题', '推进高原特色现代农业高质量发展三级政协联动调研']));
    expect(await titles({ leading: true })).not.toContain('富民县自有课题');
  });

  it('topics by source, form and stage', async () => {
    const call = app.as('wh.staff');
    const titles = async (filter: Record<string, unknown>) =>
      (await call(`query($f: TopicFilter) { consultationTopics(first: 100, filter: $f) { edges { node { title } } } }`, { f: filter })).body.data.consultationTopics.edges.map((e: any) => e.node.title);
    expect(await titles({ source: 'PARTY_GOVERNMENT', year: 2026 })).toEqual(['加快打造世界一流“绿色食品牌”']);
    expect(await titles({ form: 'COUNTERPART', year: 2026 })).toEqual(['推进以县城为重要载体的新型城镇化建设']);
    expect(await titles({ stage: ['IMPLEMENT'] })).toEqual([]);
  });
});
