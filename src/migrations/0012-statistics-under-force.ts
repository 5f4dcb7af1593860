import { Migration } from '@mikro-orm/migrations';

/**
 * The statistics functions (migration 0003) are security definers: they run as the owner. A superuser owner
 * bypasses row-level security in them; an owner that is not one (README, "External database set-up") is held
 * by FORCE like everyone else, and then bumping an ancestor's counter (a county's act moves the province's
 * subtree figure) fails: `insert … on conflict do update` must read the existing row, and the SELECT policy
 * shows a committee only the counters of its own subtree.
 *
 * The owner, and only the owner (the role running this migration), gets its own SELECT policy on the counter
 * tables under the same condition as its writes there: a committee is acting. What the application role reads
 * is unchanged; it has no write grant on these tables at all.
 */
export class Migration0012StatisticsUnderForce extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
do $$ begin
  execute format('create policy stat_counter_owner_select on stat_counter for select to %I using (app_tenant() is not null)', current_user);
  execute format('create policy stat_counter_year_owner_select on stat_counter_year for select to %I using (app_tenant() is not null)', current_user);
end $$;
`);
  }
}
