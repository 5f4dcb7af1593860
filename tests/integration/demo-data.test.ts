import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import pino from 'pino';
import { seedDeliberation } from '../../seeds/deliberation.js';
import { seedRecords } from '../../seeds/records.js';
import { seedJointWork } from '../../seeds/joint-work.js';
import { seedMeetingsAndSupervision } from '../../seeds/meetings-supervision.js';
import { METRICS } from '../../src/modules/statistics/metrics.js';
import { application } from '../../src/app/boot.js';
import { loadConfig } from '../../src/core/config.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';

/**
 * The demo data (seeds/) written against a clock that is not the machine's: everything it says happened
 * happened by that clock's now, the figures of the months after it are empty, and its rows carry UUIDv7 ids in
 * creation order. Read through the API as each demo committee's office.
 */
const NOW = new Date('2026-08-20T03:00:00Z');
const OFFICES = { '530000': 'yn.staff', '530100': 'km.staff', '530102': 'wh.staff', '530103': 'pl.staff' } as const;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  app.clock.set(NOW);
  // The template was seeded on the machine's clock: start again from the demo accounts, on this one.
  await app.db.query(`truncate proposal, opinion, opinion_route, duty_record, duty_archive, stat_counter, stat_deadline, stat_once, stat_item, stat_item_member,
    research_project, research_team_member, research_contribution, research_outcome, research_review, joint_participant, joint_membership,
    consultation_plan, consultation_topic, consultation_suggestion, topic_recommendation, state_change,
    meeting, meeting_venue, meeting_attendance, meeting_notice, supervision_task, supervision_progress cascade`);
  await app.db.query('delete from deliberation_event; delete from deliberation_presence; delete from deliberation_session');
  // In the order start-up runs them (boot.ts).
  await seedDeliberation(app.dbUrl, NOW);
  await seedRecords(app.dbUrl, NOW);
  const { kernel } = application();
  const config = loadConfig({}, { jwtSecret: TEST_JWT_SECRET });
  expect(await seedJointWork({ now: NOW, orm: app.running.orm, kernel, ownerUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, config, log: pino({ level: 'silent' }) })).toBe(true);
  const seedDeps = { now: NOW, orm: app.running.orm, kernel, ownerUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, config, log: pino({ level: 'silent' }) };
  expect(await seedMeetingsAndSupervision(seedDeps)).toBe(true);
  // Told once: a second start finds it there.
  expect(await seedMeetingsAndSupervision(seedDeps)).toBe(false);
});
afterAll(() => app.stop());

const PROPOSALS = `{ proposals(first: 100) { totalCount edges { node { id status submittedAt reviewedAt assignedAt repliedAt ratedAt supervisedAt } } } }`;
const OPINIONS = `{ opinions(first: 100) { totalCount edges { node { id submittedAt levels { tenant { code } receivedAt forwardedAt adoptedAt instructedAt } } } } }`;
const after = (iso: string | null) => iso !== null && Date.parse(iso) > NOW.getTime();
const uuidOf = (gid: string) => Buffer.from(gid, 'base64url').toString().split(':')[1]!;
/** The millisecond time in a UUIDv7, and whether the id is one. */
const v7 = (gid: string) => {
  const hex = uuidOf(gid).replace(/-/g, '');
  return { version: hex[12], ms: parseInt(hex.slice(0, 12), 16) };
};

async function all(query: string, field: string) {
  const out: Record<string, any[]> = {};
  for (const [code, login] of Object.entries(OFFICES)) {
    const body = (await app.as(login)(query)).body;
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    const r = body.data[field];
    expect(r.totalCount).toBeLessThanOrEqual(100);
    out[code] = r.edges.map((e: any) => e.node);
  }
  return out;
}

describe('demo data is dated from the clock (演示数据)', () => {
  it('nothing it records lies after now: proposals, reports and their levels, archive records, the ended session', async () => {
    const proposals = Object.values(await all(PROPOSALS, 'proposals')).flat();
    const opinions = Object.values(await all(OPINIONS, 'opinions')).flat();
    expect(proposals.length).toBeGreaterThan(40);
    expect(opinions.length).toBeGreaterThan(40);
    const stamps = ['submittedAt', 'reviewedAt', 'assignedAt', 'repliedAt', 'ratedAt', 'supervisedAt'];
    expect(proposals.filter((p) => stamps.some((k) => after(p[k])))).toEqual([]);
    // Each status has the steps it implies, and only those.
    const steps: Record<string, string[]> = {
      SUBMITTED: [], NOT_FILED: ['reviewedAt'], CONVERTED: ['reviewedAt'], FILED: ['reviewedAt'],
      ASSIGNED: ['reviewedAt', 'assignedAt'], OVERDUE: ['reviewedAt', 'assignedAt'], REPLIED: ['reviewedAt', 'assignedAt', 'repliedAt'], RATED: ['reviewedAt', 'assignedAt', 'repliedAt', 'ratedAt'],
    };
    const shape = (p: any) => ['reviewedAt', 'assignedAt', 'repliedAt', 'ratedAt'].filter((k) => p[k] !== null);
    expect(proposals.filter((p) => shape(p).join() !== steps[p.status]!.join())).toEqual([]);
    expect(new Set(proposals.map((p) => p.status)).size).toBeGreaterThan(4);
    const levels = opinions.flatMap((o) => o.levels);
    expect(levels.filter((l) => ['receivedAt', 'forwardedAt', 'adoptedAt', 'instructedAt'].some((k) => after(l[k])))).toEqual([]);
    expect(opinions.filter((o) => after(o.submittedAt))).toEqual([]);

    const ranking = (await app.as('wh.staff')(`{ dutyRanking(year: 2026, first: 20) { archive { records { occurredAt } } } }`)).body.data.dutyRanking;
    const records = ranking.flatMap((r: any) => r.archive.records);
    expect(records.length).toBeGreaterThan(10);
    expect(records.filter((r: any) => after(r.occurredAt))).toEqual([]);

    // The joint work: the research project's and the topic's history, the suggestions' answers.
    const joint = (await app.as('km.staff')(`{ researchProjects(first: 10) { edges { node { history { at } participants { respondedAt } } } }
      consultationTopics(first: 20, filter: { year: 2026 }) { edges { node { history { at } suggestions { assignedAt feedbackAt history { at } } } } } }`)).body.data;
    const jointStamps = [
      ...joint.researchProjects.edges.flatMap((e: any) => [...e.node.history.map((h: any) => h.at), ...e.node.participants.map((p: any) => p.respondedAt)]),
      ...joint.consultationTopics.edges.flatMap((e: any) => [...e.node.history.map((h: any) => h.at), ...e.node.suggestions.flatMap((x: any) => [x.assignedAt, x.feedbackAt, ...x.history.map((h: any) => h.at)])]),
    ];
    expect(jointStamps.filter((x: string | null) => x !== null).length).toBeGreaterThan(20);
    expect(jointStamps.filter(after)).toEqual([]);

    const sessions = (await app.as('wh.member')(`{ deliberationSessions(first: 50) { edges { node { title status startsAt endsAt } } } }`)).body.data.deliberationSessions.edges.map((e: any) => e.node);
    const ended = sessions.find((s: any) => s.title === '“书香昆明”网络议政会');
    const scheduled = sessions.find((s: any) => s.title === '五华区“协商在基层”网络议政会');
    expect({ ended: [ended.status, after(ended.startsAt), after(ended.endsAt)], scheduled: [scheduled.status, after(scheduled.startsAt)] }).toEqual({
      ended: ['ENDED', false, false],
      scheduled: ['SCHEDULED', true],
    });
  });

  it('the transcript of the ended session happened during it, before now', async () => {
    const list = (await app.as('wh.member')(`{ deliberationSessions(first: 50, filter: { status: ENDED }) { edges { node { id title startsAt endsAt } } } }`)).body.data.deliberationSessions.edges;
    const s = list.map((e: any) => e.node).find((n: any) => n.title === '“书香昆明”网络议政会');
    const client = app.ws(await app.token('wh.member'));
    const events: any[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe({ query: `subscription($id: ID!) { deliberationEvents(sessionId: $id) { seq kind at } }`, variables: { id: s.id } }, {
        next: (r) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : events.push(r.data!.deliberationEvents)),
        error: reject,
        complete: resolve,
      });
    });
    expect(events.length).toBe(17);
    expect(events.filter((e) => Date.parse(e.at) < Date.parse(s.startsAt) || Date.parse(e.at) > Date.parse(s.endsAt) || after(e.at))).toEqual([]);
  });

  it('the months after now are empty in the roll-up, and the current month counts only what happened by now', async () => {
    const r = (await app.as('yn.staff')(`{ later: rollup(period: "2026-09..2026-12") { subtree { metrics { metric value } } } now: rollup(period: "2026-08") { subtree { metrics { metric value } } } }`)).body.data;
    const monthly = new Set(METRICS.filter((m) => m.grain === 'month').map((m) => m.key as string));
    expect(r.later.subtree.metrics.filter((m: any) => monthly.has(m.metric) && m.value !== 0)).toEqual([]);
    // August: the steps the API lists for August, by now, are exactly what the roll-up counts.
    const proposals = Object.values(await all(PROPOSALS, 'proposals')).flat();
    const august = (iso: string | null) => iso !== null && iso >= '2026-07-31T16:00:00.000Z' && Date.parse(iso) <= NOW.getTime();
    const figure = (key: string) => r.now.subtree.metrics.find((m: any) => m.metric === key).value;
    expect({
      submitted: figure('proposal.submitted'),
      replied: figure('proposal.replied'),
      rated: figure('proposal.rated'),
    }).toEqual({
      submitted: proposals.filter((p) => august(p.submittedAt)).length,
      replied: proposals.filter((p) => august(p.repliedAt)).length,
      rated: proposals.filter((p) => august(p.ratedAt)).length,
    });
  });
});

describe('seeded rows have time-ordered ids (UUIDv7)', () => {
  it('proposals and reports of every committee carry UUIDv7 ids, and their lists are in creation order', async () => {
    for (const [query, field] of [[PROPOSALS, 'proposals'], [OPINIONS, 'opinions']] as const) {
      for (const [code, nodes] of Object.entries(await all(query, field))) {
        expect({ code, field, versions: [...new Set(nodes.map((n) => v7(n.id).version))] }).toEqual({ code, field, versions: ['7'] });
        // Listed by id: in the order they were submitted, an id's time being its record's moment.
        const submitted = nodes.map((n) => Date.parse(n.submittedAt));
        expect({ code, field, inOrder: submitted.every((t, i) => i === 0 || submitted[i - 1]! <= t) }).toEqual({ code, field, inOrder: true });
        expect({ code, field, idTimes: nodes.filter((n) => v7(n.id).ms !== Math.floor(Date.parse(n.submittedAt))).length }).toEqual({ code, field, idTimes: 0 });
      }
    }
  });

  it('archives, records and the roster too', async () => {
    const ranking = (await app.as('wh.staff')(`{ dutyRanking(year: 2026, first: 20) { archive { id records { id } } } }`)).body.data.dutyRanking;
    const ids = ranking.flatMap((r: any) => [r.archive.id, ...r.archive.records.map((x: any) => x.id)]);
    const roster = (await app.as('wh.staff')(`{ members(first: 50) { edges { node { id } } } }`)).body.data.members.edges.map((e: any) => e.node.id);
    expect(ids.length).toBeGreaterThan(10);
    expect([...new Set([...ids, ...roster].map((id) => v7(id).version))]).toEqual(['7']);
  });
});

describe('demo meetings and supervision tasks (会议活动、督查督办)', () => {
  const MEETINGS = `{ meetings(first: 20) { edges { node { id kind title status startsAt endsAt previousStartsAt rescheduledAt host { code }
    venues { tenant { code } location invited confirmed leaveRequested onLeave present } } } } }`;
  /** One meeting with the people at the venues the viewer may see them at. */
  const PEOPLE = `query($id: ID!) { node(id: $id) { ... on Meeting { venues { tenant { code } attendances { status checkedInAt member { login } } } } } }`;
  const LEDGER = `{ supervisionLedger(first: 50) { edges { node { id title source status issuedAt deadline closedAt overdue closedOnTime ownerUnit
    sourceRecord { __typename } progress { body reportedAt } } } } }`;
  const list = async (login: string, query: string, field: string) => {
    const body = (await app.as(login)(query)).body;
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data[field].edges.map((e: any) => e.node);
  };
  /** The meeting of that title, with `attendances` on each venue as the viewer may see them. */
  const withPeople = async (login: string, m: any) => {
    const people = (await app.as(login)(PEOPLE, { id: m.id })).body.data.node.venues;
    return { ...m, venues: m.venues.map((v: any, i: number) => ({ ...v, attendances: people[i].attendances })) };
  };
  const byTitle = (rows: any[], title: string) => rows.find((r) => r.title === title);

  it('held meetings in 云南 and 河北 have their confirmations, leave and check-ins, all before now', async () => {
    const yn = await withPeople('yn.staff', byTitle(await list('yn.staff', MEETINGS, 'meetings'), '政协云南省第十三届委员会第四次会议'));
    expect(yn).toMatchObject({ kind: 'PLENARY', status: 'SCHEDULED', host: { code: '530000' } });
    expect(yn.venues.map((v: any) => [v.invited, v.present])).toEqual([[1, 1]]);

    const km = await withPeople('km.staff', byTitle(await list('km.staff', MEETINGS, 'meetings'), '政协昆明市第十四届委员会常务委员会第十次会议'));
    expect(km.kind).toBe('STANDING_COMMITTEE');
    expect(km.venues[0].attendances.map((a: any) => [a.member.login, a.status]).sort()).toEqual([['km.member', 'CHECKED_IN'], ['wh.member', 'ON_LEAVE']]);

    const wh = await list('wh.staff', MEETINGS, 'meetings');
    const home = await withPeople('wh.staff', byTitle(wh, '“委员之家”协商议事活动：老旧小区加装电梯'));
    expect(home).toMatchObject({ kind: 'MEMBERS_HOME', status: 'SCHEDULED' });
    expect({ ...home.venues[0], attendances: undefined }).toEqual({ tenant: { code: '530102' }, location: '华山街道政协委员之家', invited: 4, confirmed: 0, leaveRequested: 0, onLeave: 1, present: 3, attendances: undefined });
    expect(home.venues[0].attendances.map((a: any) => [a.member.login, a.status]).sort()).toEqual([
      ['m530102.001', 'CHECKED_IN'], ['m530102.002', 'ON_LEAVE'], ['m530102.003', 'CHECKED_IN'], ['wh.member', 'CHECKED_IN'],
    ]);

    const cdx = await withPeople('cdx.staff', byTitle(await list('cdx.staff', MEETINGS, 'meetings'), '承德县政协委员之家“协商在基层”议事活动'));
    expect(cdx.venues[0]).toMatchObject({ tenant: { code: '130821' }, invited: 1, present: 1 });
    // Held ones lie before now, with every check-in inside them.
    const held = [yn, km, home, cdx];
    expect(held.filter((m) => after(m.endsAt))).toEqual([]);
    const checkIns = held.flatMap((m) => m.venues.flatMap((v: any) => v.attendances.filter((a: any) => a.checkedInAt).map((a: any) => ({ a: a.checkedInAt, m }))));
    expect(checkIns.length).toBe(6);
    expect(checkIns.filter(({ a, m }) => after(a) || Date.parse(a) < Date.parse(m.startsAt) - 2 * 3600_000 || Date.parse(a) > Date.parse(m.endsAt))).toEqual([]);
    // Attendance is in the members' archives, 五华 and 河北 alike.
    const archive = async (login: string) => (await app.as(login)(`{ dutyArchive(year: 2026) { records { category title occurredAt } } }`)).body.data.dutyArchive.records.filter((r: any) => r.category === 'MEETING');
    expect((await archive('wh.member')).map((r: any) => r.title)).toContain('出席委员之家活动：“委员之家”协商议事活动：老旧小区加装电梯');
    expect((await archive('cdx.member')).map((r: any) => r.title)).toEqual(['出席委员之家活动：承德县政协委员之家“协商在基层”议事活动']);
  });

  it('the meetings ahead: a remote consultation with a venue per committee, and a moved standing committee', async () => {
    const remote = await withPeople('km.staff', byTitle(await list('km.staff', MEETINGS, 'meetings'), '“推进城市更新和老旧小区改造”远程专题协商会'));
    expect(after(remote.startsAt)).toBe(true);
    // The host sees every venue's figures, and its own people only.
    expect(remote.venues.map((v: any) => [v.tenant.code, v.invited, v.confirmed, v.leaveRequested, v.attendances === null])).toEqual([
      ['530100', 1, 1, 0, false], ['530102', 2, 1, 0, true], ['530103', 2, 0, 1, true],
    ]);
    const pl = await withPeople('pl.staff', byTitle(await list('pl.staff', MEETINGS, 'meetings'), '“推进城市更新和老旧小区改造”远程专题协商会'));
    expect(pl.venues.map((v: any) => [v.tenant.code, v.location, v.attendances.map((a: any) => a.status).sort()])).toEqual([['530103', '盘龙区分会场', ['INVITED', 'LEAVE_REQUESTED']]]);

    const moved = byTitle(await list('wh.staff', MEETINGS, 'meetings'), '政协五华区第十届委员会常务委员会第十五次会议');
    expect(moved).toMatchObject({ status: 'SCHEDULED' });
    expect([after(moved.startsAt), after(moved.previousStartsAt), after(moved.rescheduledAt)]).toEqual([true, true, false]);
    expect(Date.parse(moved.startsAt) - Date.parse(moved.previousStartsAt)).toBe(3 * 86_400_000);
    expect(moved.venues[0].location).toBe('五华区政协一楼报告厅');
    // 周明远's confirmation stood through the move; the member sees their own line only.
    const mine = (await app.as('wh.member')(`{ myMeetingAttendances(first: 50) { edges { node { status meeting { title } } } } }`)).body.data.myMeetingAttendances.edges.map((e: any) => [e.node.meeting.title, e.node.status]);
    expect(mine).toContainEqual(['政协五华区第十届委员会常务委员会第十五次会议', 'CONFIRMED']);
    expect(mine).toContainEqual(['“推进城市更新和老旧小区改造”远程专题协商会', 'CONFIRMED']);

    // Not taking part: 河北 sees nothing of 云南's meetings, and 云南 nothing of 河北's.
    expect((await list('cdx.staff', MEETINGS, 'meetings')).map((m: any) => m.host.code)).toEqual(['130821']);
    expect((await list('wh.staff', MEETINGS, 'meetings')).filter((m: any) => m.host.code === '130821')).toEqual([]);
    expect((await list('pl.staff', MEETINGS, 'meetings')).map((m: any) => m.title)).toEqual(['“推进城市更新和老旧小区改造”远程专题协商会']);
  });

  it('the ledgers: a 批示 closed on time (销号), a consultation outcome overdue, two running; each office sees its own', async () => {
    const wh = await list('wh.staff', LEDGER, 'supervisionLedger');
    expect(wh).toHaveLength(1);
    expect(wh[0]).toMatchObject({ source: 'INSTRUCTION', status: 'CLOSED', closedOnTime: true, overdue: false, ownerUnit: '五华区教育体育局', sourceRecord: { __typename: 'Opinion' } });
    expect(wh[0].title).toMatch(/^落实区委主要领导对《.+》的批示$/);
    expect(wh[0].progress).toHaveLength(2);
    // The unit responsible reads its task.
    expect((await list('wh.dept', LEDGER, 'supervisionLedger')).map((t: any) => t.id)).toEqual([wh[0].id]);

    const km = await list('km.staff', LEDGER, 'supervisionLedger');
    expect(km.map((t: any) => [t.title, t.source, t.status, t.overdue, t.sourceRecord?.__typename])).toEqual([['落实“推进城市更新和老旧小区改造”专题协商成果', 'CONSULTATION_OUTCOME', 'OPEN', true, 'ConsultationTopic']]);
    const yn = await list('yn.staff', LEDGER, 'supervisionLedger');
    expect(yn.map((t: any) => [t.source, t.status, t.overdue, t.ownerUnit, t.sourceRecord?.__typename, t.progress.length])).toEqual([['INSTRUCTION', 'OPEN', false, '云南省发展和改革委员会', 'ResearchProject', 1]]);
    const cdx = await list('cdx.staff', LEDGER, 'supervisionLedger');
    expect(cdx.map((t: any) => [t.title, t.status, t.overdue, t.ownerUnit, t.progress.length])).toEqual([['落实“发展县域特色产业、促进群众增收”协商成果', 'OPEN', false, '承德县农业农村局', 1]]);
    expect(await list('pl.staff', LEDGER, 'supervisionLedger')).toEqual([]);

    const all = [...wh, ...km, ...yn, ...cdx];
    expect(all.filter((t) => after(t.issuedAt) || after(t.closedAt) || t.progress.some((p: any) => after(p.reportedAt)))).toEqual([]);
    // The roll-up counts them: four tasks issued across the demo committees of 云南 (three) and 河北 (one).
    const figure = async (login: string) => (await app.as(login)(`{ rollup(period: "2026") { subtree { metrics { metric value } } } }`)).body.data.rollup.subtree.metrics.find((m: any) => m.metric === 'supervision.tasks').value;
    expect(await figure('yn.staff')).toBe(3);
    expect(await figure('cdx.staff')).toBe(1);
  });
});
