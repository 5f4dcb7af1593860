import type { ModuleManifest } from '../../core/module.js';
import { MicroSuggestion } from './micro.entity.js';
import { MicroSuggestionResolver } from './micro.resolver.js';
import * as micro from './micro.service.js';

/** Members' micro-suggestions (微建议), screened by the office. */
export const microModule: ModuleManifest = {
  name: 'micro',
  entities: [MicroSuggestion],
  resolvers: [MicroSuggestionResolver],
  nodes: { MicroSuggestion: { one: (ctx, id) => micro.readableMicroSuggestion(ctx, id), many: (ctx, ids) => micro.readableMicroSuggestions(ctx, ids) } },
};
