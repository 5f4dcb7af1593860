import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import http from 'node:http';
import { SMTPServer } from 'smtp-server';
import { boot, type Running } from '../../src/app/boot.js';
import { loadConfig } from '../../src/core/config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TEST_JWT_SECRET } from '../helpers/global-setup.js';
import { Q, ok, topicOf } from '../helpers/joint.js';
import { toGlobalId } from '../../src/core/global-id.js';
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
const idle = () => waitFor('jobs done', async () => (await pendingJobs()) === 0 && (await app.db.query(`select count(*)::int n from graphile_worker.jobs where locked_at is not null`)).rows[0].n === 0);
const inbox = async (login: string) =>
  (await app.db.query(`select n.kind, n.title, n.item_type from notification n join app_user u on u.id = n.user_id where u.login = $1 order by n.id`, [login])).rows;
const tenantId = async (code: string) => (await app.db.query('select id from tenant where code = $1', [code])).rows[0].id as string;
const userUuid = async (login: string) => (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id as string;
/** Both instances sweep 昆明 (two jobs, run by whichever worker takes each). */
const sweepTwice = async () => {
  const t = await tenantId('530100');
  await app.running.jobs.add('notification.sweep-committee', { tenantId: t });
  await idle();
  await second.jobs.add('notification.sweep-committee', { tenantId: t });
  await idle();
};

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
  secondConfig = loadConfig({}, { port: 0, host: '127.0.0.1', databaseUrl: app.dbUrl, jwtSecret: TEST_JWT_SECRET, seedDemo: false, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, smsGatewayUrl: smsUrl, jobsPollMs: 200 });
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
    const deps = { orm: app.running.orm, kernel: (await import('../../src/app/boot.js')).application().kernel, jwtSecret: TEST_JWT_SECRET, clock: app.clock, config: loadConfig({}, {}), log: pino({ level: 'silent' }) };
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

  it('e-mail reaches the SMTP server once with its Chinese subject; a lease held by a dead instance passes to the other when it runs out', async () => {
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

    // A delivery leased by an instance that then died: nobody sends it while the lease runs, the other does after.
    await app.db.query(`update notification_delivery set sent_at = null, leased_by = 'dead-instance', lease_until = $1, attempts = 1`, [new Date('2026-03-01T02:01:00Z')]);
    const count = mails.length;
    await sweepTwice();
    expect(mails.length).toBe(count);
    app.clock.set(new Date('2026-03-01T02:01:01Z'));
    await sweepTwice();
    await waitFor('resent mail', async () => mails.length === count + 1);
    await sweepTwice();
    expect(mails.length).toBe(count + 1);
    const row = (await app.db.query(`select sent_at is not null as sent, attempts, leased_by <> 'dead-instance' as taken_over from notification_delivery`)).rows;
    expect(row).toEqual([{ sent: true, attempts: 2, taken_over: true }]);
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
  }, 60_000);
});
