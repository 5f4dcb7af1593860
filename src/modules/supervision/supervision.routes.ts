import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { runInContext, type AppDeps } from '../../core/context.js';
import { AppError, say, text } from '../../core/errors.js';
import { requestStore } from '../../core/request-store.js';
import type { RouteMount } from '../../core/module.js';
import { report } from './supervision.service.js';
import { reportCsv, reportXlsx } from './supervision.export.js';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/** Answers in the API's error model, like the 通报 export. */
function fail(res: Response, deps: AppDeps, e: unknown, requestId: string): void {
  res.setHeader('cache-control', 'no-store');
  if (e instanceof AppError && e.code in STATUS) {
    const { http: _h, ...extensions } = e.extensions as Record<string, unknown>;
    res.status(STATUS[e.code]!).json({ errors: [{ message: say(e.text), extensions }] });
    return;
  }
  deps.log.error({ err: e, requestId }, 'export failed');
  res.status(500).json({ errors: [{ message: say(text('服务器内部错误', 'Internal server error')), extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
}

/**
 * GET /export/supervision-report.(xlsx|csv)?period=…: the 督查专报 of the caller's committee as a file, read in
 * the caller's context (runInContext: both walls, the same roles as the `supervisionReport` query).
 */
export const mountSupervisionRoutes: RouteMount = (router, deps) => {
  router.get('/export/supervision-report.:format', async (req, res) => {
    const requestId = requestStore.getStore()?.requestId ?? randomUUID();
    const format = req.params.format;
    if (format !== 'xlsx' && format !== 'csv') {
      res.status(404).json({ errors: [{ message: say(text('未知的导出格式', 'Unknown export format')), extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    try {
      const r = await runInContext(deps, req.headers.authorization, requestId, (ctx) => report(ctx, String(req.query.period ?? '')));
      const name = `督查专报-${r.tenantName}-${r.period}.${format}`;
      res.setHeader('content-disposition', `attachment; filename="supervision-report-${r.period}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.setHeader('cache-control', 'no-store');
      if (format === 'csv') {
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.send(reportCsv(r));
      } else {
        res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.send(await reportXlsx(r));
      }
    } catch (e) {
      fail(res, deps, e, requestId);
    }
  });
};
