import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { createSecretKey } from 'node:crypto';
import { startTestApp, codeOf, recountFigures, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

/*
 * Meetings and activities (会议活动) through the API: a 五华 standing-committee meeting from invitation to the
 * archive and the roll-up; a remote joint consultation hosted by 昆明 with venues at 五华 and 盘龙; and who
 * sees what, with the ORM filter on and off (RLS alone).
 */

const Q = {
  schedule: `mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id kind title remote host { code } venues { id location tenant { code } invited } } }`,
  invite: `mutation($i: InviteToMeetingInput!) { inviteToMeeting(input: $i) { id invited confirmed leaveRequested onLeave present } }`,
  notice: `mutation($v: ID!) { sendMeetingNotice(venue: $v) { sent venue { noticeSentAt } } }`,
  mine: `{ myMeetingAttendances(first: 20) { edges { node { id status meeting { title } } } } }`,
  notices: `query($u: Boolean) { myMeetingNotices(first: 20, unreadOnly: $u) { totalCount edges { node { id body readAt meeting { title } } } } }`,
  confirm: `mutation($id: ID!) { confirmMeetingAttendance(id: $id) { status answeredAt } }`,
  leave: `mutation($id: ID!, $r: String!) { requestMeetingLeave(id: $id, reason: $r) { status leaveReason } }`,
  decide: `mutation($id: ID!, $a: Boolean!, $n: String) { decideMeetingLeave(id: $id, approve: $a, note: $n) { status leaveNote } }`,
  code: `mutation($v: ID!) { issueMeetingCheckInCode(venue: $v) { code expiresAt } }`,
  checkIn: `mutation($c: String!) { checkInToMeeting(code: $c) { status checkinMethod checkedInAt } }`,
  staffCheckIn: `mutation($id: ID!) { checkInMeetingMember(id: $id) { status checkinMethod } }`,
  venue: `query($id: ID!) { node(id: $id) { ... on MeetingVenue { id tenant { code } invited confirmed leaveRequested onLeave present attendances { status member { login } seat { sector } } } } }`,
  meeting: `query($id: ID!) { node(id: $id) { ... on Meeting { id title host { code } venues { tenant { code } invited present attendances { status } } } } }`,
  list: `{ meetings(first: 50) { totalCount edges { node { id title } } } }`,
};

const ok = <T = any>(r: { body: { data?: any; errors?: unknown[] } }, field: string): T => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data[field] as T;
};
const at = (iso: string) => new Date(iso);
const seatOf = async (app: TestApp, login: string, code: string) =>
  toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, code])).rows[0].id);
const attendanceOf = async (app: TestApp, login: string, code: string) => {
  const edges = ok<{ edges: { node: { id: string; status: string; meeting: { title: string } } }[] }>(await app.as(login, code)(Q.mine), 'myMeetingAttendances').edges;
  return edges.map((e) => e.node);
};

describe('a 五华 standing-committee meeting: invitation, notice, leave, check-in, archive, roll-up', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    for (const login of ['hy.zhao', 'hy.qian', 'hy.sun']) await app.createUser(login, '530102', 'MEMBER', login);
  });
  afterAll(() => app.stop());

  it('runs the whole flow and every figure follows', async () => {
    const staff = app.as('wh.staff');
    const figures = async () => {
      const r = ok<any>(await staff(`{ rollup(period: "2026-03") { own { metrics { metric value } rates { rate numerator denominator value } } } }`), 'rollup');
      const m = Object.fromEntries(r.own.metrics.filter((x: any) => x.metric.startsWith('meeting.')).map((x: any) => [x.metric, x.value]));
      return { ...m, rate: r.own.rates.find((x: any) => x.rate === 'meeting.attendance_rate') };
    };
    const before = await figures();
    app.clock.set(at('2026-03-01T02:00:00Z'));
    const m = ok<any>(
      await staff(Q.schedule, { i: { kind: 'STANDING_COMMITTEE', title: '五华区政协十届常委会第十二次会议', location: '五华区政协三楼会议室', startsAt: '2026-03-10T01:00:00Z', endsAt: '2026-03-10T04:00:00Z' } }),
      'scheduleMeeting',
    );
    expect({ kind: m.kind, remote: m.remote, host: m.host.code, venues: m.venues.map((v: any) => [v.tenant.code, v.location, v.invited]) }).toEqual({
      kind: 'STANDING_COMMITTEE',
      remote: false,
      host: '530102',
      venues: [['530102', '五华区政协三楼会议室', 0]],
    });
    const venue = m.venues[0].id;
    // By sector (the three created above are 经济界) and by seat (周明远, 中国民主同盟); a seat named twice counts once.
    const inv = ok<any>(await staff(Q.invite, { i: { venue, sectors: ['经济界'], seats: [await seatOf(app, 'wh.member', '530102')] } }), 'inviteToMeeting');
    const economic = (await app.db.query(`select count(*)::int n from member_seat s join tenant t on t.id = s.tenant_id where t.code = '530102' and s.sector = '经济界' and s.status = 'ACTIVE'`)).rows[0].n;
    expect(inv.invited).toBe(economic + 1);
    const again = ok<any>(await staff(Q.invite, { i: { venue, seats: [await seatOf(app, 'hy.zhao', '530102')] } }), 'inviteToMeeting');
    expect(again.invited).toBe(economic + 1);

    const sent = ok<any>(await staff(Q.notice, { v: venue }), 'sendMeetingNotice');
    expect(sent.sent).toBe(economic + 1);
    expect(codeOf(await staff(Q.notice, { v: venue }))).toBe('CONFLICT');
    const n = ok<any>(await app.as('hy.zhao')(Q.notices, { u: true }), 'myMeetingNotices');
    expect(n.totalCount).toBe(1);
    expect(n.edges[0].node.body).toContain('五华区政协十届常委会第十二次会议');
    ok(await app.as('hy.zhao')(`mutation($id: ID!) { readMeetingNotice(id: $id) { readAt } }`, { id: n.edges[0].node.id }), 'readMeetingNotice');
    expect(ok<any>(await app.as('hy.zhao')(Q.notices, { u: true }), 'myMeetingNotices').totalCount).toBe(0);
    expect(await app.db.query(`select count(*)::int n from meeting_notice`).then((r) => r.rows[0].n)).toBe(economic + 1);

    const [zhao] = await attendanceOf(app, 'hy.zhao', '530102');
    const [qian] = await attendanceOf(app, 'hy.qian', '530102');
    const [sun] = await attendanceOf(app, 'hy.sun', '530102');
    const [zhou] = (await attendanceOf(app, 'wh.member', '530102')).filter((a) => a.meeting.title.startsWith('五华区政协十届'));
    expect(ok<any>(await app.as('hy.zhao')(Q.confirm, { id: zhao!.id }), 'confirmMeetingAttendance').status).toBe('CONFIRMED');
    expect(codeOf(await app.as('hy.zhao')(Q.leave, { id: zhao!.id, r: '   ' }))).toBe('BAD_USER_INPUT');
    expect(ok<any>(await app.as('hy.qian')(Q.leave, { id: qian!.id, r: '赴省外参加行业会议' }), 'requestMeetingLeave')).toEqual({ status: 'LEAVE_REQUESTED', leaveReason: '赴省外参加行业会议' });
    expect(ok<any>(await app.as('hy.sun')(Q.leave, { id: sun!.id, r: '家中有事' }), 'requestMeetingLeave').status).toBe('LEAVE_REQUESTED');
    // Someone else's invitation, and staff deciding a leave nobody asked for.
    expect(codeOf(await app.as('hy.sun')(Q.confirm, { id: zhao!.id }))).toBe('NOT_FOUND');
    expect(codeOf(await staff(Q.decide, { id: zhao!.id, a: true }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('hy.qian')(Q.decide, { id: qian!.id, a: true }))).toBe('FORBIDDEN');
    expect(ok<any>(await staff(Q.decide, { id: qian!.id, a: true, n: '同意' }), 'decideMeetingLeave')).toEqual({ status: 'ON_LEAVE', leaveNote: '同意' });
    expect(ok<any>(await staff(Q.decide, { id: sun!.id, a: false, n: '常委会须出席' }), 'decideMeetingLeave').status).toBe('CONFIRMED');

    // Check-in opens two hours before the start.
    expect(codeOf(await staff(Q.code, { v: venue }))).toBe('INVALID_TRANSITION');
    app.clock.set(at('2026-03-10T00:30:00Z'));
    expect(codeOf(await app.as('hy.zhao')(Q.confirm, { id: zhao!.id }))).toBe('INVALID_TRANSITION');
    const { code, expiresAt } = ok<any>(await staff(Q.code, { v: venue }), 'issueMeetingCheckInCode');
    expect(Date.parse(expiresAt) - Date.parse('2026-03-10T00:30:00Z')).toBe(120_000);
    const inZhao = ok<any>(await app.as('hy.zhao')(Q.checkIn, { c: code }), 'checkInToMeeting');
    expect(inZhao).toEqual({ status: 'CHECKED_IN', checkinMethod: 'CODE', checkedInAt: '2026-03-10T00:30:00.000Z' });
    expect(codeOf(await app.as('hy.zhao')(Q.checkIn, { c: code }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('hy.qian')(Q.checkIn, { c: code }))).toBe('INVALID_TRANSITION');
    // A code signed with anything but the venue's secret, tampered, or not a code at all: one answer.
    const [h, p] = code.split('.');
    const forged = await new SignJWT({ mid: JSON.parse(Buffer.from(p, 'base64url').toString()).mid })
      .setProtectedHeader({ alg: 'HS256', typ: 'checkin+jwt' })
      .setSubject(JSON.parse(Buffer.from(p, 'base64url').toString()).sub)
      .setAudience('meeting-checkin')
      .setIssuer('cppcc-linkage')
      .setExpirationTime('2h')
      .sign(createSecretKey(Buffer.from('not the venue secret')));
    for (const c of [forged, `${h}.${p}.AAAA`, 'not-a-code', await app.token('hy.sun')]) {
      const r = await app.as('hy.sun')(Q.checkIn, { c });
      expect({ code: codeOf(r), message: r.body.errors![0].message }).toEqual({ code: 'BAD_USER_INPUT', message: 'The check-in code is not valid' });
    }
    app.clock.set(at('2026-03-10T00:32:01Z'));
    const expired = await app.as('hy.sun')(Q.checkIn, { c: code });
    expect({ code: codeOf(expired), message: expired.body.errors![0].message }).toEqual({ code: 'BAD_USER_INPUT', message: 'The check-in code has expired: scan it again' });
    const fresh = ok<any>(await staff(Q.code, { v: venue }), 'issueMeetingCheckInCode').code;
    expect(ok<any>(await app.as('hy.sun')(Q.checkIn, { c: fresh }), 'checkInToMeeting').status).toBe('CHECKED_IN');
    expect(ok<any>(await staff(Q.staffCheckIn, { id: zhou!.id }), 'checkInMeetingMember')).toEqual({ status: 'CHECKED_IN', checkinMethod: 'STAFF' });
    expect(codeOf(await staff(Q.staffCheckIn, { id: qian!.id }))).toBe('INVALID_TRANSITION');

    const v = (await staff(Q.venue, { id: venue })).body.data.node;
    expect({ ...v, attendances: undefined }).toEqual({ id: venue, tenant: { code: '530102' }, invited: economic + 1, confirmed: 0, leaveRequested: 0, onLeave: 1, present: 3, attendances: undefined });
    expect(v.attendances.filter((a: any) => a.status === 'CHECKED_IN').map((a: any) => a.member.login).sort()).toEqual(['hy.sun', 'hy.zhao', 'wh.member']);
    // A member sees only their own line of the venue.
    expect((await app.as('hy.qian')(Q.venue, { id: venue })).body.data.node.attendances).toEqual([{ status: 'ON_LEAVE', member: { login: 'hy.qian' }, seat: { sector: '经济界' } }]);

    // Attendance is in the archive (MEETING, automatic); leave is not.
    const archive = async (login: string) => ok<any>(await app.as(login)(`{ dutyArchive(year: 2026) { records { category title origin status } } }`), 'dutyArchive').records;
    expect(await archive('hy.zhao')).toEqual([{ category: 'MEETING', title: '出席常委会议：五华区政协十届常委会第十二次会议', origin: 'AUTO', status: 'VERIFIED' }]);
    expect(await archive('hy.qian')).toEqual([]);

    const after = await figures();
    const d = (k: string) => (after as any)[k] - ((before as any)[k] ?? 0);
    expect({ held: d('meeting.held'), invited: d('meeting.invited'), attended: d('meeting.attended'), leave: d('meeting.leave') }).toEqual({ held: 1, invited: economic + 1, attended: 3, leave: 1 });
    expect(after.rate.value).toBeCloseTo(after.rate.numerator / after.rate.denominator);

    // The rebuild counts the same figures from the records as the workflow did.
    const readAll = async () => JSON.stringify((await staff(`{ rollup(period: "2026") { own { metrics { metric value } } } }`)).body.data);
    const counted = await readAll();
    await recountFigures(app);
    expect(await readAll()).toEqual(counted);
  });

  it('refuses bad schedules, other roles and foreign seats', async () => {
    app.clock.set(at('2026-04-01T02:00:00Z'));
    const i = { kind: 'SECTOR_ACTIVITY', title: '经济界界别活动', location: '五华区委员之家', startsAt: '2026-04-20T01:00:00Z', endsAt: '2026-04-20T03:00:00Z' };
    expect(codeOf(await app.as('wh.member')(Q.schedule, { i }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('wh.leader')(Q.schedule, { i }))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('wh.dept')(Q.list))).toBe('FORBIDDEN');
    expect(codeOf(await app.as('wh.staff')(Q.schedule, { i: { ...i, endsAt: i.startsAt } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.staff')(Q.schedule, { i: { ...i, startsAt: '2026-03-01T00:00:00Z' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.staff')(Q.schedule, { i: { ...i, participantCodes: ['530103'] } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.staff')(Q.schedule, { i: { ...i, remote: true } }))).toBe('BAD_USER_INPUT');
    const rows = await app.db.query('select count(*)::int n from meeting');
    const m = ok<any>(await app.as('wh.staff')(Q.schedule, { i }), 'scheduleMeeting');
    expect(codeOf(await app.as('wh.staff')(Q.invite, { i: { venue: m.venues[0].id, seats: [await seatOf(app, 'pl.member', '530103')] } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('wh.staff')(Q.invite, { i: { venue: m.venues[0].id } }))).toBe('BAD_USER_INPUT');
    expect((await app.db.query('select count(*)::int n from meeting')).rows[0].n).toBe(rows.rows[0].n + 1);
    expect((await app.db.query('select count(*)::int n from meeting_attendance where venue_id = $1', [app.uuid(m.venues[0].id)])).rows[0].n).toBe(0);
  });
});

describe('a remote joint consultation (远程协商) hosted by 昆明 with venues at 五华 and 盘龙', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await app.createUser('yc.wh1', '530102', 'MEMBER');
    await app.createUser('yc.pl1', '530103', 'MEMBER');
    await app.createUser('yc.km1', '530100', 'MEMBER');
  });
  afterAll(() => app.stop());

  it('each committee runs its own venue; the host reads figures only; others see nothing', async () => {
    app.clock.set(at('2026-05-06T02:00:00Z'));
    const i = {
      kind: 'THEMATIC_CONSULTATION',
      title: '“推进滇池流域生态保护”远程协商会',
      location: '昆明市政协主会场',
      startsAt: '2026-05-12T06:30:00Z',
      endsAt: '2026-05-12T09:00:00Z',
      remote: true,
      participantCodes: ['530102', '530103'],
    };
    expect(codeOf(await app.as('km.staff')(Q.schedule, { i: { ...i, participantCodes: ['530102', '130821'] } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('km.staff')(Q.schedule, { i: { ...i, participantCodes: ['530100'] } }))).toBe('BAD_USER_INPUT');
    const m = ok<any>(await app.as('km.staff')(Q.schedule, { i }), 'scheduleMeeting');
    const venueAt = (code: string) => m.venues.find((v: any) => v.tenant.code === code).id;
    expect(m.venues.map((v: any) => [v.tenant.code, v.location])).toEqual([['530100', '昆明市政协主会场'], ['530102', '五华区分会场'], ['530103', '盘龙区分会场']]);

    // Each committee invites its own members to its own venue, and nobody else's.
    expect(codeOf(await app.as('km.staff')(Q.invite, { i: { venue: venueAt('530102'), seats: [await seatOf(app, 'yc.wh1', '530102')] } }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('pl.staff')(Q.invite, { i: { venue: venueAt('530102'), seats: [await seatOf(app, 'yc.wh1', '530102')] } }))).toBe('NOT_FOUND');
    ok(await app.as('wh.staff')(Q.invite, { i: { venue: venueAt('530102'), seats: [await seatOf(app, 'yc.wh1', '530102'), await seatOf(app, 'wh.member', '530102')] } }), 'inviteToMeeting');
    ok(await app.as('pl.staff')(Q.invite, { i: { venue: venueAt('530103'), seats: [await seatOf(app, 'yc.pl1', '530103')] } }), 'inviteToMeeting');
    ok(await app.as('km.staff')(Q.invite, { i: { venue: venueAt('530100'), seats: [await seatOf(app, 'yc.km1', '530100')] } }), 'inviteToMeeting');

    app.clock.set(at('2026-05-12T06:20:00Z'));
    const whCode = ok<any>(await app.as('wh.staff')(Q.code, { v: venueAt('530102') }), 'issueMeetingCheckInCode').code;
    const plCode = ok<any>(await app.as('pl.staff')(Q.code, { v: venueAt('530103') }), 'issueMeetingCheckInCode').code;
    expect(codeOf(await app.as('km.staff')(Q.code, { v: venueAt('530102') }))).toBe('NOT_FOUND');
    // A 五华 member with 盘龙's screen code: not a code of their committee's venue.
    expect(codeOf(await app.as('yc.wh1')(Q.checkIn, { c: plCode }))).toBe('BAD_USER_INPUT');
    expect(ok<any>(await app.as('yc.wh1')(Q.checkIn, { c: whCode }), 'checkInToMeeting').status).toBe('CHECKED_IN');
    expect(ok<any>(await app.as('yc.pl1')(Q.checkIn, { c: plCode }), 'checkInToMeeting').status).toBe('CHECKED_IN');

    const host = (await app.as('km.staff')(Q.meeting, { id: m.id })).body.data.node;
    expect(host.venues).toEqual([
      { tenant: { code: '530100' }, invited: 1, present: 0, attendances: [{ status: 'INVITED' }] },
      { tenant: { code: '530102' }, invited: 2, present: 1, attendances: null },
      { tenant: { code: '530103' }, invited: 1, present: 1, attendances: null },
    ]);
    const own = (await app.as('wh.staff')(Q.meeting, { id: m.id })).body.data.node.venues;
    own[0].attendances.sort((a: any, b: any) => a.status.localeCompare(b.status));
    expect(own).toEqual([{ tenant: { code: '530102' }, invited: 2, present: 1, attendances: [{ status: 'CHECKED_IN' }, { status: 'INVITED' }] }]);
    expect((await app.as('pl.staff')(Q.meeting, { id: m.id })).body.data.node.venues).toEqual([{ tenant: { code: '530103' }, invited: 1, present: 1, attendances: [{ status: 'CHECKED_IN' }] }]);
    // Credit stays with the member's own committee: 五华's roll-up counts 五华's venue.
    const wh = (await app.as('wh.staff')(`{ rollup(period: "2026-05") { own { metrics { metric value } } } }`)).body.data.rollup.own.metrics;
    expect(wh.filter((x: any) => ['meeting.invited', 'meeting.attended', 'meeting.held'].includes(x.metric))).toEqual([
      { metric: 'meeting.held', value: 0 },
      { metric: 'meeting.invited', value: 2 },
      { metric: 'meeting.attended', value: 1 },
    ]);
    const km = (await app.as('km.staff')(`{ rollup(period: "2026-05") { own { metrics { metric value } } subtree { metrics { metric value } } } }`)).body.data.rollup;
    const pick = (f: any, k: string) => f.metrics.find((x: any) => x.metric === k).value;
    expect({ ownHeld: pick(km.own, 'meeting.held'), ownInvited: pick(km.own, 'meeting.invited'), subtreeInvited: pick(km.subtree, 'meeting.invited'), subtreeAttended: pick(km.subtree, 'meeting.attended') }).toEqual({
      ownHeld: 1,
      ownInvited: 1,
      subtreeInvited: 4,
      subtreeAttended: 2,
    });

    // Not taking part: a sibling city, the province above, another province.
    for (const login of ['qj.staff', 'yn.staff', 'hb.staff']) {
      const exists = (await app.db.query('select 1 from app_user where login = $1', [login])).rowCount;
      if (!exists) continue;
      expect({ login, node: (await app.as(login)(Q.meeting, { id: m.id })).body.data.node }).toEqual({ login, node: null });
      expect({ login, venue: (await app.as(login)(Q.venue, { id: venueAt('530102') })).body.data.node }).toEqual({ login, venue: null });
      const titles = ok<any>(await app.as(login)(Q.list), 'meetings').edges.map((e: any) => e.node.title);
      expect({ login, sees: titles.includes(i.title) }).toEqual({ login, sees: false });
    }
    // A participant does not see another participant's venue.
    expect((await app.as('wh.staff')(Q.venue, { id: venueAt('530103') })).body.data.node).toBeNull();
  });
});

for (const ormTenantFilter of [true, false]) {
  describe(`meeting isolation between siblings 五华 and 盘龙 (ORM filter ${ormTenantFilter ? 'on' : 'off: RLS alone'})`, () => {
    let app: TestApp;
    let ids: { meeting: string; venue: string; attendance: string; notice: string };
    beforeAll(async () => {
      app = await startTestApp({ ormTenantFilter });
      app.clock.set(at('2026-06-01T02:00:00Z'));
      const m = ok<any>(
        await app.as('wh.staff')(Q.schedule, { i: { kind: 'MEMBERS_HOME', title: '委员之家“委员接待日”活动', location: '华山街道委员之家', startsAt: '2026-06-05T01:00:00Z', endsAt: '2026-06-05T03:00:00Z' } }),
        'scheduleMeeting',
      );
      ok(await app.as('wh.staff')(Q.invite, { i: { venue: m.venues[0].id, seats: [await seatOf(app, 'wh.member', '530102')] } }), 'inviteToMeeting');
      ok(await app.as('wh.staff')(Q.notice, { v: m.venues[0].id }), 'sendMeetingNotice');
      const attendance = (await attendanceOf(app, 'wh.member', '530102'))[0]!.id;
      const notice = ok<any>(await app.as('wh.member')(Q.notices, {}), 'myMeetingNotices').edges[0].node.id;
      ids = { meeting: m.id, venue: m.venues[0].id, attendance, notice };
    });
    afterAll(() => app.stop());

    it('runs with the ORM filter as configured', () => {
      expect(app.running.orm.config.get('filters').tenant!.default).toBe(ormTenantFilter);
    });

    it('盘龙 (sibling) and 昆明 (parent) read none of it, by list, by id or nested', async () => {
      for (const login of ['pl.staff', 'pl.member', 'km.staff', 'yn.staff']) {
        for (const [type, id] of Object.entries(ids)) {
          const r = await app.as(login)(`query($id: ID!) { node(id: $id) { id } }`, { id });
          expect({ login, type, node: r.body.data.node }).toEqual({ login, type, node: null });
        }
        if (login.endsWith('.member')) continue;
        const titles = ok<any>(await app.as(login)(Q.list), 'meetings').edges.map((e: any) => e.node.title);
        expect({ login, sees: titles.includes('委员之家“委员接待日”活动') }).toEqual({ login, sees: false });
      }
      expect(ok<any>(await app.as('pl.member')(Q.mine), 'myMeetingAttendances').edges).toEqual([]);
    });

    it('writes aimed at 五华’s ids from 盘龙 answer NOT_FOUND exactly like missing ids, and change nothing', async () => {
      const missing = { venue: toGlobalId('MeetingVenue', '00000000-0000-7000-8000-000000000000'), attendance: toGlobalId('MeetingAttendance', '00000000-0000-7000-8000-000000000000') };
      const snapshot = async () => (await app.db.query(`select status, checked_in_at, leave_reason from meeting_attendance order by id`)).rows;
      const before = await snapshot();
      const pairs: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
        ['pl.staff', Q.invite, { i: { venue: ids.venue, seats: [await seatOf(app, 'pl.member', '530103')] } }, { i: { venue: missing.venue, seats: [await seatOf(app, 'pl.member', '530103')] } }],
        ['pl.staff', Q.notice, { v: ids.venue }, { v: missing.venue }],
        ['pl.staff', Q.code, { v: ids.venue }, { v: missing.venue }],
        ['pl.staff', Q.staffCheckIn, { id: ids.attendance }, { id: missing.attendance }],
        ['pl.staff', Q.decide, { id: ids.attendance, a: true }, { id: missing.attendance, a: true }],
        ['pl.member', Q.confirm, { id: ids.attendance }, { id: missing.attendance }],
        ['km.staff', Q.staffCheckIn, { id: ids.attendance }, { id: missing.attendance }],
      ];
      for (const [login, q, foreign, absent] of pairs) {
        const a = await app.as(login)(q, foreign);
        const b = await app.as(login)(q, absent);
        expect({ login, q: q.slice(0, 40), code: codeOf(a), same: JSON.stringify(a.body.errors) === JSON.stringify(b.body.errors) }).toEqual({ login, q: q.slice(0, 40), code: 'NOT_FOUND', same: true });
      }
      expect(await snapshot()).toEqual(before);
    });
  });
}
