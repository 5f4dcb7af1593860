import { raw } from '@mikro-orm/core';

/**
 * The full-text side of search (PostgreSQL, `simple` configuration over jieba words; see src/text/search-vector.ts): the
 * statements' fragments, shared by the service and tests/bench/similar.bench.ts so the bench measures what
 * the API runs.
 */

/** A tsquery matching any of the words (OR): each word is letters and digits only (src/text/segmenter.ts), a safe operand. */
export const anyOf = (ws: readonly string[]): string => ws.join(' | ');

/**
 * ts_rank_cd normalisation: 1 divides by 1 + log(length), so a long text naming the words once does not
 * outrank a short one about them; 32 maps the rank into 0–1 (rank / (rank + 1)).
 */
export const NORMALIZATION = 1 | 32;

/**
 * Ranking functions: ts_rank_cd (cover density: words near each other count more) for keyword search's short
 * queries; ts_rank (frequency only) for a draft's many words, where cover density costs ~10× as much per row.
 */
export type RankFn = 'ts_rank_cd' | 'ts_rank';
/** SQL of a row's rank against `?` (the tsquery), the column of table alias `a`. */
export const rankSql = (a: string, fn: RankFn = 'ts_rank_cd') => `${fn}(${a}.search_vector, to_tsquery('simple', ?), ${NORMALIZATION})`;
/** SQL of a row matching `?` (the tsquery): the GIN index's operator. */
export const matchSql = (a: string) => `${a}.search_vector @@ to_tsquery('simple', ?)`;

/** ORM condition: the row's index matches the tsquery (raw SQL: the ORM filter and RLS still apply around it). */
export const matches = (q: string) => ({ [raw((a: string) => matchSql(a), [q])]: [] });
/** ORM order: best rank first, newest first among equals. */
export const byRank = (q: string, fn: RankFn = 'ts_rank_cd') => ({ [raw((a: string) => rankSql(a, fn), [q])]: 'desc', id: 'desc' }) as never;
