import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { newId } from '../../src/core/ids.js';
import { HandlingUnit } from '../../src/modules/unit/unit.entities.js';
import { Q, topicOf } from '../helpers/joint.js';

/**
 * Handling units (承办单位) and the moves of a handling office's day: a unit with several accounts, items
 * assigned to the unit, 改办, 延期, entries made by the office for a unit, case numbers and OVERDUE.
 */

const EDU = '五华区教育体育局';
const SUBMIT = `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { id } }`;
const REVIEW = `mutation($id: ID!, $input: ReviewProposalInput!) { reviewProposal(id: $id, input: $input) { status term session caseSeq caseNumber } }`;
const ASSIGN = `mutation($id: ID!, $input: AssignProposalInput!) { assignProposal(id: $id, input: $input) { status leadUnit { name } coUnits { name } replyDeadline } }`;
const REPLY = `mutation($id: ID!, $input: ReplyProposalInput!) { replyProposal(id: $id, input: $input) { status replyText replyEnteredBy { login } } }`;
const RETURN = `mutation($id: ID!, $reason: String!) { returnProposal(id: $id, input: { reason: $reason }) { status leadUnit { name } replyDeadline } }`;
const ASK = `mutation($id: ID!, $until: DateTime!, $reason: String!) { requestProposalExtension(id: $id, input: { until: $until, reason: $reason }) { status previousDeadline requestedUntil reason unit { name } requestedBy { login } decidedBy { login } decisionNote } }`;
const DECIDE = `mutation($id: ID!, $granted: Boolean!, $note: String) { decideProposalExtension(id: $id, input: { granted: $granted, note: $note }) { status replyDeadline extensions { status requestedUntil decidedBy { login } decisionNote } } }`;
const HISTORY = `query($id: ID!) { node(id: $id) { ... on Proposal { status history { fromState toState move actorName comment } } } }`;

let app: TestApp;
const unitOf = async (login: string) => toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', [login])).rows[0].unit_id);
const ok = <R extends { body: { errors?: unknown[] } }>(r: R): R => {
  expect(r.body.errors).toBeUndefined();
  return r;
};
let n = 0;
async function submitted(login = 'wh.member', title = `关于加强校园周边交通安全管理的提案（${++n}）`, content = '建议在学校周边增设限速标志和护学岗，规范接送车辆停放。') {
  return ok(await app.as(login)(SUBMIT, { input: { title, content, kind: 'MEMBER' } })).body.data.submitProposal.id as string;
}
async function assigned(deadline = '2026-06-01T00:00:00Z', lead = 'wh.dept') {
  const id = await submitted();
  ok(await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 10, session: 5 } }));
  ok(await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitOf(lead), replyDeadline: deadline } }));
  return id;
}

beforeAll(async () => {
  app = await startTestApp();
  // A second account of 五华区教育体育局 (its leader), made as an administrator makes one: it names the unit.
  ok(await app.as('wh.admin')(`mutation($i: CreateAccountInput!) { createAccount(input: $i) { login } }`, {
    i: { login: 'wh.edu.head', displayName: '杨文斌', role: 'DEPARTMENT', unitName: EDU, password: 'first password 1' },
  }));
  ok(await app.as('wh.staff')(`mutation($u: ID!) { setUnitDuty(user: $u, duty: HEAD) { login unitDuty } }`, {
    u: toGlobalId('User', (await app.db.query(`select id from app_user where login = 'wh.edu.head'`)).rows[0].id),
  }));
  await app.createUser('wh.health', '530102', 'DEPARTMENT', '五华区卫生健康局');
});
afterAll(() => app.stop());

describe('the directory of handling units (承办单位名录)', () => {
  it('lists the committee’s units with their accounts; an account named into a unit joins it', async () => {
    const r = ok(await app.as('wh.staff')(`{ handlingUnits(first: 100) { totalCount edges { node { name accounts { login unitDuty unit { name } } } } } }`));
    const expected = (await app.db.query(
      `select u.name, coalesce(json_agg(json_build_object('login', a.login, 'unitDuty', a.unit_duty, 'unit', json_build_object('name', u.name)) order by a.id) filter (where a.id is not null), '[]') accounts
         from handling_unit u join tenant t on t.id = u.tenant_id left join app_user a on a.unit_id = u.id
        where t.code = '530102' group by u.id order by u.id`,
    )).rows.map((row) => ({ node: row }));
    expect(r.body.data.handlingUnits).toEqual({ totalCount: expected.length, edges: expected });
    expect(expected.find((e) => e.node.name === EDU)!.node.accounts).toEqual([
      { login: 'wh.dept', unitDuty: 'HANDLER', unit: { name: EDU } },
      { login: 'wh.edu.head', unitDuty: 'HEAD', unit: { name: EDU } },
    ]);
  });

  it('the office adds a unit; a second one of the same name is a CONFLICT and writes nothing', async () => {
    const add = `mutation($name: String!) { createHandlingUnit(name: $name) { name accounts { login } } }`;
    expect((await app.as('wh.staff')(add, { name: '五华区水务局' })).body).toEqual({ data: { createHandlingUnit: { name: '五华区水务局', accounts: [] } } });
    const again = await app.as('wh.staff')(add, { name: '五华区水务局' });
    expect(again.body.errors?.[0]).toMatchObject({ message: 'This committee already has a handling unit named 五华区水务局', extensions: { code: 'CONFLICT' } });
    expect((await app.db.query(`select count(*)::int n from handling_unit where name = '五华区水务局'`)).rows[0].n).toBe(1);
    expect(codeOf(await app.as('wh.member')(add, { name: '五华区林草局' }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('wh.dept')(add, { name: '五华区林草局' }))).toBe('FORBIDDEN');
  });

  it('a DEPARTMENT account sees the directory and its own unit’s accounts, not another unit’s', async () => {
    const r = ok(await app.as('wh.health')(`{ handlingUnits(first: 100) { edges { node { name accounts { login } } } } }`));
    const byName = Object.fromEntries(r.body.data.handlingUnits.edges.map((e: any) => [e.node.name, e.node.accounts]));
    expect(byName[EDU]).toBeNull();
    expect(byName['五华区卫生健康局单位']).toEqual([{ login: 'wh.health' }]);
    expect(codeOf(await app.as('wh.member')(`{ handlingUnits(first: 10) { totalCount } }`))).toBe('FORBIDDEN');
  });
});

describe('items assigned to a unit: every account of the unit sees and answers them', () => {
  it('both accounts of the lead unit list the proposal; either replies; another unit sees nothing', async () => {
    const id = await assigned();
    for (const login of ['wh.dept', 'wh.edu.head']) {
      const list = ok(await app.as(login)(`query($id: ID!) { node(id: $id) { ... on Proposal { id leadUnit { name } } } }`, { id }));
      expect(list.body.data.node).toEqual({ id, leadUnit: { name: EDU } });
    }
    expect((await app.as('wh.health')(`query($id: ID!) { node(id: $id) { id } }`, { id })).body).toEqual({ data: { node: null } });
    expect(codeOf(await app.as('wh.health')(REPLY, { id, input: { replyClass: 'A', text: '越权答复' } }))).toBe('NOT_FOUND');
    expect((await app.as('wh.edu.head')(REPLY, { id, input: { replyClass: 'A', text: '已在全区中小学校门口设置护学岗。' } })).body).toEqual({
      data: { replyProposal: { status: 'REPLIED', replyText: '已在全区中小学校门口设置护学岗。', replyEnteredBy: null } },
    });
  });

  it('a co-handling unit sees the proposal but the reply is the lead unit’s', async () => {
    const id = await submitted();
    ok(await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 10, session: 5 } }));
    const a = ok(await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitOf('wh.dept'), coUnits: [await unitOf('wh.health')], replyDeadline: '2026-06-01T00:00:00Z' } }));
    expect(a.body.data.assignProposal).toEqual({ status: 'ASSIGNED', leadUnit: { name: EDU }, coUnits: [{ name: '五华区卫生健康局单位' }], replyDeadline: '2026-06-01T00:00:00.000Z' });
    expect(ok(await app.as('wh.health')(`query($id: ID!) { node(id: $id) { id } }`, { id })).body.data.node).toEqual({ id });
    const r = await app.as('wh.health')(REPLY, { id, input: { replyClass: 'A', text: '协办意见' } });
    expect(r.body.errors?.[0]).toMatchObject({ message: 'Only the lead unit does this', extensions: { code: 'FORBIDDEN' } });
  });

  it('a suggestion assigned to a unit is listed for each of its accounts', async () => {
    const s = await suggestionAssigned();
    for (const login of ['wh.dept', 'wh.edu.head']) {
      const r = ok(await app.as(login)(`{ assignedSuggestions(first: 50) { edges { node { id unit { name } departmentUnit } } } }`));
      expect(r.body.data.assignedSuggestions.edges).toContainEqual({ node: { id: s, unit: { name: EDU }, departmentUnit: EDU } });
    }
    expect(ok(await app.as('wh.health')(`{ assignedSuggestions(first: 50) { edges { node { id } } } }`)).body.data.assignedSuggestions.edges).not.toContainEqual({ node: { id: s } });
  });
});

describe('改办: the unit gives an item back, the office assigns it anew', () => {
  it('a proposal returns to FILED with the reason in its history; the new lead sees it, the old one no longer', async () => {
    const id = await assigned();
    expect(codeOf(await app.as('wh.health')(RETURN, { id, reason: '不是本单位职责' }))).toBe('NOT_FOUND');
    const empty = await app.as('wh.dept')(RETURN, { id, reason: '' });
    expect(codeOf(empty)).toBe('BAD_USER_INPUT');
    expect((await app.as('wh.dept')(RETURN, { id, reason: '校园周边道路管理属交通运输部门职责' })).body).toEqual({ data: { returnProposal: { status: 'FILED', leadUnit: null, replyDeadline: null } } });
    expect((await app.as('wh.dept')(`query($id: ID!) { node(id: $id) { id } }`, { id })).body).toEqual({ data: { node: null } });
    expect(codeOf(await app.as('wh.dept')(RETURN, { id, reason: '再次改办' }))).toBe('NOT_FOUND');
    ok(await app.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unitOf('wh.health'), replyDeadline: '2026-07-01T00:00:00Z' } }));
    expect(ok(await app.as('wh.health')(`query($id: ID!) { node(id: $id) { id } }`, { id })).body.data.node).toEqual({ id });
    expect(ok(await app.as('wh.staff')(HISTORY, { id })).body.data.node).toEqual({
      status: 'ASSIGNED',
      history: [
        { fromState: null, toState: 'SUBMITTED', move: null, actorName: '周明远', comment: null },
        { fromState: 'SUBMITTED', toState: 'FILED', move: null, actorName: '陈雪梅', comment: null },
        { fromState: 'FILED', toState: 'ASSIGNED', move: null, actorName: '陈雪梅', comment: `${EDU}，2026-06-01 前答复` },
        { fromState: 'ASSIGNED', toState: 'FILED', move: 'RETURNED', actorName: '郭志伟', comment: '校园周边道路管理属交通运输部门职责' },
        { fromState: 'FILED', toState: 'ASSIGNED', move: null, actorName: '陈雪梅', comment: '五华区卫生健康局单位，2026-07-01 前答复' },
      ],
    });
    // The overdue figure follows the new deadline.
    const due = await app.db.query(`select due_at, settled_at, counted from stat_deadline where item_key = $1`, [`Proposal:${app.uuid(id)}`]);
    expect(due.rows).toEqual([{ due_at: new Date('2026-07-01T00:00:00Z'), settled_at: null, counted: false }]);
  });

  it('a suggestion returns to DRAFT with the reason, and is assigned again', async () => {
    const s = await suggestionAssigned();
    const R = `mutation($id: ID!) { returnSuggestion(id: $id, input: { reason: "应由卫健部门承办" }) { status unit { name } departmentUnit deadline history { fromState toState move actorName comment } } }`;
    expect(codeOf(await app.as('wh.health')(R, { id: s }))).toBe('NOT_FOUND');
    const r = ok(await app.as('wh.edu.head')(R, { id: s }));
    expect(r.body.data.returnSuggestion).toEqual({
      status: 'DRAFT',
      unit: null,
      departmentUnit: null,
      deadline: null,
      history: [
        { fromState: null, toState: 'DRAFT', move: null, actorName: '陈雪梅', comment: null },
        { fromState: 'DRAFT', toState: 'ASSIGNED', move: null, actorName: '陈雪梅', comment: `${EDU}，2026-05-01 前反馈` },
        { fromState: 'ASSIGNED', toState: 'DRAFT', move: 'RETURNED', actorName: '杨文斌', comment: '应由卫健部门承办' },
      ],
    });
    const again = ok(await app.as('wh.staff')(`mutation($i: AssignSuggestionInput!) { assignSuggestion(input: $i) { status unit { name } } }`, { i: { id: s, unit: await unitOf('wh.health'), deadline: '2026-05-15T00:00:00Z' } }));
    expect(again.body.data.assignSuggestion).toEqual({ status: 'ASSIGNED', unit: { name: '五华区卫生健康局单位' } });
  });
});

describe('延期: the unit asks, the office grants or refuses', () => {
  it('a granted extension moves the deadline and the overdue figure’s; each step is in the history', async () => {
    const id = await assigned('2026-04-01T00:00:00Z');
    const asked = await app.as('wh.dept')(ASK, { id, until: '2026-05-15T00:00:00Z', reason: '需会同交警部门联合调研' });
    expect(asked.body).toEqual({
      data: {
        requestProposalExtension: {
          status: 'PENDING',
          previousDeadline: '2026-04-01T00:00:00.000Z',
          requestedUntil: '2026-05-15T00:00:00.000Z',
          reason: '需会同交警部门联合调研',
          unit: { name: EDU },
          requestedBy: { login: 'wh.dept' },
          decidedBy: null,
          decisionNote: null,
        },
      },
    });
    const twice = await app.as('wh.edu.head')(ASK, { id, until: '2026-05-20T00:00:00Z', reason: '再次申请' });
    expect(twice.body.errors?.[0]).toMatchObject({ message: 'This item already has an extension request waiting', extensions: { code: 'CONFLICT' } });
    expect(codeOf(await app.as('wh.dept')(RETURN, { id, reason: '改办' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('wh.dept')(DECIDE, { id, granted: true }))).toBe('FORBIDDEN');
    expect((await app.as('wh.staff')(DECIDE, { id, granted: true, note: '同意' })).body).toEqual({
      data: { decideProposalExtension: { status: 'ASSIGNED', replyDeadline: '2026-05-15T00:00:00.000Z', extensions: [{ status: 'GRANTED', requestedUntil: '2026-05-15T00:00:00.000Z', decidedBy: { login: 'wh.staff' }, decisionNote: '同意' }] } },
    });
    expect(codeOf(await app.as('wh.staff')(DECIDE, { id, granted: true }))).toBe('NOT_FOUND');
    expect((await app.db.query(`select due_at from stat_deadline where item_key = $1`, [`Proposal:${app.uuid(id)}`])).rows).toEqual([{ due_at: new Date('2026-05-15T00:00:00Z') }]);
    const h = ok(await app.as('wh.staff')(HISTORY, { id })).body.data.node.history.slice(3);
    expect(h).toEqual([
      { fromState: 'ASSIGNED', toState: 'ASSIGNED', move: 'EXTENSION_REQUESTED', actorName: '郭志伟', comment: '申请延至 2026-05-15：需会同交警部门联合调研' },
      { fromState: 'ASSIGNED', toState: 'ASSIGNED', move: 'EXTENSION_GRANTED', actorName: '陈雪梅', comment: '同意延至 2026-05-15：同意' },
    ]);
  });

  it('a refusal needs its reason and leaves the deadline; a date not after the deadline is refused', async () => {
    const id = await assigned('2026-04-01T00:00:00Z');
    expect((await app.as('wh.dept')(ASK, { id, until: '2026-03-20T00:00:00Z', reason: '提前' })).body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', details: { field: 'until' } } });
    ok(await app.as('wh.dept')(ASK, { id, until: '2026-06-01T00:00:00Z', reason: '工作量大' }));
    expect((await app.as('wh.staff')(DECIDE, { id, granted: false })).body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', details: { field: 'note' } } });
    expect((await app.as('wh.staff')(DECIDE, { id, granted: false, note: '期限内可以完成' })).body).toEqual({
      data: { decideProposalExtension: { status: 'ASSIGNED', replyDeadline: '2026-04-01T00:00:00.000Z', extensions: [{ status: 'REFUSED', requestedUntil: '2026-06-01T00:00:00.000Z', decidedBy: { login: 'wh.staff' }, decisionNote: '期限内可以完成' }] } },
    });
    expect((await app.db.query(`select due_at from stat_deadline where item_key = $1`, [`Proposal:${app.uuid(id)}`])).rows).toEqual([{ due_at: new Date('2026-04-01T00:00:00Z') }]);
  });

  it('once the deadline has passed a pending request can be refused, not granted', async () => {
    const id = await assigned('2026-03-04T00:00:00Z');
    ok(await app.as('wh.dept')(ASK, { id, until: '2026-04-01T00:00:00Z', reason: '需要补充材料' }));
    app.clock.set(new Date('2026-03-05T00:00:00Z'));
    try {
      const late = await app.as('wh.staff')(DECIDE, { id, granted: true });
      expect(late.body.errors?.[0]).toMatchObject({ message: 'The deadline has passed: the extension can no longer be granted', extensions: { code: 'INVALID_TRANSITION' } });
      const refused = ok(await app.as('wh.staff')(DECIDE, { id, granted: false, note: '已逾期' }));
      expect(refused.body.data.decideProposalExtension).toEqual({ status: 'OVERDUE', replyDeadline: '2026-03-04T00:00:00.000Z', extensions: [{ status: 'REFUSED', requestedUntil: '2026-04-01T00:00:00.000Z', decidedBy: { login: 'wh.staff' }, decisionNote: '已逾期' }] });
    } finally {
      app.clock.set(new Date('2026-03-01T02:00:00Z'));
    }
  });

  it('a suggestion’s extension works the same way', async () => {
    const s = await suggestionAssigned();
    const ask = ok(await app.as('wh.dept')(`mutation($id: ID!) { requestSuggestionExtension(id: $id, input: { until: "2026-06-30T00:00:00Z", reason: "需列入下半年预算" }) { status previousDeadline } }`, { id: s }));
    expect(ask.body.data.requestSuggestionExtension).toEqual({ status: 'PENDING', previousDeadline: '2026-05-01T00:00:00.000Z' });
    const d = ok(await app.as('wh.staff')(`mutation($id: ID!) { decideSuggestionExtension(id: $id, input: { granted: true }) { status deadline extensions { status } } }`, { id: s }));
    expect(d.body.data.decideSuggestionExtension).toEqual({ status: 'ASSIGNED', deadline: '2026-06-30T00:00:00.000Z', extensions: [{ status: 'GRANTED' }] });
  });
});

describe('代录: the office enters an answer for a unit, kept as entered by whom', () => {
  it('a reply entered by staff names them, and the history says for which unit', async () => {
    const id = await assigned();
    expect((await app.as('wh.staff')(REPLY, { id, input: { replyClass: 'B', text: '已列入明年工作计划。' } })).body).toEqual({
      data: { replyProposal: { status: 'REPLIED', replyText: '已列入明年工作计划。', replyEnteredBy: { login: 'wh.staff' } } },
    });
    expect(ok(await app.as('wh.staff')(HISTORY, { id })).body.data.node.history.at(-1)).toEqual({ fromState: 'ASSIGNED', toState: 'REPLIED', move: 'ENTERED_FOR_UNIT', actorName: '陈雪梅', comment: `代${EDU}录入` });
  });

  it('feedback entered by staff for a unit', async () => {
    const s = await suggestionAssigned();
    const r = ok(await app.as('wh.staff')(`mutation($i: SuggestionFeedbackInput!) { fileSuggestionFeedback(input: $i) { status feedbackEnteredBy { login } history { move comment } } }`, {
      i: { id: s, outcome: 'ADOPTED', feedback: '已采纳，纸质反馈函已收到。' },
    }));
    expect(r.body.data.fileSuggestionFeedback).toEqual({
      status: 'ADOPTED',
      feedbackEnteredBy: { login: 'wh.staff' },
      history: [{ move: null, comment: null }, { move: null, comment: `${EDU}，2026-05-01 前反馈` }, { move: 'ENTERED_FOR_UNIT', comment: `代${EDU}录入` }],
    });
  });
});

describe('OVERDUE proposals', () => {
  it('an assigned proposal past its deadline reads OVERDUE, its history shows when, and the unit can still reply', async () => {
    const id = await assigned('2026-03-05T00:00:00Z');
    const before = ok(await app.as('wh.staff')(HISTORY, { id })).body.data.node;
    expect(before.status).toBe('ASSIGNED');
    app.clock.set(new Date('2026-03-06T00:00:00Z'));
    try {
      const after = ok(await app.as('wh.staff')(HISTORY, { id })).body.data.node;
      expect(after).toEqual({ status: 'OVERDUE', history: [...before.history, { fromState: 'ASSIGNED', toState: 'OVERDUE', move: null, actorName: '系统', comment: null }] });
      const list = ok(await app.as('wh.staff')(`query($u: ID!) { proposals(first: 100, filter: { status: OVERDUE, unit: $u }) { edges { node { id status } } } }`, { u: await unitOf('wh.dept') }));
      expect(list.body.data.proposals.edges).toContainEqual({ node: { id, status: 'OVERDUE' } });
      const asked = await app.as('wh.dept')(ASK, { id, until: '2026-04-01T00:00:00Z', reason: '逾期后申请' });
      expect(asked.body.errors?.[0]).toMatchObject({ message: 'An overdue item can no longer ask for an extension', extensions: { code: 'INVALID_TRANSITION' } });
      const back = await app.as('wh.dept')(RETURN, { id, reason: '逾期后改办' });
      expect(back.body.errors?.[0]).toMatchObject({ message: 'An overdue item cannot be given back', extensions: { code: 'INVALID_TRANSITION', details: { from: 'OVERDUE', to: 'RETURNED' } } });
      expect(ok(await app.as('wh.dept')(REPLY, { id, input: { replyClass: 'A', text: '已办理。' } })).body.data.replyProposal.status).toBe('REPLIED');
      const h = ok(await app.as('wh.staff')(HISTORY, { id })).body.data.node.history.slice(-2);
      expect(h).toEqual([
        { fromState: 'ASSIGNED', toState: 'OVERDUE', move: null, actorName: '系统', comment: null },
        { fromState: 'OVERDUE', toState: 'REPLIED', move: null, actorName: '郭志伟', comment: null },
      ]);
    } finally {
      app.clock.set(new Date('2026-03-01T02:00:00Z'));
    }
  });
});

describe('case numbers (案号)', () => {
  it('concurrent filings take consecutive numbers with no gap or duplicate; a failed filing takes none', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => submitted()));
    // One filing that fails (not a SUBMITTED proposal any more) among them.
    const done = await submitted();
    ok(await app.as('wh.staff')(REVIEW, { id: done, input: { decision: 'CONVERTED' } }));
    const results = await Promise.all([...ids, done].map((id) => app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 10, session: 6 } })));
    expect(codeOf(results.at(-1)!)).toBe('INVALID_TRANSITION');
    const seqs = results.slice(0, -1).map((r) => r.body.data.reviewProposal.caseSeq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(results[0]!.body.data.reviewProposal).toEqual({ status: 'FILED', term: 10, session: 6, caseSeq: expect.any(Number), caseNumber: expect.stringMatching(/^第10届第6次会议第00\d\d号$/) });
    // Filing order is number order: the later the commit, the higher the number.
    const rows = (await app.db.query(`select case_seq from proposal where term = 10 and session = 6 and tenant_id = (select id from tenant where code = '530102') order by reviewed_at, case_seq`)).rows;
    expect(rows.map((r) => r.case_seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // The next filing continues the sequence; another committee and another session start at 1.
    const next = ok(await app.as('wh.staff')(REVIEW, { id: await submitted(), input: { decision: 'FILED', term: 10, session: 6 } }));
    expect(next.body.data.reviewProposal.caseNumber).toBe('第10届第6次会议第0013号');
    const pl = ok(await app.as('pl.staff')(REVIEW, { id: await submitted('pl.member'), input: { decision: 'FILED', term: 10, session: 6 } }));
    expect(pl.body.data.reviewProposal.caseNumber).toBe('第10届第6次会议第0001号');
    const other = ok(await app.as('wh.staff')(REVIEW, { id: await submitted(), input: { decision: 'FILED', term: 10, session: 7 } }));
    expect(other.body.data.reviewProposal.caseNumber).toBe('第10届第7次会议第0001号');
  });

  it('filing names its term and session; other decisions name none', async () => {
    const id = await submitted();
    expect((await app.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 10 } })).body.errors?.[0]).toMatchObject({ message: 'Filing names the term and the session', extensions: { code: 'BAD_USER_INPUT', details: { field: 'session' } } });
    expect((await app.as('wh.staff')(REVIEW, { id, input: { decision: 'CONVERTED', term: 10, session: 6 } })).body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', details: { field: 'term' } } });
    expect((await app.db.query('select status, case_seq from proposal where id = $1', [app.uuid(id)])).rows).toEqual([{ status: 'SUBMITTED', case_seq: null }]);
  });
});

describe('the proposal list filters (提案筛选)', () => {
  it('by year, term and session, status, unit and keyword, together', async () => {
    const title = '关于规范100%_校外培训收费的提案';
    const a = await submitted('wh.member', title, '建议对校外培训机构收费实行资金监管。');
    ok(await app.as('wh.staff')(REVIEW, { id: a, input: { decision: 'FILED', term: 11, session: 1 } }));
    ok(await app.as('wh.staff')(ASSIGN, { id: a, input: { leadUnit: await unitOf('wh.health'), replyDeadline: '2026-06-01T00:00:00Z' } }));
    const b = await submitted('wh.member', '关于校外培训机构消防安全的提案', '建议开展校外培训场所消防安全专项检查。');
    ok(await app.as('wh.staff')(REVIEW, { id: b, input: { decision: 'FILED', term: 11, session: 1 } }));
    const q = `query($f: ProposalFilter) { proposals(first: 100, filter: $f) { totalCount edges { node { id } } } }`;
    const ids = async (f: Record<string, unknown>) => ok(await app.as('wh.staff')(q, { f })).body.data.proposals.edges.map((e: any) => e.node.id);
    expect(await ids({ term: 11, session: 1 })).toEqual([a, b]);
    expect(await ids({ term: 11, session: 1, status: 'FILED' })).toEqual([b]);
    expect(await ids({ term: 11, session: 1, status: 'ASSIGNED', unit: await unitOf('wh.health') })).toEqual([a]);
    expect(await ids({ keyword: '校外培训' })).toEqual([a, b]);
    expect(await ids({ keyword: '100%_' })).toEqual([a]);
    expect(await ids({ keyword: '%' })).toEqual([a]);
    expect(await ids({ keyword: '资金监管', year: 2026 })).toEqual([a]);
    expect(await ids({ keyword: '资金监管', year: 2025 })).toEqual([]);
    expect(await ids({ term: 11, session: 2 })).toEqual([]);
    // A unit's accounts filter within what they see.
    expect(ok(await app.as('wh.health')(q, { f: { term: 11, session: 1 } })).body.data.proposals.edges.map((e: any) => e.node.id)).toEqual([a]);
    expect(codeOf(await app.as('wh.staff')(q, { f: { unit: toGlobalId('User', newId()) } }))).toBe('BAD_USER_INPUT');
  });
});

let topics = 0;
async function suggestionAssigned(): Promise<string> {
  const call = app.as('wh.staff');
  const t = await topicOf(app, 'wh.staff', `校园周边环境综合治理（${++topics}）`, 2026);
  for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }));
  const s = ok(await call(Q.addSuggestion, { input: { topicId: t.id, content: '在学校周边设置护学岗。' } })).body.data.addConsultationSuggestion.id;
  ok(await call(Q.moveTopic, { input: { id: t.id, to: 'ASSIGN' } }));
  ok(await call(Q.assign, { input: { id: s, unit: await unitOf('wh.dept'), deadline: '2026-05-01T00:00:00Z' } }));
  return s;
}

for (const ormTenantFilter of [true, false]) {
  describe(`isolation of units, extensions and case counters (ORM filter ${ormTenantFilter ? 'on' : 'off: RLS alone'})`, () => {
    let iso: TestApp;
    beforeAll(async () => {
      iso = await startTestApp({ ormTenantFilter });
    });
    afterAll(() => iso.stop());
    const unit = async (login: string) => toGlobalId('HandlingUnit', (await iso.db.query('select unit_id from app_user where login = $1', [login])).rows[0].unit_id);
    const names = async (login: string) =>
      (await iso.as(login)(`{ handlingUnits(first: 100) { edges { node { name } } } }`)).body.data.handlingUnits.edges.map((e: any) => e.node.name as string);
    const own = async (code: string) => (await iso.db.query(`select u.name from handling_unit u join tenant t on t.id = u.tenant_id where t.code = $1 order by u.id`, [code])).rows.map((r) => r.name);

    it('the ORM filter is as configured; with it off only RLS stands between a query and the rows', async () => {
      expect(iso.running.orm.config.get('filters').tenant!.default).toBe(ormTenantFilter);
      if (!ormTenantFilter) await expect(iso.running.orm.em.fork().find(HandlingUnit, {})).resolves.toEqual([]);
    });

    it('each committee lists its own units only: not a sibling’s, an ancestor’s or a descendant’s', async () => {
      expect(await names('wh.staff')).toEqual(await own('530102'));
      expect(await names('pl.staff')).toEqual(await own('530103'));
      expect(await names('km.staff')).toEqual(await own('530100'));
      expect((await own('530102')).length).toBeGreaterThan(0);
    });

    it('a sibling’s, an ancestor’s or a child’s unit reads as null by id and cannot be assigned: NOT_FOUND, like a missing one', async () => {
      const q = `query($id: ID!) { node(id: $id) { id } }`;
      const whUnit = await unit('wh.dept');
      for (const login of ['pl.staff', 'km.staff', 'yn.staff']) expect((await iso.as(login)(q, { id: whUnit })).body).toEqual({ data: { node: null } });
      expect((await iso.as('wh.member')(q, { id: whUnit })).body).toEqual({ data: { node: null } });
      const id = ok(await iso.as('wh.member')(SUBMIT, { input: { title: '关于校园食品安全的提案', content: '建议加强学校食堂和周边餐饮的食品安全监管。', kind: 'MEMBER' } })).body.data.submitProposal.id;
      ok(await iso.as('wh.staff')(REVIEW, { id, input: { decision: 'FILED', term: 10, session: 5 } }));
      const foreign = await iso.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unit('pl.dept'), replyDeadline: '2026-06-01T00:00:00Z' } });
      const upward = await iso.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unit('km.dept'), replyDeadline: '2026-06-01T00:00:00Z' } });
      const missing = await iso.as('wh.staff')(ASSIGN, { id, input: { leadUnit: toGlobalId('HandlingUnit', newId()), replyDeadline: '2026-06-01T00:00:00Z' } });
      expect(foreign.body).toEqual({ data: null, errors: [{ message: 'Handling unit not found', path: ['assignProposal'], locations: expect.any(Array), extensions: { code: 'NOT_FOUND' } }] });
      expect(upward.body).toEqual(foreign.body);
      expect(missing.body).toEqual(foreign.body);
      // The sibling's unit accounts see nothing of 五华's, by list or by id, and cannot move it.
      ok(await iso.as('wh.staff')(ASSIGN, { id, input: { leadUnit: await unit('wh.dept'), replyDeadline: '2026-06-01T00:00:00Z' } }));
      expect((await iso.as('pl.dept')(q, { id })).body).toEqual({ data: { node: null } });
      expect(ok(await iso.as('pl.dept')(`{ proposals(first: 100) { edges { node { tenant { code } } } } }`)).body.data.proposals.edges.every((e: any) => e.node.tenant.code === '530103')).toBe(true);
      expect(codeOf(await iso.as('pl.dept')(ASK, { id, until: '2026-07-01T00:00:00Z', reason: '越权' }))).toBe('NOT_FOUND');
      expect(codeOf(await iso.as('pl.staff')(DECIDE, { id, granted: true }))).toBe('NOT_FOUND');
      ok(await iso.as('wh.dept')(ASK, { id, until: '2026-07-01T00:00:00Z', reason: '需要调研' }));
      expect(codeOf(await iso.as('km.staff')(DECIDE, { id, granted: true }))).toBe('NOT_FOUND');
      expect((await iso.db.query(`select status from deadline_extension where item_id = $1`, [iso.uuid(id)])).rows).toEqual([{ status: 'PENDING' }]);
    });

    it('roles: a member neither lists units nor moves an item; a leader reads but does not decide', async () => {
      expect(codeOf(await iso.as('wh.member')(`{ handlingUnits(first: 5) { totalCount } }`))).toBe('FORBIDDEN');
      expect(ok(await iso.as('wh.leader')(`{ handlingUnits(first: 100) { totalCount } }`)).body.data.handlingUnits.totalCount).toBe((await own('530102')).length);
      expect(codeOf(await iso.as('wh.leader')(`mutation { createHandlingUnit(name: "五华区林草局") { name } }`))).toBe('FORBIDDEN');
      expect(codeOf(await iso.as('wh.leader')(DECIDE, { id: toGlobalId('Proposal', newId()), granted: true }))).toBe('FORBIDDEN');
      expect(codeOf(await iso.as('wh.member')(`mutation($u: ID!) { setUnitDuty(user: $u, duty: HEAD) { login } }`, { u: toGlobalId('User', newId()) }))).toBe('FORBIDDEN');
      const plDept = toGlobalId('User', (await iso.db.query(`select id from app_user where login = 'pl.dept'`)).rows[0].id);
      const foreignDuty = await iso.as('wh.staff')(`mutation($u: ID!) { setUnitDuty(user: $u, duty: HEAD) { login } }`, { u: plDept });
      expect(codeOf(foreignDuty)).toBe('NOT_FOUND');
      expect((await iso.db.query(`select unit_duty from app_user where login = 'pl.dept'`)).rows).toEqual([{ unit_duty: 'HANDLER' }]);
    });
  });
}
