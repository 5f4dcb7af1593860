import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ROOT } from '../../src/core/paths.js';

/** The real entry point (`npm start`'s command) on a fresh data directory with its own embedded PostgreSQL. */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppcc-proc-'));
fs.chmodSync(dataDir, 0o755);
const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', PG_PORT: String(40000 + Math.floor(Math.random() * 9000)), LOG_LEVEL: 'info' };
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Proc {
  child: ChildProcess;
  url: string;
  lines: string[];
  waitFor(msg: string): Promise<void>;
  exited: Promise<number | null>;
}

async function start(): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => line.includes(`"msg":"${w.msg}"`))) w.resolve();
    }
  });
  child.stderr!.on('data', (d) => lines.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (msg: string) =>
    lines.some((l) => l.includes(`"msg":"${msg}"`)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ msg, resolve }));
  await Promise.race([waitFor('server ready'), exited.then((c) => Promise.reject(new Error(`exited ${c}: ${lines.join('\n')}`)))]);
  const ready = JSON.parse(lines.find((l) => l.includes('"msg":"server ready"'))!);
  return { child, url: ready.url.replace('localhost', '127.0.0.1'), lines, waitFor, exited };
}

async function token(login: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', login], { cwd: ROOT, env });
  return stdout.trim().split('\n').at(-1)!;
}

async function gql(url: string, auth: string, query: string) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify({ query }) });
  return r.json();
}

describe('npm start', () => {
  it('boots on a fresh data dir, stops cleanly on SIGTERM, and keeps its data across restarts', { timeout: 90_000 }, async () => {
    const first = await start();
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    // `npm run token` attaches to the running database instead of starting a second one.
    const staff = await token('pl.staff');
    const added = await gql(first.url, staff, `mutation { addMember(input: { login: "pl.persist", displayName: "常存", sector: "科技界", term: "第十届" }) { sector } }`);
    expect(added).toEqual({ data: { addMember: { sector: '科技界' } } });

    // A subscription socket and a request whose body is still arriving when SIGTERM comes.
    const ws = createClient({ url: first.url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {}, connectionParams: { authorization: `Bearer ${staff}` } });
    const wsClosed = new Promise<number>((resolve) => ws.on('closed', (e) => resolve((e as { code: number }).code)));
    await new Promise<void>((resolve) => ws.on('connected', () => resolve()));
    const body = JSON.stringify({ query: '{ me { tenant { code } } }' });
    const inflight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(first.url);
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${staff}` } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      first.waitFor('shutting down').then(() => req.end(body.slice(10)));
    });
    await new Promise((r) => setTimeout(r, 100));
    first.child.kill('SIGTERM');
    expect(await inflight).toEqual({ status: 200, body: JSON.stringify({ data: { me: { tenant: { code: '530103' } } } }) + '\n' });
    expect(await wsClosed).toBe(1001);
    expect(await first.exited).toBe(0);
    expect(first.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = await start();
    const log = second.lines.map((l) => JSON.parse(l));
    expect(log.find((l) => l.msg === 'demo data').demo).toEqual({ users: 0, seats: 0 });
    expect(log.find((l) => l.msg === 'committee tree loaded').tenants.every((t: { inserted: number; updated: number }) => t.inserted === 0 && t.updated === 0)).toBe(true);
    const list = await gql(second.url, await token('pl.staff'), `{ members(filter: { sector: "科技界" }) { edges { node { user { login } } } } }`);
    expect(list).toEqual({ data: { members: { edges: [{ node: { user: { login: 'pl.persist' } } }] } } });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

/** A free TCP port below the ephemeral range (32768–60999), so no client's own source port can be it. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer().once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Processes whose command line names this cluster directory (the postmaster and its children). */
function postgresOf(clusterDir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(clusterDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The README's command, `npm start`, as the leader of its own process group (as a shell or a supervisor starts it). */
async function npmStart(env: NodeJS.ProcessEnv) {
  const child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: Record<string, any>[] = [];
  const other: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        log.push(JSON.parse(line));
      } catch {
        other.push(line);
      }
    }
  });
  child.stderr!.on('data', (d) => other.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (;;) {
    if (log.some((l) => l.msg === 'server ready')) break;
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${other.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, log, other, exited, pgid: child.pid! };
}

/** A keep-alive HTTP client sending one request after another until it cannot connect any more. */
function keepAliveClient(url: string, token: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const statuses: number[] = [];
  const failures: string[] = [];
  let afterSignal = 0;
  let signalled = false;
  const body = JSON.stringify({ query: '{ me { role tenant { code } } }' });
  const u = new URL(url);
  const once = () =>
    new Promise<void>((resolve) => {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses.push(res.statusCode!);
          if (signalled) afterSignal++;
          resolve();
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        failures.push(e.code ?? e.message);
        resolve();
      });
      req.end(body);
    });
  const done = (async () => {
    // Bounded: it stops at the first refused connection after the signal, or after 20,000 requests.
    for (let i = 0; i < 20_000; i++) {
      await once();
      if (signalled && failures.includes('ECONNREFUSED')) break;
    }
    agent.destroy();
  })();
  return { statuses, failures, done, signal: () => void (signalled = true), answeredAfterSignal: () => afterSignal };
}

describe('npm start under load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppcc-sig-'));
  fs.chmodSync(dir, 0o755);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to its process group: keep-alive clients answered (never 500) and told to close, WebSockets closed with 1001, PostgreSQL stopped, exit 0`, { timeout: 120_000 }, async () => {
      const port = await freePort();
      const env = { ...process.env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
      const proc = await npmStart(env);
      const url = `http://127.0.0.1:${port}/graphql`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', 'wh.staff'], { cwd: ROOT, env });
      const staff = stdout.trim().split('\n').at(-1)!;
      const ws = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {}, connectionParams: { authorization: `Bearer ${staff}` } });
      const wsClosed = new Promise<number>((resolve) => ws.on('closed', (e) => resolve((e as { code: number }).code)));
      await new Promise<void>((resolve) => ws.on('connected', () => resolve()));
      const clients = Array.from({ length: 4 }, () => keepAliveClient(url, staff));
      while (clients.some((c) => c.statuses.length < 20)) await new Promise((r) => setTimeout(r, 20));

      const signalledAt = Date.now();
      for (const c of clients) c.signal();
      process.kill(-proc.pgid, signal);
      const code = await proc.exited;
      const ms = Date.now() - signalledAt;
      await Promise.all(clients.map((c) => c.done));
      console.log(`${signal}: npm exited ${code} after ${ms} ms; ${clients.reduce((n, c) => n + c.statuses.length, 0)} answers, ${clients.reduce((n, c) => n + c.answeredAfterSignal(), 0)} after the signal; connection errors ${JSON.stringify(clients.flatMap((c) => c.failures))}`);

      expect(code).toBe(0);
      expect([...new Set(clients.flatMap((c) => c.statuses))]).toEqual([200]);
      // Each was told to close with an answer, so what it met next was a closed door (a refused connection), never a reset request.
      expect(clients.map((c) => c.failures)).toEqual(clients.map(() => ['ECONNREFUSED']));
      expect(await wsClosed).toBe(1001);
      expect(proc.log.map((l) => l.msg).filter((m) => ['shutting down', 'shutdown grace over; cutting the connections still open', 'stopped', 'shutdown timed out'].includes(m))).toEqual(['shutting down', 'stopped']);
      expect(proc.log.some((l) => l.msg === 'graphql' && l.status >= 500)).toBe(false);
      expect(postgresOf(path.join(dir, 'pg'))).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
      expect(groupAlive(proc.pgid)).toBe(false);
    });
  }
});
