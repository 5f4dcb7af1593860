import type { ModuleManifest } from '../../core/module.js';
import { Opinion, OpinionLevel } from './opinion.entity.js';
import { OpinionLevelResolver, OpinionResolver } from './opinion.resolver.js';
import { createOpinionLoaders } from './opinion.loaders.js';
import * as opinions from './opinion.service.js';

/** Public-opinion reports (社情民意信息). */
export const opinionModule: ModuleManifest = {
  name: 'opinion',
  entities: [Opinion, OpinionLevel],
  resolvers: [OpinionResolver, OpinionLevelResolver],
  loaders: { opinion: createOpinionLoaders },
  nodes: { Opinion: { one: (ctx, id) => opinions.readableOpinion(ctx, id), many: (ctx, ids) => opinions.readableOpinions(ctx, ids) } },
};
