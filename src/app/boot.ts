import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createOrm, migrate, startDatabase, withStartupLock, type Database } from '../core/database.js';
import { startJobs, type Jobs } from '../core/jobs.js';
import { createApp, type App, type AppOptions } from '../core/server.js';
import { assemble, type Application, type ModuleManifest } from '../core/module.js';
import { TENANTS_DIR } from '../core/paths.js';
import { syncTenants } from '../modules/tenant/tenant-sync.js';
import { seedDemo } from '../../seeds/demo.js';
import { seedJointWork } from '../../seeds/joint-work.js';
import { seedMeetingsAndSupervision } from '../../seeds/meetings-supervision.js';
import { modules } from './modules.js';
import { mountConsole } from '../console/routes.js';

/** The application of every module (and `extra`, e.g. a test's listener). */
export const application = (extra: readonly ModuleManifest[] = []): Application => assemble([...modules, ...extra]);

export interface Running {
  app: App;
  orm: MikroORM;
  db: Database;
  /** The job queue: this instance's worker (when JOBS_WORKER is on) and a way to enqueue. */
  jobs: Jobs;
  /** Graceful stop: stop accepting, finish in-flight work, close subscriptions, the pool, the database. */
  stop(): Promise<void>;
}

/** Everything `npm start` does: database → migrations → committee tree → demo data → server. */
export async function boot(config: Config, log: Logger, clock: Clock = systemClock, options: { modules?: readonly ModuleManifest[] } & AppOptions = {}): Promise<Running> {
  const assembled = application(options.modules);
  const db = await startDatabase(config, log);
  const orm = await createOrm(db.appUrl, { entities: assembled.entities, tenantFilter: config.ormTenantFilter });
  await withStartupLock(db.ownerUrl, async () => {
    const applied = await migrate(db.ownerUrl, log);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const synced = await syncTenants(db.ownerUrl, TENANTS_DIR, { provinces: config.tenantProvinces, skipUnchanged: true });
    log.info({ tenants: synced.filter((r) => !r.skipped), unchangedFiles: synced.filter((r) => r.skipped).length }, 'committee tree loaded');
    if (config.seedDemo) {
      // Demo data is dated from the application's clock, and nothing of it lies after its now.
      log.info({ demo: await seedDemo(db.ownerUrl, config.demoPassword, clock.now()) }, 'demo data');
      log.info({ jointWork: await seedJointWork({ now: clock.now(), orm, kernel: assembled.kernel, ownerUrl: db.ownerUrl, jwtSecret: db.jwtSecret, config, log }) }, 'demo joint work');
      log.info({ meetingsAndSupervision: await seedMeetingsAndSupervision({ now: clock.now(), orm, kernel: assembled.kernel, ownerUrl: db.ownerUrl, jwtSecret: db.jwtSecret, config, log }) }, 'demo meetings and supervision');
    }
  });
  const app = await createApp(config, orm, db.jwtSecret, clock, log, assembled, { mount: mountConsole, spanExporter: options.spanExporter });
  // Scheduled work reads "now" from the same clock as requests (a test's ManualClock moves both); cron only
  // decides when a sweep runs, never what it counts as due.
  const jobs = await startJobs({
    ownerUrl: db.ownerUrl,
    deps: { orm, kernel: assembled.kernel, jwtSecret: db.jwtSecret, clock, config, log },
    declarations: assembled.jobs.tasks,
    cron: assembled.jobs.cron,
    run: config.jobsWorker,
    concurrency: config.jobsConcurrency,
    pollMs: config.jobsPollMs,
    log,
  });
  log.info({ url: app.url.replace('127.0.0.1', 'localhost'), worker: config.jobsWorker }, 'server ready');
  let stopping: Promise<void> | undefined;
  return {
    app,
    orm,
    db,
    jobs,
    stop: () =>
      (stopping ??= (async () => {
        // Jobs in progress finish (and release their locks) while requests drain; both need the pool.
        await Promise.all([jobs.stop(), app.close()]);
        await orm.close(true);
        await db.stop();
      })()),
  };
}
