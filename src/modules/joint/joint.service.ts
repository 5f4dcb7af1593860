import type { Context } from '../../core/context.js';
import { requireRole } from '../../core/context.js';
import { badInput, conflict, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { expectGlobalId } from '../../core/global-id.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { recordChange } from '../history/history.service.js';
import * as statistics from '../statistics/statistics.service.js';
import { JointMembership, JointParticipant, ParticipationKind, ParticipationStatus, type JointItemType } from './joint.entities.js';

/** Who acts for a committee in joint work (accepting, inviting, moving items): its office and leadership. */
export const JOINT_ACTORS = [Role.STAFF, Role.LEADER];
/** Who may read joint work of their committee. */
export const JOINT_READERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER];

export interface JointItemRef {
  type: JointItemType;
  id: string;
  ownerTenantId: string;
  title: string;
}

/** Committees by code, all found, none repeated; the caller adds its own rules (province, descendants). */
export async function committeesByCode(ctx: Context, codes: string[]): Promise<Tenant[]> {
  if (codes.length === 0) throw badInput(text('请至少指定一个政协组织', 'Name at least one committee'), { field: 'committeeCodes' });
  if (new Set(codes).size !== codes.length) throw badInput(text('同一政协组织重复列出', 'A committee is named twice'), { field: 'committeeCodes' });
  const found = await ctx.loaders.tenant.byCode.loadMany(codes);
  const tenants = found.filter((t): t is Tenant => t instanceof Tenant);
  if (tenants.length !== codes.length) throw notFound(text('政协组织', 'Committee'));
  return tenants;
}

export async function invite(
  ctx: Context,
  item: JointItemRef,
  invitees: Tenant[],
  opts: { message?: string | null; respondBy?: string | null },
): Promise<JointParticipant[]> {
  const existing = await ctx.em.find(JointParticipant, { itemId: item.id, tenantId: { $in: invitees.map((t) => t.id) } });
  if (existing.length) {
    const names = invitees.filter((t) => existing.some((e) => e.tenantId === t.id)).map((t) => t.name);
    throw conflict(text(`已邀请或已参与：${names.join('、')}`, `Already invited or taking part: ${names.join('、')}`));
  }
  const rows = invitees.map((t) =>
    addParticipant(ctx, item, t, { kind: ParticipationKind.INVITATION, status: ParticipationStatus.PENDING, message: opts.message, respondBy: opts.respondBy }),
  );
  for (const p of rows) {
    await emit(ctx, 'joint.invited', { participantId: p.id, tenantId: p.tenantId, inviterName: ctx.tenant.name, itemType: item.type, itemId: item.id, title: item.title, respondBy: p.respondBy ?? null });
  }
  return rows;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A committee was invited to a joint item (邀请): the invitation is the invitee's row `participantId`. */
    'joint.invited': { participantId: string; tenantId: string; inviterName: string; itemType: JointItemType; itemId: string; title: string; respondBy: string | null };
    /** An invited committee (`tenantName`) accepted or declined; the owner `ownerTenantId` is told. */
    'joint.answered': { participantId: string; tenantName: string; ownerTenantId: string; itemType: JointItemType; itemId: string; title: string; accepted: boolean; reason: string | null };
  }
}

/** The item's title changed: its participations (the invitations each committee reads) carry the new one. */
export async function retitleParticipations(ctx: Context, itemId: string, title: string): Promise<void> {
  await ctx.em.nativeUpdate(JointParticipant, { itemId, ownerTenantId: ctx.tenant.id }, { title });
}

/**
 * A committee joins a joint item's participants: the participation row, the access it grants (`grant`), and
 * its first history entry (unless `history: false`), as one step. An answered participation (not PENDING)
 * is dated now. Statistics are the caller's (countTakingPart): when a committee counts depends on the move.
 */
export function addParticipant(
  ctx: Context,
  item: JointItemRef,
  tenant: Tenant,
  opts: { kind: ParticipationKind; status: ParticipationStatus; message?: string | null; respondBy?: string | null; grant?: 'MEMBER' | 'VIEW'; history?: boolean },
): JointParticipant {
  const p = ctx.em.create(JointParticipant, {
    ...ownership(tenant),
    itemType: item.type,
    itemId: item.id,
    ownerTenantId: item.ownerTenantId,
    kind: opts.kind,
    status: opts.status,
    title: item.title,
    message: opts.message ?? null,
    ...(opts.respondBy !== undefined ? { respondBy: opts.respondBy ?? null } : {}),
    ...(opts.status !== ParticipationStatus.PENDING ? { respondedAt: ctx.clock.now() } : {}),
  });
  if (opts.grant) grantMembership(ctx, item, tenant, opts.grant);
  if (opts.history !== false) {
    recordChange(ctx, { itemType: 'JointParticipant', itemId: p.id, subjectTenantId: p.tenantId, jointItemId: item.id, ownerTenantId: item.ownerTenantId, from: null, to: opts.status, comment: opts.message });
  }
  return p;
}

/** A participation row of the acting committee, for answering. */
export async function ownParticipation(ctx: Context, globalId: string): Promise<JointParticipant> {
  requireRole(ctx, ...JOINT_ACTORS);
  const id = expectGlobalId(globalId, 'JointParticipant');
  const p = await ctx.em.findOne(JointParticipant, { id, tenantId: ctx.tenant.id });
  if (!p) throw notFound(text('邀请', 'Invitation'));
  return p;
}

const ANSWERED_ZH: Partial<Record<ParticipationStatus, string>> = { ACCEPTED: '已接受', DECLINED: '已谢绝' };
/** An invitation, recommendation or take-up answered before (or withdrawn): it is answered once. */
export const answeredAlready = (s: ParticipationStatus) =>
  ANSWERED_ZH[s] ? text(`该邀请${ANSWERED_ZH[s]}，不能再次答复`, `This invitation has already been ${s.toLowerCase()}`) : text('该邀请已撤回，不能答复', 'This invitation was withdrawn and cannot be answered');

/** Accept or decline an invitation (邀请) to a joint item. */
export async function respondToInvitation(ctx: Context, globalId: string, accept: boolean, reason?: string | null): Promise<JointParticipant> {
  const p = await ownParticipation(ctx, globalId);
  if (p.kind !== ParticipationKind.INVITATION) throw badInput(text('这不是一条邀请', 'This is not an invitation'), { field: 'id' });
  const to = accept ? ParticipationStatus.ACCEPTED : ParticipationStatus.DECLINED;
  if (p.status !== ParticipationStatus.PENDING) throw invalidTransition(p.status, to, answeredAlready(p.status));
  if (!accept && !reason?.trim()) throw badInput(text('谢绝邀请须说明理由', 'A reason is required to decline'), { field: 'reason' });
  p.status = to;
  p.reason = accept ? null : reason!;
  p.respondedAt = ctx.clock.now();
  if (accept) {
    const item = { type: p.itemType, id: p.itemId, ownerTenantId: p.ownerTenantId };
    grantMembership(ctx, item, ctx.tenant, 'MEMBER');
    await countTakingPart(ctx, item, [p.ownerTenantId, ctx.tenant.id]);
  }
  recordChange(ctx, { itemType: 'JointParticipant', itemId: p.id, subjectTenantId: p.tenantId, jointItemId: p.itemId, ownerTenantId: p.ownerTenantId, from: ParticipationStatus.PENDING, to, comment: reason });
  await ctx.em.flush();
  ctx.joint.invalidate();
  await emit(ctx, 'joint.answered', { participantId: p.id, tenantName: ctx.tenant.name, ownerTenantId: p.ownerTenantId, itemType: p.itemType, itemId: p.itemId, title: p.title, accepted: accept, reason: p.reason ?? null });
  return p;
}

/**
 * The owner closes invitations nobody answered when its item stops taking participants: invitees cannot
 * see the item itself, so the state they answer against lives on their own invitation.
 */
export async function withdrawPending(ctx: Context, itemId: string, comment: string): Promise<void> {
  const pending = await ctx.em.find(JointParticipant, { itemId, ownerTenantId: ctx.tenant.id, status: ParticipationStatus.PENDING, kind: ParticipationKind.INVITATION });
  for (const p of pending) {
    recordChange(ctx, { itemType: 'JointParticipant', itemId: p.id, subjectTenantId: p.tenantId, jointItemId: itemId, ownerTenantId: p.ownerTenantId, from: p.status, to: ParticipationStatus.WITHDRAWN, comment });
    p.status = ParticipationStatus.WITHDRAWN;
  }
}

const SHARED_METRIC = { ResearchProject: 'research.projects', ConsultationTopic: 'topic.joint' } as const;

/**
 * Count a committee into a joint item's statistics (联合调研课题数, 联动协商议题数): once for each committee
 * taking part, and once at any ancestor however many of its descendants take part.
 */
export async function countTakingPart(ctx: Context, item: Omit<JointItemRef, 'title'>, tenantIds: string[], join = true): Promise<void> {
  for (const tenantId of tenantIds) {
    await statistics.recordItem(ctx, { metric: SHARED_METRIC[item.type], tenantId, itemKey: `${item.type}:${item.id}`, at: ctx.clock.now(), join });
  }
}

export function grantMembership(ctx: Context, item: Omit<JointItemRef, 'title'>, tenant: Tenant, access: 'MEMBER' | 'VIEW'): JointMembership {
  return ctx.em.create(JointMembership, { ...ownership(tenant), itemType: item.type, itemId: item.id, ownerTenantId: item.ownerTenantId, access });
}

/** Whether the acting committee owns the item or is an accepted participant. */
export async function takesPart(ctx: Context, item: { id: string; tenantId: string }): Promise<boolean> {
  return item.tenantId === ctx.tenant.id || (await ctx.joint.items('MEMBER')).includes(item.id);
}
