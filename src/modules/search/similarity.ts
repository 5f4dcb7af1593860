import { bigrams, queryWords, words } from '../../text/segmenter.js';

/** A document to compare: a title and a body; the title weighs more (it states the ask). */
export interface Doc {
  title: string;
  content: string;
}

export type Method = 'words-tfidf' | 'words-bm25' | 'bigram-jaccard' | 'hybrid';
export const METHODS: readonly Method[] = ['words-tfidf', 'words-bm25', 'bigram-jaccard', 'hybrid'];
/** How similarProposals ranks the candidates the full-text index gives: chosen by precision and recall at 5 on tests/fixtures/near-duplicates.ts (npm run bench:similar). */
export const CHOSEN: Method = 'words-tfidf';
/**
 * Below this score a proposal is not shown as similar: between the best-F1 cut-offs the bench fits on each half
 * of the labelled groups for the full-text candidates re-ranked by CHOSEN (0.20 and 0.27), measured on the other half.
 */
export const MIN_SCORE = 0.25;

const TITLE_WEIGHT = 3;

function termFreq(d: Doc): Map<string, number> {
  const tf = new Map<string, number>();
  for (const w of words(d.title)) tf.set(w, (tf.get(w) ?? 0) + TITLE_WEIGHT);
  for (const w of words(d.content)) tf.set(w, (tf.get(w) ?? 0) + 1);
  return tf;
}

/**
 * Ranks `corpus` by closeness to `query`. IDF comes from the corpus itself (the committee's proposals that
 * share a word with the draft), so words every candidate has weigh little.
 */
export function rank<T extends Doc>(query: Doc, corpus: readonly T[], method: Method = CHOSEN): { doc: T; score: number }[] {
  const scores = score(query, corpus, method);
  return corpus.map((doc, i) => ({ doc, score: scores[i]! })).sort((a, b) => b.score - a.score);
}

function score(query: Doc, corpus: readonly Doc[], method: Method): number[] {
  if (method === 'bigram-jaccard') return bigramScores(query, corpus);
  if (method === 'words-tfidf') return tfidfScores(query, corpus);
  if (method === 'words-bm25') return bm25Scores(draftWords(query), corpus);
  const [a, b] = [tfidfScores(query, corpus), bigramScores(query, corpus)];
  return a.map((x, i) => 0.5 * x + 0.5 * b[i]!);
}

function tfidfScores(query: Doc, corpus: readonly Doc[]): number[] {
  const tfs = corpus.map(termFreq);
  const df = new Map<string, number>();
  for (const tf of tfs) for (const w of tf.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const n = corpus.length + 1;
  const idf = (w: string) => Math.log(1 + n / (1 + (df.get(w) ?? 0)));
  const vec = (tf: Map<string, number>) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [w, f] of tf) {
      const x = (1 + Math.log(f)) * idf(w);
      v.set(w, x);
      norm += x * x;
    }
    return { v, norm: Math.sqrt(norm) };
  };
  const q = vec(termFreq(query));
  return tfs.map((tf) => {
    const d = vec(tf);
    if (!q.norm || !d.norm) return 0;
    let dot = 0;
    for (const [w, x] of q.v) dot += x * (d.v.get(w) ?? 0);
    return dot / (q.norm * d.norm);
  });
}

/** The words of a draft that similarProposals looks for: the title's 6 and the body's 12 longest. */
export function draftWords(d: Doc): string[] {
  return [...new Set([...queryWords(d.title, 6), ...queryWords(d.content, 12)])];
}

/** BM25 (k1 1.2, b 0.75) of the words over each text, title occurrences counting 3 (keyword search's former ranking). */
export function bm25Scores(ws: readonly string[], corpus: readonly Doc[]): number[] {
  const docs = corpus.map((d) => ({ t: d.title.toLowerCase(), b: d.content.toLowerCase() }));
  const count = (hay: string, w: string) => {
    let c = 0;
    for (let i = hay.indexOf(w); i >= 0; i = hay.indexOf(w, i + w.length)) c++;
    return c;
  };
  const n = docs.length;
  const avg = docs.reduce((a, d) => a + d.t.length + d.b.length, 0) / Math.max(1, n);
  const df = new Map(ws.map((w) => [w, docs.filter((d) => d.t.includes(w) || d.b.includes(w)).length]));
  return docs.map((d) => {
    const len = d.t.length + d.b.length;
    let score = 0;
    for (const w of ws) {
      const tf = TITLE_WEIGHT * count(d.t, w) + count(d.b, w);
      if (!tf) continue;
      const idf = Math.log(1 + (n - df.get(w)! + 0.5) / (df.get(w)! + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len) / avg));
    }
    return score;
  });
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

function bigramScores(query: Doc, corpus: readonly Doc[]): number[] {
  const [qt, qb] = [bigrams(query.title), bigrams(query.content)];
  return corpus.map((d) => (TITLE_WEIGHT * jaccard(qt, bigrams(d.title)) + jaccard(qb, bigrams(d.content))) / (TITLE_WEIGHT + 1));
}
