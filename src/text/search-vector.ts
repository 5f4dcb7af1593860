import type { EventArgs } from '@mikro-orm/core';
import { FullTextType, type WeightedFullTextValue } from '@mikro-orm/postgresql';
import { words } from './segmenter.js';

/**
 * The search index (全文检索索引) of a searchable record: its jieba words, title and body apart, as a
 * PostgreSQL tsvector (`to_tsvector('simple', …)` over the words joined by spaces, the title's weighted A,
 * the body's B) in the record's own `search_vector` column, under a GIN index (migration 0090). PostgreSQL's
 * parser cannot cut Chinese into words; jieba does, at write time, and `simple` keeps each word as it is.
 */
export type SearchVector = WeightedFullTextValue;

/** The column's ORM type: written as setweight(to_tsvector('simple', title words), 'A') || … 'B'. */
export const searchVectorType = () => new FullTextType('simple');

/** The index value of a title and body: their words, space-joined. */
export function searchVector(title: string, body: string): SearchVector {
  return { A: words(title).join(' '), B: words(body).join(' ') };
}

/** A searchable entity: it carries its own index column (lazy and hidden: no query reads it back). */
export interface Searchable {
  searchVector?: SearchVector | null;
}

/**
 * Called by a searchable entity's BeforeCreate/BeforeUpdate hook: (re)computes the index when the record is
 * created or one of its searched fields changes, so the index is written by the same INSERT/UPDATE as the text.
 */
export function indexOnWrite<T extends Searchable>(entity: T, args: EventArgs<T>, fields: readonly (keyof T & string)[], title: string, body: string): void {
  const cs = args.changeSet;
  if (cs?.type === 'update' && !fields.some((f) => f in (cs.payload as object))) return;
  entity.searchVector = searchVector(title, body);
}
