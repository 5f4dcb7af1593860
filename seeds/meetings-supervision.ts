import pg from 'pg';
import { DEMO_COMMITTEES, readPerCommittee } from './owner-reads.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../src/core/config.js';
import { ManualClock } from '../src/core/clock.js';
import { runInContext, type Context, type Kernel } from '../src/core/context.js';
import { signToken } from '../src/core/auth.js';
import { toGlobalId } from '../src/core/global-id.js';
import * as meetings from '../src/modules/meeting/meeting.service.js';
import * as changes from '../src/modules/meeting/meeting.changes.js';
import { MeetingAttendance, MeetingKind, type Meeting } from '../src/modules/meeting/meeting.entities.js';
import * as supervision from '../src/modules/supervision/supervision.service.js';
import { SupervisionSource } from '../src/modules/supervision/supervision.entities.js';
import { createUnit } from '../src/modules/unit/unit.service.js';

interface Deps {
  /** The clock's now: what happened, happened before it; what is scheduled lies after it. */
  now?: Date;
  orm: MikroORM;
  kernel: Kernel;
  ownerUrl: string;
  jwtSecret: string;
  config: Config;
  log: Logger;
}

/** The 五华 members' home activity: its presence means the story was told already. */
export const MEETINGS_MARKER = '“委员之家”协商议事活动：老旧小区加装电梯';
const DAY = 86_400_000;

/**
 * Demo meetings and supervision tasks, told through the platform's own services like the joint work: each
 * step as a demo user in its own transaction, under RLS, on a clock that moves from 75 days before `now` to
 * the day before it. Held meetings have their confirmations, leave and check-ins (so their attendance is in
 * the archive and the roll-up); two lie ahead (a remote consultation, and a 五华 standing-committee meeting
 * moved by three days). The ledger has a task from a 批示 closed on time (销号), one from a consultation
 * outcome past its deadline, and two running. Idempotent: skipped when 五华's members' home activity exists.
 * Needs the joint-work story (its consultation topic and research project are sources here).
 */
export async function seedMeetingsAndSupervision(deps: Deps): Promise<boolean> {
  const owner = new pg.Client({ connectionString: deps.ownerUrl });
  await owner.connect();
  let users: Map<string, { id: string; tenant_id: string; unit_id: string | null }>;
  let seats: Map<string, string>;
  let codes: Map<string, string>;
  let opinion: { id: string; title: string } | undefined;
  let topic: { id: string } | undefined;
  let project: { id: string } | undefined;
  let cdxUnitId: string | undefined;
  try {
    if ((await readPerCommittee(owner, ['530102'], 'select 1 from meeting where tenant_id = app_tenant() and title = $1', [MEETINGS_MARKER])).length) return false;
    users = new Map((await readPerCommittee<{ login: string; id: string; tenant_id: string; unit_id: string | null }>(owner, DEMO_COMMITTEES, 'select login, id, tenant_id, unit_id from app_user where tenant_id = app_tenant()')).map((r) => [r.login, r]));
    seats = new Map((await readPerCommittee<{ code: string; login: string; id: string }>(owner, DEMO_COMMITTEES, 'select t.code, u.login, s.id from member_seat s join tenant t on t.id = s.tenant_id join app_user u on u.id = s.user_id where s.tenant_id = app_tenant()')).map((r) => [`${r.code}:${r.login}`, r.id]));
    codes = new Map((await owner.query('select code, id from tenant')).rows.map((r) => [r.code, r.id]));
    [opinion] = await readPerCommittee<{ id: string; title: string }>(owner, ['530102'], 'select id, title from opinion where tenant_id = app_tenant() order by submitted_at desc limit 1');
    [topic] = await readPerCommittee<{ id: string }>(owner, ['530100'], `select id from consultation_topic where tenant_id = app_tenant() and title = '推进城市更新和老旧小区改造'`);
    cdxUnitId = (await readPerCommittee<{ id: string }>(owner, ['130821'], `select id from handling_unit where tenant_id = app_tenant() and name = '承德县农业农村局'`))[0]?.id;
    [project] = await readPerCommittee<{ id: string }>(owner, ['530000'], `select id from research_project where tenant_id = app_tenant() and title = '推进高原特色现代农业高质量发展三级政协联动调研'`);
  } finally {
    await owner.end();
  }
  const now = deps.now ?? new Date();
  const clock = new ManualClock(new Date(now.getTime() - 75 * DAY));
  /** `days` from now at `h`:`m` China time (UTC+8). */
  const day = (days: number, h = 9, m = 0) => {
    const d = new Date(now.getTime() + days * DAY);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h - 8, m));
  };
  const on = (days: number, h = 9, m = 0) => clock.set(day(days, h, m));
  const as = async <T>(login: string, fn: (ctx: Context) => Promise<T>, actingFor?: string): Promise<T> => {
    const u = users.get(login);
    if (!u) throw new Error(`seed: no demo user ${login}`);
    const token = await signToken(deps.jwtSecret, { sub: u.id, tid: actingFor ? codes.get(actingFor)! : u.tenant_id });
    return runInContext({ ...deps, clock }, `Bearer ${token}`, 'seed', fn);
  };
  const seat = (code: string, login: string) => {
    const s = seats.get(`${code}:${login}`);
    if (!s) throw new Error(`seed: ${login} has no seat on ${code}`);
    return toGlobalId('MemberSeat', s);
  };
  const unit = (login: string) => toGlobalId('HandlingUnit', users.get(login)!.unit_id!);

  /** Schedule, invite to the host's venue and send the notice, as the host's office. */
  const hold = async (office: string, input: { kind: MeetingKind; title: string; location: string; startsAt: Date; endsAt: Date; remote?: boolean; participantCodes?: string[] }) =>
    as(office, (ctx) => meetings.scheduleMeeting(ctx, input));
  const inviteAll = async (office: string, code: string, m: Meeting, logins: string[]) => {
    const venue = await as(office, async (ctx) => (await meetings.venuesOf(ctx, m)).find((v) => v.tenantId === codes.get(code))!);
    const gid = toGlobalId('MeetingVenue', venue.id);
    await as(office, (ctx) => meetings.inviteToMeeting(ctx, { venue: gid, seats: logins.map((l) => seat(code, l)) }));
    await as(office, (ctx) => meetings.sendMeetingNotice(ctx, gid));
    return gid;
  };
  /** The attendance of a member at a committee's venue of a meeting (read as that committee's office). */
  const attendance = async (office: string, m: Meeting, login: string) =>
    toGlobalId('MeetingAttendance', (await as(office, (ctx) => ctx.em.findOneOrFail(MeetingAttendance, { meetingId: m.id, userId: users.get(login)!.id, tenantId: ctx.tenant.id }))).id);
  /** Check in with the venue screen's code, as the member would. */
  const checkInByCode = async (office: string, venue: string, login: string, code?: string) => {
    const { code: c } = await as(office, (ctx) => meetings.issueCheckinCode(ctx, venue));
    await as(login, (ctx) => meetings.checkInWithCode(ctx, c), code);
  };

  // 云南省: the plenary session (全会) 45 days ago; 段志强 confirms and checks in.
  on(-75);
  const plenary = await hold('yn.staff', { kind: MeetingKind.PLENARY, title: '政协云南省第十三届委员会第四次会议', location: '云南海埂会堂', startsAt: day(-45, 9), endsAt: day(-45, 17) });
  const plenaryVenue = await inviteAll('yn.staff', '530000', plenary, ['yn.member']);

  // 五华区: 区委书记's instruction (批示) on a 五华 report becomes a task for the 教育体育局.
  on(-70);
  const whTask = await as('wh.staff', (ctx) =>
    supervision.openTask(ctx, {
      source: SupervisionSource.INSTRUCTION,
      sourceRecord: opinion ? toGlobalId('Opinion', opinion.id) : undefined,
      title: `落实区委主要领导对《${opinion?.title ?? '社情民意信息'}》的批示`,
      requirement: '请区教育体育局牵头，会同相关街道研究提出解决措施，限期报送落实情况。',
      owner: unit('wh.dept'),
      deadline: day(-20, 18),
    }),
  );
  const whTaskId = toGlobalId('SupervisionTask', whTask.id);

  // 昆明市: the consultation outcome on urban renewal goes to the 住房和城乡建设局; its standing committee meets in a month.
  on(-60);
  const kmTask = await as('km.staff', (ctx) =>
    supervision.openTask(ctx, {
      source: SupervisionSource.CONSULTATION_OUTCOME,
      sourceRecord: topic ? toGlobalId('ConsultationTopic', topic.id) : undefined,
      title: '落实“推进城市更新和老旧小区改造”专题协商成果',
      requirement: '按协商建议建立老旧小区改造项目库，推行加装电梯联合审查，每月报送进展。',
      owner: unit('km.dept'),
      deadline: day(-10, 18),
    }),
  );
  const kmTaskId = toGlobalId('SupervisionTask', kmTask.id);
  const standing = await hold('km.staff', { kind: MeetingKind.STANDING_COMMITTEE, title: '政协昆明市第十四届委员会常务委员会第十次会议', location: '昆明市政协常委会议室', startsAt: day(-30, 9), endsAt: day(-30, 12) });
  const standingVenue = await inviteAll('km.staff', '530100', standing, ['km.member', 'wh.member']);

  on(-50);
  await as('wh.dept', (ctx) => supervision.reportProgress(ctx, whTaskId, '已召开专题会议研究，摸排涉及学校12所，拟定整改方案初稿。'));
  on(-47);
  await as('yn.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('yn.staff', plenary, 'yn.member')));
  on(-45, 8, 40);
  await checkInByCode('yn.staff', plenaryVenue, 'yn.member');

  on(-40);
  await as('km.dept', (ctx) => supervision.reportProgress(ctx, kmTaskId, '已建立全市老旧小区改造项目库，纳入改造计划小区312个；加装电梯联合审查制度正在征求意见。'));
  const whAtKm = await attendance('km.staff', standing, 'wh.member');
  await as('wh.member', (ctx) => meetings.requestLeave(ctx, whAtKm, '同日参加五华区政协专题调研'), '530100');
  await as('km.staff', (ctx) => meetings.decideLeave(ctx, whAtKm, true, '同意'));
  await as('km.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('km.staff', standing, 'km.member')));

  // 河北 承德县: a task from a consultation outcome for a unit of its own.
  on(-35);
  const cdxUnit = cdxUnitId ?? (await as('cdx.staff', (ctx) => createUnit(ctx, '承德县农业农村局'))).id;
  const cdxTask = await as('cdx.staff', (ctx) =>
    supervision.openTask(ctx, {
      source: SupervisionSource.CONSULTATION_OUTCOME,
      title: '落实“发展县域特色产业、促进群众增收”协商成果',
      requirement: '围绕板栗、食用菌等特色产业，研究完善产销对接和冷链物流扶持措施。',
      owner: toGlobalId('HandlingUnit', cdxUnit),
      deadline: day(30, 18),
    }),
  );

  on(-30, 8, 45);
  await checkInByCode('km.staff', standingVenue, 'km.member');
  on(-30, 15);
  await as('wh.dept', (ctx) => supervision.reportProgress(ctx, whTaskId, '整改方案经区政府常务会议审定，已完成8所学校周边交通和安全设施整治。'));

  // 五华区: the members' home activity in 12 days; four members invited.
  on(-26);
  const home = await hold('wh.staff', { kind: MeetingKind.MEMBERS_HOME, title: MEETINGS_MARKER, location: '华山街道政协委员之家', startsAt: day(-12, 14, 30), endsAt: day(-12, 17) });
  const homeVenue = await inviteAll('wh.staff', '530102', home, ['wh.member', 'm530102.001', 'm530102.002', 'm530102.003']);
  on(-25);
  await as('wh.staff', (ctx) => supervision.closeTask(ctx, whTaskId, '12所学校整改全部完成，区教育体育局报送书面落实报告，经现场核查属实，同意销号。'));

  // 云南省: the leaders' instruction on the joint research report; 承德县's members' home activity.
  on(-20);
  const ynTask = project
    ? await as('yn.staff', (ctx) =>
      supervision.openTask(ctx, {
        source: SupervisionSource.INSTRUCTION,
        sourceRecord: toGlobalId('ResearchProject', project.id),
        title: '落实省委主要领导对高原特色现代农业联动调研报告的批示',
        requirement: '请省发展改革委牵头，研究区域性冷链集配中心布局和“绿色食品牌”扶持政策，按季度报送进展。',
        owner: unit('yn.dept'),
        deadline: day(40, 18),
      }),
    )
    : null;
  const cdxHome = await hold('cdx.staff', { kind: MeetingKind.MEMBERS_HOME, title: '承德县政协委员之家“协商在基层”议事活动', location: '下板城镇政协委员之家', startsAt: day(-7, 9), endsAt: day(-7, 11, 30) });
  const cdxVenue = await inviteAll('cdx.staff', '130821', cdxHome, ['cdx.member']);

  on(-15);
  await as('wh.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('wh.staff', home, 'wh.member')));
  await as('m530102.001', async (ctx) => meetings.confirmAttendance(ctx, await attendance('wh.staff', home, 'm530102.001')));
  const yang = await attendance('wh.staff', home, 'm530102.002');
  await as('m530102.002', (ctx) => meetings.requestLeave(ctx, yang, '随区工商联赴外省招商考察'));
  await as('wh.staff', (ctx) => meetings.decideLeave(ctx, yang, true, '同意，请会后书面提交意见'));
  on(-12, 14, 10);
  await checkInByCode('wh.staff', homeVenue, 'wh.member');
  await checkInByCode('wh.staff', homeVenue, 'm530102.003');
  await as('wh.staff', async (ctx) => meetings.checkInMember(ctx, await attendance('wh.staff', home, 'm530102.001')));

  // 昆明市 hosts a remote thematic consultation in five days, with venues at 五华区 and 盘龙区.
  on(-10);
  const remote = await hold('km.staff', {
    kind: MeetingKind.THEMATIC_CONSULTATION,
    title: '“推进城市更新和老旧小区改造”远程专题协商会',
    location: '昆明市政协主会场',
    startsAt: day(5, 14, 30),
    endsAt: day(5, 17),
    remote: true,
    participantCodes: ['530102', '530103'],
  });
  on(-9);
  await as('cdx.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('cdx.staff', cdxHome, 'cdx.member')));
  on(-8);
  await as('cdx.staff', (ctx) => supervision.reportProgress(ctx, toGlobalId('SupervisionTask', cdxTask.id), '已召开产销对接会2场，起草冷链物流扶持办法（征求意见稿）。'));
  await inviteAll('km.staff', '530100', remote, ['km.member']);
  await inviteAll('wh.staff', '530102', remote, ['wh.member', 'm530102.002']);
  await inviteAll('pl.staff', '530103', remote, ['pl.member', 'm530103.001']);
  on(-7, 8, 50);
  await checkInByCode('cdx.staff', cdxVenue, 'cdx.member');

  // 五华区's standing committee, then moved by three days (改期); answers stand.
  on(-5);
  if (ynTask) await as('yn.dept', (ctx) => supervision.reportProgress(ctx, toGlobalId('SupervisionTask', ynTask.id), '已完成全省冷链物流设施摸底，形成区域性冷链集配中心布局初步方案。'));
  const whStanding = await hold('wh.staff', { kind: MeetingKind.STANDING_COMMITTEE, title: '政协五华区第十届委员会常务委员会第十五次会议', location: '五华区政协三楼会议室', startsAt: day(3, 9), endsAt: day(3, 12) });
  await inviteAll('wh.staff', '530102', whStanding, ['wh.member', 'm530102.002']);
  on(-3);
  await as('km.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('km.staff', remote, 'km.member')));
  await as('wh.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('wh.staff', remote, 'wh.member')));
  await as('pl.member', async (ctx) => meetings.requestLeave(ctx, await attendance('pl.staff', remote, 'pl.member'), '当日在村里组织春耕生产技术培训'));
  await as('wh.member', async (ctx) => meetings.confirmAttendance(ctx, await attendance('wh.staff', whStanding, 'wh.member')));
  on(-1);
  await as('wh.staff', (ctx) =>
    changes.rescheduleMeeting(ctx, toGlobalId('Meeting', whStanding.id), { startsAt: day(6, 9), endsAt: day(6, 12), location: '五华区政协一楼报告厅' }),
  );
  return true;
}
