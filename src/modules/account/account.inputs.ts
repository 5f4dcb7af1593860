import { Field, InputType } from 'type-graphql';
import { IsBoolean, IsIn, IsOptional, Length, Matches } from 'class-validator';
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
  @Length(1, 32)
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

@InputType('AccountFilter', { description: 'Filters of the account list (账号筛选).' })
export class AccountFilter {
  @Field(() => Role, { nullable: true, description: 'Only this role (角色).' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @Field(() => Boolean, { nullable: true, description: 'Only disabled (true) or only active (false) accounts (停用状态).' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @Field(() => String, { nullable: true, description: 'Part of the login or the name (登录名或姓名).' })
  @IsOptional()
  @Length(1, 64)
  search?: string;
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
