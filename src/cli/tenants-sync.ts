import { withDatabase } from './with-database.js';
import { syncTenants } from '../modules/tenant/tenant-sync.js';
import { TENANTS_DIR } from '../core/paths.js';

await withDatabase(async (db, config) => {
  // Every row of every chosen file is compared (start-up skips a file whose content it synced before).
  for (const r of await syncTenants(db.ownerUrl, TENANTS_DIR, { provinces: config.tenantProvinces })) {
    console.log(`${r.file}: ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`);
  }
});
