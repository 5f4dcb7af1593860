import { requireRole, type Context } from '../../core/context.js';
import { AppError, badInput, invalidTransition, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { newId } from '../../core/ids.js';
import { paginate, type PageArgs } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role } from '../../core/identity/user.entity.js';
import type { Config } from '../../core/config.js';
import { RecommendationStatus, TopicRecommendation, TopicSource } from '../topic/topic.entities.js';
import { PublicNeed, PublicNeedStatus } from './public-need.entity.js';
import type { RecommendPublicNeedInput } from './public-need.inputs.js';

const SCREENERS = [Role.STAFF, Role.ADMIN];
const WHAT = text('社会需求', 'Public need');

/** Runs one statement in the caller's transaction (`?` placeholders). */
export type Sql = <T = Record<string, any>>(text: string, params?: unknown[]) => Promise<T[]>;

export const tooManyNeeds = (retryAfter: number) =>
  new AppError('TOO_MANY_ATTEMPTS', text('提交过于频繁，请稍后再试', 'Too many needs raised; try again later'), { retryAfter });

/** Text the public may send: a string, trimmed, within bounds; anything else is refused as input. */
function field(v: unknown, name: string, min: number, max: number, optional = false): string | null {
  if (v === undefined || v === null || (optional && v === '')) {
    if (optional) return null;
    throw badInput(text(`缺少 ${name}`, `${name} is required`), { field: name });
  }
  if (typeof v !== 'string') throw badInput(text(`${name} 须为文字`, `${name} must be text`), { field: name });
  const s = v.trim();
  // Lone surrogates and NUL cannot be stored as text (PostgreSQL refuses NUL; UTF-8 has no surrogates).
  if (/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) throw badInput(text(`${name} 含有无法保存的字符`, `${name} has characters that cannot be stored`), { field: name });
  const n = [...s].length;
  if (n < min || n > max) throw badInput(text(`${name} 须为 ${min}–${max} 个字`, `${name} must be ${min}–${max} characters`), { field: name });
  return s;
}

/**
 * A need raised by the public for one committee, with no account. The transaction acts for that committee
 * alone (app.tenant_id, no user): the table's policies let it insert the committee's row and read nothing,
 * and nothing is read back or answered but "accepted". Throttled per client address and per committee with
 * the sign-in's PostgreSQL counters (auth_throttle), so every instance agrees; every attempt counts, also a
 * refused one. `commit` keeps the count although the answer is an error.
 */
export async function raisePublicNeed(sql: Sql, config: Config, now: Date, body: Record<string, unknown>, address: string, commit: () => Promise<void>): Promise<void> {
  const code = body.committee;
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) throw badInput(text('committee 须为六位政协代码', 'committee must be a committee code'), { field: 'committee' });
  const tenant = (await sql<{ id: string; province_id: string; city_id: string | null }>('select id, province_id, city_id from tenant where code = ?', [code]))[0];
  if (!tenant) throw badInput(text('没有这个政协', 'No such committee'), { field: 'committee' });
  const keys = [`need:addr:${address}`, `need:committee:${tenant.id}`];
  const [{ wait }] = (await sql<{ wait: number }>('select auth_throttle_wait(?, ?, ?, ?, ?) as wait', [keys[0], config.publicNeedsPerAddress, keys[1], config.publicNeedsPerCommittee, config.publicNeedWindow])) as [{ wait: number }];
  if (wait > 0) throw tooManyNeeds(wait);
  await sql('select auth_throttle_fail(?, ?, ?)', [keys[0], keys[1], config.publicNeedWindow]);
  const unknown = Object.keys(body).filter((k) => !['committee', 'content', 'contact'].includes(k));
  if (unknown.length) {
    await commit();
    throw badInput(text('只接受 committee、content、contact 三项文字', 'Only committee, content and contact are accepted'), { field: unknown[0] });
  }
  let content: string | null;
  let contact: string | null;
  try {
    content = field(body.content, 'content', 10, 1000);
    contact = field(body.contact, 'contact', 1, 100, true);
  } catch (e) {
    await commit();
    throw e;
  }
  await sql(`select set_config('app.tenant_id', ?, true), set_config('app.user_id', '', true)`, [tenant.id]);
  await sql(`insert into public_need (id, tenant_id, province_id, city_id, content, contact, status, received_at) values (?, ?, ?, ?, ?, ?, 'NEW', ?)`, [
    newId(),
    tenant.id,
    tenant.province_id,
    tenant.city_id,
    content,
    contact,
    now,
  ]);
}

export async function readablePublicNeed(ctx: Context, id: string): Promise<PublicNeed | null> {
  if (![...SCREENERS, Role.LEADER].includes(ctx.viewer.role)) return null;
  return ctx.em.findOne(PublicNeed, { id, tenantId: ctx.tenant.id });
}

export async function listPublicNeeds(ctx: Context, status: PublicNeedStatus | undefined | null, page: PageArgs) {
  requireRole(ctx, ...SCREENERS, Role.LEADER);
  return paginate(ctx.em, PublicNeed, { tenantId: ctx.tenant.id, ...(status ? { status } : {}) }, page, ctx.config.maxPageSize);
}

async function newNeed(ctx: Context, globalId: string, to: PublicNeedStatus): Promise<PublicNeed> {
  requireRole(ctx, ...SCREENERS);
  const n = await readablePublicNeed(ctx, expectGlobalId(globalId, 'PublicNeed'));
  if (!n) throw notFound(WHAT);
  if (n.status !== PublicNeedStatus.NEW) throw invalidTransition(n.status, to, text('该需求已处理', 'This need has already been screened'));
  return n;
}

/** Staff turn a need into a topic recommendation of the committee (source PUBLIC), to be accepted or declined like a member's. */
export async function recommendPublicNeed(ctx: Context, input: RecommendPublicNeedInput): Promise<PublicNeed> {
  const n = await newNeed(ctx, input.id, PublicNeedStatus.RECOMMENDED);
  const r = ctx.em.create(TopicRecommendation, {
    ...ownership(ctx.tenant),
    userId: ctx.viewer.user.id,
    memberName: '社会公众',
    year: input.year,
    title: input.title,
    reason: input.reason ?? n.content,
    form: input.form,
    status: RecommendationStatus.PENDING,
    source: TopicSource.PUBLIC,
  });
  await ctx.em.flush();
  n.status = PublicNeedStatus.RECOMMENDED;
  n.screenedAt = ctx.clock.now();
  n.screenedBy = ctx.viewer.user.id;
  n.recommendationId = r.id;
  await ctx.em.flush();
  return n;
}

export async function dismissPublicNeed(ctx: Context, globalId: string, reason: string): Promise<PublicNeed> {
  const n = await newNeed(ctx, globalId, PublicNeedStatus.DISMISSED);
  if (!reason.trim() || reason.length > 1000) throw badInput(text('须说明 1–1000 字的理由', 'A reason of 1–1000 characters is required'), { field: 'reason' });
  n.status = PublicNeedStatus.DISMISSED;
  n.screenedAt = ctx.clock.now();
  n.screenedBy = ctx.viewer.user.id;
  n.dismissReason = reason;
  await ctx.em.flush();
  return n;
}
