import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';

export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /**
   * Writes protocol messages given as UTF-8 parts (`head` + one of `bodies` + `tail`), one text frame each,
   * in one write. For fan-out: each body, the same for every subscriber of an event, is encoded once and
   * copied, not re-encoded.
   */
  sendFrames(head: Buffer, bodies: Buffer[], tail: Buffer): void;
}

const frameHeaderLength = (length: number) => (length < 126 ? 2 : length < 65536 ? 4 : 10);

/** Writes the header of an unmasked, final text frame with this payload length at `at`; returns its length. */
function writeFrameHeader(frame: Buffer, at: number, length: number): number {
  frame[at] = 0x81;
  if (length < 126) frame[at + 1] = length;
  else if (length < 65536) {
    frame[at + 1] = 126;
    frame.writeUInt16BE(length, at + 2);
  } else {
    frame[at + 1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2);
    frame.writeUInt32BE(length >>> 0, at + 6);
  }
  return frameHeaderLength(length);
}

/**
 * Unmasked, final WebSocket text frames (RFC 6455 §5.2; a server never masks), one per body, each holding
 * `head` + body + `tail`, back to back in one buffer.
 */
export function textFrames(head: Buffer, bodies: Buffer[], tail: Buffer): Buffer {
  let total = 0;
  for (const body of bodies) {
    const length = head.length + body.length + tail.length;
    total += frameHeaderLength(length) + length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const body of bodies) {
    at += writeFrameHeader(out, at, head.length + body.length + tail.length);
    at += head.copy(out, at);
    at += body.copy(out, at);
    at += tail.copy(out, at);
  }
  return out;
}

/**
 * How a batch of live frames reaches one socket. `direct`: built back to back in one buffer and written to
 * the TCP socket at once, after whatever ws has written (ws writes each of its frames whole and at once, no
 * compression being negotiated, so frames never interleave). `ws`: each through ws's own send, under one
 * cork. Exported for tests/bench/ws-framing.bench.ts, which measures one against the other.
 */
export function frameWriter(socket: WebSocket, framing: 'direct' | 'ws'): (head: Buffer, bodies: Buffer[], tail: Buffer) => void {
  const raw = (socket as unknown as { _socket: import('node:net').Socket })._socket;
  if (framing === 'direct') return (head, bodies, tail) => void raw.write(textFrames(head, bodies, tail));
  return (head, bodies, tail) => {
    raw.cork();
    for (const body of bodies) socket.send(Buffer.concat([head, body, tail]), { binary: false });
    raw.uncork();
  };
}

export interface WsTransportOptions {
  /** Ping every this many ms; a peer that has not answered by the next ping is dropped. */
  keepAliveMs: number;
  /**
   * Bytes queued for one socket beyond which its peer is too slow to keep up: the socket is closed with 1013
   * (try again later) instead of buffering without end. The client reconnects and resumes from the last
   * sequence number it saw, which the stored events make exact.
   */
  maxBufferedBytes: number;
  /** See Config.wsFraming. */
  framing: 'direct' | 'ws';
  log: Logger;
}

/** Close code for a peer that does not read fast enough (RFC 6455 "Try Again Later"). */
export const SLOW_CONSUMER = 1013;

/**
 * graphql-ws (the graphql-transport-ws protocol, `makeServer`) on a `ws` server. It does what
 * `graphql-ws/use/ws` does, with a send made for fan-out, where one event goes to thousands of sockets:
 *
 * - A frame is handed to the socket without a promise and a write callback per frame; the protocol loop
 *   goes on at once. What a slow peer has not read yet is bounded by `maxBufferedBytes` instead.
 * - Live frames (`sendFrames`) come a batch at a time, built in one buffer and written once. The protocol's
 *   own messages sent to one socket within one turn of the event loop leave in one write too (cork until
 *   the turn's promise jobs are done).
 */
export function serveGraphqlWs<P extends Record<string, unknown>>(options: ServerOptions<P, WsExtra>, wss: WebSocketServer, opts: WsTransportOptions): { dispose(): Promise<void> } {
  const server = makeServer<P, WsExtra>(options);
  wss.options.handleProtocols = handleProtocols;

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const raw = (socket as unknown as { _socket: import('node:net').Socket })._socket;
    let corked = false;
    const uncork = () => {
      corked = false;
      raw.uncork();
    };
    socket.once('error', (err) => {
      opts.log.warn({ err }, 'websocket error');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });

    let alive = true;
    socket.on('pong', () => void (alive = true));
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      if (!alive) return void socket.terminate();
      alive = false;
      socket.ping();
    }, opts.keepAliveMs);
    ping.unref();

    const cork = () => {
      if (corked) return;
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    };
    const checkBacklog = () => {
      if (socket.bufferedAmount > opts.maxBufferedBytes) {
        opts.log.warn({ buffered: socket.bufferedAmount }, 'websocket peer too slow; closing');
        socket.close(SLOW_CONSUMER, 'Too slow: reconnect and resume');
      }
    };
    const send = (data: string): void => {
      if (socket.readyState !== socket.OPEN) return;
      cork();
      socket.send(data);
      checkBacklog();
    };
    const write = frameWriter(socket, opts.framing);
    const sendFrames = (head: Buffer, bodies: Buffer[], tail: Buffer): void => {
      if (socket.readyState !== socket.OPEN || !bodies.length) return;
      write(head, bodies, tail);
      checkBacklog();
    };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((err: unknown) => {
              opts.log.error({ err }, 'websocket message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request, sendFrames },
    );
    socket.once('close', (code, reason) => {
      clearInterval(ping);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners('connection');
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
