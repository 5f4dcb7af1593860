import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { Q, answer, ok, projectWithInvitations, topicOf } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';

/**
 * Each kind of notification the platform's work raises, through the API: the act, then the reader's
 * `notifications` (kind, Chinese title, the item's global id), and nobody else's inbox.
 */
let app: TestApp;

const waitFor = async <T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
/** Every job this test's acts queued has run (the minute's sweep aside). */
const idle = () =>
  waitFor('jobs done', async () => {
    const r = await app.db.query(
      `select count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now()) ::int pending, count(*) filter (where locked_at is not null)::int running
         from graphile_worker.jobs where task_identifier not like 'notification.sweep%'`,
    );
    return r.rows[0].pending === 0 && r.rows[0].running === 0;
  });

interface Note { kind: string; title: string; body: string; itemId: string | null }
/** The reader's inbox through the API, newest first, acting for `code` (their own committee by default). */
const inboxOf = async (login: string, code?: string): Promise<Note[]> => {
  const r = ok<{ edges: { node: Note }[] }>(await app.as(login, code)(`{ notifications(first: 50) { edges { node { kind title body itemId } } } }`), 'notifications');
  return r.edges.map((e) => e.node);
};
/** What each login holds about one item (any committee), from the table: to show who did not get one. */
const holders = async (itemGid: string) =>
  (await app.db.query(`select u.login, n.kind from notification n join app_user u on u.id = n.user_id where n.item_id = $1`, [app.uuid(itemGid)])).rows.map((r) => `${r.login}:${r.kind}`).sort();
const tenantGid = async (code: string) => toGlobalId('Tenant', (await app.db.query('select id from tenant where code = $1', [code])).rows[0].id);
const unitGid = async (login: string) => toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', [login])).rows[0].unit_id);
const userGid = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
const seatGid = async (login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
/** The reader's notifications about one item, by kind and title (jobs of one act may run in either order). */
const about = (notes: Note[], itemId: string) =>
  notes
    .filter((n) => n.itemId === itemId)
    .map((n) => ({ kind: n.kind, title: n.title }))
    .sort((a, b) => (a.kind + a.title < b.kind + b.title ? -1 : a.kind + a.title > b.kind + b.title ? 1 : 0));

beforeAll(async () => {
  app = await startTestApp({ jobsPollMs: 100, jobsWorker: true });
  app.clock.set(new Date('2026-03-02T02:00:00Z'));
  await app.createUser('wh.dept.zj', '530102', 'DEPARTMENT', '五华区住房和城乡建设局');
}, 120_000);
afterAll(() => app?.stop());

describe('notifications raised by the work (通知事件)', () => {
  it('invitation received and answered: the invited office, then the inviting office; a committee not invited gets nothing', async () => {
    const title = '滇池流域生态保护联动调研';
    const { id, invitation } = await projectWithInvitations(app, 'yn.staff', title, ['530100', '530102']);
    await idle();
    const km = toGlobalId('JointParticipant', app.uuid(invitation['530100']!));
    expect(about(await inboxOf('km.staff'), km)).toEqual([{ kind: 'INVITATION_RECEIVED', title: `收到联动邀请：${title}` }]);
    expect((await inboxOf('km.staff')).find((n) => n.itemId === km)!.body).toBe('云南省政协邀请本会参与联合调研。');
    expect(about(await inboxOf('wh.staff'), invitation['530102']!)).toEqual([{ kind: 'INVITATION_RECEIVED', title: `收到联动邀请：${title}` }]);
    // The office only: the leader, the members, the inviter have none about it.
    expect(await holders(invitation['530100']!)).toEqual(['km.staff:INVITATION_RECEIVED']);

    await answer(app, 'km.staff', invitation['530100']!, true);
    await answer(app, 'wh.leader', invitation['530102']!, false, '本年度调研计划已满');
    await idle();
    const yn = await inboxOf('yn.staff');
    expect(about(yn, id)).toEqual([
      { kind: 'INVITATION_ANSWERED', title: `邀请已接受：${title}` },
      { kind: 'INVITATION_ANSWERED', title: `邀请已谢绝：${title}` },
    ]);
    expect(yn.filter((n) => n.itemId === id).map((n) => n.body).sort()).toEqual(['五华区政协谢绝了邀请：本年度调研计划已满', '昆明市政协接受了邀请。'].sort());
    expect(await holders(id)).toEqual(['yn.staff:INVITATION_ANSWERED', 'yn.staff:INVITATION_ANSWERED']);

    // Told about an invitation it cannot see (盘龙 was not invited): the job runs as 盘龙's office and makes nothing.
    await app.running.jobs.add('notification.notify-audience', {
      tenantId: (await app.db.query(`select id from tenant where code = '530103'`)).rows[0].id,
      audience: { roles: ['STAFF'] },
      kind: 'INVITATION_RECEIVED',
      itemType: 'JointParticipant',
      itemId: app.uuid(invitation['530100']!),
      title: '不应出现',
      dedupeKey: 'probe:invitation',
    });
    await idle();
    expect((await app.db.query(`select count(*)::int n from notification where dedupe_key = 'probe:invitation'`)).rows[0].n).toBe(0);
    expect(about(await inboxOf('pl.staff'), km)).toEqual([]);
  }, 90_000);

  it('a proposal assigned to its lead and co-units, its reply to the proposers (not one whose seat ended), and one not filed', async () => {
    const SUBMIT = `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { id } }`;
    const title = '关于推进老旧小区加装电梯的联名提案';
    const id = ok(await app.as('wh.member')(SUBMIT, { input: { title, content: '建议简化审批、统筹资金，加快老旧小区加装电梯。', kind: 'JOINT', coProposers: [await seatGid('m530102.001', '530102')] } }), 'submitProposal').id;
    ok(await app.as('wh.staff')(`mutation($id: ID!) { reviewProposal(id: $id, input: { decision: FILED, term: 10, session: 3 }) { status } }`, { id }), 'reviewProposal');
    const assign = `mutation($id: ID!, $input: AssignProposalInput!) { assignProposal(id: $id, input: $input) { status } }`;
    ok(await app.as('wh.staff')(assign, { id, input: { leadUnit: await unitGid('wh.dept'), coUnits: [await unitGid('wh.dept.zj')], replyDeadline: '2026-06-01T00:00:00Z' } }), 'assignProposal');
    await idle();
    for (const login of ['wh.dept', 'wh.dept.zj']) expect(about(await inboxOf(login), id)).toEqual([{ kind: 'ASSIGNED', title: `交办提案：${title}` }]);
    expect((await inboxOf('wh.dept')).find((n) => n.itemId === id)!.body).toBe('请于 2026-06-01 前答复。');

    // The co-proposer's seat ends before the reply: they cannot read the proposal as a member any more, so they are not told.
    await app.db.query(`update member_seat set status = 'ENDED', ended_on = '2026-03-01' where user_id = (select id from app_user where login = 'm530102.001')`);
    ok(await app.as('wh.dept')(`mutation($id: ID!) { replyProposal(id: $id, input: { replyClass: A, text: "已列入2026年加装电梯计划。" }) { status } }`, { id }), 'replyProposal');
    await idle();
    expect(about(await inboxOf('wh.member'), id)).toEqual([
      { kind: 'PROPOSAL_FILED', title: `提案已立案：${title}` },
      { kind: 'REPLY_RECEIVED', title: `提案答复：${title}` },
    ]);
    // Both proposers were told of the filing while both seats served; the reply reached the one still serving.
    expect(await holders(id)).toEqual(['m530102.001:PROPOSAL_FILED', 'wh.dept.zj:ASSIGNED', 'wh.dept:ASSIGNED', 'wh.member:PROPOSAL_FILED', 'wh.member:REPLY_RECEIVED']);
    await app.db.query(`update member_seat set status = 'ACTIVE', ended_on = null where user_id = (select id from app_user where login = 'm530102.001')`);

    const other = '关于在翠湖周边增设停车位的提案';
    const nf = ok(await app.as('wh.member')(SUBMIT, { input: { title: other, content: '翠湖周边停车难，建议增设停车位。', kind: 'MEMBER' } }), 'submitProposal').id;
    ok(await app.as('wh.staff')(`mutation($id: ID!) { reviewProposal(id: $id, input: { decision: NOT_FILED, note: "属于个人诉求，建议通过信访渠道反映" }) { status } }`, { id: nf }), 'reviewProposal');
    await idle();
    const notFiled = (await inboxOf('wh.member')).filter((n) => n.itemId === nf);
    expect(notFiled).toEqual([{ kind: 'PROPOSAL_NOT_FILED', title: `提案不予立案：${other}`, body: '属于个人诉求，建议通过信访渠道反映', itemId: nf }]);
    expect(await holders(nf)).toEqual(['wh.member:PROPOSAL_NOT_FILED']);
  }, 90_000);

  it('a micro-suggestion forwarded to a unit and answered; a supervision task given to its owner unit', async () => {
    const content = '建议在大观街道增设老年助餐点。';
    const id = ok(await app.as('wh.member')(`mutation($i: SubmitMicroSuggestionInput!) { submitMicroSuggestion(input: $i) { id } }`, { i: { content } }), 'submitMicroSuggestion').id;
    ok(await app.as('wh.staff')(`mutation($i: ScreenMicroSuggestionInput!) { screenMicroSuggestion(input: $i) { status } }`, { i: { id, decision: 'FORWARD', note: '请研究答复。', unit: await unitGid('wh.dept') } }), 'screenMicroSuggestion');
    await idle();
    expect(about(await inboxOf('wh.dept'), id)).toEqual([{ kind: 'ASSIGNED', title: `转交微建议：${content}` }]);
    ok(await app.as('wh.dept')(`mutation($id: ID!) { replyMicroSuggestion(id: $id, reply: "已会同街道选址。") { status } }`, { id }), 'replyMicroSuggestion');
    await idle();
    expect(about(await inboxOf('wh.member'), id)).toEqual([{ kind: 'REPLY_RECEIVED', title: `收到答复：微建议：${content}` }]);
    expect(await holders(id)).toEqual(['wh.dept:ASSIGNED', 'wh.member:REPLY_RECEIVED']);

    const task = '落实区委关于校园周边交通整治的批示';
    const t = ok(
      await app.as('wh.staff')(`mutation($i: OpenSupervisionTaskInput!) { openSupervisionTask(input: $i) { id } }`, {
        i: { source: 'RESEARCH_OUTCOME', title: task, requirement: '制定校园周边交通整治方案', owner: await unitGid('wh.dept.zj'), deadline: '2026-04-30T09:00:00Z' },
      }),
      'openSupervisionTask',
    ).id;
    await idle();
    expect((await inboxOf('wh.dept.zj')).filter((n) => n.itemId === t)).toEqual([{ kind: 'ASSIGNED', title: `督办任务：${task}`, body: '请于 2026-04-30 前办结。', itemId: t }]);
    expect(await holders(t)).toEqual(['wh.dept.zj:ASSIGNED']);
  }, 90_000);

  it("a suggestion's feedback reaches the topic's office, not the unit that filed it", async () => {
    const t = await topicOf(app, 'km.staff', '城市更新反馈通知');
    const call = app.as('km.staff');
    for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
    const s = ok(await call(Q.addSuggestion, { input: { topicId: t.id, content: '加快城中村改造' } }), 'addConsultationSuggestion');
    ok(await call(Q.moveTopic, { input: { id: t.id, to: 'ASSIGN' } }), 'moveConsultationTopic');
    ok(await call(Q.assign, { input: { id: s.id, unit: await unitGid('km.dept'), deadline: '2026-06-01T00:00:00Z' } }), 'assignSuggestion');
    ok(await app.as('km.dept')(Q.feedback, { input: { id: s.id, outcome: 'PARTLY_ADOPTED', feedback: '已纳入年度计划。', reason: '资金分年度安排' } }), 'fileSuggestionFeedback');
    await idle();
    expect((await inboxOf('km.staff')).filter((n) => n.itemId === s.id)).toEqual([
      { kind: 'REPLY_RECEIVED', title: '建议反馈：城市更新反馈通知：建议1', body: '昆明市住房和城乡建设局反馈办理结果：部分采纳。', itemId: s.id },
    ]);
    expect(await holders(s.id)).toEqual(['km.dept:ASSIGNED', 'km.staff:REPLY_RECEIVED']);
  }, 90_000);

  it('a report forwarded up reaches the receiving office; an instruction on it reaches its author and its own office', async () => {
    const title = '关于农村寄宿制学校营养餐的建议';
    const id = ok(await app.as('wh.member')(`mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) { id } }`, { input: { title, content: '建议提高山区寄宿制学校营养餐补助标准。' } }), 'submitOpinion').id;
    ok(await app.as('wh.staff')(`mutation($id: ID!) { forwardOpinion(id: $id, to: "530100") { id } }`, { id }), 'forwardOpinion');
    await idle();
    expect((await inboxOf('km.staff')).filter((n) => n.itemId === id)).toEqual([{ kind: 'REPORT_FORWARDED', title: `收到上报信息：${title}`, body: '五华区政协报送的社情民意信息。', itemId: id }]);
    expect(await holders(id)).toEqual(['km.staff:REPORT_FORWARDED']);

    ok(await app.as('km.leader')(`mutation($id: ID!) { adoptOpinion(id: $id) { id } }`, { id }), 'adoptOpinion');
    ok(await app.as('km.leader')(`mutation($id: ID!) { instructOpinion(id: $id, input: { instruction: "请市教育体育局研究办理。", by: "孙永红" }) { id } }`, { id }), 'instructOpinion');
    await idle();
    expect(about(await inboxOf('wh.member'), id)).toEqual([
      { kind: 'ADOPTED', title: `社情民意信息被采用：${title}` },
      { kind: 'INSTRUCTED', title: `领导批示：${title}` },
    ]);
    expect(about(await inboxOf('wh.staff'), id)).toEqual([{ kind: 'INSTRUCTED', title: `领导批示：${title}` }]);
    expect((await inboxOf('wh.member')).find((n) => n.itemId === id)!.body).toBe('昆明市政协记录了孙永红的批示。');
    // The member's seat on 昆明 reads nothing of it: the report is 五华's.
    expect(about(await inboxOf('wh.member', '530100'), id)).toEqual([]);
    expect(await holders(id)).toEqual(['km.staff:REPORT_FORWARDED', 'wh.member:ADOPTED', 'wh.member:INSTRUCTED', 'wh.staff:INSTRUCTED']);
  }, 90_000);

  it("a leader's instruction on a research report reaches the team on each committee and the lead's office", async () => {
    const title = '全省县域经济联动调研（批示通知）';
    const { id, invitation } = await projectWithInvitations(app, 'yn.staff', title, ['530100']);
    await answer(app, 'km.staff', invitation['530100']!, true);
    ok(await app.as('km.staff')(Q.team, { projectId: id, members: [{ userId: await userGid('km.member'), teamRole: '组长' }] }), 'setResearchTeam');
    const yn = app.as('yn.leader');
    ok(await yn(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    ok(await yn(Q.move, { input: { id, to: 'REPORTING' } }), 'moveResearchProject');
    ok(await yn(`mutation($id: ID!) { compileResearchReport(projectId: $id, report: "综合调研报告") { id } }`, { id }), 'compileResearchReport');
    ok(await yn(`mutation($id: ID!) { recordResearchReview(projectId: $id, input: { reviewBody: "主席会议", reviewedOn: "2026-03-01" }) { reviewBody } }`, { id }), 'recordResearchReview');
    ok(await yn(Q.move, { input: { id, to: 'SUBMITTED', submittedTo: '省委、省政府' } }), 'moveResearchProject');
    ok(await yn(`mutation($id: ID!) { recordResearchOutcome(projectId: $id, input: { kind: INSTRUCTION, author: "省委主要领导", text: "请省发展改革委牵头研究落实。", occurredOn: "2026-03-02" }) { kind } }`, { id }), 'recordResearchOutcome');
    await idle();
    expect((await inboxOf('km.member')).filter((n) => n.itemId === id && n.kind === 'INSTRUCTED')).toEqual([{ kind: 'INSTRUCTED', title: `领导批示：${title}`, body: '调研成果获省委主要领导批示。', itemId: id }]);
    expect(about(await inboxOf('yn.staff'), id).filter((n) => n.kind === 'INSTRUCTED')).toEqual([{ kind: 'INSTRUCTED', title: `领导批示：${title}` }]);
    expect((await holders(id)).filter((h) => h.endsWith(':INSTRUCTED'))).toEqual(['km.member:INSTRUCTED', 'yn.staff:INSTRUCTED']);
  }, 90_000);

  it('a deliberation session scheduled reaches the members of host and participants and the participant office; the floor granted reaches the member', async () => {
    const title = '推进老旧小区改造网络议政';
    const s = ok(
      await app.as('km.staff')(`mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`, {
        input: { topicTitle: '老旧小区改造', title, startsAt: '2026-03-02T03:00:00Z', endsAt: '2026-03-02T05:00:00Z', participantIds: [await tenantGid('530102')] },
      }),
      'scheduleDeliberation',
    ).id;
    await idle();
    const expected = [{ kind: 'SESSION_SCHEDULED', title: `网络议政：${title}` }];
    expect(about(await inboxOf('km.member'), s)).toEqual(expected);
    expect((await inboxOf('km.member')).find((n) => n.itemId === s)!.body).toBe('昆明市政协定于 2026-03-02 11:00（北京时间）举行。');
    expect(about(await inboxOf('wh.staff'), s)).toEqual(expected);
    // 周明远 holds seats on both: told once for each committee he acts for.
    expect(about(await inboxOf('wh.member'), s)).toEqual(expected);
    expect(about(await inboxOf('wh.member', '530100'), s)).toEqual(expected);
    const seats = (await app.db.query(`select count(*)::int n from member_seat s join tenant t on t.id = s.tenant_id where t.code in ('530100', '530102') and s.status = 'ACTIVE'`)).rows[0].n;
    const told = await holders(s);
    expect(told.length).toBe(seats + 1);
    // The office that scheduled it, a sibling committee and the province are not told.
    for (const login of ['km.staff', 'km.leader', 'pl.staff', 'pl.member', 'yn.staff']) expect(told.some((h) => h.startsWith(`${login}:`))).toBe(false);

    ok(await app.as('km.staff')(`mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id: s }), 'openDeliberation');
    ok(await app.as('km.member')(`mutation($id: ID!) { joinDeliberation(id: $id) { kind } }`, { id: s }), 'joinDeliberation');
    ok(await app.as('km.member')(`mutation($id: ID!) { raiseHand(id: $id) { kind } }`, { id: s }), 'raiseHand');
    ok(await app.as('km.staff')(`mutation($id: ID!) { grantFloor(id: $id) { kind } }`, { id: s }), 'grantFloor');
    await idle();
    expect(about(await inboxOf('km.member'), s)).toEqual([{ kind: 'FLOOR_GRANTED', title: `请发言：${title}` }, ...expected]);
    expect((await holders(s)).filter((h) => h.endsWith(':FLOOR_GRANTED'))).toEqual(['km.member:FLOOR_GRANTED']);
  }, 90_000);

  it("a meeting's one-click notice reaches every invited member's inbox", async () => {
    const title = '五华区政协十届常委会第十三次会议';
    const m = ok(
      await app.as('wh.staff')(`mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id venues { id } } }`, {
        i: { kind: 'STANDING_COMMITTEE', title, location: '五华区政协三楼会议室', startsAt: '2026-03-10T01:00:00Z', endsAt: '2026-03-10T04:00:00Z' },
      }),
      'scheduleMeeting',
    );
    const venue = m.venues[0].id;
    ok(await app.as('wh.staff')(`mutation($i: InviteToMeetingInput!) { inviteToMeeting(input: $i) { invited } }`, { i: { venue, seats: [await seatGid('wh.member', '530102'), await seatGid('m530102.001', '530102')] } }), 'inviteToMeeting');
    ok(await app.as('wh.staff')(`mutation($v: ID!) { sendMeetingNotice(venue: $v) { sent } }`, { v: venue }), 'sendMeetingNotice');
    await idle();
    for (const login of ['wh.member', 'm530102.001']) {
      const [n] = (await inboxOf(login)).filter((x) => x.itemId === m.id);
      expect({ kind: n!.kind, title: n!.title }).toEqual({ kind: 'MEETING_NOTICE', title: `会议通知：${title}` });
      expect(n!.body).toContain('2026-03-10 09:00');
    }
    expect(await holders(m.id)).toEqual(['m530102.001:MEETING_NOTICE', 'wh.member:MEETING_NOTICE']);
  }, 90_000);
});
