import type { ModuleManifest } from '../../core/module.js';
import { AccountResolver } from './account.resolver.js';
import { SessionResolver } from './session.resolver.js';
import { mountAccountRoutes } from './account.routes.js';

/**
 * Built-in accounts (账号与登录): signIn, refreshSession (rotation), switchCommittee and signOut as GraphQL
 * mutations that run before there is a viewer; password change and account administration for a viewer; the
 * signing keys' JWKS over HTTP.
 */
export const accountModule: ModuleManifest = {
  name: 'account',
  resolvers: [SessionResolver, AccountResolver],
  routes: mountAccountRoutes,
};
