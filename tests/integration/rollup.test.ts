import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { METRICS, RATES } from '../../src/modules/statistics/metrics.js';
import { rulesFrom, score, checklist, type DutyCategory } from '../../src/modules/performance/scoring.js';
import { COHORT_BACKFILL } from '../../src/migrations/0010-figures-and-records.js';

/** Small seeded PRNG (mulberry32), so a failing run can be replayed with ROLLUP_SEED. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // The template carries a year of demo activity; these tests count from a clean slate.
  await app.db.query('truncate proposal, opinion, opinion_route, duty_record, duty_archive, consultation_suggestion, stat_counter, stat_deadline, stat_item, stat_item_member, stat_once, meeting, meeting_venue, meeting_attendance, meeting_notice, supervision_task, supervision_progress, micro_suggestion');
});
afterAll(() => app.stop());

const COMMITTEES = ['530000', '530100', '530102', '530103'] as const;
const STAFF: Record<string, string> = { '530000': 'yn.staff', '530100': 'km.staff', '530102': 'wh.staff', '530103': 'pl.staff' };
const DEPT: Record<string, string> = { '530000': 'yn.dept', '530100': 'km.dept', '530102': 'wh.dept', '530103': 'pl.dept' };
const MEMBERS: Record<string, string[]> = {
  '530000': ['yn.member'],
  '530100': ['km.member'],
  '530102': ['wh.member', 'm530102.001', 'm530102.002', 'm530102.003'],
  '530103': ['pl.member', 'm530103.001', 'm530103.002'],
};
const PARENT: Record<string, string> = { '530100': '530000', '530102': '530100', '530103': '530100' };
const CATEGORIES: DutyCategory[] = ['READING', 'SECTOR_VISIT', 'PUBLIC_WELFARE', 'GRASSROOTS_CONTACT', 'MEETING'] as DutyCategory[];

const PERIODS = [
  ...Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`),
  '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2025', '2025-02..2025-11', '2024-12..2026-01',
];

/** Every month-grain figure as (credited committee, moment) rows, straight from the records. */
const RAW_EVENTS = `
  select 'proposal.submitted' m, tenant_id t, submitted_at at from proposal
  union all select 'proposal.filed', tenant_id, reviewed_at from proposal where status in ('FILED','ASSIGNED','REPLIED','RATED')
  union all select 'proposal.replied', tenant_id, replied_at from proposal where replied_at is not null
  union all select 'proposal.replied_on_time', tenant_id, replied_at from proposal where replied_at <= reply_deadline
  union all select 'proposal.rated', tenant_id, rated_at from proposal where rated_at is not null
  union all select 'proposal.satisfied', tenant_id, rated_at from proposal where satisfaction in ('SATISFIED','BASICALLY_SATISFIED')
  union all select 'proposal.supervised', tenant_id, supervised_at from proposal where supervised_at is not null
  union all select 'proposal.overdue', tenant_id, reply_deadline from proposal where reply_deadline <= $1 and (replied_at is null or replied_at > reply_deadline)
  union all select 'opinion.submitted', tenant_id, submitted_at from opinion
  union all select 'opinion.forwarded', from_tenant_id, received_at from opinion_route where from_tenant_id is not null
  union all select 'opinion.adopted', origin_tenant_id, adopted_at from opinion_route where adopted_at is not null
  union all select 'opinion.adopted.' || lower(lt.level), r.origin_tenant_id, r.adopted_at from opinion_route r join tenant lt on lt.id = r.tenant_id where r.adopted_at is not null
  union all select 'opinion.instructed', origin_tenant_id, instructed_at from opinion_route where instructed_at is not null
  -- Shares of items (rates): the items of the denominator's month, each once, however often its fact recurs.
  union all select 'proposal.filed_of_submitted', tenant_id, submitted_at from proposal where reviewed_at is not null and status in ('FILED','ASSIGNED','REPLIED','RATED')
  union all select 'opinion.adopted_of_submitted', o.tenant_id, o.submitted_at from opinion o where exists (select 1 from opinion_route r where r.opinion_id = o.id and r.adopted_at is not null)
  -- Suggestions: proposed when their history begins.
  union all select 'suggestion.total', s.tenant_id, h.at from consultation_suggestion s join state_change h on h.item_id = s.id and h.from_state is null
  union all select 'suggestion.adopted', tenant_id, feedback_at from consultation_suggestion where status in ('ADOPTED','PARTLY_ADOPTED')
  union all select 'suggestion.adopted_of_total', s.tenant_id, h.at from consultation_suggestion s join state_change h on h.item_id = s.id and h.from_state is null where s.status in ('ADOPTED','PARTLY_ADOPTED')
  union all select 'suggestion.overdue', tenant_id, deadline from consultation_suggestion where deadline <= $1 and (feedback_at is null or feedback_at > deadline)
  -- Meetings: everything in the month the meeting starts, credited to the venue's committee.
  union all select 'meeting.held', tenant_id, starts_at from meeting
  union all select 'meeting.invited', a.tenant_id, m.starts_at from meeting_attendance a join meeting m on m.id = a.meeting_id
  union all select 'meeting.attended', a.tenant_id, m.starts_at from meeting_attendance a join meeting m on m.id = a.meeting_id where a.checked_in_at is not null
  union all select 'meeting.leave', a.tenant_id, m.starts_at from meeting_attendance a join meeting m on m.id = a.meeting_id where a.leave_decided_at is not null and a.status = 'ON_LEAVE'
  -- Supervision: issued, closed (on time or not) when it happened; overdue in the month of the deadline.
  union all select 'supervision.tasks', tenant_id, issued_at from supervision_task
  union all select 'supervision.closed', tenant_id, closed_at from supervision_task where closed_at is not null
  union all select 'supervision.closed_on_time', tenant_id, closed_at from supervision_task where closed_at <= deadline
  union all select 'supervision.overdue', tenant_id, deadline from supervision_task where deadline <= $1 and (closed_at is null or closed_at > deadline)
  union all select 'micro.submitted', tenant_id, submitted_at from micro_suggestion
  union all select 'micro.screened', tenant_id, screened_at from micro_suggestion where screened_at is not null
  union all select 'micro.replied', tenant_id, replied_at from micro_suggestion where replied_at is not null`;

async function bruteForce(now: Date, code: string, from: string, to: string, fromYear: number, toYear: number) {
  const own = new Map<string, number>();
  const sub = new Map<string, number>();
  const ev = await app.db.query(
    `with e as (${RAW_EVENTS}), me as (select id, path from tenant where code = $2)
     select e.m, count(*) filter (where e.t = me.id)::int own, count(*)::int sub
       from e join tenant c on c.id = e.t, me
      where (c.path = me.path or c.path like me.path || '.%')
        and (e.at at time zone 'Asia/Shanghai')::date >= $3::date and (e.at at time zone 'Asia/Shanghai')::date < $4::date
      group by e.m`,
    [now, code, from, to],
  );
  for (const r of ev.rows) {
    own.set(r.m, r.own);
    sub.set(r.m, r.sub);
  }
  // Archives: score and checklist recomputed here from the verified records under each committee's rules.
  const recs = await app.db.query(
    `select a.id, a.tenant_id = me.id as mine, c.config, r.category, count(r.id)::int n
       from duty_archive a join tenant c on c.id = a.tenant_id cross join (select id, path from tenant where code = $1) me
       left join duty_record r on r.archive_id = a.id and r.status = 'VERIFIED'
      where (c.path = me.path or c.path like me.path || '.%') and a.year between $2 and $3
      group by a.id, a.tenant_id, me.id, c.config, r.category`,
    [code, fromYear, toYear],
  );
  const archives = new Map<string, { mine: boolean; config: unknown; counts: Partial<Record<DutyCategory, number>> }>();
  for (const r of recs.rows) {
    const a = archives.get(r.id) ?? { mine: r.mine as boolean, config: r.config as unknown, counts: {} as Partial<Record<DutyCategory, number>> };
    if (r.category) a.counts[r.category as DutyCategory] = r.n;
    archives.set(r.id, a);
  }
  for (const a of archives.values()) {
    const rules = rulesFrom(a.config);
    const s = score(rules, a.counts);
    const done = checklist(rules, a.counts).every((i) => i.complete) ? 1 : 0;
    for (const [m, v] of [['perf.archives', 1], ['perf.score_sum', s], ['perf.checklist_done', done]] as const) {
      sub.set(m, (sub.get(m) ?? 0) + v);
      if (a.mine) own.set(m, (own.get(m) ?? 0) + v);
    }
  }
  return { own, sub };
}

const ok = <R extends { body: { errors?: unknown[] } }>(r: R): R => {
  expect(r.body.errors).toBeUndefined();
  return r;
};
/**
 * What each rate is, stated here rather than taken from the code under test: a share counts items of the
 * denominator's population (a report adopted at three levels is one adopted report, in its own month).
 */
const RATE_OF: Record<string, [numerator: string, denominator: string]> = {
  'proposal.filing_rate': ['proposal.filed_of_submitted', 'proposal.submitted'],
  'proposal.on_time_rate': ['proposal.replied_on_time', 'proposal.replied'],
  'proposal.satisfaction_rate': ['proposal.satisfied', 'proposal.rated'],
  'opinion.adoption_rate': ['opinion.adopted_of_submitted', 'opinion.submitted'],
  'suggestion.adoption_rate': ['suggestion.adopted_of_total', 'suggestion.total'],
  'perf.average_score': ['perf.score_sum', 'perf.archives'],
  'perf.checklist_rate': ['perf.checklist_done', 'perf.archives'],
  'meeting.attendance_rate': ['meeting.attended', 'meeting.invited'],
  'supervision.on_time_rate': ['supervision.closed_on_time', 'supervision.closed'],
};
/** Every rate's numerator and denominator from brute-force counts, and its value recomputed from them. */
const rates = (m: Map<string, number>) =>
  RATES.map(({ key }) => {
    const [num, den] = RATE_OF[key]!;
    const [n, d] = [m.get(num) ?? 0, m.get(den) ?? 0];
    return { rate: key, numerator: n, denominator: d, value: d ? n / d : null };
  });
/** Rates that are a share of items (everything but the average score). */
const SHARES = RATES.map((x) => x.key as string).filter((k) => k !== 'perf.average_score');
const asMap = (f: { metrics: { metric: string; value: number }[] }) => Object.fromEntries(f.metrics.map((m) => [m.metric, m.value]));
const expected = (m: Map<string, number>) => Object.fromEntries(METRICS.map((d) => [d.key, m.get(d.key) ?? 0]));

describe('roll-up correctness against a brute-force count (随机活动)', () => {
  it('every figure at every level and period equals the count over raw records', async () => {
    const seed = Number(process.env.ROLLUP_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`rollup correctness seed: ${seed}`);
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const deptGid: Record<string, string> = {};
    for (const c of COMMITTEES) deptGid[c] = toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', [DEPT[c]])).rows[0].unit_id);
    const seatGid: Record<string, string> = {};
    for (const c of COMMITTEES)
      for (const login of MEMBERS[c]!)
        seatGid[`${c}:${login}`] = toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id join tenant t on t.id = s.tenant_id where u.login = $1 and t.code = $2`, [login, c])).rows[0].id);

    // One topic per committee in its ASSIGN stage: suggestions are recorded, assigned and answered there.
    app.clock.set(new Date('2024-12-20T00:00:00Z'));
    const topicOf: Record<string, string> = {};
    for (const c of COMMITTEES) {
      const r = ok(await app.as(STAFF[c]!)(`mutation($i: CreateTopicInput!) { createConsultationTopic(input: $i) { id } }`, { i: { title: `${c}统计议题`, description: '说明', source: 'CPPCC', form: 'THEMATIC', year: 2025 } }));
      topicOf[c] = r.body.data.createConsultationTopic.id;
      for (const to of ['RESEARCH', 'CONSULT', 'ASSIGN']) ok(await app.as(STAFF[c]!)(`mutation($i: MoveTopicInput!) { moveConsultationTopic(input: $i) { stage } }`, { i: { id: topicOf[c], to } }));
    }
    const suggestions: { id: string; c: string; status: string; due?: number }[] = [];
    const proposals: { id: string; c: string; by: string; status: string; supervised: boolean; due?: number }[] = [];
    const opinions: { id: string; holder: string; adopted: Set<string>; instructed: Set<string> }[] = [];
    const meetings: { c: string; startsAt: number; people: { id: string; login: string; status: string }[] }[] = [];
    const tasks: { id: string; c: string; open: boolean }[] = [];
    const micros: { id: string; c: string; status: string }[] = [];
    let t = Date.parse('2024-12-20T00:00:00Z');
    for (let step = 0; step < 300; step++) {
      t += Math.floor(rand() * 1.6 * 86400_000);
      app.clock.set(new Date(t));
      const c = pick(COMMITTEES);
      const action = rand();
      if (action < 0.17) {
        const by = pick(MEMBERS[c]!);
        const r = ok(await app.as(by, c)(`mutation($i: SubmitProposalInput!) { submitProposal(input: $i) { id } }`, { i: { title: `关于第${step}号民生事项的提案`, content: '建议加强统筹协调，推动问题解决。', kind: 'MEMBER' } }));
        proposals.push({ id: r.body.data.submitProposal.id, c, by, status: 'SUBMITTED', supervised: false });
      } else if (action < 0.38 && proposals.length) {
        const p = pick(proposals);
        const staff = app.as(STAFF[p.c]!);
        if (p.status === 'SUBMITTED') {
          const decision = rand() < 0.8 ? 'FILED' : pick(['NOT_FILED', 'CONVERTED']);
          ok(await staff(`mutation($id: ID!, $i: ReviewProposalInput!) { reviewProposal(id: $id, input: $i) { id } }`, { id: p.id, i: { decision, note: '审查意见', ...(decision === 'FILED' ? { term: 13, session: 3 } : {}) } }));
          p.status = decision;
        } else if (p.status === 'FILED') {
          const due = new Date(t + (5 + Math.floor(rand() * 60)) * 86400_000).toISOString();
          ok(await staff(`mutation($id: ID!, $i: AssignProposalInput!) { assignProposal(id: $id, input: $i) { id } }`, { id: p.id, i: { leadUnit: deptGid[p.c], replyDeadline: due } }));
          p.status = 'ASSIGNED';
          p.due = Date.parse(due);
        } else if (p.status === 'ASSIGNED') {
          const move = rand();
          if (move < 0.15 && t < p.due!) {
            // 改办: back to the office, assigned anew later with a new deadline.
            ok(await app.as(DEPT[p.c]!)(`mutation($id: ID!) { returnProposal(id: $id, input: { reason: "非本单位职责" }) { id } }`, { id: p.id }));
            p.status = 'FILED';
          } else if (move < 0.3 && t < p.due!) {
            // 延期: asked and decided; granted, the deadline moves.
            const until = new Date(p.due! + (1 + Math.floor(rand() * 40)) * 86400_000).toISOString();
            ok(await app.as(DEPT[p.c]!)(`mutation($id: ID!, $u: DateTime!) { requestProposalExtension(id: $id, input: { until: $u, reason: "需要调研" }) { id } }`, { id: p.id, u: until }));
            const granted = rand() < 0.7;
            ok(await staff(`mutation($id: ID!, $g: Boolean!) { decideProposalExtension(id: $id, input: { granted: $g, note: "审核意见" }) { id } }`, { id: p.id, g: granted }));
            if (granted) p.due = Date.parse(until);
          } else {
            // Replied by the unit, or entered by the office for it (代录).
            ok(await app.as(rand() < 0.7 ? DEPT[p.c]! : STAFF[p.c]!)(`mutation($id: ID!, $i: ReplyProposalInput!) { replyProposal(id: $id, input: $i) { id } }`, { id: p.id, i: { replyClass: pick(['A', 'B', 'C']), text: '答复意见' } }));
            p.status = 'REPLIED';
          }
        } else if (p.status === 'REPLIED') {
          ok(await app.as(p.by, p.c)(`mutation($id: ID!, $s: Satisfaction!) { rateProposal(id: $id, satisfaction: $s) { id } }`, { id: p.id, s: pick(['SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED']) }));
          p.status = 'RATED';
        }
        if (!p.supervised && ['FILED', 'ASSIGNED', 'REPLIED', 'RATED'].includes(p.status) && rand() < 0.15) {
          ok(await staff(`mutation($id: ID!) { superviseProposal(id: $id) { id } }`, { id: p.id }));
          p.supervised = true;
        }
      } else if (action < 0.54) {
        const by = rand() < 0.7 ? pick(MEMBERS[c]!) : STAFF[c]!;
        const r = ok(await app.as(by, rand() < 0.7 ? c : undefined)(`mutation($i: SubmitOpinionInput!) { submitOpinion(input: $i) { id } }`, { i: { title: `第${step}条社情民意`, content: '群众反映的问题和建议如下。' } }));
        const home = (await app.db.query('select t.code from opinion o join tenant t on t.id = o.tenant_id where o.id = $1', [Buffer.from(r.body.data.submitOpinion.id, 'base64url').toString().split(':')[1]])).rows[0].code;
        opinions.push({ id: r.body.data.submitOpinion.id, holder: home, adopted: new Set(), instructed: new Set() });
      } else if (action < 0.72 && opinions.length) {
        const o = pick(opinions);
        const x = rand();
        if (x < 0.4 && PARENT[o.holder]) {
          ok(await app.as(STAFF[o.holder]!)(`mutation($id: ID!, $to: String!) { forwardOpinion(id: $id, to: $to) { id } }`, { id: o.id, to: PARENT[o.holder] }));
          o.holder = PARENT[o.holder]!;
        } else if (x < 0.8 && !o.adopted.has(o.holder)) {
          ok(await app.as(STAFF[o.holder]!)(`mutation($id: ID!) { adoptOpinion(id: $id) { id } }`, { id: o.id }));
          o.adopted.add(o.holder);
        } else if (!o.instructed.has(o.holder)) {
          ok(await app.as(STAFF[o.holder]!)(`mutation($id: ID!, $i: InstructOpinionInput!) { instructOpinion(id: $id, input: $i) { id } }`, { id: o.id, i: { instruction: '请研究办理', by: '领导' } }));
          o.instructed.add(o.holder);
        }
      } else if (action < 0.9) {
        const x = rand();
        const drafts = suggestions.filter((g) => g.status === 'DRAFT');
        const assigned = suggestions.filter((g) => g.status === 'ASSIGNED');
        if (x < 0.4 || (!drafts.length && !assigned.length)) {
          const r = ok(await app.as(STAFF[c]!)(`mutation($i: AddSuggestionInput!) { addConsultationSuggestion(input: $i) { id } }`, { i: { topicId: topicOf[c], content: `第${step}条建议` } }));
          suggestions.push({ id: r.body.data.addConsultationSuggestion.id, c, status: 'DRAFT' });
        } else if (x < 0.7 && drafts.length) {
          const g = pick(drafts);
          const deadline = new Date(t + (3 + Math.floor(rand() * 60)) * 86400_000).toISOString();
          ok(await app.as(STAFF[g.c]!)(`mutation($i: AssignSuggestionInput!) { assignSuggestion(input: $i) { id } }`, { i: { id: g.id, unit: deptGid[g.c], deadline } }));
          g.status = 'ASSIGNED';
          g.due = Date.parse(deadline);
        } else if (x < 0.8 && assigned.some((a) => t < a.due!)) {
          const g = pick(assigned.filter((a) => t < a.due!));
          if (rand() < 0.5) {
            ok(await app.as(DEPT[g.c]!)(`mutation($id: ID!) { returnSuggestion(id: $id, input: { reason: "非本单位职责" }) { id } }`, { id: g.id }));
            g.status = 'DRAFT';
          } else {
            const until = new Date(g.due! + (1 + Math.floor(rand() * 40)) * 86400_000).toISOString();
            ok(await app.as(DEPT[g.c]!)(`mutation($id: ID!, $u: DateTime!) { requestSuggestionExtension(id: $id, input: { until: $u, reason: "需要调研" }) { id } }`, { id: g.id, u: until }));
            const granted = rand() < 0.7;
            ok(await app.as(STAFF[g.c]!)(`mutation($id: ID!, $g: Boolean!) { decideSuggestionExtension(id: $id, input: { granted: $g, note: "审核意见" }) { id } }`, { id: g.id, g: granted }));
            if (granted) g.due = Date.parse(until);
          }
        } else if (assigned.length) {
          const g = pick(assigned);
          const outcome = pick(['ADOPTED', 'ADOPTED', 'PARTLY_ADOPTED', 'NOT_ADOPTED']);
          ok(await app.as(DEPT[g.c]!)(`mutation($i: SuggestionFeedbackInput!) { fileSuggestionFeedback(input: $i) { id } }`, { i: { id: g.id, outcome, feedback: '办理反馈', reason: outcome === 'ADOPTED' ? undefined : '理由说明' } }));
          g.status = outcome;
        }
      } else if (action < 0.925) {
        // Micro-suggestions: submitted by a member, screened by the office, answered by the unit.
        const fresh = micros.filter((g) => g.status === 'SUBMITTED');
        const forwarded = micros.filter((g) => g.status === 'FORWARDED');
        const x = rand();
        if (x < 0.45 || (!fresh.length && !forwarded.length)) {
          const r = ok(await app.as(pick(MEMBERS[c]!), c)(`mutation($i: SubmitMicroSuggestionInput!) { submitMicroSuggestion(input: $i) { id } }`, { i: { content: `第${step}条微建议：建议优化社区服务。` } }));
          micros.push({ id: r.body.data.submitMicroSuggestion.id, c, status: 'SUBMITTED' });
        } else if (x < 0.8 && fresh.length) {
          const g = pick(fresh);
          const decision = pick(['HANDLE', 'FORWARD', 'CONVERT']);
          const extra = decision === 'FORWARD' ? { unit: deptGid[g.c] } : decision === 'CONVERT' ? { draftKind: pick(['PROPOSAL', 'OPINION']), draftTitle: `第${step}号草稿标题` } : {};
          ok(await app.as(STAFF[g.c]!)(`mutation($i: ScreenMicroSuggestionInput!) { screenMicroSuggestion(input: $i) { id } }`, { i: { id: g.id, decision, note: '甄别意见', ...extra } }));
          g.status = decision === 'FORWARD' ? 'FORWARDED' : 'DONE';
        } else if (forwarded.length) {
          const g = pick(forwarded);
          ok(await app.as(DEPT[g.c]!)(`mutation($id: ID!) { replyMicroSuggestion(id: $id, reply: "已办理") { id } }`, { id: g.id }));
          g.status = 'REPLIED';
        }
      } else if (action < 0.95) {
        const login = pick(MEMBERS[c]!);
        ok(await app.as(STAFF[c]!)(`mutation($i: AddDutyRecordInput!) { addDutyRecord(input: $i) { id } }`, { i: { seat: seatGid[`${c}:${login}`], category: pick(CATEGORIES), title: '履职活动', occurredAt: new Date(t - 3600_000).toISOString() } }));
      } else if (action < 0.98) {
        // Meetings: scheduled ahead (often into the next month), leave asked and decided before the start,
        // check-in by staff from two hours before the start on.
        const x = rand();
        const ahead = meetings.filter((m) => m.startsAt > t && m.people.some((p) => p.status === 'INVITED'));
        const open = meetings.filter((m) => m.startsAt - 2 * 3600_000 <= t && m.people.some((p) => p.status !== 'ON_LEAVE' && p.status !== 'CHECKED_IN'));
        if (x < 0.4 || (!ahead.length && !open.length)) {
          const startsAt = t + (1 + Math.floor(rand() * 30)) * 86400_000 + Math.floor(rand() * 86400_000);
          const m = ok(await app.as(STAFF[c]!)(`mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { venues { id } } }`, {
            i: { kind: pick(['PLENARY', 'STANDING_COMMITTEE', 'SECTOR_ACTIVITY', 'INSPECTION']), title: `第${step}次会议活动`, location: '机关会议室', startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + 2 * 3600_000).toISOString() },
          })).body.data.scheduleMeeting;
          const venue = m.venues[0].id;
          const invitees = MEMBERS[c]!.filter(() => rand() < 0.7);
          if (invitees.length) ok(await app.as(STAFF[c]!)(`mutation($i: InviteToMeetingInput!) { inviteToMeeting(input: $i) { id } }`, { i: { venue, seats: invitees.map((l) => seatGid[`${c}:${l}`]) } }));
          const rows = (await app.db.query(`select a.id, u.login from meeting_attendance a join app_user u on u.id = a.user_id where a.venue_id = $1`, [app.uuid(venue)])).rows;
          meetings.push({ c, startsAt, people: rows.map((r) => ({ id: toGlobalId('MeetingAttendance', r.id), login: r.login, status: 'INVITED' })) });
        } else if (x < 0.65 && ahead.length) {
          const m = pick(ahead);
          const p = pick(m.people.filter((q) => q.status === 'INVITED'));
          ok(await app.as(p.login, m.c)(`mutation($id: ID!) { requestMeetingLeave(id: $id, reason: "外出公务") { status } }`, { id: p.id }));
          const approve = rand() < 0.7;
          ok(await app.as(STAFF[m.c]!)(`mutation($id: ID!, $a: Boolean!) { decideMeetingLeave(id: $id, approve: $a) { status } }`, { id: p.id, a: approve }));
          p.status = approve ? 'ON_LEAVE' : 'CONFIRMED';
        } else if (open.length) {
          const m = pick(open);
          const p = pick(m.people.filter((q) => q.status !== 'ON_LEAVE' && q.status !== 'CHECKED_IN'));
          ok(await app.as(STAFF[m.c]!)(`mutation($id: ID!) { checkInMeetingMember(id: $id) { status } }`, { id: p.id }));
          p.status = 'CHECKED_IN';
        }
      } else {
        // Supervision: tasks with deadlines 3 to 60 days out, progress by the unit, closure by the office.
        const x = rand();
        const open = tasks.filter((k) => k.open);
        if (x < 0.45 || !open.length) {
          const deadline = new Date(t + (3 + Math.floor(rand() * 58)) * 86400_000).toISOString();
          const r = ok(await app.as(STAFF[c]!)(`mutation($i: OpenSupervisionTaskInput!) { openSupervisionTask(input: $i) { id } }`, {
            i: { source: pick(['INSTRUCTION', 'CONSULTATION_OUTCOME', 'RESEARCH_OUTCOME']), title: `第${step}项督办事项`, requirement: '按期办结并报送情况', owner: deptGid[c], deadline },
          }));
          tasks.push({ id: r.body.data.openSupervisionTask.id, c, open: true });
        } else if (x < 0.6) {
          const k = pick(open);
          ok(await app.as(DEPT[k.c]!)(`mutation($id: ID!) { reportSupervisionProgress(id: $id, body: "正在推进") { id } }`, { id: k.id }));
        } else {
          const k = pick(open);
          ok(await app.as(STAFF[k.c]!)(`mutation($id: ID!) { closeSupervisionTask(id: $id, evidence: "办结报告") { id } }`, { id: k.id }));
          k.open = false;
        }
      }
    }
    // What the comparison must cover, made sure of whatever the seed drew: a report adopted at two levels of one
    // year (its adoption counts twice, its share once). Done at the activity's last moment, still in 2025.
    if (!opinions.some((o) => o.adopted.size > 1)) {
      const o = opinions.find((x) => PARENT[x.holder]) ?? null;
      expect(o).not.toBeNull();
      if (!o!.adopted.has(o!.holder)) {
        ok(await app.as(STAFF[o!.holder]!)(`mutation($id: ID!) { adoptOpinion(id: $id) { id } }`, { id: o!.id }));
        o!.adopted.add(o!.holder);
      }
      ok(await app.as(STAFF[o!.holder]!)(`mutation($id: ID!, $to: String!) { forwardOpinion(id: $id, to: $to) { id } }`, { id: o!.id, to: PARENT[o!.holder] }));
      o!.holder = PARENT[o!.holder]!;
      ok(await app.as(STAFF[o!.holder]!)(`mutation($id: ID!) { adoptOpinion(id: $id) { id } }`, { id: o!.id }));
      o!.adopted.add(o!.holder);
    }
    // And a supervision task closed (销号).
    if (!tasks.some((k) => !k.open)) {
      const c = pick(COMMITTEES);
      const k = tasks.find((x) => x.open) ?? {
        id: ok(await app.as(STAFF[c]!)(`mutation($i: OpenSupervisionTaskInput!) { openSupervisionTask(input: $i) { id } }`, {
          i: { source: 'INSTRUCTION', title: '补充督办事项', requirement: '按期办结并报送情况', owner: deptGid[c], deadline: new Date(t + 10 * 86400_000).toISOString() },
        })).body.data.openSupervisionTask.id as string,
        c,
        open: true,
      };
      ok(await app.as(STAFF[k.c]!)(`mutation($id: ID!) { closeSupervisionTask(id: $id, evidence: "办结报告") { id } }`, { id: k.id }));
      k.open = false;
      if (!tasks.includes(k)) tasks.push(k);
    }
    expect(new Date(t).getUTCFullYear()).toBe(2025);
    const now = new Date('2026-01-20T00:00:00Z');
    app.clock.set(now);
    let compared = 0;
    let shares = 0;
    for (const code of COMMITTEES) {
      for (const period of PERIODS) {
        const r = await app.as('yn.staff')(
          `query($p: String!, $c: String!) { rollup(period: $p, code: $c) { from to own { metrics { metric value } rates { rate numerator denominator value } } subtree { metrics { metric value } rates { rate numerator denominator value } } children { tenant { code } subtree { metrics { metric value } rates { rate numerator denominator value } } } } }`,
          { p: period, c: code },
        );
        expect(r.body.errors).toBeUndefined();
        const { from, to } = r.body.data.rollup;
        const years = [Number(from.slice(0, 4)), Number(to.slice(0, 4)) - (to.slice(5, 7) === '01' ? 1 : 0)] as const;
        const brute = await bruteForce(now, code, from, to, years[0], years[1]);
        expect({ code, period, own: asMap(r.body.data.rollup.own) }).toEqual({ code, period, own: expected(brute.own) });
        expect({ code, period, subtree: asMap(r.body.data.rollup.subtree) }).toEqual({ code, period, subtree: expected(brute.sub) });
        expect({ code, period, own: r.body.data.rollup.own.rates }).toEqual({ code, period, own: rates(brute.own) });
        expect({ code, period, subtree: r.body.data.rollup.subtree.rates }).toEqual({ code, period, subtree: rates(brute.sub) });
        for (const child of r.body.data.rollup.children.filter((ch: any) => COMMITTEES.includes(ch.tenant.code))) {
          const b = await bruteForce(now, child.tenant.code, from, to, years[0], years[1]);
          expect({ child: child.tenant.code, period, subtree: asMap(child.subtree) }).toEqual({ child: child.tenant.code, period, subtree: expected(b.sub) });
          expect({ child: child.tenant.code, period, rates: child.subtree.rates }).toEqual({ child: child.tenant.code, period, rates: rates(b.sub) });
        }
        // A share of items never exceeds 1, in any period, at any level.
        for (const f of [r.body.data.rollup.own, r.body.data.rollup.subtree]) {
          for (const x of f.rates.filter((y: any) => SHARES.includes(y.rate) && y.value !== null)) expect({ code, period, rate: x.rate, atMostOne: x.value <= 1 }).toEqual({ code, period, rate: x.rate, atMostOne: true });
        }
        shares += r.body.data.rollup.subtree.rates.filter((y: any) => SHARES.includes(y.rate) && y.numerator > 0).length;
        compared++;
      }
    }
    expect(compared).toBe(COMMITTEES.length * PERIODS.length);
    // Real shares were compared, and the activity tells items from facts: reports adopted at more than one
    // level, and proposals, reports and suggestions whose fact fell in another month than the item.
    expect(shares).toBeGreaterThan(20);
    const year = (await app.as('yn.staff')(`{ rollup(period: "2025") { subtree { metrics { metric value } rates { rate numerator } } } }`)).body.data.rollup.subtree;
    const v = asMap(year);
    for (const rate of ['proposal.filing_rate', 'opinion.adoption_rate', 'suggestion.adoption_rate']) {
      expect({ rate, counted: year.rates.find((x: any) => x.rate === rate).numerator > 0 }).toEqual({ rate, counted: true });
    }
    expect(v['opinion.adopted']).toBeGreaterThan(v['opinion.adopted_of_submitted']!);
    const elsewhere = (await app.db.query(`select
        (select count(*) from proposal where date_trunc('month', reviewed_at at time zone 'Asia/Shanghai') <> date_trunc('month', submitted_at at time zone 'Asia/Shanghai') and status in ('FILED','ASSIGNED','REPLIED','RATED'))::int p,
        (select count(*) from consultation_suggestion where date_trunc('month', feedback_at at time zone 'Asia/Shanghai') <> date_trunc('month', created_at at time zone 'Asia/Shanghai'))::int s`)).rows[0];
    expect({ proposals: elsewhere.p > 0, suggestions: elsewhere.s > 0 }).toEqual({ proposals: true, suggestions: true });
    const activity = (await app.db.query(`select (select count(*) from meeting_attendance where checked_in_at is not null)::int attended, (select count(*) from supervision_task where closed_at is not null)::int closed`)).rows[0];
    expect({ attended: activity.attended > 0, closed: activity.closed > 0 }).toEqual({ attended: true, closed: true });
    const total = (await app.db.query(`select (select count(*) from proposal) + (select count(*) from opinion) + (select count(*) from duty_record) n`)).rows[0].n;
    expect(Number(total)).toBeGreaterThan(100);
  }, 240_000);
});

describe('shared items count once at common ancestors (recordItem)', () => {
  it('random joins and leaves across the whole tree match a brute-force distinct count', async () => {
    const seed = Number(process.env.ROLLUP_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`shared-item seed: ${seed}`);
    const rand = rng(seed);
    const tenants = (await app.db.query(`select id, code, path from tenant where path like '530000%' order by code`)).rows as { id: string; code: string; path: string }[];
    const client = new pg.Client({ connectionString: app.dbUrl });
    await client.connect();
    const members = new Map<string, Set<string>>();
    try {
      await client.query('begin');
      await client.query(`select set_config('app.tenant_id', $1, true)`, [tenants[0]!.id]);
      // Participants cluster in one city now and then, so common ancestors below the province occur.
      for (let i = 0; i < 400; i++) {
        const item = `ResearchProject:${Math.floor(rand() * 40)}`;
        const pool = rand() < 0.5 ? tenants.filter((x) => x.path.startsWith('530000.530100')) : tenants;
        const t = pool[Math.floor(rand() * pool.length)]!;
        const set = members.get(item) ?? new Set<string>();
        const join = !set.has(t.id) || rand() < 0.2;
        const changed = (await client.query(`select stat_record_item($1, 'research.projects', $2, '2025-05-10T00:00:00Z', $3) c`, [item, t.id, join])).rows[0].c;
        expect(changed).toBe(join ? !set.has(t.id) : set.has(t.id));
        if (join) set.add(t.id);
        else set.delete(t.id);
        members.set(item, set);
      }
      await client.query('commit');
    } finally {
      await client.end();
    }
    const counters = new Map(
      (await app.db.query(`select tenant_id, sum(own)::int own, sum(subtree)::int sub from stat_counter where metric = 'research.projects' group by tenant_id`)).rows.map((r) => [r.tenant_id, r]),
    );
    const byId = new Map(tenants.map((x) => [x.id, x]));
    let checked = 0;
    for (const t of tenants) {
      let own = 0;
      let sub = 0;
      for (const set of members.values()) {
        if (set.has(t.id)) own++;
        if ([...set].some((m) => byId.get(m)!.path === t.path || byId.get(m)!.path.startsWith(`${t.path}.`))) sub++;
      }
      const c = counters.get(t.id) ?? { own: 0, sub: 0 };
      expect({ code: t.code, own: c.own, sub: c.sub }).toEqual({ code: t.code, own, sub });
      checked++;
    }
    expect(checked).toBe(146);
  });
});

describe('statistics visibility: only aggregates cross the line', () => {
  it('a county reads no ancestor or sibling figures; a city reads only its subtree; members may not ask', async () => {
    expect(codeOf(await app.as('wh.staff')(`{ rollup(period: "2025", code: "530100") { period } }`))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('wh.staff')(`{ rollup(period: "2025", code: "530103") { period } }`))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('km.staff')(`{ rollup(period: "2025", code: "530300") { period } }`))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('wh.member')(`{ rollup(period: "2025") { period } }`))).toBe('FORBIDDEN');
    for (const p of ['2025-13', '2025-Q5', 'last year', '2025-06..2025-01', '1999']) {
      expect(codeOf(await app.as('yn.staff')(`query($p: String!) { rollup(period: $p) { period } }`, { p }))).toBe('BAD_USER_INPUT');
    }
    const appRole = new pg.Client({ connectionString: app.running.db.appUrl });
    await appRole.connect();
    try {
      const ids = Object.fromEntries((await app.db.query(`select code, id from tenant where code in ('530000','530100','530102','530103')`)).rows.map((r) => [r.code, r.id]));
      const visible = async (code: string) => {
        await appRole.query('begin');
        await appRole.query(`select set_config('app.tenant_id', $1, true)`, [ids[code]]);
        const r = await appRole.query(`select distinct t.code from stat_counter c join tenant t on t.id = c.tenant_id order by 1`);
        await appRole.query('rollback');
        return r.rows.map((x) => x.code);
      };
      expect(await visible('530102')).toEqual(['530102']);
      expect((await visible('530100')).every((c: string) => c.startsWith('5301'))).toBe(true);
      expect(await visible('530000')).toContain('530103');
      await appRole.query('begin');
      await appRole.query(`select set_config('app.tenant_id', $1, true)`, [ids['530102']]);
      await expect(appRole.query(`update stat_counter set own = own + 1`)).rejects.toThrow(/permission denied/);
      await appRole.query('rollback');
      await expect(appRole.query(`select * from stat_deadline`)).rejects.toThrow(/permission denied/);
      await expect(appRole.query(`select * from stat_once`)).rejects.toThrow(/permission denied/);
    } finally {
      await appRole.end();
    }
  });
});

describe('migration 0010 backfills the share numerators', () => {
  it('from the records, to exactly what the workflow and the rebuild counted (the seeded demo year)', async () => {
    const demo = await startTestApp();
    try {
      const Q = `query($c: String!, $p: String!) { rollup(code: $c, period: $p) { own { rates { rate numerator denominator } } subtree { rates { rate numerator denominator } } children { subtree { rates { rate numerator } } } } }`;
      const read = async () => {
        const out: unknown[] = [];
        for (const c of COMMITTEES) for (const p of ['2025', '2026', '2026-Q3', '2026-11']) out.push({ c, p, r: (await demo.as('yn.staff')(Q, { c, p })).body.data.rollup });
        return out;
      };
      const before = await read();
      const metrics = ['proposal.filed_of_submitted', 'opinion.adopted_of_submitted', 'suggestion.adopted_of_total'];
      const counted = (await demo.db.query(`select metric, sum(subtree)::int n from stat_counter c join tenant t on t.id = c.tenant_id where t.code = '530000' and metric = any($1) group by 1 order by 1`, [metrics])).rows;
      expect(counted.map((r) => r.metric)).toEqual([...metrics].sort());
      expect(counted.every((r) => r.n > 0)).toBe(true);
      // Under the province's settings, as the workflow writes counters: the trigger keeping stat_counter_year runs
      // as the owner, which FORCE holds on a server where the owner is not a superuser.
      const wipe = await demo.db.connect();
      try {
        await wipe.query('begin');
        await wipe.query(`select set_config('app.tenant_id', id::text, true) from tenant where code = '530000'`);
        await wipe.query('delete from stat_counter where metric = any($1)', [metrics]);
        await wipe.query('truncate stat_once');
        await wipe.query('commit');
      } finally {
        wipe.release();
      }
      expect(await read()).not.toEqual(before);
      const client = await demo.db.connect();
      try {
        await client.query('begin');
        await client.query(COHORT_BACKFILL);
        await client.query('commit');
      } finally {
        client.release();
      }
      expect(await read()).toEqual(before);
      expect((await demo.db.query(`select count(*)::int n from stat_once`)).rows[0].n).toBe(
        (await demo.db.query(`select count(distinct opinion_id)::int n from opinion_route where adopted_at is not null`)).rows[0].n,
      );
    } finally {
      await demo.stop();
    }
  });
});
