import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
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
const endSeat = (staff: string, id: string) => app.as(staff)(`mutation($id: ID!) { updateMember(id: $id, input: { status: ENDED }) { status } }`, { id });

describe('ended seats (委员离任)', () => {
  it('an ended seat acts for nothing: a token naming it is FORBIDDEN, at home and on another committee, and writes nothing', async () => {
    const seat = (await app.as('wh.staff')(ADD, { input: { login: 'wh.m.leaving', displayName: '钱立德', sector: '经济界', term: '第十届' } })).body.data.addMember;
    expect((await app.as('wh.m.leaving')(PROPOSE, { input: proposal })).body).toEqual({ data: { submitProposal: { title: proposal.title, proposer: { login: 'wh.m.leaving' } } } });
    expect((await endSeat('wh.staff', seat.id)).body).toEqual({ data: { updateMember: { status: 'ENDED' } } });
    const before = await written();
    const ended = { errors: [{ message: 'Your seat on this committee has ended', extensions: { code: 'FORBIDDEN' } }] };
    expect((await app.as('wh.m.leaving')(PROPOSE, { input: proposal })).body).toEqual(ended);
    expect((await app.as('wh.m.leaving')(REPORT, { input: opinion })).body).toEqual(ended);
    expect((await app.as('wh.m.leaving')(`{ me { role } }`)).body).toEqual(ended);

    // 周明远's seat on 昆明 ends; his home seat on 五华区 still acts.
    expect((await endSeat('km.staff', await seatGid('wh.member', '530100'))).body).toEqual({ data: { updateMember: { status: 'ENDED' } } });
    expect((await app.as('wh.member', '530100')(PROPOSE, { input: proposal })).body).toEqual(ended);
    expect((await app.as('wh.member', '530100')(REPORT, { input: opinion })).body).toEqual(ended);
    expect((await app.as('wh.member')(`{ me { role tenant { code } } }`)).body).toEqual({ data: { me: { role: 'MEMBER', tenant: { code: '530102' } } } });
    expect(await written()).toBe(before);
  });
});
