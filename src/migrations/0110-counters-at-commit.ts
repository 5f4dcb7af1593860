import { Migration } from '@mikro-orm/migrations';

/**
 * Counters move at commit, not beside the write (issue 15, a province-wide burst).
 *
 * Every write of a committee moved the subtree figure of its city and province right away (stat_bump), and
 * the row lock on those counter rows was then held to the end of the request's transaction: everything the
 * request did afterwards (more statements, the server's own turns between them, the commit) ran with the
 * province's counters locked, so writes of the whole province queued one behind the other on them
 * (`npm run bench:writes`: 9 writes/s, about 30 backends waiting on a counter lock at any moment).
 *
 * Now stat_bump only notes the change in `stat_pending`, a row per counter row, under the transaction's id.
 * A deferred constraint trigger on that table adds the transaction's notes to stat_counter when the
 * transaction commits, summed per counter row and in one global order (path, metric, bucket: an ancestor
 * before its descendants), so the counter rows are locked only for the commit itself and two committing
 * transactions never wait on each other in a cycle. A rollback drops the notes with everything else.
 * The figures are the same as before, in the same transaction: a request never reads counters it has moved
 * except through stat_rollup_read, which applies the transaction's notes first (its own overdue sweep makes
 * some), so a read sees every change the reading transaction made.
 *
 * stat_pending is UNLOGGED (a note lives only inside its transaction, so there is nothing to recover after a
 * crash), row-level secured and FORCED like the other bookkeeping tables, with no grants to the
 * application role: only the definer functions here touch it, and they touch only the calling transaction's
 * own notes.
 */
export class Migration0110CountersAtCommit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create unlogged table stat_pending (
  xid xid8 not null default pg_current_xact_id(),
  -- The committee whose counter row moves (not tenant_id: a note is no committee's row, like stat_item's).
  committee_id uuid not null,
  path varchar(64) not null,
  bucket date not null,
  metric varchar(48) not null,
  own bigint not null,
  subtree bigint not null
);
create index stat_pending_xid_idx on stat_pending (xid);
alter table stat_pending enable row level security;
alter table stat_pending force row level security;
create policy stat_pending_all on stat_pending for all
  using (app_tenant() is not null and xid = pg_current_xact_id_if_assigned()) with check (app_tenant() is not null and xid = pg_current_xact_id_if_assigned());

-- Adds the calling transaction's notes to the counters (and, by its trigger, to the year totals), one
-- statement, rows in (path, metric, bucket) order. Returns how many counter rows moved.
create function stat_apply_pending() returns integer
language plpgsql security definer set search_path = public as $$
declare n integer;
begin
  -- A transaction without an id has written nothing, so it has no notes (and asking for its id would give it one).
  if pg_current_xact_id_if_assigned() is null then return 0; end if;
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  with d as (delete from stat_pending where xid = pg_current_xact_id_if_assigned() returning committee_id, path, bucket, metric, own, subtree),
  s as (select committee_id, path, bucket, metric, sum(own)::bigint own, sum(subtree)::bigint subtree from d group by 1, 2, 3, 4)
  insert into stat_counter as c (tenant_id, path, bucket, metric, own, subtree)
    select committee_id, path, bucket, metric, own, subtree from s where own <> 0 or subtree <> 0 order by path, metric, bucket
  on conflict (tenant_id, bucket, metric) do update set own = c.own + excluded.own, subtree = c.subtree + excluded.subtree;
  get diagnostics n = row_count;
  return n;
end $$;
grant execute on function stat_apply_pending() to cppcc_app;

-- At commit: the first note's trigger applies them all; the others find nothing left.
create function stat_pending_commit() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if exists (select 1 from stat_pending where xid = pg_current_xact_id_if_assigned()) then
    perform stat_apply_pending();
  end if;
  return null;
end $$;
create constraint trigger stat_pending_commit after insert on stat_pending
  deferrable initially deferred for each row execute function stat_pending_commit();

create or replace function stat_bump(p_tenant uuid, p_metric text, p_bucket date, p_own bigint, p_sub bigint) returns void
language plpgsql security definer set search_path = public as $$
declare v_path text;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee'; end if;
  select path into v_path from tenant where id = p_tenant;
  if v_path is null then raise exception 'statistics: unknown committee'; end if;
  insert into stat_pending (committee_id, path, bucket, metric, own, subtree)
    select a.id, a.path, p_bucket, p_metric, case when a.id = p_tenant then p_own else 0 end, p_sub
      from tenant a where a.code = any (string_to_array(v_path, '.')) and (a.id = p_tenant or p_sub <> 0);
end $$;

create or replace function stat_record_item(p_item text, p_metric text, p_tenant uuid, p_at timestamptz, p_join boolean) returns boolean
language plpgsql security definer set search_path = public as $$
declare v_bucket date; v_path text; v_changed int; a record; v_item uuid;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  if not app_at_or_below(p_tenant) then
    if split_part(p_item, ':', 2) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      v_item := split_part(p_item, ':', 2)::uuid;
    end if;
    if v_item is null or not (
      exists (select 1 from joint_participant jp where jp.item_id = v_item
                and ((jp.tenant_id = app_tenant() and jp.owner_tenant_id = p_tenant) or (jp.owner_tenant_id = app_tenant() and jp.tenant_id = p_tenant)))
      or (split_part(p_item, ':', 1) = 'ConsultationTopic' and exists (
            select 1 from consultation_topic t join tenant o on o.id = t.tenant_id join tenant me on me.id = app_tenant()
             where t.id = v_item and t.tenant_id = p_tenant and t.plan_published and me.path like o.path || '.%'))
    ) then
      raise exception 'statistics: the acting committee may not count committee % into %', p_tenant, p_item using errcode = 'insufficient_privilege';
    end if;
  end if;
  insert into stat_item (item_key, metric, bucket) values (p_item, p_metric, stat_bucket(p_at, false)) on conflict do nothing;
  select bucket into v_bucket from stat_item where item_key = p_item and metric = p_metric for update;
  select path into v_path from tenant where id = p_tenant;
  if p_join then
    insert into stat_item_member (item_key, metric, tenant_id, path) values (p_item, p_metric, p_tenant, v_path) on conflict do nothing;
  else
    delete from stat_item_member where item_key = p_item and metric = p_metric and tenant_id = p_tenant;
  end if;
  get diagnostics v_changed = row_count;
  if v_changed = 0 then return false; end if;
  perform stat_bump(p_tenant, p_metric, v_bucket, case when p_join then 1 else -1 end, 0);
  for a in select t.id, t.path from tenant t where t.code = any (string_to_array(v_path, '.')) order by t.depth loop
    if not exists (select 1 from stat_item_member m where m.item_key = p_item and m.metric = p_metric and m.tenant_id <> p_tenant
                     and (m.path = a.path or m.path like a.path || '.%')) then
      insert into stat_pending (committee_id, path, bucket, metric, own, subtree)
        values (a.id, a.path, v_bucket, p_metric, 0, case when p_join then 1 else -1 end);
    end if;
  end loop;
  return true;
end $$;

create or replace function stat_rollup_read(p_now timestamptz, p_ids uuid[], p_month_metrics text[], p_year_metrics text[],
                                            p_from_year int, p_to_year int, p_from date, p_to date, p_y_from date, p_y_to date)
returns table (tenant_id uuid, metric text, own bigint, subtree bigint) language plpgsql as $$
begin
  perform stat_sweep_overdue(p_now);
  -- What this transaction has counted so far (its sweep included) is read with the rest.
  perform stat_apply_pending();
  return query
    select x.tenant_id, x.metric::text, sum(x.own)::bigint, sum(x.subtree)::bigint from (
      select y.tenant_id, y.metric, y.own, y.subtree from stat_counter_year y
       where y.tenant_id = any(p_ids) and y.metric = any(p_year_metrics)
         and y.bucket >= make_date(p_from_year, 1, 1) and y.bucket <= make_date(p_to_year, 1, 1)
      union all
      select y.tenant_id, y.metric, y.own, y.subtree from stat_counter_year y
       where p_y_from < p_y_to and y.tenant_id = any(p_ids) and y.metric = any(p_month_metrics)
         and y.bucket >= p_y_from and y.bucket < p_y_to
      union all
      select c.tenant_id, c.metric, c.own, c.subtree from stat_counter c
       where p_from < p_y_from and c.tenant_id = any(p_ids) and c.metric = any(p_month_metrics)
         and c.bucket >= p_from and c.bucket < p_y_from
      union all
      select c.tenant_id, c.metric, c.own, c.subtree from stat_counter c
       where p_y_to < p_to and c.tenant_id = any(p_ids) and c.metric = any(p_month_metrics)
         and c.bucket >= p_y_to and c.bucket < p_to
    ) x
    group by x.tenant_id, x.metric;
end $$;
`);
  }
}
