/**
 * Similar proposals (相似提案) and keyword search (全文检索): what each ranking finds, and how fast search is.
 *
 * 1. Precision and recall at 5 on the labelled set tests/fixtures/near-duplicates.ts: for each group the query
 *    is its last version, the corpus every other proposal of the set (earlier versions of all groups and the
 *    hard negatives) stored as proposals of one committee (五华) in a scratch PostgreSQL; the relevant answers
 *    are the group's earlier versions. Methods: the application-side rankings over the whole corpus (TF-IDF
 *    cosine over jieba words, which similarProposals used; BM25, which keyword search used; character bigrams;
 *    a hybrid), PostgreSQL full-text search over the jieba-word index (ts_rank_cd alone, and its candidates
 *    re-ranked by TF-IDF: what similarProposals does now), and pg_trgm similarity.
 * 2. The cut-off below which similarProposals shows nothing: the best F1 over the observed scores, fitted on
 *    half the groups and measured on the other half (two folds, averaged), beside the same-set figure.
 * 3. similarProposals through the API on the same data (what a member is shown).
 * 4. Keyword search through the API over a committee with SEARCH_ROWS proposals (seeded here), p50/p95, and the
 *    plan of its statement as the application role runs it (the GIN index in use).
 * Prints figures, never fails on them. Run: npm run bench:similar [-- --rows 10000]
 */
import 'reflect-metadata';
import pg from 'pg';
import pino from 'pino';
import { GROUPS, NEGATIVES, type LabelledProposal } from '../fixtures/near-duplicates.js';
import { CHOSEN, METHODS, MIN_SCORE, draftWords, rank, type Method } from '../../src/modules/search/similarity.js';
import { anyOf, matchSql, rankSql, type RankFn } from '../../src/modules/search/fts.js';
import { SIMILAR_CANDIDATES } from '../../src/modules/search/search.service.js';
import { indexMissing, pgExecute } from '../../src/migrations/search-backfill.js';
import { scratchDatabase } from '../../seeds/large.js';
import { createOrm } from '../../src/core/database.js';
import { application } from '../../src/app/boot.js';
import { createApp } from '../../src/core/server.js';
import { loadConfig } from '../../src/core/config.js';
import { systemClock } from '../../src/core/clock.js';
import { signToken } from '../../src/core/auth.js';
import { newId } from '../../src/core/ids.js';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};
const SEARCH_ROWS = Number(arg('rows', '10000'));
const K = 5;

interface Item extends LabelledProposal {
  id: string;
  group: string | null;
}
/** One query's top K: the group of each answer and its score (higher closer). */
type Top = { group: string | null; score: number }[];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const relevant = (g: (typeof GROUPS)[number]) => g.versions.length - 1;

/** P@K and R@K of the top K, and the share of queries whose first answer is right. */
function plain(tops: Top[]) {
  let p = 0;
  let r = 0;
  let first = 0;
  GROUPS.forEach((g, i) => {
    const hits = tops[i]!.filter((x) => x.group === g.key).length;
    p += hits / K;
    r += hits / relevant(g);
    if (tops[i]![0]?.group === g.key) first++;
  });
  return { precision: p / GROUPS.length, recall: r / GROUPS.length, first };
}

/** Precision and recall of what is shown (the top K scoring at least `min`) over the queries `qs` (indexes of GROUPS). */
function shown(tops: Top[], qs: number[], min: number) {
  let p = 0;
  let r = 0;
  let answered = 0;
  for (const i of qs) {
    const g = GROUPS[i]!;
    const s = tops[i]!.filter((x) => x.score >= min);
    const hits = s.filter((x) => x.group === g.key).length;
    if (s.length) (p += hits / s.length), answered++;
    r += hits / relevant(g);
  }
  return { precision: answered ? p / answered : 0, recall: r / qs.length };
}
const f1 = (m: { precision: number; recall: number }) => (m.precision + m.recall ? (2 * m.precision * m.recall) / (m.precision + m.recall) : 0);

/** The cut-off with the best F1 on the queries `qs`. */
function fit(tops: Top[], qs: number[]): number {
  const scores = [...new Set(qs.flatMap((i) => tops[i]!.map((x) => +x.score.toFixed(4))))].sort((a, b) => a - b);
  let best = { min: 0, f1: -1 };
  for (const min of scores) {
    const f = f1(shown(tops, qs, min));
    if (f > best.f1) best = { min, f1: f };
  }
  return best.min;
}

/** Fitted on even-numbered groups and measured on odd ones, and the other way round; averaged. */
function heldOut(tops: Top[]) {
  const all = GROUPS.map((_, i) => i);
  const [a, b] = [all.filter((i) => i % 2 === 0), all.filter((i) => i % 2 === 1)];
  const [ab, ba] = [shown(tops, b, fit(tops, a)), shown(tops, a, fit(tops, b))];
  return { precision: (ab.precision * b.length + ba.precision * a.length) / all.length, recall: (ab.recall * b.length + ba.recall * a.length) / all.length, cuts: [fit(tops, a), fit(tops, b)] };
}

function row(method: string, tops: Top[], chosen: boolean) {
  const p = plain(tops);
  const all = GROUPS.map((_, i) => i);
  const same = fit(tops, all);
  const sameM = shown(tops, all, same);
  const held = heldOut(tops);
  return {
    method,
    [`P@${K}`]: +p.precision.toFixed(3),
    [`R@${K}`]: +p.recall.toFixed(3),
    'top1 right': `${p.first}/${GROUPS.length}`,
    'cut-off (same set)': same,
    'P shown (same set)': +sameM.precision.toFixed(3),
    'R shown (same set)': +sameM.recall.toFixed(3),
    'cut-offs (2 folds)': held.cuts.join(' / '),
    'P shown (held out)': +held.precision.toFixed(3),
    'R shown (held out)': +held.recall.toFixed(3),
    chosen,
  };
}

async function inTenant<T>(owner: pg.Client, tenantId: string, f: () => Promise<T>): Promise<T> {
  await owner.query('begin');
  try {
    await owner.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    const out = await f();
    await owner.query('commit');
    return out;
  } catch (e) {
    await owner.query('rollback');
    throw e;
  }
}

/** Proposals written straight into the table (as seeds do), then indexed by the code the migration runs. */
async function insertProposals(owner: pg.Client, tenantId: string, proposer: string, docs: (LabelledProposal & { id: string; at: Date })[]) {
  await inTenant(owner, tenantId, async () => {
    for (let i = 0; i < docs.length; i += 2000) {
      await owner.query(
        `insert into proposal (id, tenant_id, province_id, city_id, title, content, kind, proposer_id, status, submitted_at, created_at, updated_at)
         select x.id, t.id, t.province_id, t.city_id, x.title, x.content, 'MEMBER', $2, 'SUBMITTED', x.at, x.at, x.at
           from jsonb_to_recordset($3::jsonb) as x(id uuid, title text, content text, at timestamptz), tenant t where t.id = $1`,
        [tenantId, proposer, JSON.stringify(docs.slice(i, i + 2000))],
      );
    }
    await indexMissing(pgExecute(owner));
  });
}

async function user(owner: pg.Client, tenantId: string, role: string): Promise<string> {
  const id = newId();
  await inTenant(owner, tenantId, () =>
    owner.query(`insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role) select $1, t.id, t.province_id, t.city_id, $2, '李文华', $3 from tenant t where t.id = $4`, [
      id,
      `bench.${id.slice(-12)}`,
      role,
      tenantId,
    ]),
  );
  return id;
}

/** Subjects of a city district's proposals, beside the labelled set's, for the committee search is timed on. */
const SUBJECTS = (
  '农贸市场改造 背街小巷整治 垃圾分类 农村公路养护 中药材种植 咖啡产业 花卉产业 乡村旅游 非遗传承 职业教育 托育服务 家庭医生签约 ' +
  '残疾人就业 退役军人服务 消防安全 燃气管道更新 电动自行车充电 智慧停车 城中村改造 历史文化街区保护 古树名木保护 湿地保护 土壤污染防治 ' +
  '畜禽养殖污染 光伏发电 新能源汽车充电桩 跨境电商 冷链物流 农产品品牌 普惠金融 招商引资 政务服务一网通办 社区网格化管理 矛盾纠纷调解 ' +
  '法律援助 食品安全监管 校外培训治理 近视防控 青少年心理健康 体育场馆开放 全民健身 公共图书馆 博物馆 数字乡村 农村电商 高标准农田 ' +
  '水库除险加固 地质灾害防治 森林防火 应急避难场所 住房公积金 保障性租赁住房 人才公寓 技能人才培养 灵活就业社保 外卖骑手权益 快递末端网点 ' +
  '公共厕所 城市绿道 口袋公园 菜市场 社区卫生服务中心 中医药传承 少数民族文化 边境贸易 生物多样性保护 河长制 林长制 耕地保护'
).split(' ');
const PROBLEMS = ['投入不足', '管理分散', '设施陈旧', '群众反映强烈', '覆盖面不广', '标准不统一', '专业人员缺乏', '监管存在盲区', '资金保障不够', '宣传不到位', '布局不合理', '运营维护难'];
const MEASURES = ['统筹规划', '加大财政投入', '建立长效机制', '强化部门协同', '引入社会资本', '完善考核评价', '加强监督检查', '制定专项方案', '推广试点经验', '建立联席会议制度'];
const ACTIONS = ['加强', '推进', '完善', '规范', '支持', '做好', '提升', '优化'];

/** A seeded random generator: the same synthetic committee on every run. */
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

async function main() {
  const { db, where, cleanup } = await scratchDatabase();
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  await owner.connect();
  const log = pino({ level: 'silent' });
  const sql = pgExecute(owner);
  try {
    const tenant = async (code: string) => (await owner.query('select id from tenant where code = $1', [code])).rows[0].id as string;
    const [wh, pl] = [await tenant('530102'), await tenant('530103')];
    const locale = (await owner.query(`select datcollate, datctype, current_setting('server_version') v from pg_database where datname = current_database()`)).rows[0];
    console.log(`PostgreSQL ${locale.v} in ${where}; database collation ${locale.datcollate}, ctype ${locale.datctype}`);

    // --- 1. The labelled set, as 五华's proposals of 2024.
    const corpus: Item[] = [
      ...GROUPS.flatMap((g) => g.versions.slice(0, -1).map((v) => ({ ...v, id: newId(), group: g.key }))),
      ...NEGATIVES.map((n) => ({ ...n, id: newId(), group: null })),
    ];
    const byId = new Map(corpus.map((c) => [c.id, c]));
    const whStaff = await user(owner, wh, 'STAFF');
    await insertProposals(owner, wh, whStaff, corpus.map((c, i) => ({ id: c.id, title: c.title, content: c.content, at: new Date(Date.UTC(2024, 2, 1 + i)) })));
    console.log(`labelled set: ${GROUPS.length} queries, corpus ${corpus.length} proposals (${NEGATIVES.length} hard negatives)`);
    const queries = GROUPS.map((g) => g.versions.at(-1)!);

    const results: ReturnType<typeof row>[] = [];
    for (const m of METHODS) {
      const tops = queries.map((q) => rank(q, corpus, m).slice(0, K).map((x) => ({ group: x.doc.group, score: x.score })));
      results.push(row(`app: ${m}${m === 'words-tfidf' ? ' (similarProposals before)' : m === 'words-bm25' ? ' (search before)' : ''}`, tops, false));
    }
    // PostgreSQL full-text search: the statement similarProposals runs (any of the draft's words, best rank first).
    const fts = async (q: LabelledProposal, limit: number, fn: RankFn) =>
      (await inTenant(owner, wh, () => sql(`select p.id, ${rankSql('p', fn)} as score from proposal p where p.tenant_id = app_tenant() and ${matchSql('p')} order by 2 desc, p.id desc limit ${limit}`, [anyOf(draftWords(q)), anyOf(draftWords(q))]))) as {
        id: string;
        score: number;
      }[];
    const ftsTops: Top[] = [];
    const rerankTops: Top[] = [];
    for (const q of queries) {
      ftsTops.push((await fts(q, K, 'ts_rank_cd')).map((r) => ({ group: byId.get(r.id)!.group, score: Number(r.score) })));
      const candidates = (await fts(q, SIMILAR_CANDIDATES, 'ts_rank')).map((r) => byId.get(r.id)!);
      rerankTops.push(rank(q, candidates, CHOSEN).slice(0, K).map((x) => ({ group: x.doc.group, score: x.score })));
    }
    results.push(row('pg: full-text ts_rank_cd', ftsTops, false));
    results.push(row(`pg: full-text candidates (${SIMILAR_CANDIDATES}, ts_rank) + ${CHOSEN} (similarProposals now)`, rerankTops, true));

    // pg_trgm: trusted extension, so the owner may create it here (the application does not use it).
    await owner.query('create extension if not exists pg_trgm');
    const probe = (await owner.query(`select show_trgm('老旧小区加装电梯') cjk, show_trgm('old estates') latin, similarity('老旧小区改造', '老旧小区加装电梯') sim, word_similarity('小区', '老旧小区改造') wsim`)).rows[0];
    console.log(`pg_trgm under ctype ${locale.datctype}: show_trgm('老旧小区加装电梯') = ${JSON.stringify(probe.cjk)}; show_trgm('old estates') has ${probe.latin.length} trigrams; similarity('老旧小区改造', '老旧小区加装电梯') = ${probe.sim}; word_similarity('小区', '老旧小区改造') = ${probe.wsim}`);
    const trgmTops: Top[] = [];
    for (const q of queries) {
      const rows = (await inTenant(owner, wh, () =>
        owner.query(`select p.id, similarity(p.title || ' ' || p.content, $1) score from proposal p where p.tenant_id = app_tenant() order by 2 desc, p.id desc limit ${K}`, [`${q.title} ${q.content}`]),
      )).rows as { id: string; score: number }[];
      trgmTops.push(rows.filter((r) => Number(r.score) > 0).map((r) => ({ group: byId.get(r.id)!.group, score: Number(r.score) })));
    }
    results.push(row('pg: pg_trgm similarity (score > 0 only)', trgmTops, false));
    console.table(results);
    const ideal = GROUPS.reduce((s, g) => s + Math.min(K, relevant(g)) / K, 0) / GROUPS.length;
    console.log(`ideal P@${K} on this set: ${ideal.toFixed(3)} (a query has 1–2 relevant answers among ${K} slots; R@${K} ideal 1.000). similarProposals' MIN_SCORE: ${MIN_SCORE}`);

    // --- 3 and 4 through the API.
    const assembled = application();
    const orm = await createOrm(db.appUrl, { entities: assembled.entities });
    const config = loadConfig({}, { port: 0, host: '127.0.0.1', jwtSecret: db.jwtSecret });
    const app = await createApp(config, orm, db.jwtSecret, systemClock, log, assembled);
    try {
      const gql = async (token: string, query: string, variables: Record<string, unknown>) => {
        const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
        const body = (await res.json()) as { data?: any; errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data;
      };
      const whToken = await signToken(db.jwtSecret, { sub: whStaff, tid: wh });
      const byTitle = new Map(corpus.map((c) => [c.title, c.group]));
      const served: Top[] = [];
      for (const q of queries) {
        const d = await gql(whToken, `query($t: String!, $c: String!) { similarProposals(title: $t, content: $c, first: ${K}) { title score } }`, { t: q.title, c: q.content });
        served.push(d.similarProposals.map((s: { title: string; score: number }) => ({ group: byTitle.get(s.title) ?? null, score: s.score })));
      }
      const s = shown(served, GROUPS.map((_, i) => i), MIN_SCORE);
      console.log(`similarProposals through the API (MIN_SCORE ${MIN_SCORE}, first ${K}): precision of what is shown ${s.precision.toFixed(3)}, recall@${K} ${s.recall.toFixed(3)}`);

      // A committee (盘龙) with SEARCH_ROWS proposals: most on subjects of their own (a committee's proposals
      // cover many), one in twenty made of the labelled texts, so a query's words are in a realistic share.
      const rnd = prng(18);
      const texts = [...GROUPS.flatMap((g) => g.versions), ...NEGATIVES];
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
      const places = ['盘龙区', '松华街道', '拓东街道', '鼓楼街道', '东华街道', '联盟街道', '金辰街道', '青云街道', '龙泉街道', '茨坝街道', '双龙街道', '滇源街道', '阿子营街道'];
      const plStaff = await user(owner, pl, 'STAFF');
      const t0 = performance.now();
      const docs = Array.from({ length: SEARCH_ROWS }, (_, i) => {
        const place = pick(places);
        const at = new Date(Date.UTC(2020, 0, 1) + i * 60_000);
        if (rnd() < 0.05) {
          const [a, b] = [pick(texts), pick(texts)];
          return { id: newId(at.getTime()), title: a.title.replace(/^关于/, `关于${place}`).slice(0, 200), content: `${place}${a.content}${b.content.split('。')[0]}。`, at };
        }
        const [x, y] = [pick(SUBJECTS), pick(SUBJECTS)];
        return {
          id: newId(at.getTime()),
          title: `关于${pick(ACTIONS)}${place}${x}的提案`,
          content: `${place}${x}${pick(PROBLEMS)}，${pick(PROBLEMS)}。建议${pick(MEASURES)}${x}，${pick(MEASURES)}${y}。`,
          at,
        };
      });
      await insertProposals(owner, pl, plStaff, docs);
      await owner.query('analyze proposal');
      console.log(`盘龙: ${SEARCH_ROWS.toLocaleString('en-US')} proposals written and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const plToken = await signToken(db.jwtSecret, { sub: plStaff, tid: pl });
      const SEARCH = `query($q: String!) { search(query: $q, types: [PROPOSAL], first: 20) { hits { score node { id } } } }`;
      const terms = ['老旧小区加装电梯', '专精特新企业融资', '夜间公交末班车', '宫颈癌筛查', '普洱茶品牌', '行政执法统筹', '城乡供水一体化', '普惠性幼儿园学位', '紧固件集采', '卫生应急物资储备'];
      for (const q of terms.slice(0, 3)) await gql(plToken, SEARCH, { q }); // warm-up
      const ms: number[] = [];
      let hits = 0;
      for (let round = 0; round < 5; round++) {
        for (const q of terms) {
          const t = performance.now();
          hits += (await gql(plToken, SEARCH, { q })).search.hits.length;
          ms.push(performance.now() - t);
        }
      }
      console.log(`search over 盘龙's ${SEARCH_ROWS.toLocaleString('en-US')} proposals through HTTP (first 20, ${ms.length} requests, ${(hits / ms.length).toFixed(1)} hits each): p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms`);
      const sim: number[] = [];
      for (const q of queries.slice(0, 10)) {
        const t = performance.now();
        await gql(plToken, `query($t: String!, $c: String!) { similarProposals(title: $t, content: $c) { score } }`, { t: q.title, c: q.content });
        sim.push(performance.now() - t);
      }
      console.log(`similarProposals over the same committee (${sim.length} drafts): p50 ${pct(sim, 50).toFixed(1)} ms, p95 ${pct(sim, 95).toFixed(1)} ms`);

      // The plan of search's proposal statement as the application role runs it (RLS on, the committee's settings):
      // two keyword searches, and the candidates of similarProposals for a draft (any of its words).
      // Then the selective one as the owner, a superuser here, to whom row-level security does not apply.
      const leak = (await owner.query(`select proleakproof from pg_proc where proname = 'ts_match_vq'`)).rows[0].proleakproof;
      console.log(`ts_match_vq (the @@ operator) leakproof: ${leak}`);
      const plans: [string[], RankFn, boolean][] = [
        [['老旧', '小区', '加装', '电梯', '老旧小区'], 'ts_rank_cd', true],
        [['紧固件', '集采'], 'ts_rank_cd', true],
        [draftWords(queries[0]!), 'ts_rank', true],
        [['紧固件', '集采'], 'ts_rank_cd', false],
      ];
      for (const [ws, fn, asApp] of plans) {
        const q = anyOf(ws);
        await owner.query('begin');
        if (asApp) await owner.query('set local role cppcc_app');
        await owner.query(`select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, [pl, plStaff]);
        let i = 0;
        const plan = (
          await owner.query(
            `explain (analyze, costs off, timing off, summary on, buffers off) select p.id from proposal p where p.tenant_id = $1 and ${matchSql('p')} order by ${rankSql('p', fn)} desc, p.id desc limit ${fn === 'ts_rank' ? SIMILAR_CANDIDATES : 20}`.replace(/\?/g, () => `$${2 + i++}`),
            [pl, q, q],
          )
        ).rows.map((r) => r['QUERY PLAN'] as string);
        await owner.query('rollback');
        const used = plan.some((l) => /Bitmap Index Scan on proposal_search/.test(l));
        console.log(`plan for "${q}" ${asApp ? 'as cppcc_app (RLS on)' : 'as the owner, a superuser (RLS not applied)'}: GIN index proposal_search ${used ? 'used' : 'NOT used'}\n  ${plan.join('\n  ')}`);
      }
    } finally {
      await app.close();
      await orm.close(true);
    }
  } finally {
    await owner.end();
    await cleanup();
  }
}

await main();
