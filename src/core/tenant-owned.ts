import { Entity, Property } from '@mikro-orm/core';
import { Field} from 'type-graphql';
import { DateTime } from './scalars.js';
import { NodeEntity } from './node.js';

/**
 * Base of every tenant-owned record. Besides its committee it carries the ids of the province and city
 * above it, so roll-ups (and a later sharded deployment) never join up the tree.
 */
@Entity({ abstract: true })
export abstract class TenantOwned extends NodeEntity {
  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  provinceId!: string;

  @Property({ type: 'uuid', nullable: true })
  cityId?: string | null;

  @Field(() => DateTime, { description: 'When the record was created (创建时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => DateTime, { description: 'When the record last changed (更新时间).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** The ancestry columns of a tenant-owned row, from the committee it belongs to. */
export function ownership(t: { id: string; provinceId: string; cityId?: string | null }) {
  return { tenantId: t.id, provinceId: t.provinceId, cityId: t.cityId ?? null };
}
