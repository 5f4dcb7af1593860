import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS } from './sql.js';

/**
 * Duty records (proposals, public-opinion reports, member archives) and the precomputed statistics they
 * feed. Records are tenant-owned under the usual RLS; a forwarded opinion is also visible to each level it
 * reached. Statistics are counters per (committee, month or year bucket, metric) holding the committee's own
 * figure and the total of its subtree; the application role may only read them, for committees at or below
 * the acting one, and only the functions below (owned by the migration owner) write them, so every write of
 * a record bumps its counters in the same transaction.
 */
export class Migration0003RecordsStatistics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function app_tenant_path() returns text language sql stable security definer set search_path = public as
  $$ select path from tenant where id = app_tenant() $$;

-- Proposals (提案)
create table proposal (
  ${OWNED},
  title varchar(200) not null,
  content text not null,
  kind varchar(16) not null check (kind in ('MEMBER', 'JOINT', 'SECTOR', 'PARTY_GROUP')),
  proposer_id uuid not null references app_user (id) deferrable initially deferred,
  co_proposer_ids uuid[] not null default '{}',
  on_behalf_of varchar(64),
  status varchar(16) not null check (status in ('SUBMITTED', 'FILED', 'NOT_FILED', 'CONVERTED', 'ASSIGNED', 'REPLIED', 'RATED')),
  review_note varchar(500),
  lead_department_id uuid references app_user (id) deferrable initially deferred,
  co_department_ids uuid[] not null default '{}',
  reply_deadline timestamptz,
  reply_class varchar(1) check (reply_class in ('A', 'B', 'C')),
  reply_text text,
  satisfaction varchar(24) check (satisfaction in ('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED')),
  key_supervision boolean not null default false,
  submitted_at timestamptz not null,
  reviewed_at timestamptz,
  assigned_at timestamptz,
  replied_at timestamptz,
  rated_at timestamptz,
  supervised_at timestamptz,
  ${STAMPS}
);
create index proposal_tenant_idx on proposal (tenant_id, id);

-- Public-opinion reports (社情民意信息) and the levels each one reached
create table opinion (
  ${OWNED},
  title varchar(200) not null,
  content text not null,
  author_id uuid not null references app_user (id) deferrable initially deferred,
  source varchar(8) not null check (source in ('MEMBER', 'OFFICE')),
  status varchar(16) not null check (status in ('SUBMITTED', 'EDITED')),
  submitted_at timestamptz not null,
  edited_at timestamptz,
  ${STAMPS}
);
create index opinion_tenant_idx on opinion (tenant_id, id);

create table opinion_route (
  id uuid primary key,
  opinion_id uuid not null references opinion (id) deferrable initially deferred,
  tenant_id uuid not null references tenant (id),
  province_id uuid not null references tenant (id),
  city_id uuid references tenant (id),
  origin_tenant_id uuid not null references tenant (id),
  from_tenant_id uuid references tenant (id),
  depth smallint not null,
  received_at timestamptz not null,
  forwarded_at timestamptz,
  adopted_at timestamptz,
  instructed_at timestamptz,
  instruction varchar(1000),
  instructed_by varchar(64),
  ${STAMPS},
  unique (opinion_id, tenant_id)
);
create index opinion_route_tenant_idx on opinion_route (tenant_id, id);
create index opinion_route_origin_idx on opinion_route (origin_tenant_id);

-- Whether the acting committee holds a level of this report (it was forwarded to it, or it is its own).
create function opinion_reached(p_opinion uuid) returns boolean language sql stable security definer set search_path = public as
  $$ select exists (select 1 from opinion_route where opinion_id = p_opinion and tenant_id = app_tenant()) $$;

-- Member performance archive (委员履职档案)
create table duty_archive (
  ${OWNED},
  seat_id uuid not null references member_seat (id) on delete cascade deferrable initially deferred,
  user_id uuid not null references app_user (id) deferrable initially deferred,
  year smallint not null,
  score integer not null default 0,
  checklist_done boolean not null default false,
  ${STAMPS},
  unique (seat_id, year)
);
create index duty_archive_rank_idx on duty_archive (tenant_id, year, score desc);
create index duty_archive_user_idx on duty_archive (user_id);

create table duty_record (
  ${OWNED},
  archive_id uuid not null references duty_archive (id) on delete cascade deferrable initially deferred,
  category varchar(32) not null,
  title varchar(200) not null,
  occurred_at timestamptz not null,
  status varchar(16) not null check (status in ('PENDING', 'VERIFIED', 'REJECTED')),
  origin varchar(8) not null check (origin in ('AUTO', 'MANUAL')),
  source_key varchar(100),
  entered_by uuid,
  verified_by uuid,
  ${STAMPS},
  unique (archive_id, source_key)
);
create index duty_record_archive_idx on duty_record (archive_id, id);

alter table proposal enable row level security;
alter table proposal force row level security;
create policy proposal_select on proposal for select using (tenant_id = app_tenant());
create policy proposal_insert on proposal for insert with check (tenant_id = app_tenant());
create policy proposal_update on proposal for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy proposal_delete on proposal for delete using (tenant_id = app_tenant());

alter table opinion enable row level security;
alter table opinion force row level security;
create policy opinion_select on opinion for select using (tenant_id = app_tenant() or opinion_reached(id));
create policy opinion_insert on opinion for insert with check (tenant_id = app_tenant());
create policy opinion_update on opinion for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy opinion_delete on opinion for delete using (tenant_id = app_tenant());

-- A level row is seen by the level itself, by the committee that sent it there, and by the report's owner.
alter table opinion_route enable row level security;
alter table opinion_route force row level security;
create policy opinion_route_select on opinion_route for select
  using (tenant_id = app_tenant() or from_tenant_id = app_tenant() or origin_tenant_id = app_tenant());
create policy opinion_route_insert on opinion_route for insert
  with check ((from_tenant_id is null and tenant_id = app_tenant() and origin_tenant_id = app_tenant()) or from_tenant_id = app_tenant());
create policy opinion_route_update on opinion_route for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy opinion_route_delete on opinion_route for delete using (origin_tenant_id = app_tenant());

alter table duty_archive enable row level security;
alter table duty_archive force row level security;
create policy duty_archive_select on duty_archive for select using (tenant_id = app_tenant());
create policy duty_archive_insert on duty_archive for insert with check (tenant_id = app_tenant());
create policy duty_archive_update on duty_archive for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy duty_archive_delete on duty_archive for delete using (tenant_id = app_tenant());

alter table duty_record enable row level security;
alter table duty_record force row level security;
create policy duty_record_select on duty_record for select using (tenant_id = app_tenant());
create policy duty_record_insert on duty_record for insert with check (tenant_id = app_tenant());
create policy duty_record_update on duty_record for update using (tenant_id = app_tenant()) with check (tenant_id = app_tenant());
create policy duty_record_delete on duty_record for delete using (tenant_id = app_tenant());

grant select, insert, update, delete on proposal, opinion, opinion_route, duty_archive, duty_record to cppcc_app;
grant execute on function opinion_reached(uuid), app_tenant_path() to cppcc_app;

-- Statistics (统计逐级汇总). Buckets are calendar months (or years, for per-year figures) in China time.
create table stat_counter (
  tenant_id uuid not null references tenant (id),
  path varchar(64) not null,
  bucket date not null,
  metric varchar(48) not null,
  own bigint not null default 0,
  subtree bigint not null default 0,
  -- A roll-up reads (committee, metric, bucket range) and sums own/subtree; with path (for the RLS check)
  -- and both figures in the key's leaf pages it is an index-only scan, in (committee, metric) order.
  primary key (tenant_id, metric, bucket) include (path, own, subtree)
);

-- The same figures summed per calendar year (bucket = 1 January), kept by a trigger on stat_counter in
-- the same statement as every counter write, so a period of whole years reads one row per committee and
-- metric instead of twelve. Year-grain figures appear here unchanged (their bucket already is a year).
create table stat_counter_year (
  tenant_id uuid not null references tenant (id),
  path varchar(64) not null,
  bucket date not null,
  metric varchar(48) not null,
  own bigint not null default 0,
  subtree bigint not null default 0,
  primary key (tenant_id, metric, bucket) include (path, own, subtree)
);

-- Items shared by several committees (joint research, joint topics): who takes part, and the item's bucket.
create table stat_item (
  item_key varchar(100) not null,
  metric varchar(48) not null,
  bucket date not null,
  primary key (item_key, metric)
);
create table stat_item_member (
  item_key varchar(100) not null,
  metric varchar(48) not null,
  tenant_id uuid not null references tenant (id),
  path varchar(64) not null,
  primary key (item_key, metric, tenant_id)
);

-- Deadlines that turn into an overdue figure when they pass unanswered.
create table stat_deadline (
  item_key varchar(100) primary key,
  metric varchar(48) not null,
  tenant_id uuid not null references tenant (id),
  due_at timestamptz not null,
  settled_at timestamptz,
  counted boolean not null default false
);
-- Only deadlines that may still turn overdue are indexed, so a sweep's cost does not grow with history.
create index stat_deadline_due_idx on stat_deadline (due_at) where not counted and (settled_at is null or settled_at > due_at);

-- Aggregates cross the visibility line: a committee reads the counters of itself and its subtree.
alter table stat_counter enable row level security;
alter table stat_counter force row level security;
create policy stat_counter_select on stat_counter for select
  using ((path || '.') like (select app_tenant_path()) || '.%');
-- Writes come only from the functions below (the application role has no write grant); FOR ALL would
-- also widen SELECT, so each write command gets its own policy.
create policy stat_counter_insert on stat_counter for insert with check (app_tenant() is not null);
create policy stat_counter_update on stat_counter for update using (app_tenant() is not null) with check (app_tenant() is not null);
create policy stat_counter_delete on stat_counter for delete using (app_tenant() is not null);
grant select on stat_counter to cppcc_app;

alter table stat_counter_year enable row level security;
alter table stat_counter_year force row level security;
create policy stat_counter_year_select on stat_counter_year for select
  using ((path || '.') like (select app_tenant_path()) || '.%');
create policy stat_counter_year_insert on stat_counter_year for insert with check (app_tenant() is not null);
create policy stat_counter_year_update on stat_counter_year for update using (app_tenant() is not null) with check (app_tenant() is not null);
create policy stat_counter_year_delete on stat_counter_year for delete using (app_tenant() is not null);
grant select on stat_counter_year to cppcc_app;

-- Every change of a counter row moves its year total by the same amount (root first, like the counters).
create function stat_counter_year_add(p_tenant uuid, p_path text, p_bucket date, p_metric text, p_own bigint, p_sub bigint) returns void
language sql security definer set search_path = public as $$
  insert into stat_counter_year as y (tenant_id, path, bucket, metric, own, subtree)
    values (p_tenant, p_path, date_trunc('year', p_bucket)::date, p_metric, p_own, p_sub)
    on conflict (tenant_id, metric, bucket) do update set own = y.own + excluded.own, subtree = y.subtree + excluded.subtree
$$;
create function stat_counter_year_sync() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if tg_op = 'UPDATE' and new.tenant_id = old.tenant_id and new.metric = old.metric and date_trunc('year', new.bucket) = date_trunc('year', old.bucket) then
    if new.own <> old.own or new.subtree <> old.subtree then
      perform stat_counter_year_add(new.tenant_id, new.path, new.bucket, new.metric, new.own - old.own, new.subtree - old.subtree);
    end if;
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    perform stat_counter_year_add(old.tenant_id, old.path, old.bucket, old.metric, -old.own, -old.subtree);
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    perform stat_counter_year_add(new.tenant_id, new.path, new.bucket, new.metric, new.own, new.subtree);
  end if;
  return null;
end $$;
create trigger stat_counter_year_sync after insert or update or delete on stat_counter
  for each row execute function stat_counter_year_sync();
create function stat_counter_year_clear() returns trigger language plpgsql security definer set search_path = public as $$
begin
  truncate stat_counter_year;
  return null;
end $$;
create trigger stat_counter_year_clear after truncate on stat_counter
  for each statement execute function stat_counter_year_clear();
revoke execute on function stat_counter_year_add(uuid, text, date, text, bigint, bigint) from public;

-- Bookkeeping tables: no grants to the application role; only the functions below touch them.
alter table stat_item enable row level security;
alter table stat_item force row level security;
create policy stat_item_all on stat_item for all using (app_tenant() is not null) with check (app_tenant() is not null);
alter table stat_item_member enable row level security;
alter table stat_item_member force row level security;
create policy stat_item_member_all on stat_item_member for all using (app_tenant() is not null) with check (app_tenant() is not null);
alter table stat_deadline enable row level security;
alter table stat_deadline force row level security;
create policy stat_deadline_all on stat_deadline for all using (app_tenant() is not null) with check (app_tenant() is not null);

create function stat_bucket(p_at timestamptz, p_year boolean) returns date language sql immutable as
  $$ select (case when p_year then date_trunc('year', p_at at time zone 'Asia/Shanghai') else date_trunc('month', p_at at time zone 'Asia/Shanghai') end)::date $$;

-- Add p_own to the committee's own figure and p_sub to the subtree figure of the committee and every
-- ancestor (root first, so concurrent writers lock counter rows in the same order).
create function stat_bump(p_tenant uuid, p_metric text, p_bucket date, p_own bigint, p_sub bigint) returns void
language plpgsql security definer set search_path = public as $$
declare v_path text;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee'; end if;
  select path into v_path from tenant where id = p_tenant;
  if v_path is null then raise exception 'statistics: unknown committee'; end if;
  insert into stat_counter as c (tenant_id, path, bucket, metric, own, subtree)
    select a.id, a.path, p_bucket, p_metric, case when a.id = p_tenant then p_own else 0 end, p_sub
      from tenant a where a.code = any (string_to_array(v_path, '.')) and (a.id = p_tenant or p_sub <> 0)
      order by a.depth
  on conflict (tenant_id, bucket, metric) do update set own = c.own + excluded.own, subtree = c.subtree + excluded.subtree;
end $$;

create function stat_record(p_tenant uuid, p_metric text, p_at timestamptz, p_delta bigint, p_year boolean) returns void
language sql security definer set search_path = public as
  $$ select stat_bump(p_tenant, p_metric, stat_bucket(p_at, p_year), p_delta, p_delta) $$;

-- A committee joins (p_join) or leaves a shared item. Its own figure moves by one; a subtree figure moves
-- only at those of its ancestors (and itself) that have no other participant of the item below them, so
-- the item counts once at every common ancestor. The item row lock serialises participants of one item.
create function stat_record_item(p_item text, p_metric text, p_tenant uuid, p_at timestamptz, p_join boolean) returns boolean
language plpgsql security definer set search_path = public as $$
declare v_bucket date; v_path text; v_changed int; a record;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee'; end if;
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

create function stat_track_deadline(p_item text, p_metric text, p_tenant uuid, p_due timestamptz) returns void
language plpgsql security definer set search_path = public as $$
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee'; end if;
  insert into stat_deadline (item_key, metric, tenant_id, due_at) values (p_item, p_metric, p_tenant, p_due)
    on conflict (item_key) do nothing;
end $$;

-- The item was answered at p_at. An answer in time takes back an overdue count that a sweep made (only
-- possible when the sweep ran on a clock ahead of the answer's); a late answer stays overdue.
create function stat_settle_deadline(p_item text, p_at timestamptz) returns void
language plpgsql security definer set search_path = public as $$
declare d record;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee'; end if;
  update stat_deadline set settled_at = p_at where item_key = p_item and settled_at is null returning * into d;
  if d.item_key is not null and d.counted and p_at <= d.due_at then
    update stat_deadline set counted = false where item_key = p_item;
    perform stat_bump(d.tenant_id, d.metric, stat_bucket(d.due_at, false), -1, -1);
  end if;
end $$;

-- Count every deadline that has passed by p_now without an answer in time, once: the flag flips in the
-- same statement that selects the row, under its row lock, so a concurrent sweep skips it and a concurrent
-- answer waits for it (and then corrects, above). Returns how many became overdue.
create function stat_sweep_overdue(p_now timestamptz) returns integer
language plpgsql security definer set search_path = public as $$
declare n integer := 0; r record;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee'; end if;
  -- Most reads find nothing newly due: the earliest open deadline (one step into the partial index) says so
  -- without running the update.
  if not coalesce((select min(due_at) from stat_deadline where not counted and (settled_at is null or settled_at > due_at)) <= p_now, false) then
    return 0;
  end if;
  for r in
    with due as (
      update stat_deadline set counted = true
       where not counted and due_at <= p_now and (settled_at is null or settled_at > due_at)
      returning tenant_id, metric, stat_bucket(due_at, false) as bucket)
    select tenant_id, metric, bucket, count(*) as k from due group by 1, 2, 3
  loop
    perform stat_bump(r.tenant_id, r.metric, r.bucket, r.k, r.k);
    n := n + r.k;
  end loop;
  return n;
end $$;

-- What a roll-up reads, in one round trip: first the overdue sweep up to p_now (its counter writes are
-- visible to the read below, a later command of the same transaction), then the figures of committees
-- p_ids summed over the period: month-grain figures (p_month_metrics) over whole years [p_y_from, p_y_to)
-- from the year totals and over the edge months [p_from, p_y_from) and [p_y_to, p_to) from the month
-- counters; per-year figures (p_year_metrics) for every year the period touches. Every branch is a bounded
-- index-only range (committee, metric, bucket); an empty edge is skipped before it is scanned. Runs with
-- the caller's rights: RLS limits it to the acting committee's subtree.
create function stat_rollup_read(p_now timestamptz, p_ids uuid[], p_month_metrics text[], p_year_metrics text[],
                                 p_from_year int, p_to_year int, p_from date, p_to date, p_y_from date, p_y_to date)
returns table (tenant_id uuid, metric text, own bigint, subtree bigint) language plpgsql as $$
begin
  perform stat_sweep_overdue(p_now);
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

grant execute on function stat_rollup_read(timestamptz, uuid[], text[], text[], int, int, date, date, date, date) to cppcc_app;
grant execute on function stat_bucket(timestamptz, boolean), stat_record(uuid, text, timestamptz, bigint, boolean),
  stat_record_item(text, text, uuid, timestamptz, boolean), stat_track_deadline(text, text, uuid, timestamptz),
  stat_settle_deadline(text, timestamptz), stat_sweep_overdue(timestamptz) to cppcc_app;
revoke execute on function stat_bump(uuid, text, date, bigint, bigint) from public;
`);
  }
}
