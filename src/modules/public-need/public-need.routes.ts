import express, { type Request, type Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, say, text } from '../../core/errors.js';
import type { AppDeps } from '../../core/context.js';
import { requestStore } from '../../core/request-store.js';
import { raisePublicNeed, type Sql } from './public-need.service.js';

const STATUS: Record<string, number> = { TOO_MANY_ATTEMPTS: 429, BAD_USER_INPUT: 400 };

/** One transaction on the application role, with no viewer; `commit` keeps the throttle's count although the answer is an error. */
async function inTransaction<T>(deps: AppDeps, fn: (sql: Sql, commit: () => Promise<void>) => Promise<T>): Promise<T> {
  const em = deps.orm.em.fork({ clear: true, useContext: false }) as EntityManager;
  await em.begin();
  let done = false;
  const end = async (ok: boolean) => {
    if (done) return;
    done = true;
    await (ok ? em.commit() : em.rollback());
  };
  const sql: Sql = (t, params = []) => em.execute(t, params as never[]) as never;
  try {
    const result = await fn(sql, () => end(true));
    await end(true);
    return result;
  } finally {
    await end(false);
  }
}

function fail(res: Response, deps: AppDeps, e: unknown): void {
  if (e instanceof AppError) {
    const { http: _h, ...extensions } = e.extensions as Record<string, unknown>;
    const details = extensions.details as { retryAfter?: number } | undefined;
    if (details?.retryAfter) res.setHeader('retry-after', String(details.retryAfter));
    res.status(STATUS[String(extensions.code)] ?? 400).json({ errors: [{ message: say(e.text), extensions }] });
    return;
  }
  const requestId = requestStore.getStore()?.requestId;
  deps.log.error({ err: e, requestId }, 'unexpected error');
  res.status(500).json({ errors: [{ message: say(text('服务器内部错误', 'Internal server error')), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
}

/**
 * 社会提需求: `POST /public/needs` with `{ committee, content, contact? }` as JSON, no token. It is a plain
 * route, not a GraphQL operation: every GraphQL operation runs for a signed-in viewer, and this one must
 * answer nothing but 202 (no id, no echo), so there is nothing to select.
 */
export function mountPublicNeedRoutes(router: express.Router, deps: AppDeps): void {
  const json = express.json({ limit: '8kb', type: ['application/json'] });
  router.post('/public/needs', json, async (req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    try {
      if (!req.is('application/json') || !req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
        throw new AppError('BAD_USER_INPUT', text('只接受 JSON 文字', 'Send the need as JSON text'));
      }
      const address = req.socket.remoteAddress ?? 'unknown';
      await inTransaction(deps, (sql, commit) => raisePublicNeed(sql, deps.config, deps.clock.now(), req.body as Record<string, unknown>, address, commit));
      res.status(202).json({ accepted: true });
    } catch (e) {
      fail(res, deps, e);
    }
  });
}
