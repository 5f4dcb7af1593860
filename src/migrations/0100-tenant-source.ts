import { Migration } from '@mikro-orm/migrations';

/**
 * Which content of each tenants/ file the committee tree was last synced from (SHA-256 of the file's text).
 * Start-up skips a file whose content is unchanged (3,200 committees of 31 provinces are then one query,
 * not a comparison of every row); `npm run tenants:sync` always compares every row. Written by the owner
 * only (the tree sync), in the same transaction as the file's committees; the application role has no grant.
 */
export class Migration0100TenantSource extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table tenant_source (
  file varchar(128) primary key,
  sha256 varchar(64) not null,
  committees integer not null,
  synced_at timestamptz not null default now()
);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table tenant_source;');
  }
}
