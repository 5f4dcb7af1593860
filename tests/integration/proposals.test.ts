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

const SUBMIT = `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { id status kind title onBehalfOf proposer { login } coProposers { login } tenant { code } } }`;
const REVIEW = `mutation($id: ID!, $input: ReviewProposalInput!) { reviewProposal(id: $id, input: $input) { status reviewNote } }`;
const ASSIGN = `mutation($id: ID!, $input: AssignProposalInput!) { assignProposal(id: $id, input: $input) { status replyDeadline leadUnit { name } coUnits { name } } }`;
const REPLY = `mutation($id: ID!, $input: ReplyProposalInput!) { replyProposal(id: $id, input: $input) { status replyClass replyText } }`;
const RATE = `mutation($id: ID!, $s: Satisfaction!) { rateProposal(id: $id, satisfaction: $s) { status satisfaction } }`;
const SUPERVISE = `mutation($id: ID!) { superviseProposal(id: $id) { keySupervision } }`;
const userGid = async (login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
/** The handling unit of a DEPARTMENT account. */
const unitGid = async (login: string) => toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', [login])).rows[0].unit_id);
const seatGid = async (login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
const proposals = () => app.db.query('select count(*)::int n from proposal').then((r) => r.rows[0].n as number);
const counters = () => app.db.query('select coalesce(sum(own),0)::int o, coalesce(sum(subtree),0)::int s from stat_counter').then((r) => r.rows[0]);
const row = (id: string) => app.db.query('select status, satisfaction, key_supervision, reply_class from proposal where id = $1', [Buffer.from(id, 'base64url').toString().split(':')[1]]).then((r) => r.rows[0]);

async function submitted(login = 'wh.member') {
  const r = await app.as(login)(SUBMIT, { input: { title: '关于加快老旧小区加装电梯的提案', content: '五华区现有老旧小区住宅楼需加装电梯，建议简化审批、统筹资金。', kind: 'MEMBER' } });
  return r.body.data.submitProposal.id as string;
}

describe('proposal workflow (提案)', () => {
  it('goes submit → file → assign → reply → rate, with supervision, and files a duty record', async () => {
    const co = await seatGid('m530102.001', '530102');
    const s = await app.as('wh.member')(SUBMIT, { input: { title: '关于推进城市更新的联名提案', content: '建议统筹推进城中村改造和老旧小区改造，完善配套设施。', kind: 'JOINT', coProposers: [co] } });
    expect(s.body).toEqual({
      data: { submitProposal: { id: expect.any(String), status: 'SUBMITTED', kind: 'JOINT', title: '关于推进城市更新的联名提案', onBehalfOf: null, proposer: { login: 'wh.member' }, coProposers: [{ login: 'm530102.001' }], tenant: { code: '530102' } } },
    });
    const id = s.body.data.submitProposal.id;
    expect((await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } })).body).toEqual({ data: { reviewProposal: { status: 'FILED', reviewNote: null } } });
    const records = await app.db.query(`select u.login, r.category, r.origin, r.status from duty_record r join duty_archive a on a.id = r.archive_id join app_user u on u.id = a.user_id where r.source_key = $1 order by u.login`, [`Proposal:${Buffer.from(id, 'base64url').toString().split(':')[1]}`]);
    expect(records.rows).toEqual([
      { login: 'm530102.001', category: 'PROPOSAL', origin: 'AUTO', status: 'VERIFIED' },
      { login: 'wh.member', category: 'PROPOSAL', origin: 'AUTO', status: 'VERIFIED' },
    ]);
    const dept = await unitGid('wh.dept');
    const a = await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: dept, replyDeadline: '2026-06-01T00:00:00.000Z' } });
    expect(a.body).toEqual({ data: { assignProposal: { status: 'ASSIGNED', replyDeadline: '2026-06-01T00:00:00.000Z', leadUnit: { name: '五华区教育体育局' }, coUnits: [] } } });
    expect((await app.as('wh.leader')(SUPERVISE, { id })).body).toEqual({ data: { superviseProposal: { keySupervision: true } } });
    expect(codeOf(await app.as('wh.leader')(SUPERVISE, { id }))).toBe('INVALID_TRANSITION');
    const list = await app.as('wh.dept')(`{ proposals(first: 10) { totalCount edges { node { id } } } }`);
    expect(list.body.data.proposals).toEqual({ totalCount: 1, edges: [{ node: { id } }] });
    expect((await app.as('wh.dept')(REPLY, { id, input: { replyClass: 'A', text: '已列入2026年城市更新计划。' } })).body).toEqual({
      data: { replyProposal: { status: 'REPLIED', replyClass: 'A', replyText: '已列入2026年城市更新计划。' } },
    });
    expect((await app.as('wh.member')(RATE, { id, s: 'SATISFIED' })).body).toEqual({ data: { rateProposal: { status: 'RATED', satisfaction: 'SATISFIED' } } });
    const figures = await app.as('wh.staff')(`{ rollup(period: "2026-03") { own { metrics { metric value } rates { rate numerator denominator value } } } }`);
    const own = Object.fromEntries(figures.body.data.rollup.own.metrics.map((m: any) => [m.metric, m.value]));
    expect([own['proposal.submitted'], own['proposal.filed'], own['proposal.replied'], own['proposal.replied_on_time'], own['proposal.satisfied'], own['proposal.supervised']]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('transitions out of order are INVALID_TRANSITION and change nothing', async () => {
    const id = await submitted();
    const before = await row(id);
    const c = await counters();
    const r = await app.as('wh.dept')(REPLY, { id, input: { replyClass: 'B', text: '正在办理。' } });
    expect(codeOf(r)).toBe('NOT_FOUND');
    const r2 = await app.as('wh.staff')(REPLY, { id, input: { replyClass: 'B', text: '正在办理。' } });
    expect(r2.body.errors?.[0]).toMatchObject({ message: 'A proposal that is SUBMITTED cannot be replied to', extensions: { code: 'INVALID_TRANSITION', details: { from: 'SUBMITTED', to: 'REPLIED' } } });
    expect(codeOf(await app.as('wh.member')(RATE, { id, s: 'SATISFIED' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('wh.staff')(SUPERVISE, { id }))).toBe('INVALID_TRANSITION');
    await app.as('wh.staff')(REVIEW, { id, input: { decision: 'CONVERTED' } });
    expect(codeOf(await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } }))).toBe('INVALID_TRANSITION');
    expect(await row(id)).toEqual({ ...before, status: 'CONVERTED' });
    expect((await counters()).o).toBe(c.o);
  });

  it('satisfaction from someone who is not the proposer is refused and changes nothing', async () => {
    const id = await submitted();
    await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } });
    await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitGid('wh.dept'), replyDeadline: '2026-05-01T00:00:00Z' } });
    await app.as('wh.staff')(REPLY, { id, input: { replyClass: 'C', text: '暂不具备条件，作说明。' } });
    const c = await counters();
    expect(codeOf(await app.as('m530102.002')(RATE, { id, s: 'DISSATISFIED' }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('wh.staff')(RATE, { id, s: 'DISSATISFIED' }))).toBe('FORBIDDEN');
    expect(await row(id)).toEqual({ status: 'REPLIED', satisfaction: null, key_supervision: false, reply_class: 'C' });
    expect(await counters()).toEqual(c);
  });

  it('bad input: validation, a NOT_FILED without reason, a past deadline, a foreign department — nothing written', async () => {
    const n = await proposals();
    const v = await app.as('wh.member')(SUBMIT, { input: { title: '短', content: '太短', kind: 'MEMBER' } });
    expect(v.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      details: { fields: [{ field: 'title', messages: ['title must be longer than or equal to 4 characters'] }, { field: 'content', messages: ['content must be longer than or equal to 10 characters'] }] },
    });
    const j = await app.as('wh.member')(SUBMIT, { input: { title: '联名提案无联名人', content: '联名提案需要列出联名委员。。', kind: 'JOINT' } });
    expect(j.body.errors?.[0]).toMatchObject({ message: 'a joint proposal names its co-proposers', extensions: { code: 'BAD_USER_INPUT' } });
    const foreignSeat = await seatGid('pl.member', '530103');
    const f = await app.as('wh.member')(SUBMIT, { input: { title: '联名他区委员', content: '联名人不是本会委员，应当拒绝。', kind: 'JOINT', coProposers: [foreignSeat] } });
    expect(codeOf(f)).toBe('NOT_FOUND');
    expect(await proposals()).toBe(n);
    const id = await submitted();
    const nf = await app.as('wh.staff')(REVIEW, { id, input: { decision: 'NOT_FILED' } });
    expect(nf.body.errors?.[0]).toMatchObject({ message: 'a proposal not filed needs the reason', extensions: { code: 'BAD_USER_INPUT' } });
    await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } });
    const past = await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitGid('wh.dept'), replyDeadline: '2020-01-01T00:00:00Z' } });
    expect(codeOf(past)).toBe('BAD_USER_INPUT');
    const foreign = await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitGid('pl.dept'), replyDeadline: '2026-12-01T00:00:00Z' } });
    expect(foreign.body.errors?.[0]).toMatchObject({ message: 'Handling unit not found', extensions: { code: 'NOT_FOUND' } });
    expect((await row(id)).status).toBe('FILED');
    expect((await app.db.query('select count(*)::int n from stat_deadline')).rows[0].n).toBe(2);
  });

  it('the filing rate is a share of the month’s proposals: filed later, a proposal counts where it was submitted', async () => {
    await app.db.query('truncate proposal, stat_counter, stat_deadline');
    app.clock.set(new Date('2026-01-20T02:00:00Z'));
    const january = [await submitted(), await submitted()];
    app.clock.set(new Date('2026-02-10T02:00:00Z'));
    for (const id of january) await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } });
    await submitted();
    const figures = async (period: string) => {
      const r = (await app.as('wh.staff')(`query($p: String!) { rollup(period: $p) { own { metrics { metric value } rates { rate numerator denominator value } } } }`, { p: period })).body.data.rollup.own;
      const m = Object.fromEntries(r.metrics.map((x: any) => [x.metric, x.value]));
      return { submitted: m['proposal.submitted'], filed: m['proposal.filed'], rate: r.rates.find((x: any) => x.rate === 'proposal.filing_rate') };
    };
    expect(await figures('2026-01')).toEqual({ submitted: 2, filed: 0, rate: { rate: 'proposal.filing_rate', numerator: 2, denominator: 2, value: 1 } });
    expect(await figures('2026-02')).toEqual({ submitted: 1, filed: 2, rate: { rate: 'proposal.filing_rate', numerator: 0, denominator: 1, value: 0 } });
    expect(await figures('2026-Q1')).toEqual({ submitted: 3, filed: 2, rate: { rate: 'proposal.filing_rate', numerator: 2, denominator: 3, value: 2 / 3 } });
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
  });

  it('an overdue reply is counted once by the sweep, however often it runs', async () => {
    const id = await submitted('m530102.003');
    await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } });
    await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitGid('wh.dept'), replyDeadline: '2026-03-10T00:00:00Z' } });
    const overdue = async () => {
      const r = await app.as('wh.staff')(`{ rollup(period: "2026-03") { own { metrics { metric value } } } }`);
      return r.body.data.rollup.own.metrics.find((m: any) => m.metric === 'proposal.overdue').value;
    };
    expect(await overdue()).toBe(0);
    app.clock.set(new Date('2026-03-12T00:00:00Z'));
    const [a, b] = await Promise.all([overdue(), overdue()]);
    expect([a, b, await overdue()]).toEqual([1, 1, 1]);
    await app.as('wh.staff')(REPLY, { id, input: { replyClass: 'B', text: '逾期答复。' } });
    expect(await overdue()).toBe(1);
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
  });
});

describe('who is named on a proposal (联名、主办协办)', () => {
  const refused = (field: string, message: string) => ({
    data: null,
    errors: [{ message, path: [expect.any(String)], locations: expect.any(Array), extensions: { code: 'BAD_USER_INPUT', details: { field } } }],
  });

  it('a joint proposal whose only co-proposer is the proposer, or that names a seat twice, is refused; nothing written', async () => {
    const n = await proposals();
    const own = await seatGid('wh.member', '530102');
    const co = await seatGid('m530102.001', '530102');
    const input = (coProposers: string[]) => ({ input: { title: '关于联名提案联名人的提案', content: '联名提案应当由两名以上委员联名提出。', kind: 'JOINT', coProposers } });
    expect((await app.as('wh.member')(SUBMIT, input([own]))).body).toEqual(refused('coProposers', 'the proposer is not their own co-proposer'));
    expect((await app.as('wh.member')(SUBMIT, input([own, co]))).body).toEqual(refused('coProposers', 'the proposer is not their own co-proposer'));
    expect((await app.as('wh.member')(SUBMIT, input([co, co]))).body).toEqual(refused('coProposers', 'a co-proposer is named twice'));
    expect(await proposals()).toBe(n);
    const ok = await app.as('wh.member')(SUBMIT, input([co]));
    expect(ok.body.data.submitProposal).toEqual({ id: expect.any(String), status: 'SUBMITTED', kind: 'JOINT', title: '关于联名提案联名人的提案', onBehalfOf: null, proposer: { login: 'wh.member' }, coProposers: [{ login: 'm530102.001' }], tenant: { code: '530102' } });
  });

  it('assignProposal refuses a co-handler that is the lead or is named twice; the proposal stays FILED', async () => {
    await app.createUser('wh.dept2', '530102', 'DEPARTMENT', '区住建局');
    const id = await submitted();
    await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } });
    const [lead, other] = [await unitGid('wh.dept'), await unitGid('wh.dept2')];
    const assign = (coUnits: string[]) => app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: lead, coUnits, replyDeadline: '2026-06-01T00:00:00Z' } });
    expect((await assign([lead])).body).toEqual(refused('coUnits', 'The lead unit is not also a co-handler'));
    expect((await assign([other, lead])).body).toEqual(refused('coUnits', 'The lead unit is not also a co-handler'));
    expect((await assign([other, other])).body).toEqual(refused('coUnits', 'A handling unit is named twice'));
    expect(await row(id)).toEqual({ status: 'FILED', satisfaction: null, key_supervision: false, reply_class: null });
    expect((await assign([other])).body).toEqual({ data: { assignProposal: { status: 'ASSIGNED', replyDeadline: '2026-06-01T00:00:00.000Z', leadUnit: { name: '五华区教育体育局' }, coUnits: [{ name: '区住建局单位' }] } } });
  });
});

describe('proposal isolation', () => {
  it('a sibling, an ancestor and another member see nothing, by list, by id, by mutation', async () => {
    const id = await submitted();
    for (const login of ['pl.staff', 'km.staff', 'yn.staff', 'm530102.002']) {
      expect((await app.as(login)(`query($id: ID!) { node(id: $id) { id } }`, { id })).body).toEqual({ data: { node: null } });
      const list = await app.as(login)(`{ proposals(first: 100) { edges { node { id } } } }`);
      expect(list.body.data.proposals.edges.map((e: any) => e.node.id)).not.toContain(id);
    }
    const missing = toGlobalId('Proposal', newId());
    const foreign = await app.as('pl.staff')(REVIEW, { id, input: { decision: 'FILED', term: 13, session: 3 } });
    expect(foreign.body.errors?.[0]).toMatchObject({ message: 'Proposal not found', extensions: { code: 'NOT_FOUND' } });
    expect((await app.as('pl.staff')(REVIEW, { id: missing, input: { decision: 'FILED', term: 13, session: 3 } })).body.errors).toEqual(foreign.body.errors);
    expect((await row(id)).status).toBe('SUBMITTED');
  });
});
