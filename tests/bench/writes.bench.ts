/**
 * Province-wide write burst (全会期间): the offices and members of all 129 county committees of 云南 submit
 * proposals, file them, submit 社情民意 reports and forward them (county → city, and the city office on to
 * the province), concurrently through the GraphQL API of server processes started by the bench on one
 * embedded PostgreSQL. Every one of these writes moves counters of the county, its city and 云南省 in the
 * same transaction, so this is the load that queues on a province's counter rows.
 *
 *   npm run bench:writes -- [--duration 60] [--warmup 10] [--concurrency 64] [--servers 2] [--db-dir /dev/shm]
 *
 * `--concurrency` requests are in flight at any time: as many loops, each taking the counties i, i+N, i+2N …
 * in turn, one cycle per county (submitProposal by a member, reviewProposal FILED by the office,
 * submitOpinion by a member, forwardOpinion to the city by the county office, forwardOpinion to the province
 * by the city office), so all 129 counties write throughout.
 *
 * Prints writes/s, latency p50/p99 per operation, errors by `extensions.code` (a deadlock or serialization
 * failure reaching a client is one), lock waits sampled from pg_stat_activity / pg_locks every 20 ms (and
 * how many of them wait for a counter row: ON_COUNTER), deadlocks counted by PostgreSQL, server and PostgreSQL
 * CPU per write and the load average. Then every counter (stat_counter and stat_counter_year, own and
 * subtree) is compared with a recount from the records (rebuildCounters, rolled back afterwards): the
 * differences are printed and the bench exits non-zero if there is any, or if a client saw a deadlock or
 * serialization failure.
 *
 * `--counters-only [--hold-ms 5]`: the counter path alone, without servers (their CPU per request bounds the
 * full run on a small machine long before the counters do): `--concurrency` connections of the application
 * role, each transaction acting for a county, counting a submitted proposal and a submitted report for it
 * the way the services do (stat_record), with `--hold-ms` of the request's other work between the two
 * (pg_sleep), then committing. Prints transactions/s, p50/p99 and lock waits, and checks every county's,
 * city's and the province's counters against the number of transactions that committed for them.
 *
 * BENCH_SERVER_LOG=info shows the servers' logs; BENCH_SERVER_PROF=<dir> writes a CPU profile per server.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { loadConfig } from '../../src/core/config.js';
import { migrate, startDatabase } from '../../src/core/database.js';
import { syncTenants } from '../../src/modules/tenant/tenant-sync.js';
import { ROOT, TENANTS_DIR } from '../../src/core/paths.js';
import { signToken } from '../../src/core/auth.js';
import { newId } from '../../src/core/ids.js';
import { rlsScopeSql } from '../../src/core/tenancy.js';
import { rebuildCounters } from '../../src/modules/statistics/rebuild.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function flag(name: string, d: number, min = 1): number {
  const v = arg(name) === undefined ? d : Number(arg(name));
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return v;
}
const DURATION = flag('duration', 60);
const WARMUP = flag('warmup', 10, 0);
const CONCURRENCY = Math.floor(flag('concurrency', 64));
const SERVERS = Math.min(4, Math.floor(flag('servers', 2)));
const COUNTERS_ONLY = process.argv.includes('--counters-only');
const HOLD_MS = flag('hold-ms', 5, 0);
const DB_DIR = arg('db-dir') ? path.resolve(arg('db-dir')!) : fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const JWT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/** CPU seconds (user + system) a process has used so far (0 once it is gone). */
const cpuSeconds = (pid: number) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
};
/** CPU seconds of the postmaster and every backend it started (children that ended meanwhile are not counted). */
const postgresCpuSeconds = (postmaster: number) => {
  let s = cpuSeconds(postmaster);
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(f[1]) === postmaster) s += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // ended meanwhile
    }
  }
  return s;
};

const SURNAMES = ['李', '王', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '段', '普', '字', '罗', '和', '岩'];
const GIVEN = ['建华', '丽萍', '志强', '文华', '海燕', '国庆', '春梅', '永红', '晓东', '玉兰', '开明', '应祥'];
const TOPICS = [
  '关于加快高原特色农业产业化发展的建议',
  '关于推进乡村振兴中农村人居环境整治的建议',
  '关于加强边境地区基层医疗卫生服务能力的建议',
  '关于支持县域职业教育与产业对接的建议',
  '关于完善农村饮水安全长效管护机制的建议',
  '关于推动民族文化旅游融合发展的建议',
];
const REPORTS = ['山区学生上学路途远的问题亟待解决', '部分乡镇农产品冷链物流短板明显', '农村养老服务供给不足的情况反映', '县域中小企业融资难问题依然突出'];

interface County { id: string; code: string; name: string; city: string; cityCode: string; province: string; staff: string; members: string[] }

async function main() {
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  const dataDir = fs.mkdtempSync(path.join(DB_DIR, 'cppcc-bench-writes-'));
  fs.chmodSync(dataDir, 0o755);
  const pgPort = 20000 + Math.floor(Math.random() * 20000);
  const db = await startDatabase(loadConfig({}, { dataDir, embeddedPgPort: pgPort, jwtSecret: JWT_SECRET }));
  const children: ChildProcess[] = [];
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  const sampler = new pg.Client({ connectionString: db.ownerUrl });
  // Errors surface through the queries; these only keep a connection ended by the database's stop from
  // taking the process down before the failure that led to it is reported.
  owner.on('error', () => {});
  sampler.on('error', () => {});
  let failed = false;
  try {
    await migrate(db.ownerUrl);
    await syncTenants(db.ownerUrl, TENANTS_DIR);
    await owner.connect();
    await sampler.connect();
    if (COUNTERS_ONLY) {
      failed = await countersOnly(db.appUrl, owner, sampler);
      return;
    }
    const counties = await createAccounts(owner);
    console.log(`accounts: ${counties.length} counties of 云南, each 1 office account and 2 members; ${new Set(counties.map((c) => c.city)).size} city offices`);

    const ports = Array.from({ length: SERVERS }, (_, k) => pgPort + 1 + k);
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    // One after the other: both would otherwise set up the application role at once on boot.
    for (const [k, port] of ports.entries()) {
      const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_SERVER_PROF)] : [];
      const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.ownerUrl, JWT_SECRET, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '0', LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'warn', DATA_DIR: dataDir },
        stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
      });
      children.push(child);
      for (let i = 0; ; i++) {
        if (i > 600) throw new Error(`server ${urls[k]} did not become ready`);
        if (child.exitCode !== null) throw new Error(`server ${urls[k]} exited with code ${child.exitCode} (BENCH_SERVER_LOG=info shows why)`);
        if (await fetch(`${urls[k]}/readyz`).then((r) => r.ok, () => false)) break;
        await sleep(100);
      }
    }
    const pgData = (await owner.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
    const postmaster = Number(fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);

    const tokens = new Map<string, string>();
    const users = (await owner.query<{ id: string; login: string; tenant_id: string }>(`select id, login, tenant_id from app_user where login like 'bw.%'`)).rows;
    for (const u of users) tokens.set(u.login, await signToken(JWT_SECRET, { sub: u.id, tid: u.tenant_id }));

    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 8 });
    const postJson = (url: string, token: string, payload: string, retried = false): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(payload) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        // A kept-alive socket closed by the server as idle just as a request goes out: the request never
        // reached the server, so it is sent once more (Node's documented `reusedSocket` retry).
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (!retried && req.reusedSocket && e.code === 'ECONNRESET') resolve(postJson(url, token, payload, true));
          else reject(e);
        });
        req.end(payload);
      });

    let measuring = false;
    let stopping = false;
    const latency = new Map<string, number[]>();
    const errors = new Map<string, number>();
    let writes = 0;
    let rr = 0;
    /** One mutation; returns its data or null (the error is counted by code). */
    const write = async (op: string, login: string, query: string, variables: Record<string, unknown>): Promise<any> => {
      const t0 = performance.now();
      let code: string | null = null;
      let data: any = null;
      try {
        const res = await postJson(`${urls[rr++ % urls.length]}/graphql`, tokens.get(login)!, JSON.stringify({ query, variables }));
        const body = JSON.parse(res.body) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
        if (body.errors?.length) {
          code = body.errors[0]!.extensions?.code ?? `HTTP_${res.status}`;
          if (!measuring && !stopping) console.error(`${op}: ${code} ${body.errors[0]!.message}`);
        } else data = body.data;
      } catch (e) {
        code = `NETWORK_${(e as NodeJS.ErrnoException).code ?? 'ERROR'}`;
      }
      const ms = performance.now() - t0;
      if (measuring) {
        if (code) errors.set(`${op} ${code}`, (errors.get(`${op} ${code}`) ?? 0) + 1);
        else {
          writes++;
          (latency.get(op) ?? latency.set(op, []).get(op)!).push(ms);
        }
      }
      return data;
    };

    let n = 0;
    const cycle = async (c: County) => {
      const k = n++;
      const member = c.members[k % c.members.length]!;
      const p = await write('submitProposal', member, `mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { id } }`, {
        input: { title: `${TOPICS[k % TOPICS.length]}（${c.name}）`, content: `${c.name}政协委员在全会期间提出：建议统筹资金、明确责任单位、建立季度通报机制，推动问题逐项解决。`, kind: 'MEMBER' },
      });
      if (p) await write('reviewProposal', c.staff, `mutation($id: ID!, $input: ReviewProposalInput!) { reviewProposal(id: $id, input: $input) { status } }`, { id: p.submitProposal.id, input: { decision: 'FILED', term: 13, session: 3 } });
      const o = await write('submitOpinion', member, `mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) { id } }`, {
        input: { title: `${REPORTS[k % REPORTS.length]}（${c.name}）`, content: `${c.name}委员反映：${REPORTS[k % REPORTS.length]}，群众意见较为集中，建议有关部门调研解决。` },
      });
      if (!o) return;
      const f = await write('forwardOpinion', c.staff, `mutation($id: ID!, $to: String!) { forwardOpinion(id: $id, to: $to) { id } }`, { id: o.submitOpinion.id, to: c.cityCode });
      if (f) await write('forwardOpinion(city)', `bw.${c.cityCode}.staff`, `mutation($id: ID!, $to: String!) { forwardOpinion(id: $id, to: $to) { id } }`, { id: o.submitOpinion.id, to: '530000' });
    };
    const loop = async (i: number) => {
      for (let j = i; !stopping; j += CONCURRENCY) await cycle(counties[j % counties.length]!);
    };

    // Lock waits, sampled: backends waiting on a lock now, and which of them wait for a counter row (ON_COUNTER).
    const samples = { n: 0, waiting: 0, counterWaiting: 0, max: 0, ungranted: 0, byType: new Map<string, number>() };
    let sampling = true;
    const sample = async () => {
      while (sampling) {
        if (measuring) {
          const r = await sampler.query<{ waiting: number; counter: number; ungranted: number; types: Record<string, number> | null }>(`
            select (select count(*)::int from pg_stat_activity where wait_event_type = 'Lock') waiting,
                   (select count(*)::int from pg_stat_activity a where wait_event_type = 'Lock' and ${ON_COUNTER}) counter,
                   (select count(*)::int from pg_locks where not granted) ungranted,
                   (select jsonb_object_agg(locktype, n) from (select locktype, count(*)::int n from pg_locks where not granted group by 1) t) types`);
          const row = r.rows[0]!;
          samples.n++;
          samples.waiting += row.waiting;
          samples.counterWaiting += row.counter;
          samples.ungranted += row.ungranted;
          samples.max = Math.max(samples.max, row.waiting);
          for (const [t, k] of Object.entries(row.types ?? {})) samples.byType.set(t, (samples.byType.get(t) ?? 0) + k);
        }
        await sleep(20);
      }
    };
    const sampled = sample();
    const deadlocks = async () => Number((await sampler.query(`select deadlocks from pg_stat_database where datname = current_database()`)).rows[0].deadlocks);

    const loops = Array.from({ length: CONCURRENCY }, (_, i) => loop(i));
    if (WARMUP > 0) {
      console.log(`warm-up: ${WARMUP} s (not measured)`);
      await sleep(WARMUP * 1000);
    }
    const dl0 = await deadlocks();
    const cpu0 = children.map((c) => cpuSeconds(c.pid!));
    const pgCpu0 = postgresCpuSeconds(postmaster);
    const t0 = performance.now();
    measuring = true;
    console.log(`measuring: ${DURATION} s, ${CONCURRENCY} requests in flight over ${SERVERS} server process(es)`);
    await sleep(DURATION * 1000);
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = children.reduce((a, c, k) => a + cpuSeconds(c.pid!) - cpu0[k]!, 0);
    const pgCpu = postgresCpuSeconds(postmaster) - pgCpu0;
    const load = os.loadavg();
    const dl = (await deadlocks()) - dl0;
    stopping = true;
    await Promise.all(loops);
    sampling = false;
    await sampled;

    const all = [...latency.values()].flat().sort((a, b) => a - b);
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    console.log(`\nwrites:              ${writes} in ${seconds.toFixed(1)} s = ${(writes / seconds).toFixed(0)} writes/s, p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms, max ${(all[all.length - 1] ?? NaN).toFixed(0)} ms`);
    for (const [op, xs] of latency) {
      xs.sort((a, b) => a - b);
      console.log(`  ${op.padEnd(22)} ${String(xs.length).padStart(7)}  p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms  p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms`);
    }
    console.log(`errors:              ${errorCount}${errorCount ? '' : ' (none)'}`);
    for (const [k, v] of [...errors].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${v}`);
    console.log(`lock waits:          ${samples.n} samples every 20 ms: backends waiting on a lock ${(samples.waiting / Math.max(1, samples.n)).toFixed(2)} on average (max ${samples.max}), of them for a counter row ${(samples.counterWaiting / Math.max(1, samples.n)).toFixed(2)}; ungranted pg_locks ${(samples.ungranted / Math.max(1, samples.n)).toFixed(2)} on average (${[...samples.byType].map(([t, k]) => `${t} ${(k / Math.max(1, samples.n)).toFixed(2)}`).join(', ') || 'none'})`);
    console.log(`deadlocks (pg_stat_database): ${dl}`);
    console.log(`cpu:                 server ${((serverCpu * 1000) / Math.max(1, writes)).toFixed(2)} ms per write (${((serverCpu / seconds) * 100).toFixed(0)}% of a core over ${SERVERS} process(es)), PostgreSQL ${((pgCpu * 1000) / Math.max(1, writes)).toFixed(2)} ms per write (${((pgCpu / seconds) * 100).toFixed(0)}% of a core)`);
    console.log(`load average after:  ${load.map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);

    const diffs = await compareWithRebuild(owner);
    const fatal = [...errors.keys()].filter((k) => /DEADLOCK|SERIALIZ|INTERNAL/i.test(k));
    if (diffs > 0 || fatal.length > 0 || dl > 0) failed = true;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    await owner.end().catch(() => {});
    await sampler.end().catch(() => {});
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) {
    console.error('FAILED: counters differ from the records, or a client saw a deadlock / serialization / internal error');
    process.exit(1);
  }
}

/**
 * A backend waiting on a lock waits for a counter row when it is inside a counter function (counters moved
 * beside the write), in a COMMIT (counters moved at commit, migration 0110: the deferred counter trigger is
 * the only thing that takes row locks at commit), or holds or awaits the tuple lock of a counter row.
 */
const ON_COUNTER = `(a.query ~ 'stat_(record|bump|counter)' or a.query ~* '^\\s*commit\\s*;?\\s*$' or exists (select 1 from pg_locks l where l.pid = a.pid and l.locktype = 'tuple'
  and l.relation in ('stat_counter'::regclass, 'stat_counter_year'::regclass)))`;

/** Backends waiting on a lock now, and how many of them wait for a counter row (ON_COUNTER). */
async function lockSample(c: pg.Client): Promise<{ waiting: number; counter: number }> {
  return (await c.query(`select count(*)::int waiting, count(*) filter (where ${ON_COUNTER})::int counter from pg_stat_activity a where wait_event_type = 'Lock'`)).rows[0];
}

/** `--counters-only`: see the comment at the top. Returns whether it failed. */
async function countersOnly(appUrl: string, owner: pg.Client, sampler: pg.Client): Promise<boolean> {
  const counties = (await owner.query<{ id: string; code: string; city_id: string; province_id: string }>(
    `select id, code, city_id, province_id from tenant where level = 'COUNTY' and province_id = (select id from tenant where code = '530000') order by code`,
  )).rows;
  const pool = new pg.Pool({ connectionString: appUrl, max: CONCURRENCY });
  pool.on('error', () => {});
  const committed = new Map<string, number>();
  const ms: number[] = [];
  let measuring = false;
  let stopping = false;
  let errors = 0;
  const loop = async (i: number) => {
    const c = await pool.connect();
    try {
      for (let j = i; !stopping; j += CONCURRENCY) {
        const county = counties[j % counties.length]!;
        const t0 = performance.now();
        const counted = measuring;
        try {
          await c.query(`begin; ${rlsScopeSql({ tenantId: county.id, userId: newId() })}`);
          await c.query(`select stat_record($1, 'proposal.submitted', now(), 1, false)`, [county.id]);
          if (HOLD_MS > 0) await c.query('select pg_sleep($1)', [HOLD_MS / 1000]);
          await c.query(`select stat_record($1, 'opinion.submitted', now(), 1, false)`, [county.id]);
          await c.query('commit');
          committed.set(county.id, (committed.get(county.id) ?? 0) + 1);
          if (counted && measuring) ms.push(performance.now() - t0);
        } catch (e) {
          await c.query('rollback').catch(() => {});
          if (measuring) errors++;
          if (errors < 5) console.error(`transaction failed: ${(e as Error).message}`);
        }
      }
    } finally {
      c.release();
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, (_, i) => loop(i));
  if (WARMUP > 0) await sleep(WARMUP * 1000);
  measuring = true;
  const t0 = performance.now();
  const samples: { waiting: number; counter: number }[] = [];
  while (performance.now() - t0 < DURATION * 1000) {
    samples.push(await lockSample(sampler));
    await sleep(20);
  }
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const load = os.loadavg();
  stopping = true;
  await Promise.all(loops);
  await pool.end();
  ms.sort((a, b) => a - b);
  const avg = (f: (x: { waiting: number; counter: number }) => number) => (samples.reduce((a, x) => a + f(x), 0) / Math.max(1, samples.length)).toFixed(2);
  console.log(`counter path only: ${CONCURRENCY} connections, 2 stat_record per transaction with ${HOLD_MS} ms of other work between them`);
  console.log(`transactions:        ${ms.length} in ${seconds.toFixed(1)} s = ${(ms.length / seconds).toFixed(0)}/s, p50 ${pct(ms, 50).toFixed(1)} ms, p99 ${pct(ms, 99).toFixed(1)} ms; failed ${errors}`);
  console.log(`lock waits:          ${samples.length} samples: backends waiting on a lock ${avg((x) => x.waiting)} on average, for a counter row ${avg((x) => x.counter)}`);
  console.log(`load average after:  ${load.map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  // Every committed transaction counted one of each for its county, its city and the province.
  const expected = new Map<string, number>();
  for (const c of counties) {
    const n = committed.get(c.id) ?? 0;
    for (const id of [c.id, c.city_id, c.province_id]) expected.set(id, (expected.get(id) ?? 0) + n);
  }
  await owner.query('begin; alter table stat_counter no force row level security; alter table stat_counter_year no force row level security');
  const got = (await owner.query<{ tenant_id: string; metric: string; own: string; subtree: string; year_subtree: string }>(`
    select c.tenant_id, c.metric, sum(c.own) own, sum(c.subtree) subtree,
           (select sum(y.subtree) from stat_counter_year y where y.tenant_id = c.tenant_id and y.metric = c.metric) year_subtree
      from stat_counter c where c.metric in ('proposal.submitted', 'opinion.submitted') group by 1, 2`)).rows;
  await owner.query('rollback');
  let diffs = 0;
  for (const metric of ['proposal.submitted', 'opinion.submitted']) {
    for (const [id, n] of expected) {
      const row = got.find((r) => r.tenant_id === id && r.metric === metric);
      const own = counties.some((c) => c.id === id) ? n : 0;
      if (Number(row?.subtree ?? 0) !== n || Number(row?.year_subtree ?? 0) !== n || Number(row?.own ?? 0) !== own) {
        diffs++;
        if (diffs <= 10) console.log(`  ${id} ${metric}: own ${row?.own ?? 0} (expected ${own}), subtree ${row?.subtree ?? 0} / year ${row?.year_subtree ?? 0} (expected ${n})`);
      }
    }
  }
  console.log(`counters:            ${expected.size * 2} figures against the committed transactions: ${diffs} differ`);
  return diffs > 0 || errors > 0;
}

/**
 * The accounts, as the seeds create them (seeds/demo.ts): owner connection, each row written with
 * app.tenant_id set to its committee so the policies hold. One office account and two members (with seats)
 * per county, one office account per city.
 */
async function createAccounts(client: pg.Client): Promise<County[]> {
  const tenants = (await client.query<{ id: string; code: string; name: string; level: string; parent_id: string | null; province_id: string; city_id: string | null }>(
    `select id, code, name, level, parent_id, province_id, city_id from tenant where province_id = (select id from tenant where code = '530000') order by code`,
  )).rows;
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const name = (i: number) => SURNAMES[i % SURNAMES.length]! + GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]!;
  let i = 0;
  await client.query('begin');
  const addUser = async (t: (typeof tenants)[number], login: string, role: string) => {
    await client.query(`select set_config('app.tenant_id', $1, true)`, [t.id]);
    const id = newId();
    await client.query(
      `insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role) values ($1,$2,$3,$4,$5,$6,$7)`,
      [id, t.id, t.province_id, t.city_id, login, name(i++), role],
    );
    if (role === 'MEMBER') {
      await client.query(`insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, term) values ($1,$2,$3,$4,$5,$6,$7)`, [newId(), t.id, t.province_id, t.city_id, id, '农业和农村界', '第十三届']);
    }
  };
  const counties: County[] = [];
  for (const t of tenants) {
    if (t.level === 'CITY') await addUser(t, `bw.${t.code}.staff`, 'STAFF');
    if (t.level !== 'COUNTY') continue;
    await addUser(t, `bw.${t.code}.staff`, 'STAFF');
    await addUser(t, `bw.${t.code}.m1`, 'MEMBER');
    await addUser(t, `bw.${t.code}.m2`, 'MEMBER');
    const city = byId.get(t.parent_id!)!;
    counties.push({ id: t.id, code: t.code, name: t.name, city: city.id, cityCode: city.code, province: t.province_id, staff: `bw.${t.code}.staff`, members: [`bw.${t.code}.m1`, `bw.${t.code}.m2`] });
  }
  await client.query('commit');
  return counties;
}

/**
 * Every counter of stat_counter and stat_counter_year against a recount from the records, in one
 * transaction that is rolled back: the live figures (summed per committee, bucket and metric, whatever rows
 * make them up) are copied aside, rebuildCounters recounts in place (the year table follows by its
 * trigger), the two are compared, and the rollback puts the live rows back. Returns the number of differences.
 */
async function compareWithRebuild(client: pg.Client): Promise<number> {
  const tables = ['stat_counter', 'stat_counter_year'];
  const noForce = () => client.query(tables.map((t) => `alter table ${t} no force row level security`).join('; '));
  const snapshot = (t: string, into: string) =>
    client.query(`create temp table ${into} on commit drop as select tenant_id, bucket, metric, sum(own)::bigint own, sum(subtree)::bigint subtree from ${t} group by 1, 2, 3`);
  await client.query('begin');
  try {
    await noForce();
    await snapshot('stat_counter', 'live_month');
    await snapshot('stat_counter_year', 'live_year');
    await rebuildCounters(client);
    await noForce();
    await snapshot('stat_counter', 'recount_month');
    await snapshot('stat_counter_year', 'recount_year');
    let total = 0;
    for (const [label, live, recount] of [['stat_counter', 'live_month', 'recount_month'], ['stat_counter_year', 'live_year', 'recount_year']] as const) {
      const rows = (await client.query<{ code: string; bucket: string; metric: string; own: string; subtree: string; r_own: string; r_subtree: string }>(`
        select t.code, to_char(coalesce(l.bucket, r.bucket), 'YYYY-MM') bucket, coalesce(l.metric, r.metric) metric,
               coalesce(l.own, 0) own, coalesce(l.subtree, 0) subtree, coalesce(r.own, 0) r_own, coalesce(r.subtree, 0) r_subtree
          from ${live} l full join ${recount} r on r.tenant_id = l.tenant_id and r.bucket = l.bucket and r.metric = l.metric
          join tenant t on t.id = coalesce(l.tenant_id, r.tenant_id)
         where coalesce(l.own, 0) <> coalesce(r.own, 0) or coalesce(l.subtree, 0) <> coalesce(r.subtree, 0)
         order by t.path, 3, 2`)).rows;
      const count = Number((await client.query(`select count(*) n from ${live} where own <> 0 or subtree <> 0`)).rows[0].n);
      const sum = (await client.query(`select coalesce(sum(own), 0) own, coalesce(sum(subtree), 0) subtree from ${live}`)).rows[0];
      console.log(`${label.padEnd(18)} ${count} figures (own total ${sum.own}, subtree total ${sum.subtree}) against a recount from the records: ${rows.length} differ`);
      for (const d of rows.slice(0, 20)) console.log(`  ${d.code} ${d.bucket} ${d.metric}: own ${d.own} (recount ${d.r_own}), subtree ${d.subtree} (recount ${d.r_subtree})`);
      total += rows.length;
    }
    return total;
  } finally {
    await client.query('rollback');
  }
}

await main();
