import express, { type Request, type Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, say, text } from '../../core/errors.js';
import type { AppDeps } from '../../core/context.js';
import { requestStore } from '../../core/request-store.js';
import { KeyRing, registerKeyRing } from '../../core/signing-keys.js';
import { refresh, signIn, signOut, type ClientInfo, type IssuedTokens, type Sql } from './session.service.js';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, TOO_MANY_ATTEMPTS: 429, BAD_USER_INPUT: 400, FORBIDDEN: 403 };

const clientOf = (req: Request): ClientInfo => ({
  address: req.socket.remoteAddress ?? 'unknown',
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
});

/**
 * One transaction on the application role for a request that has no viewer yet. `commit` keeps what was
 * written although the answer will be an error (failed-attempt counters, a revoked session family).
 */
async function inTransaction<T>(deps: AppDeps, fn: (sql: Sql, commit: () => Promise<void>) => Promise<T>): Promise<T> {
  const em = deps.orm.em.fork({ clear: true, useContext: false }) as EntityManager;
  await em.begin();
  let done = false;
  const end = async (ok: boolean) => {
    if (done) return;
    done = true;
    await (ok ? em.commit() : em.rollback());
  };
  const sql: Sql = (text, params = []) => em.execute(text, params as never[]) as never;
  try {
    const result = await fn(sql, () => end(true));
    await end(true);
    return result;
  } finally {
    await end(false);
  }
}

const tokensJson = (t: IssuedTokens) => ({
  accessToken: t.accessToken,
  accessTokenExpiresAt: t.accessTokenExpiresAt.toISOString(),
  refreshToken: t.refreshToken,
  refreshTokenExpiresAt: t.refreshTokenExpiresAt.toISOString(),
  tenantCode: t.tenantCode,
});

/** Answers in the API's error model: `{ errors: [{ message, extensions: { code, … } }] }`, nothing else. */
function fail(res: Response, deps: AppDeps, e: unknown): void {
  res.setHeader('cache-control', 'no-store');
  if (e instanceof AppError) {
    const { http: _h, ...extensions } = e.extensions as Record<string, unknown>;
    const code = String(extensions.code);
    const details = extensions.details as { retryAfter?: number } | undefined;
    if (details?.retryAfter) res.setHeader('retry-after', String(details.retryAfter));
    res.status(STATUS[code] ?? 400).json({ errors: [{ message: say(e.text), extensions }] });
    return;
  }
  const requestId = requestStore.getStore()?.requestId;
  deps.log.error({ err: e, requestId }, 'unexpected error');
  res.status(500).json({ errors: [{ message: say(text('服务器内部错误', 'Internal server error')), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
}

/**
 * The token endpoints (like OAuth's, plain JSON over POST): sign-in, refresh and sign-out happen before or
 * without a valid access token, so they are not GraphQL operations, which always run for a viewer.
 */
export function mountAccountRoutes(router: express.Router, deps: AppDeps): void {
  const keys = new KeyRing((text, params = []) => deps.orm.em.getConnection().execute(text, params as never[]) as never, deps.jwtSecret);
  registerKeyRing(keys);
  const json = express.json({ limit: '8kb' });
  // Public keys of the access tokens, for other services (and front-ends) to verify them.
  router.get('/.well-known/jwks.json', async (_req, res) => {
    try {
      res.setHeader('cache-control', 'public, max-age=300');
      res.json(await keys.jwks());
    } catch (e) {
      fail(res, deps, e);
    }
  });
  const body = (req: Request) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
  router.post('/auth/sign-in', json, async (req, res) => {
    try {
      const { login, password } = body(req);
      const tokens = await inTransaction(deps, (sql, commit) => signIn(sql, deps.config, keys, login, password, clientOf(req), commit));
      res.setHeader('cache-control', 'no-store');
      res.json(tokensJson(tokens));
    } catch (e) {
      fail(res, deps, e);
    }
  });
  // Sign-in that sets a new password: required when an administrator gave or reset it.
  router.post('/auth/change-password', json, async (req, res) => {
    try {
      const { login, password, newPassword } = body(req);
      const tokens = await inTransaction(deps, (sql, commit) => signIn(sql, deps.config, keys, login, password, clientOf(req), commit, newPassword ?? ''));
      res.setHeader('cache-control', 'no-store');
      res.json(tokensJson(tokens));
    } catch (e) {
      fail(res, deps, e);
    }
  });
  router.post('/auth/refresh', json, async (req, res) => {
    try {
      const tokens = await inTransaction(deps, (sql, commit) => refresh(sql, deps.config, keys, body(req).refreshToken, clientOf(req), commit));
      res.setHeader('cache-control', 'no-store');
      res.json(tokensJson(tokens));
    } catch (e) {
      fail(res, deps, e);
    }
  });
  router.post('/auth/switch-committee', json, async (req, res) => {
    try {
      const { refreshToken, code } = body(req);
      if (typeof code !== 'string' || !/^\d{6}$/.test(code)) throw new AppError('BAD_USER_INPUT', text('code 须为政协组织代码', 'code must be a committee code'), { fields: [{ field: 'code', messages: ['six digits'] }] });
      const tokens = await inTransaction(deps, (sql, commit) => refresh(sql, deps.config, keys, refreshToken, clientOf(req), commit, code));
      res.setHeader('cache-control', 'no-store');
      res.json(tokensJson(tokens));
    } catch (e) {
      fail(res, deps, e);
    }
  });
  router.post('/auth/sign-out', json, async (req, res) => {
    try {
      await inTransaction(deps, (sql) => signOut(sql, body(req).refreshToken, clientOf(req)));
      res.setHeader('cache-control', 'no-store');
      res.json({ signedOut: true });
    } catch (e) {
      fail(res, deps, e);
    }
  });
}
