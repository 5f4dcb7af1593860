import type { Context } from '../../core/context.js';
import { ownership } from '../../core/tenant-owned.js';
import { StateChange, type FieldChange } from './state-change.entity.js';

export interface Change {
  itemType: string;
  itemId: string;
  /** The joint item whose members may read the change. */
  jointItemId: string;
  ownerTenantId: string;
  /** For changes of a participation: the participating committee, which may read it. */
  subjectTenantId?: string;
  from: string | null;
  to: string;
  comment?: string | null;
  /** What the change was when its states alone do not say it (RETURNED, EXTENSION_*, ENTERED_FOR_UNIT). */
  move?: string | null;
}

/** Record a state change made by the viewer, in the request's transaction. */
export function recordChange(ctx: Context, c: Change): StateChange {
  return ctx.em.create(StateChange, {
    ...ownership(ctx.tenant),
    ownerTenantId: c.ownerTenantId,
    subjectTenantId: c.subjectTenantId ?? null,
    itemType: c.itemType,
    itemId: c.itemId,
    jointItemId: c.jointItemId,
    fromState: c.from,
    toState: c.to,
    actorUserId: ctx.viewer.user.id,
    actorName: ctx.viewer.user.displayName,
    comment: c.comment ?? null,
    move: c.move ?? null,
    at: ctx.clock.now(),
  });
}

/** Who makes the changes nobody makes (a deadline passing): the history shows the clock by this name. */
export const CLOCK_ACTOR = '系统';
const NO_ACTOR = '00000000-0000-0000-0000-000000000000';

/**
 * A change derived from the clock, never stored (ASSIGNED → OVERDUE at a deadline), placed among the stored
 * `rows` by its moment. Its id is the item's with the moment as its time, so it is the same on every read.
 */
export function withClockChange(
  rows: StateChange[],
  item: { id: string; tenantId: string; provinceId: string; cityId?: string | null },
  c: { itemType: string; jointItemId: string; from: string; to: string; at: Date },
): StateChange[] {
  const hex = c.at.getTime().toString(16).padStart(12, '0');
  const derived = Object.assign(new StateChange(), {
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}${item.id.slice(13)}`,
    tenantId: item.tenantId,
    provinceId: item.provinceId,
    cityId: item.cityId ?? null,
    ownerTenantId: item.tenantId,
    subjectTenantId: null,
    itemType: c.itemType,
    itemId: item.id,
    jointItemId: c.jointItemId,
    fromState: c.from,
    toState: c.to,
    move: null,
    actorUserId: NO_ACTOR,
    actorName: CLOCK_ACTOR,
    comment: null,
    at: c.at,
    createdAt: c.at,
    updatedAt: c.at,
  });
  const after = rows.findIndex((r) => r.at.getTime() > c.at.getTime());
  return after < 0 ? [...rows, derived] : [...rows.slice(0, after), derived, ...rows.slice(after)];
}

/**
 * The text a jsonb value can hold: a lone surrogate (which a text column stores as U+FFFD) becomes U+FFFD, since
 * PostgreSQL refuses its \u escape in jsonb.
 */
const wellFormed = (s: string | null) => s && s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

export interface Edit extends Omit<Change, 'from' | 'to' | 'comment'> {
  /** The item's state, which an edit keeps. */
  state: string;
}

/**
 * Apply an edit to an item and record it in the item's history: each field given (not undefined) whose value
 * differs is set on the item and listed with its value before and after. Nothing changed, nothing recorded:
 * returns null. A caller passes undefined, not null, for a field the item requires (null clears a field).
 */
export function recordEdit<T extends object>(ctx: Context, e: Edit, item: T, fields: { [K in keyof T]?: T[K] & (string | null) }): StateChange | null {
  const changes: FieldChange[] = [];
  for (const [field, given] of Object.entries(fields) as [keyof T & string, string | null | undefined][]) {
    if (given === undefined) continue;
    const [before, after] = [wellFormed((item[field] as string | null | undefined) ?? null), wellFormed(given)];
    if (before === after) continue;
    changes.push({ field, before, after });
    (item as Record<string, unknown>)[field] = after;
  }
  if (!changes.length) return null;
  const c = recordChange(ctx, { ...e, from: e.state, to: e.state });
  c.changes = changes;
  return c;
}
