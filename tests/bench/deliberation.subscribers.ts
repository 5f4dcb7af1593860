/**
 * One thread of the deliberation benchmark's subscribers (see deliberation.bench.ts): real graphql-ws
 * clients, each on its own socket, checking order, gaps and duplicates, and timing each bench message from
 * the send time written into its text. Subscribers are split over a few threads because in one thread a
 * burst of a thousand frames would wait for each other, which remote clients never do.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

export interface SubscriberSetup {
  urls: string[];
  tokens: string[];
  sessionId: string;
  /** Sequence number to resume after. */
  start: number;
  /** Global indexes of this thread's subscribers (instance = index % 2). */
  indexes: number[];
}

export type ToSubscribers =
  | { type: 'waitFor'; id: number; bench?: number; seq?: number; timeoutMs: number }
  | { type: 'reset' }
  | { type: 'report'; expected: number[] }
  | { type: 'close' };

export type FromSubscribers =
  | { type: 'ready' }
  | { type: 'done'; id: number; ok: boolean; count: number }
  | { type: 'report'; latencies: Float64Array; lost: number; dup: number; ooo: number; errors: number }
  | { type: 'closed' };

/** A growable set of small non-negative integers. */
class Bits {
  private b = new Uint8Array(1024);
  has(n: number): boolean {
    return n >> 3 < this.b.length && (this.b[n >> 3]! & (1 << (n & 7))) !== 0;
  }
  add(n: number): void {
    if (n >> 3 >= this.b.length) {
      const g = new Uint8Array(Math.max(this.b.length * 2, (n >> 3) + 1));
      g.set(this.b);
      this.b = g;
    }
    this.b[n >> 3]! |= 1 << (n & 7);
  }
}

interface Sub {
  last: number;
  seen: Bits;
  got: Bits;
  dup: number;
  ooo: number;
  errors: number;
}

const SUBSCRIPTION = `subscription($id: ID!, $after: Int) { deliberationEvents(sessionId: $id, afterSeq: $after) { seq kind text } }`;
const BENCH_TEXT = /^bench (\d+) @(\d+)/;

async function run(setup: SubscriberSetup, port: NonNullable<typeof parentPort>) {
  const send = (m: FromSubscribers) => port.postMessage(m);
  const clients: Client[] = [];
  const subs: Sub[] = [];
  let latencies: number[] = [];
  for (let i = 0; i < setup.indexes.length; i += 50) {
    await Promise.all(
      setup.indexes.slice(i, i + 50).map(async (idx) => {
        const c = createClient({
          url: setup.urls[idx % 2]!.replace('http', 'ws') + '/graphql',
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          onNonLazyError: () => {},
          connectionParams: { authorization: `Bearer ${setup.tokens[idx % setup.tokens.length]}` },
        });
        clients.push(c);
        const sub: Sub = { last: setup.start, seen: new Bits(), got: new Bits(), dup: 0, ooo: 0, errors: 0 };
        subs.push(sub);
        c.subscribe(
          { query: SUBSCRIPTION, variables: { id: setup.sessionId, after: setup.start } },
          {
            next: (r) => {
              if (r.errors) {
                sub.errors++;
                return;
              }
              const e = (r.data as { deliberationEvents: { seq: number; kind: string; text: string | null } }).deliberationEvents;
              if (sub.seen.has(e.seq)) sub.dup++;
              else if (e.seq !== sub.last + 1) sub.ooo++;
              sub.seen.add(e.seq);
              sub.last = Math.max(sub.last, e.seq);
              const m = e.kind === 'MESSAGE_POSTED' && e.text ? BENCH_TEXT.exec(e.text) : null;
              if (m) {
                sub.got.add(Number(m[1]));
                latencies.push(Date.now() - Number(m[2]));
              }
            },
            error: () => sub.errors++,
            complete: () => {},
          },
        );
      }),
    );
  }
  send({ type: 'ready' });

  port.on('message', async (m: ToSubscribers) => {
    if (m.type === 'waitFor') {
      const ok = (s: Sub) => (m.bench !== undefined ? s.got.has(m.bench) : s.last >= m.seq!);
      const until = Date.now() + m.timeoutMs;
      while (!subs.every(ok) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      send({ type: 'done', id: m.id, ok: subs.every(ok), count: subs.filter(ok).length });
    } else if (m.type === 'reset') {
      latencies = [];
    } else if (m.type === 'report') {
      const lost = subs.reduce((a, s) => a + m.expected.filter((n) => !s.got.has(n)).length, 0);
      send({
        type: 'report',
        latencies: Float64Array.from(latencies),
        lost,
        dup: subs.reduce((a, s) => a + s.dup, 0),
        ooo: subs.reduce((a, s) => a + s.ooo, 0),
        errors: subs.reduce((a, s) => a + s.errors, 0),
      });
    } else if (m.type === 'close') {
      await Promise.all(clients.map((c) => c.dispose()));
      send({ type: 'closed' });
    }
  });
}

if (parentPort && workerData) await run(workerData as SubscriberSetup, parentPort);
