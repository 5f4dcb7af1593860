import { Field, ID, ObjectType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';

@ObjectType('AuthAuditEntry', { description: 'One entry of the sign-in audit log (登录审计日志).' })
export class AuthAuditEntry {
  @Field(() => ID, { description: 'Entry id (记录编号).' })
  id!: string;

  @Field(() => String, { description: 'What happened (事件): SIGN_IN, SIGN_IN_FAILED, LOCKED_OUT, REFRESH, REFRESH_REUSED, SIGN_OUT, SWITCH_COMMITTEE, PASSWORD_CHANGED, PASSWORD_RESET, CREATED, DISABLED, ENABLED, SESSIONS_REVOKED, OIDC_LINKED.' })
  event!: string;

  @Field(() => String, { description: 'Login the entry is about (登录名).' })
  login!: string;

  @Field(() => String, { nullable: true, description: 'Client address of the request (客户端地址).' })
  clientAddress?: string | null;

  @Field(() => String, { nullable: true, description: 'Further detail (说明).' })
  detail?: string | null;

  @Field(() => DateTime, { description: 'When it happened (时间).' })
  createdAt!: Date;
}

@ObjectType('AccountSession', { description: 'A sign-in session of an account (登录会话), one per refresh-token family.' })
export class AccountSession {
  @Field(() => ID, { description: 'Session id (会话编号).' })
  id!: string;

  @Field(() => DateTime, { description: 'When the session began (登录时间).' })
  createdAt!: Date;

  @Field(() => DateTime, { description: 'When its current refresh token expires (到期时间).' })
  expiresAt!: Date;

  @Field(() => Boolean, { description: 'Whether it can still be refreshed (有效).' })
  active!: boolean;

  @Field(() => String, { nullable: true, description: 'Client address at sign-in (客户端地址).' })
  clientAddress?: string | null;
}
