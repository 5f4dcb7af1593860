import { Migration } from '@mikro-orm/migrations';

/**
 * The counter functions run as the migration owner (security definer), so neither RLS nor the missing write
 * grants stop them: until now any caller with an acting committee could move the counters of any other
 * committee (a sibling's, an ancestor's own figure, another province's) or settle and sweep their deadlines.
 * Each one now checks the committee it writes for against the acting one (`app.tenant_id`) and refuses
 * with SQLSTATE 42501 (insufficient_privilege). What each legitimate caller passes is still allowed:
 *
 * - `stat_record`: the acting committee or one below it (a level adopting a forwarded report credits the
 *   committee the report came from);
 * - `stat_record_item`: the acting committee or one below it (a parent adopting a recommended topic counts
 *   the child in); the owner of the joint item when an invitation, take-up or recommendation links the two
 *   on that item (answering an invitation counts the owner in); an ancestor's topic of a published plan
 *   (taking up a topic, before the take-up row is flushed);
 * - `stat_track_deadline`, `stat_settle_deadline`: the acting committee's own deadlines only;
 * - `stat_sweep_overdue`: sweeps only the deadlines of the acting committee and its subtree, which are the
 *   only counters a roll-up by it can read, so the caller's clock cannot turn anyone else's deadlines overdue.
 *
 * `deliberation_events_after` (not a definer: it sets the scope it reads under from its arguments) refuses to
 * read for another committee than the one the calling transaction already acts for.
 */
export class Migration0008ScopedDefinerFunctions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
-- Whether committee p_tenant is the acting committee or in its subtree.
create function app_at_or_below(p_tenant uuid) returns boolean language sql stable set search_path = public as
  $$ select exists (select 1 from tenant a join tenant t on t.id = p_tenant where a.id = app_tenant() and (t.path = a.path or t.path like a.path || '.%')) $$;
grant execute on function app_at_or_below(uuid) to cppcc_app;

create or replace function stat_record(p_tenant uuid, p_metric text, p_at timestamptz, p_delta bigint, p_year boolean) returns void
language plpgsql security definer set search_path = public as $$
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  if not app_at_or_below(p_tenant) then
    raise exception 'statistics: the acting committee may not count for committee %', p_tenant using errcode = 'insufficient_privilege';
  end if;
  perform stat_bump(p_tenant, p_metric, stat_bucket(p_at, p_year), p_delta, p_delta);
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
      insert into stat_counter as c (tenant_id, path, bucket, metric, own, subtree)
        values (a.id, a.path, v_bucket, p_metric, 0, case when p_join then 1 else -1 end)
        on conflict (tenant_id, bucket, metric) do update set subtree = c.subtree + excluded.subtree;
    end if;
  end loop;
  return true;
end $$;

create or replace function stat_track_deadline(p_item text, p_metric text, p_tenant uuid, p_due timestamptz) returns void
language plpgsql security definer set search_path = public as $$
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  if p_tenant is distinct from app_tenant() then
    raise exception 'statistics: the acting committee may not track a deadline of committee %', p_tenant using errcode = 'insufficient_privilege';
  end if;
  insert into stat_deadline (item_key, metric, tenant_id, due_at) values (p_item, p_metric, p_tenant, p_due)
    on conflict (item_key) do nothing;
end $$;

create or replace function stat_settle_deadline(p_item text, p_at timestamptz) returns void
language plpgsql security definer set search_path = public as $$
declare d record; v_tenant uuid;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  select tenant_id into v_tenant from stat_deadline where item_key = p_item;
  if found and v_tenant is distinct from app_tenant() then
    raise exception 'statistics: the acting committee may not settle deadline %', p_item using errcode = 'insufficient_privilege';
  end if;
  update stat_deadline set settled_at = p_at where item_key = p_item and settled_at is null returning * into d;
  if d.item_key is not null and d.counted and p_at <= d.due_at then
    update stat_deadline set counted = false where item_key = p_item;
    perform stat_bump(d.tenant_id, d.metric, stat_bucket(d.due_at, false), -1, -1);
  end if;
end $$;

create or replace function stat_sweep_overdue(p_now timestamptz) returns integer
language plpgsql security definer set search_path = public as $$
declare n integer := 0; r record; v_path text;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  select path into v_path from tenant where id = app_tenant();
  if v_path is null then raise exception 'statistics: unknown acting committee' using errcode = 'insufficient_privilege'; end if;
  -- Most reads find nothing newly due: the earliest open deadline of the subtree (steps into the partial
  -- index in due order) says so without running the update.
  if not coalesce((select d.due_at from stat_deadline d join tenant t on t.id = d.tenant_id
                    where not d.counted and (d.settled_at is null or d.settled_at > d.due_at)
                      and (t.path = v_path or t.path like v_path || '.%')
                    order by d.due_at limit 1) <= p_now, false) then
    return 0;
  end if;
  for r in
    with due as (
      update stat_deadline d set counted = true
        from tenant t
       where t.id = d.tenant_id and (t.path = v_path or t.path like v_path || '.%')
         and not d.counted and d.due_at <= p_now and (d.settled_at is null or d.settled_at > d.due_at)
      returning d.tenant_id, d.metric, stat_bucket(d.due_at, false) as bucket)
    select tenant_id, metric, bucket, count(*) as k from due group by 1, 2, 3
  loop
    perform stat_bump(r.tenant_id, r.metric, r.bucket, r.k, r.k);
    n := n + r.k;
  end loop;
  return n;
end $$;

create or replace function deliberation_events_after(p_tenant uuid, p_user uuid, p_session uuid, p_after integer, p_limit integer)
returns setof deliberation_event language plpgsql set search_path = public as $$
declare
  old_tenant text := coalesce(current_setting('app.tenant_id', true), '');
  old_user text := coalesce(current_setting('app.user_id', true), '');
begin
  if old_tenant <> '' and old_tenant::uuid is distinct from p_tenant then
    raise exception 'deliberation: the transaction acts for another committee' using errcode = 'insufficient_privilege';
  end if;
  -- A transaction id: the commit of the calling transaction then flushes the WAL (see migration 0007).
  perform pg_current_xact_id();
  perform set_config('app.tenant_id', p_tenant::text, true), set_config('app.user_id', p_user::text, true);
  return query select * from deliberation_event where session_id = p_session and seq > p_after order by seq limit p_limit;
  perform set_config('app.tenant_id', old_tenant, true), set_config('app.user_id', old_user, true);
end $$;
`);
  }
}
