import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import express from 'express';
import { execute, parse, type ExecutionResult } from 'graphql';
import { runInContext } from '../core/context.js';
import { AppError, localeOf, say, text } from '../core/errors.js';
import type { HttpMount } from '../core/server.js';
import { requestStore } from '../core/request-store.js';
import { CONSOLE_DIST } from './paths.js';
import { EXPORT_QUERY, tongbaoCsv, tongbaoXlsx, type ExportRollup } from './tongbao.js';
import { explorerHtml } from './explorer.js';

const require = createRequire(import.meta.url);
/** Files of the self-hosted explorer, served from the installed packages (no CDN). */
const pkg = (name: string, file: string) => path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
const EXPLORER_FILES: Record<string, string> = {
  'react.js': pkg('react', 'umd/react.production.min.js'),
  'react-dom.js': pkg('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.js': pkg('graphiql', 'dist/index.umd.js'),
  'graphiql.css': pkg('graphiql', 'dist/style.css'),
};

/**
 * The console page's Content-Security-Policy: everything from this server, and its own WebSocket for the
 * live views. `connect-src` names ws:/wss: of the page's host as well as 'self' (older browsers do not
 * count a WebSocket to the same host as 'self'); style attributes are allowed (ECharts' tooltips use them).
 */
export function consoleCsp(host: string | undefined): string {
  const h = host && /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : null;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${h ? ` ws://${h} wss://${h}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/**
 * The console's HTTP side: CORS for the allowlisted origins, the offline explorer at GET /graphql, the 通报
 * export, and the console's static bundle at `/`. The console itself is a client of the public GraphQL API;
 * the export runs the same `rollup` query in the caller's context (runInContext: ORM filter and RLS).
 */
export const mountConsole: HttpMount = (app, { schema, deps }) => {
  const allowed = new Set(deps.config.corsOrigins);
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, x-request-id');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-expose-headers', 'x-request-id, content-disposition');
      res.setHeader('access-control-max-age', '600');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
    } else if (origin && req.method === 'OPTIONS') {
      // A preflight from an origin not on the list gets no CORS headers: the browser refuses the call.
      res.status(204).end();
      return;
    }
    next();
  });

  // The explorer for browsers; GET with a query string (or without text/html) still reaches the API.
  app.get('/graphql', (req, res, next) => {
    if (req.query.query !== undefined || !req.accepts('html') || req.headers.accept?.includes('application/json')) return next();
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.send(explorerHtml());
  });
  app.get('/explorer/:file', (req, res) => {
    const file = EXPLORER_FILES[req.params.file];
    if (!file) {
      res.status(404).end();
      return;
    }
    res.sendFile(file, { maxAge: '1h' });
  });

  app.get('/export/tongbao.:format', async (req, res, next) => {
    const format = req.params.format;
    if (format !== 'xlsx' && format !== 'csv') {
      res.status(404).json({ errors: [{ message: say(text('未知的导出格式', 'Unknown export format'), localeOf(req.headers['accept-language'])), extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    const period = String(req.query.period ?? '');
    const code = req.query.code === undefined ? undefined : String(req.query.code);
    try {
      const requestId = requestStore.getStore()?.requestId ?? randomUUID();
      let result: ExecutionResult;
      try {
        result = await runInContext(
          deps,
          req.headers.authorization,
          requestId,
          async (ctx) => (await execute({ schema, document: parse(EXPORT_QUERY), variableValues: { code, period }, contextValue: ctx })) as ExecutionResult,
          (r) => !r.errors?.length,
        );
      } catch (e) {
        result = { errors: [e as never] };
      }
      if (result.errors?.length) {
        const err = result.errors[0] as { message: string; originalError?: unknown; extensions?: { code?: string } };
        const locale = localeOf(req.headers['accept-language']);
        const errCode = String(err.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
        const known = errCode in STATUS;
        res.status(STATUS[errCode] ?? 500).json({ errors: [{ message: known ? (err.originalError instanceof AppError ? say(err.originalError.text, locale) : err instanceof AppError ? say(err.text, locale) : err.message) : say(text('服务器内部错误', 'Internal server error'), locale), extensions: { code: known ? errCode : 'INTERNAL_SERVER_ERROR', requestId } }] });
        if (!known) deps.log.error({ err: result.errors[0], requestId }, 'export failed');
        return;
      }
      const rollup = (result.data as { rollup: ExportRollup }).rollup;
      const name = `通报-${rollup.tenant.committeeName}-${rollup.period}.${format}`;
      res.setHeader('content-disposition', `attachment; filename="tongbao-${rollup.tenant.code}-${rollup.period}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.setHeader('cache-control', 'no-store');
      if (format === 'csv') {
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.send(tongbaoCsv(rollup));
      } else {
        res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.send(await tongbaoXlsx(rollup));
      }
    } catch (e) {
      next(e);
    }
  });

  // The console: a single-page app; every asset is in the bundle directory.
  app.use(express.static(CONSOLE_DIST, { index: false, maxAge: '1h' }));
  app.get(['/', '/console', '/console/*rest'], (req, res) => {
    const index = path.join(CONSOLE_DIST, 'index.html');
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain; charset=utf-8').send('控制台尚未构建：请运行 npm run console:build');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('content-security-policy', consoleCsp(req.headers.host));
    res.setHeader('x-content-type-options', 'nosniff');
    res.sendFile(index);
  });
};
