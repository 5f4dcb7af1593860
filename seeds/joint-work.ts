import pg from 'pg';
import { DEMO_COMMITTEES, readPerCommittee } from './owner-reads.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../src/core/config.js';
import { ManualClock } from '../src/core/clock.js';
import { runInContext, type Context, type Kernel } from '../src/core/context.js';
import { signToken } from '../src/core/auth.js';
import { toGlobalId } from '../src/core/global-id.js';
import * as research from '../src/modules/research/research.service.js';
import * as plans from '../src/modules/topic/topic-plan.service.js';
import * as selection from '../src/modules/topic/topic-selection.service.js';
import * as loop from '../src/modules/topic/topic-loop.service.js';
import { respondToInvitation } from '../src/modules/joint/joint.service.js';
import { ResearchStatus } from '../src/modules/research/research.state.js';
import { SuggestionStatus, TopicStage } from '../src/modules/topic/topic.state.js';
import { ConsultationForm, TopicSource, type ConsultationSuggestion } from '../src/modules/topic/topic.entities.js';

interface Deps {
  /** The clock's now: the story ends before it. */
  now?: Date;
  orm: MikroORM;
  kernel: Kernel;
  ownerUrl: string;
  jwtSecret: string;
  config: Config;
  log: Logger;
}

const MARKER = '推进高原特色现代农业高质量发展三级政协联动调研';

/**
 * Demo joint work, told as a story through the platform's own services: each step runs as a demo user in
 * its own transaction, under RLS, with a clock that moves through the year. Idempotent: skipped when the
 * province's research project already exists.
 */
export async function seedJointWork(deps: Deps): Promise<boolean> {
  const owner = new pg.Client({ connectionString: deps.ownerUrl });
  await owner.connect();
  let users: Map<string, { id: string; tenant_id: string; unit_id: string | null }>;
  let codes: Map<string, string>;
  let seats: Map<string, string>;
  try {
    if ((await readPerCommittee(owner, ['530000'], 'select 1 from research_project where title = $1', [MARKER])).length) return false;
    users = new Map((await readPerCommittee<{ login: string; id: string; tenant_id: string; unit_id: string | null }>(owner, DEMO_COMMITTEES, 'select login, id, tenant_id, unit_id from app_user where tenant_id = app_tenant()')).map((r) => [r.login, r]));
    codes = new Map((await owner.query('select code, id from tenant')).rows.map((r) => [r.code, r.id]));
    seats = new Map((await readPerCommittee<{ code: string; user_id: string; id: string }>(owner, DEMO_COMMITTEES, 'select t.code, s.user_id, s.id from member_seat s join tenant t on t.id = s.tenant_id where s.tenant_id = app_tenant()')).map((r) => [`${r.code}:${r.user_id}`, r.id]));
  } finally {
    await owner.end();
  }
  const now = deps.now ?? new Date();
  const clock = new ManualClock(new Date(now.getTime() - 200 * 86_400_000));
  const days = (n: number) => clock.advance(n * 86_400_000);
  const as = async <T>(login: string, fn: (ctx: Context) => Promise<T>, actingFor?: string): Promise<T> => {
    const u = users.get(login);
    if (!u) throw new Error(`seed: no demo user ${login}`);
    const token = await signToken(deps.jwtSecret, { sub: u.id, tid: actingFor ? codes.get(actingFor)! : u.tenant_id });
    return runInContext({ ...deps, clock }, `Bearer ${token}`, 'seed', fn);
  };
  const gid = (type: string, id: string) => toGlobalId(type, id);
  const year = clock.now().getUTCFullYear();

  // Joint research led by the province: 昆明 and 五华区 take part, 盘龙区 declines.
  const project = await as('yn.staff', (ctx) =>
    research.createProject(ctx, {
      title: MARKER,
      background: '围绕打造世界一流“绿色食品牌”，省政协牵头组织省、市、县三级政协联动开展专题调研，摸清高原特色农业产业链发展现状和短板。',
      goals: '形成一份综合调研报告报送省委、省政府；各参与单位形成子课题报告，提出有针对性、可操作的意见建议。',
      startDate: clock.now().toISOString().slice(0, 10),
      endDate: new Date(clock.now().getTime() + 240 * 86_400_000).toISOString().slice(0, 10),
    }),
  );
  const pid = gid('ResearchProject', project.id);
  await as('yn.staff', (ctx) => research.moveProject(ctx, { id: pid, to: ResearchStatus.INVITING, comment: '经秘书长会议研究，启动联动调研' }));
  const invitations = await as('yn.staff', (ctx) =>
    research.inviteCommittees(ctx, { itemId: pid, committeeCodes: ['530100', '530102', '530103'], message: '请于两周内答复是否参与，并确定调研组成员。' }),
  );
  const invitationOf = (code: string) => gid('JointParticipant', invitations.find((i) => i.tenantId === codes.get(code))!.id);
  days(5);
  await as('km.staff', (ctx) => respondToInvitation(ctx, invitationOf('530100'), true));
  await as('wh.staff', (ctx) => respondToInvitation(ctx, invitationOf('530102'), true));
  await as('pl.staff', (ctx) => respondToInvitation(ctx, invitationOf('530103'), false, '本年度已承担市级重点调研任务，调研力量不足'));
  await as('yn.staff', (ctx) => research.setTeam(ctx, pid, [
    { userId: gid('User', users.get('yn.leader')!.id), teamRole: '组长' },
    { userId: gid('User', users.get('yn.member')!.id), teamRole: '成员' },
    { userId: gid('User', users.get('yn.staff')!.id), teamRole: '联络员' },
  ]));
  await as('km.staff', (ctx) => research.setTeam(ctx, pid, [
    { userId: gid('User', users.get('km.member')!.id), teamRole: '组长' },
    { userId: gid('User', users.get('km.staff')!.id), teamRole: '联络员' },
  ]));
  await as('wh.staff', (ctx) => research.setTeam(ctx, pid, [{ userId: gid('User', users.get('wh.member')!.id), teamRole: '组长' }]));
  await as('yn.staff', (ctx) => research.moveProject(ctx, { id: pid, to: ResearchStatus.IN_PROGRESS }));
  days(40);
  await as('km.staff', (ctx) =>
    research.submitContribution(ctx, pid, {
      title: '昆明市高原特色农业发展情况子课题报告',
      body: '调研组赴晋宁、嵩明、石林等地实地走访花卉、蔬菜和食用菌基地，召开座谈会6场，听取企业和种植大户意见。',
      findings: '冷链物流短板突出，品牌溢价不足；建议统筹建设区域性冷链集配中心，打造“昆明鲜花”公共品牌。',
      figures: [
        { label: '走访企业和合作社', value: 42, unit: '家' },
        { label: '收集意见建议', value: 86, unit: '条' },
      ],
    }),
  );
  await as('wh.staff', (ctx) =>
    research.submitContribution(ctx, pid, {
      title: '五华区都市农业与农产品流通子课题报告',
      body: '围绕城区农产品批发市场和社区菜市场改造开展调研，梳理流通环节成本构成。',
      findings: '建议推动农批市场数字化改造，发展社区团购与产地直供。',
      figures: [{ label: '调研农贸市场', value: 12, unit: '个' }],
    }),
  );

  // The province's published 2026 plan; 昆明 takes up one topic.
  const greenFood = await as('yn.staff', (ctx) =>
    plans.createTopic(ctx, { title: '加快打造世界一流“绿色食品牌”', description: '聚焦茶叶、花卉、蔬菜、水果、咖啡等重点产业，协商推动全产业链发展。', source: TopicSource.PARTY_GOVERNMENT, form: ConsultationForm.THEMATIC, year }),
  );
  await as('yn.staff', (ctx) =>
    plans.createTopic(ctx, { title: '推进以县城为重要载体的新型城镇化建设', description: '围绕县城补短板强弱项开展对口协商。', source: TopicSource.CPPCC, form: ConsultationForm.COUNTERPART, year }),
  );
  await as('yn.leader', (ctx) => plans.publishPlan(ctx, year));
  await as('km.staff', (ctx) => selection.takeUpTopic(ctx, gid('ConsultationTopic', greenFood.id), '结合昆明花卉产业开展联动协商'));

  // 昆明's own topic runs the closed loop: suggestions in every state, one overdue.
  const renewal = await as('km.staff', (ctx) =>
    plans.createTopic(ctx, { title: '推进城市更新和老旧小区改造', description: '围绕老旧小区改造、加装电梯和完整社区建设开展专题协商，推动解决群众急难愁盼问题。', source: TopicSource.CPPCC, form: ConsultationForm.THEMATIC, year }),
  );
  const tid = gid('ConsultationTopic', renewal.id);
  for (const to of [TopicStage.RESEARCH, TopicStage.CONSULT]) await as('km.staff', (ctx) => plans.moveTopic(ctx, { id: tid, to }));
  const texts = [
    '建立老旧小区改造项目库，实行“一区一策”，优先改造群众意愿强烈的小区。',
    '简化既有住宅加装电梯审批流程，推行联合审查和“一站式”服务。',
    '统筹水电气路网等管线改造，避免“马路拉链”反复开挖。',
    '引导社会资本参与改造后小区的物业服务和运营。',
    '将完整社区建设与“一刻钟便民生活圈”结合，补齐养老托育设施短板。',
    '设立改造质量回访机制，改造完成一年内组织居民评议。',
  ];
  const suggestions: ConsultationSuggestion[] = [];
  const kmMemberSeat = gid('MemberSeat', seats.get(`530100:${users.get('km.member')!.id}`)!);
  for (const [i, content] of texts.entries()) {
    suggestions.push(await as('km.staff', (ctx) => loop.addSuggestion(ctx, { topicId: tid, content, proposedBy: i % 2 === 0 ? kmMemberSeat : undefined })));
  }
  await as('km.staff', (ctx) => plans.moveTopic(ctx, { id: tid, to: TopicStage.ASSIGN, comment: '协商会议形成建议6条' }));
  const dept = gid('HandlingUnit', users.get('km.dept')!.unit_id!);
  const sid = (i: number) => gid('ConsultationSuggestion', suggestions[i]!.id);
  // Suggestions 1–4 are assigned early (three months); 5 later, still running; 6 stays unassigned.
  for (const i of [0, 1, 2, 3]) await as('km.staff', (ctx) => loop.assignSuggestion(ctx, { id: sid(i), unit: dept }));
  days(60);
  await as('km.dept', (ctx) => loop.fileFeedback(ctx, { id: sid(0), outcome: SuggestionStatus.ADOPTED, feedback: '已建立全市老旧小区改造项目库，纳入2026年改造计划小区312个。' }));
  await as('km.dept', (ctx) => loop.fileFeedback(ctx, { id: sid(1), outcome: SuggestionStatus.PARTLY_ADOPTED, feedback: '已推行联合审查，审批时限压缩至15个工作日。', reason: '“一站式”服务平台需与省级系统对接，计划明年上线。' }));
  await as('km.dept', (ctx) => loop.fileFeedback(ctx, { id: sid(2), outcome: SuggestionStatus.NOT_ADOPTED, feedback: '管线改造由各专营单位按行业规划实施。', reason: '涉及多家专营单位投资计划，暂不具备统一实施条件，已转有关部门研究。' }));
  await as('km.staff', (ctx) => plans.moveTopic(ctx, { id: tid, to: TopicStage.IMPLEMENT }));
  days(70);
  await as('km.staff', (ctx) => loop.assignSuggestion(ctx, { id: sid(4), unit: dept }));
  // Suggestion 4 (index 3) passed its three-month deadline with no feedback: overdue.

  // A member recommends a topic to 五华区; still waiting for the office.
  await as('wh.member', (ctx) =>
    plans.recommendTopic(ctx, { title: '推动老旧小区加装电梯惠民工程', reason: '辖区内2000年以前建成的多层住宅较多，老年居民上下楼困难，加装电梯意愿强烈但协调难度大。', form: ConsultationForm.SECTOR, year: year + 1 }),
  );
  return true;
}
