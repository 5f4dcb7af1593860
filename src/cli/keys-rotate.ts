import pg from 'pg';
import { withDatabase } from './with-database.js';
import { KeyRing } from '../core/signing-keys.js';

/** Makes a new signing key current; tokens signed with the previous one stay valid until they expire. */
await withDatabase(async (db) => {
  const client = new pg.Client({ connectionString: db.appUrl });
  await client.connect();
  try {
    const ring = new KeyRing(async (text, params = []) => {
      let i = 0;
      return (await client.query(text.replace(/\?/g, () => `$${++i}`), params)).rows;
    }, db.jwtSecret);
    console.log(`new signing key ${await ring.rotate()}`);
  } finally {
    await client.end();
  }
});
