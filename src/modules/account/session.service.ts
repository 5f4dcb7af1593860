import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from '../../core/signing-keys.js';
import { AppError, badInput, forbidden, unauthenticated, text } from '../../core/errors.js';
import { isUuid, newId, uuidLiteral } from '../../core/ids.js';
import type { Config } from '../../core/config.js';
import { checkPassword, hashPassword, verifyPassword } from './password.js';

/** Runs one statement in the caller's transaction (`?` placeholders). */
export type Sql = <T = Record<string, any>>(text: string, params?: unknown[]) => Promise<T[]>;

/** What a sign-in, refresh or switch hands the client (and the `Session` GraphQL type mirrors). */
export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** Code of the committee the tokens act for. */
  tenantCode: string;
}

export interface ClientInfo {
  address: string;
  userAgent: string | null;
}

export type AuditEvent = 'SIGN_IN' | 'SIGN_IN_FAILED' | 'LOCKED_OUT' | 'REFRESH' | 'REFRESH_REUSED' | 'SIGN_OUT' | 'PASSWORD_CHANGED' | 'SWITCH_COMMITTEE' | 'PASSWORD_RESET' | 'DISABLED' | 'ENABLED' | 'SESSIONS_REVOKED' | 'CREATED';

/** The one answer for an unknown login, a wrong password and a disabled account: nothing tells them apart. */
export const SIGN_IN_FAILED_MESSAGE = text('登录名或密码错误', 'Login or password is wrong');
export const signInFailed = () => unauthenticated(SIGN_IN_FAILED_MESSAGE);
export const passwordChangeRequired = () =>
  new AppError('FORBIDDEN', text('请先修改密码再登录', 'The password must be changed before signing in'), { reason: 'PASSWORD_CHANGE_REQUIRED' });
export const tooManyAttempts = (retryAfter: number) =>
  new AppError('TOO_MANY_ATTEMPTS', text('登录失败次数过多，请稍后再试', 'Too many failed sign-ins; try again later'), { retryAfter });

/** Both RLS settings for the rest of the transaction: the server now acts as the account at `tenantId`. */
export const actAs = (sql: Sql, tenantId: string, userId: string) =>
  sql(`select set_config('app.tenant_id', ${uuidLiteral(tenantId)}, true), set_config('app.user_id', ${uuidLiteral(userId)}, true)`);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A refresh token names its session row, the account and its home committee (so the row can be read under
 * that committee's RLS) and carries 32 random bytes, of which only the SHA-256 is stored.
 */
function encodeRefresh(rowId: string, userId: string, homeId: string, secret: Buffer): string {
  const ids = [rowId, userId, homeId].map((id) => Buffer.from(id.replace(/-/g, ''), 'hex'));
  return `rt1.${Buffer.concat([...ids, secret]).toString('base64url')}`;
}
function decodeRefresh(token: unknown): { rowId: string; userId: string; homeId: string; secret: Buffer } | null {
  if (typeof token !== 'string' || !token.startsWith('rt1.') || token.length > 200) return null;
  const raw = Buffer.from(token.slice(4), 'base64url');
  if (raw.length !== 80) return null;
  const uuid = (b: Buffer) => {
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const [rowId, userId, homeId] = [0, 16, 32].map((o) => uuid(raw.subarray(o, o + 16)));
  if (![rowId, userId, homeId].every(isUuid)) return null;
  return { rowId: rowId!, userId: userId!, homeId: homeId!, secret: raw.subarray(48) };
}

export async function audit(sql: Sql, home: { id: string; province_id: string; city_id: string | null }, e: { userId: string | null; login: string; event: AuditEvent; familyId?: string | null; client?: ClientInfo | null; detail?: string | null }) {
  await sql(
    `insert into auth_audit (id, tenant_id, province_id, city_id, user_id, login, event, session_family_id, client_address, detail) values (?,?,?,?,?,?,?,?,?,?)`,
    [newId(), home.id, home.province_id, home.city_id, e.userId, e.login, e.event, e.familyId ?? null, e.client?.address ?? null, e.detail ?? null],
  );
}

const homeOf = async (sql: Sql, tenantId: string) =>
  (await sql<{ id: string; code: string; province_id: string; city_id: string | null }>('select id, code, province_id, city_id from tenant where id = ?', [tenantId]))[0]!;

/** Issues an access token for (user, acting committee) and a new refresh token in `familyId` (a new family if absent). */
export async function issue(sql: Sql, config: Config, keys: KeyRing, a: { userId: string; homeId: string; actingId: string; familyId?: string; client: ClientInfo | null }): Promise<IssuedTokens & { familyId: string }> {
  const home = await homeOf(sql, a.homeId);
  const acting = a.actingId === a.homeId ? home : await homeOf(sql, a.actingId);
  const rowId = newId();
  const familyId = a.familyId ?? rowId;
  const secret = randomBytes(32);
  const now = Date.now();
  const refreshTokenExpiresAt = new Date(now + config.refreshTokenTtl * 1000);
  await sql(
    `insert into auth_session (id, tenant_id, province_id, city_id, user_id, family_id, acting_tenant_id, token_hash, expires_at, client_address, user_agent) values (?,?,?,?,?,?,?,?,?,?,?)`,
    [rowId, home.id, home.province_id, home.city_id, a.userId, familyId, acting.id, sha256(secret), refreshTokenExpiresAt, a.client?.address ?? null, a.client?.userAgent?.slice(0, 256) ?? null],
  );
  const accessToken = await keys.sign({ sub: a.userId, tid: acting.id }, config.accessTokenTtl);
  return {
    accessToken,
    // jose rounds issued-at down to the second; the expiry it writes is iat + ttl.
    accessTokenExpiresAt: new Date((Math.floor(now / 1000) + config.accessTokenTtl) * 1000),
    refreshToken: encodeRefresh(rowId, a.userId, home.id, secret),
    refreshTokenExpiresAt,
    tenantCode: acting.code,
    familyId,
  };
}

/** Whether the account may act for the committee: its home, or a committee where it holds an active seat. */
async function mayActFor(sql: Sql, userId: string, homeId: string, tenantId: string): Promise<boolean> {
  if (tenantId === homeId) return true;
  return (await sql(`select 1 from member_seat where user_id = ? and tenant_id = ? and status = 'ACTIVE'`, [userId, tenantId])).length > 0;
}

const throttleKeys = (login: string, address: string) => [`login:${login.toLowerCase()}`, `addr:${address}`];

/**
 * Sign-in with login and password. Throttled per login and per client address (counters in PostgreSQL, so
 * every instance agrees). An unknown login, a wrong password and a disabled account get the same answer
 * after the same argon2 work. `commit` lets the caller keep the failure's counters and audit row although
 * the answer is an error.
 */
export async function signIn(sql: Sql, config: Config, signer: KeyRing, login: unknown, password: unknown, client: ClientInfo, commit: () => Promise<void>, newPassword?: unknown): Promise<IssuedTokens> {
  const l = typeof login === 'string' ? login.slice(0, 128).replace(/\u0000/g, '') : '';
  const p = typeof password === 'string' ? password.slice(0, 1024) : '';
  const keys = throttleKeys(l, client.address);
  const [{ wait }] = (await sql<{ wait: number }>('select auth_throttle_wait(?, ?, ?, ?, ?) as wait', [keys[0], config.signInMaxFailuresPerLogin, keys[1], config.signInMaxFailuresPerAddress, config.signInWindow])) as [{ wait: number }];
  const cred = (await sql<{ user_id: string; tenant_id: string; password_hash: string; must_change: boolean }>('select * from auth_credential(?)', [l]))[0];
  if (wait > 0) {
    if (cred) {
      await actAs(sql, cred.tenant_id, cred.user_id);
      await audit(sql, await homeOf(sql, cred.tenant_id), { userId: cred.user_id, login: l, event: 'LOCKED_OUT', client, detail: `retry after ${wait}s` });
      await commit();
    }
    throw tooManyAttempts(wait);
  }
  const ok = await verifyPassword(cred?.password_hash, p);
  let user: { id: string; tenant_id: string; disabled_at: Date | null } | undefined;
  if (cred) {
    await actAs(sql, cred.tenant_id, cred.user_id);
    user = (await sql<{ id: string; tenant_id: string; disabled_at: Date | null }>('select id, tenant_id, disabled_at from app_user where id = ?', [cred.user_id]))[0];
  }
  if (!ok || !user || user.disabled_at) {
    await sql('select auth_throttle_fail(?, ?, ?)', [keys[0], keys[1], config.signInWindow]);
    if (cred && user) {
      await audit(sql, await homeOf(sql, user.tenant_id), { userId: user.id, login: l, event: 'SIGN_IN_FAILED', client, detail: user.disabled_at && ok ? 'account disabled' : 'wrong password' });
    }
    await commit();
    throw signInFailed();
  }
  await sql('select auth_throttle_clear(?)', [keys[0]]);
  const home = await homeOf(sql, user.tenant_id);
  if (newPassword !== undefined) {
    // Signing in with a change of password: the way in for an account whose password must be changed.
    const next = typeof newPassword === 'string' ? newPassword : '';
    checkPassword(next, l);
    if (next === p) throw badInput(text('密码不符合要求', 'Password does not meet the policy'), { fields: [{ field: 'newPassword', messages: ['must differ from the current password'] }] });
    await sql('select auth_set_password(?, ?, false)', [user.id, await hashPassword(next)]);
    await audit(sql, home, { userId: user.id, login: l, event: 'PASSWORD_CHANGED', client });
  } else if (cred!.must_change) {
    // Given or reset by an administrator: no tokens until it is changed (POST /auth/change-password).
    await commit();
    throw passwordChangeRequired();
  }
  const tokens = await issue(sql, config, signer, { userId: user.id, homeId: user.tenant_id, actingId: user.tenant_id, client });
  await audit(sql, home, { userId: user.id, login: l, event: 'SIGN_IN', familyId: tokens.familyId, client });
  return strip(tokens);
}

const strip = ({ familyId: _f, ...t }: IssuedTokens & { familyId: string }): IssuedTokens => t;

interface SessionRow {
  id: string;
  user_id: string;
  tenant_id: string;
  family_id: string;
  acting_tenant_id: string;
  token_hash: string;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  login: string;
  disabled_at: Date | null;
  must_change: boolean | null;
}

/** The session row a refresh token names, read under its account's scope; null when the token is not one of ours. */
async function sessionOf(sql: Sql, token: unknown): Promise<{ row: SessionRow; decoded: NonNullable<ReturnType<typeof decodeRefresh>> } | null> {
  const decoded = decodeRefresh(token);
  if (!decoded) return null;
  await actAs(sql, decoded.homeId, decoded.userId);
  const row = (await sql<SessionRow>(
    `select s.id, s.user_id, s.tenant_id, s.family_id, s.acting_tenant_id, s.token_hash, s.expires_at, s.rotated_at, s.revoked_at, u.login, u.disabled_at
       from auth_session s join app_user u on u.id = s.user_id where s.id = ? and s.user_id = ?`,
    [decoded.rowId, decoded.userId],
  ))[0];
  if (!row) return null;
  const given = Buffer.from(sha256(decoded.secret), 'hex');
  const stored = Buffer.from(row.token_hash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  return { row, decoded };
}

const revokeFamily = (sql: Sql, familyId: string, reason: string) =>
  sql(`update auth_session set revoked_at = now(), revoked_reason = ?, updated_at = now() where family_id = ? and revoked_at is null`, [reason, familyId]);

const invalidRefresh = () => unauthenticated(text('刷新令牌无效', 'Refresh token is not valid'));

/**
 * Rotates a refresh token (`switchTo`: a committee code, into one acting for that committee): the presented one stops working and a new one of the same family is issued. An
 * already rotated token presented again means two parties hold it (OAuth 2.0 Security BCP §4.14): the whole
 * family is revoked, so neither the thief nor the owner can go on with it.
 */
export async function refresh(sql: Sql, config: Config, signer: KeyRing, token: unknown, client: ClientInfo, commit: () => Promise<void>, switchTo?: string): Promise<IssuedTokens> {
  const found = await sessionOf(sql, token);
  if (!found) throw invalidRefresh();
  const { row } = found;
  const home = await homeOf(sql, row.tenant_id);
  if (row.rotated_at && !row.revoked_at) {
    await revokeFamily(sql, row.family_id, 'reuse');
    await audit(sql, home, { userId: row.user_id, login: row.login, event: 'REFRESH_REUSED', familyId: row.family_id, client, detail: 'refresh token used twice: session revoked' });
    await commit();
    throw invalidRefresh();
  }
  if (row.revoked_at || row.rotated_at || new Date(row.expires_at).getTime() <= Date.now()) throw invalidRefresh();
  if (row.disabled_at) {
    await revokeFamily(sql, row.family_id, 'disabled');
    await commit();
    throw invalidRefresh();
  }
  let actingId = row.acting_tenant_id;
  if (switchTo) {
    const target = (await sql<{ id: string }>('select id from tenant where code = ?', [switchTo]))[0];
    if (!target || !(await mayActFor(sql, row.user_id, row.tenant_id, target.id))) throw forbidden(text('您在该政协组织没有席位', 'You hold no seat on this committee'));
    actingId = target.id;
  } else if (!(await mayActFor(sql, row.user_id, row.tenant_id, actingId))) {
    // The seat ended since: the session goes on at home.
    actingId = row.tenant_id;
  }
  await sql(`update auth_session set rotated_at = now(), updated_at = now() where id = ?`, [row.id]);
  const tokens = await issue(sql, config, signer, { userId: row.user_id, homeId: row.tenant_id, actingId, familyId: row.family_id, client });
  await audit(sql, home, { userId: row.user_id, login: row.login, event: switchTo ? 'SWITCH_COMMITTEE' : 'REFRESH', familyId: row.family_id, client, detail: switchTo ? `to ${tokens.tenantCode}` : null });
  return strip(tokens);
}

/** Revokes the session (the family) a refresh token belongs to. Unknown or spent tokens: still a success, nothing to tell. */
export async function signOut(sql: Sql, token: unknown, client: ClientInfo): Promise<void> {
  const found = await sessionOf(sql, token);
  if (!found) return;
  await revokeFamily(sql, found.row.family_id, 'sign-out');
  await audit(sql, await homeOf(sql, found.row.tenant_id), { userId: found.row.user_id, login: found.row.login, event: 'SIGN_OUT', familyId: found.row.family_id, client });
}

export { checkPassword, hashPassword, homeOf };
