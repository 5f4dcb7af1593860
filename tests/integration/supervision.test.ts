import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { startTestApp, codeOf, TEST_LOCALE, type TestApp } from '../helpers/app.js';
import { toGlobalId } from '../../src/core/global-id.js';

/*
 * The supervision ledger (督查督办) through the API: tasks from an instruction and a consultation outcome,
 * progress by the unit responsible, closure with evidence (销号) on time and late, the ledger's filters, the
 * 督查专报 and its export, the figures in the roll-up, and isolation with the ORM filter on and off.
 */

const Q = {
  open: `mutation($i: OpenSupervisionTaskInput!) { openSupervisionTask(input: $i) { id title source ownerUnit status overdue closedOnTime owner { name } sourceRecord { id } } }`,
  progress: `mutation($id: ID!, $b: String!) { reportSupervisionProgress(id: $id, body: $b) { lastProgressAt progress { body reporterName } } }`,
  close: `mutation($id: ID!, $e: String!) { closeSupervisionTask(id: $id, evidence: $e) { status closedAt closedOnTime closureEvidence } }`,
  ledger: `query($f: SupervisionLedgerFilter) { supervisionLedger(first: 50, filter: $f) { totalCount edges { node { title status overdue } } } }`,
  report: `query($p: String!) { supervisionReport(period: $p) { tenantName period issued closedOnTime closedLate closed { title } late { title ownerUnit } byUnit { ownerUnit issued closed closedOnTime closedLate overdue } } }`,
};
const ok = <T = any>(r: { body: { data?: any; errors?: unknown[] } }, field: string): T => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data[field] as T;
};
const userGid = async (app: TestApp, login: string) => toGlobalId('User', (await app.db.query('select id from app_user where login = $1', [login])).rows[0].id);
/** The handling unit a DEPARTMENT account belongs to. */
const unitGid = async (app: TestApp, login: string) => toGlobalId('HandlingUnit', (await app.db.query('select unit_id from app_user where login = $1', [login])).rows[0].unit_id);

describe('the 五华 supervision ledger: from instruction to 销号, the report and the roll-up', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await app.createUser('wh.dept2', '530102', 'DEPARTMENT', '五华区住房和城乡建设局');
  });
  afterAll(() => app.stop());

  it('opens, reports, closes on time and late, and every view agrees', async () => {
    const staff = app.as('wh.staff');
    app.clock.set(new Date('2026-03-02T01:00:00Z'));
    const dept = await unitGid(app, 'wh.dept');
    const dept2 = await unitGid(app, 'wh.dept2');
    const opinion = ok<any>(await staff(`mutation($i: SubmitOpinionInput!) { submitOpinion(input: $i) { id } }`, { i: { title: '关于老旧小区加装电梯的建议', content: '群众反映加装电梯审批环节多、周期长。' } }), 'submitOpinion').id;
    const a = ok<any>(
      await staff(Q.open, {
        i: { source: 'INSTRUCTION', sourceRecord: opinion, title: '落实区委书记关于老旧小区加装电梯的批示', requirement: '请区住建局牵头研究简化审批流程', owner: dept2, deadline: '2026-03-31T09:00:00Z' },
      }),
      'openSupervisionTask',
    );
    expect({ ...a, id: undefined }).toEqual({
      id: undefined,
      title: '落实区委书记关于老旧小区加装电梯的批示',
      source: 'INSTRUCTION',
      ownerUnit: '五华区住房和城乡建设局单位',
      status: 'OPEN',
      overdue: false,
      closedOnTime: null,
      owner: { name: '五华区住房和城乡建设局单位' },
      sourceRecord: { id: opinion },
    });
    const b = ok<any>(await staff(Q.open, { i: { source: 'CONSULTATION_OUTCOME', title: '“双减”课后服务协商建议落实', requirement: '按协商意见完善课后服务收费标准', owner: dept, deadline: '2026-03-20T09:00:00Z' } }), 'openSupervisionTask');
    const c = ok<any>(await staff(Q.open, { i: { source: 'RESEARCH_OUTCOME', title: '校园周边交通安全调研成果转化', requirement: '制定校园周边交通整治方案', owner: dept, deadline: '2026-04-30T09:00:00Z' } }), 'openSupervisionTask');

    // Wrong source record type, a non-department owner, a past deadline, other roles.
    expect(codeOf(await staff(Q.open, { i: { source: 'RESEARCH_OUTCOME', sourceRecord: opinion, title: '错误来源事项', requirement: '要求', owner: dept, deadline: '2026-04-30T09:00:00Z' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await staff(Q.open, { i: { source: 'INSTRUCTION', title: '非承办单位事项', requirement: '要求', owner: await userGid(app, 'wh.member'), deadline: '2026-04-30T09:00:00Z' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await staff(Q.open, { i: { source: 'INSTRUCTION', title: '他区承办单位', requirement: '要求', owner: await unitGid(app, 'pl.dept'), deadline: '2026-04-30T09:00:00Z' } }))).toBe('NOT_FOUND');
    expect(codeOf(await staff(Q.open, { i: { source: 'INSTRUCTION', title: '时限已过事项', requirement: '要求', owner: dept, deadline: '2026-03-01T09:00:00Z' } }))).toBe('BAD_USER_INPUT');
    for (const login of ['wh.member', 'wh.leader', 'wh.dept']) {
      expect({ login, code: codeOf(await app.as(login)(Q.open, { i: { source: 'INSTRUCTION', title: '越权事项', requirement: '要求', owner: dept, deadline: '2026-04-30T09:00:00Z' } })) }).toEqual({ login, code: 'FORBIDDEN' });
    }
    expect(codeOf(await app.as('wh.member')(Q.ledger, {}))).toBe('FORBIDDEN');

    // The unit responsible reports progress on its own tasks only; the office closes with evidence.
    app.clock.set(new Date('2026-03-10T02:00:00Z'));
    const p = ok<any>(await app.as('wh.dept2')(Q.progress, { id: a.id, b: '已召开专题会，拟定简化审批方案初稿' }), 'reportSupervisionProgress');
    expect(p).toEqual({ lastProgressAt: '2026-03-10T02:00:00.000Z', progress: [{ body: '已召开专题会，拟定简化审批方案初稿', reporterName: '五华区住房和城乡建设局' }] });
    expect(codeOf(await app.as('wh.dept2')(Q.progress, { id: b.id, b: '不是我的事项' }))).toBe('NOT_FOUND');
    expect(codeOf(await app.as('wh.dept')(Q.close, { id: b.id, e: '自己销号' }))).toBe('FORBIDDEN');
    expect(codeOf(await staff(Q.close, { id: b.id, e: '  ' }))).toBe('BAD_USER_INPUT');
    expect(ok<any>(await app.as('wh.dept')(Q.ledger, {}), 'supervisionLedger').edges.map((e: any) => e.node.title).sort()).toEqual([b.title, c.title].sort());

    app.clock.set(new Date('2026-03-25T02:00:00Z'));
    expect(ok<any>(await staff(Q.ledger, { f: { overdue: true } }), 'supervisionLedger').edges.map((e: any) => e.node.title)).toEqual([b.title]);
    const closedA = ok<any>(await staff(Q.close, { id: a.id, e: '《五华区老旧小区加装电梯审批工作指引》已印发' }), 'closeSupervisionTask');
    expect(closedA).toEqual({ status: 'CLOSED', closedAt: '2026-03-25T02:00:00.000Z', closedOnTime: true, closureEvidence: '《五华区老旧小区加装电梯审批工作指引》已印发' });
    expect(codeOf(await staff(Q.close, { id: a.id, e: '再次销号' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(await app.as('wh.dept2')(Q.progress, { id: a.id, b: '销号后报送' }))).toBe('INVALID_TRANSITION');
    app.clock.set(new Date('2026-04-03T02:00:00Z'));
    expect(ok<any>(await staff(Q.close, { id: b.id, e: '收费标准已经区发改局批复' }), 'closeSupervisionTask').closedOnTime).toBe(false);

    const f = async (filter: Record<string, unknown>) => ok<any>(await staff(Q.ledger, { f: filter }), 'supervisionLedger').edges.map((e: any) => e.node.title);
    expect(await f({ status: 'CLOSED' })).toEqual([b.title, a.title]);
    expect(await f({ status: 'OPEN' })).toEqual([c.title]);
    expect(await f({ source: 'RESEARCH_OUTCOME' })).toEqual([c.title]);
    expect(await f({ owner: dept })).toEqual([b.title, c.title]);
    expect(await f({ deadlineFrom: '2026-03-25T00:00:00Z', deadlineTo: '2026-04-01T00:00:00Z' })).toEqual([a.title]);
    expect(await f({ overdue: false })).toEqual([b.title, a.title, c.title]);

    // The report of March, read in April: A closed on time; B late at the end of March and closed in April.
    app.clock.set(new Date('2026-05-05T02:00:00Z'));
    const march = ok<any>(await staff(Q.report, { p: '2026-03' }), 'supervisionReport');
    expect(march).toEqual({
      tenantName: '五华区政协',
      period: '2026-03',
      issued: 3,
      closedOnTime: 1,
      closedLate: 0,
      closed: [{ title: a.title }],
      late: [{ title: b.title, ownerUnit: '五华区教育体育局' }],
      byUnit: march.byUnit,
    });
    const april = ok<any>(await staff(Q.report, { p: '2026-04' }), 'supervisionReport');
    expect({ closed: april.closed, closedLate: april.closedLate, late: april.late.map((t: any) => t.title) }).toEqual({ closed: [{ title: b.title }], closedLate: 1, late: [c.title] });
    const q2 = ok<any>(await staff(Q.report, { p: '2026-Q2' }), 'supervisionReport');
    expect(q2.late.map((t: any) => t.title)).toEqual([c.title]);
    expect(codeOf(await staff(Q.report, { p: '2026-13' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.as('wh.dept')(Q.report, { p: '2026-03' }))).toBe('FORBIDDEN');
    const units = Object.fromEntries(march.byUnit.map((u: any) => [u.ownerUnit, u]));
    expect(units['五华区住房和城乡建设局单位']).toEqual({ ownerUnit: '五华区住房和城乡建设局单位', issued: 1, closed: 1, closedOnTime: 1, closedLate: 0, overdue: 0 });
    expect(units['五华区教育体育局']).toEqual({ ownerUnit: '五华区教育体育局', issued: 2, closed: 0, closedOnTime: 0, closedLate: 0, overdue: 1 });

    // The roll-up: tasks by issue month, closures by closing month, on-time rate, overdue at the deadline.
    const roll = ok<any>(await staff(`{ rollup(period: "2026") { own { metrics { metric value } rates { rate numerator denominator value } } } }`), 'rollup');
    const m = Object.fromEntries(roll.own.metrics.filter((x: any) => x.metric.startsWith('supervision.')).map((x: any) => [x.metric, x.value]));
    expect(m).toEqual({ 'supervision.tasks': 3, 'supervision.closed': 2, 'supervision.closed_on_time': 1, 'supervision.overdue': 2 });
    expect(roll.own.rates.find((r: any) => r.rate === 'supervision.on_time_rate')).toEqual({ rate: 'supervision.on_time_rate', numerator: 1, denominator: 2, value: 0.5 });
    const city = ok<any>(await app.as('km.staff')(`{ rollup(period: "2026") { subtree { metrics { metric value } } } }`), 'rollup');
    expect(city.subtree.metrics.find((x: any) => x.metric === 'supervision.tasks').value).toBeGreaterThanOrEqual(3);

    // The export: the same report as CSV and .xlsx, in the caller's context.
    const token = await app.token('wh.staff');
    const csv = await fetch(`${app.url.replace(/\/graphql$/, '')}/export/supervision-report.csv?period=2026-03`, { headers: { authorization: `Bearer ${token}`, 'accept-language': TEST_LOCALE } });
    expect(csv.status).toBe(200);
    const body = Buffer.from(await csv.arrayBuffer()).toString('utf8');
    expect(body.startsWith('\uFEFF五华区政协督查专报')).toBe(true);
    expect(body).toContain('本期交办 3 项，销号 1 项（按期 1 项，逾期 0 项），逾期未销号 1 项');
    expect(body).toContain(`${a.title},领导批示,五华区住房和城乡建设局单位,2026-03-02,2026-03-31,2026-03-25,按期销号`);
    const xlsx = await fetch(`${app.url.replace(/\/graphql$/, '')}/export/supervision-report.xlsx?period=2026-03`, { headers: { authorization: `Bearer ${token}` } });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['督查专报', '本期销号', '逾期未销号']);
    expect(wb.getWorksheet('逾期未销号')!.getRow(2).getCell(1).value).toBe(b.title);
    const denied = await fetch(`${app.url.replace(/\/graphql$/, '')}/export/supervision-report.csv?period=2026-03`, { headers: { authorization: `Bearer ${await app.token('wh.member')}`, 'accept-language': TEST_LOCALE } });
    expect({ status: denied.status, code: ((await denied.json()) as any).errors[0].extensions.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    const anonymous = await fetch(`${app.url.replace(/\/graphql$/, '')}/export/supervision-report.csv?period=2026-03`);
    expect(anonymous.status).toBe(401);
    const badPeriod = await fetch(`${app.url.replace(/\/graphql$/, '')}/export/supervision-report.csv?period=soon`, { headers: { authorization: `Bearer ${token}` } });
    expect(badPeriod.status).toBe(400);
  });
});

for (const ormTenantFilter of [true, false]) {
  describe(`supervision isolation: 盘龙 (sibling), 昆明 (parent), 云南 (province) (ORM filter ${ormTenantFilter ? 'on' : 'off: RLS alone'})`, () => {
    let app: TestApp;
    let task: string;
    let progress: string;
    beforeAll(async () => {
      app = await startTestApp({ ormTenantFilter });
      app.clock.set(new Date('2026-03-02T01:00:00Z'));
      const t = ok<any>(
        await app.as('wh.staff')(Q.open, { i: { source: 'INSTRUCTION', title: '落实区长关于背街小巷整治的批示', requirement: '月底前完成整治', owner: await unitGid(app, 'wh.dept'), deadline: '2026-03-31T09:00:00Z' } }),
        'openSupervisionTask',
      );
      task = t.id;
      ok(await app.as('wh.dept')(Q.progress, { id: task, b: '已完成摸底' }), 'reportSupervisionProgress');
      progress = toGlobalId('SupervisionProgress', (await app.db.query('select id from supervision_progress')).rows[0].id);
    });
    afterAll(() => app.stop());

    it('runs with the ORM filter as configured', () => {
      expect(app.running.orm.config.get('filters').tenant!.default).toBe(ormTenantFilter);
    });

    it('no other committee reads the task, its progress or its figures line by line; writes are NOT_FOUND like a missing id', async () => {
      const missing = toGlobalId('SupervisionTask', '00000000-0000-7000-8000-000000000000');
      for (const login of ['pl.staff', 'pl.dept', 'km.staff', 'yn.staff']) {
        for (const id of [task, progress]) expect({ login, node: (await app.as(login)(`query($id: ID!) { node(id: $id) { id } }`, { id })).body.data.node }).toEqual({ login, node: null });
        if (!login.endsWith('.dept')) {
          expect({ login, n: ok<any>(await app.as(login)(Q.ledger, {}), 'supervisionLedger').totalCount }).toEqual({ login, n: 0 });
          expect({ login, closed: ok<any>(await app.as(login)(Q.report, { p: '2026' }), 'supervisionReport').late }).toEqual({ login, closed: [] });
        }
        for (const [q, v] of [[Q.progress, { b: '越界报送' }], [Q.close, { e: '越界销号' }]] as const) {
          const a = await app.as(login)(q, { id: task, ...v });
          const b = await app.as(login)(q, { id: missing, ...v });
          const code = codeOf(a);
          expect({ login, code: code === 'FORBIDDEN' ? 'NOT_FOUND' : code, same: JSON.stringify(a.body.errors) === JSON.stringify(b.body.errors) }).toEqual({ login, code: 'NOT_FOUND', same: true });
        }
      }
      expect((await app.db.query('select status, count(*)::int n from supervision_progress p join supervision_task t on t.id = p.task_id group by 1')).rows).toEqual([{ status: 'OPEN', n: 1 }]);
    });
  });
}
