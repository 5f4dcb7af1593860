import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, codeOf, recountFigures, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

/*
 * Cancelling (取消) and moving (改期) a meeting through the API: a 五华 standing-committee meeting moved to the
 * next month (answers stand, figures move, invitees notified) and then cancelled (nothing more is taken, no
 * archive record, no figure); a remote joint consultation hosted by 昆明 whose venues at 五华 and 盘龙 follow the
 * host, their invitees told by a job acting for their own committee.
 */

const Q = {
  schedule: `mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id venues { id tenant { code } } } }`,
  invite: `mutation($i: InviteToMeetingInput!) { inviteToMeeting(input: $i) { id invited } }`,
  notice: `mutation($v: ID!) { sendMeetingNotice(venue: $v) { sent } }`,
  mine: `{ myMeetingAttendances(first: 20) { edges { node { id status meeting { id } } } } }`,
  confirm: `mutation($id: ID!) { confirmMeetingAttendance(id: $id) { status } }`,
  leave: `mutation($id: ID!, $r: String!) { requestMeetingLeave(id: $id, reason: $r) { status } }`,
  decide: `mutation($id: ID!, $a: Boolean!) { decideMeetingLeave(id: $id, approve: $a) { status } }`,
  code: `mutation($v: ID!) { issueMeetingCheckInCode(venue: $v) { code } }`,
  checkIn: `mutation($c: String!) { checkInToMeeting(code: $c) { status } }`,
  staffCheckIn: `mutation($id: ID!) { checkInMeetingMember(id: $id) { status } }`,
  cancel: `mutation($id: ID!, $r: String!) { cancelMeeting(id: $id, reason: $r) { id status cancelledAt cancelReason startsAt } }`,
  move: `mutation($id: ID!, $i: RescheduleMeetingInput!) { rescheduleMeeting(id: $id, input: $i) { id status startsAt endsAt location previousStartsAt rescheduledAt venues { tenant { code } location } } }`,
  meeting: `query($id: ID!) { node(id: $id) { ... on Meeting { id status startsAt cancelReason venues { tenant { code } location } } } }`,
  inbox: `{ notifications(first: 20) { edges { node { kind title body } } } }`,
};

const ok = <T = any>(r: { body: { data?: any; errors?: unknown[] } }, field: string): T => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data[field] as T;
};
const at = (iso: string) => new Date(iso);
const seatOf = async (app: TestApp, login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
const attendanceIn = async (app: TestApp, login: string, meeting: string, code?: string) =>
  ok<any>(await app.as(login, code)(Q.mine), 'myMeetingAttendances').edges.map((e: any) => e.node).find((n: any) => n.meeting.id === meeting);
const waitFor = async <T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
/** Every job but the minute sweep has run. */
const jobsDone = (app: TestApp) =>
  waitFor('jobs done', async () => (await app.db.query(`select count(*)::int n from graphile_worker.jobs where task_identifier <> 'notification.sweep' and attempts < max_attempts`)).rows[0].n === 0);
const inboxOf = async (app: TestApp, login: string, code?: string) => ok<any>(await app.as(login, code)(Q.inbox), 'notifications').edges.map((e: any) => e.node);
const meetingFigures = async (app: TestApp, login: string, period: string) => {
  const r = ok<any>(await app.as(login)(`query($p: String!) { rollup(period: $p) { own { metrics { metric value } } } }`, { p: period }), 'rollup');
  return Object.fromEntries(r.own.metrics.filter((x: any) => ['meeting.held', 'meeting.invited', 'meeting.leave', 'meeting.attended'].includes(x.metric)).map((x: any) => [x.metric.slice(8), x.value]));
};
const rebuildKeepsFigures = async (app: TestApp, login: string) => {
  const readAll = async () => JSON.stringify((await app.as(login)(`{ rollup(period: "2026") { own { metrics { metric value } } } }`)).body.data);
  const counted = await readAll();
  await recountFigures(app);
  expect(await readAll()).toEqual(counted);
};

describe('a 五华 standing-committee meeting moved, then cancelled', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ jobsWorker: true, jobsPollMs: 200 });
    for (const login of ['gq.zhao', 'gq.qian', 'gq.sun']) await app.createUser(login, '530102', 'MEMBER', login);
  });
  afterAll(() => app.stop());

  it('moves with answers standing, then cancels: nothing more is taken, nothing counts', async () => {
    const staff = app.as('wh.staff');
    app.clock.set(at('2026-03-02T02:00:00Z'));
    const marchBefore = await meetingFigures(app, 'wh.staff', '2026-03');
    const aprilBefore = await meetingFigures(app, 'wh.staff', '2026-04');
    const m = ok<any>(
      await staff(Q.schedule, { i: { kind: 'STANDING_COMMITTEE', title: '五华区政协十届常委会第十三次会议', location: '五华区政协三楼会议室', startsAt: '2026-03-20T01:30:00Z', endsAt: '2026-03-20T04:00:00Z' } }),
      'scheduleMeeting',
    );
    const venue = m.venues[0].id;
    ok(await staff(Q.invite, { i: { venue, seats: await Promise.all(['gq.zhao', 'gq.qian', 'gq.sun'].map((l) => seatOf(app, l, '530102'))) } }), 'inviteToMeeting');
    ok(await staff(Q.notice, { v: venue }), 'sendMeetingNotice');
    const zhao = await attendanceIn(app, 'gq.zhao', m.id);
    const qian = await attendanceIn(app, 'gq.qian', m.id);
    const sun = await attendanceIn(app, 'gq.sun', m.id);
    ok(await app.as('gq.zhao')(Q.confirm, { id: zhao.id }), 'confirmMeetingAttendance');
    ok(await app.as('gq.qian')(Q.leave, { id: qian.id, r: '赴省外考察' }), 'requestMeetingLeave');
    ok(await staff(Q.decide, { id: qian.id, a: true }), 'decideMeetingLeave');
    expect(await meetingFigures(app, 'wh.staff', '2026-03')).toEqual({ ...marchBefore, held: marchBefore.held + 1, invited: marchBefore.invited + 3, leave: marchBefore.leave + 1 });

    // Who may move it, and to when.
    const to = { startsAt: '2026-04-02T01:30:00Z', endsAt: '2026-04-02T04:00:00Z', location: '五华区政协一楼报告厅' };
    for (const login of ['wh.leader', 'wh.member']) expect({ login, code: codeOf(await app.as(login)(Q.move, { id: m.id, i: to })) }).toEqual({ login, code: 'FORBIDDEN' });
    expect(codeOf(await app.as('pl.staff')(Q.move, { id: m.id, i: to }))).toBe('NOT_FOUND');
    expect(codeOf(await staff(Q.move, { id: m.id, i: { ...to, endsAt: to.startsAt } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await staff(Q.move, { id: m.id, i: { ...to, startsAt: '2026-03-01T01:30:00Z' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await staff(Q.move, { id: m.id, i: { startsAt: '2026-03-20T01:30:00Z', endsAt: '2026-03-20T04:00:00Z' } }))).toBe('BAD_USER_INPUT');

    app.clock.set(at('2026-03-05T02:00:00Z'));
    const moved = ok<any>(await staff(Q.move, { id: m.id, i: to }), 'rescheduleMeeting');
    expect(moved).toEqual({
      id: m.id,
      status: 'SCHEDULED',
      startsAt: '2026-04-02T01:30:00.000Z',
      endsAt: '2026-04-02T04:00:00.000Z',
      location: '五华区政协一楼报告厅',
      previousStartsAt: '2026-03-20T01:30:00.000Z',
      rescheduledAt: '2026-03-05T02:00:00.000Z',
      venues: [{ tenant: { code: '530102' }, location: '五华区政协一楼报告厅' }],
    });
    // Answers stand: confirmed stays confirmed, approved leave stays approved, no answer stays no answer.
    expect((await attendanceIn(app, 'gq.zhao', m.id)).status).toBe('CONFIRMED');
    expect((await attendanceIn(app, 'gq.qian', m.id)).status).toBe('ON_LEAVE');
    expect((await attendanceIn(app, 'gq.sun', m.id)).status).toBe('INVITED');
    // The figures move to the new month.
    expect(await meetingFigures(app, 'wh.staff', '2026-03')).toEqual(marchBefore);
    expect(await meetingFigures(app, 'wh.staff', '2026-04')).toEqual({ ...aprilBefore, held: aprilBefore.held + 1, invited: aprilBefore.invited + 3, leave: aprilBefore.leave + 1 });
    await rebuildKeepsFigures(app, 'wh.staff');
    // Every invitee is told the new time.
    await jobsDone(app);
    for (const login of ['gq.zhao', 'gq.qian', 'gq.sun']) {
      const n = await waitFor(`${login} told of the move`, async () => (await inboxOf(app, login)).find((x: any) => x.kind === 'MEETING_RESCHEDULED'));
      expect(n).toEqual({
        kind: 'MEETING_RESCHEDULED',
        title: '会议改期：五华区政协十届常委会第十三次会议',
        body: '“五华区政协十届常委会第十三次会议”由 2026-03-20 09:30 改为 2026-04-02 09:30（北京时间）在五华区政协一楼报告厅召开。已确认参会的仍然有效，不能参加的请在会前请假。',
      });
    }
    // A member may still answer before the new start.
    expect((ok<any>(await app.as('gq.zhao')(Q.leave, { id: zhao.id, r: '新时间与全省培训冲突' }), 'requestMeetingLeave')).status).toBe('LEAVE_REQUESTED');

    // Cancelled: a reason is required; other roles and committees may not.
    expect(codeOf(await staff(Q.cancel, { id: m.id, r: '  ' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.leader')(Q.cancel, { id: m.id, r: '另行安排' }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('pl.staff')(Q.cancel, { id: m.id, r: '另行安排' }))).toBe('NOT_FOUND');
    app.clock.set(at('2026-03-30T02:00:00Z'));
    const cancelled = ok<any>(await staff(Q.cancel, { id: m.id, r: '因工作安排调整，会议取消，另行通知' }), 'cancelMeeting');
    expect(cancelled).toEqual({ id: m.id, status: 'CANCELLED', cancelledAt: '2026-03-30T02:00:00.000Z', cancelReason: '因工作安排调整，会议取消，另行通知', startsAt: '2026-04-02T01:30:00.000Z' });
    // Still readable, as cancelled, by those who could read it.
    expect(ok<any>(await app.as('gq.sun')(Q.meeting, { id: m.id }), 'node')).toMatchObject({ status: 'CANCELLED', cancelReason: '因工作安排调整，会议取消，另行通知' });

    // Nothing more is taken: answers, leave decisions, notices, invitations, check-in, another change.
    const refused = async (what: string, r: Promise<any>) => expect({ what, code: codeOf(await r) }).toEqual({ what, code: 'INVALID_TRANSITION' });
    await refused('confirm', app.as('gq.sun')(Q.confirm, { id: sun.id }));
    await refused('leave', app.as('gq.sun')(Q.leave, { id: sun.id, r: '出差' }));
    await refused('decide', staff(Q.decide, { id: zhao.id, a: true }));
    await refused('notice', staff(Q.notice, { v: venue }));
    await refused('invite', staff(Q.invite, { i: { venue, seats: [await seatOf(app, 'wh.member', '530102')] } }));
    await refused('cancel again', staff(Q.cancel, { id: m.id, r: '再次取消' }));
    await refused('move', staff(Q.move, { id: m.id, i: { startsAt: '2026-04-09T01:30:00Z', endsAt: '2026-04-09T04:00:00Z' } }));
    app.clock.set(at('2026-04-02T01:00:00Z'));
    await refused('code', staff(Q.code, { v: venue }));
    await refused('staff check-in', staff(Q.staffCheckIn, { id: sun.id }));
    expect((await attendanceIn(app, 'gq.sun', m.id)).status).toBe('INVITED');
    // No archive record; no figure.
    expect((await app.db.query(`select count(*)::int n from duty_record where source_key = any ($1)`, [[zhao, qian, sun].map((a) => `MeetingAttendance:${app.uuid(a.id)}`)])).rows[0].n).toBe(0);
    expect(await meetingFigures(app, 'wh.staff', '2026-04')).toEqual(aprilBefore);
    await rebuildKeepsFigures(app, 'wh.staff');
    await jobsDone(app);
    for (const login of ['gq.zhao', 'gq.qian', 'gq.sun']) {
      const n = await waitFor(`${login} told of the cancellation`, async () => (await inboxOf(app, login)).find((x: any) => x.kind === 'MEETING_CANCELLED'));
      expect(n).toEqual({
        kind: 'MEETING_CANCELLED',
        title: '会议取消：五华区政协十届常委会第十三次会议',
        body: '原定 2026-04-02 09:30（北京时间）在五华区政协一楼报告厅召开的“五华区政协十届常委会第十三次会议”已取消。取消原因：因工作安排调整，会议取消，另行通知',
      });
    }
    // Nobody outside the meeting is told anything.
    expect((await inboxOf(app, 'wh.member')).filter((x: any) => x.kind.startsWith('MEETING_'))).toEqual([]);
  });

  it('a meeting that started, or where someone checked in, can no longer change', async () => {
    const staff = app.as('wh.staff');
    app.clock.set(at('2026-05-02T02:00:00Z'));
    const m = ok<any>(await staff(Q.schedule, { i: { kind: 'MEMBERS_HOME', title: '委员之家“委员接待日”活动', location: '华山街道委员之家', startsAt: '2026-05-08T01:00:00Z', endsAt: '2026-05-08T03:00:00Z' } }), 'scheduleMeeting');
    const n = ok<any>(await staff(Q.schedule, { i: { kind: 'SECTOR_ACTIVITY', title: '经济界委员营商环境座谈', location: '五华区政协二楼会议室', startsAt: '2026-05-08T06:00:00Z', endsAt: '2026-05-08T08:00:00Z' } }), 'scheduleMeeting');
    ok(await staff(Q.invite, { i: { venue: m.venues[0].id, seats: [await seatOf(app, 'gq.sun', '530102')] } }), 'inviteToMeeting');
    // Check-in opens two hours before: once someone is in, the meeting stays.
    app.clock.set(at('2026-05-08T00:00:00Z'));
    ok(await staff(Q.staffCheckIn, { id: (await attendanceIn(app, 'gq.sun', m.id)).id }), 'checkInMeetingMember');
    expect(codeOf(await staff(Q.cancel, { id: m.id, r: '临时取消' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await staff(Q.move, { id: m.id, i: { startsAt: '2026-05-09T01:00:00Z', endsAt: '2026-05-09T03:00:00Z' } }))).toBe('INVALID_TRANSITION');
    app.clock.set(at('2026-05-08T06:30:00Z'));
    expect(codeOf(await staff(Q.cancel, { id: n.id, r: '临时取消' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await staff(Q.move, { id: n.id, i: { startsAt: '2026-05-09T06:00:00Z', endsAt: '2026-05-09T08:00:00Z' } }))).toBe('INVALID_TRANSITION');
    expect((await app.db.query(`select status from meeting where id = any ($1) order by status`, [[app.uuid(m.id), app.uuid(n.id)]])).rows).toEqual([{ status: 'SCHEDULED' }, { status: 'SCHEDULED' }]);
  });
});

describe('a remote joint consultation hosted by 昆明: the venues at 五华 and 盘龙 follow the host', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ jobsWorker: true, jobsPollMs: 200 });
    await app.createUser('gq.wh1', '530102', 'MEMBER');
    await app.createUser('gq.pl1', '530103', 'MEMBER');
    await app.createUser('gq.km1', '530100', 'MEMBER');
  });
  afterAll(() => app.stop());

  it('moves and cancels every venue; each committee counts and tells its own members', async () => {
    app.clock.set(at('2026-05-06T02:00:00Z'));
    const m = ok<any>(
      await app.as('km.staff')(Q.schedule, {
        i: { kind: 'THEMATIC_CONSULTATION', title: '“推进滇池流域生态保护”远程协商会', location: '昆明市政协主会场', startsAt: '2026-05-28T06:30:00Z', endsAt: '2026-05-28T09:00:00Z', remote: true, participantCodes: ['530102', '530103'] },
      }),
      'scheduleMeeting',
    );
    const venueAt = (code: string) => m.venues.find((v: any) => v.tenant.code === code).id;
    // The host's venue keeps the host's place; each other venue its own.
    const PLACES: Record<string, string> = { '530100': '昆明市政协主会场', '530102': '五华区分会场', '530103': '盘龙区分会场' };
    ok(await app.as('wh.staff')(Q.invite, { i: { venue: venueAt('530102'), seats: [await seatOf(app, 'gq.wh1', '530102')] } }), 'inviteToMeeting');
    ok(await app.as('pl.staff')(Q.invite, { i: { venue: venueAt('530103'), seats: [await seatOf(app, 'gq.pl1', '530103')] } }), 'inviteToMeeting');
    ok(await app.as('km.staff')(Q.invite, { i: { venue: venueAt('530100'), seats: [await seatOf(app, 'gq.km1', '530100')] } }), 'inviteToMeeting');
    const wh = await attendanceIn(app, 'gq.wh1', m.id);
    ok(await app.as('gq.wh1')(Q.confirm, { id: wh.id }), 'confirmMeetingAttendance');
    const whMay = await meetingFigures(app, 'wh.staff', '2026-05');
    const whJune = await meetingFigures(app, 'wh.staff', '2026-06');
    expect(whMay.invited).toBeGreaterThanOrEqual(1);

    // Only the host moves it: a participant is told so.
    const to = { startsAt: '2026-06-04T06:30:00Z', endsAt: '2026-06-04T09:00:00Z' };
    expect(codeOf(await app.as('wh.staff')(Q.move, { id: m.id, i: to }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('wh.staff')(Q.cancel, { id: m.id, r: '本区不参加' }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('yn.staff')(Q.cancel, { id: m.id, r: '取消' }))).toBe('NOT_FOUND');
    ok(await app.as('km.staff')(Q.move, { id: m.id, i: to }), 'rescheduleMeeting');
    // Each venue reads the new time through the meeting, and keeps its own place.
    expect(ok<any>(await app.as('wh.staff')(Q.meeting, { id: m.id }), 'node')).toMatchObject({ status: 'SCHEDULED', startsAt: '2026-06-04T06:30:00.000Z', venues: [{ tenant: { code: '530102' }, location: '五华区分会场' }] });
    await jobsDone(app);
    // 五华's own figures moved with it (by the job acting for 五华); the confirmation stands.
    expect(await meetingFigures(app, 'wh.staff', '2026-05')).toEqual({ ...whMay, invited: whMay.invited - 1 });
    expect(await meetingFigures(app, 'wh.staff', '2026-06')).toEqual({ ...whJune, invited: whJune.invited + 1 });
    expect((await attendanceIn(app, 'gq.wh1', m.id)).status).toBe('CONFIRMED');
    for (const [login, code] of [['gq.wh1', '530102'], ['gq.pl1', '530103'], ['gq.km1', '530100']] as const) {
      const n = await waitFor(`${login} told of the move`, async () => (await inboxOf(app, login, code)).find((x: any) => x.kind === 'MEETING_RESCHEDULED'));
      expect({ login, body: n.body }).toEqual({
        login,
        body: `““推进滇池流域生态保护”远程协商会”由 2026-05-28 14:30 改为 2026-06-04 14:30（北京时间）在${PLACES[code]}召开。已确认参会的仍然有效，不能参加的请在会前请假。`,
      });
    }

    app.clock.set(at('2026-06-01T02:00:00Z'));
    ok(await app.as('km.staff')(Q.cancel, { id: m.id, r: '议题调整，另行安排' }), 'cancelMeeting');
    // Every venue follows: the participant's office and members can do nothing more with it.
    app.clock.set(at('2026-06-04T06:00:00Z'));
    expect(codeOf(await app.as('wh.staff')(Q.code, { v: venueAt('530102') }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('pl.staff')(Q.staffCheckIn, { id: (await attendanceIn(app, 'gq.pl1', m.id, '530103')).id }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('gq.wh1')(Q.leave, { id: wh.id, r: '出差' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('wh.staff')(Q.notice, { v: venueAt('530102') }))).toBe('INVALID_TRANSITION');
    await jobsDone(app);
    expect(await meetingFigures(app, 'wh.staff', '2026-05')).toEqual({ ...whMay, invited: whMay.invited - 1 });
    expect(await meetingFigures(app, 'wh.staff', '2026-06')).toEqual(whJune);
    await rebuildKeepsFigures(app, 'km.staff');
    for (const [login, code] of [['gq.wh1', '530102'], ['gq.pl1', '530103'], ['gq.km1', '530100']] as const) {
      const n = await waitFor(`${login} told of the cancellation`, async () => (await inboxOf(app, login, code)).find((x: any) => x.kind === 'MEETING_CANCELLED'));
      expect(n.title).toBe('会议取消：“推进滇池流域生态保护”远程协商会');
    }
  });

  it('a change job naming a venue of a meeting its committee does not host changes nothing', async () => {
    app.clock.set(at('2026-07-01T02:00:00Z'));
    const m = ok<any>(await app.as('km.staff')(Q.schedule, { i: { kind: 'THEMATIC_CONSULTATION', title: '城市更新远程协商会', location: '昆明市政协主会场', startsAt: '2026-07-20T06:30:00Z', endsAt: '2026-07-20T09:00:00Z', remote: true, participantCodes: ['530102'] } }), 'scheduleMeeting');
    const venue = m.venues.find((v: any) => v.tenant.code === '530102').id;
    ok(await app.as('wh.staff')(Q.invite, { i: { venue, seats: [await seatOf(app, 'gq.wh1', '530102')] } }), 'inviteToMeeting');
    const before = await meetingFigures(app, 'wh.staff', '2026-07');
    const pl = (await app.db.query(`select id from tenant where code = '530103'`)).rows[0].id;
    const wh = (await app.db.query(`select id from tenant where code = '530102'`)).rows[0].id;
    // As if 盘龙 enqueued it (the stamp app_enqueue_job puts on every job).
    await app.running.jobs.add('meeting.announce-change', { tenantId: wh, venueId: app.uuid(venue), change: 'RESCHEDULED', invited: 1, onLeave: 0, previousStartsAt: '2026-07-20T06:30:00Z', startsAt: '2026-08-20T06:30:00Z', endsAt: '2026-08-20T09:00:00Z', enqueuedBy: { tenantId: pl, userId: null } });
    await jobsDone(app);
    expect(await meetingFigures(app, 'wh.staff', '2026-07')).toEqual(before);
    expect((await inboxOf(app, 'gq.wh1', '530102')).filter((x: any) => x.title.includes('城市更新'))).toEqual([]);
  });
});

for (const ormTenantFilter of [true, false]) {
  describe(`cancelling and moving another committee's meeting (ORM filter ${ormTenantFilter ? 'on' : 'off: RLS alone'})`, () => {
    let app: TestApp;
    let meeting: string;
    beforeAll(async () => {
      app = await startTestApp({ ormTenantFilter });
      app.clock.set(at('2026-06-01T02:00:00Z'));
      meeting = ok<any>(
        await app.as('wh.staff')(Q.schedule, { i: { kind: 'MEMBERS_HOME', title: '委员之家“委员接待日”活动', location: '华山街道委员之家', startsAt: '2026-06-05T01:00:00Z', endsAt: '2026-06-05T03:00:00Z' } }),
        'scheduleMeeting',
      ).id;
    });
    afterAll(() => app.stop());

    it('盘龙 (sibling), 昆明 and 云南 (above) answer NOT_FOUND, as for a missing id, and change nothing', async () => {
      const missing = toGlobalId('Meeting', '00000000-0000-4000-8000-000000000000');
      for (const login of ['pl.staff', 'km.staff', 'yn.staff', 'cdx.staff']) {
        for (const id of [meeting, missing]) {
          expect({ login, code: codeOf(await app.as(login)(Q.cancel, { id, r: '取消' })) }).toEqual({ login, code: 'NOT_FOUND' });
          expect({ login, code: codeOf(await app.as(login)(Q.move, { id, i: { startsAt: '2026-06-09T01:00:00Z', endsAt: '2026-06-09T03:00:00Z' } })) }).toEqual({ login, code: 'NOT_FOUND' });
        }
      }
      const row = (await app.db.query('select status, starts_at, cancelled_at, rescheduled_at from meeting where id = $1', [app.uuid(meeting)])).rows[0];
      expect(row).toEqual({ status: 'SCHEDULED', starts_at: at('2026-06-05T01:00:00Z'), cancelled_at: null, rescheduled_at: null });
      expect((await app.db.query(`select count(*)::int n from graphile_worker.jobs where task_identifier = 'meeting.announce-change'`)).rows[0].n).toBe(0);
    });
  });
}
