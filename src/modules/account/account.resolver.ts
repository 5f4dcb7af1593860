import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Connection, PageArgs } from '../../core/connection.js';
import type { Context } from '../../core/context.js';
import { User } from '../../core/identity/user.entity.js';
import { AccountSession, AuthAuditEntry } from './account.types.js';
import { AccountFilter, AccountOrder, CreateAccountInput, GrantSeatInput, UpdateAccountInput } from './account.inputs.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';
import * as accounts from './account.service.js';
import { importRoster } from './roster-import.js';
import { linkOidcSubject } from './oidc.js';

const UserConnection = Connection(User, 'User', '账号');

@Resolver()
export class AccountResolver {
  @Mutation(() => Boolean, { description: 'Change your own password (修改密码); the current one is required.' })
  changePassword(
    @Ctx() ctx: Context,
    @Arg('oldPassword', () => String, { description: 'The current password (原密码).' }) oldPassword: string,
    @Arg('newPassword', () => String, { description: 'The new password (新密码): 10 to 128 characters, not containing the login.' }) newPassword: string,
  ) {
    return accounts.changePassword(ctx, oldPassword, newPassword);
  }

  @Mutation(() => User, { description: 'Create an account of any role on your committee (新建账号); it must change its password at first sign-in. ADMIN.' })
  createAccount(@Ctx() ctx: Context, @Arg('input', () => CreateAccountInput, { description: 'The new account.' }) input: CreateAccountInput) {
    return accounts.createAccount(ctx, input);
  }

  @Mutation(() => User, { description: 'Change an account of your committee (修改账号): name, role, handling unit. ADMIN.' })
  updateAccount(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'User id.' }) id: string,
    @Arg('input', () => UpdateAccountInput, { description: 'The changes.' }) input: UpdateAccountInput,
  ) {
    return accounts.updateAccount(ctx, id, input);
  }

  @Mutation(() => MemberSeat, { description: 'Give a person whose account is on another committee a member seat on yours (增加委员席位); they can then switch to your committee. ADMIN.' })
  grantSeat(@Ctx() ctx: Context, @Arg('input', () => GrantSeatInput, { description: 'The person and the seat.' }) input: GrantSeatInput) {
    return accounts.grantSeat(ctx, input);
  }

  @Mutation(() => [MemberSeat], {
    description:
      'Import a member roster (导入委员名单) as CSV text or as an Excel workbook (.xlsx, first worksheet), one of the two, with a header row: name/姓名, sector/界别, title/职务, term/届次, phone/电话. Every row is checked first; if any is wrong nothing is imported and BAD_USER_INPUT lists each row (as numbered in the file or sheet) and field. STAFF or ADMIN.',
  })
  importRoster(
    @Ctx() ctx: Context,
    @Arg('csv', () => String, { nullable: true, description: 'The roster as CSV text, UTF-8 (委员名单 CSV).' }) csv?: string,
    @Arg('xlsx', () => String, { nullable: true, description: 'The roster as an Excel .xlsx file in Base64 (委员名单 Excel), at most 5 MB; the request body limit (BODY_LIMIT) applies.' }) xlsx?: string,
  ) {
    return importRoster(ctx, { csv, xlsx });
  }

  @Query(() => UserConnection, { description: "Your committee's accounts (账号列表), a page at a time, filtered by role, status and keyword. ADMIN." })
  accounts(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => AccountFilter, { nullable: true, description: 'Optional filters.' }) filter?: AccountFilter,
    @Arg('orderBy', () => AccountOrder, { nullable: true, description: 'Sort order (排序); creation order when omitted.' }) orderBy?: AccountOrder,
  ) {
    return accounts.listAccounts(ctx, filter, page, orderBy);
  }

  @Mutation(() => User, { description: 'Disable an account of your committee (停用账号): it can no longer sign in or act, its sessions end; nothing is deleted. ADMIN.' })
  disableAccount(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'User id.' }) id: string) {
    return accounts.setDisabled(ctx, id, true);
  }

  @Mutation(() => User, { description: 'Enable a disabled account of your committee again (启用账号). ADMIN.' })
  enableAccount(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'User id.' }) id: string) {
    return accounts.setDisabled(ctx, id, false);
  }

  @Mutation(() => Boolean, { description: 'Set a new password for an account of your committee (重置密码); its sessions end and it must change the password. ADMIN.' })
  resetPassword(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'User id.' }) id: string,
    @Arg('newPassword', () => String, { description: 'The temporary password (临时密码).' }) newPassword: string,
  ) {
    return accounts.resetPassword(ctx, id, newPassword);
  }

  @Mutation(() => User, {
    description:
      'Link an account of your committee to a person at the configured OpenID Connect provider (关联统一身份), by the value of its subject claim (OIDC_SUBJECT_CLAIM, `sub` by default); null removes the link. Only linked accounts sign in through /auth/oidc. A subject linked to another account: CONFLICT. ADMIN.',
  })
  linkOidcSubject(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'User id.' }) id: string,
    @Arg('subject', () => String, { nullable: true, description: "The person's subject at the provider (统一身份标识); null unlinks." }) subject: string | null,
  ) {
    return linkOidcSubject(ctx, id, subject ?? null);
  }

  @Mutation(() => Int, { description: 'End every session of an account of your committee (强制下线); returns how many. ADMIN.' })
  revokeAccountSessions(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'User id.' }) id: string) {
    return accounts.revokeSessions(ctx, id);
  }

  @Query(() => [AccountSession], { description: 'Sign-in sessions of an account of your committee, newest first (登录会话). ADMIN.' })
  accountSessions(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'User id.' }) id: string) {
    return accounts.sessionsOf(ctx, id);
  }

  @Query(() => [AuthAuditEntry], { description: "Your committee's sign-in audit log, newest first (登录审计日志). ADMIN." })
  authAuditLog(
    @Ctx() ctx: Context,
    @Arg('login', () => String, { nullable: true, description: 'Only entries about this login (登录名).' }) login?: string,
    @Arg('first', () => Int, { defaultValue: 50, description: 'How many entries (条数), at most the page limit.' }) first = 50,
  ) {
    return accounts.auditLog(ctx, login, first);
  }
}
