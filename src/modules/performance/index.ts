import type { ModuleManifest } from '../../core/module.js';
import { listener } from '../../core/events.js';
import type { Context } from '../../core/context.js';
import { DutyArchive, DutyRecord } from './performance.entity.js';
import { DutyRecordResolver, PerformanceResolver } from './performance.resolver.js';
import { createPerformanceLoaders } from './performance.loaders.js';
import * as performance from './performance.service.js';

/** Member performance archives (委员履职档案): acts seen elsewhere become records through `duty.act`. */
export const performanceModule: ModuleManifest = {
  name: 'performance',
  entities: [DutyArchive, DutyRecord],
  resolvers: [PerformanceResolver, DutyRecordResolver],
  loaders: { performance: createPerformanceLoaders },
  nodes: {
    DutyArchive: (ctx, id) => performance.readableArchive(ctx, id),
    DutyRecord: (ctx, id) => performance.readableRecord(ctx, id),
  },
  listeners: [
    listener<Context, 'duty.act'>({ id: 'performance.record-duty', event: 'duty.act', handle: performance.recordAct }),
    listener<Context, 'duty.withdrawn'>({ id: 'performance.withdraw-duty', event: 'duty.withdrawn', handle: performance.withdrawAct }),
  ],
};
