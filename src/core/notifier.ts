import pg from 'pg';
import type { Logger } from 'pino';

type Handler = (payload: string) => void;

/**
 * Each instance's notification connection carries its instance id as `application_name`: while the
 * connection is up the instance is alive, and when the process dies PostgreSQL drops the connection. So the
 * live instances are a read of `pg_stat_activity`, which shows every session of the application role to the
 * application role itself; nothing has to be swept for a crashed instance to stop counting.
 */
const LIVE_PREFIX = 'cppcc-live ';
export const liveApplicationName = (instanceId: string) => `${LIVE_PREFIX}${instanceId}`;
/** The ids of the instances whose notification connection is up now (one row each, `instance_id`). */
export const LIVE_INSTANCES_SQL = `select distinct substr(application_name, ${LIVE_PREFIX.length + 1})::uuid as instance_id from pg_stat_activity where application_name like '${LIVE_PREFIX}%'`;

/**
 * Wakes this server instance when another one (or this one) commits something live: PostgreSQL
 * LISTEN/NOTIFY on one dedicated connection per instance. Payloads carry ids only; the stored rows are the
 * truth, so a lost notification delays delivery but loses nothing. After a dropped connection it reconnects
 * with backoff, listens again, and tells every `onReconnect` handler to re-read what it may have missed.
 */
export class Notifier {
  private client: pg.Client | null = null;
  private readonly channels = new Map<string, Handler[]>();
  private readonly reconnectHandlers: (() => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    /** This instance's id, shown as its connection's `application_name` (liveApplicationName). */
    private readonly instanceId?: string,
  ) {}

  /** Resolves once the first connection listens (or failed once; retries go on in the background). */
  start(): Promise<void> {
    return (this.connecting ??= this.connect());
  }

  listen(channel: string, handler: Handler): void {
    const first = !this.channels.has(channel);
    this.channels.set(channel, [...(this.channels.get(channel) ?? []), handler]);
    if (first && this.client) this.client.query(`listen ${pg.escapeIdentifier(channel)}`).catch((e) => this.log.warn({ err: e }, 'listen failed'));
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  /** For tests: drop the connection as a network failure would. */
  dropConnection(): void {
    this.client?.emit('error', new Error('connection dropped'));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const h of this.closeHandlers) h();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: this.instanceId ? liveApplicationName(this.instanceId) : undefined });
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (this.closed) return;
      const delay = Math.min(5000, 100 * 2 ** this.attempt++);
      this.log.warn({ err, delay }, 'notification connection lost; reconnecting');
      this.timer = setTimeout(() => void this.connect(), delay);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (m) => {
      for (const h of this.channels.get(m.channel) ?? []) h(m.payload ?? '');
    });
    try {
      await client.connect();
      for (const ch of this.channels.keys()) await client.query(`listen ${pg.escapeIdentifier(ch)}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      const reconnected = this.attempt > 0;
      this.attempt = 0;
      if (reconnected) for (const h of this.reconnectHandlers) h();
    } catch (e) {
      fail(e);
    }
  }
}
