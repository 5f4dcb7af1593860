import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import pino from 'pino';
import { seedDeliberation } from '../../seeds/deliberation.js';
import { seedRecords } from '../../seeds/records.js';
import { seedJointWork } from '../../seeds/joint-work.js';
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
    consultation_plan, consultation_topic, consultation_suggestion, topic_recommendation, state_change cascade`);
  await app.db.query('delete from deliberation_event; delete from deliberation_presence; delete from deliberation_session');
  // In the order start-up runs them (boot.ts).
  await seedDeliberation(app.dbUrl, NOW);
  await seedRecords(app.dbUrl, NOW);
  const { kernel } = application();
  const config = loadConfig({}, { jwtSecret: TEST_JWT_SECRET });
  expect(await seedJointWork({ now: NOW, orm: app.running.orm, kernel, ownerUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, config, log: pino({ level: 'silent' }) })).toBe(true);
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
