import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';

export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
  /**
   * Writes one protocol message given as UTF-8 parts (`head` + `body` + `tail`) as a single text frame. For
   * fan-out: `body`, the same for every subscriber of an event, is encoded once and copied, not re-encoded.
   */
  sendParts(head: Buffer, body: Buffer, tail: Buffer): void;
}

/**
 * One unmasked, final WebSocket text frame (RFC 6455 §5.2; a server never masks) holding the parts in order.
 */
export function textFrame(head: Buffer, body: Buffer, tail: Buffer): Buffer {
  const length = head.length + body.length + tail.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  head.copy(frame, headerLength);
  body.copy(frame, headerLength + head.length);
  tail.copy(frame, headerLength + head.length + body.length);
  return frame;
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
 * - Frames sent to one socket within one turn of the event loop leave in one write (cork until the turn's
 *   promise jobs are done): when events arrive in bursts, a subscriber gets them in one system call.
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
    // Straight to the TCP socket, after whatever ws has written: ws writes each of its frames whole and at
    // once (no compression is negotiated here, so it never queues), so frames never interleave.
    const sendParts = (head: Buffer, body: Buffer, tail: Buffer): void => {
      if (socket.readyState !== socket.OPEN) return;
      cork();
      raw.write(textFrame(head, body, tail));
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
      { socket, request, sendParts },
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
