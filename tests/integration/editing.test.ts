import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { Q, answer, counts, ok, projectWithInvitations, topicOf } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';

/**
 * Edits after creation where the work needs them (a project's or topic's title and description, a proposal
 * before filing review, a contribution before REPORTING), each kept in history; contribution drafts written by
 * the team's members and submitted by the office; the office's queue of duty records awaiting verification.
 */

let app: TestApp;
const userId = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const HISTORY = 'history { fromState toState actorName changes { field before after } }';
const EDIT_PROJECT = `mutation($input: EditResearchProjectInput!) { editResearchProject(input: $input) { title background goals status ${HISTORY} } }`;
const EDIT_TOPIC = `mutation($input: EditTopicInput!) { editConsultationTopic(input: $input) { title description stage ${HISTORY} } }`;
const EDIT_PROPOSAL = `mutation($input: EditProposalInput!) { editProposal(input: $input) { title content status edits { fromState toState actorName changes { field before after } } } }`;
const DRAFT = `mutation($projectId: ID!, $input: ContributionInput!) { draftResearchContribution(projectId: $projectId, input: $input) { id title status writtenByName submittedByName } }`;
const EDIT_CONTRIBUTION = `mutation($input: EditContributionInput!) { editResearchContribution(input: $input) { title body findings status writtenByName ${HISTORY} } }`;
const SUBMIT_DRAFT = `mutation($id: ID!) { submitResearchContributionDraft(id: $id) { title status writtenByName submittedByName ${HISTORY} } }`;
const CONTRIBUTIONS = `query($id: ID!) { node(id: $id) { ... on ResearchProject { contributions { title status committee { code } } } } }`;

describe('editing a research project', () => {
  it('the lead edits title, background and goals while not closed; each edit is in the history with what changed; participants read the new title', async () => {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '城中村改造联动调研', ['530102']);
    const edited = await app.as('km.leader')(EDIT_PROJECT, { input: { id, title: '城中村改造与城市更新联动调研', goals: '形成综合调研报告。' } });
    expect(edited.body).toEqual({
      data: {
        editResearchProject: {
          title: '城中村改造与城市更新联动调研',
          background: '围绕县域经济高质量发展开展联动调研。',
          goals: '形成综合调研报告。',
          status: 'INVITING',
          history: [
            { fromState: null, toState: 'DRAFT', actorName: '王春燕', changes: [] },
            { fromState: 'DRAFT', toState: 'INVITING', actorName: '王春燕', changes: [] },
            {
              fromState: 'INVITING',
              toState: 'INVITING',
              actorName: '孙永红',
              changes: [
                { field: 'title', before: '城中村改造联动调研', after: '城中村改造与城市更新联动调研' },
                { field: 'goals', before: '形成综合调研报告并报送党委政府。', after: '形成综合调研报告。' },
              ],
            },
          ],
        },
      },
    });
    // The invited committee's invitation carries the new title.
    const inv = await app.as('wh.staff')(`query($id: ID!) { node(id: $id) { ... on JointParticipant { title status } } }`, { id: invitation['530102'] });
    expect(inv.body).toEqual({ data: { node: { title: '城中村改造与城市更新联动调研', status: 'PENDING' } } });

    // Giving the same values changes nothing and records nothing.
    const before = await counts(app, ['state_change']);
    const same = await app.as('km.staff')(EDIT_PROJECT, { input: { id, title: '城中村改造与城市更新联动调研' } });
    expect(same.body.data.editResearchProject.history).toHaveLength(3);
    expect(await counts(app, ['state_change'])).toEqual(before);
  });

  it('refuses a closed or cancelled project, a participant, a member and another committee, writing nothing', async () => {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '待取消的调研', ['530102']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    const before = await counts(app, ['state_change', 'research_project']);
    const participant = await app.as('wh.staff')(EDIT_PROJECT, { input: { id, title: '改名' } });
    expect(participant.body).toEqual({ data: null, errors: [{ message: 'Only the lead committee can do this', locations: expect.any(Array), path: ['editResearchProject'], extensions: { code: 'FORBIDDEN' } }] });
    expect(codeOf(await app.as('km.member')(EDIT_PROJECT, { input: { id, title: '改名' } }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('pl.staff')(EDIT_PROJECT, { input: { id, title: '改名' } }))).toBe('NOT_FOUND');
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'CANCELLED' } }), 'moveResearchProject');
    const cancelled = await app.as('km.staff')(EDIT_PROJECT, { input: { id, title: '改名' } });
    expect(cancelled.body.errors).toEqual([
      { message: 'A CANCELLED project cannot be edited', locations: expect.any(Array), path: ['editResearchProject'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'CANCELLED', to: 'EDIT' } } },
    ]);
    const after = await counts(app, ['state_change', 'research_project']);
    expect(after).toEqual({ ...before, state_change: before.state_change + 1 });
  });
});

describe('editing a consultation topic', () => {
  it('the owner edits title and description until the loop is closed, kept in the history', async () => {
    const t = await topicOf(app, 'wh.staff', '老旧小区加装电梯');
    const edited = await app.as('wh.leader')(EDIT_TOPIC, { input: { id: t.id, description: '推进老旧小区加装电梯的协商' } });
    expect(edited.body).toEqual({
      data: {
        editConsultationTopic: {
          title: '老旧小区加装电梯',
          description: '推进老旧小区加装电梯的协商',
          stage: 'SELECT',
          history: [{ fromState: null, toState: 'SELECT', actorName: '陈雪梅', changes: [] }, { fromState: 'SELECT', toState: 'SELECT', actorName: '罗继红', changes: [{ field: 'description', before: '老旧小区加装电梯的说明', after: '推进老旧小区加装电梯的协商' }] }],
        },
      },
    });
    for (const to of ['RESEARCH', 'CONSULT', 'ASSIGN', 'IMPLEMENT', 'FEEDBACK', 'TRACK', 'CLOSED']) ok(await app.as('wh.staff')(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const closed = await app.as('wh.staff')(EDIT_TOPIC, { input: { id: t.id, title: '改名' } });
    expect(closed.body.errors).toEqual([
      { message: 'A closed topic cannot be edited', locations: expect.any(Array), path: ['editConsultationTopic'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'CLOSED', to: 'EDIT' } } },
    ]);
    expect(codeOf(await app.as('pl.staff')(EDIT_TOPIC, { input: { id: t.id, title: '改名' } }))).toBe('NOT_FOUND');
  });
});

describe('editing a proposal', () => {
  const SUBMIT = `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { id } }`;
  it('the proposer edits it before the filing review; each edit is listed; after the review it is refused', async () => {
    const p = ok(await app.as('wh.member')(SUBMIT, { input: { title: '关于完善社区养老服务的提案', content: '建议增加社区养老服务设施供给。', kind: 'MEMBER' } }), 'submitProposal');
    const edited = await app.as('wh.member')(EDIT_PROPOSAL, { input: { id: p.id, content: '建议增加社区养老服务设施供给，完善运营补贴。' } });
    expect(edited.body).toEqual({
      data: {
        editProposal: {
          title: '关于完善社区养老服务的提案',
          content: '建议增加社区养老服务设施供给，完善运营补贴。',
          status: 'SUBMITTED',
          edits: [{ fromState: 'SUBMITTED', toState: 'SUBMITTED', actorName: '周明远', changes: [{ field: 'content', before: '建议增加社区养老服务设施供给。', after: '建议增加社区养老服务设施供给，完善运营补贴。' }] }],
        },
      },
    });
    expect(codeOf(await app.as('wh.staff')(EDIT_PROPOSAL, { input: { id: p.id, title: '由机关修改的案由' } }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('pl.member')(EDIT_PROPOSAL, { input: { id: p.id, title: '别人的提案' } }))).toBe('NOT_FOUND');
    ok(await app.as('wh.staff')(`mutation($id: ID!) { reviewProposal(id: $id, input: { decision: FILED, term: 13, session: 3 }) { status } }`, { id: p.id }), 'reviewProposal');
    const late = await app.as('wh.member')(EDIT_PROPOSAL, { input: { id: p.id, title: '立案后再修改' } });
    expect(late.body.errors).toEqual([
      { message: 'A proposal is edited only before its filing review (it is FILED)', locations: expect.any(Array), path: ['editProposal'], extensions: { code: 'INVALID_TRANSITION', details: { from: 'FILED', to: 'EDIT' } } },
    ]);
  });

  it("the office edits a sector's proposal before review", async () => {
    const p = ok(await app.as('wh.staff')(SUBMIT, { input: { title: '关于发展夜间经济的提案', content: '建议规划夜间经济集聚区。', kind: 'SECTOR', onBehalfOf: '经济界' } }), 'submitProposal');
    const edited = await app.as('wh.admin')(EDIT_PROPOSAL, { input: { id: p.id, title: '关于促进夜间经济发展的提案' } });
    expect(edited.body.data.editProposal.edits).toEqual([
      { fromState: 'SUBMITTED', toState: 'SUBMITTED', actorName: '何立新', changes: [{ field: 'title', before: '关于发展夜间经济的提案', after: '关于促进夜间经济发展的提案' }] },
    ]);
    // null for a field the proposal requires leaves it as it is, like leaving it out.
    const nulls = await app.as('wh.admin')(EDIT_PROPOSAL, { input: { id: p.id, title: null, content: '建议规划夜间经济集聚区，延长公交运营时间。' } });
    expect(nulls.body.data.editProposal).toMatchObject({ title: '关于促进夜间经济发展的提案', content: '建议规划夜间经济集聚区，延长公交运营时间。' });
    expect(nulls.body.data.editProposal.edits.at(-1).changes).toEqual([{ field: 'content', before: '建议规划夜间经济集聚区。', after: '建议规划夜间经济集聚区，延长公交运营时间。' }]);
    // A lone surrogate is stored as U+FFFD, in the proposal as in its history (jsonb refuses the escape).
    const lone = await app.as('wh.admin')(EDIT_PROPOSAL, { input: { id: p.id, title: '关于夜间经济的提案\ud800' } });
    expect(lone.body.data.editProposal.title).toBe('关于夜间经济的提案\ufffd');
    expect(lone.body.data.editProposal.edits.at(-1).changes).toEqual([{ field: 'title', before: '关于促进夜间经济发展的提案', after: '关于夜间经济的提案\ufffd' }]);
  });
});

describe('contribution drafts and edits', () => {
  async function workingProject(title: string) {
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', title, ['530102', '530103']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    await answer(app, 'pl.staff', invitation['530103']!, true);
    ok(await app.as('wh.staff')(Q.team, { projectId: id, members: [{ userId: await userId('wh.member'), teamRole: '组长' }] }), 'setResearchTeam');
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    return id;
  }

  it('a member on the team writes the draft, only the committee reads it; the office submits it and the lead reads it; the team is credited then', async () => {
    const id = await workingProject('城市更新中的历史街区保护');
    const draft = await app.as('wh.member')(DRAFT, { projectId: id, input: { title: '五华区历史街区调研', body: '初稿' } });
    expect(draft.body).toEqual({ data: { draftResearchContribution: { id: expect.any(String), title: '五华区历史街区调研', status: 'DRAFT', writtenByName: '周明远', submittedByName: null } } });
    const cid = draft.body.data.draftResearchContribution.id;
    // The lead and the sibling participant do not see the draft; the committee does.
    expect((await app.as('km.staff')(CONTRIBUTIONS, { id })).body).toEqual({ data: { node: { contributions: [] } } });
    expect((await app.as('km.staff')(`query($id: ID!) { node(id: $id) { id } }`, { id: cid })).body).toEqual({ data: { node: null } });
    expect((await app.as('pl.staff')(CONTRIBUTIONS, { id })).body).toEqual({ data: { node: { contributions: [] } } });
    expect((await app.as('wh.staff')(CONTRIBUTIONS, { id })).body).toEqual({ data: { node: { contributions: [{ title: '五华区历史街区调研', status: 'DRAFT', committee: { code: '530102' } }] } } });
    // No credit for a draft.
    const credited = async () => (await app.db.query(`select count(*)::int n from duty_record r join duty_archive a on a.id = r.archive_id join app_user u on u.id = a.user_id where u.login = 'wh.member' and r.source_key = $1`, [`ResearchProject:${app.uuid(id)}`])).rows[0].n;
    expect(await credited()).toBe(0);

    const edited = await app.as('wh.member')(EDIT_CONTRIBUTION, { input: { id: cid, body: '第二稿', findings: '建议建立历史街区保护名录' } });
    expect(edited.body).toEqual({
      data: {
        editResearchContribution: {
          title: '五华区历史街区调研',
          body: '第二稿',
          findings: '建议建立历史街区保护名录',
          status: 'DRAFT',
          writtenByName: '周明远',
          history: [
            { fromState: null, toState: 'DRAFT', actorName: '周明远', changes: [] },
            { fromState: 'DRAFT', toState: 'DRAFT', actorName: '周明远', changes: [{ field: 'body', before: '初稿', after: '第二稿' }, { field: 'findings', before: null, after: '建议建立历史街区保护名录' }] },
          ],
        },
      },
    });
    // A member submits nothing: the office does.
    expect(codeOf(await app.as('wh.member')(SUBMIT_DRAFT, { id: cid }))).toBe('FORBIDDEN');
    const submitted = await app.as('wh.staff')(SUBMIT_DRAFT, { id: cid });
    expect(submitted.body.data.submitResearchContributionDraft).toEqual({
      title: '五华区历史街区调研',
      status: 'SUBMITTED',
      writtenByName: '周明远',
      submittedByName: '陈雪梅',
      history: [
        { fromState: null, toState: 'DRAFT', actorName: '周明远', changes: [] },
        { fromState: 'DRAFT', toState: 'DRAFT', actorName: '周明远', changes: [{ field: 'body', before: '初稿', after: '第二稿' }, { field: 'findings', before: null, after: '建议建立历史街区保护名录' }] },
        { fromState: 'DRAFT', toState: 'SUBMITTED', actorName: '陈雪梅', changes: [] },
      ],
    });
    expect(await credited()).toBe(1);
    // The lead reads it now, with the history from its submission on (the draft's stays the committee's).
    const lead = await app.as('km.staff')(`query($id: ID!) { node(id: $id) { ... on ResearchContribution { title status ${HISTORY} } } }`, { id: cid });
    expect(lead.body).toEqual({ data: { node: { title: '五华区历史街区调研', status: 'SUBMITTED', history: [{ fromState: 'DRAFT', toState: 'SUBMITTED', actorName: '陈雪梅', changes: [] }] } } });
    expect(codeOf(await app.as('wh.staff')(SUBMIT_DRAFT, { id: cid }))).toBe('INVALID_TRANSITION');

    // Once submitted, a member no longer edits it; the office does, before REPORTING.
    expect(codeOf(await app.as('wh.member')(EDIT_CONTRIBUTION, { input: { id: cid, title: '改' } }))).toBe('FORBIDDEN');
    const byOffice = await app.as('wh.leader')(EDIT_CONTRIBUTION, { input: { id: cid, title: '五华区历史文化街区调研' } });
    expect(byOffice.body.data.editResearchContribution.history.at(-1)).toEqual({
      fromState: 'SUBMITTED', toState: 'SUBMITTED', actorName: '罗继红', changes: [{ field: 'title', before: '五华区历史街区调研', after: '五华区历史文化街区调研' }],
    });
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'REPORTING' } }), 'moveResearchProject');
    const reporting = await app.as('wh.staff')(EDIT_CONTRIBUTION, { input: { id: cid, title: '报告阶段再改' } });
    expect(reporting.body.errors).toEqual([
      {
        message: 'Editing a submitted contribution is not possible while the project is REPORTING',
        locations: expect.any(Array),
        path: ['editResearchContribution'],
        extensions: { code: 'INVALID_TRANSITION', details: { from: 'REPORTING', to: 'Editing a submitted contribution' } },
      },
    ]);
  });

  it('refuses a member not on the team, another committee and a contribution of another committee, writing nothing', async () => {
    const id = await workingProject('社区嵌入式服务设施建设');
    const before = await counts(app, ['research_contribution', 'state_change']);
    const notOnTeam = await app.as('pl.member')(DRAFT, { projectId: id, input: { title: '盘龙稿', body: '正文' } });
    expect(notOnTeam.body).toEqual({
      data: null,
      errors: [{ message: "Only members on the committee's research team write its contribution", locations: expect.any(Array), path: ['draftResearchContribution'], extensions: { code: 'FORBIDDEN' } }],
    });
    expect(codeOf(await app.as('cdx.staff')(DRAFT, { projectId: id, input: { title: '承德县稿', body: '正文' } }))).toBe('NOT_FOUND');
    expect(await counts(app, ['research_contribution', 'state_change'])).toEqual(before);
    const mine = ok(await app.as('wh.member')(DRAFT, { projectId: id, input: { title: '五华稿', body: '正文' } }), 'draftResearchContribution');
    expect(codeOf(await app.as('pl.staff')(EDIT_CONTRIBUTION, { input: { id: mine.id, title: '盘龙改五华的稿' } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('km.staff')(EDIT_CONTRIBUTION, { input: { id: mine.id, title: '牵头单位改稿' } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('km.staff')(SUBMIT_DRAFT, { id: mine.id }))).toBe('NOT_FOUND');
  });
});

describe('duty records awaiting verification', () => {
  const ADD = `mutation($input: AddDutyRecordInput!) { addDutyRecord(input: $input) { id status } }`;
  const QUEUE = `query { pendingDutyRecords(first: 50) { totalCount edges { node { id title category status seat { user { login } } } } } }`;
  const VERIFY = `mutation($id: ID!, $approve: Boolean!, $reason: String) { verifyDutyRecord(id: $id, approve: $approve, reason: $reason) { status rejectReason } }`;

  it("form the office's queue, oldest first; a rejection carries the reason the member reads; other committees see nothing", async () => {
    const first = ok(await app.as('pl.member')(ADD, { input: { category: 'READING', title: '参加读书分享会', occurredAt: '2026-02-10T02:00:00Z' } }), 'addDutyRecord');
    const second = ok(await app.as('pl.member')(ADD, { input: { category: 'SECTOR_VISIT', title: '走访界别群众', occurredAt: '2026-02-12T02:00:00Z' } }), 'addDutyRecord');
    const queue = await app.as('pl.staff')(QUEUE);
    expect(queue.body.errors).toBeUndefined();
    const ours = queue.body.data.pendingDutyRecords.edges.map((e: { node: unknown }) => e.node).filter((n: { id: string }) => [first.id, second.id].includes(n.id));
    expect(ours).toEqual([
      { id: first.id, title: '参加读书分享会', category: 'READING', status: 'PENDING', seat: { user: { login: 'pl.member' } } },
      { id: second.id, title: '走访界别群众', category: 'SECTOR_VISIT', status: 'PENDING', seat: { user: { login: 'pl.member' } } },
    ]);
    const otherCommittee = await app.as('wh.staff')(QUEUE);
    expect(otherCommittee.body.data.pendingDutyRecords.edges.map((e: { node: unknown }) => e.node).filter((n: { id: string }) => [first.id, second.id].includes(n.id))).toEqual([]);
    expect(codeOf(await app.as('pl.member')(QUEUE))).toBe('FORBIDDEN');

    const noReason = await app.as('pl.staff')(VERIFY, { id: first.id, approve: false });
    expect(noReason.body).toEqual({
      data: null,
      errors: [{ message: 'A rejection needs its reason, 2–500 characters', locations: expect.any(Array), path: ['verifyDutyRecord'], extensions: { code: 'BAD_USER_INPUT', details: { field: 'reason' } } }],
    });
    expect(codeOf(await app.as('pl.staff')(VERIFY, { id: second.id, approve: true, reason: '同意' }))).toBe('BAD_USER_INPUT');
    expect((await app.as('pl.staff')(VERIFY, { id: first.id, approve: false, reason: '请补充活动照片' })).body).toEqual({ data: { verifyDutyRecord: { status: 'REJECTED', rejectReason: '请补充活动照片' } } });
    expect((await app.as('pl.staff')(VERIFY, { id: second.id, approve: true })).body).toEqual({ data: { verifyDutyRecord: { status: 'VERIFIED', rejectReason: null } } });
    const after = await app.as('pl.staff')(QUEUE);
    expect(after.body.data.pendingDutyRecords.edges.map((e: { node: unknown }) => e.node).filter((n: { id: string }) => [first.id, second.id].includes(n.id))).toEqual([]);

    const archive = await app.as('pl.member')(`query { dutyArchive(year: 2026) { records { title status rejectReason } } }`);
    expect(archive.body.data.dutyArchive.records.filter((r: { title: string }) => ['参加读书分享会', '走访界别群众'].includes(r.title))).toEqual([
      { title: '参加读书分享会', status: 'REJECTED', rejectReason: '请补充活动照片' },
      { title: '走访界别群众', status: 'VERIFIED', rejectReason: null },
    ]);
  });
});
