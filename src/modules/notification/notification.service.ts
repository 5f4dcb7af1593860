import { signToken } from '../../core/auth.js';
import { runForCommittee, runInContext, type Context, type ContextDeps } from '../../core/context.js';
import { OrderDirection, paginate, type PageArgs, type PageOrder } from '../../core/connection.js';
import { badInput, text } from '../../core/errors.js';
import { parseGlobalId, toGlobalId } from '../../core/global-id.js';
import { enqueue } from '../../core/jobs.js';
import { newId } from '../../core/ids.js';
import { AppError } from '../../core/errors.js';
import type { Role } from '../../core/identity/user.entity.js';
import { Notification, NotificationKind, NotificationPreference } from './notification.entity.js';

/** The wake-up channel of inboxes: the payload is `tenantId:userId` only, the rows are the truth. */
export const CHANNEL = 'notification';

/** What should be told to whom; `itemType`/`itemId` name the record it is about. */
export interface NotificationRequest {
  userId: string;
  tenantId: string;
  kind: NotificationKind;
  itemType: string;
  itemId: string;
  title: string;
  body?: string;
  /** Same key, same notification: made once however often it is asked for (retries, two instances). */
  dedupeKey: string;
}

export type NotifyOutcome = 'CREATED' | 'DUPLICATE' | 'NOT_VISIBLE';

/**
 * Queue a notification from inside a request (a listener): a job in the request's own transaction, so it
 * exists exactly when the work commits, and the request waits for nothing but one insert.
 */
export async function notifyLater(ctx: { em: Context['em'] }, n: NotificationRequest): Promise<void> {
  await enqueue(ctx.em, 'notification.notify', n, { jobKey: `notify:${n.userId}:${n.dedupeKey}` });
}

/**
 * Who in one committee is to be told, when the request that causes it cannot list them itself (another
 * committee's office, a unit's accounts, the members holding seats): named by role, unit or seat, found by
 * the job as that committee. `userIds` names people outright (a proposal's proposers); `exceptUserIds`
 * leaves out the one whose act it was.
 */
export interface Audience {
  /** Active accounts of the committee with one of these roles (with `unitIds`: of those units only). */
  roles?: Role[];
  unitIds?: string[];
  /** Everyone holding an active seat on the committee (委员), whatever committee their account belongs to. */
  members?: boolean;
  userIds?: string[];
  exceptUserIds?: string[];
}

export type AudienceRequest = Omit<NotificationRequest, 'userId'> & { audience: Audience };

/**
 * Queue a notification for an audience of one committee, in the request's own transaction (like
 * notifyLater): the job lists the audience as that committee, then makes each one's notification as its
 * reader (notify), so whoever may not see the item gets nothing.
 */
export async function notifyAudienceLater(ctx: { em: Context['em'] }, n: AudienceRequest): Promise<void> {
  await enqueue(ctx.em, 'notification.notify-audience', n, { jobKey: `audience:${n.tenantId}:${n.dedupeKey}` });
}

/** The people of an audience, as user ids, in id order (read as the committee: its accounts and seats). */
export async function audienceOf(deps: ContextDeps, tenantId: string, a: Audience): Promise<string[]> {
  const found = new Set(a.userIds ?? []);
  await runForCommittee(deps, tenantId, `audience:${tenantId}`, async (ctx) => {
    if (a.roles?.length) {
      const rows = await ctx.em.execute<{ id: string }[]>(
        `select id from app_user where tenant_id = ? and role = any(?::text[]) and disabled_at is null ${a.unitIds?.length ? 'and unit_id = any(?::uuid[])' : ''}`,
        [tenantId, `{${a.roles.join(',')}}`, ...(a.unitIds?.length ? [`{${a.unitIds.join(',')}}`] : [])],
      );
      for (const r of rows) found.add(r.id);
    }
    if (a.members) {
      const rows = await ctx.em.execute<{ user_id: string }[]>(`select user_id from member_seat where tenant_id = ? and status = 'ACTIVE'`, [tenantId]);
      for (const r of rows) found.add(r.user_id);
    }
  });
  for (const u of a.exceptUserIds ?? []) found.delete(u);
  return [...found].sort();
}

/**
 * Make a notification as its reader: a request context for that person acting for that committee (their
 * token, both walls, their role), in which the item is fetched the way `node(id:)` fetches it. If they may
 * not see it, nothing is made. A disabled account or an ended seat gets nothing either (the context refuses).
 * In the same transaction: the e-mail and SMS it should go out as (the outbox), each with its delivery job.
 */
export async function notify(deps: ContextDeps, n: NotificationRequest): Promise<NotifyOutcome> {
  const token = await signToken(deps.jwtSecret, { sub: n.userId, tid: n.tenantId }, '5m');
  try {
    return await runInContext(deps, `Bearer ${token}`, `notify:${n.dedupeKey}`, async (ctx) => {
      const fetch = ctx.kernel.nodes.get(n.itemType);
      const item = fetch ? await fetch(ctx, n.itemId) : null;
      if (!item) return 'NOT_VISIBLE' as const;
      return (await insertNotification(ctx, n)) ? ('CREATED' as const) : ('DUPLICATE' as const);
    });
  } catch (e) {
    // The reader can no longer act for the committee (account disabled, seat ended): nothing to tell them.
    if (e instanceof AppError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) return 'NOT_VISIBLE';
    throw e;
  }
}

/**
 * Inside the reader's own context (`ctx.viewer` is `n.userId`): the row (unless its dedupe key was used
 * already), its outbox messages on the `channels` the reader's preferences allow, and the inbox wake-up.
 * The caller has checked what the reader may see. Returns false for a duplicate.
 */
export async function insertNotification(ctx: Context, n: Omit<NotificationRequest, 'itemType' | 'itemId'> & { itemType: string | null; itemId: string | null }, channels: readonly ('EMAIL' | 'SMS')[] = ['EMAIL', 'SMS']): Promise<boolean> {
  const id = newId(ctx.clock.now().getTime());
  const t = ctx.tenant;
  const rows = await ctx.em.execute<{ id: string }[]>(
    `insert into notification (id, tenant_id, province_id, city_id, user_id, kind, title, body, item_type, item_id, dedupe_key, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (tenant_id, user_id, dedupe_key) do nothing returning id`,
    [id, t.id, t.provinceId, t.cityId ?? null, n.userId, n.kind, n.title, n.body ?? '', n.itemType, n.itemId, n.dedupeKey, ctx.clock.now()],
  );
  if (!rows.length) return false;
  await queueDeliveries(ctx, id, n, channels);
  await ctx.em.execute('select pg_notify(?, ?)', [CHANNEL, `${t.id}:${n.userId}`]);
  return true;
}

/** Minutes after midnight, China time (UTC+8). */
const chinaMinutes = (d: Date) => Math.floor(((d.getTime() / 60_000) + 8 * 60) % (24 * 60));

/** The first moment at or after `at` outside the quiet hours [from, to) (China time); `at` itself if none. */
export function afterQuietHours(at: Date, from: number | null | undefined, to: number | null | undefined): Date {
  if (from == null || to == null || from === to) return at;
  const m = chinaMinutes(at);
  const inside = from < to ? m >= from && m < to : m >= from || m < to;
  if (!inside) return at;
  const wait = (to - m + 24 * 60) % (24 * 60);
  const t = new Date(at.getTime() + wait * 60_000);
  t.setUTCSeconds(0, 0);
  return t;
}

async function queueDeliveries(ctx: Context, notificationId: string, n: Pick<NotificationRequest, 'userId' | 'kind' | 'title' | 'body'>, allowed: readonly ('EMAIL' | 'SMS')[]): Promise<void> {
  const pref = await ctx.em.findOne(NotificationPreference, { tenantId: ctx.tenant.id, userId: n.userId });
  if (!pref || pref.mutedKinds.includes(n.kind)) return;
  const notBefore = afterQuietHours(ctx.clock.now(), pref.quietFrom, pref.quietTo);
  const channels: { channel: 'EMAIL' | 'SMS'; address: string }[] = [];
  if (allowed.includes('EMAIL') && pref.emailEnabled && pref.email && ctx.config.smtpUrl) channels.push({ channel: 'EMAIL', address: pref.email });
  if (allowed.includes('SMS') && pref.smsEnabled && pref.phone && ctx.config.smsGatewayUrl) channels.push({ channel: 'SMS', address: pref.phone });
  const t = ctx.tenant;
  for (const c of channels) {
    const id = newId();
    await ctx.em.execute(
      `insert into notification_delivery (id, tenant_id, province_id, city_id, notification_id, user_id, channel, address, subject, body, not_before)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, t.id, t.provinceId, t.cityId ?? null, notificationId, n.userId, c.channel, c.address, `【${t.name}政协】${n.title}`, n.body ? `${n.title}\n\n${n.body}` : n.title, notBefore],
    );
    await enqueue(ctx.em, 'notification.deliver', { deliveryId: id }, { jobKey: `deliver:${id}` });
  }
}

/** The inbox reads newest first (the id, time-ordered, breaks ties). */
const NEWEST_FIRST: PageOrder<Notification> = { name: 'newest', direction: OrderDirection.DESC, key: { prop: 'createdAt', type: 'date' } };

export function listNotifications(ctx: Context, page: PageArgs, unreadOnly: boolean) {
  const where = { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id, ...(unreadOnly ? { readAt: null } : {}) };
  return paginate(ctx.em, Notification, where, page, ctx.config.maxPageSize, NEWEST_FIRST);
}

export async function unreadCount(ctx: Context): Promise<number> {
  return ctx.em.count(Notification, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id, readAt: null });
}

/** Marks the given notifications (or all, when `ids` is omitted) read; returns how many changed. */
export async function markRead(ctx: Context, ids: string[] | null | undefined): Promise<number> {
  const uuids = ids?.map((g, i) => {
    const p = parseGlobalId(g);
    if (!p || p.type !== 'Notification') throw badInput(text(`第 ${i + 1} 个 id 不是通知的 id`, `ids[${i}] is not a Notification id`), { field: 'ids' });
    return p.id;
  });
  if (uuids && !uuids.length) return 0;
  const rows = await ctx.em.execute<{ n: number }[]>(
    `with changed as (update notification set read_at = ? where tenant_id = ? and user_id = ? and read_at is null ${uuids ? 'and id = any(?::uuid[])' : ''} returning 1)
     select count(*)::int as n from changed`,
    [ctx.clock.now(), ctx.tenant.id, ctx.viewer.user.id, ...(uuids ? [`{${uuids.join(',')}}`] : [])],
  );
  return rows[0]!.n;
}

/** The item a notification is about, as a global id (what `node(id:)` takes). */
export const itemGlobalId = (n: Notification): string | null => (n.itemType && n.itemId ? toGlobalId(n.itemType, n.itemId) : null);

export async function preferences(ctx: Context): Promise<NotificationPreference> {
  const found = await ctx.em.findOne(NotificationPreference, { tenantId: ctx.tenant.id, userId: ctx.viewer.user.id });
  return found ?? Object.assign(new NotificationPreference(), { id: newId(), tenantId: ctx.tenant.id, provinceId: ctx.tenant.provinceId, cityId: ctx.tenant.cityId ?? null, userId: ctx.viewer.user.id });
}

export interface PreferencesInput {
  mutedKinds?: NotificationKind[] | null;
  email?: string | null;
  phone?: string | null;
  emailEnabled?: boolean | null;
  smsEnabled?: boolean | null;
  quietFrom?: number | null;
  quietTo?: number | null;
}

export async function setPreferences(ctx: Context, input: PreferencesInput): Promise<NotificationPreference> {
  const p = await preferences(ctx);
  for (const f of ['quietFrom', 'quietTo'] as const) {
    const v = input[f];
    if (v != null && (!Number.isInteger(v) || v < 0 || v >= 24 * 60)) throw badInput(text(`${f} 须为 0 到 1439 之间的分钟数`, `${f} must be minutes from 0 to 1439`), { field: f });
  }
  if ((input.quietFrom == null) !== (input.quietTo == null) && (input.quietFrom !== undefined || input.quietTo !== undefined)) {
    throw badInput(text('免打扰时段须同时给出开始和结束', 'Give both quietFrom and quietTo, or neither'), { field: 'quietFrom' });
  }
  if (input.email != null && !/^[^\s@]+@[^\s@]+$/.test(input.email)) throw badInput(text('电子邮箱格式不正确', 'email is not an e-mail address'), { field: 'email' });
  if (input.phone != null && !/^\+?\d{6,15}$/.test(input.phone)) throw badInput(text('手机号码格式不正确', 'phone is not a phone number'), { field: 'phone' });
  for (const k of ['mutedKinds', 'email', 'phone', 'emailEnabled', 'smsEnabled', 'quietFrom', 'quietTo'] as const) {
    if (input[k] !== undefined) (p as unknown as Record<string, unknown>)[k] = input[k] ?? (k === 'mutedKinds' ? [] : k.endsWith('Enabled') ? false : null);
  }
  ctx.em.persist(p);
  await ctx.em.flush();
  return p;
}
