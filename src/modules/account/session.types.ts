import { Field, ObjectType } from 'type-graphql';
import { DateTime } from '../../core/scalars.js';

@ObjectType('SessionTokens', {
  description:
    'What signIn, refreshSession and switchCommittee hand the client (登录令牌): send the access token as `Authorization: Bearer …` on every request until it expires, then exchange the refresh token for new tokens. The refresh token works once.',
})
export class SessionTokens {
  @Field(() => String, { description: 'Access token (访问令牌): an EdDSA JWT naming the account and the committee it acts for; verifiable with /.well-known/jwks.json.' })
  accessToken!: string;

  @Field(() => DateTime, { description: 'When the access token expires (访问令牌到期时间), by default 15 minutes after it was issued.' })
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: 'Refresh token (刷新令牌), opaque: pass it to refreshSession, switchCommittee or signOut. Presenting a spent one again ends the whole session.' })
  refreshToken!: string;

  @Field(() => DateTime, { description: 'When the refresh token expires unused (刷新令牌到期时间).' })
  refreshTokenExpiresAt!: Date;

  @Field(() => String, { description: 'Code of the committee the tokens act for (当前政协代码), e.g. 530102.' })
  tenantCode!: string;
}
