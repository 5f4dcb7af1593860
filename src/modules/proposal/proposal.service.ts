import { requireRole, type Context } from '../../core/context.js';
import { badInput, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs, type PageOrder } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import { recordEdit } from '../history/history.service.js';
import { Proposal, ProposalKind, ProposalStatus, Satisfaction } from './proposal.entity.js';
import { ReviewDecision, type AssignProposalInput, type EditProposalInput, type ProposalFilter, type ProposalOrder, type ReplyProposalInput, type ReviewProposalInput, type SubmitProposalInput } from './proposal.inputs.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER, Role.DEPARTMENT];

/** Who sees a proposal inside its committee: the office and leaders all; members their own; departments theirs. */
function readRule(ctx: Context) {
  const me = ctx.viewer.user.id;
  switch (ctx.viewer.role) {
    case Role.MEMBER:
      return { $or: [{ proposerId: me }, { coProposerIds: { $overlap: [me] } }] };
    case Role.DEPARTMENT:
      return { $or: [{ leadDepartmentId: me }, { coDepartmentIds: { $overlap: [me] } }] };
    default:
      return {};
  }
}

export async function listProposals(ctx: Context, filter: ProposalFilter | undefined, page: PageArgs, orderBy?: ProposalOrder) {
  requireRole(ctx, ...READERS);
  const where = {
    tenantId: ctx.tenant.id,
    ...readRule(ctx),
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.keySupervision !== undefined && filter?.keySupervision !== null ? { keySupervision: filter.keySupervision } : {}),
  };
  const order: PageOrder<Proposal> | undefined = orderBy && { name: 'submitted', direction: orderBy.direction, key: { prop: 'submittedAt', type: 'date' } };
  return paginate(ctx.em, Proposal, where, page, ctx.config.maxPageSize, order);
}

export async function readableProposal(ctx: Context, id: string): Promise<Proposal | null> {
  if (!READERS.includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(Proposal, { id, tenantId: ctx.tenant.id, ...readRule(ctx) });
}

async function findProposal(ctx: Context, globalId: string): Promise<Proposal> {
  const id = expectGlobalId(globalId, 'Proposal');
  const p = await readableProposal(ctx, id);
  if (!p) throw notFound(text('提案', 'Proposal'));
  return p;
}

const PROPOSAL_STATUS_ZH: Record<ProposalStatus, string> = {
  SUBMITTED: '已提交', FILED: '已立案', NOT_FILED: '不予立案', CONVERTED: '已转为意见建议', ASSIGNED: '已交办', REPLIED: '已答复', RATED: '已测评',
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
};

function expectStatus(p: Proposal, to: string, ...from: ProposalStatus[]): void {
  const move = PROPOSAL_MOVE[to]!;
  if (!from.includes(p.status)) throw invalidTransition(p.status, to, text(`${proposalStatusZh(p.status)}的提案不能${move.zh}`, `A proposal that is ${p.status} cannot be ${move.en}`));
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
    coDepartmentIds: [],
    keySupervision: false,
    submittedAt: now,
  });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.submitted', tenantId: p.tenantId, at: now });
  return p;
}

/**
 * Edit a proposal before its filing review (修改提案): a member's or a joint proposal by its proposer, a
 * sector's or party group's by the office. Each edit is kept (`edits`).
 */
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

export async function reviewProposal(ctx: Context, globalId: string, input: ReviewProposalInput): Promise<Proposal> {
  requireRole(ctx, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  expectStatus(p, input.decision, ProposalStatus.SUBMITTED);
  if (input.decision === ReviewDecision.NOT_FILED && !input.note) throw badInput(text('不予立案须说明理由', 'a proposal not filed needs the reason'), { field: 'note' });
  const now = ctx.clock.now();
  p.status = input.decision as unknown as ProposalStatus;
  p.reviewNote = input.note ?? null;
  p.reviewedAt = now;
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
  }
  return p;
}

async function departments(ctx: Context, globalIds: string[], field: string): Promise<string[]> {
  const ids = globalIds.map((g) => expectGlobalId(g, 'User', field));
  if (new Set(ids).size !== ids.length) throw badInput(text('同一协办单位重复列出', 'a co-handler is named twice'), { field });
  if (!ids.length) return [];
  const found = await ctx.em.find(User, { id: { $in: ids }, tenantId: ctx.tenant.id, role: Role.DEPARTMENT });
  if (found.length !== ids.length) throw notFound(text('承办单位', 'Department'));
  return ids;
}

export async function assignProposal(ctx: Context, globalId: string, input: AssignProposalInput): Promise<Proposal> {
  requireRole(ctx, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  expectStatus(p, ProposalStatus.ASSIGNED, ProposalStatus.FILED);
  const now = ctx.clock.now();
  if (!(input.replyDeadline instanceof Date) || input.replyDeadline <= now) throw badInput(text('答复期限须晚于现在', 'replyDeadline must be in the future'), { field: 'replyDeadline' });
  const [lead] = await departments(ctx, [input.leadDepartment], 'leadDepartment');
  const co = await departments(ctx, input.coDepartments ?? [], 'coDepartments');
  if (co.includes(lead!)) throw badInput(text('主办单位不能同时作为协办单位', 'the lead department is not also a co-handler'), { field: 'coDepartments' });
  p.leadDepartmentId = lead!;
  p.coDepartmentIds = co;
  p.replyDeadline = input.replyDeadline;
  p.assignedAt = now;
  p.status = ProposalStatus.ASSIGNED;
  await ctx.em.flush();
  await statistics.trackDeadline(ctx, { metric: 'proposal.overdue', tenantId: p.tenantId, itemKey: `Proposal:${p.id}`, dueAt: input.replyDeadline });
  return p;
}

export async function replyProposal(ctx: Context, globalId: string, input: ReplyProposalInput): Promise<Proposal> {
  requireRole(ctx, Role.DEPARTMENT, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  if (ctx.viewer.role === Role.DEPARTMENT && p.leadDepartmentId !== ctx.viewer.user.id) throw forbidden(text('只有主办单位可以答复', 'Only the lead department replies'));
  expectStatus(p, ProposalStatus.REPLIED, ProposalStatus.ASSIGNED);
  const now = ctx.clock.now();
  p.replyClass = input.replyClass;
  p.replyText = input.text;
  p.repliedAt = now;
  p.status = ProposalStatus.REPLIED;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.replied', tenantId: p.tenantId, at: now });
  if (p.replyDeadline && now <= p.replyDeadline) await statistics.recordFact(ctx, { metric: 'proposal.replied_on_time', tenantId: p.tenantId, at: now });
  await statistics.settleDeadline(ctx, { itemKey: `Proposal:${p.id}`, at: now });
  return p;
}

export async function rateProposal(ctx: Context, globalId: string, satisfaction: Satisfaction): Promise<Proposal> {
  requireRole(ctx, Role.MEMBER);
  const p = await findProposal(ctx, globalId);
  if (p.proposerId !== ctx.viewer.user.id) throw forbidden(text('只有提案人可以测评答复', 'Only the proposer rates the reply'));
  expectStatus(p, ProposalStatus.RATED, ProposalStatus.REPLIED);
  const now = ctx.clock.now();
  p.satisfaction = satisfaction;
  p.ratedAt = now;
  p.status = ProposalStatus.RATED;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.rated', tenantId: p.tenantId, at: now });
  if (satisfaction !== Satisfaction.DISSATISFIED) await statistics.recordFact(ctx, { metric: 'proposal.satisfied', tenantId: p.tenantId, at: now });
  return p;
}

export async function superviseProposal(ctx: Context, globalId: string): Promise<Proposal> {
  requireRole(ctx, Role.LEADER, ...OFFICE);
  const p = await findProposal(ctx, globalId);
  if (p.keySupervision) throw invalidTransition('SUPERVISED', 'SUPERVISED', text('该提案已列为重点督办', 'This proposal is already flagged for supervision'));
  expectStatus(p, 'SUPERVISED', ProposalStatus.FILED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.RATED);
  const now = ctx.clock.now();
  p.keySupervision = true;
  p.supervisedAt = now;
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'proposal.supervised', tenantId: p.tenantId, at: now });
  return p;
}
