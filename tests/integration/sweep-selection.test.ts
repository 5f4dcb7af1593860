import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runForCommittee, type ContextDeps } from '../../src/core/context.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { rlsScopeSql } from '../../src/core/tenancy.js';
import { committeesWithTimedWork, deadlinesBetween, openingsBetween, OPENING_NOTICE_MS, OVERDUE_LOOKBACK_MS } from '../../src/modules/notification/notification.sweep.js';
import { dueDeliveries } from '../../src/modules/notification/notification.delivery.js';
import type { JobHelpers } from '../../src/core/jobs.js';
import { notificationTasks, reminderDays } from '../../src/modules/notification/notification.jobs.js';
import { contextDeps, startTestApp, type TestApp } from '../helpers/app.js';
import { Q, ok, projectInput } from '../helpers/joint.js';

/**
 * The every-minute sweep checks every committee in one statement and makes a job only for those with timed
 * work (migration 0120). A committee the check leaves out is never reminded: every committee whose sweep
 * reads would find something must be chosen, at every instant where something falls due.
 */
let app: TestApp;
let deps: ContextDeps;
const HOUR = 3600_000;

beforeAll(async () => {
  app = await startTestApp({ jobsWorker: false });
  deps = contextDeps(app);
  // Timed work of every kind the sweep acts on, beside the demo's assigned proposals and suggestions, its
  // accepted research projects and its scheduled deliberation session: a pending joint invitation with a
  // respondBy, a meeting with invited members, and an e-mail waiting in 承德县's outbox.
  const km = app.as('km.staff');
  const project = ok(await km(Q.createProject, { input: projectInput('答复期限提醒范围测试') }), 'createResearchProject');
  ok(await km(Q.move, { input: { id: project.id, to: 'INVITING' } }), 'moveResearchProject');
  ok(await km(Q.invite, { input: { itemId: project.id, committeeCodes: ['530103'], respondBy: '2026-03-20' } }), 'inviteToResearch');
  await app.createUser('sw.member', '530102', 'MEMBER', '李明');
  const staff = app.as('wh.staff');
  const meeting = ok<any>(
    await staff(`mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id venues { id } } }`, {
      i: { kind: 'SECTOR_ACTIVITY', title: '科技界委员座谈会', location: '五华区政协二楼会议室', startsAt: '2026-03-12T02:00:00Z', endsAt: '2026-03-12T04:00:00Z' },
    }),
    'scheduleMeeting',
  );
  const seat = (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id where u.login = 'sw.member'`)).rows[0].id;
  ok(await staff(`mutation($i: InviteToMeetingInput!) { inviteToMeeting(input: $i) { invited } }`, { i: { venue: meeting.venues[0].id, seats: [toGlobalId('MemberSeat', seat)] } }), 'inviteToMeeting');
  const gd = (await app.db.query(`select t.id, t.province_id, t.city_id, u.id as user_id from tenant t join app_user u on u.tenant_id = t.id and u.role = 'STAFF' where t.code = '130821' limit 1`)).rows[0];
  const n = (
    await app.db.query(
      `insert into notification (id, tenant_id, province_id, city_id, user_id, kind, title, dedupe_key, created_at) values (app_uuid7(now()), $1, $2, $3, $4, 'ASSIGNED', '交办建议：承德县测试', 'sweep-selection', now()) returning id`,
      [gd.id, gd.province_id, gd.city_id, gd.user_id],
    )
  ).rows[0].id;
  await app.db.query(
    `insert into notification_delivery (id, tenant_id, province_id, city_id, notification_id, user_id, channel, address, subject, body, not_before) values (app_uuid7(now()), $1, $2, $3, $4, $5, 'EMAIL', 'office@cdx.gov.cn', '交办建议', '', '2026-03-15T01:00:00Z')`,
    [gd.id, gd.province_id, gd.city_id, n, gd.user_id],
  );
}, 180_000);
afterAll(() => app?.stop());

/** Every committee whose sweep would read anything at `now`, asked of each committee as its sweep asks. */
async function withWork(committees: { id: string; config: unknown }[], now: Date): Promise<string[]> {
  const out: string[] = [];
  app.clock.set(now);
  for (const c of committees) {
    const found = await runForCommittee(deps, c.id, 'sweep-selection', async (ctx) => {
      const due = await deadlinesBetween(ctx, new Date(now.getTime() - OVERDUE_LOOKBACK_MS), new Date(now.getTime() + reminderDays(c.config) * 24 * HOUR));
      const openings = await openingsBetween(ctx, now, new Date(now.getTime() + OPENING_NOTICE_MS));
      return due.length + openings.length;
    });
    if (found || (await dueDeliveries(deps, c.id)).length) out.push(c.id);
  }
  return out;
}

describe('the every-minute sweep visits every committee with timed work', () => {
  it('at each instant something falls due (of every kind), the check in one statement chooses every committee the sweep would find work for, and few others', async () => {
    const committees = (await app.db.query<{ id: string; config: unknown; code: string }>('select id, config, code from tenant order by code')).rows;
    const at = async (sql: string): Promise<Date[]> => (await app.db.query<{ at: Date }>(sql)).rows.map((r) => new Date(r.at));
    const instants = [
      ...(await at(`select min(deadline) - interval '1 hour' as at from consultation_suggestion where status = 'ASSIGNED' and feedback_at is null`)),
      ...(await at(`select min(reply_deadline) - interval '1 hour' as at from proposal where status = 'ASSIGNED'`)),
      ...(await at(`select min(reply_deadline) + interval '2 days' as at from proposal where status = 'ASSIGNED'`)),
      ...(await at(`select min((respond_by + 1)::timestamp at time zone 'Asia/Shanghai') - interval '1 hour' as at from joint_participant where kind = 'INVITATION' and status = 'PENDING'`)),
      ...(await at(`select min((r.end_date + 1)::timestamp at time zone 'Asia/Shanghai') - interval '1 hour' as at from joint_participant jp join research_project r on r.id = jp.item_id where jp.status = 'ACCEPTED' and r.status in ('IN_PROGRESS', 'REPORTING')`)),
      ...(await at(`select min(starts_at) - interval '10 minutes' as at from deliberation_session where status = 'SCHEDULED'`)),
      ...(await at(`select min(m.starts_at) - interval '10 minutes' as at from meeting m join meeting_attendance a on a.meeting_id = m.id where a.status in ('INVITED', 'CONFIRMED')`)),
      ...(await at(`select min(not_before) + interval '1 minute' as at from notification_delivery where sent_at is null`)),
    ];
    // Every kind is there to be found: the demo's and the ones made above.
    expect(instants.every((d) => !Number.isNaN(d.getTime()))).toBe(true);
    const em = app.running.orm.em.fork() as EntityManager;
    for (const now of instants) {
      const truth = await withWork(committees, now);
      const chosen = await committeesWithTimedWork(em, committees, now, reminderDays);
      expect(truth.length, `something is due at ${now.toISOString()}`).toBeGreaterThan(0);
      expect(truth.filter((id) => !chosen.includes(id)), `committees left out at ${now.toISOString()}`).toEqual([]);
      expect(chosen.length).toBeLessThan(committees.length / 4);
      console.log(`${now.toISOString()}: ${truth.length} committees with work, ${chosen.length} chosen of ${committees.length}`);
    }
    // Long before anything: no committee is chosen.
    expect(await committeesWithTimedWork(em, committees, new Date('2020-01-01T00:00:00Z'), reminderDays)).toEqual([]);
  }, 300_000);

  it('the scheduled sweep makes one job per chosen committee, and counts passed deadlines into the figures of every province', async () => {
    const [due] = (await app.db.query<{ id: string; tenant_id: string; reply_deadline: Date }>(`select id, tenant_id, reply_deadline from proposal where status = 'ASSIGNED' order by reply_deadline limit 1`)).rows;
    const now = new Date(due!.reply_deadline.getTime() + HOUR);
    app.clock.set(now);
    const open = async () => Number((await app.db.query(`select count(*) from stat_deadline where not counted and due_at <= $1 and (settled_at is null or settled_at > due_at)`, [now])).rows[0].count);
    expect(await open()).toBeGreaterThan(0);
    const jobs: { task: string; payload: unknown; key?: string }[] = [];
    await notificationTasks['notification.sweep']!({}, {
      deps,
      log: pino({ level: 'silent' }),
      job: { id: '1', attempts: 1, maxAttempts: 3, key: null },
      addJob: async (task, payload, o) => void jobs.push({ task, payload, key: o?.jobKey }),
    } satisfies JobHelpers);
    expect(await open()).toBe(0);
    const committees = (await app.db.query<{ id: string; config: unknown }>('select id, config from tenant order by code')).rows;
    const chosen = await committeesWithTimedWork(app.running.orm.em.fork() as EntityManager, committees, now, reminderDays);
    expect(chosen).toContain(due!.tenant_id);
    expect(jobs).toEqual(chosen.map((id) => ({ task: 'notification.sweep-committee', payload: { tenantId: id }, key: `sweep:${id}` })));
  }, 120_000);

  it('the check reads each committee under its own scope and leaves the transaction acting for nobody', async () => {
    const wh = (await app.db.query(`select id from tenant where code = '530102'`)).rows[0].id as string;
    const em = app.running.orm.em.fork() as EntityManager;
    await em.begin();
    try {
      await em.execute(rlsScopeSql({ tenantId: wh, userId: (await app.db.query(`select id from app_user where login = 'wh.staff'`)).rows[0].id }));
      await committeesWithTimedWork(em, [{ id: wh, config: null }], new Date('2026-03-12T01:50:00Z'), reminderDays);
      expect(await em.execute(`select current_setting('app.tenant_id') as t, current_setting('app.user_id') as u`)).toEqual([{ t: '', u: '' }]);
      // Acting for nobody, the application role reads no committee's rows.
      expect(await em.execute(`select count(*)::int as n from meeting_attendance`)).toEqual([{ n: 0 }]);
    } finally {
      await em.rollback();
    }
  });
});
