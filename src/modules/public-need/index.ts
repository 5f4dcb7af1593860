import type { ModuleManifest } from '../../core/module.js';
import { PublicNeed } from './public-need.entity.js';
import { PublicNeedResolver } from './public-need.resolver.js';
import { mountPublicNeedRoutes } from './public-need.routes.js';
import * as needs from './public-need.service.js';

/** Needs the public raises for a committee (社会提需求), screened by staff into topic recommendations. */
export const publicNeedModule: ModuleManifest = {
  name: 'public-need',
  entities: [PublicNeed],
  resolvers: [PublicNeedResolver],
  nodes: { PublicNeed: (ctx, id) => needs.readablePublicNeed(ctx, id) },
  routes: mountPublicNeedRoutes,
};
