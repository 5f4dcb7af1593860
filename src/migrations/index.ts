import { Migration0001Foundation } from './0001-foundation.js';

/** Checked-in migrations, in order. Names are permanent: they are recorded in mikro_orm_migrations. */
export const migrationsList = [{ name: '0001-foundation', class: Migration0001Foundation }];
