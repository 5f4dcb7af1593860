/**
 * Similar-proposal search (相似提案): precision and recall at 5 of each ranking method on the labelled set
 * tests/fixtures/near-duplicates.ts. For each group the query is its last version and the corpus is every
 * other proposal of the set (earlier versions of all groups and the hard negatives); the relevant answers
 * are the group's earlier versions. Prints figures, never fails on them. Run: npm run bench:similar
 */
import { GROUPS, NEGATIVES, type LabelledProposal } from '../fixtures/near-duplicates.js';
import { CHOSEN, METHODS, rank } from '../../src/modules/search/similarity.js';

interface Item extends LabelledProposal {
  group: string | null;
}

/**
 * Precision and recall of what is shown: the top k whose score reaches `min`. `min` = 0 is plain P@k/R@k;
 * the cut-off that similarProposals applies is chosen here too (the best F1 over the observed scores).
 */
function atCutoff(method: (typeof METHODS)[number], corpus: Item[], k: number, min: number) {
  let p = 0;
  let r = 0;
  let shownQueries = 0;
  for (const g of GROUPS) {
    const shown = rank(g.versions.at(-1)!, corpus, method).slice(0, k).filter((x) => x.score >= min);
    const hits = shown.filter((x) => x.doc.group === g.key).length;
    if (shown.length) (p += hits / shown.length), shownQueries++;
    r += hits / (g.versions.length - 1);
  }
  return { precision: shownQueries ? p / shownQueries : 0, recall: r / GROUPS.length };
}

export function bestCutoff(method: (typeof METHODS)[number], corpus: Item[], k = 5) {
  const scores = [...new Set(GROUPS.flatMap((g) => rank(g.versions.at(-1)!, corpus, method).slice(0, k).map((x) => +x.score.toFixed(3))))].sort((a, b) => a - b);
  let best = { min: 0, precision: 0, recall: 0, f1: -1 };
  for (const min of scores) {
    const m = atCutoff(method, corpus, k, min);
    const f1 = m.precision + m.recall ? (2 * m.precision * m.recall) / (m.precision + m.recall) : 0;
    if (f1 > best.f1) best = { min, ...m, f1 };
  }
  return best;
}

export function measure(k = 5) {
  const corpus: Item[] = [...GROUPS.flatMap((g) => g.versions.slice(0, -1).map((v) => ({ ...v, group: g.key }))), ...NEGATIVES.map((n) => ({ ...n, group: null }))];
  return METHODS.map((method) => {
    let p = 0;
    let r = 0;
    let first = 0;
    for (const g of GROUPS) {
      const query = g.versions.at(-1)!;
      const top = rank(query, corpus, method).slice(0, k);
      const relevant = g.versions.length - 1;
      const hits = top.filter((x) => x.doc.group === g.key).length;
      p += hits / k;
      r += hits / relevant;
      if (top[0]?.doc.group === g.key) first++;
    }
    const n = GROUPS.length;
    const cut = bestCutoff(method, corpus, k);
    return {
      method,
      [`precision@${k}`]: +(p / n).toFixed(3),
      [`recall@${k}`]: +(r / n).toFixed(3),
      'top1 correct': `${first}/${n}`,
      'best cut-off': cut.min,
      [`precision@${k} shown`]: +cut.precision.toFixed(3),
      [`recall@${k} shown`]: +cut.recall.toFixed(3),
      chosen: method === CHOSEN,
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpusSize = GROUPS.reduce((s, g) => s + g.versions.length - 1, 0) + NEGATIVES.length;
  console.log(`labelled set: ${GROUPS.length} queries, corpus ${corpusSize} proposals (${NEGATIVES.length} hard negatives)`);
  console.table(measure(5));
  // The best precision@5 possible: a query has only 1-2 relevant answers among 5 slots.
  const ideal = GROUPS.reduce((s, g) => s + Math.min(5, g.versions.length - 1) / 5, 0) / GROUPS.length;
  console.log(`ideal precision@5 on this set: ${ideal.toFixed(3)} (recall@5 ideal 1.000)`);
}
