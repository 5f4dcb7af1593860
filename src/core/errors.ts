import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from 'pino';
import Negotiator from 'negotiator';
import { requestStore, type Locale } from './request-store.js';

/**
 * A message people read: Chinese by default, English for a client whose `Accept-Language` prefers it. Codes and
 * `details` never change with the language; only `message` does.
 */
export interface Text {
  zh: string;
  en: string;
}
export type { Locale };
export const text = (zh: string, en: string): Text => ({ zh, en });

const LOCALES: Locale[] = ['zh', 'en'];
/** The language a request asks for (`Accept-Language`, RFC 9110 weights): English only when preferred, else Chinese. */
export function localeOf(acceptLanguage: string | string[] | undefined): Locale {
  if (!acceptLanguage) return 'zh';
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(', ') : acceptLanguage;
  return (new Negotiator({ headers: { 'accept-language': header } }).language(LOCALES) as Locale | undefined) ?? 'zh';
}
/** The message in the language of the request under way (Chinese outside one). */
export function say(t: Text, locale: Locale = requestStore.getStore()?.locale ?? 'zh'): string {
  return t[locale];
}

/**
 * An error raised before execution (validation limits, a subscription sent over HTTP) that people read: it
 * keeps both languages, and `formatError` answers in the request's. `message` is the Chinese one.
 */
export class TextGraphQLError extends GraphQLError {
  readonly text: Text;
  constructor(message: Text, options: GraphQLErrorOptions) {
    super(message.zh, options);
    this.text = message;
  }
}

/** The stable error codes every client can switch on (documented in the README). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  CONFLICT: 'CONFLICT',
  /** Too many failed sign-ins: `extensions.retryAfter` says in how many seconds to try again. */
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Seconds a client is told to wait (`Retry-After`) before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * HTTP status of a code wherever it arises: these say nothing ran (or nothing could be trusted to have run),
 * so the whole answer carries it. Other codes answer 200 beside whatever data the rest of the operation had.
 */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, TOO_MANY_ATTEMPTS: 429, SERVICE_UNAVAILABLE: 503 };
/** HTTP status of a code that stopped a request before any of it ran (its context could not be built). */
const REFUSAL_STATUS: Partial<Record<ErrorCode, number>> = { ...HTTP_STATUS, FORBIDDEN: 403 };

/** `Retry-After` of an answer that says when to try again: an unreachable database, a throttled sign-in (`details.retryAfter`). */
const retryAfterOf = (code: ErrorCode, details: Record<string, unknown> | undefined): number | undefined =>
  code === 'SERVICE_UNAVAILABLE' ? RETRY_AFTER_SECONDS : code === 'TOO_MANY_ATTEMPTS' && typeof details?.retryAfter === 'number' ? details.retryAfter : undefined;
const httpExtension = (code: ErrorCode, status: number | undefined, details?: Record<string, unknown>) => {
  const retry = retryAfterOf(code, details);
  return status ? { http: { status, ...(retry !== undefined ? { headers: new Map([['retry-after', String(retry)]]) } : {}) } } : {};
};

export class AppError extends GraphQLError {
  /** The message in both languages; `message` is the Chinese one. */
  readonly text: Text;
  constructor(code: ErrorCode, message: Text, details?: Record<string, unknown>, status = HTTP_STATUS[code]) {
    super(message.zh, { extensions: { code, ...(details ? { details } : {}), ...httpExtension(code, status, details) } });
    this.text = message;
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

// Every message people read is a Text: a plain string is refused by the compiler, so none reaches a client in one language only.
export const unauthenticated = (message: Text = text('请先登录', 'Authentication required')) => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message: Text = text('您的角色无权进行此操作', 'Not allowed for your role')) => new AppError('FORBIDDEN', message);
/** The same message for "does not exist" and "belongs to someone you cannot see"; `what` names the thing (调研课题 / Research project). */
export const notFound = (what: Text = text('记录', 'Record')) => new AppError('NOT_FOUND', text(`${what.zh}不存在`, `${what.en} not found`));
export const badInput = (message: Text, details?: Record<string, unknown>) => new AppError('BAD_USER_INPUT', message, details);
/** A move the item's state does not allow. The message names the thing and its state ("已交办的建议不能再次交办"); `from` and `to` go in details. */
export const invalidTransition = (from: string, to: string, message: Text) => new AppError('INVALID_TRANSITION', message, { from, to });
export const conflict = (message: Text) => new AppError('CONFLICT', message);
/** The database cannot be reached: nothing was done, and the same request may be sent again shortly. */
export const serviceUnavailable = () =>
  new AppError('SERVICE_UNAVAILABLE', text(`数据库暂时不可用，请 ${RETRY_AFTER_SECONDS} 秒后重试`, `The database is unavailable; try again in ${RETRY_AFTER_SECONDS} s`), { retryAfterSeconds: RETRY_AFTER_SECONDS });

/** Socket errors of a connection attempt or a connection that broke. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * SQLSTATEs of a server that is not there to serve: connection exceptions (class 08), the server shutting down
 * or starting up (57P01–57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** What pg, the pool and MikroORM say when a connection is gone or cannot be had. */
const UNAVAILABLE_MESSAGE = /Connection terminated|Timeout acquiring a connection|Client has encountered a connection error|Connection is closed|Client was closed|the database system is (shutting down|starting up|in recovery mode)/i;

/** Whether `e` (or what caused it) says the database could not be reached, as opposed to a fault of the request. */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let err = e, depth = 0; err && typeof err === 'object' && depth < 5; depth++) {
    const x = err as { name?: string; code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };
    if (x.name === 'ConnectionException' || x.name === 'KnexTimeoutError') return true;
    if (typeof x.code === 'string' && (UNAVAILABLE_SQLSTATE.test(x.code) || (NETWORK_CODES.has(x.code) && (x.syscall === undefined || x.syscall === 'connect' || x.syscall === 'read' || x.syscall === 'write')))) return true;
    if (typeof x.message === 'string' && UNAVAILABLE_MESSAGE.test(x.message)) return true;
    err = x.originalError ?? x.cause;
  }
  return false;
}

/**
 * The error to answer for a request that failed before its operation ran (building its context) or whose
 * commit failed: a coded error with the HTTP status of a refusal (no seat: 403), an unreachable database as
 * SERVICE_UNAVAILABLE (503), anything else as it is (INTERNAL_SERVER_ERROR once formatted).
 */
export function refusal(e: unknown): unknown {
  if (e instanceof AppError) {
    const status = REFUSAL_STATUS[e.code];
    return status && !(e.extensions.http as { status?: number } | undefined)?.status ? new AppError(e.code, e.text, e.extensions.details as Record<string, unknown> | undefined, status) : e;
  }
  return isDatabaseUnavailable(e) ? serviceUnavailable() : e;
}

/** Codes graphql-js/Apollo produce before execution; passed through unchanged. */
const PASS_THROUGH = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST']);

/**
 * One place decides what reaches the client: our coded errors as they are, validation failures as
 * BAD_USER_INPUT with the failing fields, everything else as INTERNAL_SERVER_ERROR with no detail
 * (logged with the request id).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: Logger, requestId?: string, locale?: Locale): GraphQLFormattedError {
  const lang = locale ?? requestStore.getStore()?.locale ?? 'zh';
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (original instanceof ArgumentValidationError) {
    const fields = original.extensions.validationErrors as { property: string; constraints?: Record<string, string>; children?: unknown[] }[];
    return {
      ...base,
      message: say(text('输入不符合要求', 'Input is not valid'), lang),
      extensions: { code: ErrorCode.BAD_USER_INPUT, details: { fields: flattenValidation(fields as VError[]) } },
    };
  }
  if (!(original instanceof AppError) && isDatabaseUnavailable(original)) {
    log?.warn({ err: original, requestId }, 'database unavailable');
    const { http: _http, ...ext } = serviceUnavailable().extensions as Record<string, unknown>;
    return { ...base, message: say(serviceUnavailable().text, lang), extensions: ext };
  }
  if (original instanceof AppError) {
    const { http: _http, ...ext } = original.extensions as Record<string, unknown>;
    return { ...base, message: say(original.text, lang), extensions: ext };
  }
  const code = String(formatted.extensions?.code ?? '');
  if (original instanceof GraphQLError && PASS_THROUGH.has(code)) {
    return { ...base, ...(original instanceof TextGraphQLError ? { message: say(original.text, lang) } : {}), extensions: { code } };
  }
  if (refusedRequest(original)) return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  log?.error({ err: original, requestId }, 'unexpected error');
  return { ...base, message: say(text('服务器内部错误', 'Internal server error'), lang), extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } };
}

/**
 * An error graphql-js raised about the request itself before running any resolver, which Apollo does not
 * code: no path, no cause, no code of its own. The one seen is "Too many errors processing variables, error
 * limit reached" (a variable holding more than 50 invalid values): the client's input, not a fault here.
 */
function refusedRequest(e: unknown): boolean {
  return e instanceof GraphQLError && !e.originalError && !e.path && e.extensions?.code === undefined;
}

interface VError { property: string; constraints?: Record<string, string>; children?: VError[] }
function flattenValidation(errors: VError[], prefix = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidation(e.children ?? [], field)];
  });
}
