import type { EntityName, FilterQuery } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, text } from '../../core/errors.js';
import { Role } from '../../core/identity/user.entity.js';
import { JOINT_READERS } from '../joint/joint.service.js';
import { Proposal } from '../proposal/proposal.entity.js';
import * as proposals from '../proposal/proposal.service.js';
import { Opinion } from '../opinion/opinion.entity.js';
import * as opinions from '../opinion/opinion.service.js';
import { ConsultationSuggestion, ConsultationTopic } from '../topic/topic.entities.js';
import { MicroSuggestion } from '../micro/micro.entity.js';
import * as micro from '../micro/micro.service.js';
import * as units from '../unit/unit.service.js';
import { queryWords, words } from '../../text/segmenter.js';
import { draftWords, MIN_SCORE, rank } from './similarity.js';
import { anyOf, byRank, matches, rankSql } from './fts.js';
import { SearchItemType, type SearchHit, type SearchResult, type SimilarProposal, type TextRange } from './search.types.js';

/** Earlier proposals similarProposals reads from the index (best full-text rank first) before ranking them. */
export const SIMILAR_CANDIDATES = 50;
const SNIPPET = 120;

interface Source<T extends object> {
  type: SearchItemType;
  entity: EntityName<T>;
  /** Its table (the rank of the rows found is read from it by id). */
  table: string;
  roles: Role[];
  /** The kind's own read rule (its service's), as the list queries apply it: the ORM filter and RLS come on top. */
  rule(ctx: Context): FilterQuery<T>;
  title(x: T): string;
  body(x: T): string;
}
const source = <T extends object>(s: Source<T>) => s as unknown as Source<object>;

const SOURCES: Source<object>[] = [
  source<Proposal>({
    type: SearchItemType.PROPOSAL,
    table: 'proposal',
    entity: Proposal,
    roles: [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER, Role.DEPARTMENT],
    rule: (ctx) => ({ tenantId: ctx.tenant.id, ...proposals.readRule(ctx) }) as FilterQuery<Proposal>,
    title: (p) => p.title,
    body: (p) => p.content,
  }),
  source<Opinion>({
    type: SearchItemType.OPINION,
    table: 'opinion',
    entity: Opinion,
    roles: [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER],
    rule: (ctx) => opinions.readRule(ctx),
    title: (o) => o.title,
    body: (o) => o.content,
  }),
  source<ConsultationTopic>({
    type: SearchItemType.TOPIC,
    table: 'consultation_topic',
    entity: ConsultationTopic,
    roles: JOINT_READERS,
    // Topics are read as the topic module reads them: by their declared scope (own, joint, ancestors' published plans).
    rule: () => ({}),
    title: (t) => t.title,
    body: (t) => t.description,
  }),
  source<ConsultationSuggestion>({
    type: SearchItemType.SUGGESTION,
    table: 'consultation_suggestion',
    entity: ConsultationSuggestion,
    roles: [...JOINT_READERS, Role.DEPARTMENT],
    rule: (ctx) => (ctx.viewer.role === Role.DEPARTMENT ? { unitId: units.viewerUnit(ctx) } : {}),
    title: (s) => `建议${s.number}：${s.content.slice(0, 30)}`,
    body: (s) => s.content,
  }),
  source<MicroSuggestion>({
    type: SearchItemType.MICRO_SUGGESTION,
    table: 'micro_suggestion',
    entity: MicroSuggestion,
    roles: [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER, Role.DEPARTMENT],
    rule: (ctx) => micro.readRule(ctx),
    title: (m) => m.content.slice(0, 30),
    body: (m) => m.content,
  }),
];

/** Every occurrence of the words in `s`, longest word first, without overlaps, in order. */
export function highlight(s: string, ws: string[]): TextRange[] {
  const lower = s.toLowerCase();
  const taken: TextRange[] = [];
  for (const w of [...ws].sort((a, b) => b.length - a.length)) {
    for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + w.length)) {
      if (!taken.some((r) => i < r.start + r.length && r.start < i + w.length)) taken.push({ start: i, length: w.length });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** The window of `body` around its first match (or its opening), and the matches inside it. */
export function snippet(body: string, ws: string[]): { snippet: string; highlights: TextRange[] } {
  const all = highlight(body, ws);
  const from = all.length ? Math.max(0, all[0]!.start - 30) : 0;
  const s = body.slice(from, from + SNIPPET);
  return { snippet: s, highlights: highlight(s, ws) };
}

/**
 * Keyword search over what the viewer may read, through the full-text index (src/text/search-vector.ts): the query is cut
 * into words (jieba, as the records were), and each kind's records whose index holds any of them are read
 * through that kind's own read rule (one statement per kind, best rank first, the ORM filter and RLS applying
 * as to any read; the index is a column of the record's own table, so there is nothing else to scope). The
 * rank is PostgreSQL's ts_rank_cd (title words weigh more); kinds are merged by it.
 */
export async function search(ctx: Context, query: string, types: SearchItemType[] | null | undefined, first: number): Promise<SearchResult> {
  const ws = queryWords(query, 8);
  if (query.length > 200) throw badInput(text('检索词最多 200 个字', 'The query is at most 200 characters'), { field: 'query' });
  if (!ws.length) throw badInput(text('检索词里没有可检索的词语', 'The query has no word to search for'), { field: 'query' });
  if (first < 1 || first > 50) throw badInput(text('first 须为 1–50', 'first must be 1–50'), { field: 'first' });
  const wanted = SOURCES.filter((s) => (!types?.length || types.includes(s.type)) && s.roles.includes(ctx.viewer.role));
  if (!wanted.length) requireRole(ctx);
  const q = anyOf(ws);
  const hits: SearchHit[] = [];
  for (const s of wanted) {
    const rows = await ctx.em.find(s.entity, { $and: [s.rule(ctx), matches(q)] } as FilterQuery<object>, { limit: first, orderBy: byRank(q) });
    if (!rows.length) continue;
    const ids = rows.map((x) => (x as { id: string }).id);
    // The rank of the rows just read (by id: nothing more than they are is read).
    const ranks = new Map(
      (await ctx.em.execute<{ id: string; score: number }[]>(`select t.id, ${rankSql('t')} as score from ${s.table} t where t.id in (?)`, [q, ids])).map((r) => [r.id, Number(r.score)]),
    );
    for (const x of rows) {
      const title = s.title(x);
      hits.push({ type: s.type, node: x as never, title, titleHighlights: highlight(title, ws), ...snippet(s.body(x), ws), score: +(ranks.get((x as { id: string }).id) ?? 0).toFixed(4) });
    }
  }
  return { words: ws, hits: hits.sort((a, b) => b.score - a.score).slice(0, first) };
}

/**
 * The committee's earlier proposals close to a draft, with their replies (as the 江苏 and 鄂州 systems show a
 * member what was already answered). Within the acting committee only, whoever the proposer: that is the
 * point. What is shown of another's proposal is its title, status and reply; the proposal itself (proposer,
 * body) only where the viewer's role reads it. Candidates come from the full-text index (any of the draft's
 * title and body words, best ts_rank first, SIMILAR_CANDIDATES of them); they are ranked by TF-IDF cosine
 * over jieba words (chosen by tests/bench/similar.bench.ts), those below MIN_SCORE left out.
 */
export async function similarProposals(ctx: Context, title: string, content: string, first: number): Promise<SimilarProposal[]> {
  requireRole(ctx, Role.MEMBER, Role.STAFF, Role.LEADER, Role.ADMIN);
  if (title.length > 200 || content.length > 20000) throw badInput(text('标题最多 200 字，正文最多 20000 字', 'title is at most 200 and content 20000 characters'), { field: title.length > 200 ? 'title' : 'content' });
  if (first < 1 || first > 10) throw badInput(text('first 须为 1–10', 'first must be 1–10'), { field: 'first' });
  const ws = draftWords({ title, content });
  if (!ws.length || !words(`${title} ${content}`).length) return [];
  const candidates = await similarCandidates(ctx, ws);
  const readable = new Set(
    candidates.length ? (await ctx.em.find(Proposal, { $and: [{ id: { $in: candidates.map((p) => p.id) } }, { tenantId: ctx.tenant.id, ...proposals.readRule(ctx) } as FilterQuery<Proposal>] }, { fields: ['id'] })).map((p) => p.id) : [],
  );
  return rank({ title, content }, candidates)
    .filter((r) => r.score >= MIN_SCORE)
    .slice(0, first)
    .map(({ doc: p, score }) => ({
      title: p.title,
      status: p.status,
      submittedAt: p.submittedAt,
      replyClass: p.replyClass ?? null,
      replyText: p.replyText ?? null,
      repliedAt: p.repliedAt ?? null,
      score: +score.toFixed(4),
      proposal: readable.has(p.id) ? p : null,
    }));
}

/** The acting committee's proposals submitted before now whose index holds any of `ws`, best full-text rank first. */
export function similarCandidates(ctx: Context, ws: string[]): Promise<Proposal[]> {
  const q = anyOf(ws);
  return ctx.em.find(Proposal, { $and: [{ tenantId: ctx.tenant.id, submittedAt: { $lt: ctx.clock.now() } }, matches(q)] }, { limit: SIMILAR_CANDIDATES, orderBy: byRank(q, 'ts_rank') });
}
