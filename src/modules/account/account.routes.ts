import type express from 'express';
import type { AppDeps } from '../../core/context.js';
import { keyRingOf } from './key-ring.js';
import { mountOidcRoutes } from './oidc.js';

/**
 * The account module's HTTP side beside GraphQL: the public keys of the access tokens. Signing in and the
 * session's life are GraphQL mutations (session.resolver.ts); OIDC sign-in has its browser redirects
 * (oidc.routes.ts).
 */
export function mountAccountRoutes(router: express.Router, deps: AppDeps): void {
  const keys = keyRingOf(deps);
  // Public keys of the access tokens, for other services (and front-ends) to verify them.
  router.get('/.well-known/jwks.json', async (_req, res, next) => {
    try {
      res.setHeader('cache-control', 'public, max-age=300');
      res.json(await keys.jwks());
    } catch (e) {
      next(e);
    }
  });
  mountOidcRoutes(router, deps);
}
