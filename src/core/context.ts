import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { verifyAuthorization } from './auth.js';
import { forbidden, unauthenticated, text } from './errors.js';
import { applyOrmScope, createJointAccess, isDurable, rlsScopeSql, type JointAccess } from './tenancy.js';
import { uuidLiteral } from './ids.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Loaders } from './loaders.js';
import type { EventBus } from './events.js';
import type { Notifier } from './notifier.js';
import { Tenant } from './identity/tenant.entity.js';
import { Role, User } from './identity/user.entity.js';
import { SeatStatus } from './identity/member-seat.entity.js';

/** Who is asking, for which committee, with which role. */
export interface Viewer {
  user: User;
  /** Role for the acting committee: the account's role at home, MEMBER where acting through a seat. */
  role: Role;
  tenant: Tenant;
}

/** How `node(id:)` fetches one type: null for a record the viewer may not see, exactly as for a missing one. */
export type NodeFetcher = (ctx: Context, id: string) => Promise<object | null>;

/**
 * The same read for many ids of one type in one statement: one answer per id, in the order given, null where
 * `NodeFetcher` would answer null. `nodes(ids:)` and fields that point at any record (a supervision task's
 * source) go through it, batched per request and type (core/node-loader.ts).
 */
export type NodeBatchFetcher = (ctx: Context, ids: readonly string[]) => Promise<(object | null)[]>;

/** What the application was assembled with (core/module.ts): the modules' loaders, node types and listeners. */
export interface Kernel {
  createLoaders(em: EntityManager): Loaders;
  nodes: ReadonlyMap<string, NodeFetcher>;
  /** The types whose manifest gives a batch form; any other type is fetched one id at a time. */
  nodeBatches: ReadonlyMap<string, NodeBatchFetcher>;
  events: EventBus<Context>;
}

export interface Context {
  requestId: string;
  viewer: Viewer;
  /** The acting committee; every query is scoped to it unless a module applies a wider, explicit rule. */
  tenant: Tenant;
  em: EntityManager;
  /** Joint items this committee may see; invalidate after changing memberships. */
  joint: JointAccess;
  loaders: Loaders;
  kernel: Kernel;
  clock: Clock;
  config: Config;
  log: Logger;
  /**
   * Commits what the request has written so far and goes on in a new transaction with the same scope, in
   * one round trip after the unit of work's flush. For writes whose commit does work under a lock
   * (deliberation messages are numbered at commit): the lock is then held for the commit alone, never
   * across a round trip to this process. `then`, a statement as text with its values inlined (see
   * uuidLiteral), runs first in the new transaction, in the same round trip, and its rows are returned. If
   * the commit fails, nothing of the request so far is kept and the error is thrown; the request goes on in
   * a new transaction with an empty identity map.
   *
   * `deferFlush`: the commit does not wait for its WAL flush (`synchronous_commit = off`), so what it locks
   * is released as soon as the commit is recorded; the new transaction takes a transaction id, so the
   * request's final commit (synchronous) flushes the WAL up to itself, covering this one, before the answer
   * leaves. Whoever else reads what was written must flush before telling anyone (migration 0007).
   */
  commitSoFar<T = Record<string, unknown>>(then?: string, options?: { deferFlush?: boolean }): Promise<T[]>;
}

export interface AppDeps {
  orm: MikroORM;
  kernel: Kernel;
  jwtSecret: string;
  clock: Clock;
  config: Config;
  log: Logger;
  /** This instance's LISTEN/NOTIFY connection (live features wake on it). */
  notifier: Notifier;
  /** Random id of this server instance (presence rows name the instance that holds a connection). */
  instanceId: string;
}

/**
 * What a subscription's `subscribe` resolver receives instead of a request context: it is long-lived, so
 * it runs a fresh `Context` (runInContext) for every read it makes, per subscriber and per event batch.
 */
export interface SubscriptionContext {
  authorization: unknown;
  deps: AppDeps;
  /** Unique per subscription operation. */
  operationId: string;
}

interface ContextHandle {
  ctx: Context;
  /** Commit (ok) or roll back the request's transaction. Idempotent. */
  finish(ok: boolean): Promise<void>;
}

/** What building a request context needs; live features add the notifier (AppDeps). */
export type ContextDeps = Pick<AppDeps, 'orm' | 'kernel' | 'jwtSecret' | 'clock' | 'config' | 'log'>;

/** The client a request came from: sign-in throttling and the sign-in audit log name it. */
export interface ClientInfo {
  address: string;
  userAgent: string | null;
}

/**
 * What an operation that runs before there is a viewer gets (signIn, refreshSession, switchCommittee,
 * signOut: fields marked `@Public()`, see core/public-operation.ts): its own transaction, but no account, no
 * committee, no scope. The ORM filter has no scope, so any query of a scoped entity throws; the RLS settings
 * are empty, so every tenant-owned row is invisible. Such an operation reads through definer functions, or
 * sets a scope of its own in the transaction once a credential it checked names one.
 */
export interface PublicContext {
  requestId: string;
  em: EntityManager;
  kernel: Kernel;
  clock: Clock;
  config: Config;
  log: Logger;
  client: ClientInfo;
  /** There is no viewer: a resolver that needs one cannot be handed this context by mistake. */
  viewer?: undefined;
  /**
   * Commits what was written so far although the answer will be an error (failed-attempt counters, an audit
   * row, a revoked session family) and goes on in a new transaction, again with no scope.
   */
  keep(): Promise<void>;
}

/**
 * What an operation that reads no data gets (only `__typename`, `__schema` and `__type` at its root, see
 * core/public-operation.ts): its token verified as for any request, and nothing else: no transaction, no
 * statement, no viewer. A disabled account or an ended seat is refused at its next operation that reads
 * data (buildContext checks both there).
 */
export interface BareContext {
  requestId: string;
  log: Logger;
  viewer?: undefined;
}

/** runInContext for an operation that reads no data: the token is verified (or the request refused), then `fn` runs. */
export async function runVerified<T>(deps: ContextDeps, authorization: unknown, requestId: string, fn: (ctx: BareContext) => Promise<T>): Promise<T> {
  const claims = await verifyAuthorization(deps.jwtSecret, authorization);
  return fn({ requestId, log: deps.log.child({ requestId, tenantId: claims.tid, userId: claims.sub }) });
}

/** One transaction on a fresh EntityManager, ended exactly once. */
function openTransaction(deps: ContextDeps): { em: EntityManager; begun: Promise<void>; finish(ok: boolean, beforeCommit?: () => Promise<unknown>): Promise<void> } {
  const em = deps.orm.em.fork({ clear: true, useContext: false }) as EntityManager;
  let done = false;
  return {
    em,
    begun: em.begin(),
    async finish(ok, beforeCommit) {
      if (done) return;
      done = true;
      if (!ok) return em.rollback();
      await beforeCommit?.();
      await em.commit();
    },
  };
}

/**
 * The one place a request's context is made. It opens the request's transaction, sets the RLS settings
 * and the ORM filter for the acting committee, then loads the viewer under that scope. No token, no
 * tenant: no context.
 */
async function buildContext(deps: ContextDeps, authorization: unknown, requestId: string): Promise<ContextHandle> {
  const claims = await verifyAuthorization(deps.jwtSecret, authorization);
  const tx = openTransaction(deps);
  const em = tx.em;
  await tx.begun;
  // The current transaction already holds a transaction id (commitSoFar with deferFlush takes one), so its
  // commit flushes the WAL without another round trip.
  let hasXid = false;
  const finish = (ok: boolean) => tx.finish(ok, async () => {
    if (!hasXid && readDurable(em)) await em.execute('select pg_current_xact_id()');
  });
  try {
    const joint = createJointAccess(em, claims.tid);
    const scope = { tenantId: claims.tid, userId: claims.sub, joint };
    const scopeSql = rlsScopeSql(scope);
    applyOrmScope(em, scope);
    const { user, tenant, seatStatus } = await loadViewer(em, scopeSql, claims.sub, claims.tid);
    if (!user || !tenant || user.disabledAt) throw unauthenticated(text('账号已停用', 'Account is not active'));
    applyOrmScope(em, { ...scope, ancestorIds: [tenant.provinceId, tenant.cityId].filter((id): id is string => !!id && id !== tenant.id) });
    // A member acts through a seat, at home as elsewhere: an ended seat acts for nothing.
    const actsAsMember = user.tenantId !== tenant.id || user.role === Role.MEMBER;
    if (actsAsMember && seatStatus !== SeatStatus.ACTIVE) {
      throw forbidden(seatStatus === SeatStatus.ENDED ? text('您在该政协组织的席位已结束', 'Your seat on this committee has ended') : text('您在该政协组织没有席位', 'You hold no seat on this committee'));
    }
    const role = user.tenantId === tenant.id ? user.role : Role.MEMBER;
    const log = deps.log.child({ requestId, tenant: tenant.code, user: user.login });
    // The transaction stays the ORM's (same connection, same transaction context): only PostgreSQL's
    // transaction ends and a new one begins under it, so the request's final commit or rollback ends that one.
    const commitSoFar = async <T,>(then?: string, options?: { deferFlush?: boolean }): Promise<T[]> => {
      try {
        await em.flush();
        const text = options?.deferFlush
          ? ['set local synchronous_commit = off', 'commit', 'begin', scopeSql, 'select pg_current_xact_id()']
          : ['commit', 'begin', scopeSql];
        const results = await em.execute<unknown[][]>([...text, ...(then ? [then] : [])].join('; '));
        hasXid = !!options?.deferFlush;
        return (then ? results[text.length] : []) as T[];
      } catch (e) {
        // A failed statement or commit: PostgreSQL has rolled the transaction back (or will, here) and skipped
        // the rest of the text; what the unit of work remembers did not happen.
        em.clear();
        hasXid = false;
        // If even this fails the connection is gone; the request fails on its next statement. The first error is the one to report.
        await em.execute(`rollback; begin; ${scopeSql}`).catch(() => {});
        throw e;
      }
    };
    const ctx: Context = {
      requestId,
      viewer: { user, role, tenant },
      tenant,
      em,
      joint,
      loaders: deps.kernel.createLoaders(em),
      kernel: deps.kernel,
      clock: deps.clock,
      config: deps.config,
      log,
      commitSoFar,
    };
    return { ctx, finish };
  } catch (e) {
    await finish(false);
    throw e;
  }
}

/**
 * A request's whole life in one call: build the context (token, transaction, both walls, viewer), run `fn`,
 * commit only when it succeeded (`succeeded`, by default: it returned), roll back otherwise, always ending the
 * transaction. Every path that acts for someone goes through here: HTTP, WebSocket operations, the live
 * feeds, seeds. Never return early from inside without going through `finish` (PostGraphile's
 * withPostGraphileContext makes the same promise).
 */
export async function runInContext<T>(
  deps: ContextDeps,
  authorization: unknown,
  requestId: string,
  fn: (ctx: Context) => Promise<T>,
  succeeded: (result: T) => boolean = () => true,
): Promise<T> {
  const handle = await buildContext(deps, authorization, requestId);
  let ok = false;
  try {
    const result = await fn(handle.ctx);
    ok = succeeded(result);
    await handle.finish(ok);
    return result;
  } finally {
    // Reached with ok false when fn or the commit threw: roll back (a no-op after a finished commit).
    if (!ok) await handle.finish(false);
  }
}

/**
 * runInContext for an operation that has no viewer (a public field, see PublicContext): one transaction with
 * no scope at all, committed only when `fn` succeeded, rolled back otherwise, always ended. Nothing of a
 * token is read here, so a stale or forged Authorization header neither helps nor hinders signing in.
 */
export async function runPublic<T>(
  deps: ContextDeps,
  client: ClientInfo,
  requestId: string,
  fn: (ctx: PublicContext) => Promise<T>,
  succeeded: (result: T) => boolean = () => true,
): Promise<T> {
  const tx = openTransaction(deps);
  const em = tx.em;
  await tx.begun;
  let ok = false;
  try {
    // The settings are empty whatever a pooled connection held before (they are transaction-local anyway).
    await em.execute(rlsScopeSql({}));
    const keep = async () => {
      await em.execute(`commit; begin; ${rlsScopeSql({})}`);
    };
    const ctx: PublicContext = { requestId, em, kernel: deps.kernel, clock: deps.clock, config: deps.config, log: deps.log.child({ requestId }), client, keep };
    const result = await fn(ctx);
    ok = succeeded(result);
    await tx.finish(ok);
    return result;
  } finally {
    if (!ok) await tx.finish(false);
  }
}

/**
 * Whether the transaction read records of an entity that declares itself durable (declareScope): those can be
 * seen before they are on disk (deliberation messages commit without waiting for their WAL flush, migration
 * 0007), so before they leave, the transaction takes a transaction id and its commit flushes the WAL, and with
 * it every commit it could have seen. Decided here, where every request ends, not by each read path.
 */
function readDurable(em: EntityManager): boolean {
  for (const entity of em.getUnitOfWork().getIdentityMap().values()) {
    if (isDurable((entity as object).constructor.name)) return true;
  }
  return false;
}

const columnsOf = (em: EntityManager, entity: string) =>
  em
    .getMetadata()
    .get(entity)
    .props.filter((p) => p.persist !== false && p.fieldNames?.length)
    .flatMap((p) => p.fieldNames);

/** Both rows' columns, each aliased with its table's prefix (`u__`, `t__`), and the statement's select list; made once. */
let viewerQuery: { u: string[]; t: string[]; select: string } | undefined;

/**
 * The request's RLS settings (`scopeSql`), then the account, the acting committee and the account's seat on
 * it in one statement under them (an account and its seats are visible to itself; committees to everyone),
 * all in one round trip, the rows mapped into the request's identity map as `findOne` would. Every request
 * and every live read starts here, so it is one round trip instead of three. The two ids are verified token
 * claims, inlined as UUID literals.
 */
async function loadViewer(em: EntityManager, scopeSql: string, userId: string, tenantId: string): Promise<{ user: User | null; tenant: Tenant | null; seatStatus: SeatStatus | null }> {
  if (!viewerQuery) {
    const [u, t] = [columnsOf(em, 'User'), columnsOf(em, 'Tenant')];
    const list = [...u.map((c) => `u."${c}" as "u__${c}"`), ...t.map((c) => `t."${c}" as "t__${c}"`)].join(', ');
    viewerQuery = { u, t, select: `select ${list}, s.status as seat_status from (select 1) one` };
  }
  const { u, t, select } = viewerQuery;
  const [, rows] = await em.execute<[unknown[], Record<string, unknown>[]]>(
    `${scopeSql}; ${select} left join app_user u on u.id = ${uuidLiteral(userId)} left join tenant t on t.id = ${uuidLiteral(tenantId)}` +
      ` left join member_seat s on s.user_id = u.id and s.tenant_id = t.id`,
  );
  const row = rows[0];
  const part = (prefix: string, cols: string[]) => Object.fromEntries(cols.map((c) => [c, row![`${prefix}${c}`]]));
  return {
    user: row?.u__id ? em.map(User, part('u__', u) as never) : null,
    tenant: row?.t__id ? em.map(Tenant, part('t__', t) as never) : null,
    seatStatus: (row?.seat_status as SeatStatus | undefined) ?? null,
  };
}

/**
 * Rows of a scoped SQL function in one round trip, without a request context: for live feeds, which read on
 * every wake. The token is verified as for a request, and its committee and user are passed as the function's
 * first two arguments; the function sets the RLS settings for its own query and puts them back (see
 * migration 0005), so the application role's policies apply as in any request. Account and seat checks are
 * not repeated here: callers run a full context (buildContext) when they need them.
 */
export async function readScoped<T extends object>(deps: ContextDeps, authorization: unknown, fn: string, args: unknown[]): Promise<T[]> {
  const claims = await verifyAuthorization(deps.jwtSecret, authorization);
  const placeholders = ['?', '?', ...args.map(() => '?')].join(', ');
  return deps.orm.em.getConnection().execute<T[]>(`select * from ${fn}(${placeholders})`, [claims.tid, claims.sub, ...args]);
}

export function requireRole(ctx: Context, ...roles: Role[]): void {
  if (!roles.includes(ctx.viewer.role)) throw forbidden();
}

/** What work acting for a committee without a signed-in person gets: a scheduled sweep of one committee. */
export type CommitteeContext = Pick<Context, 'requestId' | 'tenant' | 'em' | 'joint' | 'loaders' | 'kernel' | 'clock' | 'config' | 'log'>;

/**
 * The system's counterpart of runInContext, for background work of one committee (a job's sweep): one
 * transaction as the application role, the RLS settings and the ORM filter set to that committee and to no
 * user (app.user_id is empty: rows that belong to a person are not visible), committed only when `fn`
 * returns. It never spans committees; work for many runs once per committee. Work done for a person (their
 * notification) runs through runInContext as that person instead, so it sees what they see.
 */
export async function runForCommittee<T>(deps: ContextDeps, tenantId: string, requestId: string, fn: (ctx: CommitteeContext) => Promise<T>): Promise<T> {
  const em = deps.orm.em.fork({ clear: true, useContext: false }) as EntityManager;
  await em.begin();
  let ok = false;
  try {
    const joint = createJointAccess(em, tenantId);
    // The ORM filter needs a user; the nil UUID is nobody's, as the empty app.user_id is in RLS.
    applyOrmScope(em, { tenantId, userId: NO_USER, joint });
    await em.execute(rlsScopeSql({ tenantId }));
    const tenant = await em.findOne(Tenant, { id: tenantId });
    if (!tenant) throw new Error(`runForCommittee: no committee ${tenantId}`);
    applyOrmScope(em, { tenantId, userId: NO_USER, joint, ancestorIds: [tenant.provinceId, tenant.cityId].filter((id): id is string => !!id && id !== tenant.id) });
    const log = deps.log.child({ requestId, tenant: tenant.code });
    const result = await fn({ requestId, tenant, em, joint, loaders: deps.kernel.createLoaders(em), kernel: deps.kernel, clock: deps.clock, config: deps.config, log });
    await em.commit();
    ok = true;
    return result;
  } finally {
    if (!ok) await em.rollback().catch(() => {});
  }
}

const NO_USER = '00000000-0000-0000-0000-000000000000';
