import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader-kit.js';
import { DutyArchive, DutyRecord } from './performance.entity.js';
import { rulesFrom, type ScoringRules } from './scoring.js';

export function createPerformanceLoaders(em: EntityManager) {
  return {
    recordsByArchive: groupLoader(em, DutyRecord, 'archiveId', { occurredAt: 'asc' }),
    archiveById: byIdLoader(em, DutyArchive),
    /** Scoring rules from the committees' tenants/ settings (tenant.config). */
    rulesByTenant: new DataLoader<string, ScoringRules>(async (ids) => {
      const rows = await em.execute<{ id: string; config: unknown }[]>('select id, config from tenant where id = any(?::uuid[])', [`{${ids.join(',')}}`]);
      const map = new Map(rows.map((r) => [r.id, rulesFrom(r.config)]));
      return ids.map((id) => map.get(id) ?? rulesFrom(null));
    }),
  };
}
export type PerformanceLoaders = ReturnType<typeof createPerformanceLoaders>;

declare module '../../core/loaders.js' {
  interface Loaders {
    performance: ReturnType<typeof createPerformanceLoaders>;
  }
}
