import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // The template carries a year of demo activity; these tests count from a clean slate.
  await app.db.query('truncate proposal, opinion, opinion_route, duty_record, duty_archive, stat_counter, stat_deadline, stat_item, stat_item_member');
});
afterAll(() => app.stop());

const ADD = `mutation($input: AddDutyRecordInput!) { addDutyRecord(input: $input) { id category status origin } }`;
const ARCHIVE = `query($seat: ID) { dutyArchive(year: 2026, seat: $seat) { year score rank checklistDone lacking checklist { key done complete } records { category status } } }`;
const seatGid = async (login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
const records = () => app.db.query('select count(*)::int n from duty_record').then((r) => r.rows[0].n as number);

describe('member performance archive (委员履职档案)', () => {
  it('staff entries count at once, member entries after verification; score, rank and what is lacking', async () => {
    const seat = await seatGid('pl.member', '530103');
    const add = (login: string, category: string, s?: string) => app.as(login)(ADD, { input: { seat: s, category, title: '参加“有事好商量”协商活动', occurredAt: '2026-02-10T02:00:00Z' } });
    expect((await add('pl.staff', 'SECTOR_VISIT', seat)).body).toEqual({ data: { addDutyRecord: { id: expect.any(String), category: 'SECTOR_VISIT', status: 'VERIFIED', origin: 'MANUAL' } } });
    const mine = await add('pl.member', 'READING');
    expect(mine.body.data.addDutyRecord.status).toBe('PENDING');
    let a = (await app.as('pl.member')(ARCHIVE, {})).body.data.dutyArchive;
    expect(a).toMatchObject({ year: 2026, score: 5, rank: 1, checklistDone: false });
    expect(a.lacking).toEqual(['提交一件提案', '反映一条社情民意', '参加一次调研视察', '参加一次协商发言', '参加一次网络议政', '参加一次读书活动', '参与一次公益活动', '联系一个村（社区）', '提出一条工作建议']);
    expect((await app.as('pl.staff')(`mutation($id: ID!) { verifyDutyRecord(id: $id, approve: true) { status } }`, { id: mine.body.data.addDutyRecord.id })).body).toEqual({ data: { verifyDutyRecord: { status: 'VERIFIED' } } });
    expect(codeOf(await app.as('pl.staff')(`mutation($id: ID!) { verifyDutyRecord(id: $id, approve: false, reason: "材料不全") { status } }`, { id: mine.body.data.addDutyRecord.id }))).toBe('INVALID_TRANSITION');
    a = (await app.as('pl.staff')(ARCHIVE, { seat })).body.data.dutyArchive;
    expect(a.score).toBe(10);
    const ranking = await app.as('pl.leader')(`{ dutyRanking(year: 2026, first: 10) { rank archive { score seat { user { login } } } } }`);
    expect(ranking.body.data.dutyRanking[0]).toEqual({ rank: 1, archive: { score: 10, seat: { user: { login: 'pl.member' } } } });
    const roll = await app.as('pl.staff')(`{ rollup(period: "2026") { own { rates { rate numerator denominator } } } }`);
    const avg = roll.body.data.rollup.own.rates.find((r: any) => r.rate === 'perf.average_score');
    const sums = (await app.db.query(`select sum(score)::int s, count(*)::int n from duty_archive a join tenant t on t.id = a.tenant_id where t.code = '530103' and year = 2026`)).rows[0];
    expect(avg).toEqual({ rate: 'perf.average_score', numerator: sums.s, denominator: sums.n });
  });

  it('scores for another committee’s member, a future date, or a member writing for someone else: coded errors, nothing written', async () => {
    const n = await records();
    const foreign = await seatGid('wh.member', '530102');
    const r1 = await app.as('pl.staff')(ADD, { input: { seat: foreign, category: 'READING', title: '读书分享会', occurredAt: '2026-02-01T00:00:00Z' } });
    expect(r1.body.errors?.[0]).toMatchObject({ message: 'Member seat not found', extensions: { code: 'NOT_FOUND' } });
    const r2 = await app.as('pl.staff')(ADD, { input: { seat: await seatGid('pl.member', '530103'), category: 'READING', title: '读书分享会', occurredAt: '2027-01-01T00:00:00Z' } });
    expect(codeOf(r2)).toBe('BAD_USER_INPUT');
    const r3 = await app.as('pl.member')(ADD, { input: { seat: await seatGid('m530103.001', '530103'), category: 'READING', title: '读书分享会', occurredAt: '2026-02-01T00:00:00Z' } });
    expect(codeOf(r3)).toBe('NOT_FOUND');
    expect(codeOf(await app.as('pl.staff')(`{ dutyArchive(year: 2026, seat: "${foreign}") { score } }`))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('pl.dept')(`{ dutyArchive(year: 2026) { score } }`))).toBe('FORBIDDEN');
    expect(await records()).toBe(n);
  });

  it('the committee rules come from its tenants/ settings', async () => {
    await app.db.query(`update tenant set config = '{"performance":{"categories":{"READING":{"points":7,"cap":7}},"checklist":[{"key":"r","label":"读一本书","category":"READING","count":1}]}}' where code = '530103'`);
    const a = (await app.as('pl.staff')(ARCHIVE, { seat: await seatGid('pl.member', '530103') })).body.data.dutyArchive;
    expect(a.checklist).toEqual([{ key: 'r', done: 1, complete: true }]);
    expect(a.lacking).toEqual([]);
  });
});
