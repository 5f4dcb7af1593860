import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NodeEntity } from '../node.js';
import { declareScope } from '../tenancy.js';

export enum TenantLevel {
  PROVINCE = 'PROVINCE',
  CITY = 'CITY',
  COUNTY = 'COUNTY',
}
registerEnumType(TenantLevel, {
  name: 'TenantLevel',
  description: 'Level of a committee in the tree (政协层级).',
  valuesConfig: {
    PROVINCE: { description: 'Province committee (省政协).' },
    CITY: { description: 'City or prefecture committee (市、州政协).' },
    COUNTY: { description: 'County, county-level city or district committee (县、市、区政协).' },
  },
});

export const LEVEL_DEPTH: Record<TenantLevel, number> = { PROVINCE: 0, CITY: 1, COUNTY: 2 };

/**
 * A committee: the unit of tenancy. The tree is public reference data (every signed-in user may read it);
 * what each committee owns is not.
 */
@ObjectType('Tenant', { implements: NodeEntity, description: 'A CPPCC committee (政协委员会), identified by its administrative division code (行政区划代码).' })
@Entity({ tableName: 'tenant' })
export class Tenant extends NodeEntity {
  @Field(() => String, { description: 'Administrative division code (行政区划代码), e.g. 530102.' })
  @Property({ type: 'string', length: 12, unique: true })
  code!: string;

  @Field(() => String, { description: 'Name of the administrative area (行政区划名称), e.g. 五华区.' })
  @Property({ type: 'string', length: 64 })
  name!: string;

  @Field(() => TenantLevel, { description: 'Level in the tree (层级).' })
  @Enum({ items: () => TenantLevel, type: 'string' })
  level!: TenantLevel;

  @Property({ type: 'uuid', nullable: true })
  @Index()
  parentId?: string | null;

  /** The province this committee belongs to (itself for a province). */
  @Property({ type: 'uuid' })
  provinceId!: string;

  /** The city above a county (itself for a city, null for a province). */
  @Property({ type: 'uuid', nullable: true })
  cityId?: string | null;

  /** Codes from the root down to this committee, dot-separated: subtree tests are prefix tests. */
  @Property({ type: 'string', length: 64 })
  path!: string;

  @Field(() => Int, { description: 'Depth in the tree: 0 province, 1 city, 2 county (层级深度).' })
  @Property({ type: 'smallint' })
  depth!: number;

  @Field(() => String, { description: 'Name of the committee (政协名称), e.g. 五华区政协.' })
  get committeeName(): string {
    return `${this.name}政协`;
  }

  /** Ancestor codes, root first, not including this committee. */
  ancestorCodes(): string[] {
    return this.path.split('.').slice(0, -1);
  }
}
declareScope('Tenant', 'global');
