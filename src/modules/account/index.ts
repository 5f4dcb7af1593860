import type { ModuleManifest } from '../../core/module.js';
import { AccountResolver } from './account.resolver.js';
import { mountAccountRoutes } from './account.routes.js';

/**
 * Built-in accounts (账号与登录): sign-in, session refresh with rotation, sign-out and switching committee at
 * /auth/* (before there is a viewer); password change and account administration in GraphQL.
 */
export const accountModule: ModuleManifest = {
  name: 'account',
  resolvers: [AccountResolver],
  routes: mountAccountRoutes,
};
