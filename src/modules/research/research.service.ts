import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { badInput, forbidden, invalidTransition, notFound, text, type Text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { emit } from '../../core/events.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { recordChange, recordEdit } from '../history/history.service.js';
import { JOINT_ACTORS, JOINT_READERS, committeesByCode, countTakingPart, invite, retitleParticipations, takesPart, withdrawPending } from '../joint/joint.service.js';
import type { JointParticipant } from '../joint/joint.entities.js';
import { ContributionStatus, OutcomeKind, ResearchContribution, ResearchOutcome, ResearchProject, ResearchReview, ResearchTeamMember } from './research.entities.js';
import { chinaDate } from '../../core/clock.js';
import { RESEARCH_OPEN_FOR_PARTICIPANTS, RESEARCH_WORKING, ResearchStatus, canMoveResearch, researchStatusZh } from './research.state.js';

const SUBMISSION_NEEDS_ZH: Record<string, string> = { combinedReport: '综合报告', review: '审定', submittedTo: '报送对象' };
import type {
  ContributionInput,
  CreateResearchProjectInput,
  EditContributionInput,
  EditResearchProjectInput,
  MoveResearchProjectInput,
  OutcomeInput,
  ResearchFilter,
  ReviewInput,
  TeamMemberInput,
} from './research.inputs.js';
import type { InviteCommitteesInput } from '../joint/joint.inputs.js';

const change = (ctx: Context, p: ResearchProject, from: string | null, to: string, comment?: string | null) =>
  recordChange(ctx, { itemType: 'ResearchProject', itemId: p.id, jointItemId: p.id, ownerTenantId: p.tenantId, from, to, comment });

/** A project the viewer may read: led by, or joined by, the acting committee. Null otherwise. */
export async function readableProject(ctx: Context, id: string): Promise<ResearchProject | null> {
  if (!JOINT_READERS.includes(ctx.viewer.role)) return null;
  return ctx.loaders.research.projectById.load(id);
}

export async function readableContribution(ctx: Context, id: string): Promise<ResearchContribution | null> {
  return JOINT_READERS.includes(ctx.viewer.role) ? ctx.em.findOne(ResearchContribution, { id }) : null;
}

async function visibleProject(ctx: Context, globalId: string): Promise<ResearchProject> {
  const p = await ctx.loaders.research.projectById.load(expectGlobalId(globalId, 'ResearchProject', 'projectId'));
  if (!p) throw notFound(text('调研课题', 'Research project'));
  return p;
}

/** A project the acting committee leads, for its office or leadership to change. */
async function ledProject(ctx: Context, globalId: string): Promise<ResearchProject> {
  requireRole(ctx, ...JOINT_ACTORS);
  const p = await visibleProject(ctx, globalId);
  // A participant sees the project, so refusing it reveals nothing; everyone else got NOT_FOUND above.
  if (p.tenantId !== ctx.tenant.id) throw forbidden(text('只有牵头单位可以进行此操作', 'Only the lead committee can do this'));
  return p;
}

function checkDates(start: string, end: string) {
  if (end < start) throw badInput(text('结束日期不能早于开始日期', 'endDate must not be before startDate'), { field: 'endDate' });
}

export async function createProject(ctx: Context, input: CreateResearchProjectInput): Promise<ResearchProject> {
  requireRole(ctx, ...JOINT_ACTORS);
  checkDates(input.startDate, input.endDate);
  const p = ctx.em.create(ResearchProject, { ...ownership(ctx.tenant), ...input, status: ResearchStatus.DRAFT });
  change(ctx, p, null, ResearchStatus.DRAFT);
  await ctx.em.flush();
  await countTakingPart(ctx, { type: 'ResearchProject', id: p.id, ownerTenantId: p.tenantId }, [p.tenantId]);
  return p;
}

export async function inviteCommittees(ctx: Context, input: InviteCommitteesInput): Promise<JointParticipant[]> {
  const p = await ledProject(ctx, input.itemId);
  if (!RESEARCH_OPEN_FOR_PARTICIPANTS.includes(p.status)) {
    throw invalidTransition(p.status, 'INVITATION', text(`课题处于邀请参与或调研中时才能发出邀请（当前：${researchStatusZh(p.status)}）`, `Invitations can be sent only while the project is INVITING or IN_PROGRESS (it is ${p.status})`));
  }
  const invitees = await committeesByCode(ctx, input.committeeCodes);
  for (const t of invitees) {
    if (t.id === ctx.tenant.id) throw badInput(text('不能邀请本单位', 'A committee cannot invite itself'), { field: 'committeeCodes', code: t.code });
    if (t.provinceId !== ctx.tenant.provinceId) throw badInput(text(`${t.name}属于其他省份`, `${t.name} is in another province`), { field: 'committeeCodes', code: t.code });
  }
  const rows = await invite(ctx, { type: 'ResearchProject', id: p.id, ownerTenantId: p.tenantId, title: p.title }, invitees, input);
  await ctx.em.flush();
  return rows;
}

export async function moveProject(ctx: Context, input: MoveResearchProjectInput): Promise<ResearchProject> {
  const p = await ledProject(ctx, input.id);
  if (!canMoveResearch(p.status, input.to)) throw invalidTransition(p.status, input.to, text(`课题当前为${researchStatusZh(p.status)}，不能转为${researchStatusZh(input.to)}`, `A project that is ${p.status} cannot move to ${input.to}`));
  if (input.to === ResearchStatus.SUBMITTED) {
    const reviewed = (await ctx.loaders.research.reviewsByProject.load(p.id)).length > 0;
    const missing = [!p.combinedReport && 'combinedReport', !reviewed && 'review', !input.submittedTo && 'submittedTo'].filter(Boolean);
    if (missing.length) throw badInput(text(`报送前还须：${missing.map((m) => SUBMISSION_NEEDS_ZH[m as string]).join('、')}`, `Before submission the project needs: ${missing.join(', ')}`), { missing });
    p.submittedTo = input.submittedTo!;
    p.submittedAt = ctx.clock.now();
  }
  change(ctx, p, p.status, input.to, input.comment);
  if (!RESEARCH_OPEN_FOR_PARTICIPANTS.includes(input.to)) await withdrawPending(ctx, p.id, `Project moved to ${input.to}`);
  p.status = input.to;
  await ctx.em.flush();
  return p;
}

/** Whether the acting committee takes part (lead or accepted participant) and the project still works. */
async function workingProject(ctx: Context, globalId: string, states: readonly ResearchStatus[], what: Text): Promise<ResearchProject> {
  requireRole(ctx, ...JOINT_ACTORS);
  return checkWorking(ctx, await visibleProject(ctx, globalId), states, what);
}

async function checkWorking(ctx: Context, p: ResearchProject, states: readonly ResearchStatus[], what: Text): Promise<ResearchProject> {
  if (!(await takesPart(ctx, p))) throw notFound(text('调研课题', 'Research project'));
  if (!states.includes(p.status)) throw invalidTransition(p.status, what.en, text(`课题当前为${researchStatusZh(p.status)}，不能${what.zh}`, `${what.en} is not possible while the project is ${p.status}`));
  return p;
}

/**
 * Research counts once per member and project in the archive (参加一次调研视察): for the members on the team of
 * a committee whose work is in the project — a participant that submitted a contribution, the lead once it
 * compiled the combined report (or contributed itself). However many contributions, one record.
 */
async function committeeWorkIsIn(ctx: Context, p: ResearchProject): Promise<boolean> {
  if (p.tenantId === ctx.tenant.id && p.combinedReport) return true;
  return (await ctx.em.count(ResearchContribution, { projectId: p.id, tenantId: ctx.tenant.id, status: ContributionStatus.SUBMITTED })) > 0;
}

const researchAct = (ctx: Context, p: ResearchProject, userId: string) =>
  ({ userId, tenantId: ctx.tenant.id, sourceType: 'ResearchProject', sourceId: p.id }) as const;

async function creditTeam(ctx: Context, p: ResearchProject, userIds: string[]): Promise<void> {
  for (const userId of userIds) {
    await emit(ctx, 'duty.act', { kind: 'RESEARCH_CONTRIBUTION', ...researchAct(ctx, p, userId), title: p.title, occurredAt: ctx.clock.now() });
  }
}

const teamMembers = async (ctx: Context, p: ResearchProject) =>
  (await ctx.em.find(ResearchTeamMember, { projectId: p.id, tenantId: ctx.tenant.id, userRole: Role.MEMBER })).map((m) => m.userId);

/** Name the acting committee's team on a project, replacing the previous list. */
export async function setTeam(ctx: Context, projectId: string, members: TeamMemberInput[]): Promise<ResearchTeamMember[]> {
  const p = await workingProject(ctx, projectId, RESEARCH_WORKING, text('调整调研组', 'Changing the team'));
  const before = await teamMembers(ctx, p);
  const ids = members.map((m, i) => expectGlobalId(m.userId, 'User', `members.${i}.userId`));
  if (new Set(ids).size !== ids.length) throw badInput(text('同一人员重复列出', 'A person is named twice'), { field: 'members' });
  const users = ids.length ? await ctx.em.find(User, { id: { $in: ids }, tenantId: ctx.tenant.id, role: { $in: [Role.MEMBER, Role.STAFF, Role.LEADER] } }) : [];
  if (users.length !== ids.length) throw notFound(text('调研组成员', 'Team member'));
  // A member serves on a team through an active seat of the committee; an ended seat acts for nothing.
  const seated = users.filter((u) => u.role === Role.MEMBER).map((u) => u.id);
  const serving = seated.length ? await ctx.em.count(MemberSeat, { userId: { $in: seated }, tenantId: ctx.tenant.id, status: SeatStatus.ACTIVE }) : 0;
  if (serving !== seated.length) throw notFound(text('调研组成员', 'Team member'));
  await ctx.em.nativeDelete(ResearchTeamMember, { projectId: p.id, tenantId: ctx.tenant.id });
  const byId = new Map(users.map((u) => [u.id, u]));
  const team = members.map((m, i) => {
    const u = byId.get(ids[i]!)!;
    return ctx.em.create(ResearchTeamMember, { ...ownership(ctx.tenant), projectId: p.id, ownerTenantId: p.tenantId, userId: u.id, displayName: u.displayName, userRole: u.role, teamRole: m.teamRole });
  });
  await ctx.em.flush();
  if (await committeeWorkIsIn(ctx, p)) {
    // The credit follows the team as it stands: who joins gets it, who leaves loses it.
    const after = team.filter((m) => m.userRole === Role.MEMBER).map((m) => m.userId);
    for (const userId of before.filter((u) => !after.includes(u))) await emit(ctx, 'duty.withdrawn', researchAct(ctx, p, userId));
    await creditTeam(ctx, p, after.filter((u) => !before.includes(u)));
  }
  return team;
}

/** States in which a committee writes and submits contributions. */
const CONTRIBUTING = [ResearchStatus.IN_PROGRESS, ResearchStatus.REPORTING] as const;

const contributionFields = (input: ContributionInput) => ({
  title: input.title,
  body: input.body,
  findings: input.findings ?? null,
  figures: (input.figures ?? []).map((f) => ({ label: f.label, value: f.value, unit: f.unit ?? null })),
});

/** The office submits the acting committee's contribution directly (it writes and submits at once). */
export async function submitContribution(ctx: Context, projectId: string, input: ContributionInput): Promise<ResearchContribution> {
  const p = await workingProject(ctx, projectId, CONTRIBUTING, text('提交子课题报告', 'Submitting a contribution'));
  const c = ctx.em.create(ResearchContribution, {
    ...ownership(ctx.tenant),
    projectId: p.id,
    ownerTenantId: p.tenantId,
    ...contributionFields(input),
    status: ContributionStatus.SUBMITTED,
    writtenByName: ctx.viewer.user.displayName,
    submittedByName: ctx.viewer.user.displayName,
  });
  recordChange(ctx, { itemType: 'ResearchContribution', itemId: c.id, jointItemId: c.id, ownerTenantId: c.ownerTenantId, from: null, to: ContributionStatus.SUBMITTED });
  await ctx.em.flush();
  await creditTeam(ctx, p, await teamMembers(ctx, p));
  return c;
}

/**
 * Who writes the acting committee's text on a project: its office and leadership, and the members on its
 * team for the project (a member not on the team is refused; the project itself they may read).
 */
async function writableProject(ctx: Context, p: ResearchProject, states: readonly ResearchStatus[], what: Text): Promise<ResearchProject> {
  requireRole(ctx, ...JOINT_ACTORS, Role.MEMBER);
  if (ctx.viewer.role === Role.MEMBER) {
    if (!(await takesPart(ctx, p))) throw notFound(text('调研课题', 'Research project'));
    const onTeam = await ctx.em.count(ResearchTeamMember, { projectId: p.id, tenantId: ctx.tenant.id, userId: ctx.viewer.user.id });
    if (!onTeam) throw forbidden(text('只有本单位调研组的委员可以撰写子课题报告', "Only members on the committee's research team write its contribution"));
  }
  return checkWorking(ctx, p, states, what);
}

/** A member on the team, or the office, starts the acting committee's contribution as a draft (撰写子课题报告). */
export async function draftContribution(ctx: Context, projectId: string, input: ContributionInput): Promise<ResearchContribution> {
  const p = await writableProject(ctx, await visibleProject(ctx, projectId), CONTRIBUTING, text('撰写子课题报告', 'Writing a contribution'));
  const c = ctx.em.create(ResearchContribution, {
    ...ownership(ctx.tenant),
    projectId: p.id,
    ownerTenantId: p.tenantId,
    ...contributionFields(input),
    status: ContributionStatus.DRAFT,
    writtenByName: ctx.viewer.user.displayName,
    submittedByName: null,
  });
  // Until it is submitted the draft and its history are the committee's own (owner: the committee itself).
  recordChange(ctx, { itemType: 'ResearchContribution', itemId: c.id, jointItemId: c.id, ownerTenantId: ctx.tenant.id, from: null, to: ContributionStatus.DRAFT });
  await ctx.em.flush();
  return c;
}

async function projectOf(ctx: Context, c: ResearchContribution): Promise<ResearchProject> {
  const p = await ctx.loaders.research.projectById.load(c.projectId);
  if (!p) throw notFound(text('调研课题', 'Research project'));
  return p;
}

async function ownContribution(ctx: Context, globalId: string): Promise<ResearchContribution> {
  const c = await ctx.em.findOne(ResearchContribution, { id: expectGlobalId(globalId, 'ResearchContribution', 'id'), tenantId: ctx.tenant.id });
  if (!c || !JOINT_READERS.includes(ctx.viewer.role)) throw notFound(text('子课题报告', 'Research contribution'));
  return c;
}

/** History entry of a contribution: once submitted, the lead reads it too; a draft's stay the committee's. */
const contributionEntry = (ctx: Context, c: ResearchContribution) => ({
  itemType: 'ResearchContribution',
  itemId: c.id,
  jointItemId: c.id,
  ownerTenantId: c.status === ContributionStatus.SUBMITTED ? c.ownerTenantId : ctx.tenant.id,
  state: c.status,
});

/**
 * Edit a contribution of the acting committee (修改子课题报告): a draft by a member on the team or the office
 * while the committee may still submit; a submitted one by the office before the project is REPORTING.
 */
export async function editContribution(ctx: Context, input: EditContributionInput): Promise<ResearchContribution> {
  const c = await ownContribution(ctx, input.id);
  const draft = c.status === ContributionStatus.DRAFT;
  if (!draft && ctx.viewer.role === Role.MEMBER) throw forbidden(text('已提交的子课题报告由本单位机关修改', "A submitted contribution is edited by the committee's office"));
  await writableProject(ctx, await projectOf(ctx, c), draft ? CONTRIBUTING : [ResearchStatus.IN_PROGRESS], draft ? text('撰写子课题报告', 'Writing a contribution') : text('修改已提交的子课题报告', 'Editing a submitted contribution'));
  const edit = recordEdit(ctx, contributionEntry(ctx, c), c, { title: input.title ?? undefined, body: input.body ?? undefined, findings: input.findings });
  if (edit) c.writtenByName = ctx.viewer.user.displayName;
  await ctx.em.flush();
  return c;
}

/** The office submits a draft of its committee (提交子课题报告); from then the lead reads it. */
export async function submitContributionDraft(ctx: Context, globalId: string): Promise<ResearchContribution> {
  requireRole(ctx, ...JOINT_ACTORS);
  const c = await ownContribution(ctx, globalId);
  if (c.status !== ContributionStatus.DRAFT) throw invalidTransition(c.status, ContributionStatus.SUBMITTED, text('该子课题报告已经提交', 'This contribution has already been submitted'));
  const p = await checkWorking(ctx, await projectOf(ctx, c), CONTRIBUTING, text('提交子课题报告', 'Submitting a contribution'));
  c.status = ContributionStatus.SUBMITTED;
  c.submittedByName = ctx.viewer.user.displayName;
  recordChange(ctx, { itemType: 'ResearchContribution', itemId: c.id, jointItemId: c.id, ownerTenantId: c.ownerTenantId, from: ContributionStatus.DRAFT, to: ContributionStatus.SUBMITTED });
  await ctx.em.flush();
  await creditTeam(ctx, p, await teamMembers(ctx, p));
  return c;
}

/** Edit a project's title, background and goals (修改课题) while it is not closed or cancelled. Lead office. */
export async function editProject(ctx: Context, input: EditResearchProjectInput): Promise<ResearchProject> {
  const p = await ledProject(ctx, input.id);
  if (p.status === ResearchStatus.CLOSED || p.status === ResearchStatus.CANCELLED) throw invalidTransition(p.status, 'EDIT', text(`${researchStatusZh(p.status)}的课题不能修改`, `A ${p.status} project cannot be edited`));
  const edit = recordEdit(ctx, { itemType: 'ResearchProject', itemId: p.id, jointItemId: p.id, ownerTenantId: p.tenantId, state: p.status }, p, {
    title: input.title ?? undefined,
    background: input.background ?? undefined,
    goals: input.goals ?? undefined,
  });
  if (edit && input.title != null) await retitleParticipations(ctx, p.id, p.title);
  await ctx.em.flush();
  return p;
}

export async function compileReport(ctx: Context, projectId: string, report: string): Promise<ResearchProject> {
  const p = await ledProject(ctx, projectId);
  if (p.status !== ResearchStatus.REPORTING) throw invalidTransition(p.status, 'REPORT', text(`课题处于形成报告阶段时才能形成综合报告（当前：${researchStatusZh(p.status)}）`, `The combined report is compiled in REPORTING (the project is ${p.status})`));
  p.combinedReport = report;
  await ctx.em.flush();
  await creditTeam(ctx, p, await teamMembers(ctx, p));
  return p;
}

export async function recordReview(ctx: Context, projectId: string, input: ReviewInput): Promise<ResearchProject> {
  const p = await ledProject(ctx, projectId);
  if (p.status !== ResearchStatus.REPORTING) throw invalidTransition(p.status, 'REVIEW', text(`课题处于形成报告阶段时才能记录审定（当前：${researchStatusZh(p.status)}）`, `Review is recorded in REPORTING (the project is ${p.status})`));
  if (!p.combinedReport) throw badInput(text('请先形成综合报告，再记录审定', 'Compile the combined report before recording its review'), { field: 'combinedReport' });
  if (input.reviewedOn > chinaDate(ctx.clock.now())) throw badInput(text('审定日期不能晚于今天', 'reviewedOn cannot be in the future'), { field: 'reviewedOn' });
  // Each review is kept: 秘书长会议 first, then 主席会议, and so on.
  ctx.em.create(ResearchReview, {
    ...ownership(ctx.tenant),
    projectId: p.id,
    reviewBody: input.reviewBody,
    reviewedOn: input.reviewedOn,
    note: input.note ?? null,
    recordedByName: ctx.viewer.user.displayName,
  });
  await ctx.em.flush();
  ctx.loaders.research.reviewsByProject.clear(p.id);
  return p;
}

/** The latest review (by date) of a project, if any. */
export async function latestReview(ctx: Context, p: ResearchProject): Promise<ResearchReview | null> {
  return (await ctx.loaders.research.reviewsByProject.load(p.id)).at(-1) ?? null;
}

export async function recordOutcome(ctx: Context, projectId: string, input: OutcomeInput): Promise<ResearchOutcome> {
  const p = await ledProject(ctx, projectId);
  if (![ResearchStatus.SUBMITTED, ResearchStatus.CLOSED].includes(p.status)) {
    throw invalidTransition(p.status, 'OUTCOME', text(`课题报送后才能记录成果（当前：${researchStatusZh(p.status)}）`, `Outcomes are recorded after submission (the project is ${p.status})`));
  }
  if (input.occurredOn > chinaDate(ctx.clock.now())) throw badInput(text('成果日期不能晚于今天', 'occurredOn cannot be in the future'), { field: 'occurredOn' });
  const o = ctx.em.create(ResearchOutcome, { ...ownership(ctx.tenant), projectId: p.id, kind: input.kind, author: input.author ?? null, text: input.text, occurredOn: input.occurredOn });
  await ctx.em.flush();
  if (o.kind === OutcomeKind.INSTRUCTION) {
    const team = await ctx.loaders.research.teamByProject.load(p.id);
    await emit(ctx, 'research.instructed', { outcomeId: o.id, projectId: p.id, tenantId: p.tenantId, title: p.title, by: o.author ?? null, team: team.map((m) => ({ userId: m.userId, tenantId: m.tenantId })), byUserId: ctx.viewer.user.id });
  }
  return o;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A leader's instruction on the project's report was recorded (领导批示): its team and its lead's office are told. */
    'research.instructed': { outcomeId: string; projectId: string; tenantId: string; title: string; by: string | null; team: { userId: string; tenantId: string }[]; byUserId: string };
  }
}

export async function listProjects(ctx: Context, filter: ResearchFilter | undefined, page: PageArgs) {
  requireRole(ctx, ...JOINT_READERS);
  const where: Record<string, unknown>[] = [];
  if (filter?.status?.length) where.push({ status: { $in: filter.status } });
  if (filter?.year) where.push({ startDate: { $gte: `${filter.year}-01-01`, $lt: `${filter.year + 1}-01-01` } });
  if (filter?.leading === true) where.push({ tenantId: ctx.tenant.id });
  if (filter?.leading === false) where.push({ tenantId: { $ne: ctx.tenant.id } });
  if (filter?.level) {
    const ids = (await ctx.em.find(Tenant, { level: filter.level, provinceId: ctx.tenant.provinceId }, { fields: ['id'] })).map((t) => t.id);
    where.push({ tenantId: { $in: ids } });
  }
  return paginate(ctx.em, ResearchProject, where.length ? { $and: where } : {}, page, ctx.config.maxPageSize);
}
