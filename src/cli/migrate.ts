import { withDatabase } from './with-database.js';
import { migrate } from '../core/database.js';

await withDatabase(async (db) => {
  const applied = await migrate(db.ownerUrl);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
});
