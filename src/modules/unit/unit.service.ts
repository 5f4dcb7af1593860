import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, conflict, forbidden, invalidTransition, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role, User, type UnitDuty } from '../../core/identity/user.entity.js';
import { DeadlineExtension, ExtensionStatus, HandlingUnit } from './unit.entities.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const UNIT = text('承办单位', 'Handling unit');

/** The office and leaders read the directory; a DEPARTMENT account reads it too (it names co-handlers). */
const DIRECTORY_READERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.DEPARTMENT];

export async function readableUnit(ctx: Context, id: string): Promise<HandlingUnit | null> {
  if (!DIRECTORY_READERS.includes(ctx.viewer.role)) return null;
  return ctx.loaders.unit.unitById.load(id);
}

export async function listUnits(ctx: Context, page: PageArgs) {
  requireRole(ctx, ...DIRECTORY_READERS);
  return paginate(ctx.em, HandlingUnit, { tenantId: ctx.tenant.id }, page, ctx.config.maxPageSize);
}

/** A unit's accounts: for the office and leaders, and for the unit's own accounts. */
export async function accountsOf(ctx: Context, u: HandlingUnit): Promise<User[] | null> {
  const own = ctx.viewer.role === Role.DEPARTMENT && ctx.viewer.user.unitId === u.id;
  if (!own && ![Role.STAFF, Role.LEADER, Role.ADMIN].includes(ctx.viewer.role)) return null;
  return ctx.loaders.unit.accountsByUnit.load(u.id);
}

export async function createUnit(ctx: Context, name: string): Promise<HandlingUnit> {
  requireRole(ctx, ...OFFICE);
  const trimmed = name.trim();
  if (!trimmed) throw badInput(text('单位名称不能为空', 'The unit needs a name'), { field: 'name' });
  const existing = await ctx.em.findOne(HandlingUnit, { tenantId: ctx.tenant.id, name: trimmed });
  if (existing) throw conflict(text(`本会已有承办单位“${trimmed}”`, `This committee already has a handling unit named ${trimmed}`));
  const u = ctx.em.create(HandlingUnit, { ...ownership(ctx.tenant), name: trimmed });
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw conflict(text(`本会已有承办单位“${trimmed}”`, `This committee already has a handling unit named ${trimmed}`));
    throw e;
  }
  return u;
}

export async function setUnitDuty(ctx: Context, userGlobalId: string, duty: UnitDuty): Promise<User> {
  requireRole(ctx, ...OFFICE);
  const user = await ctx.em.findOne(User, { id: expectGlobalId(userGlobalId, 'User', 'user'), tenantId: ctx.tenant.id, role: Role.DEPARTMENT });
  if (!user) throw notFound(text('承办单位账号', 'Handling unit account'));
  user.unitDuty = duty;
  await ctx.em.flush();
  return user;
}

/** Handling units of the acting committee named by global ids, in order; each once. */
export async function unitsOf(ctx: Context, globalIds: string[], field: string): Promise<string[]> {
  const ids = globalIds.map((g) => expectGlobalId(g, 'HandlingUnit', field));
  if (new Set(ids).size !== ids.length) throw badInput(text('同一承办单位不能列出两次', 'A handling unit is named twice'), { field });
  if (!ids.length) return [];
  const found = await ctx.em.find(HandlingUnit, { id: { $in: ids }, tenantId: ctx.tenant.id });
  if (found.length !== ids.length) throw notFound(UNIT);
  return ids;
}

export async function unitName(ctx: Context, id: string): Promise<string> {
  const u = await ctx.loaders.unit.unitById.load(id);
  if (!u) throw notFound(UNIT);
  return u.name;
}

/** 改办 is asked before the deadline passes: an overdue item stays with its unit until answered. */
export function expectNotOverdue(ctx: Context, deadline: Date | null | undefined): void {
  if (deadline && deadline.getTime() < ctx.clock.now().getTime()) {
    throw invalidTransition('OVERDUE', 'RETURNED', text('已逾期的事项不能申请改办', 'An overdue item cannot be given back'));
  }
}

/** The unit the acting DEPARTMENT account answers for. */
export function viewerUnit(ctx: Context): string {
  const id = ctx.viewer.role === Role.DEPARTMENT ? ctx.viewer.user.unitId : null;
  if (!id) throw forbidden(text('只有承办单位账号可以办理', 'Only an account of a handling unit can do this'));
  return id;
}

/** What an extension is asked for: an item assigned to a unit, with a deadline. */
export interface ExtensionTarget {
  itemType: 'Proposal' | 'ConsultationSuggestion';
  id: string;
  unitId: string;
  deadline: Date;
}

export async function pendingExtension(ctx: Context, itemId: string): Promise<DeadlineExtension | null> {
  return ctx.em.findOne(DeadlineExtension, { itemId, tenantId: ctx.tenant.id, status: ExtensionStatus.PENDING });
}

/** The unit asks for a later deadline (延期申请): before the deadline, one pending request at a time. */
export async function requestExtension(ctx: Context, t: ExtensionTarget, until: Date, reason: string): Promise<DeadlineExtension> {
  const now = ctx.clock.now();
  if (t.deadline.getTime() < now.getTime()) {
    throw invalidTransition('OVERDUE', 'EXTENSION_REQUESTED', text('已逾期的事项不能再申请延期', 'An overdue item can no longer ask for an extension'));
  }
  if (!(until instanceof Date) || until.getTime() <= t.deadline.getTime()) {
    throw badInput(text('申请延至的日期须晚于现有期限', 'The date asked for must be after the present deadline'), { field: 'until' });
  }
  if (await pendingExtension(ctx, t.id)) throw conflict(text('该事项已有待审核的延期申请', 'This item already has an extension request waiting'));
  const x = ctx.em.create(DeadlineExtension, {
    ...ownership(ctx.tenant),
    itemType: t.itemType,
    itemId: t.id,
    unitId: t.unitId,
    previousDeadline: t.deadline,
    requestedUntil: until,
    reason,
    status: ExtensionStatus.PENDING,
    requestedBy: ctx.viewer.user.id,
    requestedAt: now,
  });
  return x;
}

/**
 * The office grants or refuses the pending request of an item whose deadline is `deadline`; returns it
 * decided. Granting needs the deadline still to come: once it has passed the item was overdue, and stays so.
 */
export async function decideExtension(ctx: Context, itemId: string, deadline: Date | null | undefined, granted: boolean, note: string | null | undefined): Promise<DeadlineExtension> {
  requireRole(ctx, ...OFFICE);
  const x = await pendingExtension(ctx, itemId);
  if (!x) throw notFound(text('待审核的延期申请', 'Pending extension request'));
  if (granted && (!deadline || deadline.getTime() < ctx.clock.now().getTime())) {
    throw invalidTransition('OVERDUE', 'EXTENSION_GRANTED', text('期限已过，不能再同意延期', 'The deadline has passed: the extension can no longer be granted'));
  }
  if (!granted && !note) throw badInput(text('不同意延期时须说明理由', 'Give the reason when refusing an extension'), { field: 'note' });
  Object.assign(x, { status: granted ? ExtensionStatus.GRANTED : ExtensionStatus.REFUSED, decidedBy: ctx.viewer.user.id, decidedAt: ctx.clock.now(), decisionNote: note ?? null });
  return x;
}
