/**
 * Does writing live frames ourselves pay? The two ways ws-transport can hand a batch of deliberation frames to
 * one socket (frameWriter): `direct`, the batch built in one buffer and written to the TCP socket once, and
 * `ws`, each frame through ws's own `send` under one cork. The server side of a fan-out runs both against the
 * same sockets, round by round in turn, and the bench reports the server process's CPU time per frame for each
 * (process.cpuUsage around the synchronous fan-out, so other load on the machine moves both alike). The
 * clients run in a child process and count what they receive, so a method that loses or breaks frames shows.
 *
 *   npm run bench:ws-framing -- [--sockets 1000] [--rounds 400] [--batch 2]
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { frameWriter } from '../../src/core/ws-transport.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};

if (process.argv.includes('--clients')) {
  // Child: N sockets, each counting whole text messages; reports the total on request.
  const url = process.argv[process.argv.indexOf('--url') + 1]!;
  const n = arg('sockets', 1000);
  let received = 0;
  let bad = 0;
  let open = 0;
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => ++open === n && process.send!({ open }));
    ws.on('message', (data, isBinary) => {
      if (isBinary || (data as Buffer)[0] !== 0x7b) bad++;
      received++;
    });
  }
  process.on('message', () => process.send!({ received, bad }));
} else {
  const sockets = arg('sockets', 1000);
  const rounds = arg('rounds', 400);
  const batch = arg('batch', 2);
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const conns: WebSocket[] = [];
  wss.on('connection', (s) => conns.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--clients', '--url', `ws://127.0.0.1:${port}`, '--sockets', String(sockets)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const fromChild = () => new Promise<any>((r) => child.once('message', r));
  await fromChild();

  // A deliberation event as a subscriber receives it (shared payload, own subscription id).
  const head = Buffer.from('{"id":"4f6c1c1e-2f8a-4a4e-9a57-0c6d1b2a3f40","type":"next","payload":');
  const tail = Buffer.from('}');
  const body = (seq: number) =>
    Buffer.from(JSON.stringify({ data: { deliberationEvents: { seq, kind: 'MESSAGE_POSTED', messageKind: 'SPEECH', text: `建议加快推进城市更新和老旧小区改造，完善社区养老托育设施（第${seq}条）`, hidden: false, hiddenReason: null, actorName: '周明远', status: null, refSeq: null, targetName: null, reason: null } } }));

  const methods = ['direct', 'ws'] as const;
  const writers = new Map(methods.map((m) => [m, conns.map((s) => frameWriter(s, m))]));
  const cpuUs = { direct: 0, ws: 0 };
  const wallMs = { direct: 0, ws: 0 };
  for (let round = 0; round < rounds; round++) {
    const method = methods[round % 2]!;
    const bodies = Array.from({ length: batch }, (_, i) => body(round * batch + i));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const write of writers.get(method)!) write(head, bodies, tail);
    wallMs[method] += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuUs[method] += c.user + c.system;
    // Let the sockets drain before the next round, as the live feed's batching does.
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 1000));
  child.send('count');
  const { received, bad } = await fromChild();
  const framesEach = (rounds / 2) * batch * sockets;
  console.log(`sockets ${sockets}, rounds ${rounds} (alternating), ${batch} frames per batch, ${head.length + body(1).length + tail.length} bytes per frame`);
  for (const m of methods) {
    console.log(`${m.padEnd(6)}  server CPU ${((cpuUs[m] * 1000) / framesEach).toFixed(0)} ns per frame, ${(cpuUs[m] / (rounds / 2) / 1000).toFixed(2)} ms per fan-out round, wall ${(wallMs[m] / (rounds / 2)).toFixed(2)} ms per round`);
  }
  console.log(`received ${received} of ${framesEach * 2} frames, ${bad} malformed`);
  child.kill();
  for (const s of conns) s.terminate();
  server.close();
}
