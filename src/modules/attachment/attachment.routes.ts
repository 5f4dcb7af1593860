import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppError, say, text } from '../../core/errors.js';
import { runInContext, type AppDeps } from '../../core/context.js';
import { toGlobalId } from '../../core/global-id.js';
import { requestStore } from '../../core/request-store.js';
import * as attachments from './attachment.service.js';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

function fail(res: Response, deps: AppDeps, e: unknown): void {
  res.setHeader('cache-control', 'no-store');
  if (e instanceof AppError) {
    const { http: _h, ...extensions } = e.extensions as Record<string, unknown>;
    res.status(STATUS[String(extensions.code)] ?? 400).json({ errors: [{ message: say(e.text), extensions }] });
    return;
  }
  const requestId = requestStore.getStore()?.requestId;
  deps.log.error({ err: e, requestId }, 'unexpected error');
  res.status(500).json({ errors: [{ message: say(text('服务器内部错误', 'Internal server error')), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
}

/**
 * Files travel outside GraphQL: `POST /files?name=…` with the bytes as the body and their media type as
 * Content-Type answers `{ id }`, which `attachFile` then attaches; `GET /files/{id}` downloads. Both with the
 * access token, each in one request context (runInContext: both walls, commit only on success). A plain
 * route rather than the GraphQL multipart request: it needs no extra protocol in every client, keeps
 * uploads out of the operation size limits, and a download is a URL a browser can fetch.
 */
export function mountAttachmentRoutes(router: express.Router, deps: AppDeps): void {
  const requestId = () => requestStore.getStore()?.requestId ?? randomUUID();
  const body = express.raw({ type: () => true, limit: deps.config.attachmentMaxBytes });
  const tooLarge = (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((err as { type?: string }).type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: say(text('文件太大', 'The file is too large')), extensions: { code: 'BAD_USER_INPUT', details: { field: 'body', maxBytes: deps.config.attachmentMaxBytes } } }] });
      return;
    }
    next(err);
  };
  router.post('/files', body, tooLarge, async (req: Request, res: Response) => {
    try {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const a = await runInContext(deps, req.headers.authorization, requestId(), (ctx) => attachments.upload(ctx, req.query.name, req.headers['content-type'], bytes));
      res.setHeader('cache-control', 'no-store');
      res.status(201).json({ id: toGlobalId('Attachment', a.id), sha256: a.sha256, size: a.size });
    } catch (e) {
      fail(res, deps, e);
    }
  });
  router.get('/files/:id', async (req: Request, res: Response) => {
    try {
      const { a, bytes } = await runInContext(deps, req.headers.authorization, requestId(), (ctx) => attachments.download(ctx, String(req.params.id)));
      res.setHeader('cache-control', 'private, no-store');
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('content-type', a.contentType);
      res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}`);
      res.send(bytes);
    } catch (e) {
      fail(res, deps, e);
    }
  });
}
