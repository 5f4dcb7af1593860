import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from 'pino';

/** The stable error codes every client can switch on (documented in the README). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  CONFLICT: 'CONFLICT',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401 };

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message, {
      extensions: { code, ...(details ? { details } : {}), ...(HTTP_STATUS[code] ? { http: { status: HTTP_STATUS[code] } } : {}) },
    });
  }
}

export const unauthenticated = (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed for your role') => new AppError('FORBIDDEN', message);
/** The same message for "does not exist" and "belongs to someone you cannot see". */
export const notFound = (what = 'Record') => new AppError('NOT_FOUND', `${what} not found`);
export const badInput = (message: string, details?: Record<string, unknown>) => new AppError('BAD_USER_INPUT', message, details);
export const invalidTransition = (from: string, to: string, message = `Cannot move from ${from} to ${to}`) =>
  new AppError('INVALID_TRANSITION', message, { from, to });
export const conflict = (message: string) => new AppError('CONFLICT', message);

/** Codes graphql-js/Apollo produce before execution; passed through unchanged. */
const PASS_THROUGH = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST']);

/**
 * One place decides what reaches the client: our coded errors as they are, validation failures as
 * BAD_USER_INPUT with the failing fields, everything else as INTERNAL_SERVER_ERROR with no detail
 * (logged with the request id).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: Logger, requestId?: string): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (original instanceof ArgumentValidationError) {
    const fields = original.extensions.validationErrors as { property: string; constraints?: Record<string, string>; children?: unknown[] }[];
    return {
      ...base,
      message: 'Input is not valid',
      extensions: { code: ErrorCode.BAD_USER_INPUT, details: { fields: flattenValidation(fields as VError[]) } },
    };
  }
  if (original instanceof AppError) {
    const { http: _http, ...ext } = original.extensions as Record<string, unknown>;
    return { ...base, message: original.message, extensions: ext };
  }
  const code = String(formatted.extensions?.code ?? '');
  if (original instanceof GraphQLError && PASS_THROUGH.has(code)) {
    return { ...base, extensions: { code } };
  }
  if (refusedRequest(original)) return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  log?.error({ err: original, requestId }, 'unexpected error');
  return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } };
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
