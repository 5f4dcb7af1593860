import 'reflect-metadata';
import { loadConfig, type Config } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { migrate, startDatabase, withStartupLock, type Database } from '../core/database.js';

/** Run a command-line task against the configured (or embedded) database, migrated, then stop. */
export async function withDatabase(task: (db: Database, config: Config) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL || 'warn');
  const db = await startDatabase(config, log);
  try {
    await withStartupLock(db.ownerUrl, () => migrate(db.ownerUrl));
    await task(db, config);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  } finally {
    await db.stop();
  }
}
