import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityMetadata, EntityName, EntityProperty, FilterQuery, Platform, QueryOrderMap } from '@mikro-orm/core';
import { isDurable } from './tenancy.js';

/** How one column becomes one property, worked out once per entity. */
interface Column {
  prop: string;
  field: string;
  convert?: (value: unknown) => unknown;
}

interface Plan {
  columns: Column[];
  /**
   * What the records inherit from: the entity's prototype, under a layer that holds a plain writable slot
   * for every column. MikroORM puts a setter for each property on the entity's prototype that, on first
   * assignment, defines tracking accessors on the instance (and makes its helper); assigning through the
   * slots makes plain own properties instead, so a record costs what an object literal does. Records are
   * still `instanceof` the entity class and name it as their constructor.
   */
  proto: object;
}

const plans = new WeakMap<EntityMetadata, Plan>();

function planOf(meta: EntityMetadata, platform: Platform): Plan {
  let plan = plans.get(meta);
  if (plan) return plan;
  const columns = meta.props
    // Lazy columns (e.g. a search index's tsvector) are left out, as em.find leaves them out.
    .filter((p: EntityProperty) => p.persist !== false && !p.lazy && p.kind === 'scalar' && p.fieldNames?.length === 1)
    .map((p: EntityProperty): Column => {
      const field = p.fieldNames[0]!;
      const type = p.customType;
      if (type) return { prop: p.name, field, convert: (v) => type.convertToJSValue(v, platform) };
      if (p.runtimeType === 'boolean') return { prop: p.name, field, convert: (v) => !!v };
      if (p.runtimeType === 'Date') return { prop: p.name, field, convert: (v) => (v instanceof Date ? v : new Date(v as string)) };
      return { prop: p.name, field };
    });
  const proto = Object.create(meta.class.prototype as object) as object;
  for (const c of columns) Object.defineProperty(proto, c.prop, { value: undefined, writable: true, configurable: true, enumerable: false });
  plan = { columns, proto };
  plans.set(meta, plan);
  return plan;
}

/**
 * Records to read and answer with, not to change: the statement em.find would send (the query builder
 * with the ORM's filters applied, so the tenant filter is the first wall as for em.find, and RLS the second
 * as for any statement), its rows made into instances of the entity's class as MikroORM hydrates them, but
 * without the unit of work: no identity map entry, no snapshot, no change tracking, which were most of a list
 * page's CPU. A record the request already holds (the viewer, one it loaded or wrote) is handed back as that
 * instance. Entities that declare themselves durable go through em.find: the commit needs to know they were
 * read (runInContext). Never use for records the request goes on to change.
 */
export async function readRows<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  options: { orderBy?: QueryOrderMap<T> | QueryOrderMap<T>[]; limit?: number } = {},
): Promise<T[]> {
  const meta = em.getMetadata().find<T>(entity)!;
  if (isDurable(meta.className)) return em.find(entity, where, options as never) as Promise<T[]>;
  const { columns, proto } = planOf(meta as EntityMetadata, em.getPlatform());
  const qb = em.createQueryBuilder<T>(entity).select(columns.map((c) => c.prop) as never).where(where);
  if (options.orderBy) qb.orderBy(options.orderBy);
  if (options.limit !== undefined) qb.limit(options.limit);
  await qb.applyFilters();
  const rows = (await qb.execute('all', false)) as Record<string, unknown>[];
  const uow = em.getUnitOfWork();
  return rows.map((row) => {
    const held = uow.getById<T>(meta.className, row[meta.primaryKeys[0]!] as never, undefined, false);
    if (held) return held;
    const record = Object.create(proto) as Record<string, unknown>;
    for (const c of columns) {
      const value = row[c.field];
      if (value === undefined) continue;
      record[c.prop] = value === null || !c.convert ? value : c.convert(value);
    }
    return record as T;
  });
}
