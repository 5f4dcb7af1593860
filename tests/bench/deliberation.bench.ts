/**
 * Live deliberation benchmark: two server processes on one embedded PostgreSQL, N graphql-transport-ws
 * subscribers split across them (deliberation.subscribers.ts has the two clients), posters at a steady rate
 * through both. Prints delivery latency, throughput, lost / duplicated / out-of-order counts and server
 * memory. Never fails on timing; stops by itself.
 *
 *   npm run bench:deliberation -- [--subscribers 1000] [--rate 50] [--duration 60] [--posters 4] [--warmup 15] [--threads 2] [--client protocol|graphql-ws] [--db-dir /dev/shm]
 *
 * Before measuring, the servers take `--warmup` seconds of the same traffic (not counted): a fresh Node.js
 * process runs this code in its interpreter at first and compiles the hot paths over the first thousand or
 * so requests, which would otherwise be measured as latency.
 *
 * The throwaway database goes under `--db-dir` (default /dev/shm, a tmpfs, where there is one; else the
 * system's temporary directory). Before starting, the bench times 8 KiB write + fdatasync on that directory
 * for a few seconds and prints it: the answer to every post and every delivery wait for a WAL flush (see
 * migration 0007), so a disk whose flushes stall for hundreds of milliseconds (this machine's virtual disk
 * does, now and then) shows up as the latency tail of everything posted meanwhile.
 * `--db-dir /tmp` measures on the disk.
 *
 * BENCH_SERVER_LOG=info shows the servers' logs; BENCH_SERVER_PROF=<dir> writes a CPU profile of each
 * server process there (node --cpu-prof) when it stops; BENCH_SERVER_NODE_ARGS adds Node.js options to both
 * servers (e.g. "--trace-gc").
 */
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { Worker } from 'node:worker_threads';
import { HISTOGRAM_BINS, type FromSubscribers, type SubscriberSetup, type ToSubscribers } from './deliberation.subscribers.js';
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
const N = Math.floor(flag('subscribers', 1000));
const RATE = flag('rate', 50);
const DURATION = flag('duration', 60);
const POSTERS = Math.min(6, Math.floor(flag('posters', 4)));
const THREADS = Math.min(8, Math.floor(flag('threads', 2)));
const CLIENT = (process.argv.includes('--client') ? process.argv[process.argv.indexOf('--client') + 1] : 'protocol') as SubscriberSetup['client'];
if (CLIENT !== 'protocol' && CLIENT !== 'graphql-ws') throw new Error('--client is protocol or graphql-ws');
const DB_DIR = process.argv.includes('--db-dir') ? path.resolve(process.argv[process.argv.indexOf('--db-dir') + 1]!) : defaultDbDir();
const WARMUP = process.argv.includes('--warmup') ? Math.max(0, Number(process.argv[process.argv.indexOf('--warmup') + 1])) : 15;
const JWT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};
/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** CPU seconds the whole machine has been busy (all cores, /proc/stat). */
const machineBusySeconds = () => {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3]! - f[4]!) / 100;
};
/** /dev/shm when it is a writable tmpfs directory, else the system's temporary directory. */
function defaultDbDir(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    if (fsType('/dev/shm') === 'tmpfs') return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return os.tmpdir();
}

/** The file system type of the mount holding `dir` (the longest mount point that contains it), from /proc/mounts. */
function fsType(dir: string): string {
  try {
    const real = fs.realpathSync(dir);
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f.length > 2);
    const holding = mounts.filter(([, at]) => real === at || real.startsWith(at === '/' ? '/' : `${at}/`)).sort((a, b) => b[1]!.length - a[1]!.length)[0];
    return holding?.[2] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** 8 KiB write + fdatasync in `dir` every 5 ms for `seconds`: p50, p99 and max in ms (what a WAL flush waits for). */
function fsyncProbe(dir: string, seconds: number): { n: number; p50: number; p99: number; max: number; over50: number } {
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(8192, 120);
  const ms: number[] = [];
  try {
    for (let i = 0, until = Date.now() + seconds * 1000; Date.now() < until; i++) {
      fs.writeSync(fd, block, 0, block.length, (i % 1000) * block.length);
      const t = process.hrtime.bigint();
      fs.fdatasyncSync(fd);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  ms.sort((a, b) => a - b);
  return { n: ms.length, p50: pct(ms, 50), p99: pct(ms, 99), max: ms[ms.length - 1] ?? NaN, over50: ms.filter((x) => x > 50).length };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

async function main() {
  const probe = fsyncProbe(DB_DIR, 5);
  const dbLine = `database under:      ${DB_DIR} (${fsType(DB_DIR)}); fdatasync of 8 KiB there over 5 s before the run: p50 ${probe.p50.toFixed(2)} p99 ${probe.p99.toFixed(2)} max ${probe.max.toFixed(1)} ms, ${probe.over50} of ${probe.n} over 50 ms`;
  console.log(dbLine);
  const dataDir = fs.mkdtempSync(path.join(DB_DIR, 'cppcc-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const pgPort = 20000 + Math.floor(Math.random() * 20000);
  const db = await startDatabase(loadConfig({}, { dataDir, embeddedPgPort: pgPort, jwtSecret: JWT_SECRET }));
  const children: ChildProcess[] = [];
  let owner: pg.Client | undefined;
  const workers: { worker: Worker; inbox: FromSubscribers[]; waiting: ((m: FromSubscribers) => void)[] }[] = [];
  try {
    await migrate(db.ownerUrl);
    await syncTenants(db.ownerUrl, TENANTS_DIR);
    await seedDemo(db.ownerUrl);

    const ports = [pgPort + 1, pgPort + 2];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    // One after the other: both would otherwise set up the application role at once on boot
    // ("tuple concurrently updated") and one of them would exit.
    for (const [k, port] of ports.entries()) {
      const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_SERVER_PROF)] : [];
      const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child = spawn(process.execPath, [...prof, ...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.ownerUrl, JWT_SECRET, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '0', LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'warn', DATA_DIR: dataDir },
        stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
      });
      children.push(child);
      for (let i = 0; ; i++) {
        if (i > 600) throw new Error(`server ${urls[k]} did not become ready`);
        if (child.exitCode !== null) throw new Error(`server ${urls[k]} exited with code ${child.exitCode} (BENCH_SERVER_LOG=info shows why)`);
        const ok = await fetch(`${urls[k]}/readyz`).then((r) => r.ok, () => false);
        if (ok) break;
        await sleep(100);
      }
    }

    const ownerClient = (owner = new pg.Client({ connectionString: db.ownerUrl }));
    // Errors surface through the queries; this one only keeps a connection ended by the database's stop
    // from taking the process down before the failure that led to it is reported.
    ownerClient.on('error', () => {});
    await ownerClient.connect();
    const users = new Map<string, { id: string; tenant_id: string }>((await ownerClient.query('select id, login, tenant_id from app_user')).rows.map((r) => [r.login, r]));
    const token = (login: string) => signToken(JWT_SECRET, { sub: users.get(login)!.id, tid: users.get(login)!.tenant_id });
    const wuhua = (await ownerClient.query(`select id from tenant where code = '530102'`)).rows[0].id;

    // Posters on keep-alive node:http connections: fetch costs the load generator several times the CPU per
    // request, on the cores the servers use.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    // A kept-alive socket that the server closes as idle just as a request goes out fails with ECONNRESET;
    // such a request never reached the server, so it is sent once more (Node's documented `reusedSocket` retry).
    const postJson = (url: string, token: string, payload: string, retried = false): Promise<string> =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(payload) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (!retried && req.reusedSocket && e.code === 'ECONNRESET') resolve(postJson(url, token, payload, true));
          else reject(e);
        });
        req.end(payload);
      });
    const gql = async (i: number, tok: string, query: string, variables: Record<string, unknown>) => {
      const body = JSON.parse(await postJson(`${urls[i % 2]}/graphql`, tok, JSON.stringify({ query, variables }))) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const host = await token('km.staff');
    const s = await gql(0, host, `mutation($input: ScheduleDeliberationInput!) { scheduleDeliberation(input: $input) { id } }`, {
      input: { topicTitle: '依托“委员书屋”推动全民阅读向社区延伸', title: '压力测试议政会', startsAt: '2026-03-01T02:00:00Z', endsAt: '2026-03-01T04:00:00Z', participantIds: [toGlobalId('Tenant', wuhua)] },
    });
    const sessionId = s.scheduleDeliberation.id as string;
    await gql(0, host, `mutation($id: ID!) { openDeliberation(id: $id) { status } }`, { id: sessionId });
    const posterLogins = ['km.staff', 'wh.member', 'km.member', 'm530102.001', 'm530102.002', 'm530102.003'].slice(0, POSTERS);
    const posterTokens = await Promise.all(posterLogins.map(token));
    for (const [i, login] of posterLogins.entries()) {
      if (login !== 'km.staff') await gql(i, posterTokens[i]!, `mutation($id: ID!) { joinDeliberation(id: $id) { seq } }`, { id: sessionId });
    }

    // Subscribers: split across both instances, several users of both committees, run in THREADS threads.
    const subLogins = ['wh.member', 'km.member', 'm530102.001', 'm530102.002', 'm530102.003', 'km.leader', 'wh.staff'];
    const subTokens = await Promise.all(subLogins.map(token));
    const total = Math.round(RATE * DURATION);
    const lastSeq = async () => (await gql(0, host, `query($id: ID!) { deliberationSession(id: $id) { lastSeq } }`, { id: sessionId })).deliberationSession.lastSeq as number;
    const start = await lastSeq();
    for (let t = 0; t < THREADS; t++) {
      const setup: SubscriberSetup = { urls, tokens: subTokens, sessionId, start, indexes: Array.from({ length: N }, (_, i) => i).filter((i) => i % THREADS === t), client: CLIENT };
      // A worker does not inherit tsx's loader: register it, then load the TypeScript module.
      const entry = new URL('./deliberation.subscribers.ts', import.meta.url).href;
      const w = new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: setup });
      workers.push({ worker: w, inbox: [], waiting: [] });
      w.on('message', (m: FromSubscribers) => {
        const box = workers[t]!;
        const waiter = box.waiting.shift();
        if (waiter) waiter(m);
        else box.inbox.push(m);
      });
      w.on('error', (e) => console.error('subscriber thread failed:', e));
    }
    const receive = (t: number) =>
      new Promise<FromSubscribers>((resolve) => {
        const box = workers[t]!;
        const m = box.inbox.shift();
        if (m) resolve(m);
        else box.waiting.push(resolve);
      });
    const ask = async (m: ToSubscribers) => Promise.all(workers.map((w, t) => (w.worker.postMessage(m), receive(t))));
    await Promise.all(workers.map((_, t) => receive(t)));
    const waitAll = async (what: { bench?: number; seq?: number }, timeoutMs: number) => {
      const r = (await ask({ type: 'waitFor', id: 0, ...what, timeoutMs })) as Extract<FromSubscribers, { type: 'done' }>[];
      return { ok: r.every((x) => x.ok), count: r.reduce((a, x) => a + x.count, 0) };
    };
    const postText = (n: number, label: string) => `bench ${n} @${Date.now()} ${label}`;
    // One message every subscriber must see before anything else.
    await gql(0, posterTokens[0]!, `mutation($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq } }`, { input: { sessionId, messageKind: 'COMMENT', text: postText(0, '开始') } });
    const first = await waitAll({ bench: 0 }, 60_000);
    if (!first.ok) throw new Error(`only ${first.count}/${N} subscribers ready`);
    // Warm-up traffic at the same rate, delivered to everyone like the rest, not measured.
    if (WARMUP > 0) {
      const warm = Math.round(RATE * WARMUP);
      const w0 = Date.now();
      const posts: Promise<unknown>[] = [];
      for (let n = 1; n <= warm; n++) {
        const wait = w0 + ((n - 1) * 1000) / RATE - Date.now();
        if (wait > 0) await sleep(wait);
        const p = (n - 1) % POSTERS;
        posts.push(
          gql(n, posterTokens[p]!, `mutation($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq } }`, {
            input: { sessionId, messageKind: 'SPEECH', text: `warm-up ${n}` },
          }).catch(() => {}),
        );
      }
      await Promise.all(posts);
      await waitAll({ seq: await lastSeq() }, 30_000);
      console.log(`warm-up: ${warm} messages in ${((Date.now() - w0) / 1000).toFixed(1)} s`);
    }
    for (const w of workers) w.worker.postMessage({ type: 'reset' } satisfies ToSubscribers);
    const rssBefore = children.map((c) => rssMb(c.pid!));
    console.log(`ready: ${N} subscribers (${CLIENT} client, ${THREADS} threads) on 2 instances, ${POSTERS} posters, ${RATE} msg/s for ${DURATION}s`);

    const interval = 1000 / RATE;
    // This run's PostgreSQL: the postmaster named in its data directory and the backends it started.
    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const pgPids = () =>
      fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
        try {
          return pid === postmaster || Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      });
    const pgCpu = () => pgPids().reduce((a, pid) => a + (() => { try { return cpuSeconds(pid); } catch { return 0; } })(), 0);
    const cpuBefore = { servers: children.map((c) => cpuSeconds(c.pid!)), bench: process.cpuUsage(), pg: pgCpu(), machine: machineBusySeconds() };
    // What the application's database sessions are doing, sampled while posting.
    const waits = { lock: 0, active: 0, idleInTx: 0, samples: 0, what: '' };
    const sampler = setInterval(() => {
      ownerClient
        .query(`select count(*) filter (where wait_event_type = 'Lock')::int lock, count(*) filter (where state = 'active')::int active,
                  count(*) filter (where state = 'idle in transaction')::int idle_tx from pg_stat_activity where usename = 'cppcc_app'`)
        .then(async (r) => {
          if (r.rows[0].lock > waits.lock) {
            const q = await ownerClient.query(
              `select wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) q, count(*)::int n from pg_stat_activity
                where usename = 'cppcc_app' and wait_event_type = 'Lock' group by 1, 2 order by 3 desc limit 2`,
            );
            waits.what = q.rows.map((x) => `${x.n}× ${x.wait_event}: ${x.q}`).join(' | ');
          }
          waits.lock = Math.max(waits.lock, r.rows[0].lock);
          waits.active = Math.max(waits.active, r.rows[0].active);
          waits.idleInTx = Math.max(waits.idleInTx, r.rows[0].idle_tx);
          waits.samples++;
        }, () => {});
    }, 250);
    const t0 = Date.now();
    let failures = 0;
    const sent = new Map<number, number>();
    const postRtt: number[] = [];
    const inflight: Promise<void>[] = [];
    for (let n = 1; n <= total; n++) {
      const due = t0 + (n - 1) * interval;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const p = (n - 1) % POSTERS;
      sent.set(n, Date.now());
      inflight.push(
        gql(n, posterTokens[p]!, `mutation($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq } }`, {
          input: { sessionId, messageKind: 'SPEECH', text: postText(n, '关于书屋向社区延伸的建议') },
        }).then(
          () => {
            postRtt.push(Date.now() - sent.get(n)!);
          },
          () => {
            failures++;
            sent.delete(n);
          },
        ),
      );
    }
    await Promise.all(inflight);
    const postedIn = (Date.now() - t0) / 1000;
    const expected = [...sent.keys()];
    await waitAll({ seq: await lastSeq() }, 15_000);
    const elapsed = (Date.now() - t0) / 1000;
    const rssAfter = children.map((c) => rssMb(c.pid!));
    const serverCpu = children.map((c, i) => cpuSeconds(c.pid!) - cpuBefore.servers[i]!);
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const dbCpu = pgCpu() - cpuBefore.pg;
    const machineCpu = machineBusySeconds() - cpuBefore.machine;
    const otherCpu = machineCpu - dbCpu - (benchCpu.user + benchCpu.system) / 1e6 - serverCpu[0]! - serverCpu[1]!;
    clearInterval(sampler);
    const cpuShare = (sec: number) => `${((100 * sec) / elapsed).toFixed(0)}%`;

    const reports = (await ask({ type: 'report', expected })) as Extract<FromSubscribers, { type: 'report' }>[];
    const sum = (k: 'lost' | 'dup' | 'ooo' | 'errors') => reports.reduce((a, r) => a + r[k], 0);
    const [lost, dup, ooo, errs] = [sum('lost'), sum('dup'), sum('ooo'), sum('errors')];
    const histogram = new Uint32Array(HISTOGRAM_BINS);
    for (const r of reports) r.histogram.forEach((n, ms) => void (histogram[ms]! += n));
    const delivered = histogram.reduce((a, n) => a + n, 0);
    /** The smallest latency (ms) that at least p% of deliveries did not exceed. */
    const pctMs = (p: number) => {
      const want = Math.ceil((p / 100) * delivered);
      for (let ms = 0, seen = 0; ms < HISTOGRAM_BINS; ms++) if ((seen += histogram[ms]!) >= want && seen > 0) return ms;
      return NaN;
    };
    const maxMs = histogram.findLastIndex((n) => n > 0);
    const worst = new Map<number, number>();
    for (const r of reports) for (const [sec, ms] of r.worstBySecond) worst.set(sec, Math.max(ms, worst.get(sec) ?? 0));
    const t0s = Math.floor(t0 / 1000);
    const slowSeconds = [...worst].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([sec, ms]) => `${ms} ms at ${sec - t0s} s`);
    console.log(
      [
        `messages posted:     ${expected.length} of ${total} (${failures} failed) in ${postedIn.toFixed(1)} s`,
        `deliveries:          ${delivered} (expected ${expected.length * N})`,
        `throughput:          ${(expected.length / postedIn).toFixed(1)} msg/s posted, ${(delivered / elapsed).toFixed(0)} deliveries/s`,
        `latency ms:          p50 ${pctMs(50)}  p95 ${pctMs(95)}  p99 ${pctMs(99)}  max ${maxMs}`,
        `slowest seconds:     ${slowSeconds.join(', ')} (the slowest delivery of messages sent in that second)`,
        `post round trip ms:  p50 ${pct([...postRtt].sort((a, b) => a - b), 50)}  p99 ${pct([...postRtt].sort((a, b) => a - b), 99)}`,
        `lost:                ${lost}`,
        `duplicated:          ${dup}`,
        `out of order:        ${ooo}`,
        `subscription errors: ${errs}`,
        `server RSS MB:       A ${rssBefore[0]} → ${rssAfter[0]}, B ${rssBefore[1]} → ${rssAfter[1]}`,
        `CPU (of one core):   server A ${cpuShare(serverCpu[0]!)}, server B ${cpuShare(serverCpu[1]!)}, bench client ${cpuShare((benchCpu.user + benchCpu.system) / 1e6)}, PostgreSQL ${cpuShare(dbCpu)}, anything else ${cpuShare(Math.max(0, otherCpu))}; machine ${cpuShare(machineCpu)} of ${os.cpus().length * 100}% over ${elapsed.toFixed(1)} s`,
        dbLine,
        `app DB sessions:     at most ${waits.active} active, ${waits.lock} waiting on a lock, ${waits.idleInTx} idle in transaction (${waits.samples} samples)${waits.what ? `\n  lock waits:        ${waits.what}` : ''}`,
      ].join('\n'),
    );
  } finally {
    await owner?.end().catch(() => {});
    await Promise.all(workers.map(async (w) => (w.worker.postMessage({ type: 'close' } satisfies ToSubscribers), await sleep(0))));
    await sleep(500);
    await Promise.all(workers.map((w) => w.worker.terminate()));
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 20_000).unref();
          }),
      ),
    );
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
