import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { textFrames } from '../../src/core/ws-transport.js';

// ws's own framing, which its type declarations do not describe.
const { Sender, Receiver } = ws as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & { on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void; write(chunk: Buffer, cb: (e?: Error | null) => void): boolean };
};

/** Every frame length class of RFC 6455: 7-bit, 16-bit and 64-bit payload lengths. */
const texts = ['{"a":1}', `{"text":"${'委员书屋'.repeat(30)}"}`, `{"text":"${'x'.repeat(125 - 11)}"}`, `{"text":"${'社区'.repeat(20_000)}"}`];

describe('textFrames', () => {
  it.each(texts.map((t) => [Buffer.byteLength(t), t]))('builds the same bytes as ws for a %i-byte message', (_n, text) => {
    const head = Buffer.from(text.slice(0, 3));
    const body = Buffer.from(text.slice(3, -1));
    const tail = Buffer.from(text.slice(-1));
    const fromWs = Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));
    expect(textFrames(head, [body], tail).equals(fromWs)).toBe(true);
  });

  it('puts several messages back to back, each framed as on its own, read back whole and in order by a WebSocket receiver', async () => {
    const [head, tail] = [Buffer.from('{"id":"1","payload":'), Buffer.from('}')];
    const bodies = texts.map((t) => Buffer.from(JSON.stringify({ t })));
    const batch = textFrames(head, bodies, tail);
    expect(batch.equals(Buffer.concat(bodies.map((b) => textFrames(head, [b], tail))))).toBe(true);
    expect(textFrames(head, [], tail).length).toBe(0);
    const received: string[] = [];
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => received.push(`${isBinary}:${data.toString()}`));
    await new Promise<void>((resolve, reject) => receiver.write(batch, (e) => (e ? reject(e) : resolve())));
    expect(received).toEqual(texts.map((t) => `false:{"id":"1","payload":${JSON.stringify({ t })}}`));
  });
});
