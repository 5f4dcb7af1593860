import { LockMode } from '@mikro-orm/core';
import { chinaDate } from '../../core/clock.js';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs, type PageOrder } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import { recordChange, recordEdit, withClockChange } from '../history/history.service.js';
import type { StateChange } from '../history/state-change.entity.js';
import * as units from '../unit/unit.service.js';
import type { DecideExtensionInput, RequestExtensionInput } from '../unit/unit.inputs.js';
import type { DeadlineExtension } from '../unit/unit.entities.js';
import { Proposal, ProposalKind, ProposalStatus, Satisfaction } from './proposal.entity.js';
import { ReviewDecision, type AssignProposalInput, type EditProposalInput, type ProposalFilter, type ProposalOrder, type ReplyProposalInput, type ReviewProposalInput, type SubmitProposalInput } from './proposal.inputs.js';
import { containing, effectiveProposalStatus, yearStart } from './proposal.state.js';
import { inOrderOf } from '../../core/node-loader.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER, Role.DEPARTMENT];
const PROPOSAL = text('提案', 'Proposal');
/** Matches no row: a DEPARTMENT account outside any unit sees nothing. */
const NOTHING = { id: { $in: [] as string[] } };

/** Who sees a proposal inside its committee: the office and leaders all; members their own; a unit's accounts the unit's. */
export function readRule(ctx: Context) {
  const me = ctx.viewer.user.id;
  switch (ctx.viewer.role) {
    case Role.MEMBER:
      return { $or: [{ proposerId: me }, { coProposerIds: { $overlap: [me] } }] };
    case Role.DEPARTMENT: {
      const unit = ctx.viewer.user.unitId;
      return unit ? { $or: [{ leadUnitId: unit }, { coUnitIds: { $overlap: [unit] } }] } : NOTHING;
    }
    default:
      return {};
  }
}

const change = (ctx: Context, p: Proposal, from: string | null, to: string, extra: { comment?: string | null; move?: string } = {}) =>
  recordChange(ctx, { itemType: 'Proposal', itemId: p.id, jointItemId: p.id, ownerTenantId: p.tenantId, from, to, ...extra });

/** The filters of the list, as conditions that all hold (一并筛选). */
function filterRule(ctx: Context, filter: ProposalFilter | undefined): object[] {
  if (!filter) return [];
  const now = ctx.clock.now();
  const all: object[] = [];
  if (filter.status === ProposalStatus.OVERDUE) all.push({ status: ProposalStatus.ASSIGNED, replyDeadline: { $lt: now } });
  else if (filter.status === ProposalStatus.ASSIGNED) all.push({ status: ProposalStatus.ASSIGNED, replyDeadline: { $gte: now } });
  else if (filter.status) all.push({ status: filter.status });
  if (filter.keySupervision !== undefined && filter.keySupervision !== null) all.push({ keySupervision: filter.keySupervision });
  if (filter.year) all.push({ submittedAt: { $gte: yearStart(filter.year), $lt: yearStart(filter.year + 1) } });
  if (filter.term) all.push({ term: filter.term });
  if (filter.session) all.push({ session: filter.session });
  if (filter.unit) {
    const unit = expectGlobalId(filter.unit, 'HandlingUnit', 'unit');
    all.push({ $or: [{ leadUnitId: unit }, { coUnitIds: { $overlap: [unit] } }] });
  }
  if (filter.keyword) {
    const like = containing(filter.keyword);
    all.push({ $or: [{ title: { $ilike: like } }, { content: { $ilike: like } }] });
  }
  return all;
}

export async function listProposals(ctx: Context, filter: ProposalFilter | undefined, page: PageArgs, orderBy?: ProposalOrder) {
  requireRole(ctx, ...READERS);
  const where = { $and: [{ tenantId: ctx.tenant.id }, readRule(ctx), ...filterRule(ctx, filter)] };
  const order: PageOrder<Proposal> | undefined = orderBy && { name: 'submitted', direction: orderBy.direction, key: { prop: 'submittedAt', type: 'date' } };
  return paginate(ctx.em, Proposal, where, page, ctx.config.maxPageSize, order);
}

export async function readableProposal(ctx: Context, id: string): Promise<Proposal | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(Proposal, { id, tenantId: ctx.tenant.id, ...readRule(ctx) });
}

/** `readableProposal` for many ids in one statement. */
export async function readableProposals(ctx: Context, ids: readonly string[]): Promise<(Proposal | null)[]> {
  if (!READERS.includes(ctx.viewer.role)) return ids.map(() => null);
  return inOrderOf(ids, await ctx.em.find(Proposal, { id: { $in: [...ids] }, tenantId: ctx.tenant.id, ...readRule(ctx) }));
}

/**
 * The proposal, locked for the rest of the request: two moves of one proposal at once (two filings, a reply
 * and a return) run one after the other, each seeing what the other did.
 */
async function findProposal(ctx: Context, globalId: string): Promise<Proposal> {
  const id = expectGlobalId(globalId, 'Proposal');
  if (!READERS.includes(ctx.viewer.role)) throw notFound(PROPOSAL);
  const p = await ctx.em.findOne(Proposal, { id, tenantId: ctx.tenant.id, ...readRule(ctx) }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!p) throw notFound(PROPOSAL);
  return p;
}

const PROPOSAL_STATUS_ZH: Record<ProposalStatus, string> = {
  SUBMITTED: '已提交', FILED: '已立案', NOT_FILED: '不予立案', CONVERTED: '已转为意见建议', ASSIGNED: '已交办', OVERDUE: '已逾期', REPLIED: '已答复', RATED: '已测评',
};
const proposalStatusZh = (s: ProposalStatus) => `“${PROPOSAL_STATUS_ZH[s]}”`;
/** What a move does, in a message: 立案审查, 交办 … */
const PROPOSAL_MOVE: Record<string, { zh: string; en: string }> = {
  FILED: { zh: '立案审查', en: 'reviewed for filing' },
  NOT_FILED: { zh: '立案审查', en: 'reviewed for filing' },
  CONVERTED: { zh: '立案审查', en: 'reviewed for filing' },
  ASSIGNED: { zh: '交办', en: 'assigned' },
  REPLIED: { zh: '答复', en: 'replied to' },
  RATED: { zh: '测评', en: 'rated' },
  SUPERVISED: { zh: '列为重点督办', en: 'flagged for supervision' },
  EXTENSION_REQUESTED: { zh: '申请延期', en: 'given an extension request' },
  EXTENSION_GRANTED: { zh: '批准延期', en: 'granted an extension' },
  EXTENSION_REFUSED: { zh: '驳回延期', en: 'refused an extension' },
  RETURNED: { zh: '申请改办', en: 'given back' },
};

/** Refuses a move from any state but `from`, reading the state as the clock makes it (ASSIGNED turns OVERDUE). */
function expectStatus(ctx: Context, p: Proposal, to: string, ...from: ProposalStatus[]): void {
  const now = effectiveProposalStatus(p, ctx.clock.now());
  const move = PROPOSAL_MOVE[to] ?? { zh: '变更', en: `moved to ${to}` };
  if (!from.includes(now)) throw invalidTransition(now, to, text(`${proposalStatusZh(now)}的提案不能${move.zh}`, `A proposal that is ${now} cannot be ${move.en}`));
}

/** A proposal's history, oldest first, with ASSIGNED → OVERDUE at the deadline once it passed without a reply. */
export async function proposalHistory(ctx: Context, p: Proposal): Promise<StateChange[]> {
  const rows = await ctx.loaders.joint.historyByItem.load(p.id);
  if (!p.replyDeadline || !p.assignedAt) return rows;
  const answeredAt = p.repliedAt ?? ctx.clock.now();
  if (answeredAt.getTime() <= p.replyDeadline.getTime()) return rows;
  return withClockChange(rows, p, { itemType: 'Proposal', jointItemId: p.id, from: ProposalStatus.ASSIGNED, to: ProposalStatus.OVERDUE, at: p.replyDeadline });
}

export async function submitProposal(ctx: Context, input: SubmitProposalInput): Promise<Proposal> {
  const byMember = input.kind === ProposalKind.MEMBER || input.kind === ProposalKind.JOINT;
  requireRole(ctx, ...(byMember ? [Role.MEMBER] : OFFICE));
  if (byMember && input.onBehalfOf) throw badInput(text('只有界别提案和党派团体提案填写 onBehalfOf', 'onBehalfOf is only for SECTOR and PARTY_GROUP proposals'), { field: 'onBehalfOf' });
  if (!byMember && !input.onBehalfOf) throw badInput(text('请在 onBehalfOf 中填写界别或党派团体名称', 'onBehalfOf names the sector or group'), { field: 'onBehalfOf' });
  const co = input.coProposers ?? [];
  if (input.kind === ProposalKind.JOINT && co.length === 0) throw badInput(text('联名提案须列出联名委员', 'a joint proposal names its co-proposers'), { field: 'coProposers' });
  if (input.kind !== ProposalKind.JOINT && co.length > 0) throw badInput(text('只有联名提案才有联名委员', 'only a JOINT proposal has co-proposers'), { field: 'coProposers' });
  const seatIds = co.map((g) => expectGlobalId(g, 'MemberSeat', 'coProposers'));
  if (new Set(seatIds).size !== seatIds.length) throw badInput(text('同一联名委员重复列出', 'a co-proposer is named twice'), { field: 'coProposers' });
  const seats = seatIds.length ? await ctx.em.find(MemberSeat, { id: { $in: seatIds }, tenantId: ctx.tenant.id, status: SeatStatus.ACTIVE }) : [];
  if (seats.length !== seatIds.length) throw notFound(text('委员席位', 'Member seat'));
  if (seats.some((s) => s.userId === ctx.viewer.user.id)) throw badInput(text('提案人不能作为自己的联名委员', 'the proposer is not their own co-proposer'), { field: 'coProposers' });
  const coUsers = seats.map((s) => s.userId);
  const now = ctx.clock.now();
  const p = ctx.em.create(Proposal, {
    ...ownership(ctx.tenant),
    title: input.title,
    content: input.content,
    kind: input.kind,
    proposerId: ctx.viewer.user.id,
    coProposerIds: coUsers,
    onBehalfOf: input.onBehalfOf ?? null,
    status: ProposalStatus.SUBMITTED,
    coUnitIds: [],
    keySupervision: false,
    submittedAt: now,
  });
  change(ctx, p, null, ProposalStatus.SUBMITTED);
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.submitted', tenantId: p.tenantId, at: now });
  return p;
}

/**
 * The next case number (案号) of the committee's term and session. The counter row stays locked until the
 * request's transaction ends, so concurrent filings take consecutive numbers in the order they commit, and a
 * filing that fails gives its number back with everything else it did.
 */
async function nextCaseSeq(ctx: Context, term: number, session: number): Promise<number> {
  const t = ctx.tenant;
  const [row] = await ctx.em.execute<{ seq: number }[]>(
    `insert into proposal_case_counter as c (id, tenant_id, province_id, city_id, term, session, last_seq)
     values (app_uuid7(now()), ?, ?, ?, ?, ?, 1)
     on conflict (tenant_id, term, session) do update set last_seq = c.last_seq + 1, updated_at = now()
     returning last_seq as seq`,
    [t.id, t.provinceId, t.cityId ?? null, term, session],
  );
  return row!.seq;
}

export async function reviewProposal(ctx: Context, globalId: string, input: ReviewProposalInput): Promise<Proposal> {
  requireRole(ctx, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  expectStatus(ctx, p, input.decision, ProposalStatus.SUBMITTED);
  if (input.decision === ReviewDecision.NOT_FILED && !input.note) throw badInput(text('不予立案须说明理由', 'a proposal not filed needs the reason'), { field: 'note' });
  const filed = input.decision === ReviewDecision.FILED;
  if (filed && (!input.term || !input.session)) {
    throw badInput(text('立案须注明届次和会次', 'Filing names the term and the session'), { field: input.term ? 'session' : 'term' });
  }
  if (!filed && (input.term || input.session)) {
    throw badInput(text('只有立案的提案编入届次和会次', 'Only a filed proposal gets a term and a session'), { field: input.term ? 'term' : 'session' });
  }
  const now = ctx.clock.now();
  p.status = input.decision as unknown as ProposalStatus;
  p.reviewNote = input.note ?? null;
  p.reviewedAt = now;
  if (filed) {
    p.term = input.term!;
    p.session = input.session!;
    p.caseSeq = await nextCaseSeq(ctx, input.term!, input.session!);
  }
  change(ctx, p, ProposalStatus.SUBMITTED, p.status, { comment: input.note ?? null });
  await ctx.em.flush();
  if (p.status === ProposalStatus.FILED) {
    await statistics.recordFact(ctx, { metric: 'proposal.filed', tenantId: p.tenantId, at: now });
    // The filing rate's numerator: a share of the proposals submitted in a month, so it counts in that month.
    await statistics.recordFact(ctx, { metric: 'proposal.filed_of_submitted', tenantId: p.tenantId, at: p.submittedAt });
    if (p.kind === ProposalKind.MEMBER || p.kind === ProposalKind.JOINT) {
      for (const userId of [p.proposerId, ...p.coProposerIds]) {
        await emit(ctx, 'duty.act', { kind: 'PROPOSAL_FILED', userId, tenantId: p.tenantId, sourceType: 'Proposal', sourceId: p.id, title: p.title, occurredAt: now });
      }
    }
  } else {
    await emit(ctx, 'proposal.not-filed', { proposalId: p.id, tenantId: p.tenantId, title: p.title, proposerIds: [p.proposerId, ...p.coProposerIds], converted: p.status === ProposalStatus.CONVERTED, note: p.reviewNote ?? null, at: now });
  }
  return p;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** Review ended without filing (不予立案, or converted to an opinion letter 转为意见函). */
    'proposal.not-filed': { proposalId: string; tenantId: string; title: string; proposerIds: string[]; converted: boolean; note: string | null; at: Date };
    /** Assigned to handling units (交办): the lead unit and the co-units, with the reply deadline. */
    'proposal.assigned': { proposalId: string; tenantId: string; title: string; leadUnitId: string; coUnitIds: string[]; deadline: Date };
    /** The reply came in (答复), from the lead unit or entered by the office for it. */
    'proposal.replied': { proposalId: string; tenantId: string; title: string; proposerIds: string[]; unitName: string; at: Date; byUserId: string };
  }
}

export async function assignProposal(ctx: Context, globalId: string, input: AssignProposalInput): Promise<Proposal> {
  requireRole(ctx, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  expectStatus(ctx, p, ProposalStatus.ASSIGNED, ProposalStatus.FILED);
  const now = ctx.clock.now();
  if (!(input.replyDeadline instanceof Date) || input.replyDeadline <= now) throw badInput(text('答复期限须晚于现在', 'replyDeadline must be in the future'), { field: 'replyDeadline' });
  const [lead] = await units.unitsOf(ctx, [input.leadUnit], 'leadUnit');
  const co = await units.unitsOf(ctx, input.coUnits ?? [], 'coUnits');
  if (co.includes(lead!)) throw badInput(text('主办单位不能同时是协办单位', 'The lead unit is not also a co-handler'), { field: 'coUnits' });
  p.leadUnitId = lead!;
  p.coUnitIds = co;
  p.replyDeadline = input.replyDeadline;
  p.assignedAt = now;
  p.status = ProposalStatus.ASSIGNED;
  const names = [await units.unitName(ctx, lead!), ...(await Promise.all(co.map((u) => units.unitName(ctx, u))))];
  change(ctx, p, ProposalStatus.FILED, ProposalStatus.ASSIGNED, { comment: `${names.join('、')}，${chinaDate(input.replyDeadline)} 前答复` });
  await ctx.em.flush();
  const itemKey = `Proposal:${p.id}`;
  await statistics.trackDeadline(ctx, { metric: 'proposal.overdue', tenantId: p.tenantId, itemKey, dueAt: input.replyDeadline });
  // Assigned again after 改办: the deadline already tracked moves to the new one (unless it was already overdue).
  await statistics.moveDeadline(ctx, { itemKey, dueAt: input.replyDeadline });
  await emit(ctx, 'proposal.assigned', { proposalId: p.id, tenantId: p.tenantId, title: p.title, leadUnitId: lead!, coUnitIds: co, deadline: input.replyDeadline });
  return p;
}

/** The lead unit's account, acting on an assigned proposal of its unit. */
function expectLeadUnit(ctx: Context, p: Proposal): void {
  const unit = units.viewerUnit(ctx);
  if (p.leadUnitId !== unit) throw forbidden(text('只有主办单位可以办理此事项', 'Only the lead unit does this'));
}

/** 改办: the lead unit gives the proposal back to the office, with its reason; the office assigns it anew. */
export async function returnProposal(ctx: Context, globalId: string, reason: string): Promise<Proposal> {
  requireRole(ctx, Role.DEPARTMENT);
  const p = await findProposal(ctx, globalId);
  expectLeadUnit(ctx, p);
  expectStatus(ctx, p, ProposalStatus.FILED, ProposalStatus.ASSIGNED, ProposalStatus.OVERDUE);
  units.expectNotOverdue(ctx, p.replyDeadline);
  if (await units.pendingExtension(ctx, p.id)) throw invalidTransition('EXTENSION_REQUESTED', 'RETURNED', text('延期申请待审核期间不能申请改办', 'An item with an extension request waiting cannot be given back'));
  const from = effectiveProposalStatus(p, ctx.clock.now());
  Object.assign(p, { status: ProposalStatus.FILED, leadUnitId: null, coUnitIds: [], assignedAt: null, replyDeadline: null });
  change(ctx, p, from, ProposalStatus.FILED, { comment: reason, move: 'RETURNED' });
  await ctx.em.flush();
  // No answer is owed any more: the deadline will not turn overdue (a new assignment opens it again).
  await statistics.settleDeadline(ctx, { itemKey: `Proposal:${p.id}`, at: ctx.clock.now() });
  return p;
}

export async function requestProposalExtension(ctx: Context, globalId: string, input: RequestExtensionInput): Promise<DeadlineExtension> {
  requireRole(ctx, Role.DEPARTMENT);
  const p = await findProposal(ctx, globalId);
  expectLeadUnit(ctx, p);
  expectStatus(ctx, p, 'EXTENSION_REQUESTED', ProposalStatus.ASSIGNED, ProposalStatus.OVERDUE);
  const x = await units.requestExtension(ctx, { itemType: 'Proposal', id: p.id, unitId: p.leadUnitId!, deadline: p.replyDeadline! }, input.until, input.reason);
  change(ctx, p, ProposalStatus.ASSIGNED, ProposalStatus.ASSIGNED, { comment: `申请延至 ${chinaDate(input.until)}：${input.reason}`, move: 'EXTENSION_REQUESTED' });
  await ctx.em.flush();
  return x;
}

export async function decideProposalExtension(ctx: Context, globalId: string, input: DecideExtensionInput): Promise<Proposal> {
  requireRole(ctx, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  const x = await units.decideExtension(ctx, p.id, p.replyDeadline, input.granted, input.note);
  const from = effectiveProposalStatus(p, ctx.clock.now());
  if (from !== ProposalStatus.ASSIGNED && from !== ProposalStatus.OVERDUE) throw invalidTransition(from, input.granted ? 'EXTENSION_GRANTED' : 'EXTENSION_REFUSED', text(`${proposalStatusZh(from)}的提案没有可审核的延期申请`, `A proposal that is ${from} has no extension to decide`));
  if (input.granted) p.replyDeadline = x.requestedUntil;
  const to = effectiveProposalStatus(p, ctx.clock.now());
  const comment = input.granted ? `同意延至 ${chinaDate(x.requestedUntil)}${input.note ? `：${input.note}` : ''}` : `不同意延期：${input.note}`;
  change(ctx, p, from, to, { comment, move: input.granted ? 'EXTENSION_GRANTED' : 'EXTENSION_REFUSED' });
  await ctx.em.flush();
  if (input.granted) await statistics.moveDeadline(ctx, { itemKey: `Proposal:${p.id}`, dueAt: x.requestedUntil });
  return p;
}

export async function replyProposal(ctx: Context, globalId: string, input: ReplyProposalInput): Promise<Proposal> {
  requireRole(ctx, Role.DEPARTMENT, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  if (ctx.viewer.role === Role.DEPARTMENT) expectLeadUnit(ctx, p);
  expectStatus(ctx, p, ProposalStatus.REPLIED, ProposalStatus.ASSIGNED, ProposalStatus.OVERDUE);
  const now = ctx.clock.now();
  const from = effectiveProposalStatus(p, now);
  const byOffice = ctx.viewer.role !== Role.DEPARTMENT;
  p.replyClass = input.replyClass;
  p.replyText = input.text;
  p.repliedAt = now;
  p.replyEnteredBy = byOffice ? ctx.viewer.user.id : null;
  p.status = ProposalStatus.REPLIED;
  change(ctx, p, from, ProposalStatus.REPLIED, byOffice ? { comment: `代${await units.unitName(ctx, p.leadUnitId!)}录入`, move: 'ENTERED_FOR_UNIT' } : {});
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.replied', tenantId: p.tenantId, at: now });
  if (p.replyDeadline && now <= p.replyDeadline) await statistics.recordFact(ctx, { metric: 'proposal.replied_on_time', tenantId: p.tenantId, at: now });
  await statistics.settleDeadline(ctx, { itemKey: `Proposal:${p.id}`, at: now });
  await emit(ctx, 'proposal.replied', { proposalId: p.id, tenantId: p.tenantId, title: p.title, proposerIds: [p.proposerId, ...p.coProposerIds], unitName: await units.unitName(ctx, p.leadUnitId!), at: now, byUserId: ctx.viewer.user.id });
  return p;
}

export async function rateProposal(ctx: Context, globalId: string, satisfaction: Satisfaction): Promise<Proposal> {
  requireRole(ctx, Role.MEMBER);
  const p = await findProposal(ctx, globalId);
  if (p.proposerId !== ctx.viewer.user.id) throw forbidden(text('只有提案人可以测评答复', 'Only the proposer rates the reply'));
  expectStatus(ctx, p, ProposalStatus.RATED, ProposalStatus.REPLIED);
  const now = ctx.clock.now();
  p.satisfaction = satisfaction;
  p.ratedAt = now;
  p.status = ProposalStatus.RATED;
  change(ctx, p, ProposalStatus.REPLIED, ProposalStatus.RATED, { comment: satisfaction });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.rated', tenantId: p.tenantId, at: now });
  if (satisfaction !== Satisfaction.DISSATISFIED) await statistics.recordFact(ctx, { metric: 'proposal.satisfied', tenantId: p.tenantId, at: now });
  return p;
}

export async function superviseProposal(ctx: Context, globalId: string): Promise<Proposal> {
  requireRole(ctx, Role.LEADER, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  if (p.keySupervision) throw invalidTransition('SUPERVISED', 'SUPERVISED', text('该提案已列为重点督办', 'This proposal is already flagged for supervision'));
  expectStatus(ctx, p, 'SUPERVISED', ProposalStatus.FILED, ProposalStatus.ASSIGNED, ProposalStatus.OVERDUE, ProposalStatus.REPLIED, ProposalStatus.RATED);
  const now = ctx.clock.now();
  p.keySupervision = true;
  p.supervisedAt = now;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.supervised', tenantId: p.tenantId, at: now });
  return p;
}

/** A proposal's title and text, changed by its proposer (the office, for an office's own) before the filing review; kept in its history. */
export async function editProposal(ctx: Context, input: EditProposalInput): Promise<Proposal> {
  requireRole(ctx, Role.MEMBER, ...OFFICE);
  const p = await findProposal(ctx, input.id);
  const byMember = p.kind === ProposalKind.MEMBER || p.kind === ProposalKind.JOINT;
  if (byMember ? p.proposerId !== ctx.viewer.user.id : ctx.viewer.role === Role.MEMBER) throw forbidden(text('只有提案人可以修改提案', 'Only the proposer edits a proposal'));
  if (p.status !== ProposalStatus.SUBMITTED) throw invalidTransition(p.status, 'EDIT', text(`提案只能在立案审查前修改（当前：${proposalStatusZh(p.status)}）`, `A proposal is edited only before its filing review (it is ${p.status})`));
  recordEdit(ctx, { itemType: 'Proposal', itemId: p.id, jointItemId: p.id, ownerTenantId: p.tenantId, state: p.status }, p, { title: input.title ?? undefined, content: input.content ?? undefined });
  await ctx.em.flush();
  return p;
}
