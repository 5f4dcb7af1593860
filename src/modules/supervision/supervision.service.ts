import type { FilterQuery } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, invalidTransition, notFound, text } from '../../core/errors.js';
import { emit } from '../../core/events.js';
import { expectGlobalId, parseGlobalId } from '../../core/global-id.js';
import { OrderDirection, paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { inOrderOf, loadNode } from '../../core/node-loader.js';
import { Role } from '../../core/identity/user.entity.js';
import * as statistics from '../statistics/statistics.service.js';
import * as units from '../unit/unit.service.js';
import { parsePeriod } from '../statistics/period.js';
import { SupervisionProgress, SupervisionSource, SupervisionStatus, SupervisionTask } from './supervision.entities.js';
import type { OpenSupervisionTaskInput, SupervisionLedgerFilter } from './supervision.inputs.js';

const OFFICE = [Role.STAFF, Role.ADMIN];
const READERS = [Role.STAFF, Role.LEADER, Role.ADMIN];
const T = text('督办事项', 'Supervision task');

/** What each source may point at (node types of the records a task can come from). */
export const SOURCE_TYPES: Record<SupervisionSource, readonly string[]> = {
  INSTRUCTION: ['Proposal', 'Opinion', 'ResearchProject'],
  CONSULTATION_OUTCOME: ['ConsultationSuggestion', 'ConsultationTopic'],
  RESEARCH_OUTCOME: ['ResearchProject'],
};

/** Text of a plain argument: not blank, at most `max` characters. */
function textArg(value: string, max: number, field: string, empty: ReturnType<typeof text>): string {
  if (!value.trim()) throw badInput(empty, { field });
  if (value.length > max) throw badInput(text(`不能超过 ${max} 个字符`, `At most ${max} characters`), { field });
  return value;
}

const itemKey = (t: SupervisionTask) => `SupervisionTask:${t.id}`;

/** Office and leaders read the committee's whole ledger; a department, the tasks it is responsible for. */
function readRule(ctx: Context): FilterQuery<SupervisionTask> {
  return ctx.viewer.role === Role.DEPARTMENT ? { tenantId: ctx.tenant.id, ownerUnitId: units.viewerUnit(ctx) } : { tenantId: ctx.tenant.id };
}

export async function readableTask(ctx: Context, id: string): Promise<SupervisionTask | null> {
  if (![...READERS, Role.DEPARTMENT].includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(SupervisionTask, { $and: [{ id }, readRule(ctx)] });
}

/** `readableTask` for many ids in one statement. */
export async function readableTasks(ctx: Context, ids: readonly string[]): Promise<(SupervisionTask | null)[]> {
  if (![...READERS, Role.DEPARTMENT].includes(ctx.viewer.role)) return ids.map(() => null);
  return inOrderOf(ids, await ctx.em.find(SupervisionTask, { $and: [{ id: { $in: [...ids] } }, readRule(ctx)] }));
}

export async function readableProgress(ctx: Context, id: string): Promise<SupervisionProgress | null> {
  const p = await ctx.em.findOne(SupervisionProgress, { id, tenantId: ctx.tenant.id });
  return p && (await readableTask(ctx, p.taskId)) ? p : null;
}

async function findTask(ctx: Context, globalId: string): Promise<SupervisionTask> {
  const t = await readableTask(ctx, expectGlobalId(globalId, 'SupervisionTask'));
  if (!t) throw notFound(T);
  return t;
}

/** The record a task came from, read with that record's own rule (null when the viewer may not see it). */
export async function sourceOf(ctx: Context, t: SupervisionTask): Promise<object | null> {
  if (!t.sourceType || !t.sourceId) return null;
  // Batched per request and type: a ledger page costs one statement per source type, not one per task.
  return loadNode(ctx, t.sourceType, t.sourceId);
}

export async function openTask(ctx: Context, input: OpenSupervisionTaskInput): Promise<SupervisionTask> {
  requireRole(ctx, ...OFFICE);
  const now = ctx.clock.now();
  if (input.deadline <= now) throw badInput(text('办结时限须晚于现在', 'The deadline must be in the future'), { field: 'deadline' });
  const [ownerId] = await units.unitsOf(ctx, [input.owner], 'owner');
  const ownerName = await units.unitName(ctx, ownerId!);
  let source: { type: string; id: string } | null = null;
  if (input.sourceRecord) {
    const parsed = parseGlobalId(input.sourceRecord);
    if (!parsed || !SOURCE_TYPES[input.source].includes(parsed.type)) {
      throw badInput(text(`该来源只能关联：${SOURCE_TYPES[input.source].join('、')}`, `This source points at one of: ${SOURCE_TYPES[input.source].join(', ')}`), { field: 'sourceRecord' });
    }
    const fetch = ctx.kernel.nodes.get(parsed.type);
    if (!fetch || !(await fetch(ctx, parsed.id))) throw notFound(text('来源记录', 'Source record'));
    source = parsed;
  }
  const t = ctx.em.create(SupervisionTask, {
    ...ownership(ctx.tenant),
    source: input.source,
    sourceType: source?.type ?? null,
    sourceId: source?.id ?? null,
    title: input.title,
    requirement: input.requirement,
    ownerUnitId: ownerId!,
    ownerUnit: ownerName,
    issuedAt: now,
    deadline: input.deadline,
    status: SupervisionStatus.OPEN,
    createdBy: ctx.viewer.user.id,
  });
  await ctx.em.flush();
  await statistics.recordFact(ctx, { metric: 'supervision.tasks', tenantId: ctx.tenant.id, at: now });
  await statistics.trackDeadline(ctx, { metric: 'supervision.overdue', tenantId: ctx.tenant.id, itemKey: itemKey(t), dueAt: t.deadline });
  await emit(ctx, 'supervision.opened', { taskId: t.id, tenantId: t.tenantId, unitId: t.ownerUnitId, title: t.title, deadline: t.deadline });
  return t;
}

declare module '../../core/events.js' {
  interface DomainEvents {
    /** A supervision task was given to its owner unit (督办交办), with its deadline (办结时限). */
    'supervision.opened': { taskId: string; tenantId: string; unitId: string; title: string; deadline: Date };
  }
}

export async function ledger(ctx: Context, filter: SupervisionLedgerFilter | undefined, page: PageArgs) {
  requireRole(ctx, ...READERS, Role.DEPARTMENT);
  const f = filter ?? {};
  const now = ctx.clock.now();
  const and: FilterQuery<SupervisionTask>[] = [readRule(ctx)];
  if (f.status) and.push({ status: f.status });
  if (f.source) and.push({ source: f.source });
  if (f.owner) and.push({ ownerUnitId: expectGlobalId(f.owner, 'HandlingUnit', 'owner') });
  if (f.deadlineFrom) and.push({ deadline: { $gte: f.deadlineFrom } });
  if (f.deadlineTo) and.push({ deadline: { $lt: f.deadlineTo } });
  if (f.overdue === true) and.push({ status: SupervisionStatus.OPEN, deadline: { $lt: now } });
  if (f.overdue === false) and.push({ $or: [{ status: SupervisionStatus.CLOSED }, { deadline: { $gte: now } }] });
  return paginate(ctx.em, SupervisionTask, { $and: and }, page, ctx.config.maxPageSize, {
    name: 'deadline',
    direction: OrderDirection.ASC,
    key: { prop: 'deadline', type: 'date' },
  });
}

/** A progress report (进展报送): by the unit responsible, or by the office on its behalf; open tasks only. */
export async function reportProgress(ctx: Context, globalId: string, body: string): Promise<SupervisionTask> {
  requireRole(ctx, ...OFFICE, Role.DEPARTMENT);
  const t = await findTask(ctx, globalId);
  if (t.status !== SupervisionStatus.OPEN) throw invalidTransition(t.status, 'PROGRESS', text('已销号的事项不能再报送进展', 'A closed task takes no more progress reports'));
  textArg(body, 5000, 'body', text('请填写进展情况', 'The report is empty'));
  const now = ctx.clock.now();
  ctx.em.create(SupervisionProgress, { ...ownership(ctx.tenant), taskId: t.id, body, reportedAt: now, reportedBy: ctx.viewer.user.id, reporterName: ctx.viewer.user.displayName });
  t.lastProgressAt = now;
  await ctx.em.flush();
  ctx.loaders.supervision.progressByTask.clear(t.id);
  return t;
}

/** Close a task with its evidence (销号): the office only; closing after the deadline counts as late. */
export async function closeTask(ctx: Context, globalId: string, evidence: string): Promise<SupervisionTask> {
  requireRole(ctx, ...OFFICE);
  const t = await findTask(ctx, globalId);
  if (t.status !== SupervisionStatus.OPEN) throw invalidTransition(t.status, SupervisionStatus.CLOSED, text('该督办事项已销号', 'This task has already been closed'));
  textArg(evidence, 5000, 'evidence', text('销号须附办理佐证', 'Closing needs evidence'));
  const now = ctx.clock.now();
  t.status = SupervisionStatus.CLOSED;
  t.closedAt = now;
  t.closureEvidence = evidence;
  t.closedBy = ctx.viewer.user.id;
  await ctx.em.flush();
  await statistics.settleDeadline(ctx, { itemKey: itemKey(t), at: now });
  await statistics.recordFact(ctx, { metric: 'supervision.closed', tenantId: t.tenantId, at: now });
  if (now <= t.deadline) await statistics.recordFact(ctx, { metric: 'supervision.closed_on_time', tenantId: t.tenantId, at: now });
  return t;
}

export const isOverdue = (t: SupervisionTask, now: Date) => t.status === SupervisionStatus.OPEN && t.deadline < now;
export const closedOnTime = (t: SupervisionTask) => (t.closedAt ? t.closedAt <= t.deadline : null);

export interface UnitLine { ownerUnit: string; issued: number; closed: number; closedOnTime: number; closedLate: number; overdue: number }
export interface SupervisionReport {
  tenantName: string;
  period: string;
  from: string;
  to: string;
  issued: number;
  closed: SupervisionTask[];
  closedOnTime: number;
  closedLate: number;
  late: SupervisionTask[];
  byUnit: UnitLine[];
}

/** The month bucket `YYYY-MM-01` as the instant it starts in China time. */
const chinaMidnight = (day: string) => new Date(`${day}T00:00:00+08:00`);

/**
 * The periodic supervision report (督查专报) for a period: tasks issued in it, those closed in it (on time or
 * late), and those late at its end (open past their deadline then, or now if the period has not ended), by
 * unit responsible.
 */
export async function report(ctx: Context, periodText: string): Promise<SupervisionReport> {
  requireRole(ctx, ...READERS);
  const p = parsePeriod(periodText);
  const [from, to] = [chinaMidnight(p.from), chinaMidnight(p.to)];
  const now = ctx.clock.now();
  const cut = now < to ? now : to;
  const tasks = await ctx.em.find(
    SupervisionTask,
    {
      tenantId: ctx.tenant.id,
      $or: [{ issuedAt: { $gte: from, $lt: to } }, { closedAt: { $gte: from, $lt: to } }, { issuedAt: { $lt: cut }, deadline: { $lt: cut }, $or: [{ closedAt: null }, { closedAt: { $gte: cut } }] }],
    },
    { orderBy: { deadline: 'asc', id: 'asc' } },
  );
  const closed = tasks.filter((t) => t.closedAt && t.closedAt >= from && t.closedAt < to);
  const late = tasks.filter((t) => t.deadline < cut && t.issuedAt < cut && (!t.closedAt || t.closedAt >= cut));
  const issued = tasks.filter((t) => t.issuedAt >= from && t.issuedAt < to);
  const units = new Map<string, UnitLine>();
  const line = (u: string) => units.get(u) ?? units.set(u, { ownerUnit: u, issued: 0, closed: 0, closedOnTime: 0, closedLate: 0, overdue: 0 }).get(u)!;
  for (const t of issued) line(t.ownerUnit).issued++;
  for (const t of closed) {
    const l = line(t.ownerUnit);
    l.closed++;
    if (closedOnTime(t)) l.closedOnTime++;
    else l.closedLate++;
  }
  for (const t of late) line(t.ownerUnit).overdue++;
  const onTime = closed.filter((t) => closedOnTime(t)).length;
  return {
    tenantName: ctx.tenant.committeeName,
    period: p.label,
    from: p.from,
    to: p.to,
    issued: issued.length,
    closed,
    closedOnTime: onTime,
    closedLate: closed.length - onTime,
    late,
    byUnit: [...units.values()].sort((a, b) => b.overdue - a.overdue || b.closedLate - a.closedLate || a.ownerUnit.localeCompare(b.ownerUnit, 'zh')),
  };
}
