import 'reflect-metadata';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import autocannon from 'autocannon';
import { scratchDatabase } from '../../seeds/large.js';
import { signToken } from '../../src/core/auth.js';
import { newId } from '../../src/core/ids.js';
import { toGlobalId } from '../../src/core/global-id.js';
import { rebuildCounters } from '../../src/modules/statistics/rebuild.js';

/**
 * The fixed and per-row cost of an HTTP request (`npm run bench:http`). A server process of its own (what
 * `npm start` runs, without demo data or job worker) on a scratch database with BENCH_PROPOSALS proposals
 * (default 10,000) in one county (五华区) is loaded by autocannon with BENCH_CONNECTIONS connections
 * (default 10), a warm-up, then BENCH_SECONDS (default 10) per shape. For each shape it prints req/s,
 * p50/p99 latency, the server process's own CPU per request (utime + stime from /proc/<pid>/stat before and
 * after: the server only, neither PostgreSQL nor the load generator) and the SQL round trips of one request
 * (the `x-sql-statements` header the server sets). BENCH_SHAPES=list,trivial,… runs some only;
 * BENCH_CPU_PROF=<dir> runs the server with `node --cpu-prof` and leaves its profile there.
 * BENCH_BASELINE=<dir> (a checkout of another revision, with node_modules) starts a second server from there
 * on the same database, and every shape is measured against both in turn: on a shared machine the load
 * drifts, so figures taken minutes apart do not compare; BENCH_ROUNDS=n measures each shape n times and
 * prints each server's least CPU per request. Prints; never fails.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** Each shape measured this many times (per server, in turn): on a busy machine the least figure is the one to trust. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PROPOSALS = Number(process.env.BENCH_PROPOSALS ?? 10_000);
const MEMBERS = 200;
const COUNTY = '530102';
const PROVINCE = '530000';
const CLK_TCK = 100;

const LIST = `{ proposals(first: 20) { totalCount edges { node { id title status submittedAt proposer { displayName } } } } }`;
const TRIVIAL = `{ __typename }`;
const NODE = `query Node($id: ID!) { node(id: $id) { id ... on Proposal { title status submittedAt proposer { displayName } } } }`;
const ROLLUP = `{ rollup(period: "2025") { own { metrics { metric value } rates { rate numerator denominator } } subtree { metrics { value } } children { tenant { code } subtree { metrics { metric value } rates { rate value } } } rankings { metric entries { rank value } } silentChildren { code } } }`;
const SUBMIT = `mutation Submit($input: SubmitProposalInput!) { submitProposal(input: $input) { id status } }`;

interface Shape {
  name: string;
  /** Bodies handed out in turn (the mutation rotates its submitters). */
  bodies: () => { token: string; body: string };
}

/** Seconds of CPU (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), counted from the state (field 3) here.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Staff of the county and of the province, MEMBERS members with seats, and PROPOSALS proposals, under the county's RLS settings. */
async function seed(ownerUrl: string) {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    const county = (await c.query(`select id, province_id, city_id from tenant where code = $1`, [COUNTY])).rows[0];
    const province = (await c.query(`select id from tenant where code = $1`, [PROVINCE])).rows[0];
    const staffId = newId();
    const provinceStaffId = newId();
    await c.query(`begin; select set_config('app.tenant_id', '${province.id}', true)`);
    await c.query(`insert into app_user (id, tenant_id, province_id, login, display_name, role) values ($1, $2, $2, 'bench.province', '赵丽萍', 'STAFF')`, [provinceStaffId, province.id]);
    await c.query('commit');
    await c.query(`begin; select set_config('app.tenant_id', '${county.id}', true)`);
    await c.query(`insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role) values ($1, $2, $3, $4, 'bench.staff', '李建华', 'STAFF')`, [staffId, county.id, county.province_id, county.city_id]);
    const members = (
      await c.query(
        `insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role)
         select app_uuid7(now() + g * interval '1 millisecond'), $1, $2, $3, 'bench.m' || g, (array['王','李','张','刘','陈','杨','赵','黄'])[1 + g % 8] || (array['志强','秀英','建国','丽华','海燕','永福'])[1 + g % 6], 'MEMBER'
           from generate_series(1, $4::int) g returning id`,
        [county.id, county.province_id, county.city_id, MEMBERS],
      )
    ).rows.map((r) => r.id as string);
    await c.query(
      `insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, term)
       select app_uuid7(now()), $1, $2, $3, u, (array['经济界','教育界','科技界','农业界'])[1 + abs(hashtext(u::text)) % 4], '第十届' from unnest($4::uuid[]) u`,
      [county.id, county.province_id, county.city_id, members],
    );
    const proposalIds = (
      await c.query(
        `insert into proposal (id, tenant_id, province_id, city_id, title, content, kind, proposer_id, status, review_note, submitted_at, reviewed_at, created_at, updated_at)
         select app_uuid7(s), $1, $2, $3, (array['关于加快滇池流域生态修复的建议','关于完善城乡居民医保异地结算的建议','关于推进老旧小区改造的建议','关于发展高原特色农业的建议'])[1 + g % 4] || '（' || g || '）',
                '建议有关部门加强统筹、细化措施、抓好落实。', 'MEMBER', ($4::uuid[])[1 + g % array_length($4::uuid[], 1)],
                case when g % 3 = 0 then 'FILED' else 'SUBMITTED' end, null, s, case when g % 3 = 0 then s + interval '10 day' end, s, s
           from (select g, timestamptz '2025-01-01 08:00+08' + g * interval '17 minute' s from generate_series(1, $5::int) g) x
         returning id`,
        [county.id, county.province_id, county.city_id, members, PROPOSALS],
      )
    ).rows.map((r) => r.id as string);
    await c.query('commit');
    await c.query('begin');
    await rebuildCounters(c);
    await c.query('commit');
    await c.query('vacuum analyze');
    return { county, province, staffId, provinceStaffId, members, proposalIds };
  } finally {
    await c.end();
  }
}

function startServer(dir: string, env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const prof = process.env.BENCH_CPU_PROF;
  const args = [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : []), '--import', 'tsx', 'src/main.ts'];
  const out = fs.openSync(logFile, 'w');
  return spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', out, out] });
}

interface Server {
  label: string;
  base: string;
  child: ChildProcess;
}

async function waitReady(base: string, child: ChildProcess, logFile: string) {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server not ready within 120 s');
}

const fmt = (n: number, d = 1) => n.toFixed(d);

async function main() {
  const { db, cleanup } = await scratchDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppcc-bench-http-'));
  const servers: Server[] = [];
  try {
    const t0 = Date.now();
    const s = await seed(db.ownerUrl);
    console.log(`seeded ${s.proposalIds.length.toLocaleString('en-US')} proposals in ${COUNTY} (${MEMBERS} members) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const dirs: [string, string][] = [['this', process.cwd()], ...(process.env.BENCH_BASELINE ? [['baseline', path.resolve(process.env.BENCH_BASELINE)] as [string, string]] : [])];
    for (const [label, dir] of dirs) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const logFile = path.join(dataDir, `server-${label}.log`);
      const child = startServer(
        dir,
        { ...process.env, DATABASE_URL: db.ownerUrl, JWT_SECRET: db.jwtSecret, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '0', JOBS_WORKER: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
        logFile,
      );
      servers.push({ label, base, child });
      await waitReady(base, child, logFile);
    }
    const staff = await signToken(db.jwtSecret, { sub: s.staffId, tid: s.county.id });
    const provinceStaff = await signToken(db.jwtSecret, { sub: s.provinceStaffId, tid: s.province.id });
    const memberTokens = await Promise.all(s.members.slice(0, 20).map((m) => signToken(db.jwtSecret, { sub: m, tid: s.county.id })));
    let n = 0;
    const nodeIds = s.proposalIds.slice(0, 500).map((id) => toGlobalId('Proposal', id));
    const shapes: Shape[] = [
      { name: 'list', bodies: () => ({ token: staff, body: JSON.stringify({ query: LIST }) }) },
      { name: 'trivial', bodies: () => ({ token: staff, body: JSON.stringify({ query: TRIVIAL }) }) },
      { name: 'node', bodies: () => ({ token: staff, body: JSON.stringify({ query: NODE, operationName: 'Node', variables: { id: nodeIds[n++ % nodeIds.length] } }) }) },
      { name: 'rollup', bodies: () => ({ token: provinceStaff, body: JSON.stringify({ query: ROLLUP }) }) },
      {
        name: 'submitProposal',
        bodies: () => {
          const i = n++;
          return { token: memberTokens[i % memberTokens.length]!, body: JSON.stringify({ query: SUBMIT, operationName: 'Submit', variables: { input: { title: `关于优化社区养老服务的建议（压测 ${i}）`, content: '建议加大投入，完善社区养老服务设施。', kind: 'MEMBER' } } }) };
        },
      },
    ];
    const only = process.env.BENCH_SHAPES?.split(',').map((x) => x.trim());
    const best = new Map<string, { cpu: number[]; rps: number[]; sql: number }>();
    for (const shape of shapes.filter((x) => !only || only.includes(x.name))) for (let round = 0; round < ROUNDS; round++) for (const { label, base, child } of servers) {
      const pid = child.pid!;
      // One request first: its answer must be free of errors, and it tells the statements it sent.
      const probe = shape.bodies();
      const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${probe.token}` }, body: probe.body });
      const answer = (await r.json()) as { errors?: unknown };
      if (answer.errors) throw new Error(`${shape.name}: ${JSON.stringify(answer.errors)}`);
      const sql = Number(r.headers.get('x-sql-statements'));
      const run = (duration: number) =>
        autocannon({
          url: `${base}/graphql`,
          connections: CONNECTIONS,
          duration,
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const b = shape.bodies();
                return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${b.token}` }, body: b.body };
              },
            },
          ],
        });
      if (round === 0) await run(WARMUP_SECONDS);
      const before = cpuSeconds(pid);
      const result = await run(SECONDS);
      const cpu = cpuSeconds(pid) - before;
      const done = result.requests.total;
      const line =
        `${servers.length > 1 ? `${label.padEnd(9)}` : ''}${shape.name.padEnd(15)} ${fmt(result.requests.average, 0).padStart(6)} req/s  p50 ${fmt(result.latency.p50, 0).padStart(3)} ms  p99 ${fmt(result.latency.p99, 0).padStart(4)} ms  ` +
        `server CPU ${fmt((cpu * 1000) / Math.max(done, 1), 2)} ms/request  SQL ${sql} round trips/request  (${done} requests, ${result.non2xx} non-2xx, ${result.errors} errors)`;
      console.log(line);
      const k = `${label.padEnd(9)}${shape.name}`;
      const b = best.get(k) ?? { cpu: [], rps: [], sql };
      b.cpu.push((cpu * 1000) / Math.max(done, 1));
      b.rps.push(result.requests.average);
      best.set(k, b);
    }
    if (ROUNDS > 1) {
      // Other work only ever adds to a measurement: the least CPU per request of the rounds is the figure to compare.
      console.log(`\nover ${ROUNDS} rounds:`);
      for (const [k, b] of best) console.log(`${k.padEnd(25)} least CPU ${fmt(Math.min(...b.cpu), 2)} ms/request, median ${fmt([...b.cpu].sort((x, y) => x - y)[b.cpu.length >> 1]!, 2)}; most ${fmt(Math.max(...b.rps), 0)} req/s; SQL ${b.sql}`);
    }
    console.log(`\n${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, ${SECONDS} s per shape${ROUNDS > 1 ? ` x ${ROUNDS} rounds` : ''}, node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}`);
  } finally {
    for (const { child } of servers) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
