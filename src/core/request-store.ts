import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';

/** The languages messages are written in: Chinese (the default) and English. */
export type Locale = 'zh' | 'en';

/** Per-request facts that code deep in the stack (the SQL logger) needs without threading them through. */
export interface RequestStore {
  requestId: string;
  sqlStatements: number;
  /** The language of messages in the answer (`Accept-Language`). */
  locale?: Locale;
  /** The request's trace span (non-recording while tracing is off). */
  span?: Span;
}
export const requestStore = new AsyncLocalStorage<RequestStore>();
