import type { ModuleManifest } from '../../core/module.js';
import { DeadlineExtension, HandlingUnit } from './unit.entities.js';
import { DeadlineExtensionResolver, HandlingUnitResolver, UnitAccountResolver } from './unit.resolver.js';
import { createUnitLoaders } from './unit.loaders.js';
import * as units from './unit.service.js';

/** Handling units (承办单位): the directory of a committee, their accounts, and deadline extensions (延期). */
export const unitModule: ModuleManifest = {
  name: 'unit',
  entities: [HandlingUnit, DeadlineExtension],
  resolvers: [HandlingUnitResolver, UnitAccountResolver, DeadlineExtensionResolver],
  loaders: { unit: createUnitLoaders },
  nodes: {
    HandlingUnit: (ctx, id) => units.readableUnit(ctx, id),
    // Read through the item it belongs to, like a state change.
    DeadlineExtension: async () => null,
  },
};
