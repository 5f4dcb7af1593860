import { Entity, Enum, Property, raw } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { TenantOwned } from '../tenant-owned.js';
import { declareScope } from '../tenancy.js';
import { NodeEntity } from '../node.js';

export enum Role {
  STAFF = 'STAFF',
  LEADER = 'LEADER',
  MEMBER = 'MEMBER',
  DEPARTMENT = 'DEPARTMENT',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do for their committee (角色).',
  valuesConfig: {
    STAFF: { description: 'Office staff (政协机关工作人员).' },
    LEADER: { description: 'Committee leadership: chair, vice-chairs, secretary-general (政协领导).' },
    MEMBER: { description: 'Committee member (政协委员).' },
    DEPARTMENT: { description: 'Handling department of the government (承办单位).' },
    ADMIN: { description: 'System administrator of the committee (系统管理员).' },
  },
});

export enum UnitDuty {
  HANDLER = 'HANDLER',
  HEAD = 'HEAD',
}
registerEnumType(UnitDuty, {
  name: 'UnitDuty',
  description: "An account's duty in its handling unit (承办单位职责).",
  valuesConfig: {
    HANDLER: { description: 'Handles the items day to day (经办人).' },
    HEAD: { description: 'Leader of the unit responsible for the answers (单位负责人).' },
  },
});

/** A person who signs in. Home committee is where the account lives; member seats may add more. */
@ObjectType('User', { implements: NodeEntity, description: 'A person who signs in to the platform (用户).' })
@Entity({ tableName: 'app_user' })
export class User extends TenantOwned {
  @Field(() => String, { description: 'Sign-in name (登录名).' })
  @Property({ type: 'string', length: 64, unique: true })
  login!: string;

  @Field(() => String, { description: 'Full name (姓名).' })
  @Property({ type: 'string', length: 64 })
  displayName!: string;

  @Field(() => Role, { description: 'Role in the home committee (角色).' })
  @Enum({ items: () => Role, type: 'string' })
  role!: Role;

  /** For DEPARTMENT users: the handling unit they answer for (承办单位名称). */
  @Field(() => String, { nullable: true, description: 'Handling unit a DEPARTMENT user answers for (承办单位).' })
  @Property({ type: 'string', length: 128, nullable: true })
  unitName?: string | null;

  /** The handling unit (承办单位) a DEPARTMENT account belongs to; linked from `unitName` by the database (migration 0040). */
  @Property({ type: 'uuid', nullable: true })
  unitId?: string | null;

  @Field(() => UnitDuty, { nullable: true, description: "A DEPARTMENT account's duty in its unit (承办单位职责)." })
  @Enum({ items: () => UnitDuty, type: 'string', nullable: true })
  unitDuty?: UnitDuty | null;

  /** Set when an administrator disables the account (停用): it can no longer sign in or act; nothing is deleted. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  disabledAt?: Date | null;

  @Field(() => Boolean, { description: 'Whether the account is disabled (已停用): it can neither sign in nor act.' })
  disabled(): boolean {
    return !!this.disabledAt;
  }
}
// A user row is visible to its own committee, to every committee where the person holds a seat (a county
// member on the city's roster), and to the person themself. Mirrors the RLS policy (migration 0010).
declareScope('User', (s) => ({ $or: [{ tenantId: s.tenantId }, { id: s.userId }, { [raw((alias: string) => `app_seat_holder(${alias}.id)`)]: true }] }));
