import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import { badInput } from './errors.js';

@ObjectType('PageInfo', { description: 'Where a page sits in its list (分页信息).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more records follow this page (是否有下一页).' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last record on this page (末条游标); pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (每页条数), 1 to the server maximum (default 20).' })
  @IsOptional()
  @Min(1)
  @Max(1000)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (endCursor of the previous page).' })
  @IsOptional()
  after?: string;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: Promise<number> | number;
}

/** One generic cursor connection type per node type: `XConnection { edges { cursor node } pageInfo totalCount }`. */
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

const encodeCursor = (id: string) => Buffer.from(`c:${id}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^c:[0-9a-f-]{36}$/.test(raw)) throw badInput('after is not a valid cursor', { field: 'after' });
  return raw.slice(2);
}

/**
 * Keyset page over a scoped entity, in creation order (ids are UUIDv7). The count runs only when a
 * client asks for totalCount.
 */
export async function paginate<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  maxPageSize: number,
): Promise<ConnectionShape<T>> {
  const first = args.first ?? Math.min(20, maxPageSize);
  if (first > maxPageSize) throw badInput(`first must be at most ${maxPageSize}`, { field: 'first' });
  const after = args.after ? decodeCursor(args.after) : null;
  const pageWhere = (after ? { $and: [where, { id: { $gt: after } }] } : where) as FilterQuery<T>;
  const rows = await em.find(entity, pageWhere, { orderBy: { id: 'asc' } as never, limit: first + 1 });
  const page = rows.slice(0, first);
  let count: Promise<number> | undefined;
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.id), node })),
    pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeCursor(page[page.length - 1]!.id) : null },
    get totalCount() {
      return (count ??= em.count(entity, where));
    },
  };
}
