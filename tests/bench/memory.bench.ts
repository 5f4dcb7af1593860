/**
 * Server memory under a long mixed load (npm run bench:memory).
 *
 *   npm run bench:memory -- [--duration 600] [--subscribers 200] [--clients 4] [--posts 5] [--sample 10] [--db-dir /dev/shm]
 *
 * On a throwaway embedded database (every committee tree in tenants/ and the demo data), one server process
 * started with the command of `npm start` (with its Node.js heap settings). Against it, for `--duration` seconds:
 * - `--subscribers` live graphql-transport-ws subscriptions to one open deliberation session (the
 *   subscribers of deliberation.subscribers.ts, in one worker thread), which get every message posted;
 * - `--posts` deliberation messages a second (each one delivered to every subscriber);
 * - `--clients` HTTP clients, one request after the other, mixing reads (proposal list, a province's committee
 *   tree three levels deep, province roll-up, `me`) and writes (a member submits a proposal, one in five requests).
 * Every `--sample` seconds it reads the server's resident set size (/proc/<pid>/status VmRSS) and its V8 heap
 * in use (/metrics, nodejs_heap_size_used_bytes) and prints them. At the end: min/max, the mean of the
 * first minute against the last minute, and whether RSS stayed within ±10% of the first minute and under
 * 250 MB. Prints figures; never fails on them.
 *
 * BENCH_SERVER_NODE_ARGS adds Node.js options to the server (e.g. "--heapsnapshot-signal=SIGUSR2
 * --diagnostic-dir=/tmp"; then `kill -USR2 <pid>` writes a heap snapshot there; NODE_MAX_OLD_SPACE_MB
 * changes the heap limit of `npm start`).
 * BENCH_SERVER_LOG=info shows the server's log.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import type { FromSubscribers, SubscriberSetup, ToSubscribers } from './deliberation.subscribers.js';
import { loadConfig } from '../../src/core/config.js';
import { migrate, startDatabase } from '../../src/core/database.js';
import { syncTenants } from '../../src/modules/tenant/tenant-sync.js';
import { ROOT, TENANTS_DIR } from '../../src/core/paths.js';
import { seedDemo } from '../../seeds/demo.js';
import { signToken } from '../../src/core/auth.js';
import { toGlobalId } from '../../src/core/global-id.js';

function flag(name: string, d: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : d;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const DURATION = flag('duration', 600);
const SUBSCRIBERS = Math.floor(flag('subscribers', 200));
const CLIENTS = Math.floor(flag('clients', 4));
const POSTS = flag('posts', 5);
const SAMPLE = flag('sample', 10);
const DB_DIR = process.argv.includes('--db-dir') ? path.resolve(process.argv[process.argv.indexOf('--db-dir') + 1]!) : fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const JWT_SECRET = 'bench-memory-secret-0123456789abcdef0123456789';
const LIMIT_MB = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const READS = {
  proposals: `{ proposals(first: 20) { totalCount edges { node { id title status submittedAt proposer { displayName } } } } }`,
  // One province's tree three levels deep (with every province loaded the whole forest is over the budget).
  tree: `{ tenant(code: "530000") { code name children { code name children { code name } } } }`,
  rollup: `{ rollup(period: "2026") { own { metrics { metric value } } children { tenant { code } subtree { metrics { metric value } } } } }`,
  me: `{ me { user { displayName } tenant { code } } }`,
};
const SUBMIT = `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { id } }`;
const POST = `mutation($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq } }`;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(DB_DIR, 'cppcc-bench-memory-'));
  fs.chmodSync(dataDir, 0o755);
  const pgPort = 20000 + Math.floor(Math.random() * 20000);
  const db = await startDatabase(loadConfig({}, { dataDir, embeddedPgPort: pgPort, jwtSecret: JWT_SECRET }));
  let child: ChildProcess | undefined;
  let worker: Worker | undefined;
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  owner.on('error', () => {});
  try {
    await migrate(db.ownerUrl);
    await syncTenants(db.ownerUrl, TENANTS_DIR);
    await seedDemo(db.ownerUrl);
    await owner.connect();
    const committees = (await owner.query('select count(*)::int n from tenant')).rows[0].n as number;

    const port = pgPort + 1;
    const url = `http://127.0.0.1:${port}`;
    // The command of `npm start` (its Node.js heap settings included), run by a shell that execs it, so the
    // process measured is the server's own; BENCH_SERVER_NODE_ARGS reach it as NODE_OPTIONS.
    const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const nodeOptions = [process.env.NODE_OPTIONS, process.env.BENCH_SERVER_NODE_ARGS].filter(Boolean).join(' ');
    console.log(`server: ${start}${nodeOptions ? ` (NODE_OPTIONS=${nodeOptions})` : ''}`);
    child = spawn('/bin/sh', ['-c', start], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: nodeOptions, DATABASE_URL: db.ownerUrl, JWT_SECRET, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '0', LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'warn', DATA_DIR: dataDir },
      stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
    });
    const server = child;
    const bootT0 = Date.now();
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error('server did not become ready');
      if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode} (BENCH_SERVER_LOG=info shows why)`);
      if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
      await sleep(100);
    }
    console.log(`server pid ${server.pid}: ready in ${((Date.now() - bootT0) / 1000).toFixed(1)} s, ${committees} committees loaded, RSS ${rssMb(server.pid!).toFixed(0)} MB`);

    const users = new Map<string, { id: string; tenant_id: string }>((await owner.query('select id, login, tenant_id from app_user')).rows.map((r) => [r.login, r]));
    const token = (login: string) => signToken(JWT_SECRET, { sub: users.get(login)!.id, tid: users.get(login)!.tenant_id });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 4 });
    const postJson = (tok: string, payload: string, retried = false): Promise<string> =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(`${url}/graphql`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}`, 'content-length': Buffer.byteLength(payload) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed as idle just as the request went out: it never arrived.
          if (!retried && req.reusedSocket && e.code === 'ECONNRESET') resolve(postJson(tok, payload, true));
          else reject(e);
        });
        req.end(payload);
      });
    const gql = async (tok: string, query: string, variables: Record<string, unknown> = {}) => {
      const body = JSON.parse(await postJson(tok, JSON.stringify({ query, variables }))) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const heapMb = async () => {
      const text = await fetch(`${url}/metrics`).then((r) => r.text(), () => '');
      const m = /^nodejs_heap_size_used_bytes (\d+(\.\d+)?)/m.exec(text);
      return m ? Number(m[1]) / 1024 / 1024 : NaN;
    };

    // One open deliberation session of 昆明市政协 with 五华区政协 taking part; every subscriber follows it.
    const wuhua = (await owner.query(`select id from tenant where code = '530102'`)).rows[0].id;
    const host = await token('km.staff');
    const s = await gql(host, `mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`, {
      input: { topicTitle: '依托“委员书屋”推动全民阅读向社区延伸', title: '内存压力测试议政会', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T04:00:00Z', participantIds: [toGlobalId('Tenant', wuhua)] },
    });
    const sessionId = s.scheduleDeliberation.id as string;
    await gql(host, `mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id: sessionId });
    const posterLogins = ['km.staff', 'wh.member', 'km.member'];
    const posterTokens = await Promise.all(posterLogins.map(token));
    for (const [i, login] of posterLogins.entries()) {
      if (login !== 'km.staff') await gql(posterTokens[i]!, `mutation($id: ID!) { joinDeliberation(id: $id) { seq } }`, { id: sessionId });
    }
    const lastSeq = async () => (await gql(host, `query($id: ID!) { deliberationSession(id: $id) { lastSeq } }`, { id: sessionId })).deliberationSession.lastSeq as number;
    const subLogins = ['wh.member', 'km.member', 'm530102.001', 'm530102.002', 'm530102.003', 'km.leader', 'wh.staff'];
    const setup: SubscriberSetup = { urls: [`${url}`, `${url}`], tokens: await Promise.all(subLogins.map(token)), sessionId, start: await lastSeq(), indexes: Array.from({ length: SUBSCRIBERS }, (_, i) => i), client: 'protocol' };
    const entry = new URL('./deliberation.subscribers.ts', import.meta.url).href;
    const w = (worker = new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: setup }));
    const inbox: FromSubscribers[] = [];
    const waiting: ((m: FromSubscribers) => void)[] = [];
    w.on('message', (m: FromSubscribers) => (waiting.length ? waiting.shift()!(m) : inbox.push(m)));
    w.on('error', (e) => console.error('subscriber thread failed:', e));
    const receive = () => new Promise<FromSubscribers>((resolve) => (inbox.length ? resolve(inbox.shift()!) : waiting.push(resolve)));
    await receive();

    // Readers and writers: an office reads its list and the tree, a leader the roll-up, a member submits.
    const tokens = { staff: await token('wh.staff'), leader: await token('km.leader'), member: await token('wh.member') };
    const counts = { reads: 0, writes: 0, posts: 0, errors: 0 };
    const errorSamples: string[] = [];
    const fail = (e: unknown) => {
      counts.errors++;
      if (errorSamples.length < 3) errorSamples.push(String((e as Error).message ?? e).slice(0, 200));
    };
    let running = true;
    const client = async (k: number) => {
      for (let n = k; running; n++) {
        try {
          switch (n % 5) {
            case 0:
              await gql(tokens.member, SUBMIT, { input: { title: `关于社区书屋延时开放的建议（压力测试 ${k}-${n}）`, content: '建议街道社区书屋在周末和晚间延时开放，方便上班族和学生阅读。', kind: 'MEMBER' } });
              counts.writes++;
              break;
            case 1:
              await gql(tokens.staff, READS.proposals);
              counts.reads++;
              break;
            case 2:
              await gql(tokens.staff, READS.tree);
              counts.reads++;
              break;
            case 3:
              await gql(tokens.leader, READS.rollup);
              counts.reads++;
              break;
            default:
              await gql(tokens.staff, READS.me);
              counts.reads++;
          }
        } catch (e) {
          fail(e);
          await sleep(100);
        }
      }
    };
    const poster = async () => {
      const t0 = Date.now();
      for (let n = 1; running; n++) {
        const wait = t0 + (n * 1000) / POSTS - Date.now();
        if (wait > 0) await sleep(wait);
        gql(posterTokens[n % posterTokens.length]!, POST, { input: { sessionId, messageKind: 'SPEECH', text: `memory ${n} 关于书屋向社区延伸的建议` } }).then(
          () => void counts.posts++,
          fail,
        );
      }
    };

    console.log(`load: ${SUBSCRIBERS} subscribers, ${POSTS} deliberation posts/s, ${CLIENTS} HTTP clients (reads and proposal submissions), ${DURATION} s; RSS every ${SAMPLE} s`);
    const samples: { t: number; rss: number; heap: number }[] = [];
    const t0 = Date.now();
    const sample = async () => {
      const t = (Date.now() - t0) / 1000;
      const rss = rssMb(server.pid!);
      const heap = await heapMb();
      samples.push({ t, rss, heap });
      console.log(`  ${t.toFixed(0).padStart(4)} s  RSS ${rss.toFixed(1)} MB  heap ${heap.toFixed(1)} MB  (${counts.reads} reads, ${counts.writes} writes, ${counts.posts} posts, ${counts.errors} errors)`);
    };
    await sample();
    const load = [...Array.from({ length: CLIENTS }, (_, k) => client(k)), poster()];
    // Ctrl-C (or SIGTERM) ends the load early: the summary is printed and everything started is stopped.
    let stopAt = t0 + DURATION * 1000;
    const early = () => void (stopAt = 0);
    process.once('SIGINT', early).once('SIGTERM', early);
    while (Date.now() < stopAt) {
      while (Date.now() < Math.min(stopAt, t0 + samples.length * SAMPLE * 1000)) await sleep(Math.min(250, t0 + samples.length * SAMPLE * 1000 - Date.now()));
      if (Date.now() >= stopAt && stopAt === 0) break;
      await sample();
    }
    running = false;
    await Promise.all(load);
    await sleep(1000);

    w.postMessage({ type: 'waitFor', id: 0, seq: await lastSeq(), timeoutMs: 15_000 } satisfies ToSubscribers);
    const delivered = (await receive()) as Extract<FromSubscribers, { type: 'done' }>;
    w.postMessage({ type: 'report', expected: [] } satisfies ToSubscribers);
    const report = (await receive()) as Extract<FromSubscribers, { type: 'report' }>;

    const rss = samples.map((x) => x.rss);
    const window = Math.min(60, DURATION / 2);
    const firstMinute = mean(samples.filter((x) => x.t <= window).map((x) => x.rss));
    const lastMinute = mean(samples.filter((x) => x.t >= samples[samples.length - 1]!.t - window).map((x) => x.rss));
    const drift = (100 * (lastMinute - firstMinute)) / firstMinute;
    const min = Math.min(...rss);
    const max = Math.max(...rss);
    const flat = Math.abs(drift) <= 10 && max <= firstMinute * 1.1 && min >= firstMinute * 0.9;
    const heaps = samples.map((x) => x.heap);
    console.log(
      [
        `requests:            ${counts.reads} reads, ${counts.writes} proposals submitted, ${counts.posts} deliberation posts, ${counts.errors} errors${errorSamples.length ? ` (${errorSamples.join(' | ')})` : ''}`,
        `subscribers:         ${delivered.count} of ${SUBSCRIBERS} saw the last message; ${report.dup} duplicated, ${report.ooo} out of order, ${report.errors} errors`,
        `RSS MB:              min ${min.toFixed(1)}  max ${max.toFixed(1)}  first ${window} s mean ${firstMinute.toFixed(1)}  last ${window} s mean ${lastMinute.toFixed(1)}  (${drift >= 0 ? '+' : ''}${drift.toFixed(1)}%)`,
        `heap used MB:        min ${Math.min(...heaps).toFixed(1)}  max ${Math.max(...heaps).toFixed(1)}  last ${heaps[heaps.length - 1]!.toFixed(1)}`,
        `within ±10%:         ${flat ? 'yes' : 'no'} (every sample within 10% of the first minute's mean, and the last minute's mean too)`,
        `under ${LIMIT_MB} MB:         ${max < LIMIT_MB ? 'yes' : 'no'}`,
      ].join('\n'),
    );
  } finally {
    if (worker) {
      worker.postMessage({ type: 'close' } satisfies ToSubscribers);
      await sleep(500);
      await worker.terminate();
    }
    await owner.end().catch(() => {});
    if (child && child.exitCode === null) {
      const c = child;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
        setTimeout(() => c.kill('SIGKILL'), 20_000).unref();
      });
    }
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
