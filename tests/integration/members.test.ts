import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const ADD = `mutation($input: AddMemberInput!) { addMember(input: $input) { id status user { login } } }`;
const PROPOSE = `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { title proposer { login } } }`;
const REPORT = `mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) { title } }`;
const proposal = { title: '关于完善社区养老服务的提案', content: '建议统筹社区养老服务设施，补齐短板。', kind: 'MEMBER' };
const opinion = { title: '群众反映社区养老服务不足', content: '社区养老服务设施不足，群众反映强烈。' };
const seatGid = async (login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
const written = async () => (await app.db.query(`select (select count(*) from proposal) + (select count(*) from opinion) n`)).rows[0].n as string;
const END = `mutation($id: ID!, $input: EndMemberSeatInput!) { endMemberSeat(id: $id, input: $input) { status endedOn endReason } }`;
const endSeat = (staff: string, id: string, input = { endedOn: '2026-02-28', reason: '工作调动，辞去委员职务' }) => app.as(staff)(END, { id, input });
const endedShape = { data: { endMemberSeat: { status: 'ENDED', endedOn: '2026-02-28', endReason: '工作调动，辞去委员职务' } } };
const RANKING = `{ dutyRanking(year: 2026, first: 100) { rank archive { score seat { id status user { login } } } } }`;
const ROLLUP = `{ rollup(period: "2026") { own { metrics { metric value } } } }`;
const archivesCounted = async (staff: string) =>
  (await app.as(staff)(ROLLUP)).body.data.rollup.own.metrics.find((m: { metric: string }) => m.metric === 'perf.archives').value as number;

describe('ended seats (委员离任)', () => {
  it('an ended seat acts for nothing: a token naming it is FORBIDDEN, at home and on another committee, and writes nothing', async () => {
    const seat = (await app.as('wh.staff')(ADD, { input: { login: 'wh.m.leaving', displayName: '钱立德', sector: '经济界', term: '第十届' } })).body.data.addMember;
    expect((await app.as('wh.m.leaving')(PROPOSE, { input: proposal })).body).toEqual({ data: { submitProposal: { title: proposal.title, proposer: { login: 'wh.m.leaving' } } } });
    expect((await endSeat('wh.staff', seat.id)).body).toEqual(endedShape);
    const before = await written();
    const ended = { errors: [{ message: 'Your seat on this committee has ended', extensions: { code: 'FORBIDDEN' } }] };
    expect((await app.as('wh.m.leaving')(PROPOSE, { input: proposal })).body).toEqual(ended);
    expect((await app.as('wh.m.leaving')(REPORT, { input: opinion })).body).toEqual(ended);
    expect((await app.as('wh.m.leaving')(`{ me { role } }`)).body).toEqual(ended);

    // 周明远's seat on 昆明 ends; his home seat on 五华区 still acts.
    expect((await endSeat('km.staff', await seatGid('wh.member', '530100'))).body).toEqual(endedShape);
    expect((await app.as('wh.member', '530100')(PROPOSE, { input: proposal })).body).toEqual(ended);
    expect((await app.as('wh.member', '530100')(REPORT, { input: opinion })).body).toEqual(ended);
    expect((await app.as('wh.member')(`{ me { role tenant { code } } }`)).body).toEqual({ data: { me: { role: 'MEMBER', tenant: { code: '530102' } } } });
    expect(await written()).toBe(before);
    // Nor does the office name an ended seat's member on a research team.
    const p = (await app.as('wh.staff')(`mutation($input: CreateResearchProjectInput!) { createResearchProject(input: $input) { id } }`, {
      input: { title: '离任委员不入调研组', background: '背景', goals: '目标', startDate: '2026-03-01', endDate: '2026-06-30' },
    })).body.data.createResearchProject.id;
    await app.as('wh.staff')(`mutation($id: ID!) { moveResearchProject(input: { id: $id, to: INVITING }) { status } }`, { id: p });
    const user = toGlobalId('User', (await app.db.query(`select id from app_user where login = 'wh.m.leaving'`)).rows[0].id);
    const team = await app.as('wh.staff')(`mutation($p: ID!, $m: [TeamMemberInput!]!) { setResearchTeam(projectId: $p, members: $m) { displayName } }`, { p, m: [{ userId: user, teamRole: '成员' }] });
    expect(team.body.errors?.[0]).toMatchObject({ message: 'Team member not found', extensions: { code: 'NOT_FOUND' } });
  });
});

describe('seats end, they are not deleted (委员席位)', () => {
  it('a seat with an archive ends with a date and reason: archive, ranking and roll-up keep it; removing it is CONFLICT', async () => {
    const seat = (await app.as('pl.staff')(ADD, { input: { login: 'pl.m.retiring', displayName: '孙正平', sector: '农业界', term: '第十届' } })).body.data.addMember;
    const entry = await app.as('pl.staff')(`mutation($i: AddDutyRecordInput!) { addDutyRecord(input: $i) { status } }`, { i: { seat: seat.id, category: 'READING', title: '参加读书分享会', occurredAt: '2026-02-10T02:00:00Z' } });
    expect(entry.body).toEqual({ data: { addDutyRecord: { status: 'VERIFIED' } } });
    const ranked = async () => (await app.as('pl.leader')(RANKING)).body.data.dutyRanking.find((r: any) => r.archive.seat.id === seat.id);
    const counted = await archivesCounted('pl.staff');
    expect((await app.as('pl.leader')(RANKING)).body.data.dutyRanking.length).toBe(counted);
    expect(await ranked()).toEqual({ rank: expect.any(Number), archive: { score: 5, seat: { id: seat.id, status: 'ACTIVE', user: { login: 'pl.m.retiring' } } } });

    const removed = await app.as('pl.staff')(`mutation($id: ID!) { removeMember(id: $id) }`, { id: seat.id });
    expect(removed.body).toEqual({
      data: null,
      errors: [{ message: 'This member seat has records; end it (endMemberSeat) instead of deleting it', path: ['removeMember'], locations: expect.any(Array), extensions: { code: 'CONFLICT' } }],
    });
    expect((await endSeat('pl.staff', seat.id)).body).toEqual(endedShape);

    expect(await ranked()).toEqual({ rank: expect.any(Number), archive: { score: 5, seat: { id: seat.id, status: 'ENDED', user: { login: 'pl.m.retiring' } } } });
    expect((await app.as('pl.leader')(RANKING)).body.data.dutyRanking.length).toBe(counted);
    expect(await archivesCounted('pl.staff')).toBe(counted);
    const archive = await app.as('pl.staff')(`query($seat: ID) { dutyArchive(year: 2026, seat: $seat) { score records { category title } seat { status endedOn endReason } } }`, { seat: seat.id });
    expect(archive.body).toEqual({
      data: { dutyArchive: { score: 5, records: [{ category: 'READING', title: '参加读书分享会' }], seat: { status: 'ENDED', endedOn: '2026-02-28', endReason: '工作调动，辞去委员职务' } } },
    });
    const roster = await app.as('pl.staff')(`{ members(first: 100, filter: { status: ENDED }) { edges { node { id user { login } } } } }`);
    expect(roster.body.data.members.edges).toEqual([{ node: { id: seat.id, user: { login: 'pl.m.retiring' } } }]);
  });

  it('ending is checked: twice, a future date, a blank reason, another committee’s seat; nothing changes', async () => {
    const seat = (await app.as('pl.staff')(ADD, { input: { login: 'pl.m.checked', displayName: '周建明', sector: '工商联', term: '第十届' } })).body.data.addMember;
    const future = await endSeat('pl.staff', seat.id, { endedOn: '2026-03-02', reason: '换届' });
    expect(future.body.errors?.[0]).toMatchObject({ message: 'endedOn cannot be in the future', extensions: { code: 'BAD_USER_INPUT', details: { field: 'endedOn' } } });
    const blank = await endSeat('pl.staff', seat.id, { endedOn: '2026-02-28', reason: '  ' });
    expect(blank.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(codeOf(await endSeat('wh.staff', seat.id))).toBe('NOT_FOUND');
    expect(codeOf(await endSeat('pl.member', seat.id))).toBe('FORBIDDEN');
    const status = async () => (await app.as('pl.staff')(`query($id: ID!) { node(id: $id) { ... on MemberSeat { status endedOn endReason } } }`, { id: seat.id })).body.data.node;
    expect(await status()).toEqual({ status: 'ACTIVE', endedOn: null, endReason: null });
    expect((await endSeat('pl.staff', seat.id)).body).toEqual(endedShape);
    const again = await endSeat('pl.staff', seat.id);
    expect(again.body.errors?.[0]).toMatchObject({ message: 'This member seat has already ended', extensions: { code: 'INVALID_TRANSITION', details: { from: 'ENDED', to: 'ENDED' } } });
    expect(await status()).toEqual({ status: 'ENDED', endedOn: '2026-02-28', endReason: '工作调动，辞去委员职务' });
  });

  it('a seat nothing refers to (entered by mistake) can still be deleted', async () => {
    const seat = (await app.as('pl.staff')(ADD, { input: { login: 'pl.m.mistake', displayName: '误录', sector: '妇联', term: '第十届' } })).body.data.addMember;
    expect((await app.as('pl.staff')(`mutation($id: ID!) { removeMember(id: $id) }`, { id: seat.id })).body).toEqual({ data: { removeMember: seat.id } });
    expect((await app.as('pl.staff')(`query($id: ID!) { node(id: $id) { id } }`, { id: seat.id })).body).toEqual({ data: { node: null } });
  });
});
