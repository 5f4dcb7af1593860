import type { ModuleManifest } from '../../core/module.js';
import { SearchResolver } from './search.resolver.js';

/** Chinese keyword search (全文检索) and similar proposals (相似提案), each kind read through its own rule. */
export const searchModule: ModuleManifest = {
  name: 'search',
  resolvers: [SearchResolver],
};
