import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
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
