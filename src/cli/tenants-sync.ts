import { withDatabase } from './with-database.js';
import { syncTenants } from '../modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../core/paths.js';

await withDatabase(async (db) => {
  for (const r of await syncTenants(db.ownerUrl, TENANTS_DIR)) {
    console.log(`${r.file}: ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`);
  }
});
