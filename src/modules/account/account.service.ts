import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { Context } from '../../core/context.js';
import { ownership } from '../../core/tenant-owned.js';
import type { AccountFilter, CreateAccountInput, GrantSeatInput, UpdateAccountInput } from './account.inputs.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';
import { badInput, conflict, forbidden, notFound, unauthenticated, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { audit, checkPassword, hashPassword, homeOf, type Sql } from './session.service.js';
import { verifyPassword } from './password.js';
import type { AccountSession, AuthAuditEntry } from './account.types.js';

const sqlOf = (ctx: Context): Sql => (text, params = []) => ctx.em.execute(text, params as never[]) as never;

/** The viewer changes their own password: the old one must be right, the new one meet the policy. */
export async function changePassword(ctx: Context, oldPassword: string, newPassword: string): Promise<boolean> {
  const sql = sqlOf(ctx);
  const user = ctx.viewer.user;
  const cred = (await sql<{ password_hash: string }>('select password_hash from auth_credential(?)', [user.login]))[0];
  if (!(await verifyPassword(cred?.password_hash, oldPassword))) throw unauthenticated(text('当前密码不正确', 'Current password is wrong'));
  checkPassword(newPassword, user.login);
  await sql('select auth_set_password(?, ?, false)', [user.id, await hashPassword(newPassword)]);
  await audit(sql, await homeOf(sql, user.tenantId), { userId: user.id, login: user.login, event: 'PASSWORD_CHANGED' });
  return true;
}

function requireAdmin(ctx: Context) {
  if (ctx.viewer.role !== Role.ADMIN) throw forbidden();
}

/** An account of the ADMIN's committee; one of another committee is NOT_FOUND, exactly as a missing one. */
async function ownAccount(ctx: Context, id: string): Promise<User> {
  requireAdmin(ctx);
  const user = await ctx.em.findOne(User, { id: expectGlobalId(id, 'User') });
  if (!user || user.tenantId !== ctx.tenant.id) throw notFound(text('用户', 'User'));
  return user;
}

const revokeAll = (sql: Sql, userId: string, reason: string) =>
  sql<{ n: number }>(`with r as (update auth_session set revoked_at = now(), revoked_reason = ?, updated_at = now() where user_id = ? and revoked_at is null returning family_id) select count(distinct family_id)::int n from r`, [reason, userId]);

export async function setDisabled(ctx: Context, id: string, disabled: boolean): Promise<User> {
  const user = await ownAccount(ctx, id);
  if (user.id === ctx.viewer.user.id && disabled) throw forbidden(text('不能停用自己的账号', 'You cannot disable your own account'));
  user.disabledAt = disabled ? (user.disabledAt ?? new Date()) : null;
  await ctx.em.flush();
  const sql = sqlOf(ctx);
  if (disabled) await revokeAll(sql, user.id, 'disabled');
  await audit(sql, await homeOf(sql, ctx.tenant.id), { userId: user.id, login: user.login, event: disabled ? 'DISABLED' : 'ENABLED', detail: `by ${ctx.viewer.user.login}` });
  return user;
}

/** An ADMIN sets a new password for an account of their committee; it must be changed at next sign-in. */
export async function resetPassword(ctx: Context, id: string, newPassword: string): Promise<boolean> {
  const user = await ownAccount(ctx, id);
  checkPassword(newPassword, user.login);
  const sql = sqlOf(ctx);
  await sql('select auth_set_password(?, ?, true)', [user.id, await hashPassword(newPassword)]);
  await revokeAll(sql, user.id, 'password reset');
  await audit(sql, await homeOf(sql, ctx.tenant.id), { userId: user.id, login: user.login, event: 'PASSWORD_RESET', detail: `by ${ctx.viewer.user.login}` });
  return true;
}

export async function revokeSessions(ctx: Context, id: string): Promise<number> {
  const user = await ownAccount(ctx, id);
  const sql = sqlOf(ctx);
  const [{ n }] = (await revokeAll(sql, user.id, 'revoked by administrator')) as [{ n: number }];
  await audit(sql, await homeOf(sql, ctx.tenant.id), { userId: user.id, login: user.login, event: 'SESSIONS_REVOKED', detail: `${n} by ${ctx.viewer.user.login}` });
  return n;
}

/** Sessions of an account of the ADMIN's committee, newest first: one per family, as of its latest token. */
export async function sessionsOf(ctx: Context, id: string): Promise<AccountSession[]> {
  const user = await ownAccount(ctx, id);
  const rows = await sqlOf(ctx)<{ family_id: string; created_at: Date; expires_at: Date; active: boolean; client_address: string | null }>(
    `select family_id, min(created_at) created_at, max(expires_at) expires_at,
            bool_or(revoked_at is null and rotated_at is null and expires_at > now()) active,
            (array_agg(client_address order by created_at))[1] client_address
       from auth_session where tenant_id = ? and user_id = ? group by family_id order by min(created_at) desc limit 100`,
    [ctx.tenant.id, user.id],
  );
  return rows.map((r) => ({ id: r.family_id, createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at), active: r.active, clientAddress: r.client_address }));
}

/** The committee's sign-in audit log, newest first (ADMIN). RLS holds it to the committee; the filter says so too. */
export async function auditLog(ctx: Context, login: string | undefined, first: number): Promise<AuthAuditEntry[]> {
  requireAdmin(ctx);
  const rows = await sqlOf(ctx)<{ id: string; event: string; login: string; client_address: string | null; detail: string | null; created_at: Date }>(
    `select id, event, login, client_address, detail, created_at from auth_audit
      where tenant_id = ? ${login ? 'and lower(login) = lower(?)' : ''} order by created_at desc, id desc limit ?`,
    [ctx.tenant.id, ...(login ? [login] : []), Math.min(Math.max(first, 1), ctx.config.maxPageSize)],
  );
  return rows.map((r) => ({ id: r.id, event: r.event, login: r.login, clientAddress: r.client_address, detail: r.detail, createdAt: new Date(r.created_at) }));
}

/** An ADMIN creates an account of any role on their committee, with a first password to change at first sign-in. */
export async function createAccount(ctx: Context, input: CreateAccountInput): Promise<User> {
  requireAdmin(ctx);
  checkPassword(input.password, input.login, 'password');
  if (input.role === Role.MEMBER && (!input.sector?.trim() || !input.term?.trim())) {
    throw badInput(text('委员账号须填写所属界别和届次', 'A MEMBER account needs the sector and term of its seat'), { field: !input.sector?.trim() ? 'sector' : 'term' });
  }
  const user = ctx.em.create(User, { ...ownership(ctx.tenant), login: input.login, displayName: input.displayName, role: input.role, unitName: input.unitName ?? null });
  // A member acts through a seat, at home as elsewhere: the account gets its seat on the acting committee.
  if (input.role === Role.MEMBER) ctx.em.create(MemberSeat, { ...ownership(ctx.tenant), userId: user.id, sector: input.sector!.trim(), term: input.term!.trim() });
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw conflict(text(`登录名 ${input.login} 已被占用`, `Login ${input.login} is already taken`));
    throw e;
  }
  const sql = sqlOf(ctx);
  await sql('select auth_set_password(?, ?, true)', [user.id, await hashPassword(input.password)]);
  await audit(sql, await homeOf(sql, ctx.tenant.id), { userId: user.id, login: user.login, event: 'CREATED', detail: `${input.role} by ${ctx.viewer.user.login}` });
  return user;
}

export async function updateAccount(ctx: Context, id: string, input: UpdateAccountInput): Promise<User> {
  const user = await ownAccount(ctx, id);
  if (input.displayName != null) user.displayName = input.displayName;
  if (input.role != null) {
    if (user.id === ctx.viewer.user.id && input.role !== Role.ADMIN) throw forbidden(text('不能修改自己的角色', 'You cannot change your own role'));
    user.role = input.role;
  }
  if (input.unitName !== undefined) user.unitName = input.unitName;
  await ctx.em.flush();
  return user;
}

/** The committee's accounts (ADMIN), by login, with filters; at most the page limit. */
export async function listAccounts(ctx: Context, filter: AccountFilter | undefined, first: number): Promise<User[]> {
  requireAdmin(ctx);
  const where: FilterQuery<User> = { tenantId: ctx.tenant.id };
  if (filter?.role) where.role = filter.role;
  if (filter?.disabled === true) where.disabledAt = { $ne: null };
  if (filter?.disabled === false) where.disabledAt = null;
  if (filter?.search) {
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.$or = [{ login: { $ilike: like } }, { displayName: { $ilike: like } }];
  }
  return ctx.em.find(User, where, { orderBy: { login: 'asc' }, limit: Math.min(Math.max(first, 1), ctx.config.maxPageSize) });
}

/**
 * An ADMIN gives an existing person, whose account lives on another committee, a member seat on their own
 * committee (e.g. a county member who joins the city committee). The person is found by login through the
 * credential function (accounts of other committees are invisible under RLS); one without a password yet, or
 * no such login, is NOT_FOUND alike.
 */
export async function grantSeat(ctx: Context, input: GrantSeatInput): Promise<MemberSeat> {
  requireAdmin(ctx);
  const sql = sqlOf(ctx);
  const found = (await sql<{ user_id: string }>('select user_id from auth_credential(?)', [input.login]))[0];
  if (!found) throw notFound(text('用户', 'User'));
  const seat = ctx.em.create(MemberSeat, { ...ownership(ctx.tenant), userId: found.user_id, sector: input.sector, title: input.title ?? null, term: input.term });
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw conflict(text(`${input.login} 在本政协组织已有席位`, `${input.login} already holds a seat on this committee`));
    throw e;
  }
  return seat;
}
