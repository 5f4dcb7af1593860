import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type express from 'express';
import type { AppDeps, ClientInfo, Context, Kernel } from '../../core/context.js';
import type { OidcConfig } from '../../core/config.js';
import { runPublic } from '../../core/context.js';
import { AppError, badInput, conflict, notFound, say, serviceUnavailable, text, unauthenticated } from '../../core/errors.js';
import { requestStore } from '../../core/request-store.js';
import type { User } from '../../core/identity/user.entity.js';
import { ownAccount } from './account.service.js';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { keyRingOf } from './key-ring.js';
import { actAs, audit, homeOf, issue, type IssuedTokens, type Sql } from './session.service.js';

/**
 * Sign-in through an external OpenID Connect provider (统一身份认证, e.g. a government SSO): the
 * authorization-code flow with PKCE (S256), state and nonce, by openid-client. `GET /auth/oidc/start` sends
 * the browser to the provider; the provider sends it back to `GET /auth/oidc/callback`, where the code is
 * exchanged, the ID token verified, and the value of the configured claim looked up among the links an ADMIN
 * made (linkOidcSubject). A subject nobody linked is refused: no account is ever created here. What the flow
 * must remember between the two requests (verifier, state, nonce) travels in a short-lived cookie sealed
 * with AES-256-GCM under a key derived from JWT_SECRET, so any instance can finish a flow another began.
 */

const COOKIE = 'cppcc_oidc';
const FLOW_SECONDS = 600;

/** The provider's metadata, discovered once per application (again after a failure). */
const discovered = new WeakMap<Kernel, Promise<client.Configuration>>();
function providerOf(kernel: Kernel, oidc: OidcConfig): Promise<client.Configuration> {
  let p = discovered.get(kernel);
  if (!p) {
    const auth = oidc.clientSecret ? client.ClientSecretBasic(oidc.clientSecret) : client.None();
    p = client.discovery(new URL(oidc.issuer), oidc.clientId, undefined, auth, oidc.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined);
    p.catch(() => discovered.delete(kernel));
    discovered.set(kernel, p);
  }
  return p;
}

const sealKey = (jwtSecret: string) => createHmac('sha256', jwtSecret).update('cppcc oidc flow').digest();

interface Flow { verifier: string; state: string; nonce: string; expires: number }

function seal(jwtSecret: string, flow: Flow): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(jwtSecret), iv);
  const body = Buffer.concat([c.update(JSON.stringify(flow), 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

function unseal(jwtSecret: string, value: string | undefined): Flow | null {
  if (!value || value.length > 2000) return null;
  try {
    const raw = Buffer.from(value, 'base64url');
    const d = createDecipheriv('aes-256-gcm', sealKey(jwtSecret), raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    const flow = JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as Flow;
    return flow.expires > Date.now() ? flow : null;
  } catch {
    return null;
  }
}

const cookieOf = (req: express.Request, name: string): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
};

const cookie = (oidc: OidcConfig, value: string, maxAge: number) =>
  `${COOKIE}=${value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${oidc.redirectUri.startsWith('https:') ? '; Secure' : ''}`;

const notLinked = () => unauthenticated(text('该统一身份账号未关联本平台账号，请联系管理员', 'No account is linked to this identity; ask an administrator'));
const flowInvalid = () => badInput(text('登录流程无效或已过期，请重新登录', 'The sign-in flow is not valid or has expired; start again'));

/** Tokens for the account linked to `subject`; a disabled account is refused like an unlinked one (and audited). */
async function signInLinked(deps: AppDeps, oidc: OidcConfig, subject: string, clientInfo: ClientInfo, requestId: string): Promise<IssuedTokens> {
  return runPublic(deps, clientInfo, requestId, async (ctx) => {
    const sql: Sql = (t, params = []) => ctx.em.execute(t, params as never[]) as never;
    const link = (await sql<{ user_id: string; tenant_id: string }>('select * from auth_oidc_account(?, ?)', [oidc.issuer, subject]))[0];
    if (!link) {
      ctx.log.info({ issuer: oidc.issuer }, 'oidc sign-in of a subject linked to no account');
      throw notLinked();
    }
    await actAs(sql, link.tenant_id, link.user_id);
    const user = (await sql<{ id: string; login: string; disabled_at: Date | null }>('select id, login, disabled_at from app_user where id = ?', [link.user_id]))[0];
    const home = await homeOf(sql, link.tenant_id);
    if (!user || user.disabled_at) {
      if (user) await audit(sql, home, { userId: user.id, login: user.login, event: 'SIGN_IN_FAILED', client: clientInfo, detail: 'oidc: account disabled' });
      await ctx.keep();
      throw notLinked();
    }
    const { familyId, ...tokens } = await issue(sql, deps.config, keyRingOf(deps), { userId: user.id, homeId: link.tenant_id, actingId: link.tenant_id, client: clientInfo });
    await audit(sql, home, { userId: user.id, login: user.login, event: 'SIGN_IN', familyId, client: clientInfo, detail: 'oidc' });
    return tokens;
  });
}

const tokensJson = (t: IssuedTokens) => ({
  accessToken: t.accessToken,
  accessTokenExpiresAt: t.accessTokenExpiresAt.toISOString(),
  refreshToken: t.refreshToken,
  refreshTokenExpiresAt: t.refreshTokenExpiresAt.toISOString(),
  tenantCode: t.tenantCode,
});

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, BAD_USER_INPUT: 400, SERVICE_UNAVAILABLE: 503 };

export function mountOidcRoutes(router: express.Router, deps: AppDeps): void {
  const oidc = deps.config.oidc;
  if (!oidc) return;
  const clientOf = (req: express.Request): ClientInfo => ({ address: req.socket.remoteAddress ?? 'unknown', userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null });

  /** An error in the API's error model, or (with a post-login page) the browser sent there with `#error=CODE`. */
  const fail = (res: express.Response, e: unknown) => {
    const err = e instanceof AppError ? e : serviceUnavailable();
    if (!(e instanceof AppError)) deps.log.warn({ err: e, requestId: requestStore.getStore()?.requestId }, 'oidc sign-in failed');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('set-cookie', cookie(oidc, '', 0));
    if (oidc.postLoginUrl) {
      res.redirect(303, `${oidc.postLoginUrl}#${new URLSearchParams({ error: err.code, message: say(err.text) })}`);
      return;
    }
    res.status(STATUS[err.code] ?? 400).json({ errors: [{ message: say(err.text), extensions: { code: err.code } }] });
  };

  router.get('/auth/oidc/start', async (_req, res) => {
    try {
      const provider = await providerOf(deps.kernel, oidc);
      const flow: Flow = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), expires: Date.now() + FLOW_SECONDS * 1000 };
      const url = client.buildAuthorizationUrl(provider, {
        redirect_uri: oidc.redirectUri,
        scope: oidc.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      res.setHeader('cache-control', 'no-store');
      res.setHeader('set-cookie', cookie(oidc, seal(deps.jwtSecret, flow), FLOW_SECONDS));
      res.redirect(302, url.href);
    } catch (e) {
      fail(res, e);
    }
  });

  router.get('/auth/oidc/callback', async (req, res) => {
    const requestId = requestStore.getStore()?.requestId ?? 'oidc';
    try {
      const flow = unseal(deps.jwtSecret, cookieOf(req, COOKIE));
      if (!flow) throw flowInvalid();
      const provider = await providerOf(deps.kernel, oidc);
      // The URL the provider redirected to, as registered (a proxy in front may have changed host or scheme).
      const current = new URL(oidc.redirectUri);
      current.search = new URL(req.originalUrl, 'http://x').search;
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(provider, current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
        claims = tokens.claims() as Record<string, unknown> | undefined;
      } catch (e) {
        deps.log.info({ err: e, requestId }, 'oidc callback refused');
        throw flowInvalid();
      }
      const subject = claims?.[oidc.subjectClaim];
      if (typeof subject !== 'string' && typeof subject !== 'number') throw notLinked();
      const tokens = await signInLinked(deps, oidc, String(subject), clientOf(req), requestId);
      res.setHeader('cache-control', 'no-store');
      res.setHeader('set-cookie', cookie(oidc, '', 0));
      if (oidc.postLoginUrl) {
        // In the fragment, which browsers never send to a server nor keep in a Referer.
        res.redirect(303, `${oidc.postLoginUrl}#${new URLSearchParams(tokensJson(tokens))}`);
        return;
      }
      res.json(tokensJson(tokens));
    } catch (e) {
      fail(res, e);
    }
  });
}

/**
 * An ADMIN links an account of their committee to a person at the configured provider (关联统一身份): the
 * value of its subject claim; null removes the link. A subject already linked to another account is CONFLICT.
 */
export async function linkOidcSubject(ctx: Context, id: string, subject: string | null): Promise<User> {
  const oidc = ctx.config.oidc;
  const user = await ownAccount(ctx, id);
  if (subject !== null && (subject.trim() !== subject || subject.length < 1 || subject.length > 255)) {
    throw badInput(text('统一身份标识应为 1–255 个字符，首尾无空格', 'subject must be 1–255 characters without surrounding spaces'), { field: 'subject' });
  }
  if (!oidc) throw badInput(text('未配置统一身份认证（OIDC）', 'OIDC sign-in is not configured'));
  try {
    const [{ ok }] = (await ctx.em.execute<{ ok: boolean }[]>('select auth_oidc_link(?, ?, ?) ok', [user.id, oidc.issuer, subject])) as [{ ok: boolean }];
    if (!ok) throw notFound(text('账号', 'User'));
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException || (e as { code?: string }).code === '23505') throw conflict(text('该统一身份已关联其他账号', 'This identity is already linked to another account'));
    throw e;
  }
  const sql: Sql = (t, params = []) => ctx.em.execute(t, params as never[]) as never;
  await audit(sql, await homeOf(sql, ctx.tenant.id), { userId: user.id, login: user.login, event: 'OIDC_LINKED', detail: `${subject === null ? 'unlinked' : 'linked'} by ${ctx.viewer.user.login}` });
  return user;
}
