import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/** One dictionary for the process: loading it takes ~100 ms and a few MB. */
let jieba: Jieba | undefined;
const segmenter = () => (jieba ??= Jieba.withDict(dict));

/**
 * Words that carry no subject in this domain: function words, and the words every proposal and report is
 * made of (关于…的提案, 建议, 加强…工作). Matching on them finds everything and ranks nothing.
 */
const STOP = new Set(
  (
    '的 了 和 与 及 或 等 在 对 为 把 将 是 有 由 从 向 以 于 之 其 并 而 也 就 都 又 还 但 要 应 应当 需要 进一步 切实 ' +
    '关于 提案 建议 意见 问题 工作 加强 推进 推动 加快 进行 开展 有关 相关 方面 一些 一个 我们 当前 目前 存在 情况 ' +
    '主要 实现 提高 提升 完善 建立 健全 落实 促进 全面 不断 积极 有效 更加 我市 我县 我区 我省 群众 反映'
  ).split(' '),
);
/** A search word: CJK, letters or digits only (so it is safe inside LIKE without escapes). */
const WORD = /^[\p{Script=Han}\p{L}\p{N}]+$/u;

/** Words of a text for search (jieba's search mode: long words and the words inside them), stop words out. */
export function words(text: string): string[] {
  return segmenter()
    .cutForSearch(text, true)
    .map((w) => w.trim().toLowerCase())
    .filter((w) => WORD.test(w) && [...w].length >= 2 && !STOP.has(w));
}

/** Distinct words of a query, longest first, at most `max`. */
export function queryWords(text: string, max = 10): string[] {
  return [...new Set(words(text))].sort((a, b) => [...b].length - [...a].length).slice(0, max);
}

/** Character bigrams of the CJK and alphanumeric runs (what a trigram index does for Chinese, one shorter). */
export function bigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const run of text.toLowerCase().match(/[\p{Script=Han}\p{L}\p{N}]+/gu) ?? []) {
    const cs = [...run];
    for (let i = 0; i + 1 < cs.length; i++) out.add(cs[i]! + cs[i + 1]!);
  }
  return out;
}
