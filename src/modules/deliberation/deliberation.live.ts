import { randomUUID } from 'node:crypto';
import { runInContext, type AppDeps, type Context, type SubscriptionContext } from '../../core/context.js';
import { AppError, badInput, forbidden, notFound, text } from '../../core/errors.js';
import { expectGlobalId } from '../../core/global-id.js';
import type { Notifier } from '../../core/notifier.js';
import type { LiveSource } from '../../core/live-source.js';
import { DeliberationSession, EventKind, SessionStatus, type DeliberationEvent } from './deliberation.entity.js';
import { READERS } from './deliberation.service.js';
import { CHANNEL, eventsAfter, feedEventsAfter } from './deliberation.stream.js';
import { connectPresence, disconnectPresence } from './deliberation.presence.js';

const PAGE = 500;
/** Re-read even without a notification, so a lost one only delays delivery. */
const POLL_MS = 3000;
/** Subscribers handed a batch per turn of the event loop. */
const SLICE = 50;

/**
 * One subscriber's stream, fed by the hub. Iterated (graphql-js maps each value through the selection), or,
 * over WebSocket, attached to a sink that writes each event's frame at once (LiveSource).
 */
class EventQueue implements LiveSource<DeliberationEvent> {
  private items: DeliberationEvent[] = [];
  private waiters: ((r: IteratorResult<DeliberationEvent>) => void)[] = [];
  private sink: ((events: DeliberationEvent[]) => void) | null = null;
  private done = false;
  get closed(): boolean {
    return this.done;
  }
  constructor(private readonly onClose: () => void) {}

  attach(sink: (events: DeliberationEvent[]) => void): void {
    this.sink = sink;
    const queued = this.items.splice(0);
    if (queued.length) sink(queued);
  }
  /** Events that arrived together, oldest first: one call of an attached sink. */
  push(events: DeliberationEvent[]): void {
    if (this.done || !events.length) return;
    if (this.sink) return this.sink(events);
    for (const e of events) {
      const w = this.waiters.shift();
      if (w) w({ value: e, done: false });
      else this.items.push(e);
    }
  }
  /**
   * Ends the stream with `error` as its last result, so the client learns why (e.g. its token expired)
   * before the `complete`.
   */
  fail(error: AppError): void {
    if (this.done) return;
    this.push([error as unknown as DeliberationEvent]);
    this.end();
  }
  /** Completes after what is queued has been read. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }
  next(): Promise<IteratorResult<DeliberationEvent>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  /** The client stopped (complete message or closed socket). */
  return(): Promise<IteratorResult<DeliberationEvent>> {
    this.items = [];
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

interface Subscriber {
  authorization: unknown;
  queue: EventQueue;
  /** Highest sequence number handed to the client. */
  last: number;
  /** While replaying or catching up, live batches wait here. */
  held: DeliberationEvent[] | null;
  catching: boolean;
  sessionId: string;
}

/**
 * Subscribers of one session on this instance. Every committee taking part sees the same events of a
 * session (each event row carries the session's participants), so one read per wake, in the scope of any
 * subscriber still allowed to read, serves them all; each was authorized at subscribe.
 */
interface Feed {
  sessionId: string;
  subs: Set<Subscriber>;
  /** Highest sequence number read for this feed; null until the first subscriber's replay sets it. */
  last: number | null;
  pending: boolean;
  running: boolean;
  /** Consecutive failed reads (not authorization): the retry backs off. */
  failures: number;
  /** When the last read finished (ms): the poll re-reads only feeds that have been quiet. */
  readAt: number;
  /** When events were last handed to the subscribers (ms): the next batch waits `liveBatchMs` after it. */
  deliveredAt: number;
}

/** Reads in a context built for one subscriber: its token, its committee, RLS on. */
const withContext = <T,>(deps: AppDeps, authorization: unknown, fn: (ctx: Context) => Promise<T>): Promise<T> => runInContext(deps, authorization, randomUUID(), fn);

/** This subscriber may no longer read (token expired, account or seat gone, session no longer visible). */
const lostAuthorization = (e: unknown) => e instanceof AppError && (e.extensions.code === 'UNAUTHENTICATED' || e.extensions.code === 'FORBIDDEN');
/** Short, growing pause before reading again after a failure (pool timeout, dropped connection). */
const backoff = (attempt: number) => Math.min(2000, 25 * 2 ** Math.min(attempt, 7));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * Stored events after `afterSeq`, as the context's viewer sees them. Nothing new is the common answer; only
 * then is the session itself looked up: out of sight means this viewer may no longer read (FORBIDDEN).
 */
async function readEvents(ctx: Context, sessionId: string, afterSeq: number): Promise<DeliberationEvent[]> {
  if (!READERS.includes(ctx.viewer.role)) throw forbidden();
  const rows = await eventsAfter(ctx, sessionId, afterSeq, PAGE);
  if (!rows.length && !(await ctx.em.findOne(DeliberationSession, { id: sessionId }, { fields: ['id'] }))) {
    throw forbidden(text('本单位未参加该网络议政会', 'Your committee does not take part in this session'));
  }
  return rows;
}

/**
 * Of `rows` (in sequence order), the run that follows `last` without a gap; already-seen numbers are skipped.
 * `hole`: a later number came before the next one expected.
 */
function following(last: number, rows: DeliberationEvent[]): { next: DeliberationEvent[]; hole: boolean } {
  const next: DeliberationEvent[] = [];
  for (const e of rows) {
    if (e.seq <= last + next.length) continue;
    if (e.seq !== last + next.length + 1) return { next, hole: true };
    next.push(e);
  }
  return { next, hole: false };
}

/** Per server instance: wakes local subscribers from NOTIFY and re-reads the stored events. */
class Hub {
  private readonly feeds = new Map<string, Feed>();
  private readonly poll: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: AppDeps) {
    deps.notifier.listen(CHANNEL, (payload) => {
      const [sessionId, seq] = payload.split(':');
      if (sessionId) this.wake(sessionId, Number(seq));
    });
    deps.notifier.onReconnect(() => this.wakeAll());
    this.poll = setInterval(() => {
      const quiet = Date.now() - POLL_MS;
      for (const f of this.feeds.values()) if (f.readAt <= quiet) this.wakeFeed(f);
    }, POLL_MS);
    this.poll.unref();
    deps.notifier.onClose(() => {
      this.closed = true;
      clearInterval(this.poll);
    });
  }

  private wakeAll(): void {
    for (const f of this.feeds.values()) this.wakeFeed(f);
  }

  private wake(sessionId: string, seq: number): void {
    const f = this.feeds.get(sessionId);
    if (f && (f.last === null || !(seq <= f.last))) this.wakeFeed(f);
  }

  private wakeFeed(f: Feed): void {
    f.pending = true;
    void this.run(f);
  }

  private async run(f: Feed): Promise<void> {
    if (f.running || f.last === null) return;
    f.running = true;
    try {
      let backlog = false;
      while (f.pending && f.subs.size && !this.closed) {
        // Under steady traffic, one batch per `liveBatchMs`: what arrives meanwhile goes out together, in
        // one write per subscriber. The first event after a quiet spell goes out at once.
        const wait = backlog ? 0 : f.deliveredAt + this.deps.config.liveBatchMs - Date.now();
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        f.pending = false;
        const rep = f.subs.values().next().value!;
        let rows: DeliberationEvent[];
        try {
          // The common case in one round trip; nothing new is checked with a full context (still allowed?).
          rows = await feedEventsAfter(this.deps, rep.authorization, f.sessionId, f.last!, PAGE);
          if (!rows.length) rows = await withContext(this.deps, rep.authorization, (ctx) => readEvents(ctx, f.sessionId, f.last!));
          f.failures = 0;
          f.readAt = Date.now();
        } catch (e) {
          f.pending = true;
          if (lostAuthorization(e)) {
            // This subscriber may no longer read: its stream ends; the next one reads for the others.
            this.deps.log.info({ err: e, session: f.sessionId }, 'deliberation subscriber no longer authorized');
            rep.queue.fail(e as AppError);
          } else {
            // A failed read (pool timeout, dropped connection) ends nobody: read again shortly.
            this.deps.log.warn({ err: e, session: f.sessionId, attempt: f.failures }, 'deliberation feed read failed; retrying');
            await sleep(backoff(f.failures++));
          }
          continue;
        }
        backlog = rows.length === PAGE;
        if (backlog) f.pending = true;
        if (rows.length) {
          f.last = rows[rows.length - 1]!.seq;
          f.deliveredAt = Date.now();
          const subs = [...f.subs];
          for (let i = 0; i < subs.length; i += SLICE) {
            // Let other work (requests, reads) run between slices of a large fan-out.
            if (i) await new Promise<void>((r) => setImmediate(r));
            for (const s of subs.slice(i, i + SLICE)) this.deliver(s, rows);
          }
        }
      }
    } finally {
      f.running = false;
    }
  }

  /** In order, each sequence number once; a hole (never expected) makes the subscriber re-read it. */
  private deliver(s: Subscriber, rows: DeliberationEvent[]): void {
    if (s.held) {
      s.held.push(...rows);
      return;
    }
    const { next, hole } = following(s.last, rows);
    this.emit(s, next);
    if (hole) void this.catchUp(s);
  }

  /** Hands consecutive events (the next after `s.last`, in order) to the subscriber; the session's end ends its stream. */
  private emit(s: Subscriber, events: DeliberationEvent[]): void {
    if (!events.length) return;
    s.last = events[events.length - 1]!.seq;
    s.queue.push(events);
    if (events.some((e) => e.kind === EventKind.STATUS_CHANGED && e.status === SessionStatus.ENDED)) s.queue.end();
  }

  /**
   * Reads stored events after `s.last` with the subscriber's own context; live batches wait meanwhile.
   * Only a lost authorization ends the subscriber; any other failure is retried after a short pause.
   */
  private async catchUp(s: Subscriber): Promise<void> {
    if (s.catching) return;
    s.catching = true;
    s.held ??= [];
    for (let attempt = 0; !s.queue.closed && !this.closed; ) {
      try {
        const rows = await withContext(this.deps, s.authorization, (ctx) => readEvents(ctx, s.sessionId, s.last));
        attempt = 0;
        this.emit(s, following(s.last, rows).next);
        if (rows.length < PAGE) break;
      } catch (e) {
        if (lostAuthorization(e)) {
          this.deps.log.info({ err: e, session: s.sessionId }, 'deliberation subscriber no longer authorized');
          s.queue.fail(e as AppError);
          break;
        }
        this.deps.log.warn({ err: e, session: s.sessionId, attempt }, 'deliberation replay failed; retrying');
        await sleep(backoff(attempt++));
      }
    }
    const held: DeliberationEvent[] = s.held ?? [];
    s.held = null;
    s.catching = false;
    this.deliver(s, held);
  }

  async subscribe(sc: SubscriptionContext, sessionGlobalId: string, afterSeq: number): Promise<LiveSource<DeliberationEvent>> {
    const connectionId = randomUUID();
    const setup = await withContext(this.deps, sc.authorization, async (ctx) => {
      // Refused as the same request over HTTP would be: a role that may not read sessions FORBIDDEN, an id
      // that names no session BAD_USER_INPUT, a missing or foreign session NOT_FOUND, alike.
      if (!READERS.includes(ctx.viewer.role)) throw forbidden();
      const session = await ctx.em.findOne(DeliberationSession, { id: expectGlobalId(sessionGlobalId, 'DeliberationSession', 'sessionId') });
      if (!session) throw notFound(text('网络议政会', 'Deliberation session'));
      if (!Number.isInteger(afterSeq) || afterSeq < 0 || afterSeq > session.lastSeq) {
        throw badInput(text(`afterSeq 须在 0 至 ${session.lastSeq} 之间`, `afterSeq must be between 0 and ${session.lastSeq}`), { field: 'afterSeq' });
      }
      await connectPresence(ctx, session, connectionId, this.deps.instanceId);
      return { sessionId: session.id, ended: session.status === SessionStatus.ENDED, lastSeq: session.lastSeq };
    });
    const key = setup.sessionId;
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = { sessionId: setup.sessionId, subs: new Set(), last: null, pending: false, running: false, failures: 0, readAt: 0, deliveredAt: 0 };
      this.feeds.set(key, feed);
    }
    const f = feed;
    const sub: Subscriber = {
      authorization: sc.authorization,
      last: afterSeq,
      held: [],
      catching: false,
      sessionId: setup.sessionId,
      queue: new EventQueue(() => {
        f.subs.delete(sub);
        if (!f.subs.size && this.feeds.get(key) === f) this.feeds.delete(key);
        if (!setup.ended) void this.disconnect(sub.authorization, setup.sessionId, connectionId);
      }),
    };
    f.subs.add(sub);
    // Listening (registered above) before the replay: nothing committed from here on can be missed.
    await this.catchUp(sub);
    if (f.last === null) {
      f.last = sub.last;
      if (f.pending) void this.run(f);
    }
    if (setup.ended && sub.last >= setup.lastSeq) sub.queue.end();
    return sub.queue;
  }

  private async disconnect(authorization: unknown, sessionId: string, connectionId: string): Promise<void> {
    try {
      await withContext(this.deps, authorization, (ctx) => disconnectPresence(ctx, sessionId, connectionId, this.deps.instanceId));
    } catch (e) {
      this.deps.log.debug({ err: e, session: sessionId }, 'presence cleanup failed');
    }
  }
}

const hubs = new WeakMap<Notifier, Hub>();

/** `deliberationEvents`: authorize, record presence, replay after `afterSeq`, then stream live. */
export function subscribeEvents(sc: SubscriptionContext, sessionId: string, afterSeq: number): Promise<LiveSource<DeliberationEvent>> {
  let hub = hubs.get(sc.deps.notifier);
  if (!hub) {
    hub = new Hub(sc.deps);
    hubs.set(sc.deps.notifier, hub);
  }
  return hub.subscribe(sc, sessionId, afterSeq);
}
