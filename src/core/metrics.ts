import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How many distinct operation names get their own series; the rest share one (clients choose names freely). */
const MAX_OPERATION_NAMES = 200;
const OTHER = '(other)';
const ANONYMOUS = '(anonymous)';

/** What the gauges read when Prometheus scrapes. */
export interface MetricSources {
  /** The database pool of requests: connections in use, idle, and callers waiting for one. */
  pool(): { used: number; free: number; pendingAcquires: number; pendingCreates: number; max: number } | null;
  webSockets(): number;
  /** Subscriptions streaming now (over all sockets of this instance). */
  liveSubscriptions(): number;
}

/**
 * The instance's Prometheus metrics (GET /metrics), in a registry of its own: tests run several servers in
 * one process. Durations are in seconds, as Prometheus names them.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly operations: Histogram<'transport' | 'type' | 'operation' | 'code'>;
  private readonly httpResponses: Counter<'route' | 'status'>;
  private readonly wsConnects: Counter<'outcome'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.operations = new Histogram({
      name: 'cppcc_graphql_operation_duration_seconds',
      help: 'GraphQL operations by transport (http, ws), type, operation name and outcome (OK or the first error code), with their durations',
      labelNames: ['transport', 'type', 'operation', 'code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.httpResponses = new Counter({ name: 'cppcc_http_responses_total', help: 'HTTP responses by route and status', labelNames: ['route', 'status'], registers });
    this.wsConnects = new Counter({ name: 'cppcc_websocket_connects_total', help: 'WebSocket connection attempts by outcome (accepted, refused, unavailable)', labelNames: ['outcome'], registers });
    new Gauge({
      name: 'cppcc_websocket_connections',
      help: 'WebSocket connections open now',
      registers,
      collect() {
        this.set(sources.webSockets());
      },
    });
    new Gauge({
      name: 'cppcc_live_subscriptions',
      help: 'Subscriptions streaming now (live subscribers)',
      registers,
      collect() {
        this.set(sources.liveSubscriptions());
      },
    });
    new Gauge({
      name: 'cppcc_db_pool_connections',
      help: 'Connections of the request pool by state (used, free), callers waiting for one (pending_acquire), connections being opened (pending_create), and the pool size (max)',
      labelNames: ['state'],
      registers,
      collect() {
        const p = sources.pool();
        if (!p) return;
        this.set({ state: 'used' }, p.used);
        this.set({ state: 'free' }, p.free);
        this.set({ state: 'pending_acquire' }, p.pendingAcquires);
        this.set({ state: 'pending_create' }, p.pendingCreates);
        this.set({ state: 'max' }, p.max);
      },
    });
  }

  /** One GraphQL operation; `code` is `OK` or the first error's code. */
  operation(transport: 'http' | 'ws', type: string | null, name: string | null, code: string, seconds: number): void {
    this.operations.observe({ transport, type: type ?? '(unknown)', operation: this.boundedName(name), code }, seconds);
  }

  httpResponse(route: string, status: number): void {
    this.httpResponses.inc({ route, status: String(status) });
  }

  wsConnect(outcome: 'accepted' | 'refused' | 'unavailable'): void {
    this.wsConnects.inc({ outcome });
  }

  private boundedName(name: string | null): string {
    if (!name) return ANONYMOUS;
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return OTHER;
    this.operationNames.add(name);
    return name;
  }
}
