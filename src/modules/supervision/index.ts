import type { ModuleManifest } from '../../core/module.js';
import { SupervisionProgress, SupervisionTask } from './supervision.entities.js';
import { SupervisionTaskResolver } from './supervision.resolver.js';
import { createSupervisionLoaders } from './supervision.loaders.js';
import { mountSupervisionRoutes } from './supervision.routes.js';
import * as supervision from './supervision.service.js';

/** The supervision ledger (督查督办): tasks, progress, closure with evidence (销号), the 督查专报. */
export const supervisionModule: ModuleManifest = {
  name: 'supervision',
  entities: [SupervisionTask, SupervisionProgress],
  resolvers: [SupervisionTaskResolver],
  loaders: { supervision: createSupervisionLoaders },
  nodes: {
    SupervisionTask: { one: (ctx, id) => supervision.readableTask(ctx, id), many: (ctx, ids) => supervision.readableTasks(ctx, ids) },
    SupervisionProgress: (ctx, id) => supervision.readableProgress(ctx, id),
  },
  routes: mountSupervisionRoutes,
};
