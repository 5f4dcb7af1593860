import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * Live frames are written as ready-made bytes (ws-transport), so the server must never agree to
 * permessage-deflate: a compressed session would mark every frame it did not compress as invalid. A client
 * that asks for compression (ws's own client does by default) gets plain frames that parse, whole and in order.
 */
for (const wsFraming of ['direct', 'ws'] as const) {
  describe(`a client asking for compression gets correct live frames (framing: ${wsFraming})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ wsFraming });
    });
    afterAll(() => app.stop());

    it('negotiates no extension and replays the ended demo session frame by frame', async () => {
      const sessions = await app.as('wh.member')(`{ deliberationSessions(first: 10, filter: { status: ENDED }) { edges { node { id lastSeq } } } }`);
      const session = sessions.body.data.deliberationSessions.edges[0].node as { id: string; lastSeq: number };
      expect(session.lastSeq).toBeGreaterThan(5);

      const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws', { perMessageDeflate: { threshold: 0 } });
      const messages: { type: string; id?: string; payload?: any }[] = [];
      const done = new Promise<void>((resolve, reject) => {
        socket.on('error', reject);
        socket.on('close', (code) => reject(new Error(`closed with ${code}`)));
        socket.on('message', (data, isBinary) => {
          expect(isBinary).toBe(false);
          const m = JSON.parse(String(data));
          messages.push(m);
          if (m.type === 'connection_ack') {
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription($id: ID!) { deliberationEvents(sessionId: $id, afterSeq: 0) { seq kind } }`, variables: { id: session.id } } }));
          }
          if (m.type === 'next' && m.payload.data?.deliberationEvents.seq === session.lastSeq) resolve();
          if (m.type === 'error' || m.type === 'complete') resolve();
        });
      });
      await new Promise<void>((resolve) => socket.once('open', () => resolve()));
      expect(socket.extensions).toBe('');
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await app.token('wh.member')}` } }));
      await done;
      socket.removeAllListeners('close');
      socket.close();

      const seqs = messages.filter((m) => m.type === 'next').map((m) => m.payload.data.deliberationEvents.seq);
      expect(seqs).toEqual(Array.from({ length: session.lastSeq }, (_, i) => i + 1));
      expect(messages.filter((m) => m.type === 'next').every((m) => m.id === '1' && !m.payload.errors)).toBe(true);
    });
  });
}
