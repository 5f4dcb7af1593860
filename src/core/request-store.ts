import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request facts that code deep in the stack (the SQL logger) needs without threading them through. */
export interface RequestStore {
  requestId: string;
  sqlStatements: number;
}
export const requestStore = new AsyncLocalStorage<RequestStore>();
