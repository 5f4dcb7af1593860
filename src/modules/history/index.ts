import type { ModuleManifest } from '../../core/module.js';
import { StateChange } from './state-change.entity.js';
import { StateChangeResolver } from './history.resolver.js';

/** State changes of every workflow (流转记录); read through the item they belong to, never by id. */
export const historyModule: ModuleManifest = {
  name: 'history',
  entities: [StateChange],
  resolvers: [StateChangeResolver],
  nodes: { StateChange: async () => null },
};
