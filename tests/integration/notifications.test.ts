import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { boot, type Running } from '../../src/app/boot.js';
import { loadConfig } from '../../src/core/config.js';
import { contextDeps, startTestApp, type TestApp } from '../helpers/app.js';
import { TEST_JWT_SECRET, TEST_PROVINCES } from '../helpers/global-setup.js';
import { Q, answer, ok, projectInput, projectWithInvitations, topicOf } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { rlsScopeSql } from '../../src/core/tenancy.js';
import { notify } from '../../src/modules/notification/notification.service.js';
import { NotificationKind } from '../../src/modules/notification/notification.entity.js';
import { afterQuietHours, reminderDays } from '../../src/modules/notification/notification.jobs.js';

interface Mail { to: string; subject: string; raw: string }
const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
let app: TestApp;
let second: Running;
/** The SMS gateway: what it received, and how many of the next requests it fails (500). */
const sms: { body: any; at: number }[] = [];
let smsFailures = 0;
let gateway: http.Server;
let secondConfig: ReturnType<typeof loadConfig>;

const waitFor = async <T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const pendingJobs = async () => (await app.db.query(`select count(*)::int n from graphile_worker.jobs where locked_at is null and attempts < max_attempts and run_at <= now() and task_identifier <> 'notification.sweep'`)).rows[0].n;
// Real work on a shared machine (a fan-out over every committee of the test provinces): wait up to a minute.
const idle = (ms = 60_000) => waitFor('jobs done', async () => (await pendingJobs()) === 0 && (await app.db.query(`select count(*)::int n from graphile_worker.jobs where locked_at is not null`)).rows[0].n === 0, ms);
const inbox = async (login: string) =>
  (await app.db.query(`select n.kind, n.title, n.item_type from notification n join app_user u on u.id = n.user_id where u.login = $1 order by n.id`, [login])).rows;
const tenantId = async (code: string) => (await app.db.query('select id from tenant where code = $1', [code])).rows[0].id as string;
const userUuid = async (login: string) => (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id as string;
/** Both instances sweep the committees (昆明 unless named; two jobs each, run by whichever worker takes each). */
const sweepTwice = async (...codes: string[]) => {
  for (const code of codes.length ? codes : ['530100']) {
    const t = await tenantId(code);
    await app.running.jobs.add('notification.sweep-committee', { tenantId: t });
    await idle();
    await second.jobs.add('notification.sweep-committee', { tenantId: t });
    await idle();
  }
};
/** One person's notifications of the given kinds, oldest first. */
const told = async (login: string, kinds: string[], code?: string) =>
  (
    await app.db.query(
      `select n.kind, n.title, n.body, n.item_type from notification n join app_user u on u.id = n.user_id join tenant t on t.id = n.tenant_id
        where u.login = $1 and n.kind = any($2) and ($3::text is null or t.code = $3) order by n.id`,
      [login, kinds, code ?? null],
    )
  ).rows;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1] ?? '';
        // Encoded words (RFC 2047, UTF-8, base64 or Q) as nodemailer writes a Chinese subject.
        const decoded = subject.replace(/\r\n[ \t]/g, '').replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
          enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
        );
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: decoded, raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  gateway = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (smsFailures > 0) {
        smsFailures--;
        res.writeHead(500).end('gateway busy');
        return;
      }
      sms.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
  const smsUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`;
  app = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, smsGatewayUrl: smsUrl, jobsPollMs: 200, jobsWorker: true });
  // A second instance on the same database and clock: both workers take jobs.
  secondConfig = loadConfig({}, { tenantProvinces: [...TEST_PROVINCES], port: 0, host: '127.0.0.1', databaseUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: false, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, smsGatewayUrl: smsUrl, jobsPollMs: 200 });
  second = await boot(secondConfig, pino({ level: 'silent' }), app.clock);
}, 120_000);

afterAll(async () => {
  await second?.stop();
  await app?.stop();
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise<void>((r) => gateway.close(() => r()));
});

async function assignedSuggestion(title: string, deadline: string, dept = 'km.dept') {
  const t = await topicOf(app, 'km.staff', title);
  const call = app.as('km.staff');
  for (const to of ['RESEARCH', 'CONSULT']) ok(await call(Q.moveTopic, { input: { id: t.id, to } }), 'moveConsultationTopic');
  const s = ok(await call(Q.addSuggestion, { input: { topicId: t.id, content: '加快老旧小区加装电梯' } }), 'addConsultationSuggestion');
  ok(await call(Q.moveTopic, { input: { id: t.id, to: 'ASSIGN' } }), 'moveConsultationTopic');
  const unit = (await app.db.query('select unit_id from app_user where login = $1', [dept])).rows[0].unit_id as string;
  ok(await call(Q.assign, { input: { id: s.id, unit: toGlobalId('HandlingUnit', unit), deadline } }), 'assignSuggestion');
  return s.id as string;
}

describe('notifications', () => {
  it('an assigned suggestion: the department is told, reminded before the deadline, then told it is overdue, each once with two instances', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    await app.createUser('km.dept.zj', '530100', 'DEPARTMENT', '昆明市住建局');
    await assignedSuggestion('城市更新交办测试', '2026-03-20T00:00:00Z', 'km.dept.zj');
    await waitFor('assigned notice', async () => (await inbox('km.dept.zj')).length === 1);
    await sweepTwice();
    expect((await inbox('km.dept.zj')).map((n) => n.kind)).toEqual(['ASSIGNED']);
    // Three days before (the default): the reminder.
    app.clock.set(new Date('2026-03-17T08:00:00Z'));
    await sweepTwice();
    await sweepTwice();
    expect((await inbox('km.dept.zj')).map((n) => n.kind)).toEqual(['ASSIGNED', 'DEADLINE_NEAR']);
    app.clock.set(new Date('2026-03-20T00:00:01Z'));
    await sweepTwice();
    await sweepTwice();
    expect(await inbox('km.dept.zj')).toEqual([
      { kind: 'ASSIGNED', title: '交办建议：城市更新交办测试：建议1', item_type: 'ConsultationSuggestion' },
      { kind: 'DEADLINE_NEAR', title: '即将到期：城市更新交办测试：建议1', item_type: 'ConsultationSuggestion' },
      { kind: 'OVERDUE', title: '已逾期：城市更新交办测试：建议1', item_type: 'ConsultationSuggestion' },
    ]);
    // The sweep also counted it for the statistics, once.
    const figure = await app.as('km.staff')(`{ rollup(period: "2026-03") { own { metrics { metric value } } } }`);
    expect(figure.body.data.rollup.own.metrics.find((m: any) => m.metric === 'suggestion.overdue').value).toBe(1);

    const dept = app.as('km.dept.zj');
    const list = await dept(`{ unreadNotificationCount notifications(first: 5) { totalCount edges { node { id kind title readAt itemId item { id ... on ConsultationSuggestion { number } } } } } }`);
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.unreadNotificationCount).toBe(3);
    expect(list.body.data.notifications.edges.map((e: any) => e.node.kind)).toEqual(['OVERDUE', 'DEADLINE_NEAR', 'ASSIGNED']);
    const node = list.body.data.notifications.edges[0].node;
    expect(node.item).toEqual({ id: node.itemId, number: 1 });
    expect(ok(await dept(`query($id: ID!) { node(id: $id) { id } }`, { id: node.id }), 'node')).toEqual({ id: node.id });
    // Someone else's notification by id is null, as a missing one is, and marking it read changes nothing.
    expect(ok(await app.as('km.staff')(`query($id: ID!) { node(id: $id) { id } }`, { id: node.id }), 'node')).toBeNull();
    expect(ok(await dept(`mutation { markNotificationsRead }`), 'markNotificationsRead')).toBe(3);
    expect(ok(await dept(`{ unreadNotificationCount }`), 'unreadNotificationCount')).toBe(0);
    // Nobody else's inbox holds them (the demo story's own notifications aside), nor another committee's staff's.
    const about = (login: string) => app.as(login)(`{ notifications(first: 50) { edges { node { itemId } } } }`);
    for (const login of ['km.staff', 'wh.staff']) expect(ok<any>(await about(login), 'notifications').edges.filter((e: any) => e.node.itemId === node.itemId)).toEqual([]);
    expect((await app.db.query(`select count(*)::int n from notification where item_id = $1`, [app.uuid(node.itemId)])).rows[0].n).toBe(3);
  }, 90_000);

  it('a notification about an item its reader cannot see is never created', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    const sid = await assignedSuggestion('不可见事项测试', '2026-06-01T00:00:00Z');
    const suggestion = app.uuid(sid);
    const deps = contextDeps(app);
    const base = { kind: NotificationKind.ASSIGNED, itemType: 'ConsultationSuggestion', itemId: suggestion, title: '不应出现', dedupeKey: `probe:${suggestion}` };
    // A county member, a sibling county's staff, another city's department: none sees 昆明's suggestion.
    expect(await notify(deps, { ...base, userId: await userUuid('wh.staff'), tenantId: await tenantId('530102') })).toBe('NOT_VISIBLE');
    expect(await notify(deps, { ...base, userId: await userUuid('wh.member'), tenantId: await tenantId('530102') })).toBe('NOT_VISIBLE');
    // An account of 昆明 asked about as if it acted for 五华区, where it holds no seat: refused as a request would be.
    expect(await notify(deps, { ...base, userId: await userUuid('km.dept'), tenantId: await tenantId('530102') })).toBe('NOT_VISIBLE');
    expect((await app.db.query(`select count(*)::int n from notification where dedupe_key = $1`, [`probe:${suggestion}`])).rows[0].n).toBe(0);
    // The one who may see it gets it, once.
    expect(await notify(deps, { ...base, userId: await userUuid('km.staff'), tenantId: await tenantId('530100') })).toBe('CREATED');
    expect(await notify(deps, { ...base, userId: await userUuid('km.staff'), tenantId: await tenantId('530100') })).toBe('DUPLICATE');
  }, 60_000);

  it('e-mail reaches the SMTP server once with its Chinese subject, also across a restart', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    await app.createUser('km.dept.mail', '530100', 'DEPARTMENT', '昆明市水务局');
    const before = mails.length;
    const pref = await app.as('km.dept.mail')(`mutation { setNotificationPreferences(input: { email: "jianshe@km.gov.cn" }) { email emailEnabled smsEnabled } }`);
    expect(pref.body.data.setNotificationPreferences).toEqual({ email: 'jianshe@km.gov.cn', emailEnabled: true, smsEnabled: false });
    await assignedSuggestion('邮件通知测试', '2026-06-01T00:00:00Z', 'km.dept.mail');
    await waitFor('mail', async () => mails.length > before);
    await idle();
    await sweepTwice();
    expect(mails.slice(before)).toMatchObject([{ to: 'jianshe@km.gov.cn', subject: '【昆明市政协】交办建议：邮件通知测试：建议1' }]);
    // The second instance restarts; both sweep again: nothing is sent twice.
    await second.stop();
    second = await boot(secondConfig, pino({ level: 'silent' }), app.clock);
    await sweepTwice();
    expect(mails.length).toBe(before + 1);

    await app.as('km.dept.mail')(`mutation { setNotificationPreferences(input: { emailEnabled: false }) { emailEnabled } }`);
  }, 90_000);

  it('SMS go to the HTTP gateway; a failing gateway is retried with backoff and never holds up the request that caused the message', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    await app.createUser('km.dept.sms', '530100', 'DEPARTMENT', '昆明市交通运输局');
    const pref = await app.as('km.dept.sms')(`mutation { setNotificationPreferences(input: { phone: "13800871234", smsEnabled: true, emailEnabled: false }) { phone smsEnabled emailEnabled } }`);
    expect(pref.body.data.setNotificationPreferences).toEqual({ phone: '13800871234', smsEnabled: true, emailEnabled: false });
    smsFailures = 2;
    const before = sms.length;
    const started = Date.now();
    await assignedSuggestion('短信通知测试', '2026-06-01T00:00:00Z', 'km.dept.sms');
    const requestMs = Date.now() - started;
    await waitFor('sms after retries', async () => sms.length > before, 30_000);
    expect(smsFailures).toBe(0);
    expect(sms.slice(before).map((m) => ({ to: m.body.to, text: m.body.text }))).toEqual([{ to: '13800871234', text: '交办建议：短信通知测试：建议1\n\n请于 2026-06-01 前反馈办理结果。' }]);
    // The request (topic, suggestion, assignment: several round trips) was done long before the gateway answered.
    expect(requestMs).toBeLessThan(sms[before]!.at - started);
    // The gateway answered before the sender marked the message sent: wait for that commit.
    const row = await waitFor('marked sent', async () => {
      const rows = (await app.db.query(`select d.attempts, d.sent_at is not null as sent from notification_delivery d join app_user u on u.id = d.user_id where u.login = 'km.dept.sms'`)).rows;
      return rows.every((r) => r.sent) && rows;
    });
    expect(row).toEqual([{ attempts: 3, sent: true }]);
  }, 60_000);

  it('notificationAdded pushes a new notification over graphql-ws', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    const client = app.ws(await app.token('km.dept'));
    const got: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: `subscription { notificationAdded { kind title } }` }, { next: (v) => { got.push(v); resolve(); }, error: reject, complete: () => {} });
    });
    await new Promise((r) => setTimeout(r, 500));
    await assignedSuggestion('实时通知测试', '2026-06-01T00:00:00Z');
    await done;
    expect(got[0]).toEqual({ data: { notificationAdded: { kind: 'ASSIGNED', title: '交办建议：实时通知测试：建议1' } } });
  }, 60_000);

  it("a joint invitation: the invited committee's office is reminded its own reminderDays before respondBy, then told it is overdue, each once with two instances", async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    // 五华 reminds five days ahead (its settings); 盘龙 keeps the default three.
    await app.db.query(`update tenant set config = jsonb_set(config, '{notifications}', '{"reminderDays": 5}') where code = '530102'`);
    try {
      const call = app.as('km.staff');
      const project = ok(await call(Q.createProject, { input: projectInput('联动邀请答复提醒测试') }), 'createResearchProject');
      ok(await call(Q.move, { input: { id: project.id, to: 'INVITING' } }), 'moveResearchProject');
      const invited = ok<{ id: string; committee: { code: string } }[]>(await call(Q.invite, { input: { itemId: project.id, committeeCodes: ['530102', '530103'], respondBy: '2026-03-10' } }), 'inviteToResearch');
      const pl = invited.find((i) => i.committee.code === '530103')!.id;
      const kinds = ['DEADLINE_NEAR', 'OVERDUE'];
      const invitationNotices = async (login: string) => (await told(login, kinds)).filter((n) => n.item_type === 'JointParticipant');
      // respondBy 2026-03-10 ends at 00:00 of the 11th in China (16:00Z on the 10th): five days before is 16:00Z on the 5th.
      app.clock.set(new Date('2026-03-05T15:00:00Z'));
      await sweepTwice('530102', '530103');
      expect(await invitationNotices('wh.staff')).toEqual([]);
      app.clock.set(new Date('2026-03-05T17:00:00Z'));
      await sweepTwice('530102', '530103');
      await sweepTwice('530102', '530103');
      expect(await invitationNotices('wh.staff')).toEqual([{ kind: 'DEADLINE_NEAR', title: '联动邀请待答复：联动邀请答复提醒测试', body: '请于 2026-03-10 前答复是否参与。', item_type: 'JointParticipant' }]);
      expect(await invitationNotices('pl.staff')).toEqual([]);
      app.clock.set(new Date('2026-03-08T00:00:00Z'));
      await sweepTwice('530102', '530103');
      await sweepTwice('530102', '530103');
      expect((await invitationNotices('pl.staff')).map((n) => n.kind)).toEqual(['DEADLINE_NEAR']);
      expect((await invitationNotices('wh.staff')).map((n) => n.kind)).toEqual(['DEADLINE_NEAR']);
      // 盘龙 answers; 五华 does not.
      await answer(app, 'pl.staff', pl, true);
      app.clock.set(new Date('2026-03-10T16:00:01Z'));
      await sweepTwice('530102', '530103');
      await sweepTwice('530102', '530103');
      expect(await invitationNotices('wh.staff')).toEqual([
        { kind: 'DEADLINE_NEAR', title: '联动邀请待答复：联动邀请答复提醒测试', body: '请于 2026-03-10 前答复是否参与。', item_type: 'JointParticipant' },
        { kind: 'OVERDUE', title: '联动邀请逾期未答复：联动邀请答复提醒测试', body: '答复期限 2026-03-10 已过，请尽快答复是否参与。', item_type: 'JointParticipant' },
      ]);
      expect((await invitationNotices('pl.staff')).map((n) => n.kind)).toEqual(['DEADLINE_NEAR']);
      // The inviting committee is not the one asked to answer.
      expect(await invitationNotices('km.staff')).toEqual([]);
    } finally {
      await app.db.query(`update tenant set config = config - 'notifications' where code = '530102'`);
    }
  }, 120_000);

  it('a joint research project: the participants that have not submitted their contribution (office and team) are reminded before its end date, then told it is overdue; one that submitted is not', async () => {
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    const { id, invitation } = await projectWithInvitations(app, 'km.staff', '联合调研报送提醒测试', ['530102', '530103']);
    await answer(app, 'wh.staff', invitation['530102']!, true);
    await answer(app, 'pl.staff', invitation['530103']!, true);
    ok(await app.as('km.staff')(Q.move, { input: { id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
    const researcher = await app.createUser('pl.researcher', '530103', 'MEMBER', '盘龙区调研委员');
    ok(await app.as('pl.staff')(Q.team, { projectId: id, members: [{ userId: researcher, teamRole: '组长' }] }), 'setResearchTeam');
    ok(await app.as('wh.staff')(Q.contribute, { projectId: id, input: { title: '五华区子课题报告', body: '五华区县域经济调研情况。' } }), 'submitResearchContribution');
    const notices = async (login: string) => (await told(login, ['DEADLINE_NEAR', 'OVERDUE'])).filter((n) => n.item_type === 'ResearchProject');
    // End date 2026-10-31: due by 16:00Z that day; 盘龙's three days start at 16:00Z on the 28th.
    app.clock.set(new Date('2026-10-28T15:00:00Z'));
    await sweepTwice('530102', '530103');
    expect(await notices('pl.staff')).toEqual([]);
    app.clock.set(new Date('2026-10-29T01:00:00Z'));
    await sweepTwice('530100', '530102', '530103');
    await sweepTwice('530102', '530103');
    const near = { kind: 'DEADLINE_NEAR', title: '子课题报告即将截止：联合调研报送提醒测试', body: '本单位尚未提交子课题报告，课题结束日期为 2026-10-31。', item_type: 'ResearchProject' };
    expect(await notices('pl.staff')).toEqual([near]);
    expect(await notices('pl.researcher')).toEqual([near]);
    expect(await notices('wh.staff')).toEqual([]);
    expect(await notices('km.staff')).toEqual([]);
    app.clock.set(new Date('2026-11-01T00:00:00Z'));
    await sweepTwice('530100', '530102', '530103');
    await sweepTwice('530102', '530103');
    const overdue = { kind: 'OVERDUE', title: '子课题报告已逾期：联合调研报送提醒测试', body: '课题结束日期 2026-10-31 已过，本单位尚未提交子课题报告。', item_type: 'ResearchProject' };
    expect(await notices('pl.staff')).toEqual([near, overdue]);
    expect(await notices('pl.researcher')).toEqual([near, overdue]);
    expect(await notices('wh.staff')).toEqual([]);
  }, 120_000);

  it('a deliberation session and a meeting starting within 30 minutes: their participants are told once with two instances; a member asking for leave is not told of the meeting', async () => {
    app.clock.set(new Date('2026-03-02T00:00:00Z'));
    const session = ok(
      await app.as('km.staff')(`mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`, {
        input: { topicTitle: '推进老旧小区改造', title: '城市更新网络议政会', agenda: '一、通报情况；二、委员发言', startsAt: '2026-03-02T02:00:00Z', endsAt: '2026-03-02T04:00:00Z', participantIds: [toGlobalId('Tenant', await tenantId('530102'))] },
      }),
      'scheduleDeliberation',
    );
    for (const login of ['hy.confirm', 'hy.leave', 'hy.silent']) await app.createUser(login, '530102', 'MEMBER', login);
    const staff = app.as('wh.staff');
    const meeting = ok(
      await staff(`mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id venues { id } } }`, {
        i: { kind: 'SECTOR_ACTIVITY', title: '经济界委员座谈会', location: '五华区政协三楼会议室', startsAt: '2026-03-02T02:10:00Z', endsAt: '2026-03-02T04:00:00Z' },
      }),
      'scheduleMeeting',
    );
    const seat = async (login: string) => toGlobalId('MemberSeat', (await app.db.query(`select s.id from member_seat s join app_user u on u.id = s.user_id where u.login = $1`, [login])).rows[0].id);
    ok(await staff(`mutation($i: InviteToMeetingInput!) { inviteToMeeting(input: $i) { invited } }`, { i: { venue: meeting.venues[0].id, seats: [await seat('hy.confirm'), await seat('hy.leave'), await seat('hy.silent')] } }), 'inviteToMeeting');
    const attendance = async (login: string) => ok<any>(await app.as(login)(`{ myMeetingAttendances(first: 5) { edges { node { id } } } }`), 'myMeetingAttendances').edges[0].node.id as string;
    ok(await app.as('hy.confirm')(`mutation($id: ID!) { confirmMeetingAttendance(id: $id) { status } }`, { id: await attendance('hy.confirm') }), 'confirmMeetingAttendance');
    ok(await app.as('hy.leave')(`mutation($id: ID!, $r: String!) { requestMeetingLeave(id: $id, reason: $r) { status } }`, { id: await attendance('hy.leave'), r: '外出调研' }), 'requestMeetingLeave');

    const opening = async (login: string) => (await told(login, ['OPENING_SOON'])).map((n) => n.title);
    await sweepTwice('530100', '530102');
    expect(await opening('km.staff')).toEqual([]);
    // 09:31 China time: the session (10:00) is within 30 minutes, the meeting (10:10) not yet.
    app.clock.set(new Date('2026-03-02T01:31:00Z'));
    await sweepTwice('530100', '530102');
    await sweepTwice('530100', '530102');
    const sessionNotice = '网络议政会即将开始：城市更新网络议政会';
    expect(await told('wh.member', ['OPENING_SOON'], '530102')).toEqual([{ kind: 'OPENING_SOON', title: sessionNotice, body: '将于 10:00（北京时间）开始，请准时加入。', item_type: 'DeliberationSession' }]);
    expect(await opening('km.staff')).toEqual([sessionNotice]);
    expect(await opening('hy.silent')).toEqual([sessionNotice]);
    app.clock.set(new Date('2026-03-02T01:45:00Z'));
    await sweepTwice('530100', '530102');
    await sweepTwice('530100', '530102');
    const meetingNotice = { kind: 'OPENING_SOON', title: '会议即将开始：经济界委员座谈会', body: '将于 10:10（北京时间）在五华区政协三楼会议室开始。', item_type: 'Meeting' };
    expect((await told('hy.confirm', ['OPENING_SOON'])).filter((n) => n.item_type === 'Meeting')).toEqual([meetingNotice]);
    expect((await told('hy.silent', ['OPENING_SOON'])).filter((n) => n.item_type === 'Meeting')).toEqual([meetingNotice]);
    expect(await opening('hy.leave')).toEqual([sessionNotice]);
    expect(await opening('km.staff')).toEqual([sessionNotice]);
    // Once it has started, nothing more.
    app.clock.set(new Date('2026-03-02T02:20:00Z'));
    await sweepTwice('530100', '530102');
    expect(await opening('hy.confirm')).toEqual([sessionNotice, meetingNotice.title]);
    void session;
  }, 120_000);

  it('the daily digest: one per person and day, with their unread notifications of the last day and what falls due soon, by e-mail when allowed; none for someone with nothing to say', async () => {
    app.clock.set(new Date('2026-03-03T02:00:00Z'));
    await app.createUser('km.dept.digest', '530100', 'DEPARTMENT', '昆明市民政局');
    await app.createUser('km.dept.quiet', '530100', 'DEPARTMENT', '昆明市统计局');
    ok(await app.as('km.dept.digest')(`mutation { setNotificationPreferences(input: { email: "minzheng@km.gov.cn" }) { email } }`), 'setNotificationPreferences');
    await assignedSuggestion('每日摘要测试', '2026-03-05T00:00:00Z', 'km.dept.digest');
    const mailsTo = () => mails.filter((m) => m.to === 'minzheng@km.gov.cn').map((m) => m.subject);
    await waitFor('assigned mail', async () => mailsTo().length === 1);
    await idle();
    // The deadline is within the reminder days: the reminder exists before the digest runs (the worker's own
    // every-minute sweep may make it first; it is made once either way).
    await sweepTwice('530100');
    await waitFor('reminder mail', async () => mailsTo().length === 2);
    const km = await tenantId('530100');
    // 08:00 on the 4th in China, the cron's hour. Both instances run the committee's digest job (as a retry or a second worker would).
    app.clock.set(new Date('2026-03-04T00:00:00Z'));
    for (const jobs of [app.running.jobs, second.jobs, app.running.jobs]) {
      await jobs.add('notification.digest-committee', { tenantId: km, day: '2026-03-04' });
      await idle();
    }
    const digest = {
      kind: 'DIGEST',
      title: '每日摘要（2026-03-04）：2 条未读，1 项即将到期',
      body: '未读通知 2 条：\n· 交办建议：每日摘要测试：建议1\n· 即将到期：每日摘要测试：建议1\n近期到期 1 项：\n· 每日摘要测试：建议1（2026-03-05 到期）',
      item_type: null,
    };
    expect(await told('km.dept.digest', ['DIGEST'])).toEqual([digest]);
    expect(await told('km.dept.quiet', ['DIGEST'])).toEqual([]);
    await waitFor('digest mail', async () => mailsTo().length === 3);
    // The scheduled fan-out for the same day finds it made already.
    // That fan-out makes a job per committee (a reader context only for people with something to say).
    await app.running.jobs.add('notification.digest');
    await idle(240_000);
    await new Promise((r) => setTimeout(r, 500));
    await idle(240_000);
    expect(await told('km.dept.digest', ['DIGEST'])).toEqual([digest]);
    expect(mailsTo()).toEqual(['【昆明市政协】交办建议：每日摘要测试：建议1', '【昆明市政协】即将到期：每日摘要测试：建议1', `【昆明市政协】${digest.title}`]);
    const inboxDigest = ok<any>(await app.as('km.dept.digest')(`{ notifications(first: 1) { edges { node { kind itemId item { id } } } } }`), 'notifications').edges[0].node;
    expect(inboxDigest).toEqual({ kind: 'DIGEST', itemId: null, item: null });
    // Read everything; the next morning the deadline has passed: nothing to say, no digest.
    app.clock.set(new Date('2026-03-05T00:00:00Z'));
    await sweepTwice('530100');
    expect((await told('km.dept.digest', ['OVERDUE'])).length).toBe(1);
    ok(await app.as('km.dept.digest')(`mutation { markNotificationsRead }`), 'markNotificationsRead');
    await second.jobs.add('notification.digest-committee', { tenantId: km, day: '2026-03-05' });
    await idle();
    expect((await told('km.dept.digest', ['DIGEST'])).map((n) => n.title)).toEqual([digest.title]);
  }, 600_000);

  it('an instance killed mid-delivery (a real process, SIGKILLed while the SMTP server withholds its answer to DATA) leaves the message to the others once its lease runs out; it is sent once', async () => {
    // 10:00 China time; quiet hours 09:00–11:00 hold the message until 03:00Z, so only the process started below takes it first.
    app.clock.set(new Date('2026-03-01T02:00:00Z'));
    await app.createUser('km.dept.kill', '530100', 'DEPARTMENT', '昆明市审计局');
    ok(await app.as('km.dept.kill')(`mutation { setNotificationPreferences(input: { email: "shenji@km.gov.cn", quietFrom: 540, quietTo: 660 }) { email } }`), 'setNotificationPreferences');
    await assignedSuggestion('中断投递测试', '2026-06-01T00:00:00Z', 'km.dept.kill');
    await waitFor('assigned notice', async () => (await inbox('km.dept.kill')).length === 1);
    await idle();
    const [d] = (await app.db.query(`select d.id, d.tenant_id, d.not_before, d.sent_at, d.attempts from notification_delivery d join app_user u on u.id = d.user_id where u.login = 'km.dept.kill'`)).rows;
    expect({ notBefore: d.not_before.toISOString(), sent: d.sent_at, attempts: d.attempts }).toEqual({ notBefore: '2026-03-01T03:00:00.000Z', sent: null, attempts: 0 });

    // An SMTP server that greets, takes the envelope, and never answers DATA.
    const hung = { connections: 0, data: 0 };
    const sockets: net.Socket[] = [];
    const hang = net.createServer((socket) => {
      hung.connections++;
      sockets.push(socket);
      socket.write('220 hang.test ESMTP\r\n');
      let buf = '';
      socket.on('data', (chunk) => {
        buf += chunk.toString('utf8');
        for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO') socket.write('250 hang.test\r\n');
          else if (verb === 'MAIL' || verb === 'RCPT') socket.write('250 OK\r\n');
          else if (verb === 'DATA') hung.data++;
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const hangPort = (hang.address() as net.AddressInfo).port;
    const holder = `killed-${randomUUID()}`;
    const root = new URL('../..', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/delivery-process.ts', JSON.stringify({
      config: { databaseUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, smtpUrl: `smtp://127.0.0.1:${hangPort}`, deliveryLeaseSeconds: 60 },
      now: '2026-03-01T03:00:05Z',
      tenantId: d.tenant_id,
      deliveryId: d.id,
      holder,
    })], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<NodeJS.Signals | number | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
    try {
      await waitFor(`the other process holding the lease inside DATA (${out})`, async () => {
        if (child.exitCode !== null) throw new Error(`the delivery process ended: ${out}`);
        const [row] = (await app.db.query('select leased_by from notification_delivery where id = $1', [d.id])).rows;
        return row.leased_by === holder && hung.data === 1;
      }, 90_000);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(out).not.toContain('"step":"done"');
    const leased = (await app.db.query('select sent_at, leased_by, lease_until, attempts from notification_delivery where id = $1', [d.id])).rows[0];
    expect({ ...leased, lease_until: leased.lease_until.toISOString() }).toEqual({ sent_at: null, leased_by: holder, lease_until: '2026-03-01T03:01:05.000Z', attempts: 1 });
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hang.close(() => r()));

    const sent = () => mails.filter((m) => m.to === 'shenji@km.gov.cn');
    // While its lease runs, neither surviving instance sends it.
    app.clock.set(new Date('2026-03-01T03:00:30Z'));
    await sweepTwice();
    expect(sent()).toEqual([]);
    // Once it has run out, one of them does, once.
    app.clock.set(new Date('2026-03-01T03:01:06Z'));
    await sweepTwice();
    await waitFor('mail from a surviving instance', async () => sent().length === 1);
    await sweepTwice();
    app.clock.set(new Date('2026-03-01T03:10:00Z'));
    await sweepTwice();
    expect(sent().map((m) => m.subject)).toEqual(['【昆明市政协】交办建议：中断投递测试：建议1']);
    const after = (await app.db.query('select sent_at is not null as sent, attempts, leased_by <> $2 as taken_over from notification_delivery where id = $1', [d.id, holder])).rows;
    expect(after).toEqual([{ sent: true, attempts: 2, taken_over: true }]);
    expect(hung).toEqual({ connections: 1, data: 1 });
  }, 180_000);

  it('quiet hours and the reminder days setting', () => {
    // 22:00–07:00 China time: 23:30 (15:30Z) waits until 07:00 (23:00Z).
    expect(afterQuietHours(new Date('2026-03-01T15:30:00Z'), 22 * 60, 7 * 60).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(afterQuietHours(new Date('2026-03-01T03:00:00Z'), 22 * 60, 7 * 60).toISOString()).toBe('2026-03-01T03:00:00.000Z');
    expect(reminderDays({ notifications: { reminderDays: 5 } })).toBe(5);
    expect(reminderDays({})).toBe(3);
  });
});

describe('notifications with the ORM filter off: row-level security alone keeps inboxes apart', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await startTestApp({ ormTenantFilter: false, jobsWorker: false });
  }, 120_000);
  afterAll(() => bare?.stop());

  it("a person reads only their own inbox for the committee they act for: not a colleague's, not another committee's", async () => {
    const uid = async (login: string) => (await bare.db.query('select id, tenant_id from app_user where login = $1', [login])).rows[0];
    const put = async (login: string, title: string) => {
      const u = await uid(login);
      const t = (await bare.db.query('select id, province_id, city_id from tenant where id = $1', [u.tenant_id])).rows[0];
      await bare.db.query(
        `insert into notification (id, tenant_id, province_id, city_id, user_id, kind, title, dedupe_key, created_at) values (app_uuid7(now()), $1, $2, $3, $4, 'ASSIGNED', $5, $5, now())`,
        [t.id, t.province_id, t.city_id, u.id, title],
      );
    };
    await put('wh.staff', '五华区的通知');
    await put('wh.leader', '五华区领导的通知');
    await put('pl.staff', '盘龙区的通知');
    await put('km.staff', '昆明市的通知');
    const read = async (login: string, code?: string) => ok(await bare.as(login, code)(`{ unreadNotificationCount notifications { edges { node { title } } } }`), 'notifications');
    expect(await read('wh.staff')).toEqual({ edges: [{ node: { title: '五华区的通知' } }] });
    expect(await read('wh.leader')).toEqual({ edges: [{ node: { title: '五华区领导的通知' } }] });
    expect(await read('pl.staff')).toEqual({ edges: [{ node: { title: '盘龙区的通知' } }] });
    expect(await read('km.staff')).toEqual({ edges: [{ node: { title: '昆明市的通知' } }] });
    expect(await read('yn.staff')).toEqual({ edges: [] });
    // wh.member acting for 昆明 (a seat there) sees nothing of 五华's, nor of anyone in 昆明.
    expect(await read('wh.member', '530100')).toEqual({ edges: [] });
    const counts = await bare.as('wh.staff')(`{ unreadNotificationCount }`);
    expect(counts.body.data).toEqual({ unreadNotificationCount: 1 });
    expect(ok(await bare.as('wh.leader')(`mutation { markNotificationsRead }`), 'markNotificationsRead')).toBe(1);
    expect(ok(await bare.as('wh.staff')(`{ unreadNotificationCount }`), 'unreadNotificationCount')).toBe(1);

    // The committee's own background work (no user: the digest choosing who has anything unread) reads its
    // people's inboxes, and no other committee's; it still cannot write into anyone's.
    const asCommittee = async <T>(code: string, sql: string, params: unknown[] = []): Promise<T[]> => {
      const t = (await bare.db.query('select id from tenant where code = $1', [code])).rows[0].id as string;
      const em = bare.running.orm.em.fork();
      await em.begin();
      try {
        await em.execute(rlsScopeSql({ tenantId: t }));
        return await em.execute<T[]>(sql, params);
      } finally {
        await em.rollback();
      }
    };
    const titles = async (code: string) => (await asCommittee<{ title: string }>(code, 'select title from notification')).map((r) => r.title).sort();
    expect(await titles('530102')).toEqual(['五华区的通知', '五华区领导的通知'].sort());
    expect(await titles('530103')).toEqual(['盘龙区的通知']);
    expect(await titles('530100')).toEqual(['昆明市的通知']);
    expect(await titles('530000')).toEqual([]);
    const staff = await uid('wh.staff');
    const t = (await bare.db.query('select id, province_id, city_id from tenant where id = $1', [staff.tenant_id])).rows[0];
    await expect(
      asCommittee('530102', `insert into notification (id, tenant_id, province_id, city_id, user_id, kind, title, dedupe_key, created_at) values (app_uuid7(now()), ?, ?, ?, ?, 'ASSIGNED', '代写的通知', 'x', now())`, [t.id, t.province_id, t.city_id, staff.id]),
    ).rejects.toThrow(/row-level security/);
  }, 60_000);
});
