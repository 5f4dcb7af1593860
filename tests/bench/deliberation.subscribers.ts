/**
 * One thread of the deliberation benchmark's subscribers (see deliberation.bench.ts), each on its own socket,
 * checking order, gaps and duplicates and timing each bench message from the send time written into its text.
 * Subscribers are split over a few threads because in one thread a burst of a thousand frames would wait for
 * each other, which remote clients never do.
 *
 * Two clients speak the same graphql-transport-ws protocol over real sockets:
 * - `protocol` (default): the protocol's four messages written and read directly, on a minimal WebSocket
 *   client over a plain TCP socket (rawSocket). It is the load generator: on this machine the subscribers
 *   share two cores with both servers and PostgreSQL, and this client needs a fraction of the CPU per frame
 *   of the library client, so less of the measured latency is the load generator's own queue.
 * - `graphql-ws`: the library's client (`createClient`), as the integration tests use it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';

export interface SubscriberSetup {
  urls: string[];
  tokens: string[];
  sessionId: string;
  /** Sequence number to resume after. */
  start: number;
  /** Global indexes of this thread's subscribers (instance = index % 2). */
  indexes: number[];
  client: 'protocol' | 'graphql-ws';
}

export type ToSubscribers =
  | { type: 'waitFor'; id: number; bench?: number; seq?: number; timeoutMs: number }
  | { type: 'reset' }
  | { type: 'report'; expected: number[] }
  | { type: 'close' };

export type FromSubscribers =
  | { type: 'ready' }
  | { type: 'done'; id: number; ok: boolean; count: number }
  | { type: 'report'; histogram: Uint32Array; worstBySecond: [number, number][]; lost: number; dup: number; ooo: number; errors: number }
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

/** A bench message's number and send time (ms), from its text. */
interface Bench {
  n: number;
  sentAt: number;
}

interface Sink {
  /** One event: its sequence number, and for a bench message its number and send time. */
  next(seq: number, bench: Bench | null): void;
  error(): void;
}

type Event = { seq: number; kind: string; text: string | null };
const benchOf = (e: Event): Bench | null => {
  const m = e.kind === 'MESSAGE_POSTED' && e.text ? BENCH_TEXT.exec(e.text) : null;
  return m ? { n: Number(m[1]), sentAt: Number(m[2]) } : null;
};
const deliver = (sink: Sink, e: Event) => sink.next(e.seq, benchOf(e));

/** One subscription with the graphql-ws library client. Resolves once subscribed. */
async function libraryClient(url: string, token: string, query: string, variables: Record<string, unknown>, sink: Sink): Promise<() => Promise<void>> {
  const c = createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {}, connectionParams: { authorization: `Bearer ${token}` } });
  c.subscribe(
    { query, variables },
    {
      next: (r) => (r.errors ? sink.error() : deliver(sink, (r.data as { deliberationEvents: Event }).deliberationEvents)),
      error: () => sink.error(),
      complete: () => {},
    },
  );
  return async () => {
    await c.dispose();
  };
}

const NEXT = Buffer.from('{"id":"1","type":"next","payload":{"data":{"deliberationEvents":{"seq":');
const KIND = Buffer.from(',"kind":"');
const TEXT = Buffer.from(',"text":"bench ');
const MESSAGE_POSTED = Buffer.from('MESSAGE_POSTED');

/** Digits at `at` as a number, and where they end; -1 when there are none. */
function digits(b: Buffer, at: number): [number, number] {
  let n = 0;
  let i = at;
  for (; i < b.length && b[i]! >= 48 && b[i]! <= 57; i++) n = n * 10 + b[i]! - 48;
  return i === at ? [-1, i] : [n, i];
}

/** Whether `b` holds the bytes of `lit` at `at` (a plain loop: Buffer.compare with offsets costs a native call). */
function bytesAt(b: Buffer, at: number, lit: Buffer): boolean {
  if (at + lit.length > b.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[at + i] !== lit[i]) return false;
  return true;
}

/**
 * The bench's own `next` frames read straight from the bytes: the sequence number, and for bench messages
 * their number and send time, which is all a subscriber checks. Any other frame (or any other shape) returns
 * null and is parsed as JSON. This keeps the load generator's CPU, which shares the machine with the
 * servers, from being counted as delivery latency.
 */
function readNext(b: Buffer): { seq: number; bench: Bench } | null {
  if (b.length < NEXT.length + 40 || !bytesAt(b, 0, NEXT)) return null;
  const [seq, afterSeq] = digits(b, NEXT.length);
  if (seq < 0 || !bytesAt(b, afterSeq, KIND)) return null;
  const kindAt = afterSeq + KIND.length;
  if (!bytesAt(b, kindAt, MESSAGE_POSTED) || b[kindAt + MESSAGE_POSTED.length] !== 34) return null;
  const textAt = kindAt + MESSAGE_POSTED.length + 1;
  if (!bytesAt(b, textAt, TEXT)) return null;
  const [n, afterN] = digits(b, textAt + TEXT.length);
  if (n < 0 || b[afterN] !== 32 || b[afterN + 1] !== 64) return null;
  const [sentAt] = digits(b, afterN + 2);
  if (sentAt < 0) return null;
  return { seq, bench: { n, sentAt } };
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A masked client frame (RFC 6455 §5.3: a client masks every frame). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const f = Buffer.allocUnsafe(2 + ext + 4 + len);
  f[0] = 0x80 | opcode;
  if (ext === 0) f[1] = 0x80 | len;
  else if (ext === 2) {
    f[1] = 0x80 | 126;
    f.writeUInt16BE(len, 2);
  } else {
    f[1] = 0x80 | 127;
    f.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(f, 2 + ext);
  for (let i = 0; i < len; i++) f[2 + ext + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return f;
}

/**
 * A minimal WebSocket client on a plain TCP socket (RFC 6455: the upgrade with its accept check, unmasked
 * server frames with fragments, masked client frames, ping → pong, close). The `ws` library's stream
 * machinery per frame is most of a subscriber's CPU, and here the subscribers share two cores with what
 * they measure. Anything it does not expect (bad accept, masked or reserved-bit server frame, unknown
 * opcode) fails the connection, which the bench counts as an error.
 */
function rawSocket(url: string, protocol: string, on: { open(): void; text(b: Buffer): void; close(): void }): { send(text: string): void; close(): void } {
  const u = new URL(url);
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
  const sock = net.connect(Number(u.port), u.hostname);
  sock.setNoDelay(true);
  let open = false;
  let ended = false;
  let rest: Buffer | null = null;
  let fragments: Buffer[] | null = null;
  const fail = () => {
    if (!ended) sock.destroy();
  };
  sock.on('connect', () =>
    sock.write(
      `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    ),
  );
  const frames = (b: Buffer) => {
    let at = 0;
    while (b.length - at >= 2) {
      const b0 = b[at]!;
      const b1 = b[at + 1]!;
      if (b0 & 0x70 || b1 & 0x80) return fail();
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (b.length - at < 4) break;
        len = b.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        if (b.length - at < 10) break;
        len = Number(b.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (b.length - at < head + len) break;
      const payload = b.subarray(at + head, at + head + len);
      at += head + len;
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === 0x1 || opcode === 0x0) {
        if (opcode === 0x1 && fragments) return fail();
        if (opcode === 0x0 && !fragments) return fail();
        if (!fin) (fragments ??= []).push(Buffer.from(payload));
        else if (fragments) {
          fragments.push(payload);
          const whole = Buffer.concat(fragments);
          fragments = null;
          on.text(whole);
        } else on.text(payload);
      } else if (opcode === 0x9) sock.write(clientFrame(0xa, payload));
      else if (opcode === 0x8) {
        ended = true;
        sock.end(clientFrame(0x8, payload.subarray(0, 2)));
      } else if (opcode !== 0xa) return fail();
    }
    rest = at < b.length ? Buffer.from(b.subarray(at)) : null;
  };
  sock.on('data', (chunk: Buffer) => {
    const b = rest ? Buffer.concat([rest, chunk]) : chunk;
    rest = null;
    if (open) return frames(b);
    const end = b.indexOf('\r\n\r\n');
    if (end < 0) return void (rest = b);
    const head = b.subarray(0, end).toString('latin1').split('\r\n');
    const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    if (!/^HTTP\/1\.1 101 /.test(head[0]!) || headers.get('sec-websocket-accept') !== accept || headers.get('sec-websocket-protocol') !== protocol) return fail();
    open = true;
    on.open();
    frames(b.subarray(end + 4));
  });
  sock.on('close', () => on.close());
  sock.on('error', () => {});
  return {
    send: (text) => void sock.write(clientFrame(0x1, Buffer.from(text, 'utf8'))),
    close: () => {
      if (ended) return;
      ended = true;
      const code = Buffer.alloc(2);
      code.writeUInt16BE(1000);
      sock.end(clientFrame(0x8, code));
    },
  };
}

/**
 * One subscription speaking graphql-transport-ws directly on rawSocket: connection_init → connection_ack,
 * subscribe, then each `next` message's payload; `error` or an unexpected close counts as an error. Resolves
 * once acknowledged.
 */
function protocolClient(url: string, token: string, query: string, variables: Record<string, unknown>, sink: Sink): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    let acked = false;
    let closing = false;
    const ws = rawSocket(url, 'graphql-transport-ws', {
      open: () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
      text: (data) => {
        const fast = readNext(data);
        if (fast) return sink.next(fast.seq, fast.bench);
        const m = JSON.parse(data.toString('utf8')) as { type: string; id?: string; payload?: { data?: { deliberationEvents: Event }; errors?: unknown[] } };
        if (m.type === 'next' && m.id === '1') {
          if (m.payload?.errors || !m.payload?.data) sink.error();
          else deliver(sink, m.payload.data.deliberationEvents);
        } else if (m.type === 'connection_ack') {
          acked = true;
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
          resolve(async () => {
            closing = true;
            ws.close();
          });
        } else if (m.type === 'ping') {
          ws.send(JSON.stringify({ type: 'pong' }));
        } else if (m.type === 'error') {
          sink.error();
        }
      },
      close: () => {
        if (!closing) sink.error();
        if (!acked) reject(new Error('closed before connection_ack'));
      },
    });
  });
}

/** Delivery latencies as counts per whole millisecond; the last bin holds everything slower. */
export const HISTOGRAM_BINS = 120_001;

async function run(setup: SubscriberSetup, port: NonNullable<typeof parentPort>) {
  const send = (m: FromSubscribers) => port.postMessage(m);
  const closers: (() => Promise<void>)[] = [];
  const subs: Sub[] = [];
  let histogram = new Uint32Array(HISTOGRAM_BINS);
  /** The slowest delivery of the messages sent in each second (by send time). */
  let worst = new Map<number, number>();
  const connect = setup.client === 'graphql-ws' ? libraryClient : protocolClient;
  for (let i = 0; i < setup.indexes.length; i += 50) {
    await Promise.all(
      setup.indexes.slice(i, i + 50).map(async (idx) => {
        const sub: Sub = { last: setup.start, seen: new Bits(), got: new Bits(), dup: 0, ooo: 0, errors: 0 };
        subs.push(sub);
        const sink: Sink = {
          next: (seq, bench) => {
            if (sub.seen.has(seq)) sub.dup++;
            else if (seq !== sub.last + 1) sub.ooo++;
            sub.seen.add(seq);
            sub.last = Math.max(sub.last, seq);
            if (bench) {
              sub.got.add(bench.n);
              const ms = Math.min(HISTOGRAM_BINS - 1, Math.max(0, Date.now() - bench.sentAt));
              histogram[ms]!++;
              const second = Math.floor(bench.sentAt / 1000);
              if (ms > (worst.get(second) ?? -1)) worst.set(second, ms);
            }
          },
          error: () => void sub.errors++,
        };
        const url = setup.urls[idx % 2]!.replace('http', 'ws') + '/graphql';
        closers.push(await connect(url, setup.tokens[idx % setup.tokens.length]!, SUBSCRIPTION, { id: setup.sessionId, after: setup.start }, sink));
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
      histogram = new Uint32Array(HISTOGRAM_BINS);
      worst = new Map();
    } else if (m.type === 'report') {
      const lost = subs.reduce((a, s) => a + m.expected.filter((n) => !s.got.has(n)).length, 0);
      send({
        type: 'report',
        histogram,
        worstBySecond: [...worst],
        lost,
        dup: subs.reduce((a, s) => a + s.dup, 0),
        ooo: subs.reduce((a, s) => a + s.ooo, 0),
        errors: subs.reduce((a, s) => a + s.errors, 0),
      });
    } else if (m.type === 'close') {
      await Promise.all(closers.map((close) => close()));
      send({ type: 'closed' });
    }
  });
}

if (parentPort && workerData) await run(workerData as SubscriberSetup, parentPort);
