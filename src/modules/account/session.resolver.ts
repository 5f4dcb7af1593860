import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { PublicContext } from '../../core/context.js';
import { Public } from '../../core/public-operation.js';
import { badInput, text } from '../../core/errors.js';
import { SessionTokens } from './session.types.js';
import { startedKeyRing } from './key-ring.js';
import { refresh, signIn, signOut, type Sql } from './session.service.js';

const sqlOf = (ctx: PublicContext): Sql => (text, params = []) => ctx.em.execute(text, params as never[]) as never;

/**
 * Signing in and the session's life (登录与会话): these run before there is a viewer (PublicContext, no scope),
 * each alone in its operation, whatever Authorization header comes with it. A failure keeps what it must
 * (failed-attempt counters, the audit row, a revoked family: ctx.keep) although the answer is an error.
 */
@Resolver()
export class SessionResolver {
  @Public()
  @Mutation(() => SessionTokens, {
    description:
      'Sign in with login and password (登录); no token needed. An unknown login, a wrong password and a disabled account get the same answer (UNAUTHENTICATED). Failures are throttled per login and per client address: TOO_MANY_ATTEMPTS with `details.retryAfter` seconds (and HTTP 429, Retry-After). A password given or reset by an administrator must be changed here first: without `newPassword` the answer is FORBIDDEN with `details.reason` PASSWORD_CHANGE_REQUIRED.',
  })
  signIn(
    @Ctx() ctx: PublicContext,
    @Arg('login', () => String, { description: 'Sign-in name (登录名).' }) login: string,
    @Arg('password', () => String, { description: 'The password (密码).' }) password: string,
    @Arg('newPassword', () => String, { nullable: true, description: 'A new password to set while signing in (新密码): 10 to 128 characters, not containing the login. Required when the password must be changed.' })
    newPassword?: string,
  ) {
    return signIn(sqlOf(ctx), ctx.config, startedKeyRing(ctx.kernel), login, password, ctx.client, ctx.keep, newPassword ?? undefined);
  }

  @Public()
  @Mutation(() => SessionTokens, {
    description:
      'New tokens for a refresh token (刷新会话); no access token needed. The refresh token presented stops working; presenting it again later revokes the whole session (both holders are signed out). A disabled account, a revoked, spent, expired or unknown token: UNAUTHENTICATED. The tokens act for the same committee, or for the home committee if the seat there has ended.',
  })
  refreshSession(@Ctx() ctx: PublicContext, @Arg('refreshToken', () => String, { description: 'The current refresh token (刷新令牌).' }) refreshToken: string) {
    return refresh(sqlOf(ctx), ctx.config, startedKeyRing(ctx.kernel), refreshToken, ctx.client, ctx.keep);
  }

  @Public()
  @Mutation(() => SessionTokens, {
    description:
      'New tokens acting for another committee where you hold an active seat, or for your home committee (切换政协); rotates the refresh token like refreshSession. No seat there: FORBIDDEN, and the refresh token stays good.',
  })
  switchCommittee(
    @Ctx() ctx: PublicContext,
    @Arg('refreshToken', () => String, { description: 'The current refresh token (刷新令牌).' }) refreshToken: string,
    @Arg('code', () => String, { description: 'Code of the committee to act for (政协代码), six digits, e.g. 530100.' }) code: string,
  ) {
    if (!/^\d{6}$/.test(code)) throw badInput(text('政协代码应为六位数字', 'code must be a committee code of six digits'), { fields: [{ field: 'code', messages: ['six digits'] }] });
    return refresh(sqlOf(ctx), ctx.config, startedKeyRing(ctx.kernel), refreshToken, ctx.client, ctx.keep, code);
  }

  @Public()
  @Mutation(() => Boolean, {
    description: 'End the session of a refresh token (退出登录): it and every token of its session stop refreshing; access tokens already issued run out within their lifetime. Always true, also for a token already spent or unknown.',
  })
  signOut(@Ctx() ctx: PublicContext, @Arg('refreshToken', () => String, { description: 'The refresh token of the session to end (刷新令牌).' }) refreshToken: string) {
    return signOut(sqlOf(ctx), refreshToken, ctx.client).then(() => true);
  }
}
