import { Field, InputType, registerEnumType } from 'type-graphql';
import { ArrayMaxSize, IsIn, IsOptional, Length, Matches } from 'class-validator';
import { OrderDirection } from '../../core/connection.js';
import { Role, type User } from '../../core/identity/user.entity.js';

const ROLES = Object.values(Role);

@InputType('CreateAccountInput', { description: 'A new account of the acting committee (新建账号).' })
export class CreateAccountInput implements Partial<User> {
  @Field(() => String, { description: 'Sign-in name (登录名): 3–64 letters, digits, dot, dash or underscore.' })
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'login must be 3–64 letters, digits, dot, dash or underscore' })
  login!: string;

  @Field(() => String, { description: 'Full name (姓名).' })
  @Length(1, 64)
  displayName!: string;

  @Field(() => Role, { description: 'Role in the committee (角色): STAFF, LEADER, MEMBER, DEPARTMENT or ADMIN.' })
  @IsIn(ROLES)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Handling unit of a DEPARTMENT account (承办单位).' })
  @IsOptional()
  @Length(1, 128)
  unitName?: string;

  @Field(() => String, { description: 'First password (初始密码); it must be changed at the first sign-in.' })
  @Length(1, 1024)
  password!: string;
  @Field(() => String, { nullable: true, description: 'Sector (界别) of a MEMBER account, who acts through a seat on the committee; required for MEMBER.' })
  @IsOptional()
  @Length(1, 64)
  sector?: string;

  @Field(() => String, { nullable: true, description: 'Term of the seat (届次), e.g. 第十届; required for MEMBER.' })
  @IsOptional()
  @Length(1, 32)
  term?: string;
}

@InputType('UpdateAccountInput', { description: 'Changes to an account (修改账号); omitted fields stay as they are.' })
export class UpdateAccountInput implements Partial<User> {
  @Field(() => String, { nullable: true, description: 'Full name (姓名).' })
  @IsOptional()
  @Length(1, 64)
  displayName?: string;

  @Field(() => Role, { nullable: true, description: 'Role in the committee (角色).' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @Field(() => String, { nullable: true, description: 'Handling unit of a DEPARTMENT account (承办单位).' })
  @IsOptional()
  @Length(1, 128)
  unitName?: string;
}

export enum AccountStatus {
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
}
registerEnumType(AccountStatus, {
  name: 'AccountStatus',
  description: 'Whether an account may sign in and act (账号状态).',
  valuesConfig: { ACTIVE: { description: 'In use (正常).' }, DISABLED: { description: 'Disabled by an administrator (已停用); its history stays.' } },
});

@InputType('AccountFilter', { description: 'Filters of the account list (账号筛选); all given must hold.' })
export class AccountFilter {
  @Field(() => [Role], { nullable: true, description: 'Only these roles (角色).' })
  @IsOptional()
  @IsIn(ROLES, { each: true })
  @ArrayMaxSize(5)
  roles?: Role[];

  @Field(() => AccountStatus, { nullable: true, description: 'Only active or only disabled accounts (账号状态).' })
  @IsOptional()
  @IsIn(Object.values(AccountStatus))
  status?: AccountStatus;

  @Field(() => String, { nullable: true, description: 'Part of the login or the name, any case (关键词: 登录名或姓名).' })
  @IsOptional()
  @Length(1, 64)
  keyword?: string;
}

export enum AccountOrderField {
  LOGIN = 'LOGIN',
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(AccountOrderField, {
  name: 'AccountOrderField',
  description: 'What the account list can be sorted by (账号排序字段).',
  valuesConfig: {
    LOGIN: { description: 'Sign-in name (登录名).' },
    NAME: { description: "The person's name, in the database's collation (姓名)." },
    CREATED_AT: { description: 'When the account was created (创建时间).' },
  },
});

@InputType('AccountOrder', { description: 'Sort order of the account list (账号排序); without it, creation order.' })
export class AccountOrder {
  @Field(() => AccountOrderField, { description: 'Sort key (排序字段).' })
  @IsIn(Object.values(AccountOrderField))
  field!: AccountOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction (排序方向), ASC by default.' })
  @IsIn(Object.values(OrderDirection))
  direction!: OrderDirection;
}

@InputType('GrantSeatInput', { description: 'A member seat on the acting committee for a person whose account is on another committee (增加委员席位).' })
export class GrantSeatInput {
  @Field(() => String, { description: "The person's sign-in name (登录名)." })
  @Length(1, 64)
  login!: string;

  @Field(() => String, { description: 'Sector (界别), e.g. 经济界.' })
  @Length(1, 64)
  sector!: string;

  @Field(() => String, { nullable: true, description: 'Position (职务), e.g. 常委.' })
  @IsOptional()
  @Length(1, 64)
  title?: string;

  @Field(() => String, { description: 'Term (届次), e.g. 第十四届.' })
  @Length(1, 32)
  term!: string;
}
