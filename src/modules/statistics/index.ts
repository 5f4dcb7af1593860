import type { ModuleManifest } from '../../core/module.js';
import { StatisticsResolver } from './statistics.resolver.js';

/** The statistics roll-up (统计逐级汇总): counters written beside the work, read up the tree. */
export const statisticsModule: ModuleManifest = {
  name: 'statistics',
  resolvers: [StatisticsResolver],
};
