import { ArgsType, Field, Int, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import { badInput, text } from './errors.js';
import { isUuid } from './ids.js';
import { readRows } from './read-rows.js';

@ObjectType('PageInfo', { description: 'Where a page sits in its list (分页信息), as Relay cursor connections say it.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more records follow this page (是否有下一页).' })
  hasNextPage!: boolean | Promise<boolean>;

  @Field(() => Boolean, { description: 'Whether records come before this page (是否有上一页).' })
  hasPreviousPage!: boolean | Promise<boolean>;

  @Field(() => String, { nullable: true, description: 'Cursor of the first record on this page (首条游标); pass as `before` for the page before.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last record on this page (末条游标); pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size from the start (每页条数), 1 to the server maximum (default 20).' })
  @IsOptional()
  @Min(1)
  @Max(1000)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (endCursor of the previous page).' })
  @IsOptional()
  after?: string;

  @Field(() => Int, { nullable: true, description: 'Page size from the end (末尾条数), 1 to the server maximum; instead of `first`.' })
  @IsOptional()
  @Min(1)
  @Max(1000)
  last?: number;

  @Field(() => String, { nullable: true, description: 'Cursor before which the page ends (startCursor of the following page).' })
  @IsOptional()
  before?: string;
}

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction (排序方向).',
  valuesConfig: { ASC: { description: 'Ascending: oldest, smallest or A first (升序).' }, DESC: { description: 'Descending: newest, largest or Z first (降序).' } },
});

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: Promise<number> | number;
}

/** One generic cursor connection type per node type: `XConnection { edges { cursor node } nodes pageInfo totalCount }`. */
export function Connection<T extends object>(node: ClassType<T>, name: string, zh: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page (${zh}).` })
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this record (游标).' })
    cursor!: string;

    @Field(() => node, { description: `The ${name} (${zh}).` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} records (${zh}列表).` })
  class ConnectionType implements ConnectionShape<T> {
    @Field(() => [Edge], { description: 'Records on this page, in order (本页记录).' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Paging state (分页信息).' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of records in the whole list under the same filters (总数).' })
    totalCount!: Promise<number> | number;
  }
  return ConnectionType;
}

/**
 * What a list is sorted by besides creation order: a name the cursor carries (a cursor of one order is refused
 * by another), the sort key (a property, or an SQL expression over the entity's row for keys that live
 * elsewhere) and the direction. The id breaks ties in the same direction, so every order is total and a
 * keyset page needs no offset.
 */
export interface PageOrder<T> {
  name: string;
  direction: OrderDirection;
  key: { prop: keyof T & string; type: 'date' } | { sql: (alias: string) => string; type: 'string' | 'int' };
}

type Key = string | number | Date;
interface Position { key: Key | null; id: string }

const encodeCursor = (order: PageOrder<never> | undefined, p: Position) =>
  Buffer.from(order ? `o:${order.name}:${JSON.stringify([p.key instanceof Date ? p.key.toISOString() : p.key, p.id])}` : `c:${p.id}`).toString('base64url');

function decodeCursor(cursor: string, field: string, order: PageOrder<never> | undefined): Position {
  const bad = () => badInput(text(`${field} 不是有效的游标`, `${field} is not a valid cursor`), { field });
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!order) {
    if (!/^c:[0-9a-f-]{36}$/.test(decoded) || !isUuid(decoded.slice(2))) throw bad();
    return { key: null, id: decoded.slice(2) };
  }
  const prefix = `o:${order.name}:`;
  if (!decoded.startsWith(prefix)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.slice(prefix.length));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !isUuid(parsed[1])) throw bad();
  const [key, id] = parsed as [unknown, string];
  switch (order.key.type) {
    case 'date': {
      const d = typeof key === 'string' ? new Date(key) : null;
      if (!d || Number.isNaN(d.getTime())) throw bad();
      return { key: d, id };
    }
    case 'int':
      if (!Number.isSafeInteger(key)) throw bad();
      return { key: key as number, id };
    default:
      if (typeof key !== 'string' || key.includes('\u0000') || key.length > 1000) throw bad();
      return { key, id };
  }
}

/** What the page arguments ask for, checked: one direction, a size within the maximum, cursors of this order. */
interface Plan {
  size: number;
  backward: boolean;
  after: Position | null;
  before: Position | null;
}

function plan(args: PageArgs, maxPageSize: number, order: PageOrder<never> | undefined): Plan {
  if (args.first != null && args.last != null) throw badInput(text('first 和 last 只能给出一个', 'Give first or last, not both'), { field: 'last' });
  const backward = args.last != null;
  const size = (backward ? args.last : args.first) ?? Math.min(20, maxPageSize);
  const field = backward ? 'last' : 'first';
  if (size > maxPageSize) throw badInput(text(`${field} 最大为 ${maxPageSize}`, `${field} must be at most ${maxPageSize}`), { field });
  return {
    size,
    backward,
    after: args.after ? decodeCursor(args.after, 'after', order) : null,
    before: args.before ? decodeCursor(args.before, 'before', order) : null,
  };
}

/**
 * Keyset page over a scoped entity (Relay cursor connection: `first`/`after` forward, `last`/`before`
 * backward, both cursors together for a window). Without an order, creation order (ids are UUIDv7), the id
 * alone as cursor. The count, and whether records lie beyond the cursor a page started from, run only when
 * a client asks for them.
 */
export async function paginate<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  maxPageSize: number,
  order?: PageOrder<T>,
): Promise<ConnectionShape<T>> {
  const o = order as PageOrder<never> | undefined;
  const p = plan(args, maxPageSize, o);
  const ascending = (order?.direction ?? OrderDirection.ASC) === OrderDirection.ASC;
  const sql = order && 'sql' in order.key ? order.key.sql : null;
  const prop = order && 'prop' in order.key ? order.key.prop : null;
  const column = prop ? (em.getMetadata().find(entity)!.properties as Record<string, { fieldNames: string[] }>)[prop]!.fieldNames[0] : null;
  // Timestamps are compared as the client sees them (JavaScript keeps milliseconds; PostgreSQL has microseconds).
  const keyTerm = (alias: string) => (sql ? sql(alias) : `date_trunc('milliseconds', ${alias}.${column})`);

  /** Rows beyond `pos` in the list's order (`later`), or before it; `pos` itself only when `inclusive`. */
  const side = (pos: Position, later: boolean, inclusive = false): FilterQuery<T> => {
    const op = (later === ascending ? '>' : '<') + (inclusive ? '=' : '');
    if (!order) return { id: { [{ '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' }[op]!]: pos.id } } as FilterQuery<T>;
    return { [raw((a: string) => `(${keyTerm(a)}, ${a}.id) ${op} (?, ?)`, [pos.key, pos.id])]: [] } as FilterQuery<T>;
  };
  const within = (extra: FilterQuery<T>[]) => (extra.length ? ({ $and: [where, ...extra] } as FilterQuery<T>) : where);
  const bounds = [...(p.after ? [side(p.after, true)] : []), ...(p.before ? [side(p.before, false)] : [])];
  // Backward pages read the list from the end and are turned round.
  const dir = ascending !== p.backward ? 'asc' : 'desc';
  const orderBy = (order ? { [raw((a: string) => keyTerm(a))]: dir, id: dir } : { id: dir }) as never;
  // A page is read, not changed: its records skip the unit of work (readRows), the filter and RLS apply as ever.
  const rows = await readRows(em, entity, within(bounds), { orderBy, limit: p.size + 1 });
  const more = rows.length > p.size;
  const page = rows.slice(0, p.size);
  if (p.backward) page.reverse();

  const keys = order ? await keysOf(em, entity, order, keyTerm, page) : null;
  const position = (node: T): Position => ({ key: keys ? keys.get(node.id)! : null, id: node.id });
  const cursor = (node: T) => encodeCursor(o, position(node));
  // Whether anything lies on the far side of the cursor the page was read from (the cursor's record included).
  const exists = (pos: Position | null, later: boolean) => (pos ? em.count(entity, within([side(pos, later, true)])).then((n) => n > 0) : false);
  let count: Promise<number> | undefined;
  let previous: Promise<boolean> | boolean | undefined;
  let next: Promise<boolean> | boolean | undefined;
  return {
    edges: page.map((node) => ({ cursor: cursor(node), node })),
    pageInfo: {
      get hasNextPage() {
        return p.backward ? (next ??= exists(p.before, true)) : more;
      },
      get hasPreviousPage() {
        return p.backward ? more : (previous ??= exists(p.after, false));
      },
      startCursor: page.length ? cursor(page[0]!) : null,
      endCursor: page.length ? cursor(page[page.length - 1]!) : null,
    },
    get totalCount() {
      return (count ??= em.count(entity, where));
    },
  };
}

/** The sort key of each row on the page, for its cursor: a property as loaded, an SQL key read once for the page. */
async function keysOf<T extends { id: string }>(em: EntityManager, entity: EntityName<T>, order: PageOrder<T>, keyTerm: (alias: string) => string, page: T[]): Promise<Map<string, Key>> {
  if ('prop' in order.key) {
    const prop = order.key.prop;
    return new Map(page.map((r) => [r.id, r[prop] as Key]));
  }
  if (!page.length) return new Map();
  const table = em.getMetadata().find(entity)!.tableName;
  const rows = await em.execute<{ id: string; k: Key }[]>(`select e.id, ${keyTerm('e')} as k from ${table} e where e.id in (${page.map(() => '?').join(', ')})`, page.map((r) => r.id));
  return new Map(rows.map((r) => [r.id, r.k]));
}
