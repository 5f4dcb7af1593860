import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import { createOrm, migrate, startDatabase, withStartupLock, type Database } from './database.js';
import { createApp, type App } from './server.js';
import { syncTenants } from '../modules/tenant/tenant-sync.js';
import { seedDemo } from '../../seeds/demo.js';
import { seedJointWork } from '../../seeds/joint-work.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TENANTS_DIR = path.join(ROOT, 'tenants');

export interface Running {
  app: App;
  orm: MikroORM;
  db: Database;
  /** Graceful stop: stop accepting, finish in-flight work, close subscriptions, the pool, the database. */
  stop(): Promise<void>;
}

/** Everything `npm start` does: database → migrations → committee tree → demo data → server. */
export async function boot(config: Config, log: Logger, clock: Clock = systemClock): Promise<Running> {
  const db = await startDatabase(config, log);
  const orm = await createOrm(db.appUrl, { tenantFilter: config.ormTenantFilter });
  await withStartupLock(db.ownerUrl, async () => {
    const applied = await migrate(db.ownerUrl);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const synced = await syncTenants(db.ownerUrl, TENANTS_DIR);
    log.info({ tenants: synced }, 'committee tree loaded');
    if (config.seedDemo) {
      log.info({ demo: await seedDemo(db.ownerUrl) }, 'demo data');
      log.info({ jointWork: await seedJointWork({ orm, ownerUrl: db.ownerUrl, jwtSecret: db.jwtSecret, config, log }) }, 'demo joint work');
    }
  });
  const app = await createApp(config, orm, db.jwtSecret, clock, log);
  log.info({ url: app.url.replace('127.0.0.1', 'localhost') }, 'server ready');
  let stopping: Promise<void> | undefined;
  return {
    app,
    orm,
    db,
    stop: () =>
      (stopping ??= (async () => {
        await app.close();
        await orm.close(true);
        await db.stop();
      })()),
  };
}
